"""Read a customer-group export (CSV or XLSX) into a table of text cells.

The file is named on the command line and may live anywhere, so it is not read through the
playbook's file-access layer: a link is the user's choice and is followed, but only a regular
file is opened (a FIFO or device is refused from its `stat`, and opened non-blocking so a swap in
between cannot hang the run), and at most `MAX_IMPORT_BYTES` are read.

Every cell becomes text, so a 19-digit chat_id or a leading zero is never turned into a number.
CSV is UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text") or GB18030 (what
Excel on Chinese Windows saves); the delimiter (comma, tab or semicolon) is read from the header
line. XLSX is read with openpyxl in read-only mode, from the first worksheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import stat
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from playbook.codes import diagnostic as problem
from playbook.diagnostics import Diagnostic
from playbook.inert import FORMULA_START
from playbook.source import Span

MAX_IMPORT_BYTES = 50 * 1024 * 1024
"""An export larger than this is refused (PB080); 5,000 groups are about 1 MB of CSV."""
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""An XLSX whose parts unpack to more than this is refused (PB081): a zip bomb, not an export."""
MAX_ROWS = 200_000
"""At most this many rows are read (PB081 past it)."""

_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the binary .xls (and .doc) container
_DELIMITERS = (",", "\t", ";")


class Refused(Exception):
    """The file cannot be imported at all; `diagnostic` says why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass
class Table:
    """A sheet as text: its header row and the data rows below it, with their row numbers as a
    spreadsheet shows them (the first line is row 1). Columns count from 1."""

    path: str
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    format: str = "csv"

    def span(self, row: int, column: int) -> Span:
        return Span(self.path, row, column)


def read_user_file(path: Path, shown: str, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The bytes of a file the user named, refusing what is not a regular file or too large."""
    where = Span(shown)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise Refused(problem("PB080", where, "the file does not exist")) from None
    except OSError as err:
        raise Refused(problem("PB080", where, f"the file cannot be read: {err.strerror}")) from None
    if not stat.S_ISREG(mode):
        raise Refused(problem("PB080", where, f"{_what(mode)}, not a regular file",
                              help="export the groups to a .csv or .xlsx file and name that file"))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise Refused(problem("PB080", where, f"the file cannot be read: {err.strerror}")) from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):  # swapped after the stat above
            raise Refused(problem("PB080", where, f"{_what(st.st_mode)}, not a regular file"))
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Refused(problem("PB080", where, f"the file is larger than {limit // (1024 * 1024)} MB"))
    return data


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "it is a folder"
    if stat.S_ISFIFO(mode):
        return "it is a FIFO"
    if stat.S_ISSOCK(mode):
        return "it is a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device"
    return "it is a special file"


def read_table(raw: bytes, shown: str) -> Table:
    """The table in `raw`: an XLSX when it is a zip or named .xlsx, else CSV."""
    if raw.startswith(b"PK\x03\x04") or shown.lower().endswith(_XLSX_SUFFIXES):
        return _xlsx(raw, shown)
    if raw.startswith(_OLE_MAGIC):
        raise Refused(problem("PB081", Span(shown), "this is an old binary Excel file (.xls)",
                              help="open it in Excel or WPS and save it as .xlsx or CSV UTF-8"))
    return _csv(_decode(raw, shown), shown)


def _decode(raw: bytes, shown: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, encodings = raw[3:], ["utf-8"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    first: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as err:
            first = first or err  # where it stops being UTF-8 says more than the GB18030 guess
    assert first is not None
    line = raw[: first.start].count(b"\n") + 1
    tried = " or ".join(e.upper() for e in encodings)
    raise Refused(problem("PB081", Span(shown, line, 1),
                          f"the file is not {tried} text (byte 0x{raw[first.start]:02x})",
                          help="save it from the spreadsheet program as CSV UTF-8 or as .xlsx"))


def _csv(text: str, shown: str) -> Table:
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, 1):
            if number > MAX_ROWS:
                raise Refused(problem("PB081", Span(shown, number, 1), f"more than {MAX_ROWS:,} rows"))
            records.append((number, [_unguarded(cell.strip()) for cell in record]))
    except csv.Error as err:
        raise Refused(problem("PB081", Span(shown, number + 1, 1), f"not a well-formed CSV row: {err}",
                              help="a quote was probably left open; save the file again as CSV")) from None
    return _table(records, shown, "csv")


def _unguarded(cell: str) -> str:
    """A cell as written before a spreadsheet guard: `'=x` (how `playbook roster export` and
    others keep a formula-like text from running) is read back as `=x`."""
    if cell[:1] == "'" and cell[1:2] and cell[1] in FORMULA_START:
        return cell[1:]
    return cell


def _xlsx(raw: bytes, shown: str) -> Table:
    from openpyxl import load_workbook  # only an XLSX import pays for openpyxl

    where = Span(shown)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused(problem("PB081", where, "not an XLSX workbook (the file is not a valid zip archive)",
                              help="save it from the spreadsheet program as .xlsx or CSV UTF-8")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise Refused(problem("PB081", where, f"the workbook unpacks to more than "
                                              f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB"))
    records: list[tuple[int, list[str]]] = []
    try:
        with warnings.catch_warnings():  # openpyxl warns about styles and extensions it skips
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                if not book.worksheets:
                    raise Refused(problem("PB081", where, "the workbook has no worksheet"))
                sheet = book.worksheets[0]
                for number, values in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), 1):
                    if number > MAX_ROWS:
                        raise Refused(problem("PB081", Span(shown, number, 1),
                                              f"more than {MAX_ROWS:,} rows"))
                    records.append((number, [_cell_text(v) for v in values]))
            finally:
                book.close()
    except Refused:
        raise
    except Exception as err:  # openpyxl raises KeyError, XML and zip errors for broken parts
        raise Refused(problem("PB081", where, f"not a readable XLSX workbook ({type(err).__name__}: "
                                              f"{str(err)[:200]})",
                              help="open it in the spreadsheet program and save it again as .xlsx")) from None
    return _table(records, shown, "xlsx")


def _cell_text(value: object) -> str:
    """A cell's value as the text a person sees: whole numbers without `.0`, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _table(records: list[tuple[int, list[str]]], shown: str, kind: str) -> Table:
    filled = [(number, cells) for number, cells in records if any(cells)]
    if not filled:
        raise Refused(problem("PB081", Span(shown), "the file holds no header row and no groups"))
    header_row, headers = filled[0]
    return Table(shown, headers, header_row, filled[1:], kind)


_CELL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                        r"(?:[ T]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def cell_date(text: str) -> dt.date | None:
    """The day a spreadsheet cell names, in the forms exports use (2026-11-23, 2026/11/23,
    2026.11.23, 2026年11月23日, each optionally with a time of day); None for anything else or
    a day that does not exist."""
    match = _CELL_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
