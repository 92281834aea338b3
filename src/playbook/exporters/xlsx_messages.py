"""`messages.xlsx`: the rows of messages.csv as a workbook, one sheet per day, for operators
who open the bundle in Excel or WPS.

Every cell is a text cell (type `s`, number format `@`): an id such as `m0374426643060509` or
a time `08:30` is never turned into a number, a date or a formula, whatever it looks like, so
no leading `'` is needed (messages.csv needs one). The header row is bold and frozen. Control
characters, which XML cannot carry, are shown as escapes (`\\x1b`, `inert.data`); a cell longer
than Excel's 32,767 characters is cut and says so (messages.json keeps every text whole).

The bytes are reproducible: the workbook's created/modified stamps are the bundle's DTSTAMP
and every zip entry is dated 1980-01-01, so one bundle exported twice is byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from playbook import inert
from playbook.bundle.compose import Message
from playbook.exporters.base import Selection
from playbook.exporters.csv_messages import COLUMNS, values
from playbook.exporters.runsheet import weekday

FILE = "messages.xlsx"
CELL_CHARS = 32767
"""The most characters an Excel cell holds."""
CUT = "…(cut: see messages.json)"
WIDTHS = {"id": 20, "send_date": 12, "send_time": 8, "group_name": 28, "text": 60, "route": 18}
"""Column widths (in characters) of the columns an operator reads; others get `OTHER_WIDTH`."""
OTHER_WIDTH = 14
_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def cell_text(value: str) -> str:
    """A cell's text: inert for XML, and within Excel's limit."""
    text = inert.data(value)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - len(CUT)] + CUT


def sheet_name(day: dt.date, locale: str) -> str:
    """`2026-11-30 周一`: a day's sheet (31 characters at most, none of `[]:*?/\\`)."""
    return f"{day.isoformat()} {weekday(day, locale)}"


def _cell(sheet: Any, value: str, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    made = WriteOnlyCell(sheet, value=cell_text(value))
    made.data_type = "s"  # never a formula or a number, whatever the text looks like
    made.number_format = "@"
    if font is not None:
        made.font = font
    return made


def workbook(sel: Selection) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    by_day: dict[dt.date, list[Message]] = defaultdict(list)
    for m in sel.messages:
        by_day[m.at.date()].append(m)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    locale = sel.project.playbook.locales[0]
    for day in sorted(by_day) or [sel.start]:
        sheet = book.create_sheet(sheet_name(day, locale))
        sheet.freeze_panes = "A2"
        for n, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = WIDTHS.get(column, OTHER_WIDTH)
        sheet.append([_cell(sheet, c, bold) for c in COLUMNS])
        for m in by_day.get(day, []):
            sheet.append([_cell(sheet, v) for v in values(m, sel)])
    stamp = sel.dtstamp.astimezone(dt.UTC).replace(tzinfo=None)
    book.properties.created = stamp
    out = io.BytesIO()
    book.save(out)
    return reproducible(out.getvalue(), stamp)


def reproducible(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook with its save time replaced by `stamp` and every zip entry dated
    1980-01-01 (openpyxl stamps both with the current time)."""
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                content = _STAMPS.sub(rb"\g<1>" + when + rb"\g<2>", content)
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def export(sel: Selection) -> Iterator[tuple[str, bytes]]:
    yield FILE, workbook(sel)


__all__ = ["FILE", "cell_text", "export", "sheet_name", "workbook"]
