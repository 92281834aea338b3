"""The exactly-once ledger of `playbook send`: an SQLite database (WAL) keyed by message id.

States: `planned` -> `posting` (written and committed before the API call) -> `posted` (with
WeCom's `msgid`) / `failed` (errcode, errmsg) / `unknown` (a `posting` left by a run that died:
it may or may not have reached WeCom, so it is never posted again blindly; `send` reconciles
it, else it waits for `--retry-unknown`). A claim is one `BEGIN IMMEDIATE` transaction, so two
`send` processes cannot both move one message to `posting`.

The ledger also keeps uploaded media ids by file hash (WeCom keeps a temporary media 3 days),
the times of recent robot posts (20 a minute per robot, across runs), per-group results, and
the access token of each corp until it expires, so a `send` run from cron every minute does
not spend a `gettoken` call each time. The token is a secret: the database is created 0600
(SQLite gives its WAL and shared-memory files the same mode) and an older one is narrowed to
0600 when opened.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playbook.errors import UsageError

STATES = ("planned", "posting", "posted", "failed", "unknown")
RETRYABLE_ERRORS = frozenset({-1, 45009})
"""WeCom's "system busy" and "API frequency exceeded": nothing was posted, try again later."""
MEDIA_LIFETIME = 3 * 24 * 3600
"""Seconds a temporary media id stays valid (media/upload, webhook/upload_media)."""
MEDIA_MARGIN = 3600
"""Re-upload an hour before WeCom forgets the file, so a send never names an expired media."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    message TEXT PRIMARY KEY, payload TEXT NOT NULL, kind TEXT NOT NULL, group_id TEXT NOT NULL,
    due TEXT NOT NULL, state TEXT NOT NULL, msgid TEXT, errcode INTEGER, errmsg TEXT,
    steps_done INTEGER NOT NULL DEFAULT 0, claimed REAL, owner TEXT, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS media (
    scope TEXT NOT NULL, sha256 TEXT NOT NULL, media_id TEXT NOT NULL, uploaded REAL NOT NULL,
    PRIMARY KEY (scope, sha256));
CREATE TABLE IF NOT EXISTS robot_posts (robot TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS group_results (
    msgid TEXT NOT NULL, chat_id TEXT NOT NULL, status INTEGER NOT NULL, send_time INTEGER,
    PRIMARY KEY (msgid, chat_id));
CREATE TABLE IF NOT EXISTS access_tokens (
    corp_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, token TEXT NOT NULL, expires REAL NOT NULL);
"""
LEDGER_MODE = 0o600
"""The ledger holds access tokens: only its owner may read it."""


@dataclass(frozen=True)
class Delivery:
    """One message's row."""

    message: str
    payload: str
    kind: str
    group: str
    due: str
    state: str
    msgid: str | None
    errcode: int | None
    errmsg: str | None
    steps_done: int
    claimed: float | None
    owner: str | None
    """The run that claimed it (see `delivery.runs`): a `posting` row whose run is gone was
    left by a crash."""


class Ledger:
    """One connection to the ledger database; `open` creates it (and its tables) when missing."""

    def __init__(self, connection: sqlite3.Connection, clock: object = time.time) -> None:
        self.db = connection
        self.clock = clock

    @classmethod
    def open(cls, path: Path, clock: object = time.time) -> Ledger:
        # Switching a new database to WAL needs an exclusive lock, and SQLite answers "database
        # is locked" at once (no busy wait) when two runs create the ledger together: the
        # set-up is serialised with a lock file beside it. Later transactions wait on SQLite's
        # own busy timeout.
        guard = os.open(path.with_name(path.name + ".lock"),
                        os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, LEDGER_MODE)
        try:
            fcntl.flock(guard, fcntl.LOCK_EX)
            _private_file(path)
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
            except BaseException:
                db.close()
                raise
        finally:
            os.close(guard)  # closing releases the lock
        db.execute("PRAGMA synchronous=FULL")  # a `posting` mark must reach the disk before the call
        return cls(db, clock)

    def close(self) -> None:
        self.db.close()

    def now(self) -> float:
        return float(self.clock())  # type: ignore[operator]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE`: takes the write lock at once, so reads inside see no other writer."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get(self, message: str) -> Delivery | None:
        row = self.db.execute("SELECT message, payload, kind, group_id, due, state, msgid, errcode, "
                              "errmsg, steps_done, claimed, owner FROM deliveries WHERE message = ?",
                              (message,)).fetchone()
        return Delivery(*row) if row else None

    def all(self) -> list[Delivery]:
        rows = self.db.execute("SELECT message, payload, kind, group_id, due, state, msgid, errcode, "
                               "errmsg, steps_done, claimed, owner FROM deliveries ORDER BY due, message")
        return [Delivery(*r) for r in rows]

    def claim(self, payload: str, kind: str, due: str, messages: Sequence[tuple[str, str]],
              owner: str, retry_unknown: bool = False) -> bool:
        """Mark every (message, group) of a payload `posting`, or none: True when this process
        may post it. Claimable: never seen, `planned`, failed with a retryable error, or
        `unknown` with `retry_unknown`."""
        with self.transaction() as db:
            for message, _group in messages:
                row = self.get(message)
                if row is not None and not _claimable(row, retry_unknown):
                    return False
            stamp = self.now()
            for message, group in messages:
                db.execute("INSERT INTO deliveries (message, payload, kind, group_id, due, state, "
                           "claimed, owner, updated) VALUES (?, ?, ?, ?, ?, 'posting', ?, ?, ?) "
                           "ON CONFLICT(message) DO UPDATE SET state = 'posting', claimed = ?, "
                           "owner = ?, updated = ?, payload = excluded.payload",
                           (message, payload, kind, group, due, stamp, owner, stamp, stamp, owner,
                            stamp))
        return True

    def step_done(self, messages: Iterable[str], steps: int) -> None:
        """Record that the first `steps` requests of a multi-request payload went through."""
        with self.transaction() as db:
            for message in messages:
                db.execute("UPDATE deliveries SET steps_done = ?, updated = ? WHERE message = ?",
                           (steps, self.now(), message))

    def finish(self, messages: Iterable[str], state: str, msgid: str | None = None,
               errcode: int | None = None, errmsg: str | None = None) -> None:
        assert state in STATES
        with self.transaction() as db:
            for message in messages:
                db.execute("UPDATE deliveries SET state = ?, msgid = ?, errcode = ?, errmsg = ?, "
                           "updated = ? WHERE message = ?",
                           (state, msgid, errcode, errmsg, self.now(), message))

    def left_posting(self, alive: Callable[[str], bool]) -> list[Delivery]:
        """Rows left `posting` by a run that is no longer alive (it died mid-call)."""
        return [d for d in self.all() if d.state == "posting" and not alive(d.owner or "")]

    def media_id(self, scope: str, sha256: str) -> str | None:
        row = self.db.execute("SELECT media_id, uploaded FROM media WHERE scope = ? AND sha256 = ?",
                              (scope, sha256)).fetchone()
        if row is None or self.now() - row[1] > MEDIA_LIFETIME - MEDIA_MARGIN:
            return None
        return str(row[0])

    def remember_media(self, scope: str, sha256: str, media_id: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO media VALUES (?, ?, ?, ?)",
                       (scope, sha256, media_id, self.now()))

    def robot_posts_since(self, robot: str, since: float) -> list[float]:
        rows = self.db.execute("SELECT at FROM robot_posts WHERE robot = ? AND at > ? ORDER BY at",
                               (robot, since))
        return [float(r[0]) for r in rows]

    def robot_posted(self, robot: str, at: float) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO robot_posts VALUES (?, ?)", (robot, at))
            db.execute("DELETE FROM robot_posts WHERE at < ?", (at - 3600,))

    def store_results(self, msgid: str, results: Iterable[tuple[str, int, int | None]]) -> None:
        with self.transaction() as db:
            for chat_id, status, send_time in results:
                db.execute("INSERT OR REPLACE INTO group_results VALUES (?, ?, ?, ?)",
                           (msgid, chat_id, status, send_time))

    def cached_token(self, corp_id: str, secret_hash: str, now: float) -> tuple[str, float] | None:
        """The corp's access token and when to stop using it, if one is kept for this very
        secret (a rotated secret's hash differs, so its token is not reused) and still valid."""
        row = self.db.execute("SELECT token, expires FROM access_tokens WHERE corp_id = ? AND "
                              "secret_hash = ?", (corp_id, secret_hash)).fetchone()
        if row is None or now >= float(row[1]):
            return None
        return str(row[0]), float(row[1])

    def remember_token(self, corp_id: str, secret_hash: str, token: str, expires: float) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO access_tokens VALUES (?, ?, ?, ?)",
                       (corp_id, secret_hash, token, expires))

    def forget_token(self, corp_id: str, token: str) -> None:
        """Drop a token WeCom refused (40014, 42001), unless another run already replaced it."""
        with self.transaction() as db:
            db.execute("DELETE FROM access_tokens WHERE corp_id = ? AND token = ?", (corp_id, token))

    def results(self, msgid: str) -> list[tuple[str, int, int | None]]:
        rows = self.db.execute("SELECT chat_id, status, send_time FROM group_results WHERE msgid = ? "
                               "ORDER BY chat_id", (msgid,))
        return [(str(r[0]), int(r[1]), r[2]) for r in rows]


def _private_file(path: Path) -> None:
    """Create the database file 0600, or narrow an existing one to 0600; refuse a link or a
    special file."""
    refused = ledger_file(path, create=True)
    if refused == "link":
        raise UsageError(f"{path} is a symbolic link; name the ledger file itself")
    if refused == "special":
        raise UsageError(f"{path} is not a regular file; give the ledger a file of its own")


def ledger_file(path: Path, *, create: bool) -> str | None:
    """Check the ledger file at `path` as `send` (`create`: made 0600 when missing, narrowed to
    0600 when wider) or `build --ledger` (read only) opens it: "link" for a symbolic link,
    "special" for a folder, FIFO, socket or device (opened without blocking, so a FIFO named
    as the ledger cannot hang a run), None for a regular file. Other failures raise OSError."""
    flags = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags | (os.O_RDWR | os.O_CREAT if create else os.O_RDONLY), LEDGER_MODE)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "link"
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "special"
        if create and stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(fd, LEDGER_MODE)
        return None
    finally:
        os.close(fd)


def retryable(errcode: int | None) -> bool:
    """Whether a failure may be posted again on a later run: WeCom was busy or throttled, or the
    call never reached it (no errcode: refused connection, a file missing from the bundle)."""
    return errcode is None or errcode in RETRYABLE_ERRORS


def _claimable(row: Delivery, retry_unknown: bool) -> bool:
    if row.state == "planned":
        return True
    if row.state == "failed":
        return retryable(row.errcode)
    return row.state == "unknown" and retry_unknown


__all__ = ["LEDGER_MODE", "MEDIA_LIFETIME", "RETRYABLE_ERRORS", "STATES", "Delivery", "Ledger", "retryable"]
