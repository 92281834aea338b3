"""How the columns of an export become roster keys, and how a row gets its group type and
operator: the defaults for the common WeCom headers, a `--map` YAML file and the flags.

A `--map` file (every key optional):

    columns:            # header in the file -> roster key
      客户群名称: name
      负责人: owner
      门店: fields.store
    types:              # the first pattern matching the group's name gives its type
      - match: "*训练营*"          # a glob (* and ?)
        type: training-camp
      - regex: "^悦享汇·华东.*官方"  # or a regular expression, searched in the name
        type: middle-official
    owners:             # owner as the file writes it -> operator id
      林晓: lin-xiao
    type: welfare-hot   # the type of a new group no pattern matches
    operator: lin-xiao  # the operator of a new group whose row names no owner
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from playbook.codes import diagnostic as problem
from playbook.diagnostics import Diagnostic
from playbook.source import SourceMap, join

KEYS = ("id", "name", "type", "operator", "owner", "opened", "size", "chat_id", "robot", "locale",
        "tags", "classes")
"""Roster keys a column can fill; `fields.<id>` fills a declared group field, `ignore` nothing.
`owner` is the group owner as the export writes it (a name or WeCom userid), turned into an
operator id."""

DEFAULT_COLUMNS = {
    "群名称": "name", "群名": "name", "客户群名称": "name",
    "群主": "owner", "群主名称": "owner",
    "群id": "chat_id", "群聊id": "chat_id", "客户群id": "chat_id", "chat_id": "chat_id", "chatid": "chat_id",
    "创建时间": "opened", "建群时间": "opened",
    "群人数": "size", "群成员数": "size",
    **{key: key for key in KEYS},
}
"""Headers understood without a `--map` file (compared without case and surrounding spaces)."""

_MAP_KEYS = ("columns", "types", "owners", "type", "operator")
Report = Callable[[str, str], None]
"""Records a problem at a JSON pointer of the map file."""


def header_key(header: str) -> str:
    """A header as the tables compare it."""
    return header.strip().casefold()


def target_problem(target: object) -> str | None:
    """Why `target` is not a key a column can map to, or None."""
    if not isinstance(target, str):
        return "a column maps to a roster key written as text"
    if target in KEYS or target == "ignore":
        return None
    if target.startswith("fields.") and re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", target[7:]):
        return None
    return (f"'{target}' is not a roster key; use one of {', '.join(KEYS)}, fields.<id> or ignore")


@dataclass(frozen=True)
class TypeRule:
    """One line of `types:`: names matching `pattern` get group type `type`."""

    pattern: re.Pattern[str]
    type: str
    shown: str


@dataclass
class ImportMap:
    """Everything that says how rows become groups; built from the defaults, a `--map` file and
    the flags (later ones win)."""

    columns: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    types: list[TypeRule] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)
    default_type: str | None = None
    default_operator: str | None = None

    def key_for(self, header: str) -> str | None:
        """The roster key the column headed `header` fills (None: the column is not read); a
        header written as a key, `fields.<id>` included, needs no mapping."""
        wanted = header_key(header)
        key = self.columns.get(wanted)
        if key is None and wanted.startswith("fields.") and target_problem(wanted) is None:
            return wanted
        return key

    def type_for(self, name: str) -> str | None:
        """The group type the name patterns (then the default) give a group called `name`."""
        for rule in self.types:
            if rule.pattern.search(name):
                return rule.type
        return self.default_type


@dataclass(frozen=True)
class Known:
    """What the playbook declares that an import checks against."""

    types: frozenset[str]
    operators: Mapping[str, str]
    """Every way a row may name an operator (id, name, WeCom userid) -> the operator id."""
    operator_ids: frozenset[str]
    field_types: Mapping[str, str]
    """Declared group field id -> its type (text, number, date, enum, url)."""


def known_from(playbook: Mapping[str, Any]) -> Known:
    """`Known` from playbook.yaml as the loader gives it (plain values, not yet validated)."""
    types = {t["id"] for t in _items(playbook.get("group_types")) if isinstance(t.get("id"), str)}
    operators: dict[str, str] = {}
    ids: set[str] = set()
    for op in _items(playbook.get("operators")):
        op_id = op.get("id")
        if not isinstance(op_id, str):
            continue
        ids.add(op_id)
        for alias in (op.get("wecom_userid"), op.get("name")):  # an id wins over a name
            if isinstance(alias, str) and alias.strip():
                operators.setdefault(alias.strip(), op_id)
    operators.update({i: i for i in ids})
    fields = {f["id"]: str(f.get("type", "text")) for f in _items(playbook.get("group_fields"))
              if isinstance(f.get("id"), str)}
    return Known(frozenset(types), operators, frozenset(ids), fields)


def _items(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def read_map(data: Mapping[str, Any], source: SourceMap, known: Known) -> tuple[ImportMap, list[Diagnostic]]:
    """The `--map` file's mapping (as the loader gives it), checked; problems are PB089 at their
    place in the file."""
    result = ImportMap()
    found: list[Diagnostic] = []

    def bad(ptr: str, message: str) -> None:
        found.append(problem("PB089", source.value(ptr), message))

    for name in data:
        if name not in _MAP_KEYS:
            found.append(problem("PB089", source.key(join("", name)),
                                 f"unknown key '{name}'; a map file has {', '.join(_MAP_KEYS)}"))
    for header, target in _pairs(data, "columns", bad):
        why = target_problem(target)
        if why:
            bad(join("/columns", header), why)
        else:
            result.columns[header_key(header)] = str(target)
    for owner, operator in _pairs(data, "owners", bad):
        if operator not in known.operator_ids:
            bad(join("/owners", owner), f"'{operator}' is not an operator of this playbook")
        else:
            result.owners[owner.strip()] = str(operator)
    rules = data.get("types", [])
    if not isinstance(rules, list):
        bad("/types", "`types` is a list of {match: GLOB, type: TYPE} or {regex: RE, type: TYPE}")
        rules = []
    for index, rule in enumerate(rules):
        parsed = _type_rule(rule, f"/types/{index}", known, bad)
        if parsed:
            result.types.append(parsed)
    defaults = (("type", known.types, "group type"), ("operator", known.operator_ids, "operator"))
    for key, allowed, what in defaults:
        value = data.get(key)
        if value is None:
            continue
        if value not in allowed:
            bad(f"/{key}", f"'{value}' is not a {what} of this playbook")
        elif key == "type":
            result.default_type = str(value)
        else:
            result.default_operator = str(value)
    return result, found


def _pairs(data: Mapping[str, Any], key: str, bad: Report) -> list[tuple[str, str]]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        bad(f"/{key}", f"`{key}` is a mapping of text to text")
        return []
    return [(str(k), v) for k, v in value.items()]


def _type_rule(rule: object, ptr: str, known: Known, bad: Report) -> TypeRule | None:
    if not isinstance(rule, dict) or set(rule) not in ({"match", "type"}, {"regex", "type"}):
        bad(ptr, "a type rule is {match: GLOB, type: TYPE} or {regex: RE, type: TYPE}")
        return None
    kind = "match" if "match" in rule else "regex"
    text, group_type = rule[kind], rule["type"]
    if not isinstance(text, str) or not text:
        bad(f"{ptr}/{kind}", "the pattern is text")
        return None
    if group_type not in known.types:
        bad(f"{ptr}/type", f"'{group_type}' is not a group type of this playbook")
        return None
    try:
        # a glob must match the whole name; a regular expression is searched in it
        pattern = re.compile(fnmatch.translate(text) if kind == "match" else text)
    except re.error as err:
        bad(f"{ptr}/{kind}", f"the regular expression does not compile: {err}")
        return None
    return TypeRule(pattern, str(group_type), text)


def with_flags(base: ImportMap, known: Known, *, columns: list[str], owners: list[str],
               group_type: str | None, operator: str | None) -> ImportMap:
    """`base` with the command-line flags applied; a bad flag raises `UsageError`."""
    from playbook.errors import UsageError

    for pair in columns:
        header, _, target = pair.partition("=")
        why = target_problem(target.strip()) if header.strip() and target else "write HEADER=KEY"
        if why:
            raise UsageError(f"--column {pair!r}: {why}")
        base.columns[header_key(header)] = target.strip()
    for pair in owners:
        owner, _, op = pair.partition("=")
        if not owner.strip() or op.strip() not in known.operator_ids:
            raise UsageError(f"--owner {pair!r}: write OWNER=OPERATOR with an operator id of this "
                             f"playbook ({', '.join(sorted(known.operator_ids)) or 'none declared'})")
        base.owners[owner.strip()] = op.strip()
    if group_type is not None:
        if group_type not in known.types:
            raise UsageError(f"--type {group_type!r} is not a group type of this playbook "
                             f"({', '.join(sorted(known.types)) or 'none declared'})")
        base.default_type = group_type
    if operator is not None:
        if operator not in known.operator_ids:
            raise UsageError(f"--operator {operator!r} is not an operator of this playbook "
                             f"({', '.join(sorted(known.operator_ids)) or 'none declared'})")
        base.default_operator = operator
    return base
