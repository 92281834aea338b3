"""`messages.xlsx`: the rows of messages.csv as a workbook, one sheet per day, for operators
who open the bundle in Excel or WPS.

Every cell is a text cell (a shared string with number format `@`): an id such as
`m0374426643060509` or a time `08:30` is never turned into a number, a date or a formula,
whatever it looks like, so no leading `'` is needed (messages.csv needs one). The header row is
bold and frozen. Control characters, which XML cannot carry, are shown as escapes (`\\x1b`,
`inert.data`); a cell longer than Excel's 32,767 characters is cut and says so (messages.json
keeps every text whole).

The parts of the workbook (Office Open XML, ECMA-376) are written here as text, the way the
calendar events are: openpyxl took 65 s for the 83,000 messages of the L benchmark, a
quarter of a second per thousand cells, where this takes a few seconds. tests/test_xlsx.py
reads every workbook back with openpyxl. The bytes are reproducible: the zip entries are dated
1980-01-01 and no part holds the current time.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from playbook import inert
from playbook.exporters.base import PIECE_BYTES, Content, Selection
from playbook.exporters.csv_messages import COLUMNS, values
from playbook.messages.compose import Message
from playbook.messages.labels import weekday

FILE = "messages.xlsx"
CELL_CHARS = 32767
"""The most characters an Excel cell holds."""
CUT = "…(cut: see messages.json)"
WIDTHS = {"id": 20, "send_date": 12, "send_time": 8, "group_name": 28, "text": 60, "route": 18}
"""Column widths (in characters) of the columns an operator reads; others get `OTHER_WIDTH`."""
OTHER_WIDTH = 14
TEXT, HEADER = 1, 2
"""Cell style indexes (`STYLES`): text; bold text."""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STYLES = (f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
          'applyFont="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')
"""numFmtId 49 is the built-in text format `@`."""


def cell_text(value: str) -> str:
    """A cell's text: inert for XML, and within Excel's limit."""
    text = inert.data(value)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - len(CUT)] + CUT


def sheet_name(day: dt.date, locale: str) -> str:
    """`2026-11-30 周一`: a day's sheet (31 characters at most, none of `[]:*?/\\`)."""
    return f"{day.isoformat()} {weekday(day, locale)}"


def _letters(n: int) -> str:
    """The column letters of the 1-based column `n` (1 -> A, 27 -> AA)."""
    name = ""
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


LETTERS = [_letters(n) for n in range(1, len(COLUMNS) + 1)]


class SharedStrings:
    """The workbook's shared strings: each distinct cell text made inert and escaped once (a
    group name or a date repeats in thousands of rows), cells point at it by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def of(self, value: str) -> int:
        self.count += 1
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.index)
        return found

    def part(self) -> Iterator[bytes]:
        """The sharedStrings part, `ROWS_PER_PIECE` strings at a time: every distinct text of a
        week of a large playbook, escaped, is tens of megabytes."""
        head = f'{_HEAD}<sst xmlns="{_MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">'
        items = [head]
        for n, v in enumerate(self.index, start=1):
            items.append(f'<si><t xml:space="preserve">{escape(cell_text(v))}</t></si>')
            if n % ROWS_PER_PIECE == 0:
                yield "".join(items).encode("utf-8")
                items = []
        items.append("</sst>")
        yield "".join(items).encode("utf-8")


def _row(number: int, cells: tuple[str, ...] | list[str], style: int, strings: SharedStrings) -> str:
    # 29 cells in each of tens of thousands of rows: the look-ups of `SharedStrings.of` inlined
    if len(cells) != len(LETTERS):
        raise ValueError(f"a row has {len(cells)} cells, not {len(LETTERS)}")
    index, tail = strings.index, f'{number}" s="{style}" t="s"><v>'
    strings.count += len(cells)
    parts = [f'<row r="{number}">']
    for col, value in zip(LETTERS, cells):  # noqa: B905 (lengths checked above)
        found = index.get(value)
        if found is None:
            found = index[value] = len(index)
        parts.append(f'<c r="{col}{tail}{found}</v></c>')
    parts.append("</row>")
    return "".join(parts)


ROWS_PER_PIECE = 1000
"""Rows of a sheet encoded together before they are compressed (about a megabyte)."""


def worksheet_pieces(messages: list[Message], sel: Selection, strings: SharedStrings) -> Iterator[bytes]:
    """One day's sheet (the frozen bold header, then a row per message) in pieces of
    `ROWS_PER_PIECE` rows, made as they are compressed: a day of a large playbook is about
    15 MB of sheet XML, which need never be held at once."""
    cols = "".join(f'<col min="{n}" max="{n}" width="{WIDTHS.get(c, OTHER_WIDTH)}" customWidth="1"/>'
                   for n, c in enumerate(COLUMNS, start=1))
    parts = [f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
             '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
             'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
             f"<cols>{cols}</cols><sheetData>", _row(1, list(COLUMNS), HEADER, strings)]
    for n, m in enumerate(messages, start=2):
        parts.append(_row(n, values(m, sel), TEXT, strings))
        if n % ROWS_PER_PIECE == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("</sheetData></worksheet>")
    yield "".join(parts).encode("utf-8")


def workbook(sel: Selection) -> bytes:
    """messages.xlsx, whole."""
    out = io.BytesIO()
    write_workbook(sel, out)
    return out.getvalue()


def write_workbook(sel: Selection, out: BinaryIO) -> None:
    """Write messages.xlsx to the seekable `out` (a zip's entry headers are written back)."""
    by_day: dict[dt.date, list[Message]] = defaultdict(list)
    for m in sel.messages:
        by_day[m.at.date()].append(m)
    locale = sel.project.playbook.locales[0]
    days = sorted(by_day) or [sel.start]
    names = [sheet_name(day, locale) for day in days]
    n = len(days)
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, n + 1)) + "</Types>"),
        "_rels/.rels": (f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(names, start=1)) + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": STYLES,
    }
    strings = SharedStrings()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        def put(name: str, data: str | bytes) -> None:
            book.writestr(_entry(name), data, zipfile.ZIP_DEFLATED)

        for name, data in parts.items():
            put(name, data)
        # each sheet is compressed as it is made, a piece at a time: a week of a large playbook
        # is over 100 MB of sheet XML, which need never be held at once
        for i, day in enumerate(days, start=1):
            with book.open(_entry(f"xl/worksheets/sheet{i}.xml"), "w") as sheet:
                for piece in worksheet_pieces(by_day.get(day, []), sel, strings):
                    sheet.write(piece)
        with book.open(_entry("xl/sharedStrings.xml"), "w") as shared:
            for piece in strings.part():
                shared.write(piece)


def _entry(name: str) -> zipfile.ZipInfo:
    """A deflated zip entry dated 1980-01-01 (the earliest a zip can say), never the current time."""
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def export(sel: Selection) -> Iterator[tuple[str, Content]]:
    out = io.BytesIO()
    write_workbook(sel, out)
    yield FILE, _read_out(out)


def _read_out(out: io.BytesIO) -> Iterator[bytes]:
    """The workbook in pieces of `PIECE_BYTES`, copied from `out`'s buffer one at a time
    (`getvalue` would copy the whole file at once)."""
    with out.getbuffer() as view:
        for start in range(0, len(view), PIECE_BYTES):
            yield bytes(view[start:start + PIECE_BYTES])


__all__ = ["CELL_CHARS", "CUT", "FILE", "cell_text", "export", "sheet_name", "workbook", "write_workbook"]
