"""Which files under a playbook root a `validate` result depends on, and their bytes, for the
key of `playbook.cache`.

This mirrors what `playbook.loader` (discovery and the file index), the template loader and the
lint configuration read, through the same rules as the file-access layer (`playbook.files`):
nothing is read through a symbolic link leading out of the root, a FIFO, socket or device is
never opened for reading, and no file is read past `MAX_FILE_BYTES` (media, read only for
the key of `playbook build`, past `MAX_MEDIA_BYTES`, and kept as a hash). Those paths are recorded
by what they are instead (the check reports them with a diagnostic, whatever they hold).

Speed matters here: a cache hit on 4,000 files must answer in about a third of a second, and
`PlaybookFiles` resolves every path component by component from the root, which costs several
times the whole cached run. So the plain case is walked here: folders are listed with
``scandir`` and typed from the listing without following links, only real folders are
entered, and each regular file is opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked again
with ``fstat`` before it is read. Anything that is not a plain file or folder (a link, a
special file, an unlistable folder) goes to `PlaybookFiles`, which decides as the loader will.
tests/test_cache.py checks that the two views agree. What is read only feeds a hash, never
output, so a folder swapped for a link while the walk runs costs at worst a wrong key, which
the second key computed after the check (see `playbook.cli`) catches.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from playbook.files import MAX_FILE_BYTES, MAX_MEDIA_BYTES, FileRefused, PlaybookFiles

# What the loader reads; kept equal to playbook.loader by tests/test_cache.py.
ROOT_FILES = ("playbook.yaml", "roster.yaml")
DOCUMENT_FOLDERS = ("rules", "scripts", "calendars")
DOCUMENT_SUFFIXES = (".yaml", ".yml")
PACKS_FOLDER = "packs"
PACK_FILE = "pack.yaml"
SKIPPED_DIRS = frozenset({"site", "node_modules", "__pycache__", "examples"})
TEMPLATES_FOLDER = "templates"
CONFIG_FILE = "pyproject.toml"

_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


@dataclass
class Inputs:
    """The files under a playbook root that a validate result depends on."""

    documents: list[str] = field(default_factory=list)
    """What `loader.discover` returns (relative POSIX paths, sorted): content matters."""
    indexed: set[str] = field(default_factory=set)
    """What `loader.index_files` returns: only that each exists matters to validate (a build
    copies media, so its key asks for their bytes too: `read_indexed`)."""
    templates: list[str] = field(default_factory=list)
    """Every file under templates/, hidden ones included: content matters."""
    links: dict[str, str] = field(default_factory=dict)
    """Each symbolic link met -> where it resolves (relative to the root, or absolute outside it)."""
    odd: dict[str, str] = field(default_factory=dict)
    """Every other path that is not a plain file or folder -> what the file-access layer calls
    it (a link out, a special file, an unlistable folder): the check reports each one."""
    content: dict[str, bytes] = field(default_factory=dict)
    """The bytes of each document, template and the config (and of every indexed file when
    asked), or why they cannot be read."""


def inputs(root: Path, *, read_indexed: bool = False) -> Inputs:
    """Mirror `loader.scan`, `loader.index` and the template loader: which files under `root`
    a validate run reads or checks for, with the bytes of those it reads (and of every indexed
    file when `read_indexed`)."""
    return _Walk(root, read_indexed).run()


class _Walk:
    def __init__(self, root: Path, read_indexed: bool = False) -> None:
        self.read_indexed = read_indexed
        self.limit = MAX_FILE_BYTES
        """How much of a file is read (the loader's limit; the media limit for indexed files)."""
        self.digest_only = False
        """Keep a hash of what was read instead of the bytes (indexed files: media can be large)."""
        self.base = str(root)
        self.real_root = os.path.realpath(root)
        self.found = Inputs()
        self._access: PlaybookFiles | None = None

    @property
    def access(self) -> PlaybookFiles:
        """The file-access layer, for the rare paths that are not plain (imported when met)."""
        if self._access is None:
            self._access = PlaybookFiles(Path(self.base))
        return self._access

    def run(self) -> Inputs:
        found = self.found
        for name in (*ROOT_FILES, CONFIG_FILE):
            if self._file_at(name) and name != CONFIG_FILE:
                found.documents.append(name)
        for folder in DOCUMENT_FOLDERS:
            found.documents += [rel for rel in self._files(folder, hidden=False, skip=frozenset(), read=True)
                                if rel.endswith(DOCUMENT_SUFFIXES)]
        self._packs()
        found.documents.sort()
        self.limit, self.digest_only = MAX_MEDIA_BYTES, True  # media: up to their own limit, hashed
        found.indexed = set(self._files("", hidden=False, skip=SKIPPED_DIRS, read=self.read_indexed))
        self.limit, self.digest_only = MAX_FILE_BYTES, False
        found.templates = list(self._files(TEMPLATES_FOLDER, hidden=True, skip=frozenset(), read=True))
        return found

    def _packs(self) -> None:
        info = self._lstat(PACKS_FOLDER)
        if info is None:
            return
        if not stat.S_ISDIR(info.st_mode):
            self._odd(PACKS_FOLDER)
            if self.access.kind(PACKS_FOLDER) != "dir":
                return
        try:
            with os.scandir(os.path.join(self.base, PACKS_FOLDER)) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            self.found.odd[PACKS_FOLDER] = "unreadable"
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.is_file(follow_symlinks=False):
                continue
            folder = f"{PACKS_FOLDER}/{entry.name}"
            if not entry.is_dir(follow_symlinks=False):
                self._odd(folder)
                if self.access.kind(folder) != "dir":
                    continue
            if self._file_at(f"{folder}/{PACK_FILE}"):
                self.found.documents.append(f"{folder}/{PACK_FILE}")

    def _lstat(self, rel: str) -> os.stat_result | None:
        try:
            return os.lstat(os.path.join(self.base, rel))
        except OSError:
            return None

    def _file_at(self, rel: str) -> bool:
        """Whether `rel` is a file the loader reads (its bytes are kept); a link or anything odd
        is recorded as the file-access layer sees it."""
        info = self._lstat(rel)
        if info is None:
            return False
        if stat.S_ISREG(info.st_mode):
            self.found.content[rel] = self._read_plain(os.path.join(self.base, rel))
            return True
        self._odd(rel)
        if self.access.kind(rel) != "file":
            return False
        self.found.content[rel] = self._read_layer(rel)
        return True

    def _odd(self, rel: str) -> None:
        """Record a path that is not a plain file: its kind, and where a link leads."""
        path = os.path.join(self.base, rel)
        if os.path.islink(path):
            target = os.path.realpath(path)
            if target.startswith(self.real_root + os.sep):
                target = Path(os.path.relpath(target, self.real_root)).as_posix()
            self.found.links[rel] = target
        self.found.odd[rel] = self.access.kind(rel)

    def _files(self, rel_top: str, *, hidden: bool, skip: frozenset[str], read: bool) -> list[str]:
        """Every file the loader accepts under `rel_top`, in sorted order, as `PlaybookFiles.walk`
        lists them: linked folders are not entered, links to files inside the root count."""
        info = self._lstat(rel_top) if rel_top else os.lstat(self.base)
        if info is None:
            return []
        if not stat.S_ISDIR(info.st_mode):
            self._odd(rel_top)
            if self.access.kind(rel_top) == "dir":  # a link to a folder inside the root
                return self._layer_files(rel_top, skip=skip, read=read)
            return []
        files: list[str] = []
        self._plain_files(rel_top, files, hidden=hidden, skip=skip, read=read)
        return files

    def _plain_files(self, rel_top: str, files: list[str], *, hidden: bool, skip: frozenset[str],
                     read: bool) -> None:
        """Add the files under the real folder `rel_top` to `files`. Entries are typed from the
        listing without following links (``d_type``, else ``lstat``)."""
        try:
            with os.scandir(os.path.join(self.base, rel_top)) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            self.found.odd[rel_top] = "unreadable"
            return
        for entry in entries:
            if (not hidden and entry.name.startswith(".")) or entry.name in skip:
                continue
            rel = f"{rel_top}/{entry.name}" if rel_top else entry.name
            if entry.is_dir(follow_symlinks=False):
                self._plain_files(rel, files, hidden=hidden, skip=skip, read=read)
            elif entry.is_file(follow_symlinks=False):
                if read:
                    self.found.content[rel] = self._read_plain(entry.path)
                files.append(rel)
            else:
                self._odd(rel)
                if self.access.kind(rel) == "file":
                    if read:
                        self.found.content[rel] = self._read_layer(rel)
                    files.append(rel)

    def _layer_files(self, rel_top: str, *, skip: frozenset[str], read: bool) -> list[str]:
        """The files under a linked folder, as the file-access layer walks them (it skips
        hidden names)."""
        files, problems = self.access.walk(rel_top, skip=skip)
        for problem in problems:
            self.found.odd[problem.rel] = f"{problem.code} {problem.reason}"
        for rel in files:
            if read:
                self.found.content[rel] = self._read_layer(rel)
        return files

    def _read_plain(self, path: str) -> bytes:
        """The bytes of a regular file met in the walk, opened without following a link or
        blocking and checked again once open, or a marker saying why it cannot be read (the
        check reports that)."""
        try:
            handle = os.open(path, _FILE_FLAGS)
        except OSError as err:
            return f"unreadable {err.errno}".encode()
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                return b"changed"
            if info.st_size > self.limit:
                return b"too large"
            # ask for the size fstat gave plus one byte (a buffer of the limit costs more than
            # the read); getting exactly the size means the end was reached, anything else
            # (the file shrank or grew meanwhile) is read on to its end or past the limit
            data = os.read(handle, info.st_size + 1)
            while len(data) != info.st_size and len(data) <= self.limit and (
                    more := os.read(handle, min(1 << 16, self.limit + 1 - len(data)))):
                data += more
        except OSError as err:
            return f"unreadable {err.errno}".encode()
        finally:
            os.close(handle)
        return b"too large" if len(data) > self.limit else self._kept(data)

    def _read_layer(self, rel: str) -> bytes:
        try:
            return self._kept(self.access.read_bytes(rel, self.limit))
        except FileRefused as err:
            return f"{err.code} {err.reason}".encode()

    def _kept(self, data: bytes) -> bytes:
        """What the key takes of a file's bytes: themselves, or their hash for indexed files."""
        if self.digest_only:
            return b"blake2b:" + hashlib.blake2b(data, digest_size=32).digest()
        return b"content:" + data
