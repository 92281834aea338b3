"""Tests that kill the one-line bugs a mutation run left alive (issue 19): figure escaping,
CSV quoting, version order, PB401 in UTC, atomic writes, SARIF related lines, suppressions.

Every expected value here comes from the test's own input (the YAML it writes, a line it
counts) or from an independent library (`csv`, `semver`, `html.parser`, `markdown`), never
from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import semver

from bundle_playbook import CALENDAR, FILES, MORNING, PLAYBOOK
from conftest import MakePlaybook, RunCli, valid_playbook_yaml
from playbook.bundle.export import build_bundle
from playbook.handbook.compile import compile_handbook
from playbook.pipeline import check
from playbook.review.documents import document_changes, version_problems
from playbook.writer import write_bytes
from test_diff import HEAD_RULES, RULES
from test_diff import PLAYBOOK as DIFF_PLAYBOOK
from test_lint_config import broken_playbook

LINT_BASE = Path(__file__).parent / "lint" / "_base"


# --- handbook figures: layer names are text, not HTML -------------------------------------------

class _Elements(HTMLParser):
    """Every start tag and the visible text of an HTML fragment, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


HOSTILE_LAYER = "<img src=x onerror=alert(1)>"
HOSTILE_GOAL = '"></span><script>alert(2)</script>'


def test_a_layer_named_like_html_shows_as_text_on_the_home_page(make_playbook: MakePlaybook) -> None:
    import markdown

    layers = (f"layers:\n  - id: top\n    name: '{HOSTILE_LAYER}'\n    rank: 1\n    audience: buyers\n"
              f"    goal: '{HOSTILE_GOAL}'\n")
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(layers)})
    checked = check(root)
    assert checked.project is not None and not checked.failing, checked.diagnostics
    page = compile_handbook(checked.project, dt.date(2026, 11, 23)).handbook.pages["index.md"]
    parsed = _Elements()
    parsed.feed(markdown.markdown(page, extensions=["tables", "admonition", "toc"]))  # as handbook/site.py
    assert "img" not in parsed.tags and "script" not in parsed.tags
    visible = "".join(parsed.text)
    assert HOSTILE_LAYER in visible and HOSTILE_GOAL in visible


# --- messages.csv: quotes and commas survive a standard reader ----------------------------------

QUOTED_TEXT = '他说"包邮", 真的'
QUOTED_GROUP = 'Club "One", Berlin'


def test_csv_cells_with_quotes_and_commas_read_back_whole(make_playbook: MakePlaybook) -> None:
    text_yaml = "'" + QUOTED_TEXT + " {{ group.name }}'"
    root = make_playbook({**FILES,
                          "playbook.yaml": PLAYBOOK.replace("name: Club One", f"name: '{QUOTED_GROUP}'"),
                          "calendars/daily.yaml": CALENDAR.replace(MORNING, text_yaml)})
    checked = check(root)
    assert checked.project is not None and not checked.failing, checked.diagnostics
    bundle = build_bundle(checked.project, dt.date(2026, 11, 2), dt.date(2026, 11, 2), groups=["club-1"],
                          formats=["csv"])
    assert bundle.diagnostics == []
    raw = bundle.files["messages.csv"].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))  # the default dialect, as Excel writes
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    cells = [dict(zip(header, row, strict=True)) for row in body]
    morning = [(r["group_name"], r["text"]) for r in cells if r["item_id"] == "morning"]
    assert morning == [(QUOTED_GROUP, f"{QUOTED_TEXT} {QUOTED_GROUP}")]


def test_csv_sender_columns_follow_the_group_locale_and_stay_empty_without_a_sender(
        make_playbook: MakePlaybook) -> None:
    checked = check(make_playbook(FILES))
    assert checked.project is not None and not checked.failing, checked.diagnostics
    bundle = build_bundle(checked.project, dt.date(2026, 10, 26), dt.date(2026, 11, 2), formats=["csv"])
    rows = list(csv.DictReader(io.StringIO(bundle.files["messages.csv"].decode("utf-8-sig"), newline="")))
    # bundle_playbook.py: role host is {en: Host, zh-CN: 主持}; shop-1 is zh-CN, club-1 the default en;
    # the offline meetup on 2026-10-30 has no sender.
    seen = {(r["group_id"], r["item"], r["sender_role"], r["sender_name"]) for r in rows}
    assert seen == {("club-1", "slot", "host", "Host"), ("shop-1", "slot", "host", "主持"),
                    ("shop-1", "launch_step", "host", "主持"), ("club-1", "offline", "", ""),
                    ("shop-1", "offline", "", "")}
    assert data_lines(bundle.files["messages.csv"]) == len(rows) + 1


def test_csv_row_of_a_slot_reads_as_the_yaml_says(make_playbook: MakePlaybook) -> None:
    checked = check(make_playbook(FILES))
    assert checked.project is not None and not checked.failing, checked.diagnostics
    day = dt.date(2026, 11, 2)
    data = build_bundle(checked.project, day, day, groups=["club-1"], formats=["csv"]).files["messages.csv"]
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert data_lines(data) == 2
    [row] = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    # bundle_playbook.py: the first daily slot of calendar `daily`, 09:00 in Europe/Berlin (CET, +01:00)
    columns = ("send_date", "send_time", "time_zone", "send_at", "operator", "operator_name", "group_id",
               "platform", "channel", "locale", "item", "item_id", "source")
    assert {k: row[k] for k in columns} == {
        "send_date": "2026-11-02", "send_time": "09:00", "time_zone": "Europe/Berlin",
        "send_at": "2026-11-02T09:00:00+01:00", "operator": "anna", "operator_name": "Anna",
        "group_id": "club-1", "platform": "wechat_group", "channel": "group_message", "locale": "en",
        "item": "slot", "item_id": "morning", "source": "ActivityCalendar:daily#/daily/0"}


def data_lines(data: bytes) -> int:
    """Rows as a spreadsheet counts them: CRLF ends a row; a bare LF stays inside a quoted cell."""
    assert b"\r\r\n" not in data and data.endswith(b"\r\n")
    return data.count(b"\r\n")


# --- review: a version must go up, in semantic-version order ------------------------------------

VERSION_PAIRS = [("1.9.0", "1.10.0"), ("1.10.0", "1.9.0"), ("1.0.0", "1.0.0"), ("2.0.0", "1.99.99"),
                 ("1.0.9", "1.0.10"), ("0.9.9", "1.0.0"), ("1.2.3", "1.2.4"), ("1.0.0", "1.0.0-rc.1"),
                 ("1.0.0-rc.1", "1.0.0")]


@pytest.mark.parametrize(("before", "after"), VERSION_PAIRS)
def test_a_changed_document_needs_a_higher_semantic_version(make_playbook: MakePlaybook, before: str,
                                                            after: str) -> None:
    old_rules = RULES.replace("version: 1.0.0", f"version: {before}")
    new_rules = HEAD_RULES.replace("version: 1.0.0", f"version: {after}")
    base = check(make_playbook({"playbook.yaml": DIFF_PLAYBOOK, "rules/base.yaml": old_rules}))
    head = check(make_playbook({"playbook.yaml": DIFF_PLAYBOOK, "rules/base.yaml": new_rules}))
    assert base.project is not None and head.project is not None
    problems = version_problems(document_changes(base.project, head.project), head.project)
    bumped = semver.Version.parse(after) > semver.Version.parse(before)
    expected = [] if bumped else [
        f"rules/base.yaml:4:10: error PB801 rule set 'base-rules' changed but its version is still "
        f"{after} (was {before})"]
    assert [str(p) for p in problems] == expected


# --- PB401 compares moments in UTC, not wall clocks ---------------------------------------------

TOKYO = """\
apiVersion: playbook/v1
kind: ActivityCalendar
id: tokyo
version: 1.0.0
title: 东京时段
owner: op-a
time_zone: Asia/Tokyo
applies_to:
  group_types: [middle-official]
valid:
  start: 2026-11-10
  end: 2026-11-10
daily:
  - id: noon
    at: "12:00"
    name: 午间
    sender: assistant
    text: 午间好。
  - id: early
    at: "08:30"
    name: 早间
    sender: assistant
    text: 早间好。
"""
"""12:00 in Tokyo is 11:00 in Shanghai, when the base calendar posts `hot-product`: a real
collision with different wall clocks. 08:30 in Tokyo is 07:30 in Shanghai, an hour before the
base `morning` slot at 08:30: the same wall clock, no collision."""


def _line_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the value after `needle` on the only line holding it."""
    [(number, line)] = [(i, line) for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return number, line.index(needle) + len("at: ") + 1


@pytest.fixture
def two_zones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-11-09")
    root = tmp_path / "pb"
    shutil.copytree(LINT_BASE, root)
    (root / "calendars" / "tokyo.yaml").write_text(TOKYO, encoding="utf-8")
    return root


def test_pb401_finds_the_collision_across_time_zones_and_not_the_false_one(two_zones: Path,
                                                                          run_cli: RunCli) -> None:
    code, out, _ = run_cli("validate", two_zones, "--select", "PB401")
    line, col = _line_of(TOKYO, 'at: "12:00"')
    assert code == 1
    assert [x for x in out.splitlines() if " PB401 " in x] == [
        f"calendars/tokyo.yaml:{line}:{col}: error PB401 slot 'noon' goes out at the same minute as "
        "slot 'hot-product': 2026-11-10 12:00 in g-01"]


def test_sarif_related_location_points_at_the_other_send(two_zones: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli("validate", two_zones, "--select", "PB401", "--format", "sarif")
    assert code == 1
    [result] = json.loads(out)["runs"][0]["results"]
    base_text = (LINT_BASE / "calendars" / "daily.yaml").read_text(encoding="utf-8")
    expected_here = _line_of(TOKYO, 'at: "12:00"')
    expected_there = _line_of(base_text, 'at: "11:00"')
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == expected_here
    [related] = result["relatedLocations"]
    where = related["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "calendars/daily.yaml"
    assert (where["region"]["startLine"], where["region"]["startColumn"]) == expected_there
    assert related["message"]["text"] == "slot 'hot-product'"


# --- the writer: an interrupted write leaves the old file ---------------------------------------

def test_a_failed_rename_leaves_the_old_file_and_no_temp(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "messages.csv"
    target.parent.mkdir()
    target.write_bytes(b"old contents")

    def interrupted(src: object, dst: object) -> None:
        raise OSError("disk yanked")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(OSError, match="disk yanked"):
        write_bytes(target, b"new contents")
    assert target.read_bytes() == b"old contents"
    assert [p.name for p in target.parent.iterdir()] == ["messages.csv"]


def test_a_write_cut_short_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "page.md"
    target.write_bytes(b"old page")
    real_fdopen = os.fdopen

    class HalfWritten(io.RawIOBase):
        def __init__(self, fd: int) -> None:
            self.handle = real_fdopen(fd, "wb")

        def write(self, data: object) -> int:
            assert isinstance(data, bytes)
            self.handle.write(data[:3])
            self.handle.flush()
            raise KeyboardInterrupt  # Ctrl-C in the middle of the data

        def close(self) -> None:
            self.handle.close()
            super().close()

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: HalfWritten(fd))
    with pytest.raises(KeyboardInterrupt):
        write_bytes(target, b"a much longer new page")
    assert target.read_bytes() == b"old page"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_writes_go_through_a_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers never see a partial file: the new bytes appear by a rename onto the target."""
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def recorded(src: str | Path, dst: str | Path) -> None:
        renames.append((Path(src).parent.name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recorded)
    target = tmp_path / "out" / "a.json"
    assert write_bytes(target, b"{}") is True
    assert renames == [("out", "a.json")] and target.read_bytes() == b"{}"


# --- inline suppressions match whole codes ------------------------------------------------------

PB104_LINE = "playbook.yaml:68:15: error PB104 unknown operator 'op-b'"


@pytest.mark.parametrize("codes", ["PB601", "PB1", "PB10", "PB105", "PB1041", "PB", "PB104X"])
def test_a_suppression_for_another_code_or_a_prefix_hides_nothing(tmp_path: Path, run_cli: RunCli,
                                                                  codes: str) -> None:
    """README: a suppression names the code it accepts (`ignore[PB401]`); code prefixes are for
    `select`/`ignore` in the configuration, not for inline comments."""
    root = broken_playbook(tmp_path, f"  # playbook: ignore[{codes}] the operator joins on Monday")
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert PB104_LINE in out


@pytest.mark.parametrize("codes", ["PB104", "pb104", "PB601, PB104", "PB104,PB601"])
def test_a_suppression_naming_the_code_hides_it(tmp_path: Path, run_cli: RunCli, codes: str) -> None:
    root = broken_playbook(tmp_path, f"  # playbook: ignore[{codes}] the operator joins on Monday")
    code, out, _ = run_cli("validate", root)
    assert code == 0
    assert "PB104" not in out.replace(f"ignore[{codes}]", "")


# --- .ics: the event text is the message the YAML wrote ------------------------------------------

def test_ics_summary_and_description_come_from_the_yaml(make_playbook: MakePlaybook) -> None:
    from icalendar import Calendar

    checked = check(make_playbook(FILES))
    assert checked.project is not None and not checked.failing, checked.diagnostics
    day = dt.date(2026, 11, 2)
    bundle = build_bundle(checked.project, day, day, groups=["club-1"], formats=["ics"])
    [event] = Calendar.from_ical(bundle.files["ics/groups/club-1.ics"]).walk("VEVENT")  # the 09:00 slot
    # bundle_playbook.py: group `Club One`, role `host` named `Host`, the morning text in English
    # (the group has no locale, so the playbook's first), cut to 40 characters in the summary.
    text = "Good morning, Club One! Today is 2026-11-02."
    assert str(event["SUMMARY"]) == "Club One · Host: " + text[:40] + "…"
    assert str(event["DESCRIPTION"]).startswith(text + "\n")
    assert event.decoded("DTSTART") == dt.datetime(2026, 11, 2, 9, 0, tzinfo=event.decoded("DTSTART").tzinfo)
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Berlin"


def test_findings_and_suppression_warnings_carry_their_name_and_help(tmp_path: Path,
                                                                     run_cli: RunCli) -> None:
    root = broken_playbook(tmp_path, "  # playbook: ignore[PB601] the operator joins on Monday")
    code, out, _ = run_cli("validate", root, "--format", "json")
    assert code == 1
    # names from docs/rules.md; the hint names the one operator of tests/lint/_base
    assert json.loads(out)["diagnostics"] == [
        {"path": "playbook.yaml", "line": 68, "col": 15, "severity": "error", "code": "PB104",
         "name": "unknown-operator-reference", "message": "unknown operator 'op-b'",
         "help": "did you mean 'op-a'?", "related": []},
        {"path": "playbook.yaml", "line": 68, "col": 21, "severity": "warning", "code": "PB902",
         "name": "unused-suppression",
         "message": "this suppression matches no finding; remove it (ignore[PB601])", "help": None,
         "related": []}]


def test_suppression_warnings_follow_the_configuration(tmp_path: Path, run_cli: RunCli) -> None:
    no_reason = broken_playbook(tmp_path / "a", "  # playbook: ignore[PB104]")
    assert run_cli("validate", no_reason)[1].count(" PB901 ") == 1
    code, out, _ = run_cli("validate", no_reason, "--ignore", "PB901")
    assert code == 0 and " PB901 " not in out
    (no_reason / "pyproject.toml").write_text('[tool.playbook.severity]\nPB901 = "error"\n', encoding="utf-8")
    code, out, _ = run_cli("validate", no_reason)
    assert code == 1 and "playbook.yaml:68:21: error PB901 an inline suppression must say why" in out

    unused = broken_playbook(tmp_path / "b", "  # playbook: ignore[PB601] the operator joins on Monday")
    assert " PB902 " in run_cli("validate", unused)[1]
    assert " PB902 " not in run_cli("validate", unused, "--ignore", "PB902")[1]


def test_a_suppression_of_a_rule_that_did_not_run_is_not_unused(tmp_path: Path, run_cli: RunCli) -> None:
    root = broken_playbook(tmp_path, "  # playbook: ignore[PB104] the operator joins on Monday")
    code, out, _ = run_cli("validate", root, "--ignore", "PB104")
    assert code == 0 and "PB902" not in out and "PB104" not in out.replace("ignore[PB104]", "")
