"""The MkDocs plugin every `playbook build` adds (not written into the workspace's mkdocs.yml:
a bare `mkdocs build` of the workspace makes the same files the stock way). It changes how much
memory a build holds, never what it writes:

- each page's Markdown is dropped once MkDocs has converted it, and its HTML is kept
  compressed from then until MkDocs renders that page into the theme, and dropped once the
  page is written. MkDocs converts every page before it writes the first one, so without this
  a build holds the Markdown and the HTML of every page at once (on the L benchmark corpus,
  4,080 pages and 1.2 GB of site, that was most of its memory);
- the search index (`search/search_index.json`) and its copy for the offline plugin
  (`search/search_index.js`) are written entry by entry. mkdocs-material's search plugin makes
  the whole index one string, then its bytes, and the offline plugin reads the file back and
  makes another two copies: 210 MB each on L. The bytes are the same as theirs
  (tests/test_site_plugin.py compares them), and both plugins' own writing is switched off for
  this build only.

Imported with MkDocs, only when a build runs."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playbook.writer import write_pieces

NAME = "playbook/site"
"""The key of the plugin in MkDocs' plugin collection."""
OFFLINE_PREFIX = "var __index = "
"""What mkdocs-material's offline plugin puts before the index to make it a script."""
PIECE_ENTRIES = 2000
"""Search entries encoded into one piece of the index file."""


def plugin() -> Any:
    """A new instance of the plugin, for one build."""
    from mkdocs.plugins import BasePlugin, event_priority

    class SitePlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """Keeps a build's memory small; see the module's description."""

        def __init__(self) -> None:
            super().__init__()
            self.parked: dict[int, bytes] = {}

        @event_priority(-100)  # after every other plugin changed the page's HTML
        def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
            self.parked[id(page)] = zlib.compress(html.encode("utf-8", "surrogatepass"), 1)
            page.markdown = None
            return ""

        @event_priority(100)  # before the search plugin reads the page's HTML
        def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
            parked = self.parked.pop(id(page), None)
            if parked is not None:
                page.content = zlib.decompress(parked).decode("utf-8", "surrogatepass")
            return context

        @event_priority(-100)  # after every other plugin saw the page
        def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
            page.content = None
            return output

        @event_priority(50)  # after an incremental build completed the entries, before search
        def on_post_build(self, *, config: Any) -> None:
            search = searching(config)
            if search is None or not search.config["enabled"]:
                return
            folder = Path(config["site_dir"]) / "search"
            write_pieces(folder / "search_index.json", index_pieces(search.search_index))
            offline = config.plugins.get("material/offline") or config.plugins.get("offline")
            if offline is not None and offline.config["enabled"]:
                prefix = OFFLINE_PREFIX.encode()
                write_pieces(folder / "search_index.js",
                             _after(prefix, index_pieces(search.search_index)))
                offline.config["enabled"] = False  # it would read the index back whole
            search.config["enabled"] = False  # it would make the index one string

    return SitePlugin()


def searching(config: Any) -> Any:
    """mkdocs-material's search plugin of a build, None without one."""
    for name, instance in config.plugins.items():
        if name.endswith("search") and hasattr(instance, "search_index"):
            return instance
    return None


def index_pieces(index: Any) -> Iterator[bytes]:
    """The bytes of `index` (a mkdocs-material `SearchIndex`) as its `generate_search_index`
    makes them for a full build, `PIECE_ENTRIES` entries at a time."""
    settings = {key: index.config[key] for key in ["lang", "separator", "pipeline", "fields"]}
    empty = json.dumps({"config": settings, "docs": []}, separators=(",", ":"), default=str)
    head, tail = empty[:-3], empty[-2:]  # "...,"docs":" + "[]" + "}"
    yield (head + "[").encode()
    entries = index.entries
    for start in range(0, len(entries), PIECE_ENTRIES):
        text = ",".join(json.dumps(e, separators=(",", ":"), default=str)
                        for e in entries[start:start + PIECE_ENTRIES])
        yield (text if start == 0 else "," + text).encode()
    yield tail.encode()


def _after(first: bytes, pieces: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from pieces


__all__ = ["NAME", "index_pieces", "plugin", "searching"]
