"""Where things are: spans in source files and the JSON-pointer map of each document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """A 1-based position in a file, relative to the playbook root."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Suppression:
    """An inline `# playbook: ignore[PB401, PB402] reason` comment on one line of a file."""

    span: Span
    codes: tuple[str, ...]
    reason: str


SUPPRESSION = re.compile(r"#\s*playbook:\s*ignore\[([A-Za-z0-9,\s]+)\]\s*(.*)$")


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """Every suppression comment in a file's text."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = SUPPRESSION.search(line)
        if match:
            codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
            found.append(Suppression(Span(path, number, match.start() + 1), codes,
                                     match.group(2).strip()))
    return found


def escape_token(token: str | int) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer from reference tokens: pointer('steps', 0) == '/steps/0'."""
    return "".join("/" + escape_token(t) for t in tokens)


def join(base: str, token: str | int) -> str:
    return base + "/" + escape_token(token)


@dataclass
class SourceMap:
    """JSON pointer -> span, for the values and for the keys of one document.

    Pointers to keys are kept apart so that an unknown key is reported at the key,
    while a wrong value is reported at the value.
    """

    path: str
    values: dict[str, Span] = field(default_factory=dict)
    keys: dict[str, Span] = field(default_factory=dict)
    locate: Callable[[SourceMap], None] | None = field(default=None, repr=False, compare=False)
    """Fills `values` and `keys` on first use, when the loader deferred finding positions
    (most files never need one: positions are only read to report a problem)."""

    def value(self, ptr: str) -> Span:
        """The span of the value at `ptr`, or of its nearest ancestor that exists."""
        self._located()
        return self._nearest(self.values, ptr)

    def key(self, ptr: str) -> Span:
        """The span of the key that names `ptr`, falling back to its value."""
        self._located()
        if ptr in self.keys:
            return self.keys[ptr]
        return self.value(ptr)

    def located(self) -> SourceMap:
        """This map with its positions found (they may have been deferred), for copying them."""
        self._located()
        return self

    def _located(self) -> None:
        if self.locate is not None:
            locate, self.locate = self.locate, None
            locate(self)

    def _nearest(self, table: dict[str, Span], ptr: str) -> Span:
        while True:
            if ptr in table:
                return table[ptr]
            if not ptr:
                return Span(self.path)
            ptr = ptr.rsplit("/", 1)[0]
