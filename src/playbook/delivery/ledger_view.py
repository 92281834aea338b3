"""A read-only look at a `playbook send` ledger, for the handbook (`playbook build --ledger PATH`).

The file is named on the command line, so it is not a playbook file and the file-access layer
does not apply; it is still checked the same way: a symbolic link, a FIFO or another special
file is refused (opened with O_NONBLOCK, so a FIFO cannot hang the build), and SQLite opens it
with `mode=ro`, so building never changes the ledger a cron `send` is writing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from playbook.delivery.ledger import ledger_file
from playbook.errors import UsageError

RESULT_STATUS = {0: "not sent yet", 1: "sent", 2: "not a friend", 3: "already received one"}
"""`get_groupmsg_send_result` status -> what it means (as `send --status` prints it)."""


@dataclass(frozen=True)
class LedgerRow:
    """One message's delivery, with its group's result of a company group send when fetched."""

    message: str
    group: str
    due: str
    kind: str
    state: str
    msgid: str | None
    errcode: int | None
    errmsg: str | None
    results: tuple[tuple[str, int], ...]
    """(chat_id, status) of every group the msgid reached, from `send --status --refresh`."""


def _check_file(path: Path) -> None:
    """Refuse what is not a regular file, without blocking on a FIFO."""
    try:
        refused = ledger_file(path, create=False)
    except FileNotFoundError:
        raise UsageError(f"--ledger {path}: no such file; `playbook send --post` creates the "
                         "ledger") from None
    except OSError as err:
        raise UsageError(f"--ledger {path}: cannot be read ({err.strerror})") from None
    if refused == "link":
        raise UsageError(f"--ledger {path}: is a symbolic link; name the ledger file itself")
    if refused == "special":
        raise UsageError(f"--ledger {path}: not a regular file")


def read_ledger(path: Path) -> list[LedgerRow]:
    """Every delivery of the ledger at `path`, in due order, read without writing anything."""
    _check_file(path)
    uri = f"{path.absolute().as_uri()}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as err:
        raise UsageError(f"--ledger {path}: cannot be opened ({err})") from None
    try:
        found = db.execute("SELECT message, group_id, due, kind, state, msgid, errcode, errmsg "
                           "FROM deliveries ORDER BY due, group_id, message").fetchall()
        results: dict[str, list[tuple[str, int]]] = {}
        for msgid, chat, status in db.execute(
                "SELECT msgid, chat_id, status FROM group_results ORDER BY msgid, chat_id"):
            results.setdefault(str(msgid), []).append((str(chat), int(status)))
    except sqlite3.Error as err:
        raise UsageError(f"--ledger {path}: not a playbook send ledger ({err})") from None
    finally:
        db.close()
    return [LedgerRow(str(m), str(g), str(d), str(k), str(s), msgid, errcode, errmsg,
                      tuple(results.get(str(msgid), ())) if msgid else ())
            for m, g, d, k, s, msgid, errcode, errmsg in found]


__all__ = ["RESULT_STATUS", "LedgerRow", "read_ledger"]
