"""What `playbook build` shows while it works: on a terminal, one line rewritten in place
(pages rendered, then MkDocs running), cleared when done; nothing when stderr is piped or
redirected, or with `--quiet`, so logs and CI output stay clean."""

from __future__ import annotations

from typing import TextIO


class Progress:
    """A progress line on `stream`, shown only when `enabled`."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = False) -> None:
        self.stream = stream
        self.enabled = enabled and stream is not None
        self._shown = False
        self._last = -1

    @classmethod
    def for_terminal(cls, stream: TextIO, *, quiet: bool = False) -> Progress:
        """Shown when `stream` is a terminal and the user did not ask for quiet."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream, enabled=not quiet and callable(isatty) and bool(isatty()))

    def _show(self, text: str) -> None:
        if not self.enabled or self.stream is None:
            return
        self.stream.write(f"\r\x1b[2K{text}")
        self.stream.flush()
        self._shown = True

    def pages(self, done: int, total: int) -> None:
        """`done` of `total` pages rendered (shown about every 2%, and at the end)."""
        step = max(total // 50, 1)
        if done == total or done - self._last >= step:
            self._last = done
            self._show(f"playbook: rendering pages {done}/{total}")

    def step(self, text: str) -> None:
        """A stage of the build, e.g. MkDocs running."""
        self._show(f"playbook: {text}")

    def shown_elsewhere(self) -> None:
        """Another process writing to the same stream (a forked child) may have left a line:
        clear it on `close` as if this one had."""
        self._shown = self.enabled

    def close(self) -> None:
        """Clear the line, so what follows starts on a clean one."""
        if self._shown and self.stream is not None:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False


QUIET = Progress()
"""Shows nothing (the default everywhere but `playbook build` on a terminal)."""

__all__ = ["QUIET", "Progress"]
