"""Moments and service-account posts belong to an account, not a group: one message per
account, moment and item in every format (issue 16/17 follow-up, docs/lifecycle.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bundle_playbook import FILES
from conftest import MakePlaybook
from playbook.account_posts import by_account
from playbook.bundle.agenda import agenda
from playbook.bundle.export import build_bundle
from playbook.delivery.wecom_payloads import plan
from playbook.loader import load_tree
from playbook.messages.compose import compose
from playbook.models.project import Project
from playbook.schedule import expand
from playbook.validate import validate_tree

ROOT = Path(__file__).parent.parent
MONDAY, SUNDAY = dt.date(2026, 11, 30), dt.date(2026, 12, 6)
# Written by hand from roster.yaml and calendars/daily-promotion.yaml: the two Moments slots
# reach the middle-official and welfare-hot groups, run by zhou-ning (3 groups), chen-yu (3)
# and lin-xiao (2); Sunday 12-06 is the laundry-pods launch day, which skips both slots.
OPERATORS = ("chen-yu", "lin-xiao", "zhou-ning")
SLOTS = ("moments-evening", "moments-morning")
DAYS = tuple(MONDAY + dt.timedelta(days=n) for n in range(6))
EXPECTED = {(op, day.isoformat(), slot) for op in OPERATORS for day in DAYS for slot in SLOTS}
NAMES = {"chen-yu": "朋友圈（陈雨）", "lin-xiao": "朋友圈（林晓）", "zhou-ning": "朋友圈（周宁）"}


@pytest.fixture(scope="module")
def project() -> Project:
    result = validate_tree(load_tree(ROOT))
    assert result.project is not None
    return result.project


@pytest.fixture(scope="module")
def files(project: Project) -> dict[str, bytes]:
    bundle = build_bundle(project, MONDAY, SUNDAY, formats=("json", "csv", "xlsx", "md", "ics", "wecom"))
    assert bundle.diagnostics == []
    return bundle.files


def test_json_has_one_moments_post_per_operator_slot_and_day(files: dict[str, bytes]) -> None:
    rows = [m for m in json.loads(files["messages.json"])["messages"] if m["channel"] == "moments_post"]
    assert len(rows) == 36 == len(EXPECTED)
    assert {(m["operator"], m["at"][:10], m["item_id"]) for m in rows} == EXPECTED
    assert {(m["group"], m["group_name"], m["platform"], m["route"]) for m in rows} == {
        ("", NAMES[op], "moments", "manual") for op in OPERATORS}
    assert len({m["id"] for m in rows}) == 36


def test_csv_and_xlsx_agree(files: dict[str, bytes]) -> None:
    rows = list(csv.DictReader(io.StringIO(files["messages.csv"].decode("utf-8-sig"))))
    moments = [r for r in rows if r["channel"] == "moments_post"]
    assert {(r["operator"], r["send_date"], r["item_id"]) for r in moments} == EXPECTED
    assert len(moments) == 36 and {r["group_id"] for r in moments} == {""}
    book = load_workbook(io.BytesIO(files["messages.xlsx"]), read_only=True)
    xlsx_ids = set()
    for sheet in book.worksheets:
        cells = list(sheet.iter_rows(values_only=True))
        head = list(cells[0])
        xlsx_ids |= {r[head.index("id")] for r in cells[1:] if r[head.index("channel")] == "moments_post"}
    assert xlsx_ids == {r["id"] for r in moments}


def test_run_sheets_and_calendars_show_each_post_once(files: dict[str, bytes]) -> None:
    for op in OPERATORS:
        for day in DAYS:
            sheet = files[f"md/{op}/{day.isoformat()}.md"].decode()
            assert sheet.count(f"### {NAMES[op]}\n") == 2
            assert sheet.count("moments_post") == 2
    rows = [m for m in json.loads(files["messages.json"])["messages"] if m["channel"] == "moments_post"]
    groups = b"".join(data for name, data in files.items() if name.startswith("ics/groups/")).decode()
    for m in rows:  # in its operator's calendar once (one alarm a moment), in no group's
        assert files[f"ics/{m['operator']}.ics"].decode().count(f"X-PLAYBOOK-MESSAGE-ID:{m['id']}") == 1
        assert m["id"] not in groups
    assert not any(name.startswith("ics/groups/.") for name in files)
    assert "X-PLAYBOOK-GROUP:\r\n" not in "".join(f.decode() for n, f in files.items() if n.endswith(".ics"))


def test_wecom_keeps_moments_manual(files: dict[str, bytes]) -> None:
    rows = [m for m in json.loads(files["messages.json"])["messages"] if m["channel"] == "moments_post"]
    index = json.loads(files["wecom/index.json"])
    manual = {m["message"]: m for m in index["manual"]}
    for m in rows:
        assert manual[m["id"]]["group"] == ""
        assert manual[m["id"]]["reason"] == f"channel moments_post is posted by hand, on {m['group_name']}"
    posted = {i for p in index["payloads"] for i in p["messages"]}
    assert posted and not posted & {m["id"] for m in rows}


def test_ids_are_stable_and_differ_from_group_ids(project: Project) -> None:
    sends = [s for s in expand(project, MONDAY, MONDAY) if s.channel == "moments_post"]
    merged = [s for s in by_account(project, sends)]
    again = [s for s in by_account(project, expand(project, MONDAY, MONDAY)) if s.account]
    assert [s.id for s in merged] == [s.id for s in again]
    assert len(merged) == 6 and len(sends) == 16
    assert not {s.id for s in merged} & {s.id for s in sends}
    zhou = [s for s in merged if s.account == "zhou-ning"]
    assert {s.groups for s in zhou} == {("east-middle-01", "east-middle-02", "welfare-01")}


def test_plan_posts_no_moments(project: Project, files: dict[str, bytes]) -> None:
    messages = [m for m in compose(project, MONDAY, MONDAY).messages if m.channel == "moments_post"]
    found = plan(project, messages)
    assert found.payloads == [] and len(found.manual) == 6
    assert {m.reason for m in found.manual} == {
        f"channel moments_post is posted by hand, on {name}" for name in NAMES.values()}


def test_agenda_lists_each_account_post_once(project: Project) -> None:
    text = agenda(project, MONDAY).text
    for op, name in NAMES.items():
        assert text.count(f"\n{name} · {op} · moments\n") == 1
    assert text.count("slot moments-morning") == 3 and text.count("slot moments-evening") == 3


def test_send_dry_run_lists_each_moments_post_as_manual(files: dict[str, bytes], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from playbook.cli import main
    bundle = tmp_path / "bundle"
    for name, data in files.items():
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(data)
    ids = {m["operator"]: m["id"] for m in json.loads(files["messages.json"])["messages"]
           if m["channel"] == "moments_post" and m["at"].startswith("2026-11-30T10:30")}
    code = main(["send", str(bundle), "--ledger", str(tmp_path / "ledger.sqlite"),
                 "--now", "2026-11-30 10:35"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if "moments_post" in line]
    assert sorted(lines) == sorted(f"manual           2026-11-30 10:30  [{ids[op]}]: channel moments_post "
                                   f"is posted by hand, on {NAMES[op]}" for op in OPERATORS)
    assert len(lines) == 3


def test_a_service_account_post_is_one_per_moment_whoever_runs_the_groups(
        make_playbook: MakePlaybook) -> None:
    """Two groups run by two operators: a Moments slot is one post per operator, a
    service-account slot one post in all, in the run sheet of the first group's operator."""
    cal = FILES["calendars/daily.yaml"]
    assert isinstance(cal, str)
    cal = cal.replace("offline:", "  - {id: feed, at: '10:00', name: Feed, sender: host,\n"
                      "     channel: moments_post, text: New today.}\n"
                      "  - {id: push, at: '11:00', name: Push, sender: host,\n"
                      "     channel: service_account_post, text: This week.}\noffline:")
    root = make_playbook({**FILES, "calendars/daily.yaml": cal})
    project = validate_tree(load_tree(root)).project
    assert project is not None
    day = dt.date(2026, 10, 29)
    messages = compose(project, day, day).messages

    def rows(item: str) -> list[tuple[object, ...]]:
        return [(m.group, m.group_name, m.operator, m.platform, m.groups)
                for m in messages if m.item_id == item]

    feed = rows("feed")
    assert feed == [("", "朋友圈（Anna）", "anna", "moments", ("club-1",)),
                    ("", "朋友圈（Ben）", "ben", "moments", ("shop-1",))]
    push = rows("push")
    assert push == [("", "服务号（Berlin club）", "anna", "service_account", ("club-1", "shop-1"))]
    [only] = [m for m in messages if m.item_id == "push"]
    again = [m for m in compose(project, day, day).messages if m.item_id == "push"]
    assert [m.id for m in again] == [only.id] and only.route == "manual"
