"""messages.xlsx (issue 16, item 3) read back with openpyxl: one sheet per day, a frozen bold
header, every cell text (ids, dates and times never numbers, formula-like text never a
formula), the same rows as messages.csv, and the same bytes on every export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from bundle_playbook import CALENDAR, FILES
from conftest import MakePlaybook
from playbook.bundle.export import build_bundle
from playbook.exporters.csv_messages import COLUMNS
from playbook.exporters.xlsx_messages import CELL_CHARS, CUT, cell_text
from playbook.models.project import Project
from playbook.pipeline import check


@pytest.fixture
def project(make_playbook: MakePlaybook) -> Project:
    calendar = CALENDAR.replace("daily:\n", 'daily:\n  - {id: formula, at: "10:00", name: F, sender: host, '
                                            'text: "=HYPERLINK(\\"http://x\\")"}\n')
    checked = check(make_playbook({**FILES, "calendars/daily.yaml": calendar}))
    assert checked.project is not None and not checked.failing, checked.diagnostics
    return checked.project


def test_one_text_typed_sheet_per_day_with_a_frozen_header(project: Project) -> None:
    bundle = build_bundle(project, dt.date(2026, 10, 29), dt.date(2026, 10, 30))
    book = openpyxl.load_workbook(io.BytesIO(bundle.files["messages.xlsx"]))
    assert book.sheetnames == ["2026-10-29 Thu", "2026-10-30 Fri"]
    csv_rows = list(csv.DictReader(io.StringIO(bundle.files["messages.csv"].decode("utf-8-sig"))))
    read: list[dict[str, str]] = []
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        header = [c.value for c in sheet[1]]
        assert header == list(COLUMNS) and all(c.font.b for c in sheet[1])
        for row in sheet.iter_rows(min_row=2):
            for c in row:  # a string (an empty one is written inline), never a number or formula
                assert c.data_type in ("s", "inlineStr") and c.number_format == "@", c.coordinate
                assert c.value is None or isinstance(c.value, str), c.coordinate
            read.append({h: c.value or "" for h, c in zip(header, row, strict=True)})
    assert [r["id"] for r in read] == [m.id for m in bundle.messages]
    assert all(r["id"].startswith("m") and len(r["id"]) == 17 for r in read)
    formula = next(r for r in read if r["item_id"] == "formula")
    assert formula["text"] == '=HYPERLINK("http://x")'  # a text cell: shown, never evaluated
    assert formula["send_time"] == "10:00" and formula["send_date"] in ("2026-10-29", "2026-10-30")
    # the same cells as the CSV, except the CSV's leading ' before formula-like text
    for ours, theirs in zip(read, csv_rows, strict=True):
        assert ours == {k: v.removeprefix("'") if k == "text" else v for k, v in theirs.items()}


def test_the_workbook_is_byte_identical_on_every_export(project: Project) -> None:
    first = build_bundle(project, dt.date(2026, 10, 29), dt.date(2026, 10, 29)).files["messages.xlsx"]
    again = build_bundle(project, dt.date(2026, 10, 29), dt.date(2026, 10, 29)).files["messages.xlsx"]
    assert first == again


def test_cells_are_inert_and_within_excels_limit() -> None:
    assert cell_text("a\x1bb\x00c") == "a\\x1bb\\x00c"
    long = cell_text("字" * 40_000)
    assert len(long) == CELL_CHARS and long.endswith(CUT) and long.startswith("字" * 100)
    assert cell_text("line\nbreak\tand tab") == "line\nbreak\tand tab"
