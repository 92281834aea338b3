"""The apiVersions this tool knows, oldest first, and the migration from each to the next.

A migration is a small function that edits one document in place (a ruamel.yaml round-trip
mapping, so comments and key order are kept) and returns a line per change, for the report.
Adding a schema version means: append it to `VERSIONS` (models/versions.py), write the
migration from the previous one, register it in `MIGRATIONS`, and test it on a file with comments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playbook.models.versions import VERSIONS


@dataclass(frozen=True)
class Migration:
    """How to turn a document of `source` into one of `target` (the next version)."""

    source: str
    target: str
    summary: str
    apply: Callable[[Any, str], list[str]]
    """(document mapping, kind) -> what was changed, one line each."""


def rename_key(mapping: Any, old: str, new: str) -> bool:
    """Rename `old` to `new` in a round-trip mapping, at the same position and with its
    comments. Returns False when `old` is absent or `new` is already there (left as it is,
    so validation reports it)."""
    if not hasattr(mapping, "insert") or old not in mapping or new in mapping:
        return False
    position = list(mapping).index(old)
    comment = mapping.ca.items.get(old)
    value = mapping[old]
    del mapping[old]
    mapping.insert(position, new, value)
    if comment is not None:
        mapping.ca.items[new] = comment
        shift_comment(mapping, new, len(new) - len(old))
    return True


def shift_comment(mapping: Any, key: str, delta: int) -> None:
    """Move the end-of-line comment after `key`'s value by `delta` columns, so it keeps its
    distance from a key or value whose length changed (ruamel keeps the old column)."""
    entry = mapping.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is not None and hasattr(token, "column"):
        token.column = max(token.column + delta, 0)


def _v1alpha1_to_v1(document: Any, kind: str) -> list[str]:
    """v1 renamed the header's `maintainer` to `owner` (it names a team as often as a person)
    and a script step's `offset` to `at` (the same word calendars use for a moment)."""
    changes = []
    if rename_key(document, "maintainer", "owner"):
        changes.append("maintainer → owner")
    steps = document.get("steps") if kind == "OnboardingScript" else None
    if isinstance(steps, list):
        for index, step in enumerate(steps):
            if isinstance(step, dict) and rename_key(step, "offset", "at"):
                changes.append(f"steps[{index}].offset → steps[{index}].at")
    return changes


MIGRATIONS: dict[str, Migration] = {
    m.source: m for m in (
        Migration("playbook/v1alpha1", "playbook/v1",
                  "`maintainer` becomes `owner`; script steps' `offset` becomes `at`",
                  _v1alpha1_to_v1),
    )
}
"""source apiVersion -> the migration to the next version."""


def steps_between(source: str, target: str) -> list[Migration]:
    """The migrations that lead from `source` to `target`, in order; [] when they are equal.
    Raises ValueError for an unknown version or a downgrade."""
    for version in (source, target):
        if version not in VERSIONS:
            raise ValueError(f"unknown apiVersion '{version}' (known: {', '.join(VERSIONS)})")
    if VERSIONS.index(target) < VERSIONS.index(source):
        raise ValueError(f"cannot migrate {source} back to the older {target}")
    chain = []
    version = source
    while version != target:
        step = MIGRATIONS[version]
        chain.append(step)
        version = step.target
    return chain
