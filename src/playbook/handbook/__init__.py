"""The operator handbook: the playbook compiled into Markdown pages and built with MkDocs."""
