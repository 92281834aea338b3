"""What an output folder (`--out` of `build` and `export`) may replace, and the lock that lets
one run at a time write it.

playbook replaces an output folder as a whole, so it must never be pointed at data it did not
make. A target may be replaced only when it is missing, an empty folder, or a folder playbook
made before: every output folder it creates holds a marker file, `.playbook-output`, naming the
kind of output ("site" or "bundle"). One marker serves both kinds because neither output has a
file of its own that proves where it came from (a `manifest.json` or an `index.html` is written
by many tools); as a dot-file it stays out of MkDocs' pages and the bundle's manifest. Never
replaced, whatever it holds: the playbook folder, a folder containing it, a file, a symbolic
link, or a target reached through a symbolic link that lies in the playbook.

Beside each target the writer keeps `.<name>.lock` while it writes (`fcntl.flock`; a second
run fails at once instead of racing the first) and its stages `.<name>.new-*`/`.<name>.old-*`;
stages left by a killed run are removed, or the previous output restored, by the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from playbook.errors import UsageError

MARKER = ".playbook-output"
"""The file in every output folder playbook creates; JSON naming its kind."""
MARKER_LIMIT = 16 * 1024 * 1024
"""A marker larger than this is not ours (a workspace's lists its files: tens of bytes each)."""


class OutputRefused(UsageError):
    """An output target that must not be replaced (exit 2; nothing was touched)."""


def marker_text(kind: str, **extra: object) -> str:
    """The marker of an output folder of `kind`."""
    record = {"generator": "playbook", "kind": kind, **extra}
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of `folder` as written by `marker_text`, or None when there is none (or it is a
    link, a special file, too large, or not the JSON playbook writes)."""
    path = folder / MARKER
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MARKER_LIMIT + 1)
        data = json.loads(raw) if len(raw) <= MARKER_LIMIT else None
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and data.get("generator") == "playbook" and isinstance(data.get("kind"), str):
        return data
    return None


def _within(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _refuse(label: str, why: str) -> OutputRefused:
    return OutputRefused(f"{label}: {why}")


def check_place(target: Path, root: Path | None, label: str) -> Path:
    """Where `target` really is (its real path), after refusing a symbolic link, a path that
    passes a symbolic link lying inside `root`, `root` itself, a folder containing `root`, and a
    non-folder. Reads nothing but `lstat`s and real paths."""
    absolute = target.absolute()
    real_root = Path(os.path.realpath(root)) if root is not None else None
    probe = Path(absolute.anchor)
    for part in absolute.parts[1:]:
        probe = probe / part
        if part in (".", "..") or not probe.is_symlink():
            continue
        if probe == absolute:
            raise _refuse(label, "it is a symbolic link; choose the real folder")
        if real_root is not None and _within(Path(os.path.realpath(probe.parent)), real_root):
            raise _refuse(label, f"it passes the symbolic link {probe} inside the playbook; "
                                 "playbook writes only through real folders there")
    real = Path(os.path.realpath(absolute))
    if real == Path(real.anchor):
        raise _refuse(label, "it is the root of the file system")
    if real_root is not None and real == real_root:
        raise _refuse(label, "it is the playbook folder itself; choose a folder for the output")
    if real_root is not None and real_root.is_relative_to(real):
        raise _refuse(label, f"it contains the playbook folder {root}; choose a folder for the output")
    if os.path.lexists(real) and not real.is_dir():
        raise _refuse(label, "it is a file, not a folder; choose a folder for the output")
    return real


def check_contents(real: Path, kind: str, label: str, adopt: Callable[[Path], bool] | None = None) -> None:
    """Refuse a folder at `real` that playbook did not make: only a missing path, an empty
    folder, or one whose marker names `kind` may be replaced. `adopt`, when given, recognises an
    output of `kind` written before markers existed; such a folder gets its marker now."""
    try:
        entries = os.listdir(real)
    except FileNotFoundError:
        return
    except OSError as err:
        raise _refuse(label, f"cannot look into it: {err.strerror or err}") from None
    if not entries:
        return
    marker = read_marker(real)
    if marker is not None and marker["kind"] == kind:
        return
    if marker is not None:
        raise _refuse(label, f"the folder holds a playbook {marker['kind']}, not a {kind}; "
                             "choose another folder")
    if adopt is not None and adopt(real):
        write_marker(real, kind)
        return
    raise _refuse(label, "the folder exists and was not made by playbook; choose an empty or new folder")


def check_output(target: Path, kind: str, *, root: Path | None = None, label: str | None = None,
                 adopt: Callable[[Path], bool] | None = None) -> Path:
    """The real path of `target` once it is known that an output of `kind` may replace it (see
    the module); `OutputRefused` naming `label` (default: the path) otherwise."""
    shown = label or str(target)
    real = check_place(target, root, shown)
    check_contents(real, kind, shown, adopt)
    return real


MANIFEST_LIMIT = 64 * 1024 * 1024
"""A manifest.json larger than this is not read when recognising an older bundle."""


def listed_by_manifest(folder: Path) -> bool:
    """Whether `folder` is a bundle written before output folders carried their marker: its
    manifest.json, written by playbook, lists every file in it and nothing else is there. The
    manifest is opened without following a link and never blocks on a FIFO; a link or special
    file anywhere in the folder makes it someone else's."""
    try:
        fd = os.open(folder / "manifest.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MANIFEST_LIMIT:
            return False
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = json.loads(handle.read(MANIFEST_LIMIT + 1))
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)
    if not (isinstance(data, dict) and str(data.get("generator", "")).startswith("playbook ")
            and isinstance(data.get("files"), dict)):
        return False
    found: set[str] = set()
    for top, dirs, names in os.walk(folder):
        for name in dirs + names:
            try:
                mode = os.lstat(os.path.join(top, name)).st_mode
            except OSError:  # gone since the listing: not a folder we can vouch for
                return False
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                return False
            if stat.S_ISREG(mode):
                found.add(Path(top, name).relative_to(folder).as_posix())
    return found == {*data["files"], "manifest.json"}


def write_marker(folder: Path, kind: str) -> None:
    """Mark `folder` as an output of `kind` that playbook may replace later."""
    (folder / MARKER).write_text(marker_text(kind), encoding="utf-8")


def stage_name(target: Path) -> re.Pattern[str]:
    """The names `tempfile.mkdtemp` gives the stages of `target` (see `writer.staged_tree`)."""
    return re.compile(re.escape(f".{target.name}.") + r"(new|old)-[a-z0-9_]{8}")


@contextlib.contextmanager
def output_lock(target: Path, label: str) -> Iterator[None]:
    """Hold `.<name>.lock` beside `target` for the block; `OutputRefused` at once when another
    run holds it. The file is removed on the way out; a run that locked a file just unlinked by
    the previous holder notices (its inode is gone) and locks the new one instead."""
    path = target.parent / f".{target.name}.lock"
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    while True:
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as err:
            raise _refuse(label, f"cannot create the lock file {path}: {err.strerror or err}") from None
        try:
            held = os.fstat(fd)
            if not stat.S_ISREG(held.st_mode):
                raise _refuse(label, f"the lock file {path} is not a regular file")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _refuse(label, "another playbook run is writing it; try again when that one "
                                     f"has finished (lock: {path})") from None
            try:
                now = os.lstat(path)
            except FileNotFoundError:
                now = None
        except BaseException:
            os.close(fd)
            raise
        if now is not None and (now.st_ino, now.st_dev) == (held.st_ino, held.st_dev):
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def clean_stale_stages(target: Path, kind: str) -> None:
    """Remove the stages a killed run left beside `target` (call with the lock held, so none is
    in use). A run killed between its two renames left the previous output at `.old-*` and no
    `target`: that output is put back. Only folders with our stage names that are empty or carry
    the marker of `kind` are touched."""
    pattern = stage_name(target)
    stale: list[tuple[str, Path]] = []
    for name in sorted(os.listdir(target.parent)):
        match = pattern.fullmatch(name)
        path = target.parent / name
        if match is None or path.is_symlink() or not path.is_dir():
            continue
        marker = read_marker(path)
        if (marker is not None and marker["kind"] == kind) or not any(path.iterdir()):
            stale.append((match[1], path))
    if not os.path.lexists(target):
        olds = sorted((p for which, p in stale if which == "old"), key=lambda p: p.stat().st_ctime_ns)
        if olds:
            os.replace(olds[-1], target)
            stale = [(w, p) for w, p in stale if p != olds[-1]]
    for _, path in stale:
        discard(path)


def discard(folder: Path) -> None:
    """Delete an output tree or stage, its marker last: a deletion cut short leaves a folder
    the next run still recognises as its own stage and removes."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name != MARKER:
            path = folder / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
    with contextlib.suppress(OSError):
        (folder / MARKER).unlink(missing_ok=True)
        folder.rmdir()
