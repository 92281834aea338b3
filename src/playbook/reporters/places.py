"""Where a reported file is, seen from where the command runs and from the repository root.

Diagnostics carry paths relative to the playbook root (that is what the loader, the cache and
the lint rules know). A reader needs them relative to somewhere else: a terminal, an editor and
GitHub's annotations resolve a path from the current directory; code scanning resolves SARIF
paths from the repository root. `Places` rewrites a playbook path for each, at print time only,
so a cached result serves any current directory.

A playbook outside the current directory is shown with `..` (`../ops/rules/base.yaml`), never
as an absolute path: the output then reads the same on every machine and every checkout, and a
terminal or editor opened where the command ran still finds the file.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from playbook.diagnostics import Diagnostic, Related


def _relative(target: str, start: str) -> str:
    """`target` seen from `start` (both absolute), POSIX-spelt; absolute when no relative path
    exists (another drive on Windows)."""
    try:
        return PurePath(os.path.relpath(target, start)).as_posix()
    except ValueError:
        return PurePath(target).as_posix()


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds `.git` (a folder, or a file in a
    worktree or submodule): git's top level, found without running git."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


@dataclass(frozen=True)
class Places:
    """The playbook root as a prefix from the current directory and from the repository root."""

    from_cwd: str = "."
    from_repo: str = "."
    repo_uri: str | None = None
    """The repository root as a `file:` URI ending in `/` (SARIF's `originalUriBaseIds`)."""

    @classmethod
    def of(cls, root: Path, cwd: Path | None = None) -> Places:
        """The places of the playbook at `root` (as given on the command line) for a run in
        `cwd` (default: the current directory). The repository is git's top level above the
        playbook, or else the current directory."""
        here = os.path.abspath(cwd if cwd is not None else os.getcwd())
        absolute = os.path.abspath(os.path.join(here, root))
        found = repository_root(Path(os.path.realpath(absolute)))
        repo = str(found) if found is not None else os.path.realpath(here)
        return cls(from_cwd=_relative(absolute, here),
                   from_repo=_relative(os.path.realpath(absolute), repo),
                   repo_uri=Path(repo).as_uri().rstrip("/") + "/")

    def shown(self, path: str) -> str:
        """A playbook-relative path as the current directory sees it."""
        return _join(self.from_cwd, path)

    def in_repo(self, path: str) -> str:
        """A playbook-relative path as the repository root sees it."""
        return _join(self.from_repo, path)


def _join(prefix: str, path: str) -> str:
    if prefix == ".":
        return path
    return posixpath.normpath(posixpath.join(prefix, path))


def moved(diagnostics: list[Diagnostic], path: Callable[[str], str]) -> list[Diagnostic]:
    """The diagnostics with every path (their own and their related places') rewritten."""
    return [replace(d, span=replace(d.span, path=path(d.span.path)),
                    related=tuple(Related(replace(r.span, path=path(r.span.path)), r.message)
                                  for r in d.related))
            for d in diagnostics]


AS_RECORDED = Places()
"""Paths as the diagnostics hold them (relative to the playbook root)."""

__all__ = ["AS_RECORDED", "Places", "moved", "repository_root"]
