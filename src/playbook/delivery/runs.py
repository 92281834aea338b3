"""Which `send` runs are alive, so a `posting` row left by a dead one is told from one in flight.

Each run holds an exclusive `flock` on its own file `<ledger>.runs/<token>` for as long as it
lives; the kernel drops the lock when the process ends, however it ends (SIGKILL included). A
row's run is gone when its file can be locked, or is missing.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from pathlib import Path

from playbook.writer import safe_folder


class Run:
    """This process's run: its token and the lock that says it is alive."""

    def __init__(self, ledger: Path) -> None:
        self.folder = safe_folder(ledger.parent, f"{ledger.name}.runs")
        self.token = uuid.uuid4().hex
        self._fd = os.open(self.folder / self.token, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def alive(self, token: str) -> bool:
        """Whether the run `token` still holds its lock."""
        if token == self.token:
            return True
        if not token.isalnum():
            return False
        try:
            fd = os.open(self.folder / token, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        (self.folder / token).unlink(missing_ok=True)
        return False

    def close(self) -> None:
        os.close(self._fd)
        (self.folder / self.token).unlink(missing_ok=True)


__all__ = ["Run"]
