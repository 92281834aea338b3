"""The one place that writes outputs: single files atomically and only when the content
changed, whole output folders (the handbook `site/`, a bundle) staged beside their target and
swapped in, so a failure never leaves a half-written output."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


def write_text(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, as UTF-8 (see `write_bytes`). Returns False when
    unchanged."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically (temp file + rename): the file is never seen
    half-written. Returns False, leaving the file and its mtime alone, when it already holds
    `data`."""
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@contextlib.contextmanager
def staged_tree(target: Path) -> Iterator[Path]:
    """A fresh empty folder beside `target` to build a whole output tree in; when the block
    ends without an exception it replaces `target` in two renames, otherwise it is deleted and
    `target` is left exactly as it was.

    The swap is not a single atomic rename (POSIX has none for a non-empty folder): `target` is
    first renamed aside, then the new tree renamed in, then the old one deleted. A crash between
    the two renames leaves the old tree at `.<name>.old-*`, never a half-written `target`.
    """
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    aside: Path | None = None
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        aside.rmdir()
        os.replace(target, aside)
    try:
        os.replace(stage, target)
    except BaseException:
        if aside is not None:
            os.replace(aside, target)
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def write_tree(target: Path, files: Mapping[str, bytes]) -> None:
    """Replace the folder `target` with exactly `files` (relative POSIX path -> content),
    all at once (see `staged_tree`)."""
    with staged_tree(target) as stage:
        real = stage.resolve()
        for name, data in sorted(files.items()):
            path = _inside(stage, real, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


class FolderSink:
    """Writes files one at a time into `folder` (the stage of a `staged_tree`), so a large
    output never has to be held in memory whole; keeps each file's SHA-256 and size."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.absolute()
        self._real = self.folder.resolve()
        self.listing: dict[str, tuple[str, int]] = {}

    def put(self, name: str, data: bytes) -> None:
        if name in self.listing:
            raise ValueError(f"output path {name!r} comes twice")
        path = _inside(self.folder, self._real, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.listing[name] = (hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True)
class Synced:
    """What `sync_tree` changed: relative POSIX paths, sorted."""

    written: list[str]
    removed: list[str]


def sync_tree(folder: Path, files: Mapping[str, bytes], owned: Iterable[str]) -> Synced:
    """Make `folder` hold `files` (relative POSIX path -> content) while touching only what
    differs: each file is rewritten (atomically, `write_bytes`) only when its bytes changed, and
    files under the `owned` subfolders that are not in `files` are deleted, with the folders
    that leaves empty. Anything else in `folder` is left alone.

    Unlike `write_tree` this is incremental, not all-at-once: it is for a working folder whose
    unchanged files must keep their mtimes (a cache, a build's inputs), never for an output
    that must not be seen half-written."""
    folder = folder.absolute()
    real = folder.resolve()
    written: list[str] = []
    for name, data in sorted(files.items()):
        path = _inside(folder, real, name)
        if write_bytes(path, data):
            written.append(name)
    removed: list[str] = []
    for sub in sorted(set(owned)):
        top = _inside(folder, real, sub)
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*"), reverse=True):  # children before their folder
            name = path.relative_to(folder).as_posix()
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            elif name not in files:
                path.unlink()
                removed.append(name)
    return Synced(written, sorted(removed))


def _inside(folder: Path, real: Path, name: str) -> Path:
    """`folder/name`, refusing a name that leads out of `folder` (whose resolved path is `real`)
    through `..`, an absolute path or a symlink."""
    path = folder / PurePosixPath(name)
    if not path.resolve().is_relative_to(real):
        raise ValueError(f"output path {name!r} leaves the output folder")
    return path
