"""Text from a playbook is inert wherever it is printed (issue 13, classes 5, 6 and 9): CSV cells
cannot start a formula, calendars carry no control characters, diagnostics and `diff` output
show escapes instead of acting on a terminal or forging Markdown, run sheets keep their
structure. Expected values are written out from the inputs, never computed by the code under
test."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bundle_playbook import FILES, MORNING, PLAYBOOK
from conftest import MakePlaybook, RunCli, valid_playbook_yaml
from playbook import inert
from playbook.bundle.agenda import agenda
from playbook.bundle.export import Bundle, build_bundle
from playbook.diagnostics import Diagnostic, Related, Severity
from playbook.exporters import runsheet
from playbook.exporters.base import Filters, Selection
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.reporters import REPORTERS
from playbook.review import report as review_report
from playbook.review.documents import DocumentChange, FieldChange
from playbook.review.messages import MessageChange
from playbook.review.report import Review
from playbook.source import Span

# --- the escaping functions -----------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("key\x1b[2Kx", "key\\x1b[2Kx"),
    ("a\nb\rc\td", "a\\nb\\rc\\td"),
    ("\x00\x07\x0b\x7f", "\\x00\\x07\\x0b\\x7f"),
    ("\x85\x9b", "\\x85\\x9b"),
    ("\u202eevil\u202c \u2066x\u2069 \u200f\u061c", "\\u202eevil\\u202c \\u2066x\\u2069 \\u200f\\u061c"),
    ("\u2028\u2029", "\\u2028\\u2029"),
    ("\ufffe\uffff\ud800", "\\ufffe\\uffff\\ud800"),
    ("群运营 😀 👩\u200d💻 café \\x1b", "群运营 😀 👩\u200d💻 café \\x1b"),  # ZWJ and backslashes stay
])
def test_terminal_shows_every_control_bidi_and_separator_as_an_escape(raw: str, shown: str) -> None:
    assert inert.terminal(raw) == shown


@pytest.mark.parametrize(("raw", "cell"), [
    ("=1+1", "'=1+1"),
    ("+1", "'+1"),
    ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("a=1+1", "a=1+1"),
    (" =1", " =1"),
    ("", ""),
    ("早上好", "早上好"),
    ("\x00=1", "\\x00=1"),
    ("a\x1bb\tc\r\nd", "a\\x1bb\tc\r\nd"),
])
def test_csv_cells_that_start_like_a_formula_get_a_quote(raw: str, cell: str) -> None:
    assert inert.csv_cell(raw) == cell


@pytest.mark.parametrize(("row", "cells"), [
    (["id-1", "2026-10-24", "群", ""], ["id-1", "2026-10-24", "群", ""]),
    (["id-1", "-5", "a"], ["id-1", "'-5", "a"]),
    (["a\x1b", "b", "@c"], ["a\\x1b", "b", "'@c"]),
    (["a\r\nb", "\tc"], ["a\r\nb", "'\tc"]),
])
def test_csv_rows_neutralise_each_cell(row: list[str], cells: list[str]) -> None:
    assert inert.csv_row(row) == cells


def test_markdown_inline_keeps_one_line_without_markup() -> None:
    assert inert.markdown_inline("x\r# H\r\n- y\n<b>*z*</b> | [l](u) `c` ~s~ \\") == (
        "x ⏎ \\# H ⏎ - y ⏎ &lt;b&gt;\\*z\\*&lt;/b&gt; \\| \\[l\\](u) \\`c\\` \\~s\\~ \\\\")


@pytest.mark.parametrize(("raw", "span"), [
    ("plain", "`plain`"),
    ("a`b", "``a`b``"),
    ("a``b", "```a``b```"),
    ("`x", "`` `x ``"),
    ("a\rb", "`a ⏎ b`"),
    ("a\x1bb", "`a\\x1bb`"),
])
def test_code_spans_cannot_be_closed_or_broken_by_their_text(raw: str, span: str) -> None:
    assert inert.code_span(raw) == span


def test_json_documents_escape_what_json_leaves_raw_and_parse_back_to_the_same_values() -> None:
    value = {"k\u202e": "a\x1b\x7f\x85\u2028\u2066b\n群"}
    document = inert.json_document(json.dumps(value, ensure_ascii=False, indent=2))
    assert document == ('{\n  "k\\u202e": "a\\u001b\\u007f\\u0085\\u2028\\u2066b\\n群"\n}')
    assert json.loads(document) == value


# --- a bundle from a hostile playbook -------------------------------------------------------

HOSTILE_TEXT = r'"=1+2,\"q\"\r\n群😀\e[2K\0\v\x7f\x85\uFFFE end"'
"""A message text in YAML escapes: a formula start, a quote, a comma, a line break, CJK, emoji,
ESC, NUL, VT, DEL, a C1 control and a noncharacter."""
HOSTILE_GROUP = r'"@SUM(1+1),\"q\"\r\n# H|<b>群😀"'
"""A group name (never rendered by Jinja, so its CRLF reaches the outputs as it is)."""


@pytest.fixture
def hostile_project(make_playbook: MakePlaybook) -> Project:
    playbook = (PLAYBOOK.replace("name: Club One", f"name: {HOSTILE_GROUP}")
                .replace("name: Anna", 'name: "-Anna"').replace("{en: Host,", '{en: "+Host",'))
    calendar = str(FILES["calendars/daily.yaml"]).replace(MORNING, HOSTILE_TEXT)
    root = make_playbook({**FILES, "playbook.yaml": playbook, "calendars/daily.yaml": calendar})
    checked = check(root)
    assert checked.project is not None and not checked.failing, checked.diagnostics
    return checked.project


@pytest.fixture
def hostile(hostile_project: Project) -> Bundle:
    bundle = build_bundle(hostile_project, dt.date(2026, 10, 24), dt.date(2026, 10, 24), groups=["club-1"])
    assert bundle.diagnostics == []
    return bundle


def test_csv_cells_are_neutralised_and_read_back_exactly(hostile: Bundle) -> None:
    data = hostile.files["messages.csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = dict(zip(header, row, strict=True))
    assert cells["text"] == '\'=1+2,"q"\n群😀\\x1b[2K\\x00\\x0b\\x7f\\x85\\ufffe end'
    assert cells["group_name"] == '\'@SUM(1+1),"q"\r\n# H|<b>群😀'
    assert cells["operator_name"] == "'-Anna"
    assert cells["sender_name"] == "'+Host"
    assert [cells[k] for k in ("send_date", "send_time", "time_zone", "send_at")] == [
        "2026-10-24", "09:00", "Europe/Berlin", "2026-10-24T09:00:00+02:00"]
    # the raw file: the quoted, doubled quotes of the default dialect; CRLF kept inside the cell
    assert b'"\'@SUM(1+1),""q""\r\n# H|<b>\xe7\xbe\xa4\xf0\x9f\x98\x80"' in data


def test_calendars_carry_no_control_characters(hostile: Bundle) -> None:
    for name in ("ics/anna.ics", "ics/groups/club-1.ics"):
        data = hostile.files[name]
        # every C0 byte is part of a CRLF line end; no DEL, no C1 (UTF-8 C2 80-9F), no U+FFFE/F
        assert re.findall(rb"[\x00-\x1f\x7f]", data.replace(b"\r\n", b"")) == []
        assert re.findall(rb"\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]", data) == []
        [event] = Calendar.from_ical(data).walk("VEVENT")
        assert str(event["DESCRIPTION"]) == (
            '=1+2,"q"\n群😀\\x1b[2K\\x00\\x0b\\x7f\\x85\\ufffe end\n\n'
            "group_message · slot morning · ActivityCalendar:daily#/daily/0")
        assert str(event["SUMMARY"]) == '@SUM(1+1),"q"\n# H|<b>群😀 · +Host: =1+2,"q"'


def test_the_run_sheet_keeps_its_structure(hostile: Bundle) -> None:
    sheet = hostile.files["md/anna/2026-10-24.md"].decode("utf-8")
    assert sheet.splitlines()[0] == "# -Anna · 2026-10-24 Sat"
    assert [line for line in sheet.splitlines() if line.startswith("#")] == [
        "# -Anna · 2026-10-24 Sat",
        "## 09:00",
        '### @SUM(1+1),"q" ⏎ \\# H\\|&lt;b&gt;群😀 (`club-1`)',
    ]
    assert '```text\n=1+2,"q"\n群😀\\x1b[2K\\x00\\x0b\\x7f\\x85\\ufffe end\n```\n' in sheet


def test_a_run_sheet_text_cannot_close_its_fence_or_add_a_heading(hostile: Bundle,
                                                                  hostile_project: Project) -> None:
    [message] = hostile.messages
    forged = dataclasses.replace(message, text="hi\r# Forged\r\n```\n<script>x</script>|a|\u202e")
    day = dt.date(2026, 10, 24)
    sel = Selection(hostile_project, day, day, Filters(), (forged,), ())
    sheet = runsheet.sheet("anna", day, [forged], sel)
    assert sheet.endswith("````text\nhi\n# Forged\n```\n<script>x</script>|a|\\u202e\n````\n")
    assert "\r" not in sheet



# --- diagnostics, in every reporter ---------------------------------------------------------

HOSTILE_DIAGNOSTIC = Diagnostic(
    Span("rules/a\x1b[2K,b:c.yaml", 3, 5), Severity.ERROR, "PB020", "unknown-key",
    "unknown key 'x\x1b[2Ky'\nrules/ok.yaml:1:1: error PB000 forged 100%\r\u202e",
    help="allowed keys \x85here",
    related=(Related(Span("rules/b\x07.yaml", 1, 1), "first \x9b2J"),),
)


def test_the_text_reporter_prints_escapes_on_one_line_per_diagnostic() -> None:
    assert REPORTERS["text"]([HOSTILE_DIAGNOSTIC], 2).splitlines() == [
        "rules/a\\x1b[2K,b:c.yaml:3:5: error PB020 unknown key 'x\\x1b[2Ky'\\n"
        "rules/ok.yaml:1:1: error PB000 forged 100%\\r\\u202e",
        "  help: allowed keys \\x85here",
        "  rules/b\\x07.yaml:1:1: note: first \\x9b2J",
        "Found 1 error in 2 files checked.",
    ]


def test_the_github_reporter_escapes_then_encodes_as_the_actions_toolkit_does() -> None:
    assert REPORTERS["github"]([HOSTILE_DIAGNOSTIC], 2).splitlines() == [
        "::error file=rules/a\\x1b[2K%2Cb%3Ac.yaml,line=3,col=5,title=PB020 unknown-key::"
        "unknown key 'x\\x1b[2Ky'\\nrules/ok.yaml:1:1: error PB000 forged 100%25\\r\\u202e"
        "%0Aallowed keys \\x85here",
        "Found 1 error in 2 files checked.",
    ]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_reporters_keep_the_exact_text_and_print_inertly(fmt: str) -> None:
    output = REPORTERS[fmt]([HOSTILE_DIAGNOSTIC], 2)
    assert re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", output) == []
    report = json.loads(output)
    if fmt == "json":
        [found] = report["diagnostics"]
        assert (found["path"], found["message"], found["help"], found["related"][0]["message"]) == (
            "rules/a\x1b[2K,b:c.yaml",
            "unknown key 'x\x1b[2Ky'\nrules/ok.yaml:1:1: error PB000 forged 100%\r\u202e",
            "allowed keys \x85here", "first \x9b2J")
    else:
        [found] = report["runs"][0]["results"]
        assert found["message"]["text"] == ("unknown key 'x\x1b[2Ky'\nrules/ok.yaml:1:1: error PB000 "
                                            "forged 100%\r\u202e (allowed keys \x85here)")
        location = found["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "rules/a\x1b[2K,b:c.yaml"


def test_validate_prints_a_key_with_an_escape_sequence_escaped(make_playbook: MakePlaybook,
                                                               run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": valid_playbook_yaml('"bad\\e[2Kkey\\u202e": 1\n')})
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert out.splitlines()[0] == "playbook.yaml:20:1: error PB020 unknown key 'bad\\x1b[2Kkey\\u202e'"
    code, out, _ = run_cli("validate", root, "--format", "github")
    assert code == 1
    assert out.startswith("::error file=playbook.yaml,line=20,col=1,title=PB020 unknown-key::"
                          "unknown key 'bad\\x1b[2Kkey\\u202e'%0Aallowed keys here: ")


# --- playbook diff --------------------------------------------------------------------------

@pytest.fixture
def forged_review() -> Review:
    at = dt.datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    day = at.date()
    field = FieldChange("daily › morning › text", "changed", "old|a",
                        "new\r\r# Forged\r<script>x</script>")
    document = DocumentChange("ActivityCalendar", "daily\x1b[2K", "calendars/d`a.yaml", "changed",
                              "1.0.0", "1.0.1\r# v", (field,))
    message = MessageChange("g1", "群\r\r# Forged</summary>", "reworded", "calendar daily › slot morning",
                            at, at, "old", "new\r# x\r\n~~~~\n\x1b[2K\u2028y")
    return Review("main", "HEAD", day, day, [document], [message], [])


def test_diff_markdown_cannot_forge_a_heading_tag_or_fence(forged_review: Review) -> None:
    lines = review_report.markdown(forged_review).splitlines()
    assert [line for line in lines if line.startswith("#")] == [
        "## Playbook diff: `main` → `HEAD`", "### Documents", "#### Activity calendars",
        "### Messages from 2026-11-30 to 2026-11-30"]
    assert lines[8:] == [
        "- **calendar `daily\\x1b[2K`** (``calendars/d`a.yaml``): changed, version 1.0.0 → 1.0.1 ⏎ \\# v",
        "  - `daily › morning › text`: old\\|a → new ⏎  ⏎ \\# Forged ⏎ &lt;script&gt;x&lt;/script&gt;",
        "",
        "### Messages from 2026-11-30 to 2026-11-30",
        "",
        "<details>",
        "<summary><b>g1</b> 群 ⏎  ⏎ # Forged&lt;/summary&gt;: 1 reworded</summary>",
        "",
        "- **reworded** 09:00 · calendar daily › slot morning · Mon 2026-11-30",
        "",
        "  ~~~~diff",
        "  - old",
        "  + new",
        "  + # x",
        "  + ~~~~",
        "  + \\x1b[2K\\u2028y",
        "  ~~~~",
        "",
        "",
        "</details>",
    ]


def test_diff_text_shows_terminal_escapes(forged_review: Review) -> None:
    lines = review_report.text(forged_review).splitlines()
    assert lines[3:13] == [
        "  Activity calendars",
        "    calendar daily\\x1b[2K (calendars/d`a.yaml): changed, version 1.0.0 → 1.0.1\\r# v",
        "      daily › morning › text: old|a → new ⏎  ⏎ # Forged ⏎ <script>x</script>",
        "",
        "Messages from 2026-11-30 to 2026-11-30 (1 days)",
        "  group g1 群\\r\\r# Forged</summary>: 1 reworded",
        "    reworded 09:00 calendar daily › slot morning (Mon 2026-11-30)",
        "      - old",
        "      + new",
        "      + # x",
    ]
    assert lines[13:15] == ["      + ~~~~", "      + \\x1b[2K\\u2028y"]


# --- playbook agenda ------------------------------------------------------------------------

def test_the_agenda_prints_names_and_texts_escaped(hostile_project: Project) -> None:
    text = agenda(hostile_project, dt.date(2026, 10, 24), ("club-1",)).text
    assert "\r" not in text
    printed = text.split("\n")
    assert printed[2] == '@SUM(1+1),"q"\\r\\n# H|<b>群😀 (club-1) · anna · wechat_group'
    assert printed[4].endswith(' =1+2,"q"')  # the preview is the text's first line


def test_a_usage_error_prints_escape_sequences_from_a_path_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from playbook.cli import main

    folder = tmp_path / "\x1b[2Kgone"
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert err == f"playbook: error: {tmp_path}/\\x1b[2Kgone is not a folder\n"
