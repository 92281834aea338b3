"""The one place that writes outputs: single files atomically and only when the content
changed, whole output folders (the handbook `site/`, a bundle) staged beside their target and
swapped in, so a failure never leaves a half-written output."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath


def write_text(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically (temp file + rename). Returns False when unchanged."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
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
        for name, data in sorted(files.items()):
            path = stage / PurePosixPath(name)
            if not path.resolve().is_relative_to(stage.resolve()):
                raise ValueError(f"output path {name!r} leaves the output folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
