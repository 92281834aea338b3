"""Handbook pages -> a static site, built by MkDocs (material theme) in-process.

The pages and the MkDocs configuration are kept in a workspace, `ROOT/.playbook/handbook/`
(`docs/`, `overrides/`, `mkdocs.yml`), where each file is rewritten only when its bytes changed,
so bare `mkdocs build -f ROOT/.playbook/handbook/mkdocs.yml` reproduces the site's pages. MkDocs
builds with `strict` into a stage beside `site/` that replaces it only when the whole build
succeeded (`writer.staged_tree`). A stamp written after a successful build lets the next one
skip MkDocs when nothing it would build from changed. Strings from the playbook that MkDocs or
the theme put into HTML unescaped (site name, nav titles) are HTML-escaped here; the page
`<title>` is escaped by a one-block theme override.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml
from markupsafe import escape

from playbook import __version__
from playbook.arguments import source_date_epoch
from playbook.writer import write_text

if TYPE_CHECKING:  # the page models are not needed to check a stamp (`handbook.unchanged`)
    from playbook.handbook.pages import Handbook

ASSETS = Path(__file__).parent / "assets"
KIND = "site"
"""The kind of output the handbook's site folder is (its `.playbook-output` marker)."""
WORKSPACE = PurePosixPath(".playbook", "handbook")
"""The kept workspace, relative to the playbook root."""
CONFIG = "mkdocs.yml"
OWNED = ("docs", "overrides", "bundles")
"""The workspace folders that hold only generated files: anything else in them is deleted.
bundles/ holds the operators' bundles of the week, which the build copies beside the pages."""
STAMP = "built.json"
"""What the last successful build was made from and where it went (see `stamp`)."""
TOOLS = ("mkdocs", "mkdocs-material", "jieba")
"""Distributions whose version changes the site without changing the workspace."""
SEARCH_SEPARATOR = r"[\s\u200b\u3000\-、。，．？！；：（）“”《》【】]+"
"""Material's Chinese separator plus more full-width punctuation; \\u200b is where jieba
segmented the Chinese text of the index."""

TITLE_OVERRIDE = """{% extends "base.html" %}
{# The theme writes page.title|striptags raw into <title>; striptags unescapes entities. #}
{% block htmltitle %}<title>
{%- if page and page.title and not page.is_homepage %}{{ page.title | striptags | e }} - {% endif -%}
{{ config.site_name }}</title>{% endblock %}
"""


class SiteBuildFailed(Exception):
    """MkDocs refused the pages (a broken link, a strict warning); `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def config(title: str, description: str, handbook: Handbook, workspace: Path) -> dict[str, Any]:
    """The MkDocs configuration of a handbook built in `workspace`. Paths are absolute, so the
    file works from any current folder; `site_dir` is `workspace/site`, where a bare
    `mkdocs build` of it goes (`playbook build` passes its own stage instead)."""
    nav: list[Any] = []
    for section, items in handbook.nav:
        entries = [{str(escape(t)): _nav_target(target)} for t, target in items]
        nav += entries if not section else [{section: entries}]
    return {
        "site_name": str(escape(title)),
        "site_description": str(escape(description)),
        "docs_dir": str(workspace / "docs"),
        "site_dir": str(workspace / "site"),
        "use_directory_urls": False,  # pages open from the file system too
        "strict": True,
        "nav": nav,
        "theme": {
            "name": "material", "language": "zh", "font": False,  # no Google Fonts
            "custom_dir": str(workspace / "overrides"),
            # navigation.prune: a page lists only its own sub-section's pages (see nav.py)
            "features": ["content.code.copy", "navigation.prune", "navigation.sections",
                         "navigation.top", "navigation.tracking", "search.highlight", "toc.follow"],
        },
        # offline: search_index.js beside the JSON, so search works from file:// too; its worker
        # then runs in an iframe (assets/iframe-worker.js, local, instead of the plugin's unpkg shim).
        "plugins": [{"search": {"lang": ["zh", "en"], "separator": SEARCH_SEPARATOR}}, "offline"],
        "markdown_extensions": [
            # Deliberately no attr_list, md_in_html or snippets: content must not be able to
            # set HTML attributes or include files.
            "tables", "admonition", {"toc": {"permalink": True}},
            {"pymdownx.highlight": {"use_pygments": True}}, "pymdownx.superfences",
        ],
        "extra_css": ["assets/handbook.css"],
        "extra_javascript": ["assets/handbook.js"],  # tick boxes on message cards
        "extra": {"generator": False, "polyfills": ["assets/iframe-worker.js"]},
        "validation": {"links": {"not_found": "warn", "absolute_links": "warn",
                                 "unrecognized_links": "warn"}},
    }


def _nav_target(target: str | list[tuple[str, str]]) -> Any:
    """A nav entry's target: a page's path, or a sub-section's pages, titles HTML-escaped."""
    if isinstance(target, str):
        return target
    return [{str(escape(t)): path} for t, path in target]


QUERY_SEGMENTS = ("for(let o=s+1;o<t.length;o++)t.slice(s,o)in e",
                  "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e")
"""Material's search worker splits a Chinese query into words of the index, but its loop never
tries a word that ends the query, so a query equal to a title (one word in our index, see
`whole_titles`) lost its last word. The fix is one character."""
QUERY_KEPT = ("search(e){if(e=e.replace(", "search(e){let pbQuery=e;if(e=e.replace(")
TITLE_FIRST = ("return _({items:[...n.values()]}",
               "return _({items:[...n].map(([l,v])=>{let t=this.map.get(l),k=x=>x.replace(/[\\s\\u200b]+/g,"
               "\"\").toLowerCase();return[t&&k(t.title)===k(pbQuery)?1:0,v]}).sort((a,b)=>b[0]-a[0])"
               ".map(a=>a[1])}")
"""The theme ranks with lunr and no length normalisation (`b(0)`), so a title that is exactly
the query scores the same as a longer title holding it as a word (新手训练营 against
新手训练营 7 天计划), and mentions in the text decide: the page titled 新手训练营 came third.
The worker keeps the query as typed and lists first the pages whose title equals it (spaces
and case aside); the rest keep the theme's order (the sort is stable)."""
WORKER_FIXES = (QUERY_SEGMENTS, QUERY_KEPT, TITLE_FIRST)


def search_worker() -> dict[str, bytes]:
    """The theme's search worker with `WORKER_FIXES` applied, as a theme override; nothing when
    the installed theme's worker does not hold each of those exact texts once (search then
    works as shipped)."""
    import material  # type: ignore[import-untyped]

    folder = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"
    found: dict[str, bytes] = {}
    for worker in sorted(folder.glob("search.*.min.js")):
        text = worker.read_text("utf-8")
        if all(text.count(old) == 1 for old, _ in WORKER_FIXES):
            for fix in WORKER_FIXES:
                text = text.replace(*fix)
            found[f"overrides/assets/javascripts/workers/{worker.name}"] = text.encode()
    return found


def workspace_files(handbook: Handbook, media: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every file of the docs folder: pages, media, the stylesheet and scripts; and the theme
    overrides."""
    files = {f"docs/{path}": text.encode() for path, text in handbook.pages.items()}
    files.update({f"docs/{path}": data for path, data in media.items()})
    files.update({f"docs/assets/{p.name}": p.read_bytes() for p in sorted(ASSETS.iterdir()) if p.is_file()})
    files["overrides/main.html"] = TITLE_OVERRIDE.encode()
    files.update(search_worker())
    return files


def workspace_tree(handbook: Handbook, media: Mapping[str, bytes], title: str, description: str,
                   workspace: Path) -> dict[str, bytes]:
    """Every generated file of the workspace (relative POSIX path -> bytes), mkdocs.yml
    included."""
    files = workspace_files(handbook, media)
    settings = config(title, description, handbook, workspace)
    files[CONFIG] = yaml.safe_dump(settings, allow_unicode=True, sort_keys=False).encode()
    return files


def source_epoch(day: dt.date) -> str:
    """The SOURCE_DATE_EPOCH of a build on `day`: the user's (checked: a bad one is a
    `UsageError`), else 00:00 UTC of `day`."""
    given = source_date_epoch()
    if given is not None:
        return str(given)
    return str(int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()))


def digest(hashes: Mapping[str, str]) -> str:
    """SHA-256 of a set of files, from each one's name and the hash of its bytes
    (`rebuild.manifest`, which the build keeps anyway), independent of their order."""
    h = hashlib.sha256()
    for name in sorted(hashes):
        h.update(b"%d:%s\0%s\n" % (len(name.encode()), name.encode(), hashes[name].encode()))
    return h.hexdigest()


def _tool_versions() -> dict[str, str]:
    found = {"playbook": __version__}
    for name in TOOLS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def stamp(inputs: str, target: Path, day: dt.date) -> str | None:
    """The stamp of a site at `target` built from inputs with digest `inputs` on `day`: also
    the build's SOURCE_DATE_EPOCH, the tools' versions and the site folder's identity (inode,
    mtime), so a site deleted, rebuilt elsewhere or replaced is not taken for ours. None when
    there is no site folder."""
    target = target.absolute()
    try:
        st = target.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not target.is_dir():
        return None
    record = {"inputs": inputs, "source_date_epoch": source_epoch(day), "tools": _tool_versions(),
              "site": str(target), "site_id": [st.st_ino, st.st_mtime_ns]}
    return json.dumps(record, indent=2, sort_keys=True) + "\n"


def _recorded(root: Path) -> str | None:
    """The last successful build's stamp, read through the file-access layer (never through a
    link out, never blocking on a special file); None when there is none to read."""
    from playbook.files import FileRefused, PlaybookFiles

    try:
        return PlaybookFiles(root).read_text(f"{WORKSPACE}/{STAMP}")
    except (FileRefused, OSError, ValueError):
        return None


def up_to_date(root: Path, inputs: str, target: Path, day: dt.date) -> bool:
    """Whether the site at `target` is the one the last successful build of the playbook at
    `root` made from `inputs`."""
    expected = stamp(inputs, target, day)
    return expected is not None and _recorded(root) == expected


def last_build(root: Path, target: Path, day: dt.date) -> str | None:
    """The digest of the inputs the site at `target` was built from, when it is the last
    successful build's and still in place (as `up_to_date` tells); None otherwise."""
    recorded = _recorded(root)
    try:
        inputs = json.loads(recorded).get("inputs") if recorded is not None else None
    except (ValueError, AttributeError):
        return None
    return inputs if isinstance(inputs, str) and stamp(inputs, target, day) == recorded else None


def made_here(root: Path, target: Path) -> bool:
    """Whether `target` is the site the last successful build of the playbook at `root` swapped
    in, by the stamp's record of its path and identity (inode, mtime): how a site built before
    output folders carried their marker is recognised as playbook's own."""
    recorded = _recorded(root)
    try:
        record = json.loads(recorded) if recorded is not None else None
        st = target.stat()
    except (OSError, ValueError):
        return False
    return (isinstance(record, dict) and record.get("site") == str(target.absolute())
            and record.get("site_id") == [st.st_ino, st.st_mtime_ns])


def record_build(workspace: Path, inputs: str, target: Path, day: dt.date) -> None:
    """Write the stamp of a build that has just been swapped in at `target`."""
    current = stamp(inputs, target, day)
    if current is not None:
        write_text(workspace / STAMP, current)


@contextlib.contextmanager
def source_date(day: dt.date) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for the build: the user's, else midnight UTC of the handbook's date,
    so the sitemap's dates and the gzip header are the same in every build of that day."""
    if source_date_epoch() is not None:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = source_epoch(day)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def quiet_mkdocs() -> Iterator[_Collect]:
    """Collect MkDocs' warnings instead of printing them (they are reported as problems)."""
    import jieba  # type: ignore[import-untyped]

    jieba.setLogLevel(logging.WARNING)  # it prints its dictionary loading on stderr
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    propagate, level = logger.propagate, logger.level
    logger.addHandler(collect)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield collect
    finally:
        logger.removeHandler(collect)
        logger.propagate, logger.level = propagate, level


HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
"""A run of Chinese characters (the search plugin segments each run with jieba)."""


def nav_titles(nav: Any, top: bool = True) -> list[str]:
    """Every page title and section title in a MkDocs nav; not the sub-sections' titles (a month,
    a trigger, a run of names: see nav.py), which are no page a query should find as a word."""
    if isinstance(nav, list):
        return [t for item in nav for t in nav_titles(item, top)]
    if isinstance(nav, dict):
        own = [str(key) for key, value in nav.items() if top or not isinstance(value, list)]
        return own + [t for value in nav.values() for t in nav_titles(value, False)]
    return []


@contextlib.contextmanager
def whole_titles(titles: list[str]) -> Iterator[None]:
    """Each Chinese run of a page title is one word for jieba while MkDocs builds the search
    index, so a query equal to a title matches that title's own token (titles weigh 1000x
    text, so the page comes first; the theme does not segment queries). jieba's dictionary is
    a process-wide global: it is restored afterwards, so one build never changes the next."""
    import jieba

    words = sorted({run for title in titles for run in HAN_RUN.findall(title)})
    tokenizer = jieba.dt
    tokenizer.check_initialized()
    total = tokenizer.total
    saved = {w[:n]: tokenizer.FREQ.get(w[:n]) for w in words for n in range(1, len(w) + 1)}
    try:
        for word in words:
            tokenizer.suggest_freq(word, tune=True)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                tokenizer.FREQ.pop(key, None)
            else:
                tokenizer.FREQ[key] = value
        tokenizer.total = total


def run_mkdocs(config_file: Path, site_dir: Path, changed: frozenset[str] | None = None) -> None:
    """Build the site of `config_file` into `site_dir`; `SiteBuildFailed` with MkDocs' reasons.
    With `changed` (the pages whose Markdown changed), `site_dir` holds the last build's site and
    only those pages are rendered again (`handbook.rebuild`)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from playbook.handbook import rebuild, site_plugin

    builder = logging.getLogger("mkdocs.commands.build")
    dirty = rebuild.quiet_dirty()
    with quiet_mkdocs() as collect:
        try:
            settings = load_config(str(config_file), site_dir=str(site_dir))
            settings.plugins[site_plugin.NAME] = site_plugin.plugin()
            if changed is not None:
                index = site_dir / "search" / "search_index.json"  # the last build's, copied
                settings.plugins["playbook/rebuild"] = rebuild.plugin(changed, index)
                builder.addFilter(dirty)
            with whole_titles(nav_titles(settings["nav"])):
                build(settings, dirty=changed is not None)
        except MkDocsException as err:
            raise SiteBuildFailed([*collect.messages, str(err)]) from None
        finally:
            builder.removeFilter(dirty)


def build(config_file: Path, day: dt.date, site_dir: Path, changed: frozenset[str] | None = None) -> None:
    """Build the workspace of `config_file` into `site_dir` (the stage of `site/`: empty, or with
    `changed`, a copy of the last site) with the day's SOURCE_DATE_EPOCH."""
    with source_date(day):
        run_mkdocs(config_file, site_dir, changed)
