"""Handbook pages -> a static site, built by MkDocs (material theme) in-process.

The MkDocs configuration is generated here as a dict, written with the pages into a
temporary workspace, and built with `strict` into a stage beside `site/` that replaces it
only when the whole build succeeded (`writer.staged_tree`). Strings from the playbook that
MkDocs or the theme put into HTML unescaped (site name, nav titles) are HTML-escaped here;
the page `<title>` is escaped by a one-block theme override.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from markupsafe import escape

from playbook.handbook.pages import Handbook

ASSETS = Path(__file__).parent / "assets"
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
    """The MkDocs configuration of a handbook built in `workspace`."""
    nav: list[Any] = []
    for section, items in handbook.nav:
        entries = [{str(escape(t)): path} for t, path in items]
        nav += entries if not section else [{section: entries}]
    return {
        "site_name": str(escape(title)),
        "site_description": str(escape(description)),
        "docs_dir": str(workspace / "docs"),
        "use_directory_urls": False,  # pages open from the file system too
        "strict": True,
        "nav": nav,
        "theme": {
            "name": "material", "language": "zh", "font": False,  # no Google Fonts
            "custom_dir": str(workspace / "overrides"),
            "features": ["content.code.copy", "navigation.sections", "navigation.top",
                         "navigation.tracking", "search.highlight", "toc.follow"],
        },
        "plugins": [{"search": {"lang": ["zh", "en"], "separator": SEARCH_SEPARATOR}}],
        "markdown_extensions": [
            # Deliberately no attr_list, md_in_html or snippets: content must not be able to
            # set HTML attributes or include files.
            "tables", "admonition", {"toc": {"permalink": True}},
            {"pymdownx.highlight": {"use_pygments": True}}, "pymdownx.superfences",
        ],
        "extra_css": ["assets/handbook.css"],
        "extra": {"generator": False},
        "validation": {"links": {"not_found": "warn", "absolute_links": "warn",
                                 "unrecognized_links": "warn"}},
    }


def workspace_files(handbook: Handbook, media: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every file of the docs folder: pages, media, the stylesheet."""
    files = {f"docs/{path}": text.encode() for path, text in handbook.pages.items()}
    files.update({f"docs/{path}": data for path, data in media.items()})
    files.update({f"docs/assets/{p.name}": p.read_bytes() for p in sorted(ASSETS.iterdir()) if p.is_file()})
    files["overrides/main.html"] = TITLE_OVERRIDE.encode()
    return files


def write_workspace(workspace: Path, files: Mapping[str, bytes], settings: Mapping[str, Any]) -> Path:
    """Fill a (temporary) workspace; returns its mkdocs.yml."""
    for name, data in sorted(files.items()):
        path = workspace / PurePosixPath(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    config_file = workspace / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(dict(settings), allow_unicode=True, sort_keys=False), "utf-8")
    return config_file


@contextlib.contextmanager
def source_date(day: dt.date) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for the build: the user's, else midnight UTC of the handbook's date,
    so the sitemap's dates and the gzip header are the same in every build of that day."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()))
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


def run_mkdocs(config_file: Path, site_dir: Path) -> None:
    """Build the site of `config_file` into `site_dir`; `SiteBuildFailed` with MkDocs' reasons."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with quiet_mkdocs() as collect:
        try:
            settings = load_config(str(config_file), site_dir=str(site_dir))
            build(settings)
        except MkDocsException as err:
            raise SiteBuildFailed([*collect.messages, str(err)]) from None


def build(handbook: Handbook, media: Mapping[str, bytes], title: str, description: str,
          day: dt.date, site_dir: Path) -> None:
    """Build the handbook into `site_dir` (an empty folder, the stage of `site/`)."""
    with tempfile.TemporaryDirectory(prefix="playbook-handbook-") as tmp:
        workspace = Path(tmp)
        config_file = write_workspace(workspace, workspace_files(handbook, media),
                                      config(title, description, handbook, workspace))
        with source_date(day):
            run_mkdocs(config_file, site_dir)
