"""`playbook export`: the golden week of the shipped playbook, every format read back by a real
parser (jsonschema, csv, icalendar + recurring-ical-events), determinism, atomicity and the
edge cases (month end, holiday, DST, a group opened mid-range, a launch past midnight)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
import recurring_ical_events
from icalendar import Alarm, Calendar, Event

from bundle_playbook import FILES
from conftest import MakePlaybook, RunCli
from golden import assert_golden_tree
from playbook.bundle import command as bundle_command
from playbook.bundle.export import Bundle, build_bundle, dtstamp_for, git_commit, git_dirty
from playbook.exporters import EXPORTERS, ics, json_messages
from playbook.exporters.base import Filters, Selection
from playbook.messages.compose import Message
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.schema import render_all

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "bundle"
MONDAY, SUNDAY = dt.date(2026, 11, 30), dt.date(2026, 12, 6)
"""The golden week: crosses into December, a cohort starts on Monday (camp-01), weekly events
and their announcements, and the winter-laundry-pods launch on Sunday (warm-up on Saturday)."""
GOLDEN_OPERATOR = "lin-xiao"
"""The golden bundle is one operator's week: their five groups cover every group type."""
MARKED = '{"generator": "playbook", "kind": "bundle"}\n'
"""The marker of a bundle folder playbook wrote (see playbook.output_guard)."""


@pytest.fixture(scope="module")
def week(shipped: Project) -> Bundle:
    bundle = build_bundle(shipped, MONDAY, SUNDAY)
    assert bundle.diagnostics == []
    return bundle


def read_json(bundle: Bundle, name: str) -> Any:
    return json.loads(bundle.files[name].decode("utf-8"))


# --- the golden week ------------------------------------------------------------------------

def test_golden_bundle_of_one_operator_week(shipped: Project) -> None:
    files = build_bundle(shipped, MONDAY, SUNDAY, operators=[GOLDEN_OPERATOR]).files
    assert_golden_tree(GOLDEN, files)


def test_the_week_has_every_kind_of_dated_message(week: Bundle) -> None:
    items = read_json(week, "manifest.json")["counts"]["by_item"]
    assert set(items) == {"slot", "weekly_event", "announcement", "game", "programme_step", "launch_step"}
    launch = [m for m in week.messages if m.item == "launch_step"]
    assert {m.at.date() for m in launch} == {dt.date(2026, 12, 5), dt.date(2026, 12, 6)}
    assert {m.group for m in launch} == {g for g, grp in week_groups(week).items()
                                         if grp.startswith(("east-", "south-", "north-", "cw-", "welfare-"))}


def week_groups(bundle: Bundle) -> dict[str, str]:
    return {m.group: m.group for m in bundle.messages}


# --- round trips with real parsers -------------------------------------------------------------

def test_messages_json_follows_the_published_schema(week: Bundle) -> None:
    schema = json.loads((REPO / "schema" / "bundle.schema.json").read_text(encoding="utf-8"))
    published = (REPO / "schema" / "bundle.schema.json").read_text(encoding="utf-8")
    assert published == render_all()["bundle.schema.json"], "run `playbook schema`"
    jsonschema.Draft202012Validator.check_schema(schema)
    body = read_json(week, "messages.json")
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    assert "date-time" in checker.checkers, "install the test extra: jsonschema[format-nongpl]"
    validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
    assert list(validator.iter_errors(body)) == []
    assert [m["id"] for m in body["messages"]] == [m.id for m in week.messages]
    broken = json.loads(json.dumps(body))
    broken["messages"][0]["at"] = "tomorrow morning"
    del broken["messages"][1]["text"]
    assert len(list(validator.iter_errors(broken))) == 2


def test_messages_csv_has_a_bom_and_one_row_per_message(week: Bundle) -> None:
    data = week.files["messages.csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(week.messages)
    for row, m in zip(rows, week.messages, strict=True):
        assert (row["id"], row["group_id"], row["text"]) == (m.id, m.group, m.text)
        assert dt.datetime.fromisoformat(row["send_at"]) == m.at
        assert f"{row['send_date']} {row['send_time']}" == m.at.strftime("%Y-%m-%d %H:%M")
    assert any("\n" in row["text"] for row in rows)  # multi-line texts survive quoting
    launch = next(r for r in rows if r["item_id"] == "launch")
    paths = launch["attachments"].split(";")
    digest = hashlib.sha256((REPO / paths[0]).read_bytes()).hexdigest()
    assert digest == launch["attachment_sha256"].split(";")[0]


def test_every_calendar_parses_back_and_matches_the_messages(week: Bundle) -> None:
    calendars = {n: d for n, d in week.files.items() if n.endswith(".ics")}
    assert len(calendars) == 3 + 13  # one per operator, one per group
    for name, data in calendars.items():
        cal = Calendar.from_ical(data)
        owner = name.removeprefix("ics/").removeprefix("groups/").removesuffix(".ics")
        expected = {m.id: m for m in week.messages if owner in (m.operator, m.group)}
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
        events = recurring_ical_events.of(cal).between(MONDAY, SUNDAY + dt.timedelta(days=1))
        found = {i: e for e in events for i in message_ids(e)}
        assert set(found) == set(expected), name
        for message_id, event in found.items():
            m = expected[message_id]
            assert event.decoded("DTSTART") == m.at
            utc = f"{m.at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
            uid = f"{m.id}" if name.startswith("ics/groups/") else f"{m.operator}-{utc}"
            assert str(event["UID"]) == f"{uid}@yuexianghui-pyramid.playbook"
            assert event.decoded("DTSTAMP") == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
            [alarm] = event.walk("VALARM")
            assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=10)
            assert m.text.splitlines()[0][:20] in str(event["DESCRIPTION"])
        before = recurring_ical_events.of(cal).between(MONDAY - dt.timedelta(days=7), MONDAY)
        assert list(before) == []


def message_ids(event: Any) -> list[str]:
    """The X-PLAYBOOK-MESSAGE-ID values of an event (one in a group's calendar, every message of
    the moment in an operator's)."""
    value = event.get("X-PLAYBOOK-MESSAGE-ID")
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def test_an_operator_calendar_rings_once_per_moment_with_every_group_listed(week: Bundle) -> None:
    cal = Calendar.from_ical(week.files["ics/lin-xiao.ics"])
    mine = [m for m in week.messages if m.operator == "lin-xiao"]
    events = list(cal.walk("VEVENT"))
    moments = {m.at for m in mine}
    assert len(events) == len(moments) < len(mine)  # one per moment: fewer events than messages
    monday_0830 = [m for m in mine if m.at == dt.datetime(2026, 11, 30, 8, 30, tzinfo=m.at.tzinfo)]
    [event] = [e for e in events if e.decoded("DTSTART") == monday_0830[0].at]
    groups = event.get("X-PLAYBOOK-GROUP")
    assert sorted(str(g) for g in groups) == sorted({m.group for m in monday_0830})
    assert len(groups) >= 2 and len(event.walk("VALARM")) == 1
    assert sorted(message_ids(event)) == sorted(m.id for m in monday_0830)
    for m in monday_0830:
        assert f"▶ {m.group_name} · " in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == "4 messages in 4 groups: morning-greeting, morning-brief"


def _icalendar_moment_event(ms: list[Message], sel: Selection) -> Event:
    """An operator's event of one moment as `icalendar` builds it."""
    ev = Event()
    first = ms[0]
    for name, value in (("uid", ics.moment_uid(first.operator, first.at, sel)), ("dtstamp", sel.dtstamp),
                        ("dtstart", first.at), ("dtend", first.at + dt.timedelta(minutes=ics.EVENT_MINUTES)),
                        ("summary", ics.moment_summary(ms, sel)),
                        ("description", ics.moment_description(ms, sel)),
                        ("categories", list(dict.fromkeys(m.item for m in ms)))):
        ev.add(name, value)
    for group in dict.fromkeys(m.group for m in ms if m.group):  # "": an account
        ev.add("x-playbook-group", group)
    for m in ms:
        ev.add("x-playbook-message-id", m.id)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.timedelta(minutes=-ics.ALARM_MINUTES))
    alarm.add("description", ics.moment_summary(ms, sel))
    ev.add_component(alarm)
    return ev


def _icalendar_event(m: Message, sel: Selection) -> Event:
    """The event of `m` as the `icalendar` library builds it: what `exporters.ics` must equal."""
    ev = Event()
    for name, value in (("uid", ics.uid(m, sel)), ("dtstamp", sel.dtstamp), ("dtstart", m.at),
                        ("dtend", m.at + dt.timedelta(minutes=ics.EVENT_MINUTES)),
                        ("summary", ics.summary(m, sel)), ("description", ics.description(m)),
                        ("categories", [m.item]), ("x-playbook-message-id", m.id),
                        ("x-playbook-group", m.group)):
        ev.add(name, value)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.timedelta(minutes=-ics.ALARM_MINUTES))
    alarm.add("description", ics.summary(m, sel))
    ev.add_component(alarm)
    return ev


def _same_component(ours: Any, theirs: Any) -> None:
    assert ours.name == theirs.name and sorted(ours) == sorted(theirs)
    for name in theirs:
        if name == "CATEGORIES":
            assert ours[name].cats == theirs[name].cats
        elif isinstance(theirs[name], list):
            assert [str(v) for v in ours[name]] == [str(v) for v in theirs[name]], name
        else:
            assert ours.decoded(name) == theirs.decoded(name), name
    assert len(ours.subcomponents) == len(theirs.subcomponents)
    for mine, reference in zip(ours.subcomponents, theirs.subcomponents, strict=True):
        _same_component(mine, reference)


def test_each_event_equals_the_one_icalendar_builds(week: Bundle, shipped: Project) -> None:
    sel = Selection(shipped, MONDAY, SUNDAY, Filters(), tuple(week.messages), (), dtstamp_for(MONDAY))
    by_id = {m.id: m for m in week.messages}
    seen = set()
    for name, data in week.files.items():
        if name.endswith(".ics"):
            for event in Calendar.from_ical(data).walk("VEVENT"):
                ms = [by_id[i] for i in message_ids(event)]
                reference = (_icalendar_event(ms[0], sel) if name.startswith("ics/groups/")
                             else _icalendar_moment_event(ms, sel))
                _same_component(event, reference)
                seen.update(m.id for m in ms)
    assert seen == set(by_id)


@pytest.mark.parametrize("value", ["a" * 200, "群" * 100, "x" + "😀" * 40, "ab群" * 30 + "\n;,", ""])
def test_folded_lines_stay_within_75_octets_and_unfold_to_the_line(value: str) -> None:
    folded = ics.fold(f"DESCRIPTION:{value}")
    physical = folded.split(b"\r\n")
    assert physical[-1] == b"" and all(len(line) <= 75 for line in physical)
    assert all(line.startswith(b" ") for line in physical[1:-1])
    text = [line.decode("utf-8") for line in physical[:-1]]  # no character is split
    assert text[0] + "".join(line[1:] for line in text[1:]) == f"DESCRIPTION:{value}"


def test_text_values_round_trip_through_icalendar() -> None:
    tricky = "价格; 12,5 元\\ 第二行\n第三行\r\n完"
    cal = Calendar.from_ical(ics.fold("BEGIN:VCALENDAR") + ics.fold("BEGIN:VEVENT")
                             + ics.fold(f"SUMMARY:{ics.text(tricky)}") + ics.fold("END:VEVENT")
                             + ics.fold("END:VCALENDAR"))
    [event] = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == tricky.replace("\r\n", "\n")


def test_json_files_put_one_record_per_line_and_parse_back() -> None:
    records = [{"text": "第一行\n\"引号\" ,;", "n": 1, "tags": ["a", "b"]}, {"text": "", "n": None}]
    value = {"format": 1, "range": {"from": "2026-11-30"}, "messages": iter(records), "none": iter([])}
    data = json_messages.dumps(value)
    assert json.loads(data) == {"format": 1, "range": {"from": "2026-11-30"}, "messages": records, "none": []}
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and '  "format": 1,' in lines
    assert [json.loads(line.strip().rstrip(",")) for line in lines if line.startswith("    {")] == records


def test_the_manifest_hashes_every_other_file(week: Bundle) -> None:
    manifest = read_json(week, "manifest.json")
    listed = manifest["files"]
    assert sorted(listed) == sorted(n for n in week.files if n != "manifest.json")
    for name, entry in listed.items():
        data = week.files[name]
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert manifest["playbook"] == {"id": "yuexianghui-pyramid", "title": "悦享汇社交电商金字塔社群运营手册",
                                    "version": "1.0.0"}
    assert manifest["range"] == {"from": "2026-11-30", "to": "2026-12-06"}
    written = read_json(week, "messages.json")["messages"]
    assert manifest["counts"]["messages"] == len(week.messages) == len(written)


def test_reply_sets_map_the_nickname_to_the_platform_placeholder(week: Bundle) -> None:
    sets = {s["group"]: s for s in read_json(week, "replies.json")["reply_sets"]}
    assert len(sets) == 13
    welfare = sets["welfare-01"]
    assert welfare["placeholders"] == {"%NICKNAME%": "member.nickname"}
    welcome = next(r for r in welfare["replies"] if r["item_id"] == "welcome")
    assert welcome["trigger"] == "on_join" and welcome["offset"] == "+0m"
    assert "%NICKNAME%" in welcome["text"] and "{{" not in welcome["text"]
    keyword = next(r for r in welfare["replies"] if r["item_id"] == "kw-after-sales")
    assert keyword["trigger"] == "keyword" and "售后" in keyword["keywords"]
    dated = {(m.source.doc_id, m.source.pointer) for m in week.messages}
    replies = {(r["source"]["doc_id"], r["source"]["pointer"]) for s in sets.values() for r in s["replies"]}
    assert not dated & replies  # an event-triggered step is never also a dated message


# --- the command ----------------------------------------------------------------------------

def _one_then_two(run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  busy: Callable[[list[tuple[str, bool]]], bool], child_fails: bool = False,
                  ) -> list[tuple[str, bool]]:
    """Export the shipped week in one process, then in two (forced) with `forked.busy` answered
    by `busy(written so far)` and every exporter spied on; the two bundles must be the same
    bytes. Returns (format, written in this process) as each format was finished here; with
    `child_fails`, a child exits as soon as it starts a format."""
    import os

    from playbook import forked

    monkeypatch.setenv(forked.VARIABLE, "1")
    code, _, err = run_cli("export", REPO, "--from", MONDAY, "--to", SUNDAY, "--out", tmp_path / "one")
    assert code == 0, err
    monkeypatch.setenv(forked.VARIABLE, "2")
    parent, written_by = os.getpid(), []
    monkeypatch.setattr(forked, "busy", lambda: busy(written_by))
    real = dict(EXPORTERS)

    def spying(name: str) -> Any:
        def exporter(sel: Selection) -> Any:
            if child_fails and os.getpid() != parent:
                os._exit(5)
            yield from real[name](sel)
            written_by.append((name, os.getpid() == parent))
        return exporter

    for name in real:
        monkeypatch.setitem(EXPORTERS, name, spying(name))
    code, _, err = run_cli("export", REPO, "--from", MONDAY, "--to", SUNDAY, "--out", tmp_path / "two")
    assert code == 0, err
    assert read_tree(tmp_path / "two") == read_tree(tmp_path / "one")
    return written_by


@pytest.mark.parametrize("child", ["works", "fails"])
def test_formats_written_by_a_child_are_the_bytes_of_one_process(
        child: str, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large export writes the spreadsheet and the calendars in a forked child
    (`bundle.export.CHILD_FORMATS`); forced here on the shipped week, with no lint child said
    to be at work beside it (else the formats would wait: the test below). When the child
    fails, this process writes them itself."""
    from playbook.bundle import export

    written_by = _one_then_two(run_cli, tmp_path, monkeypatch, lambda _written: False,
                               child_fails=child == "fails")
    here = [name for name, in_parent in written_by if in_parent]
    mine = ["json", "csv", "md"]
    assert here == (mine if child == "works" else [*mine, *export.CHILD_FORMATS])


def test_formats_wait_for_a_child_at_work_beside_the_export(
        run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the lint rules still run in a child, the export writes json, csv and md itself
    first; if that child is done by then, the spreadsheet is written here and the calendars in
    a child of its own. The child beside is said to be at work until md is written."""
    written_by = _one_then_two(run_cli, tmp_path, monkeypatch,
                               lambda written: ("md", True) not in written)
    assert [name for name, in_parent in written_by if in_parent] == ["json", "csv", "md", "xlsx"]


def test_export_writes_every_format_and_is_byte_identical(run_cli: RunCli, tmp_path: Path,
                                                          shipped: Project) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        code, stdout, stderr = run_cli("export", REPO, "--from", MONDAY, "--to", SUNDAY, "--out", out)
        assert code == 0, stderr
        # 500 before owner-endorsement (Mon, Wed, Fri) went only to groups of store owners:
        # the 3 consumer welfare groups and the micro-business group north-middle-01 lost it;
        # then 2 Moments posts a day on the 6 days before the launch day, once per operator
        # account (3 operators run the 8 groups): 36, not the 96 of one post per group
        assert stdout.startswith(f"{out}: 524 messages") and stderr == ""
    tree = read_tree(first)
    assert tree == read_tree(second)
    assert {"messages.json", "messages.csv", "replies.json", "manifest.json", "ics/lin-xiao.ics",
            "ics/groups/welfare-01.ics", "md/lin-xiao/2026-12-06.md"} <= set(tree)
    manifest = json.loads(tree["manifest.json"])
    assert manifest["commit"] == git_commit(REPO)
    assert manifest["dirty"] == git_dirty(REPO) and manifest["dirty"] in (True, False)
    # streamed to disk file by file, the bundle is exactly the one built in memory (plus the
    # marker that lets a later export replace the folder)
    assert json.loads(tree.pop(".playbook-output")) == {"generator": "playbook", "kind": "bundle"}
    assert tree == build_bundle(shipped, MONDAY, SUNDAY, commit=git_commit(REPO), dirty=git_dirty(REPO)).files


def test_a_failure_while_writing_keeps_the_previous_bundle(run_cli: RunCli, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "previous.txt").write_text("the last good bundle", encoding="utf-8")
    (out / ".playbook-output").write_text(MARKED, encoding="utf-8")  # an earlier export's folder

    def failing(sel: Selection) -> Any:
        yield "ics/first.ics", b"written before the failure"
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(EXPORTERS, "ics", failing)
    code, _, err = run_cli("export", REPO, "--from", MONDAY, "--to", SUNDAY, "--out", out)
    assert code == 2 and "No space left on device" in err
    assert sorted(p.name for p in out.iterdir()) == [".playbook-output", "previous.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]  # no stage left behind


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_manifest_records_the_git_commit(make_playbook: MakePlaybook, run_cli: RunCli,
                                         tmp_path: Path) -> None:
    root = make_playbook(FILES)
    assert git_commit(root) is None or git_commit(root) == git_commit(REPO)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    code, _, err = run_cli("export", root, "--from", "2026-10-26", "--to", "2026-10-26",
                           "--out", tmp_path / "o")
    assert code == 0, err
    assert json.loads((tmp_path / "o" / "manifest.json").read_bytes())["commit"] == head


def test_default_out_is_bundles_from_to(run_cli: RunCli, make_playbook: MakePlaybook, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_playbook(FILES)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("export", root, "--from", "2026-10-26", "--to", "2026-10-27", "--format", "json")
    assert code == 0
    made = sorted(read_tree(tmp_path / "bundles"))
    assert made == [f"2026-10-26_2026-10-27/{n}"
                    for n in (".playbook-output", "manifest.json", "messages.json", "replies.json",
                              "replies.md")]
    assert out.startswith("bundles/2026-10-26_2026-10-27: 2 messages")


def test_filters_keep_only_what_they_name(shipped: Project, week: Bundle) -> None:
    only = build_bundle(shipped, MONDAY, SUNDAY, groups=["camp-01"], formats=["json", "md"])
    assert {m.group for m in only.messages} == {"camp-01"}
    assert len(only.messages) == sum(1 for m in week.messages if m.group == "camp-01")
    assert not any(n.endswith((".csv", ".ics")) for n in only.files)
    assert {n.split("/")[1] for n in only.files if n.startswith("md/")} == {"zhou-ning"}
    assert [s.group for s in only.replies] == ["camp-01"]
    by_locale = build_bundle(shipped, MONDAY, SUNDAY, locales=["en"], formats=["json"])
    assert by_locale.messages == [] and read_json(by_locale, "manifest.json")["filters"]["locales"] == ["en"]


def test_unknown_filters_and_reversed_ranges_are_usage_errors(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli("export", REPO, "--from", MONDAY, "--to", SUNDAY, "--operator", "lin-xia",
                           "--out", tmp_path / "o")
    assert code == 2 and "--operator lin-xia: no such operator" in err and "lin-xiao" in err
    code, _, err = run_cli("export", REPO, "--from", SUNDAY, "--to", MONDAY, "--out", tmp_path / "o")
    assert code == 2 and "is before --from" in err
    code, _, err = run_cli("export", REPO, "--from", MONDAY, "--to", SUNDAY, "--format", "json,pdf")
    assert code == 2 and "unknown format pdf" in err
    assert not (tmp_path / "o").exists()


def test_a_render_failure_stops_the_export_and_keeps_the_old_bundle(
        make_playbook: MakePlaybook, run_cli: RunCli, tmp_path: Path) -> None:
    # Lint renders with the first group (club-1); only shop-1's real values make it fail.
    bad = FILES["calendars/daily.yaml"]
    assert isinstance(bad, str)
    bad = bad.replace("offline:", "  - {id: odd, at: '12:00', name: Odd, sender: host,\n"
                      "     text: \"{% if group.id == 'shop-1' %}{{ 1 // 0 }}{% endif %}ok\"}\noffline:")
    root = make_playbook({**FILES, "calendars/daily.yaml": bad})
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "previous.txt").write_text("the last good bundle", encoding="utf-8")
    (out / ".playbook-output").write_text(MARKED, encoding="utf-8")  # an earlier export's folder
    code, stdout, err = run_cli("export", root, "--from", "2026-10-26", "--to", "2026-10-30", "--out", out)
    assert code == 1 and stdout == ""
    assert "calendars/daily.yaml:11:12: error PB204 rendering for group 'shop-1' on 2026-10-28 fails: " \
           "ZeroDivisionError" in err
    assert "Found 1 error" in err and "nothing was written" in err
    assert sorted(p.name for p in out.iterdir()) == [".playbook-output", "previous.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bundle")]


def test_a_lint_error_stops_the_export(make_playbook: MakePlaybook, run_cli: RunCli, tmp_path: Path) -> None:
    cal = FILES["calendars/daily.yaml"]
    assert isinstance(cal, str)
    root = make_playbook({**FILES, "calendars/daily.yaml": cal.replace("sender: host", "sender: nobody", 1)})
    code, _, err = run_cli("export", root, "--from", "2026-10-26", "--to", "2026-10-30",
                           "--out", tmp_path / "o")
    assert code == 1 and "PB103" in err and "the export stopped" in err
    assert not (tmp_path / "o").exists()


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    assert bundle_command._show_progress(False, 13)
    assert not bundle_command._show_progress(True, 13)  # --quiet
    assert not bundle_command._show_progress(False, 3)  # few groups
    monkeypatch.setenv("CI", "true")
    assert not bundle_command._show_progress(False, 13)
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert not bundle_command._show_progress(False, 13)


def test_dtstamp_is_the_range_start_or_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert dtstamp_for(MONDAY) == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")
    assert dtstamp_for(MONDAY) == dt.datetime(2025, 11, 30, tzinfo=dt.UTC)


# --- edge cases -----------------------------------------------------------------------------

@pytest.fixture
def berlin(make_playbook: MakePlaybook) -> Project:
    checked = check(make_playbook(FILES))
    assert checked.project is not None and not checked.failing, checked.diagnostics
    return checked.project


def test_dst_month_end_holiday_and_a_group_opened_mid_range(berlin: Project) -> None:
    # 2026-10-25: Berlin leaves summer time; 2026-11-01: holiday; shop-1 opens 2026-10-28.
    bundle = build_bundle(berlin, dt.date(2026, 10, 24), dt.date(2026, 11, 2))
    morning = [m for m in bundle.messages if m.item_id == "morning"]
    club = [f"{m.at:%m-%d %H:%M%z}" for m in morning if m.group == "club-1"]
    assert club == ["10-24 09:00+0200", "10-25 09:00+0100", "10-26 09:00+0100", "10-27 09:00+0100",
                    "10-28 09:00+0100", "10-29 09:00+0100", "10-30 09:00+0100", "10-31 09:00+0100",
                    "11-02 09:00+0100"]
    assert min(m.at.date() for m in bundle.messages if m.group == "shop-1") == dt.date(2026, 10, 28)
    assert "md/anna/2026-11-01.md" not in bundle.files and "md/anna/2026-11-02.md" in bundle.files
    assert "md/ben/2026-10-27.md" not in bundle.files and "md/ben/2026-10-28.md" in bundle.files
    shop = next(m for m in morning if m.group == "shop-1")
    assert (shop.locale, shop.platform) == ("zh-CN", "wecom_customer_group")
    assert shop.text == "早上好，商店一群！今天是 2026-10-28。"
    assert morning[0].text == "Good morning, Club One! Today is 2026-10-24."
    cal = Calendar.from_ical(bundle.files["ics/anna.ics"])
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = recurring_ical_events.of(cal).between(dt.date(2026, 10, 25), dt.date(2026, 10, 26))
    assert [e.decoded("DTSTART").astimezone(dt.UTC).hour for e in events] == [8]  # 09:00 CET


def test_a_launch_at_2330_crosses_midnight_into_the_next_sheet(berlin: Project) -> None:
    bundle = build_bundle(berlin, dt.date(2026, 10, 29), dt.date(2026, 10, 30))
    launch = {m.item_id: m for m in bundle.messages if m.item == "launch_step"}
    assert f"{launch['launch'].at:%m-%d %H:%M}" == "10-29 23:30"
    assert f"{launch['report'].at:%m-%d %H:%M}" == "10-30 00:15"
    assert {m.group for m in launch.values()} == {"shop-1"}
    assert launch["launch"].text == "Tea is live!"
    [picture] = launch["launch"].attachments
    assert picture.path == "packs/night/images/main.png" and picture.kind == "image"
    assert picture.sha256 == hashlib.sha256(FILES["packs/night/images/main.png"]).hexdigest()  # type: ignore[arg-type]
    sheet = bundle.files["md/ben/2026-10-30.md"].decode()
    assert sheet.index("## 00:15") < sheet.index("Report: Tea") < sheet.index("## 09:00")
    assert "Tea is live!" in bundle.files["md/ben/2026-10-29.md"].decode()
    only_first_day = build_bundle(berlin, dt.date(2026, 10, 29), dt.date(2026, 10, 29))
    assert "report" not in {m.item_id for m in only_first_day.messages}


def test_an_empty_range_gives_an_empty_but_complete_bundle(berlin: Project) -> None:
    bundle = build_bundle(berlin, dt.date(2026, 9, 1), dt.date(2026, 9, 7))  # before anything opened
    assert bundle.messages == [] and bundle.diagnostics == []
    assert sorted(bundle.files) == ["manifest.json", "messages.csv", "messages.json", "messages.xlsx",
                                    "replies.json", "replies.md"]
    assert "_(no group open in this range)_" in bundle.files["replies.md"].decode()
    book = openpyxl.load_workbook(io.BytesIO(bundle.files["messages.xlsx"]))
    assert book.sheetnames == ["2026-09-01 Tue"]  # the range's first day, its header alone
    assert [c.value for c in book.active[1]][:3] == ["id", "send_date", "send_time"]
    assert book.active.max_row == 1
    assert read_json(bundle, "messages.json")["messages"] == []
    assert read_json(bundle, "replies.json")["reply_sets"] == []  # no group open by the end
    rows = list(csv.reader(io.StringIO(bundle.files["messages.csv"].decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0][0] == "id"


def test_offline_events_are_back_office_reminders(berlin: Project) -> None:
    bundle = build_bundle(berlin, dt.date(2026, 10, 30), dt.date(2026, 10, 30), groups=["club-1"])
    [meetup] = [m for m in bundle.messages if m.item == "offline"]
    assert (meetup.channel, meetup.sender) == ("backoffice", None)
    assert meetup.text == "Meetup · 2026-10-30 18:00 · Kreuzberg\nBring a friend."


def test_a_platform_without_a_nickname_placeholder_gets_a_neutral_token(berlin: Project) -> None:
    bundle = build_bundle(berlin, dt.date(2026, 10, 30), dt.date(2026, 10, 30))
    sets = {s.group: s for s in bundle.replies}
    club = {r.item_id: r for r in sets["club-1"].replies}
    assert club["welcome"].text == "Welcome {nickname} to Club One!"
    assert dict(sets["club-1"].placeholders) == {"{nickname}": "member.nickname"}
    shop = {r.item_id: r for r in sets["shop-1"].replies}
    assert shop["kw-hours"].text == "%NICKNAME%, we post at 09:00 every day."
    assert shop["kw-hours"].keywords == ("hours",) and shop["kw-hours"].offset is None
