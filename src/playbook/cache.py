"""The result cache of `playbook validate`: a second run over unchanged files prints the stored
diagnostics instead of loading, validating and linting everything again.

One entry per playbook, in ``ROOT/.playbook/cache/validate.json``. It is used only when its key
matches; the key is a BLAKE2b hash of everything the result depends on:

* the tool: the Python version, the content of every file of the installed ``playbook``
  package (so editing the tool invalidates), and the names of the installed distributions
  (``playbook-0.1.0.dist-info``…: the version of the tool and of every dependency, whose
  upgrade can change a message);
* the run: the ``--select``/``--ignore``/``--fail-level`` flags as given, and the day the
  date-dependent rules use as today (``PLAYBOOK_TODAY`` when set, as ``schedule.today``);
* the playbook: the path and content of every document the loader would load, of every file
  under ``templates/`` (messages include them), of ``pyproject.toml`` (the lint config), the
  path of every file the loader indexes (media and attachments are checked for existence
  only), where each symbolic link among them leads, and every path the file-access layer
  refuses (a link out of the root, a FIFO…). Which files those are, and how they are read
  without following links out or blocking on a FIFO, is `playbook.cache_inputs`.

The entry sits in the playbook, where a pull request can put a forged one (force-added past the
folder's ``.gitignore``). So each entry is signed with a secret kept outside every playbook
(`playbook.cache_secret`): an entry whose tag does not verify under this user's key is a miss,
and the playbook is checked again. Refusing entries git tracks was weighed and not done: it
costs a git process on every hit, needs git, and misses an entry copied in by other means;
the signature covers all of those. The cache folder is never read or written through a
symbolic link (``.playbook`` or ``.playbook/cache`` being one turns the cache off).

Problems with the cache never stop a run: an unreadable, corrupt, unsigned or foreign entry is a
miss, and a folder that cannot be written to, or a user key that cannot be made, means the run
is simply not cached. Failed runs (exit code 2: bad config, bad flags) are never stored, so they
are reported again every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import playbook
from playbook.cache_inputs import CONFIG_FILE, Inputs, inputs
from playbook.cache_secret import genuine, tag, user_key
from playbook.diagnostics import Diagnostic, Related, Severity
from playbook.source import Span

CACHE_FOLDER = Path(".playbook") / "cache"
"""Where, under a playbook root, cache entries live (a hidden folder: the loader skips it)."""
VALIDATE_FILE = "validate.json"
BUILD_FILE = "build.json"
"""The entry of `playbook build`'s shortcut (`playbook.handbook.unchanged`), signed the same way."""
FORMAT = 2
"""The layout of an entry; bump it when the stored fields change. 2: signed."""
MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""A larger entry is not read (a miss): no playbook's diagnostics come near it."""
MAX_BLOB_BYTES = 1024 * 1024 * 1024
"""The largest binary entry (`playbook.incremental`'s state: about 70 MB for 4,000 documents)."""
DISABLE_VARIABLE = "PLAYBOOK_NO_CACHE"
"""Set to anything but "" or "0" to turn the cache off (as `--no-cache` does)."""

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)

__all__ = [
    "BUILD_FILE",
    "CACHE_FOLDER",
    "DISABLE_VARIABLE",
    "Entry",
    "Inputs",
    "checked_before",
    "context_digest",
    "disabled",
    "entry_path",
    "inputs",
    "key",
    "key_and_inputs",
    "load",
    "load_blob",
    "load_signed",
    "store",
    "store_blob",
    "store_signed",
    "tool_digest",
]


@dataclass(frozen=True)
class Entry:
    """A stored result: what `validate` printed from, and how it exited."""

    diagnostics: list[Diagnostic]
    files_checked: int
    exit_code: int


def disabled(no_cache_flag: bool) -> bool:
    """Whether this run must neither read nor write the cache."""
    return no_cache_flag or os.environ.get(DISABLE_VARIABLE, "") not in ("", "0")


def today_text() -> str:
    """The day the date-dependent rules use, as `playbook.schedule.today` picks it. Kept raw when
    PLAYBOOK_TODAY is set: an invalid value fails the run, and failed runs are not stored."""
    return os.environ.get("PLAYBOOK_TODAY") or dt.date.today().isoformat()


def entry_path(root: Path) -> Path:
    """Where the validate entry of the playbook at `root` is kept."""
    return root / CACHE_FOLDER / VALIDATE_FILE


def key(root: Path, options: Mapping[str, Any], *, every_file: bool = False) -> str | None:
    """The cache key of validating `root` with `options` (see `key_and_inputs`)."""
    return key_and_inputs(root, options, every_file=every_file)[0]


def key_and_inputs(root: Path, options: Mapping[str, Any], *,
                   every_file: bool = False) -> tuple[str | None, Inputs | None]:
    """The cache key of validating `root` with `options` (JSON-serialisable command settings);
    None when nothing may be cached: the inputs cannot be read reliably, the cache folder is a
    symbolic link, or there is no user key to sign entries with.

    `every_file` also keys on the bytes of every indexed file (media, attachments), not only on
    their names: a build copies them into the site, where validate only checks they exist."""
    if not _folder_is_own(root) or user_key(root) is None:
        return None, None
    try:
        digest = hashlib.blake2b(digest_size=32)
        _add(digest, f"playbook-validate-cache/{FORMAT}".encode())
        _add(digest, _toolchain().encode())
        settings = {"options": dict(options), "today": today_text(), "every_file": every_file}
        _add(digest, json.dumps(settings, sort_keys=True, default=str).encode())
        found = inputs(root, read_indexed=every_file)
        indexed = sorted(found.indexed) if every_file else []
        _add_inputs(digest, found, (("documents", found.documents), ("templates", found.templates),
                                    ("config", [CONFIG_FILE]), ("indexed", indexed)))
        return digest.hexdigest(), found
    except (OSError, ValueError):
        return None, None


def context_digest(found: Inputs, documents: tuple[str, ...]) -> str:
    """What every check of one playbook shares, apart from its documents: the tool, the day
    taken as today, templates/, the config, the file list, links and refused paths, and the
    files in `documents` (playbook.yaml and roster.yaml). `playbook.incremental` keys on it."""
    digest = hashlib.blake2b(digest_size=32)
    _add(digest, f"playbook-context/{FORMAT}".encode())
    _add(digest, _toolchain().encode())
    _add(digest, today_text().encode())
    _add_inputs(digest, found, (("documents", documents), ("templates", found.templates),
                                ("config", [CONFIG_FILE])))
    return digest.hexdigest()


def _add_inputs(digest: Any, found: Inputs, sections: Iterable[tuple[str, Sequence[str]]]) -> None:
    """Feed the named files of each section (path and bytes), then the file list, the links and
    the refused paths."""
    for section, names in sections:
        _add(digest, section.encode())
        for rel in names:
            _add(digest, _bytes(rel))
            _add(digest, found.content.get(rel, b"absent"))
    _add(digest, _bytes("\0".join(sorted(found.indexed))))
    _add(digest, json.dumps(found.links, sort_keys=True).encode("utf-8", "surrogateescape"))
    _add(digest, json.dumps(found.odd, sort_keys=True).encode("utf-8", "surrogateescape"))


def tool_digest() -> str:
    """What identifies the checking code (Python, the package, the installed distributions)."""
    return _toolchain()


def checked_before(root: Path) -> bool:
    """Whether a result of checking this playbook was stored here before (a validate result, a
    build's entry, whatever their keys): a sign that it is checked again and again, as in an
    editor, not once, as on a fresh clone."""
    if not _folder_is_own(root):
        return False
    for name in (VALIDATE_FILE, BUILD_FILE):
        try:
            if stat.S_ISREG(os.lstat(root / CACHE_FOLDER / name).st_mode):
                return True
        except OSError:
            continue
    return False


def load_blob(root: Path, name: str, limit: int = MAX_BLOB_BYTES) -> bytes | None:
    """The body of the binary entry `name` when it is signed with this user's key; None on any
    mismatch, forgery or damage, or when the entry is larger than `limit` (it is then not read).
    Only such a body may be unpickled: it was written by this user's own `store_blob`."""
    secret = user_key(root)
    raw = _read_entry(root, name, min(limit, MAX_BLOB_BYTES)) if secret is not None else None
    if secret is None or raw is None:
        return None
    claimed, _, body = raw.partition(b"\n")
    try:
        return body if genuine(secret, body, claimed.decode("ascii")) else None
    except ValueError:
        return None


def store_blob(root: Path, name: str, body: bytes) -> bool:
    """Keep `body` as the binary entry `name`, signed (see `store_signed`)."""
    from playbook.errors import UsageError
    from playbook.writer import safe_folder, write_bytes, write_text

    secret = user_key(root)
    if secret is None or len(body) > MAX_BLOB_BYTES:
        return False
    try:
        folder = safe_folder(root, CACHE_FOLDER.as_posix())
        write_text(folder / ".gitignore", "# Created by `playbook validate`; safe to delete.\n*\n")
        write_bytes(folder / name, tag(secret, body).encode("ascii") + b"\n" + body)  # no hash of its own
    except (OSError, UsageError):
        return False
    return True


def load_signed(root: Path, name: str, wanted: str) -> dict[str, Any] | None:
    """The payload of the entry `name` when it is signed with this user's key and stored under
    key `wanted`; None on any mismatch, forgery or damage."""
    secret = user_key(root)
    raw = _read_entry(root, name) if secret is not None else None
    if secret is None or raw is None:
        return None
    claimed, _, body = raw.partition(b"\n")
    try:
        if not genuine(secret, body, claimed.decode("ascii")):
            return None
        stored = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get("key") != wanted:
        return None
    return stored


def store_signed(root: Path, name: str, wanted: str, payload: Mapping[str, Any]) -> bool:
    """Keep `payload` as the entry `name` under key `wanted` (replacing the previous one),
    signed. False when it cannot be: the folder cannot be written, is a symbolic link, or there
    is no user key. A cache is an optimisation, so none of that is an error."""
    from playbook.errors import UsageError
    from playbook.writer import safe_folder, write_text  # only a miss writes

    secret = user_key(root)
    if secret is None:
        return False
    body = json.dumps({**payload, "format": FORMAT, "key": wanted}, ensure_ascii=False,
                      separators=(",", ":"))
    signed = tag(secret, body.encode("utf-8", "surrogateescape")) + "\n" + body
    try:
        folder = safe_folder(root, CACHE_FOLDER.as_posix())  # refuses a linked .playbook or cache
        # the folder ignores itself, so a playbook repository never commits its cache
        write_text(folder / ".gitignore", "# Created by `playbook validate`; safe to delete.\n*\n")
        write_text(folder / name, signed)
    except (OSError, UnicodeEncodeError, UsageError):
        return False
    return True


def load(root: Path, wanted: str) -> Entry | None:
    """The stored validate entry when it is signed with this user's key and its key is
    `wanted`; None on any mismatch, forgery or damage."""
    stored = load_signed(root, VALIDATE_FILE, wanted)
    if stored is None:
        return None
    try:
        return Entry(
            diagnostics=[_diagnostic(d) for d in stored["diagnostics"]],
            files_checked=_int(stored["files_checked"]),
            exit_code=_int(stored["exit_code"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def store(root: Path, wanted: str, entry: Entry) -> bool:
    """Keep the validate `entry` under key `wanted`, signed (see `store_signed`)."""
    return store_signed(root, VALIDATE_FILE, wanted, {
        "files_checked": entry.files_checked,
        "exit_code": entry.exit_code,
        "diagnostics": [_plain(d) for d in entry.diagnostics],
    })


def _folder_is_own(root: Path) -> bool:
    """Whether ``.playbook`` and ``.playbook/cache`` are each missing or a real folder (not a
    symbolic link that would send the cache's reads and writes elsewhere). Read-only: a miss
    writes through `writer.safe_folder`, which checks the same."""
    here = str(root)
    for part in CACHE_FOLDER.parts:
        here = os.path.join(here, part)
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return True
        except OSError:
            return False
        if not stat.S_ISDIR(mode):
            return False
    return True


def _read_entry(root: Path, name: str, limit: int = MAX_ENTRY_BYTES) -> bytes | None:
    """The bytes of the entry `name`, opened folder by folder without following any link, or None."""
    try:
        fd = os.open(root, _DIR_FLAGS & ~os.O_NOFOLLOW)  # the root itself is the user's choice
    except OSError:
        return None
    try:
        for part in CACHE_FOLDER.parts:
            child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
        handle = os.open(name, _FILE_FLAGS, dir_fd=fd)
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            chunks = []
            while chunk := os.read(handle, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(handle)
    except OSError:
        return None
    finally:
        os.close(fd)


def _bytes(name: str) -> bytes:
    """A file name as bytes, also when it is not valid UTF-8 (os.scandir keeps such bytes as
    surrogates)."""
    return name.encode("utf-8", "surrogateescape")


def _add(digest: Any, data: bytes) -> None:
    """Feed one length-prefixed field, so that no two different inputs run together alike."""
    digest.update(len(data).to_bytes(8, "little"))
    digest.update(data)


def _add_file(digest: Any, path: str | Path) -> None:
    """Feed a file's bytes; for an unreadable file, its error (the loader reports that)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        _add(digest, f"unreadable {err.errno}".encode())
        return
    _add(digest, b"content")
    _add(digest, data)


_tool_digest: str | None = None


def _toolchain() -> str:
    """What identifies the checking code: Python, the package files, the installed distributions
    (their names carry the versions, so `playbook.__version__` and its slow metadata lookup are
    not needed). Computed once per process."""
    global _tool_digest
    if _tool_digest is None:
        digest = hashlib.blake2b(digest_size=32)
        _add(digest, sys.version.encode())
        package = Path(playbook.__file__).parent
        for dirpath, dirnames, filenames in os.walk(package):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                path = Path(dirpath, name)
                _add(digest, _bytes(path.relative_to(package).as_posix()))
                _add_file(digest, path)
        for entry in sys.path:
            if os.path.basename(entry) in ("site-packages", "dist-packages") and os.path.isdir(entry):
                _add(digest, _bytes("\0".join(sorted(
                    n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info"))))))
        _tool_digest = digest.hexdigest()
    return _tool_digest


def _plain(d: Diagnostic) -> dict[str, Any]:
    return {
        "span": [d.span.path, d.span.line, d.span.col],
        "severity": int(d.severity),
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "help": d.help,
        "related": [[r.span.path, r.span.line, r.span.col, r.message] for r in d.related],
    }


def _diagnostic(item: dict[str, Any]) -> Diagnostic:
    path, line, col = item["span"]
    return Diagnostic(
        span=Span(_str(path), _int(line), _int(col)),
        severity=Severity(_int(item["severity"])),
        code=_str(item["code"]),
        name=_str(item["name"]),
        message=_str(item["message"]),
        help=None if item["help"] is None else _str(item["help"]),
        related=tuple(Related(Span(_str(p), _int(ln), _int(c)), _str(m)) for p, ln, c, m in item["related"]),
    )


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected a whole number, found {type(value).__name__}")
    return value
