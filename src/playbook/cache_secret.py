"""The user's secret that signs `playbook validate` cache entries, so a repository cannot forge one.

A cache entry lives inside the playbook (``ROOT/.playbook/cache``), where a pull request can
put any file it likes, e.g. an entry claiming "All clear" for a broken playbook. Each entry
therefore carries a keyed BLAKE2b tag of its exact bytes, keyed by 32 random bytes kept
outside every playbook, in the user's cache folder: ``$XDG_CACHE_HOME/playbook/key`` (or
``~/.cache/playbook/key``). Without the key, no file in a repository can carry a valid tag;
an entry made under another user's key is simply a miss.

The key is created on first use (owner-only, 0600, in a 0700 folder) and never printed. It is
trusted only as a regular file owned by the user, not readable by anyone else, and outside the
playbook being checked (a committed ``.cache/playbook/key`` under a CI checkout that sets
``XDG_CACHE_HOME`` there does not count). When no such key can be had, the cache is off for
the run: correct, only slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32
TAG_BYTES = 32
_PERSON = b"pb-validate"
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)

_known: dict[str, bytes] = {}
"""Keys already read in this process, by path (tests switch XDG_CACHE_HOME between runs)."""


def key_path() -> Path | None:
    """Where the user's key is kept; None when there is no home to keep it in."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(configured):  # the XDG spec ignores a relative value
        return Path(configured) / "playbook" / "key"
    try:
        return Path.home() / ".cache" / "playbook" / "key"
    except RuntimeError:
        return None


def user_key(root: Path) -> bytes | None:
    """The user's secret (made on first use); None when it cannot be made or trusted, or when it
    lies inside the playbook at `root`."""
    path = key_path()
    if path is None:
        return None
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if real == real_root or real.startswith(real_root + os.sep):
        return None
    if real in _known:
        return _known[real]
    found = _read(path)
    if found is None and not os.path.lexists(path):
        _create(path)
        found = _read(path)
    if found is not None:
        _known[real] = found
    return found


def tag(secret: bytes, body: bytes) -> str:
    """The tag of an entry's bytes under `secret` (hex)."""
    return hashlib.blake2b(body, key=secret, digest_size=TAG_BYTES, person=_PERSON).hexdigest()


def genuine(secret: bytes, body: bytes, claimed: str) -> bool:
    """Whether `claimed` is the tag of `body` under `secret` (compared in constant time)."""
    return hmac.compare_digest(tag(secret, body), claimed)


def _read(path: Path) -> bytes | None:
    """The key at `path` if it is trustworthy: a regular file of the right size, owned by this
    user and not readable or writable by anyone else."""
    try:
        handle = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size != KEY_BYTES or info.st_mode & 0o077:
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        data = os.read(handle, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(handle)
    return data if len(data) == KEY_BYTES else None


def _create(path: Path) -> None:
    """Write a fresh key: to a private temporary file, then linked into place, so a concurrent
    run sees either no key or a whole one, and the first to link wins."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return
    temporary = path.with_name(f".key.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
        os.link(temporary, path)
    except FileExistsError:
        pass  # another run linked its key first: that one is read
    except OSError:
        with contextlib.suppress(OSError):
            os.replace(temporary, path)  # a file system without hard links
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
