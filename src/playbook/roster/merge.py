"""Apply a `Plan` to roster.yaml's text: every byte outside the changed values and the new groups
stays as its author wrote it (comments, blank lines, key order, quoting, indentation).

`migrate` rewrites a document with a ruamel.yaml round trip; an import does not, because its edits
are few and local (a value replaced, a key inserted, groups appended) and because ruamel's pure
Python emitter needs ~4 s to write 5,000 groups back. The text is composed once by libyaml (the
loader already accepted it), and each edit is made at the position of its node. New text is
written in the style of the file: the groups' own dash and key columns, one key per line.

The roster's `version` gets its patch number bumped when anything changes, as every edit to a
document must (PB801 in `playbook diff`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import yaml

from playbook.errors import UsageError
from playbook.roster.match import Plan

_BOM = "\ufeff"
_SEMVER = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s]", re.MULTILINE)
_MAPPING_INDENT = 2
"""How far a group's `fields:` are indented below it."""

Edit = tuple[int, int, str]
"""Replace text[start:end] with the string."""


def new_roster(owner: str, today: dt.date) -> str:
    """The text of a roster.yaml for a playbook that has none yet."""
    return ("# yaml-language-server: $schema=schema/roster.schema.json\n"
            "apiVersion: playbook/v1\n"
            "kind: Roster\n"
            "id: roster\n"
            "version: 0.1.0\n"
            "title: Roster\n"
            f"owner: {scalar(owner)}\n"
            f"description: Groups imported with `playbook roster import` on {today.isoformat()}.\n"
            "groups: []\n")


def apply(text: str, plan: Plan) -> tuple[str, str | None]:
    """`text` with `plan` applied, and the version change (`1.0.0 → 1.0.1`; None when the version
    is not MAJOR.MINOR.PATCH). The same text when the plan changes nothing."""
    if not plan.changed:
        return text, None
    bom = text.startswith(_BOM)
    body = text[len(_BOM):] if bom else text
    crlf = "\r\n" in body
    body = body.replace("\r\n", "\n")
    root = yaml.compose(body, Loader=yaml.CSafeLoader)
    assert isinstance(root, yaml.MappingNode)  # the loader accepted the roster
    edits: list[Edit] = []
    bumped = _bump(root, edits)
    groups = _value(root, "groups")
    if groups is not None and _ANCHOR.search(body):  # without an anchor there is no alias
        _refuse_aliases(groups)
    for update in plan.updates:
        assert isinstance(groups, yaml.SequenceNode)
        group = groups.value[update.index]
        if not isinstance(group, yaml.MappingNode):
            raise UsageError(f"roster.yaml: group {update.group_id} is not a mapping")
        edits.append(_set(body, group, update.key, update.new))
    if plan.added:
        edits.append(_append(body, root, groups, plan.added))
    body = _edited(body, edits)
    if crlf:
        body = body.replace("\n", "\r\n")
    return (_BOM if bom else "") + body, bumped


def _edited(body: str, edits: list[Edit]) -> str:
    """`body` with every edit made, in one pass (edits never overlap: each is its own node)."""
    pieces, done = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        pieces += [body[done:start], new]
        done = end
    pieces.append(body[done:])
    return "".join(pieces)


def scalar(value: object) -> str:
    """`value` as one line of YAML that loads back as the same value (quoted when plain text
    would read as a number, date, boolean or null; escaped when it holds a line break or a
    character YAML does not allow raw)."""
    if isinstance(value, (list, dict)):
        return yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=True, width=1 << 20,
                         default_flow_style=True, sort_keys=False).rstrip("\n")
    style = '"' if isinstance(value, str) and not value.isprintable() else None
    out = yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=True, width=1 << 20,
                    default_style=style)
    return out.removesuffix("\n...\n").rstrip("\n")


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            found: yaml.Node = v
            return found
    return None


def _nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    yield node
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nodes(item)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            yield from _nodes(k)
            yield from _nodes(v)


def _refuse_aliases(groups: yaml.Node) -> None:
    """An alias shares one node between two places: editing it would change both."""
    seen: set[int] = set()
    for node in _nodes(groups):
        if id(node) in seen:
            raise UsageError("roster.yaml: the groups use YAML aliases (*name); write the "
                             "repeated values out before importing")
        seen.add(id(node))


def _bump(root: yaml.MappingNode, edits: list[Edit]) -> str | None:
    node = _value(root, "version")
    if not isinstance(node, yaml.ScalarNode):
        return None
    match = _SEMVER.fullmatch(node.value)
    if match is None:
        return None
    new = f"{match[1]}.{match[2]}.{int(match[3]) + 1}"
    quote = node.style if node.style in ("'", '"') else ""
    edits.append((node.start_mark.index, node.end_mark.index, f"{quote}{new}{quote}"))
    return f"{node.value} → {new}"


def _set(body: str, group: yaml.MappingNode, key: str, value: object) -> Edit:
    """Replace the value of `key` in `group`, or insert `key` after the group's `name`."""
    old = _value(group, key)
    if old is not None:
        start, end = old.start_mark.index, old.end_mark.index
        return start, end, (" " if start == end and body[start - 1:start] == ":" else "") + scalar(value)
    entry = f"{key}: {scalar(value)}"
    name = next(((k, v) for k, v in group.value if isinstance(k, yaml.ScalarNode) and k.value == "name"),
                group.value[0])
    if group.flow_style:
        return name[1].end_mark.index, name[1].end_mark.index, f", {entry}"
    at = _line_after(body, name[1])
    return at, at, " " * name[0].start_mark.column + entry + "\n"


def _line_after(body: str, node: yaml.Node) -> int:
    """Where the line after the one `node` ends on starts (a block scalar already ends there)."""
    end = node.end_mark.index
    if end > 0 and body[end - 1] == "\n":
        return end
    newline = body.find("\n", end)
    return len(body) if newline < 0 else newline + 1


def _last_leaf(node: yaml.Node) -> yaml.Node:
    while isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _append(body: str, root: yaml.MappingNode, groups: yaml.Node | None,
            added: list[dict[str, object]]) -> Edit:
    """Add the new groups at the end of the `groups` list, in its style."""
    if isinstance(groups, yaml.SequenceNode) and groups.value and not groups.flow_style:
        first = groups.value[0]
        dash, keys = groups.start_mark.column, first.start_mark.column
        at = _line_after(body, _last_leaf(groups))
        prefix = "" if at == 0 or body[at - 1] == "\n" else "\n"
        return at, at, prefix + "".join(_block(g, dash, keys) for g in added)
    if isinstance(groups, yaml.SequenceNode) and groups.value:  # a flow list: [{...}, {...}]
        close = groups.end_mark.index - 1
        return close, close, "".join(", " + scalar(_plain(g)) for g in added)
    key = next(k for k, v in root.value if v is groups) if groups is not None else None
    column = key.start_mark.column if key is not None else 0
    text = "".join(_block(g, column + 2, column + 4) for g in added)
    if groups is None:  # no `groups:` at all
        return len(body), len(body), ("" if body.endswith("\n") or not body else "\n") + "groups:\n" + text
    # `groups: []` or an empty `groups:`: from the key on, `groups:` and the list below it
    assert key is not None
    return key.end_mark.index, max(groups.end_mark.index, key.end_mark.index + 1), ":\n" + text.rstrip("\n")


def _plain(group: dict[str, object]) -> dict[str, object]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in group.items()}


def _block(group: dict[str, object], dash: int, keys: int) -> str:
    """One new group as block YAML: `- ` at column `dash`, its keys at column `keys`."""
    lines = []
    for index, (key, value) in enumerate(group.items()):
        lead = " " * dash + "-" + " " * (keys - dash - 1) if index == 0 else " " * keys
        if isinstance(value, dict):
            lines.append(f"{lead}{key}:")
            lines += [" " * (keys + _MAPPING_INDENT) + f"{scalar(k)}: {scalar(v)}" for k, v in value.items()]
        else:
            lines.append(f"{lead}{key}: {scalar(value)}")
    return "\n".join(lines) + "\n"
