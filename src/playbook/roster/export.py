"""`playbook roster export`: the roster's groups as one spreadsheet row each, CSV or XLSX.

Every id, chat_id, date and name is a text cell, so a spreadsheet never turns `0012` into 12 or
a 19-digit id into 1.23E+18; the member count is the one number. Cells that would start a formula
are neutralised (`'=…` in CSV, a text-typed cell in XLSX) and control characters escaped, since
names come from outside. The headers are the roster keys, which `roster import` reads back.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playbook.errors import UsageError
from playbook.files import PlaybookFiles
from playbook.inert import csv_row, data, terminal
from playbook.pipeline import EXIT_OK, report_stop, require_playbook
from playbook.roster.documents import Stop, load_playbook, load_roster
from playbook.writer import write_bytes

COLUMNS = ("id", "name", "chat_id", "type", "operator", "opened", "size")
"""Always written, in this order."""
OPTIONAL = ("robot", "platform", "locale", "cohort_starts", "tags", "classes")
"""Written when at least one group has a value; then the declared fields as `fields.<id>`."""
_NUMBER_COLUMNS = frozenset({"size"})

Cell = str | int


def table(groups: Sequence[dict[str, Any]],
          declared: Sequence[str] = ()) -> tuple[list[str], list[list[Cell]]]:
    """The header and one row per group. `declared` orders the field columns (playbook.yaml's
    group_fields); fields no declaration names follow in the order groups first use them."""
    present = {key for g in groups for key, value in g.items() if value not in (None, [], {})}
    fields = list(declared)
    for g in groups:
        values = g.get("fields")
        if isinstance(values, dict):
            fields += [f for f in values if f not in fields]
    used = [f for f in fields if any(isinstance(g.get("fields"), dict) and f in g["fields"] for g in groups)]
    headers = [*COLUMNS, *(k for k in OPTIONAL if k in present), *(f"fields.{f}" for f in used)]
    rows = [[_cell(header, _value(group, header)) for header in headers] for group in groups]
    return headers, rows


def _value(group: dict[str, Any], header: str) -> object:
    if header.startswith("fields."):
        values = group.get("fields")
        return values.get(header[7:]) if isinstance(values, dict) else None
    return group.get(header)


def _cell(header: str, value: object) -> Cell:
    if value is None:
        return ""
    if header in _NUMBER_COLUMNS and isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def to_csv(headers: list[str], rows: list[list[Cell]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Chinese right), CRLF rows, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(headers))
    for row in rows:
        writer.writerow(csv_row(str(cell) for cell in row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list[Cell]]) -> bytes:
    """One worksheet, `roster`: a frozen bold header row, text cells (format `@`) except the
    member count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("roster")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Cell, header: bool = False) -> SheetCell:
        made = WriteOnlyCell(sheet, value=value if isinstance(value, int) else data(value))
        if isinstance(value, str):
            made.data_type = "s"  # never a formula, whatever the text starts with
            made.number_format = "@"
        if header:
            made.font = bold
        return made

    sheet.append([cell(h, header=True) for h in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_export(args: argparse.Namespace) -> int:
    """Write the roster as `args.fmt` to `args.out` (atomically) or, for CSV, to stdout (`-`)."""
    out: Path = args.out if args.out is not None else Path(f"roster.{args.fmt}")
    to_stdout = str(out) == "-"
    if to_stdout and args.fmt != "csv":
        raise UsageError("--out -: only CSV is written to standard output; name an .xlsx file")
    if not to_stdout and out.suffix.lower() != f".{args.fmt}":
        raise UsageError(f"--out {out}: a {args.fmt.upper()} file is named *.{args.fmt}")
    if not to_stdout and out.is_dir():
        raise UsageError(f"--out {out} is a folder; name the file to write")
    require_playbook(args.root)
    access = PlaybookFiles(args.root)
    try:
        playbook = load_playbook(access)
        roster = load_roster(access, playbook)
    except Stop as stop:
        return report_stop(stop.diagnostics, stop.files, "export")
    declared = [f["id"] for f in playbook.get("group_fields") or []
                if isinstance(f, dict) and isinstance(f.get("id"), str)]
    headers, rows = table(roster.groups, declared)
    payload = to_csv(headers, rows) if args.fmt == "csv" else to_xlsx(headers, rows)
    if to_stdout:
        sys.stdout.write(payload.decode("utf-8-sig"))  # a pipe needs no BOM
        return EXIT_OK
    write_bytes(out, payload)
    print(terminal(f"{out}: {len(rows)} group{'s' if len(rows) != 1 else ''} written"))
    return EXIT_OK
