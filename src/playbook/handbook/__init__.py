"""The operator handbook: the playbook compiled into Markdown pages (Jinja2 templates in the
sandbox, every value escaped) and built by MkDocs with the material theme into `site/`.

    pages.py     Project -> {docs path: Markdown} and the navigation
    site.py      the MkDocs configuration and the in-process strict build
    compile.py   the week's messages, the media, the atomic swap of site/
    serve.py     live preview that regenerates pages when playbook files change

Import from the modules; the package itself stays light so `playbook --help` is fast.
"""
