"""Read a per-group daily metrics export (CSV or XLSX) into figures per group and day.

The file is read with the roster importer's reader (`playbook.roster.read`: only a regular
file, bounded, CSV in UTF-8/UTF-16/GB18030 or XLSX, every cell as text). Columns are found by
playbook.yaml's `metrics_file.columns`, else by their own names and the usual Chinese headers.
A row's group is matched by id, then chat_id, then name. Every row that cannot be used is
reported as FILE:ROW:COL with its header (PB062-PB066) and left out; nothing else is dropped.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from playbook.codes import diagnostic as problem
from playbook.diagnostics import Diagnostic, Related
from playbook.models.lifecycle import FIGURES
from playbook.models.project import Project
from playbook.models.types import EARLIEST_DATE, LATEST_DATE
from playbook.roster.read import Refused, Table, cell_date, read_table, read_user_file

DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("date", "日期", "统计日期"),
    "group": ("group", "group_id", "群", "群名称", "群名", "客户群名称", "chat_id", "群id"),
    "members": ("members", "群人数", "群成员数", "成员数"),
    "joined": ("joined", "入群人数", "新增人数", "进群人数"),
    "left": ("left", "退群人数", "流失人数"),
    "messages": ("messages", "消息数", "发言条数"),
    "active_members": ("active_members", "活跃人数", "发言人数"),
    "orders": ("orders", "订单数"),
    "gmv": ("gmv", "成交额", "gmv（元）"),
}
"""Headers understood without `metrics_file.columns` (compared without case and spaces)."""

_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")


@dataclass
class GroupFigures:
    """One group's figures: day -> figure -> value, and the row each day came from."""

    group_id: str
    days: dict[dt.date, dict[str, float]] = field(default_factory=dict)
    rows: dict[dt.date, int] = field(default_factory=dict)


@dataclass
class Metrics:
    """What a metrics file gave: figures per group id, the problems, the figures it holds."""

    path: str
    groups: dict[str, GroupFigures]
    problems: list[Diagnostic]
    figures: tuple[str, ...]
    """The figure columns the file has."""
    rows: int = 0
    """Data rows read (used or not)."""


class MetricsRefused(Exception):
    """The file cannot be read at all."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def read_metrics(path: Path, project: Project, needed: Iterable[str] = ()) -> Metrics:
    """The figures of the file at `path` for the groups of `project`; `needed` names the figures
    the audit uses, whose columns must be there (PB062). Raises MetricsRefused."""
    shown = str(path)
    try:
        table = read_table(read_user_file(path, shown), shown)
    except Refused as refused:  # PB080/PB081 of the reader become the audit's own codes
        d = refused.diagnostic
        code = "PB060" if d.code == "PB080" else "PB061"
        raise MetricsRefused(problem(code, d.span, d.message, help=d.help)) from None
    return figures_of(table, project, needed)


def figures_of(table: Table, project: Project, needed: Iterable[str] = ()) -> Metrics:
    """The figures in `table` (see `read_metrics`)."""
    columns, problems = _columns(table, project, needed)
    figures = tuple(f for f in FIGURES if f in columns)
    found = Metrics(table.path, {}, problems, figures, len(table.rows))
    if "date" not in columns or "group" not in columns:
        return found
    groups = _GroupIndex(project)
    date_col, group_col = columns["date"], columns["group"]
    for number, cells in table.rows:
        bad = len(problems)
        day = _date(table, number, date_col, _at(cells, date_col), problems)
        group_id = groups.find(table, number, group_col, _at(cells, group_col), problems)
        values: dict[str, float] = {}
        for name in figures:
            value = _number(table, number, columns[name], _at(cells, columns[name]), problems)
            if value is not None:
                values[name] = value
        if len(problems) > bad or day is None or group_id is None:
            continue
        series = found.groups.setdefault(group_id, GroupFigures(group_id))
        first = series.rows.get(day)
        if first is not None:
            problems.append(problem(
                "PB065", table.span(number, date_col + 1),
                f"{_header(table, date_col)} {day.isoformat()} for group '{group_id}' is already "
                f"given on row {first}; this row is left out",
                related=(Related(table.span(first, date_col + 1), "the first row for that day"),)))
            continue
        series.days[day] = values
        series.rows[day] = number
    return found


def _at(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _header(table: Table, index: int) -> str:
    return f"'{table.headers[index]}'"


def _columns(table: Table, project: Project,
             needed: Iterable[str]) -> tuple[dict[str, int], list[Diagnostic]]:
    """Column index of each figure found; PB062 for a mapped header missing or a needed one."""
    by_header: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        by_header.setdefault(_key(header), index)
    declared = project.playbook.metrics_file.columns
    columns: dict[str, int] = {}
    problems: list[Diagnostic] = []
    where = table.span(table.header_row, 1)
    for name, defaults in DEFAULT_HEADERS.items():
        mapped = declared.get(name)  # type: ignore[call-overload]
        if mapped is not None:
            if _key(mapped) in by_header:
                columns[name] = by_header[_key(mapped)]
            else:
                problems.append(problem("PB062", where, f"no column '{mapped}', which playbook.yaml's "
                                        f"metrics_file maps to {name}",
                                        help="fix the header in metrics_file.columns, or in the file"))
            continue
        found = next((by_header[_key(h)] for h in defaults if _key(h) in by_header), None)
        if found is not None:
            columns[name] = found
    for name in ("date", "group", *sorted(set(needed))):
        if name not in columns and name not in declared:
            problems.append(problem(
                "PB062", where, f"no column for {name}: looked for "
                f"{', '.join(repr(h) for h in DEFAULT_HEADERS[name])}",
                help=f"name its header in playbook.yaml: metrics_file: {{columns: {{{name}: <header>}}}}"))
    return columns, problems


def _key(header: str) -> str:
    return "".join(header.split()).casefold()


def _date(table: Table, row: int, col: int, text: str, problems: list[Diagnostic]) -> dt.date | None:
    day = _parse_date(text)
    if day is None or not EARLIEST_DATE <= day <= LATEST_DATE:
        shown = f"'{text}'" if text else "empty"
        problems.append(problem("PB066", table.span(row, col + 1),
                                f"{_header(table, col)} is {shown}, not a date between "
                                f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}",
                                help="write YYYY-MM-DD, e.g. 2026-11-23"))
        return None
    return day


_parse_date = functools.lru_cache(maxsize=4096)(cell_date)  # an export repeats each day once per group


def _number(table: Table, row: int, col: int, text: str, problems: list[Diagnostic]) -> float | None:
    if text.isascii() and text.replace(".", "", 1).isdigit():  # the common case, without the regex
        return float(text)
    if _NUMBER.fullmatch(text):
        return float(text.rstrip("%").replace(",", ""))
    shown = f"'{text}'" if text else "empty"
    problems.append(problem("PB064", table.span(row, col + 1),
                            f"{_header(table, col)} is {shown}, not a number of 0 or more",
                            help="write a plain number such as 12 or 1234.5; write 0 for none"))
    return None


class _GroupIndex:
    """Roster groups by id, chat_id and name (a name may be shared)."""

    def __init__(self, project: Project) -> None:
        self.ids = set(project.groups)
        self.chat_ids = {g.chat_id: g.id for g in project.groups.values() if g.chat_id}
        self.names: dict[str, list[str]] = {}
        for group in project.groups.values():
            self.names.setdefault(group.name, []).append(group.id)

    def find(self, table: Table, row: int, col: int, text: str, problems: list[Diagnostic]) -> str | None:
        if text in self.ids:
            return text
        if text in self.chat_ids:
            return self.chat_ids[text]
        named = self.names.get(text, [])
        if len(named) == 1:
            return named[0]
        where = table.span(row, col + 1)
        if named:
            problems.append(problem("PB063", where, f"{_header(table, col)} '{text}' is the name of "
                                    f"{len(named)} groups ({', '.join(named)}); the row is left out",
                                    help="use the group's id or chat_id in this column"))
        else:
            shown = f"'{text}'" if text else "empty"
            problems.append(problem("PB063", where, f"{_header(table, col)} is {shown}, which is no "
                                    "roster group's id, chat_id or name; the row is left out",
                                    help="add the group to the roster, or fix the name"))
        return None


