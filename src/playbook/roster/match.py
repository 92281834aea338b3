"""Match read rows against the roster's groups and decide what changes: a plan, computed on
plain values (the roster as the loader gives it) so it is tested without touching YAML text.

A row is the group with its chat_id; else the group with its `id` (the round trip of an
export); else the one group with its name (a roster group that carries another chat_id is
another group). A matched group gets the row's member count and owner, and a chat_id when it
has none; nothing else of it changes, so every hand-written value stays. An unmatched row adds
a group, with a generated id unless the row gives a free one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from playbook.codes import diagnostic as problem
from playbook.diagnostics import Diagnostic, Related
from playbook.roster.read import Table
from playbook.roster.rows import Incoming

_ID = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_MAX_ID = 40


@dataclass(frozen=True)
class Update:
    """One value of an existing group that changes: `old` is None when the key is new."""

    index: int
    group_id: str
    key: str
    old: object
    new: object


@dataclass
class Plan:
    """What an import does to the roster, and the rows it cannot place."""

    added: list[dict[str, object]] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    skipped: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updates)


def plan(groups: Sequence[dict[str, Any]], rows: Sequence[Incoming], table: Table) -> Plan:
    """What merging `rows` (read from `table`) into `groups` changes."""
    result = Plan()
    by_chat = {g["chat_id"]: i for i, g in enumerate(groups) if isinstance(g.get("chat_id"), str)}
    by_id = {g["id"]: i for i, g in enumerate(groups) if isinstance(g.get("id"), str)}
    by_name: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        if isinstance(g.get("name"), str):
            by_name.setdefault(g["name"].strip(), []).append(i)
    taken = set(by_id)
    claimed: dict[object, Incoming] = {}
    for row in rows:
        target, why = _target(row, groups, by_chat, by_id, by_name)
        key: object = target if target is not None else ("new", row.chat_id or row.name)
        earlier = claimed.get(key) if why is None else None
        if why is None and earlier is not None:
            what = f"group '{groups[target]['id']}'" if target is not None else "the same new group"
            why = f"row {earlier.row} already stands for {what}"
        if why is not None:
            _skip(result, table, row, "PB090", "name", why,
                  related=(Related(table.span(earlier.row, earlier.columns["name"]), "that row"),)
                  if earlier is not None else ())
            continue
        claimed[key] = row
        if target is not None:
            result.updates += _updates(target, groups[target], row)
        else:
            added = _new_group(row, taken, table, result)
            if added is not None:
                taken.add(str(added["id"]))
                result.added.append(added)
    return result


def _target(row: Incoming, groups: Sequence[dict[str, Any]], by_chat: dict[str, int],
            by_id: dict[str, int], by_name: dict[str, list[int]]) -> tuple[int | None, str | None]:
    """The index of the roster group `row` stands for (None: a new one), or why it is unclear."""
    if row.chat_id is not None and row.chat_id in by_chat:
        return by_chat[row.chat_id], None
    if row.id is not None and row.id in by_id:
        return by_id[row.id], None
    candidates = [i for i in by_name.get(row.name, [])
                  if row.chat_id is None or not isinstance(groups[i].get("chat_id"), str)]
    if len(candidates) > 1:
        ids = ", ".join(f"'{groups[i].get('id')}'" for i in candidates)
        return None, f"the name '{row.name}' is shared by groups {ids} of the roster; add a chat_id column"
    return (candidates[0] if candidates else None), None


def _updates(index: int, group: dict[str, Any], row: Incoming) -> list[Update]:
    group_id = str(group.get("id"))
    changes = []
    if row.size is not None and group.get("size") != row.size:
        changes.append(Update(index, group_id, "size", group.get("size"), row.size))
    if row.operator is not None and group.get("operator") != row.operator:
        changes.append(Update(index, group_id, "operator", group.get("operator"), row.operator))
    if row.chat_id is not None and not group.get("chat_id"):
        changes.append(Update(index, group_id, "chat_id", None, row.chat_id))
    return changes


def _new_group(row: Incoming, taken: set[str], table: Table, result: Plan) -> dict[str, object] | None:
    """The new group's keys in the order the roster writes them, or None (reported) when the row
    lacks what a group needs."""
    operator = row.operator or row.fallback_operator
    missing = [
        ("type", "no group type: add a type column, a pattern in the map file's `types:`, or --type"),
        ("operator", "no operator: the row names no owner; add an owner column or --operator"),
        ("opened", "no opening date: the row has no 创建时间 (opened)"),
    ]
    values = {"type": row.type, "operator": operator, "opened": row.opened}
    problems = [(key, why) for key, why in missing if values[key] is None]
    if row.id is not None and not (_ID.fullmatch(row.id) and len(row.id) <= _MAX_ID):
        _skip(result, table, row, "PB083", "id", f"'{row.id}' is not a usable group id: use lower-case "
                                                 "letters, digits, '-' or '_'")
        return None
    for key, why in problems:
        column = "owner" if key == "operator" and "owner" in row.columns else key
        _skip(result, table, row, "PB083", column if column in row.columns else "name",
              f"new group '{row.name}' has {why}", count=key == problems[0][0])
    if problems:
        return None
    assert isinstance(row.opened, dt.date)
    group: dict[str, object] = {"id": row.id or new_id(row.name, row.chat_id, taken), "name": row.name}
    if row.chat_id is not None:
        group["chat_id"] = row.chat_id
    group.update({"type": row.type, "operator": operator, "opened": row.opened})
    if row.size is not None:
        group["size"] = row.size
    group.update(row.extra)
    return group


def _skip(result: Plan, table: Table, row: Incoming, code: str, key: str, message: str, *,
          related: tuple[Related, ...] = (), count: bool = True) -> None:
    column = row.columns[key]
    result.problems.append(problem(code, table.span(row.row, column),
                                   f"{message} (column '{table.headers[column - 1]}')", related=related))
    result.skipped += count


def new_id(name: str, chat_id: str | None, taken: set[str]) -> str:
    """A group id no other group has, the same on every machine: the Latin letters and digits of
    the name (`VIP福利群A` -> `vip-a`) when there are at least three, else `g-` and eight hex
    digits of the chat_id's (or the name's) SHA-256; `-2`, `-3`, … when taken."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    base = "-".join(words)[:_MAX_ID].strip("-")
    if len(base.replace("-", "")) < 3:
        base = "g-" + hashlib.sha256((chat_id or name).encode("utf-8")).hexdigest()[:8]
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
