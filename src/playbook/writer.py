"""The one place that writes outputs: single files atomically and only when the content
changed, whole output folders (the handbook `site/`, a bundle) staged beside their target and
swapped in, so a failure never leaves a half-written output, and working folders kept in sync
file by file. Nothing is deleted that playbook did not write (`output_guard` says what an
output may replace; `sync_tree` removes only files it listed)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeAlias

from playbook import output_guard
from playbook.errors import UsageError


def umask() -> int:
    """The process's umask (read by setting it and putting it back): outputs get the modes any
    build tool gives, 0644 files and 0755 folders under umask 022, not tempfile's 0600/0700."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_text(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, as UTF-8 (see `write_bytes`). Returns False when
    unchanged."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> bool:
    """Write `data` to `path` atomically (temp file + rename): the file is never seen
    half-written. Returns False, leaving the file and its mtime alone, when it already holds
    `data`. Only a regular file is compared (read): a link or a special file at `path` is
    replaced, never followed or opened."""
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode) and st.st_size == len(data) and path.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; an output is a normal file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


Content: TypeAlias = bytes | Iterable[bytes]
"""A file's content: whole, or in pieces (any iterable of `bytes`, e.g. a generator) that
are written as they come, so a file of a hundred megabytes is never held at once."""


@dataclass(frozen=True)
class Written:
    """What `write_pieces` did: whether the file changed, and its SHA-256 (hex) and size."""

    changed: bool
    sha256: str
    size: int


def write_pieces(path: Path, pieces: Iterable[bytes]) -> Written:
    """Write the pieces to `path` atomically, like `write_bytes`, hashing them as they are
    written. The pieces go into a temp file beside `path`; when `path` is a regular file with
    the same bytes, the temp file is dropped and `path` keeps its mtime (`changed` False),
    else the temp file is renamed over it. If the pieces raise, or the run is interrupted,
    `path` is left as it was and the temp file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; an output is a normal file
        with os.fdopen(fd, "wb") as handle:
            digest, size = _write_hashed(handle, pieces)
        if _holds(path, digest, size):
            Path(tmp).unlink()
            return Written(False, digest, size)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Written(True, digest, size)


def _write_hashed(handle: BinaryIO, pieces: Iterable[bytes]) -> tuple[str, int]:
    """Write `pieces` to `handle`; their SHA-256 (hex) and total size."""
    hashed, size = hashlib.sha256(), 0
    for piece in pieces:
        handle.write(piece)
        hashed.update(piece)
        size += len(piece)
    return hashed.hexdigest(), size


def _holds(path: Path, digest: str, size: int) -> bool:
    """Whether `path` is a regular file of `size` bytes whose SHA-256 is `digest` (a link or a
    special file is never opened)."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size != size:
        return False
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest() == digest


def safe_folder(root: Path, rel: str | PurePosixPath) -> Path:
    """`root/rel` as a real folder, created where missing, for working files playbook keeps in
    the playbook (`.playbook/handbook`, `.playbook/cache`): every component below `root` is
    `lstat`ed, and a symbolic link or a non-folder among them is a `UsageError`, so a link
    committed to the playbook cannot make playbook write or delete files elsewhere."""
    path = root.absolute()
    for part in PurePosixPath(rel).parts:
        if part in ("", ".", "..", "/"):
            raise ValueError(f"working folder {str(rel)!r} must be a plain relative path")
        path = path / part
        try:
            os.mkdir(path)
            continue
        except FileExistsError:
            pass
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            raise UsageError(f"{path} is a symbolic link; playbook keeps its working files only in "
                             "real folders inside the playbook (remove the link)")
        if not stat.S_ISDIR(mode):
            raise UsageError(f"{path} is not a folder; playbook keeps its working files there "
                             "(remove it)")
    return path


@contextlib.contextmanager
def staged_tree(target: Path, kind: str, *, root: Path | None = None,
                label: str | None = None) -> Iterator[Path]:
    """A fresh folder beside `target` to build a whole output tree of `kind` in; when the block
    ends without an exception it replaces `target` in two renames, otherwise it is deleted and
    `target` is left exactly as it was.

    `target` must be one playbook may replace (`output_guard`: missing, empty, or marked as an
    output of `kind`; never `root`, a folder containing it, a file or a link), else
    `OutputRefused` before anything is touched. The run holds `.<name>.lock` beside `target`
    throughout, removes the stages a killed run left, and marks the new tree as its output.

    The swap is not a single atomic rename (POSIX has none for a non-empty folder): `target` is
    first renamed aside, then the new tree renamed in, then the old one deleted. A crash between
    the two renames leaves the old tree at `.<name>.old-*`, never a half-written `target`, and
    the next run puts it back before it starts.
    """
    shown = label or str(target)
    target = output_guard.check_place(target, root, shown)
    target.parent.mkdir(parents=True, exist_ok=True)
    with output_guard.output_lock(target, shown):
        output_guard.clean_stale_stages(target, kind)
        output_guard.check_contents(target, kind, shown)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
        try:
            stage.chmod(0o777 & ~umask())  # mkdtemp makes 0700; the swapped-in output is a normal folder
            output_guard.write_marker(stage, kind)
            yield stage
            output_guard.write_marker(stage, kind)  # again: a builder may have emptied the stage
        except BaseException:
            output_guard.discard(stage)
            raise
        _swap(stage, target)


def copy_output(source: Path, stage: Path) -> bool:
    """Copy the output tree `source` (the one `stage` will replace) into the fresh `stage`, so a
    builder can change a few files of it (`handbook.rebuild`). Files are copied, not linked: the
    builder rewrites files in place, and `source` must stay as it was if the build fails. False,
    with nothing copied, when `source` holds anything but regular files and folders (a link, a
    FIFO): then the builder starts from an empty stage. The stage's own marker is kept."""
    plain: list[tuple[str, bool]] = []  # (relative path, is a folder), parents first
    pending = [""]
    while pending:
        rel = pending.pop()
        with os.scandir(source / rel if rel else source) as listing:
            for entry in sorted(listing, key=lambda e: e.name):
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    plain.append((path, True))
                    pending.append(path)
                elif entry.is_file(follow_symlinks=False):
                    plain.append((path, False))
                else:
                    return False
    for rel, folder in plain:
        if folder:
            (stage / rel).mkdir(exist_ok=True)
        elif not (stage / rel).exists():  # the marker `staged_tree` wrote
            shutil.copy2(source / rel, stage / rel, follow_symlinks=False)
    return True


def read_output(path: Path) -> bytes:
    """The bytes of a regular file of an output tree (a stage being built), opened without
    following a link or blocking on a special file; OSError for anything else."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return handle.read()


def _swap(stage: Path, target: Path) -> None:
    """Put the complete tree `stage` at `target`, keeping the old one until it is in place."""
    aside: Path | None = None
    try:
        if os.path.lexists(target):
            aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            aside.rmdir()
            os.replace(target, aside)
        os.replace(stage, target)
    except BaseException:
        if aside is not None and not os.path.lexists(target):
            os.replace(aside, target)
            aside = None
        output_guard.discard(stage)
        raise
    finally:
        if aside is not None:
            output_guard.discard(aside)


def write_tree(target: Path, files: Mapping[str, bytes], kind: str, *, root: Path | None = None) -> None:
    """Replace the output folder `target` with exactly `files` (relative POSIX path -> content)
    and its marker, all at once (see `staged_tree`)."""
    with staged_tree(target, kind, root=root) as stage:
        real = stage.resolve()
        for name, data in sorted(files.items()):
            path = _inside(stage, real, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


class FolderSink:
    """Writes files one at a time into `folder` (the stage of a `staged_tree`), so a large
    output never has to be held in memory whole; keeps each file's SHA-256 and size, hashed
    as the file is written. A file may come whole or in pieces (`Content`): pieces go to disk
    as they come, so not even one file need be held whole."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.absolute()
        self._real = self.folder.resolve()
        self.listing: dict[str, tuple[str, int]] = {}

    def put(self, name: str, data: Content) -> None:
        if name in self.listing:
            raise ValueError(f"output path {name!r} comes twice")
        path = _inside(self.folder, self._real, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # no temp file: the stage is a fresh folder, swapped in only once it is complete
        with path.open("wb") as handle:
            self.listing[name] = _write_hashed(handle, (data,) if isinstance(data, bytes) else data)


@dataclass(frozen=True)
class Synced:
    """What `sync_tree` changed: relative POSIX paths, sorted."""

    written: list[str]
    removed: list[str]


def sync_tree(folder: Path, files: Mapping[str, bytes], owned: Iterable[str]) -> Synced:
    """Make `folder` hold `files` (relative POSIX path -> content) while touching only what
    differs: each file is rewritten (atomically, `write_bytes`) only when its bytes changed, and
    a file that an earlier sync wrote under the `owned` subfolders and that is no longer in
    `files` is deleted, with the folders that leaves empty. What was written is listed in the
    folder's marker (`.playbook-output`), so anything else in `folder`, a file someone put in
    an owned subfolder included, is left alone.

    Unlike `write_tree` this is incremental, not all-at-once: it is for a working folder whose
    unchanged files must keep their mtimes (a cache, a build's inputs), never for an output
    that must not be seen half-written. Check `folder` with `safe_folder` first."""
    folder = folder.absolute()
    real = folder.resolve()
    before = _listed(folder)
    paths = {name: _inside(folder, real, name) for name in sorted(files)}
    # listed before written: a run cut short still knows every file it may have left
    write_text(folder / output_guard.MARKER, output_guard.marker_text(WORKSPACE_KIND,
                                                                       files=sorted(before | set(files))))
    written = [name for name, path in paths.items() if write_bytes(path, files[name])]
    tops = [PurePosixPath(sub) for sub in sorted(set(owned))]
    removed: list[str] = []
    for name in sorted(before - set(files)):
        rel = PurePosixPath(name)
        top = next((t for t in tops if rel.is_relative_to(t) and rel != t), None)
        if top is None or rel.as_posix() != name or ".." in rel.parts:
            continue  # only plain names under an owned folder, as sync_tree writes them
        try:
            path = _inside(folder, real, name)
        except ValueError:
            continue
        if path.is_symlink() or not path.is_file():
            continue  # not what we wrote
        path.unlink()
        removed.append(name)
        _prune(path.parent, folder / top)
    write_text(folder / output_guard.MARKER, output_guard.marker_text(WORKSPACE_KIND, files=sorted(files)))
    return Synced(written, removed)


WORKSPACE_KIND = "workspace"
"""The marker kind of a folder kept by `sync_tree`."""


def _listed(folder: Path) -> set[str]:
    """The files the last `sync_tree` of `folder` wrote, from its marker."""
    marker = output_guard.read_marker(folder)
    names = marker.get("files") if marker is not None and marker["kind"] == WORKSPACE_KIND else None
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def _prune(path: Path, top: Path) -> None:
    """Remove `path` and its parents up to (not including) `top` while they are empty."""
    while path != top and path.is_relative_to(top):
        try:
            path.rmdir()
        except OSError:
            return
        path = path.parent


def _inside(folder: Path, real: Path, name: str) -> Path:
    """`folder/name`, refusing a name that leads out of `folder` (whose resolved path is `real`)
    through `..`, an absolute path or a symlink."""
    path = folder / PurePosixPath(name)
    if not path.resolve().is_relative_to(real):
        raise ValueError(f"output path {name!r} leaves the output folder")
    return path
