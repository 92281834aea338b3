"""The file-access layer: the only way playbook files are read.

A playbook arrives as a pull request, so every path in it is untrusted. Reading goes through
`PlaybookFiles`, which

* walks each path one component at a time from an open descriptor of the root
  (``openat`` with ``O_NOFOLLOW``), so no component can lead out of the root, whatever is
  swapped in between a check and the open;
* follows a symbolic link only when the whole chain of links resolves to a place inside the
  root (a link to a shared image in the same repository is fine; ``rules/x.yaml ->
  /etc/passwd`` or ``-> ../../secret`` is refused with PB037);
* accepts only regular files and folders: a FIFO, socket or device is refused (PB038) from its
  ``lstat``, before anything opens it, so nothing can block on it;
* reads at most a given number of bytes (PB005 past it);
* turns every OSError into a `FileRefused` that names the playbook-relative path and the
  reason in words, which callers report at the position that referenced the file (PB033 for
  a missing file, PB039 for one that cannot be read or listed).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Literal

from playbook.codes import diagnostic
from playbook.diagnostics import Diagnostic
from playbook.source import Span

MAX_FILE_BYTES = 1024 * 1024
"""A playbook file (document or template) larger than this is refused (PB005)."""
MAX_MEDIA_BYTES = 50 * 1024 * 1024
"""A media file (image, video, PDF) larger than this is refused (PB005)."""
MAX_LINKS = 40
"""At most this many symbolic links are followed for one path, as the kernel's own limit."""

Kind = Literal["file", "dir", "missing", "link-out", "special", "unreadable"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


class FileRefused(Exception):
    """A playbook path that cannot be used, with the reason in words and its PB code."""

    def __init__(self, rel: str, reason: str, code: str) -> None:
        super().__init__(f"'{rel}' {reason.removeprefix('it ')}")
        self.rel = rel
        self.reason = reason
        self.code = code

    def diagnostic(self, span: Span, what: str = "file") -> Diagnostic:
        """The problem reported at `span`, the place that referenced the path."""
        if span.path == self.rel:  # the path is the subject: "'x' does not exist"
            message = f"'{self.rel}' {self.reason.removeprefix('it ')}"
        else:
            message = f"cannot read {what} '{self.rel}': {self.reason}"
        return diagnostic(self.code, span, message, help=_HELP.get(self.code))


class NotUtf8(FileRefused):
    """A file that is not UTF-8 (PB006); `offset` is where decoding failed."""

    def __init__(self, rel: str, raw: bytes, offset: int) -> None:
        super().__init__(rel, f"it is not UTF-8 (byte 0x{raw[offset]:02x})", "PB006")
        self.raw = raw
        self.offset = offset


class _Link(Exception):
    """A path met a symbolic link: resolve it (`PlaybookFiles._resolve`) and try again."""


_HELP = {
    "PB037": "playbooks hold their files themselves; copy the file into the playbook instead of linking it",
    "PB038": "only regular files and folders belong in a playbook; remove it",
    "PB039": "check the file's permissions (it must be readable, a folder listable)",
}


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _os_reason(err: OSError) -> tuple[str, str]:
    """(reason in words, code) for an OSError met while reading."""
    if err.errno in (errno.ENOENT, errno.ENOTDIR):
        return "it does not exist", "PB033"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied", "PB039"
    if err.errno == errno.ELOOP:
        return "it is a symbolic link loop", "PB037"
    return (err.strerror or type(err).__name__).lower(), "PB039"


def _parts(rel: str) -> list[str]:
    """The components of a playbook-relative POSIX path; refuses absolute paths and `..`."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if rel.startswith("/") or ".." in parts or "\\" in rel or "\x00" in rel:
        raise FileRefused(rel, "points outside the playbook folder", "PB032")
    return parts


class PlaybookFiles:
    """Read-only access to the files under one playbook root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    # -- resolving -------------------------------------------------------------------------

    def _resolve(self, rel: str) -> list[str]:
        """The components of `rel` with every symbolic link replaced by its target, checked
        to stay inside the root; lstat-only, nothing is opened."""
        pending = _parts(rel)
        done: list[str] = []
        links = 0
        while pending:
            name = pending.pop(0)
            if name == "..":
                if not done:
                    raise FileRefused(rel, "is a symbolic link leading outside the playbook folder", "PB037")
                done.pop()
                continue
            here = os.path.join(self.root, *done, name)
            try:
                info = os.lstat(here)
            except OSError as err:
                reason, code = _os_reason(err)
                raise FileRefused(rel, reason, code) from None
            if not stat.S_ISLNK(info.st_mode):
                done.append(name)
                continue
            links += 1
            if links > MAX_LINKS:
                raise FileRefused(rel, "is a symbolic link loop", "PB037")
            try:
                target = os.readlink(here)
            except OSError as err:
                reason, code = _os_reason(err)
                raise FileRefused(rel, reason, code) from None
            if os.path.isabs(target):
                real = os.path.normpath(target)
                if real != str(self.root) and not real.startswith(str(self.root) + os.sep):
                    raise FileRefused(rel, "is a symbolic link leading outside the playbook folder", "PB037")
                done = []
                target = os.path.relpath(real, self.root)
            pending = [p for p in PurePosixPath(target).parts if p not in ("", ".")] + pending
        return done

    def resolve(self, rel: str) -> str:
        """`rel` with every in-root link replaced by its target: the link-free path of the
        file itself, for a writer that must replace the file and not the link. `FileRefused`
        when a link leads out."""
        return "/".join(self._resolve(rel))

    def _open_parent(self, parts: list[str], rel: str, resolved: bool = True) -> int:
        """An open descriptor of the folder holding the last of `parts`. With `resolved`
        False the parts come straight from the caller and a link among them raises `_Link`."""
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for name in parts[:-1]:
                try:
                    child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError as err:
                    reason, code = _os_reason(err)
                    if err.errno in (errno.ELOOP, errno.ENOTDIR) and not resolved:
                        raise _Link from None
                    if err.errno == errno.ELOOP:  # swapped for a link since `_resolve` looked
                        reason, code = "changed while it was read", "PB039"
                    raise FileRefused(rel, reason, code) from None
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    # -- questions -------------------------------------------------------------------------

    def kind(self, rel: str) -> Kind:
        """What `rel` is, following only in-root links; never raises."""
        try:
            parts = self._resolve(rel)
        except FileRefused as err:
            return {"PB033": "missing", "PB037": "link-out", "PB032": "link-out"}.get(err.code, "unreadable")  # type: ignore[return-value]
        try:
            mode = os.lstat(os.path.join(self.root, *parts)).st_mode
        except OSError:
            return "missing"
        if stat.S_ISREG(mode):
            return "file"
        if stat.S_ISDIR(mode):
            return "dir"
        return "special"

    def is_file(self, rel: str) -> bool:
        return self.kind(rel) == "file"

    def is_dir(self, rel: str) -> bool:
        return self.kind(rel) == "dir"

    # -- reading ---------------------------------------------------------------------------

    def read_bytes(self, rel: str, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of the regular file `rel`; `FileRefused` for anything else or past `limit`."""
        try:  # the common case, a path without links, needs no lstat of every component
            return self._read(_parts(rel), rel, limit, resolved=False)
        except _Link:
            return self._read(self._resolve(rel), rel, limit, resolved=True)

    def _read(self, parts: list[str], rel: str, limit: int, resolved: bool) -> bytes:
        if not parts:
            raise FileRefused(rel, "is a folder, not a file", "PB039")
        fd = self._open_parent(parts, rel, resolved)
        try:
            try:
                info = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
            except OSError as err:
                reason, code = _os_reason(err)
                raise FileRefused(rel, reason, code) from None
            if stat.S_ISLNK(info.st_mode):
                if not resolved:
                    raise _Link
                raise FileRefused(rel, "changed while it was read", "PB039")
            if stat.S_ISDIR(info.st_mode):
                raise FileRefused(rel, "is a folder, not a file", "PB039")
            if not stat.S_ISREG(info.st_mode):
                raise FileRefused(rel, f"is {_special(info.st_mode)}, not a regular file", "PB038")
            if info.st_size > limit:
                raise FileRefused(rel, f"is larger than {_size(limit)}", "PB005")
            try:
                handle = os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
            except OSError as err:
                reason, code = _os_reason(err)
                if err.errno == errno.ELOOP:
                    reason, code = "changed while it was read", "PB039"
                raise FileRefused(rel, reason, code) from None
        finally:
            os.close(fd)
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):  # swapped since the lstat above
                raise FileRefused(rel, "changed while it was read", "PB039")
            chunks: list[bytes] = []
            size = 0
            while size <= limit:
                chunk = os.read(handle, min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as err:
            reason, code = _os_reason(err)
            raise FileRefused(rel, reason, code) from None
        finally:
            os.close(handle)
        if size > limit:
            raise FileRefused(rel, f"is larger than {_size(limit)}", "PB005")
        return b"".join(chunks)

    def read_text(self, rel: str, limit: int = MAX_FILE_BYTES) -> str:
        """The UTF-8 text of `rel` (a BOM is dropped); `NotUtf8` when it is not UTF-8."""
        raw = self.read_bytes(rel, limit)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise NotUtf8(rel, raw, err.start) from None

    def list_dir(self, rel: str = "") -> list[str]:
        """The names in the folder `rel`, sorted; `FileRefused` when it cannot be listed."""
        fd = self._open_folder(rel)
        try:
            return sorted(os.listdir(fd))
        except OSError as err:
            reason, code = _os_reason(err)
            raise FileRefused(rel, reason, code) from None
        finally:
            os.close(fd)

    def _open_folder(self, rel: str) -> int:
        """An open descriptor of the folder `rel` (in-root links followed); `FileRefused`."""
        parts = self._resolve(rel)
        if not parts:
            return os.open(self.root, _DIR_FLAGS)
        fd = self._open_parent(parts, rel)
        try:
            return os.open(parts[-1], _DIR_FLAGS, dir_fd=fd)
        except OSError as err:
            reason, code = _os_reason(err)
            if err.errno == errno.ENOTDIR:
                reason, code = "is not a folder", "PB039"
            raise FileRefused(rel, reason, code) from None
        finally:
            os.close(fd)

    def walk(self, rel: str = "", skip: frozenset[str] = frozenset()) -> tuple[list[str], list[FileRefused]]:
        """Every regular file under the folder `rel` (POSIX paths relative to the root, sorted),
        and the problems met: folders that cannot be listed, links out of the root, special
        files. Hidden entries (a leading dot) and folders named in `skip` are not entered.
        A link to a folder inside the root is listed once, not walked through (no cycles)."""
        files: list[str] = []
        problems: list[FileRefused] = []
        for path, kind, err in self._entries(rel, skip):
            if kind == "file":
                files.append(path)
            elif err is not None:
                problems.append(err)
        return sorted(files), problems

    def _entries(self, rel: str, skip: frozenset[str]) -> Iterator[tuple[str, str, FileRefused | None]]:
        try:
            fd = self._open_folder(rel)
        except FileRefused as err:
            yield rel, "unreadable", FileRefused(rel, f"cannot be listed: {err.reason}", err.code)
            return
        try:
            # the entry types come with the listing (d_type): no lstat per regular file
            with os.scandir(fd) as listing:
                entries = sorted((e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False))
                                 for e in listing if not e.name.startswith(".") and e.name not in skip)
        except OSError as err:
            reason, code = _os_reason(err)
            yield rel, "unreadable", FileRefused(rel, f"cannot be listed: {reason}", code)
            return
        finally:
            os.close(fd)
        for name, is_dir, is_file in entries:
            path = f"{rel}/{name}" if rel else name
            if is_dir:
                yield from self._entries(path, skip)
            elif is_file:
                yield path, "file", None
            else:
                yield from self._odd_entry(path)

    def _odd_entry(self, child: str) -> Iterator[tuple[str, str, FileRefused | None]]:
        """A listed entry that is neither a plain folder nor a plain file: a link or special."""
        what = self.kind(child)
        if what == "file":
            yield child, "file", None
        elif what == "link-out":
            yield child, what, FileRefused(
                child, "is a symbolic link leading outside the playbook folder", "PB037")
        elif what == "special":
            mode = os.lstat(os.path.join(self.root, *self._resolve(child))).st_mode
            yield child, what, FileRefused(child, f"is {_special(mode)}, not a regular file", "PB038")
        elif what == "unreadable":
            yield child, what, FileRefused(child, "cannot be read", "PB039")


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit // 1024} KiB" if limit % 1024 == 0 else f"{limit} bytes"


__all__ = ["MAX_FILE_BYTES", "MAX_MEDIA_BYTES", "FileRefused", "NotUtf8", "PlaybookFiles"]
