"""The playbook documents an import or export works on: playbook.yaml (operators, group types,
declared fields) and roster.yaml, read through the file-access layer and the safe loader before
anything else looks at them. A file the loader refuses stops the command with its diagnostics.

They are not validated as a whole: an import must be able to repair a roster, and an export
writes what is there. `playbook validate` is the next step after an import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playbook.diagnostics import Diagnostic, Severity
from playbook.errors import UsageError
from playbook.files import MAX_FILE_BYTES, FileRefused, PlaybookFiles
from playbook.loader import decode, load_file, load_text
from playbook.source import Span

ROSTER = "roster.yaml"
_UTF8_BOM = b"\xef\xbb\xbf"


class Stop(Exception):
    """The command cannot go on; `diagnostics` say why (printed by the command, exit 1)."""

    def __init__(self, diagnostics: list[Diagnostic], files: int = 1) -> None:
        super().__init__(f"{len(diagnostics)} problems")
        self.diagnostics = diagnostics
        self.files = files


@dataclass
class RosterFile:
    """roster.yaml as read: its text ("" when it does not exist yet), its groups as plain values,
    and the real file to write (an in-root link is written at its target)."""

    text: str
    groups: list[dict[str, Any]]
    target: Path
    exists: bool


def load_playbook(access: PlaybookFiles) -> dict[str, Any]:
    """playbook.yaml as plain values."""
    loaded = load_file(access, "playbook.yaml", "Playbook")
    _stop_on_errors(loaded.diagnostics)
    assert loaded.data is not None
    return loaded.data


def load_roster(access: PlaybookFiles, playbook: dict[str, Any]) -> RosterFile:
    """roster.yaml (or, for export, the groups inline in playbook.yaml when there is no roster)."""
    kind = access.kind(ROSTER)
    if kind == "missing":
        inline = [g for g in playbook.get("groups") or [] if isinstance(g, dict)]
        return RosterFile("", inline, access.root / ROSTER, False)
    try:
        raw = access.read_bytes(ROSTER, MAX_FILE_BYTES)
    except FileRefused as err:
        raise Stop([err.diagnostic(Span(ROSTER))]) from None
    text, problems = decode(raw, ROSTER)
    _stop_on_errors(problems)
    assert text is not None
    loaded = load_text(text, ROSTER, "Roster")
    _stop_on_errors(loaded.diagnostics)
    if raw.startswith(_UTF8_BOM):  # `decode` drops it; the merge writes it back
        text = "\ufeff" + text
    assert loaded.data is not None
    groups = loaded.data.get("groups")
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise UsageError(f"{ROSTER}: `groups` is not a list of groups; run `playbook validate` "
                         "and fix it first")
    return RosterFile(text, groups, access.root / access.resolve(ROSTER), True)


def _stop_on_errors(diagnostics: list[Diagnostic]) -> None:
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise Stop(errors)
