"""Incremental `playbook build`: after an edit that changed only some pages' Markdown, MkDocs
renders only those pages; every other page, the theme's assets and the media are kept from the
site the last build made, and the search index is put together from the new pages' entries and
the kept pages' entries, in MkDocs' page order. The site is byte-identical to a cold build
(tests/test_handbook_rebuild.py compares the two), or the build is a cold one.

When a build may be incremental (`changed_pages`):

* the site at the target is the one the last successful build made (its stamp, `site.up_to_date`:
  the same site folder, day, SOURCE_DATE_EPOCH and tool versions), and it holds only regular
  files and folders;
* that build's workspace files are known (a signed manifest of their hashes, kept in the cache
  folder under the digest of the build's inputs: a manifest a pull request put there does not
  verify), and since then only Markdown pages changed: no page added or removed, no change to
  mkdocs.yml (the navigation, hence the titles every page shows), the theme overrides, the
  assets or the media.

Anything else, and `--force`, builds from scratch. The stage starts as a copy of the site
(`writer.copy_output`: copied, not linked, as MkDocs rewrites files in place and the old site
must stay as it was if the build fails). MkDocs runs with `dirty`, and `Rebuild` (a MkDocs
plugin added to this build only) says which pages are modified and completes the search
index. MkDocs' warning that a dirty build may show stale navigation is dropped: the navigation
cannot have changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playbook import cache
from playbook.handbook import site
from playbook.handbook.site_plugin import searching
from playbook.writer import read_output

MANIFEST = "site-pages.json"
"""The cache entry (signed, `cache.store_signed`) of the last build's workspace file hashes."""
DIRTY_WARNING = "A 'dirty' build is being performed"


def manifest(files: Mapping[str, bytes]) -> dict[str, str]:
    """Workspace path -> hash of its bytes (`hashed`)."""
    return {path: hashed(files[path]) for path in sorted(files)}  # one file's bytes at a time


def hashed(data: bytes) -> str:
    """The hash a `manifest` keeps of a file's bytes."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


BUNDLES = "bundles/"
"""Where the workspace keeps the operators' bundles (copied into every build whole)."""


def remember(root: Path, inputs: str, hashes: Mapping[str, str]) -> None:
    """Keep the workspace file hashes (`manifest`) of a build that has just been swapped in
    (unless the cache is off: `--no-cache`'s variable, PLAYBOOK_NO_CACHE)."""
    if not cache.disabled(False):
        cache.store_signed(root, MANIFEST, inputs, {"files": dict(hashes)})


def changed_pages(root: Path, hashes: Mapping[str, str], target: Path,
                  day: dt.date) -> frozenset[str] | None:
    """The Markdown pages (paths under docs/) that changed since the build of the site at
    `target`, when only pages changed (and the operators' bundles, which are copied whole
    anyway); None when the site must be built from scratch. `hashes`: the workspace's
    `manifest`."""
    if cache.disabled(False):
        return None
    previous_inputs = site.last_build(root, target, day)
    if previous_inputs is None:
        return None
    stored = cache.load_signed(root, MANIFEST, previous_inputs)
    before = stored.get("files") if stored is not None else None
    if not isinstance(before, dict):
        return None
    if set(before) != set(hashes):
        return None  # a page added or removed: the navigation changed
    changed = {path for path, digest in hashes.items()
               if before[path] != digest and not path.startswith(BUNDLES)}
    if not all(path.startswith("docs/") and path.endswith(".md") for path in changed):
        return None
    return frozenset(path.removeprefix("docs/") for path in changed)


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_WARNING)


def quiet_dirty() -> logging.Filter:
    """A filter for MkDocs' build logger that drops its warning about dirty builds (which strict
    mode would count as a failure)."""
    return _DropDirtyWarning()


def plugin(changed: frozenset[str], previous_index: Path) -> Any:
    """The MkDocs plugin of an incremental build (imported with MkDocs, only when one runs)."""
    from mkdocs.plugins import BasePlugin, event_priority

    class Rebuild(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        """Marks which pages are modified, and completes the search index."""

        def __init__(self) -> None:
            super().__init__()
            self.files: Any = None
            self.seen = 0
            self.built: dict[str, list[Any]] = {}

        def on_files(self, files: Any, *, config: Any) -> Any:
            for file in files:
                modified = file.is_documentation_page() and file.src_uri in changed
                file.is_modified = (lambda answer=modified: answer)
            self.files = files
            return files

        @event_priority(-100)  # after the search plugin added the page's entries
        def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
            entries = _search(config).search_index.entries
            self.built[page.file.url] = entries[self.seen:]
            self.seen = len(entries)
            return output

        @event_priority(100)  # before the search plugin writes the index
        def on_post_build(self, *, config: Any) -> None:
            kept = _entries_by_page(previous_index)
            index = _search(config).search_index
            index.entries = [entry for file in self.files.documentation_pages()
                             for entry in self.built.get(file.url, kept.get(file.url, []))]

    return Rebuild()


def _search(config: Any) -> Any:
    found = searching(config)
    if found is None:
        raise site.SiteBuildFailed(["the search plugin is missing: an incremental build needs it"])
    return found


def _entries_by_page(index: Path) -> dict[str, list[Any]]:
    """The last build's search entries by page (location before '#'), each page's in order."""
    data = json.loads(read_output(index))
    pages: dict[str, list[Any]] = {}
    for entry in data["docs"]:
        pages.setdefault(str(entry["location"]).split("#", 1)[0], []).append(entry)
    return pages
