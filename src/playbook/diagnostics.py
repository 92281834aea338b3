"""Diagnostics: one shape for every problem the tool reports, whatever found it."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from playbook.source import Span


class Severity(enum.IntEnum):
    """How bad a finding is; the order lets `--fail-level` compare them."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Related:
    """A second place that belongs to a diagnostic, e.g. where a duplicate was first defined."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where, how bad, which stable code, and what to do about it."""

    span: Span
    severity: Severity
    code: str
    name: str
    message: str
    help: str | None = None
    related: tuple[Related, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)

    def __str__(self) -> str:
        return f"{self.span}: {self.severity} {self.code} {self.message}"


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file and position and drop exact repeats, so output is deterministic."""
    seen: set[tuple[object, ...]] = set()
    result = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        key = (d.span, d.code, d.message)
        if key not in seen:
            seen.add(key)
            result.append(d)
    return result


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    """The closing line: how many of each severity, over how many files."""
    counts = {s: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity] += 1
    if not diagnostics:
        return f"All clear: {files} file{'s' if files != 1 else ''} checked, no problems."
    parts = []
    for sev, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "note")):
        if counts[sev]:
            parts.append(f"{counts[sev]} {word}{'s' if counts[sev] != 1 else ''}")
    return f"Found {', '.join(parts)} in {files} file{'s' if files != 1 else ''} checked."
