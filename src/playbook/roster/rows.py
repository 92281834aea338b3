"""Turn the rows of an export into groups to merge: find the columns, read each cell as the key
it maps to, and report every cell that cannot be used (all of them, in one run).

Which values a row must carry depends on whether it adds a group or updates one, and that is
known only once it is matched against the roster (`roster.match`); here each value is checked
for its own shape: a date is a date, a size a whole number, an owner one of the operators.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

from playbook.arguments import out_of_range
from playbook.codes import diagnostic as problem
from playbook.diagnostics import Diagnostic, Related
from playbook.roster.mapping import ImportMap, Known
from playbook.roster.read import Table, cell_date

_SIZE = re.compile(r"\d{1,9}|\d{1,3}(?:,\d{3}){1,2}")
_LIST_SEPARATORS = re.compile(r"[,;，；、]")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class _Bad(Protocol):
    """Reports a problem with the cell of `key` in the row being read."""

    def __call__(self, code: str, key: str, message: str, help: str | None = None) -> None: ...


@dataclass
class Incoming:
    """One row, read: the values it gives (None where its cell is absent or empty), and where
    each came from, for the problems found when it is matched."""

    row: int
    name: str
    chat_id: str | None = None
    id: str | None = None
    type: str | None = None
    """From the `type` column, else the name patterns, else `--type`."""
    operator: str | None = None
    """From the `owner` or `operator` column: the group's owner in the export."""
    fallback_operator: str | None = None
    """`--operator` (or the map's `operator`), for a new group whose row names no owner."""
    opened: dt.date | None = None
    size: int | None = None
    extra: dict[str, object] = field(default_factory=dict)
    """Further keys for a new group: robot, locale, tags, classes, fields."""
    columns: dict[str, int] = field(default_factory=dict)
    """Roster key -> the column it was read from."""


@dataclass
class Read:
    """The rows that can be merged, and every problem found."""

    rows: list[Incoming]
    problems: list[Diagnostic]
    skipped: int
    """Rows left out because of a problem."""


def read_rows(table: Table, mapping: ImportMap, known: Known) -> Read:
    """Every data row of `table` as an `Incoming`, and the problems of those that cannot be."""
    columns, problems = _columns(table, mapping)
    if "name" not in columns:
        shown = ", ".join(repr(h) for h in table.headers if h) or "none"
        problems.append(problem(
            "PB082", table.span(table.header_row, 1),
            f"no column holds the group name (headers: {shown})",
            help="name it with `--column HEADER=name` or in the map file's `columns:`"))
        return Read([], problems, len(table.rows))
    rows: list[Incoming] = []
    first_chat: dict[str, tuple[int, int]] = {}
    skipped = 0
    for number, cells in table.rows:
        found: list[Diagnostic] = []
        row = _row(table, number, cells, columns, mapping, known, found)
        if row is not None and row.chat_id is not None:
            seen = first_chat.setdefault(row.chat_id, (number, columns["chat_id"]))
            if seen[0] != number:
                found.append(problem(
                    "PB085", table.span(number, columns["chat_id"]),
                    f"chat_id '{row.chat_id}' is also on row {seen[0]} "
                    f"(column '{_header(table, columns, 'chat_id')}')",
                    related=(Related(table.span(*seen), "first given here"),)))
        if found or row is None:
            skipped += 1
            problems += found
        else:
            rows.append(row)
    return Read(rows, problems, skipped)


def _columns(table: Table, mapping: ImportMap) -> tuple[dict[str, int], list[Diagnostic]]:
    """Roster key -> 1-based column; two columns for one key is a problem (which one is meant?)."""
    columns: dict[str, int] = {}
    problems: list[Diagnostic] = []
    for index, header in enumerate(table.headers, 1):
        key = mapping.key_for(header) if header else None
        if key is None or key == "ignore":
            continue
        if key in columns:
            problems.append(problem(
                "PB082", table.span(table.header_row, index),
                f"columns {columns[key]} and {index} both map to '{key}' (column '{header}')",
                help="map one of them to `ignore` in the map file's `columns:`"))
            continue
        columns[key] = index
    return columns, problems


def _header(table: Table, columns: dict[str, int], key: str) -> str:
    return table.headers[columns[key] - 1]


def _row(table: Table, number: int, cells: list[str], columns: dict[str, int], mapping: ImportMap,
         known: Known, found: list[Diagnostic]) -> Incoming | None:
    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index - 1] if index is not None and index <= len(cells) else ""

    def bad(code: str, key: str, message: str, help: str | None = None) -> None:
        found.append(problem(code, table.span(number, columns[key]),
                             f"{message} (column '{_header(table, columns, key)}')", help=help))

    name = cell("name")
    if not name:
        bad("PB083", "name", "the group name is empty")
        return None
    row = Incoming(number, name, columns=dict(columns))
    row.chat_id = cell("chat_id") or None
    row.id = cell("id") or None
    _type(row, cell("type"), mapping, known, bad)
    _operator(row, cell("operator"), cell("owner"), mapping, known, bad)
    row.fallback_operator = mapping.default_operator
    if cell("opened"):
        row.opened = _date(cell("opened"), bad)
    if cell("size"):
        text = cell("size")
        if _SIZE.fullmatch(text):
            row.size = int(text.replace(",", ""))
        else:
            bad("PB087", "size", f"'{text}' is not a member count: write a whole number")
    for key in ("robot", "locale"):
        if cell(key):
            row.extra[key] = cell(key)
    for key in ("tags", "classes"):
        items = [part.strip() for part in _LIST_SEPARATORS.split(cell(key)) if part.strip()]
        if items:
            row.extra[key] = items
    values = {key[7:]: _field_value(cell(key), known.field_types.get(key[7:]))
              for key in columns if key.startswith("fields.") and cell(key)}
    if values:
        row.extra["fields"] = values
    return row


def _type(row: Incoming, given: str, mapping: ImportMap, known: Known, bad: _Bad) -> None:
    if given:
        if given in known.types:
            row.type = given
        else:
            bad("PB088", "type", f"'{given}' is not a group type of this playbook",
                help=f"known types: {', '.join(sorted(known.types)) or 'none'}")
        return
    row.type = mapping.type_for(row.name)


def _operator(row: Incoming, operator: str, owner: str, mapping: ImportMap, known: Known, bad: _Bad) -> None:
    if operator:
        if operator in known.operator_ids:
            row.operator = operator
        else:
            bad("PB084", "operator", f"'{operator}' is not an operator id of this playbook",
                help=f"operators: {', '.join(sorted(known.operator_ids)) or 'none'}")
    elif owner:
        resolved = mapping.owners.get(owner) or known.operators.get(owner)
        if resolved:
            row.operator = resolved
        else:
            bad("PB084", "owner", f"owner '{owner}' is not an operator of this playbook",
                help="add it to the map file's `owners:` table or with `--owner NAME=OPERATOR`, "
                     "or give the operator a matching name or wecom_userid in playbook.yaml")


def _date(text: str, bad: _Bad) -> dt.date | None:
    day = cell_date(text)
    why = out_of_range(day) if day else None
    if day is None or why:
        bad("PB086", "opened", f"'{text}' is not a date{': ' + why if why else ''}",
            help="write YYYY-MM-DD, e.g. 2026-11-23")
        return None
    return day


def _field_value(text: str, declared: str | None) -> object:
    """A field's cell as YAML should hold it: a number for a number field, a date for a date
    field (when the text is one), else the text; validation checks it against the declaration."""
    if declared == "number" and _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    if declared == "date":
        return cell_date(text) or text
    return text
