"""`playbook journey` (issue 17 item 2): every message one member joining a group receives, in
order; a golden story per shipped playbook pins it, and small playbooks check each rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli, document_header, valid_playbook_yaml
from golden import assert_golden

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "journey"

STORIES = [
    # a training-camp member: join ceremony, the 7-day camp of the next cohort, the new-member
    # path by private message, and the promotion into a middle group's join ceremony
    ("yuexianghui-camp", REPO, "camp-03", "2026-11-22"),
    ("b2b-store", REPO / "examples" / "b2b-shopping-guide", "cd-store-01", "2026-11-20"),
    ("knowledge-camp", REPO / "examples" / "knowledge-payment", "camp-22", "2026-11-14"),
    ("pharmacy-vip", REPO / "examples" / "pharmacy-vip", "lsms-vip-01", "2026-11-21 19:30"),
]


@pytest.mark.parametrize(("name", "root", "group", "joined"), STORIES, ids=[s[0] for s in STORIES])
def test_golden_story(run_cli: RunCli, name: str, root: Path, group: str, joined: str) -> None:
    code, out, err = run_cli("journey", root, "--group", group, "--joined", joined)
    assert code == 0, err
    assert_golden(GOLDEN / f"{name}.txt", out)


PLAYBOOK = valid_playbook_yaml("""  - id: camp
    name: 训练营
    positioning: training_camp
    purpose: Lessons.
    platform: wechat_group
    target_size: 100
    lifecycle:
      - {kind: strong, name: 开营, duration: 7d}
      - {kind: weak, name: 收尾, duration: 7d}
operators:
  - {id: op-a, name: 小安}
groups:
  - {id: c1, name: 一营, type: camp, operator: op-a, opened: 2026-11-01,
     cohort_starts: [2026-11-02, 2026-11-16]}
""")
JOIN = document_header("OnboardingScript", "join") + """trigger: {kind: on_join}
next: [camp]
steps:
  - {id: check, name: 核对, at: "-10m", channel: private_message, sender: official, text: 核对}
  - {id: hello, name: 欢迎, at: "+0m", channel: group_message, sender: official, text: 欢迎}
  - {id: late, name: 提醒, at: "+2d", channel: private_message, sender: official, text: 提醒,
     applies_to: {stages: [strong]}}
"""
CAMP = document_header("OnboardingScript", "camp") + """\
trigger: {kind: programme, days: 3, anchor: cohort_start}
next: [join, alumni]
steps:
  - {id: open, name: 开营, at: "day 1 09:00", channel: group_message, sender: official, text: 开营}
  - {id: nudge, name: 私聊, at: "day 2 10:00", channel: private_message, sender: official, text: 私聊}
"""
ALUMNI = document_header("OnboardingScript", "alumni") + """trigger: {kind: on_join}
applies_to: {types: [middle-official]}
steps:
  - {id: hi, name: 老学员欢迎, at: "+0m", channel: group_message, sender: official, text: 欢迎}
"""
DAILY = document_header("ActivityCalendar", "days") + """valid: {start: 2026-11-01, end: 2026-12-31}
daily:
  - {id: night, at: "21:00", name: 晚安, sender: official, text: 晚安}
"""


def lines_of(run_cli: RunCli, make_playbook: MakePlaybook, *args: str) -> list[str]:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "scripts/join.yaml": JOIN,
                          "scripts/camp.yaml": CAMP, "scripts/alumni.yaml": ALUMNI,
                          "calendars/days.yaml": DAILY})
    code, out, err = run_cli("journey", root, *args)
    assert code == 0, err
    return out.splitlines()


def cells(line: str) -> list[str]:
    return line.split()[:7]


def test_a_members_journey_in_order(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    lines = lines_of(run_cli, make_playbook, "--group", "c1", "--joined", "2026-11-14 20:00")
    assert lines[0] == "一营 (c1) · joined 2026-11-14 20:00 · until 2026-11-20 · 11 messages"
    assert [cells(line)[:6] for line in lines[1:12]] == [
        ["D1", "11-14", "19:50", "member", "private_message", "official"],  # before the join
        ["D1", "11-14", "20:00", "member", "group_message", "official"],
        ["D1", "11-14", "21:00", "group", "group_message", "official"],
        ["D2", "11-15", "21:00", "group", "group_message", "official"],
        # 11-16 is the next cohort (the one started 11-02 is not the member's); the +2d
        # reminder is scoped to the strong stage, and the group is weak from 11-08 on
        ["D3", "11-16", "09:00", "member", "group_message", "official"],
        ["D3", "11-16", "21:00", "group", "group_message", "official"],
        ["D4", "11-17", "10:00", "member", "private_message", "official"],
        ["D4", "11-17", "21:00", "group", "group_message", "official"],
        ["D5", "11-18", "21:00", "group", "group_message", "official"],
        ["D6", "11-19", "21:00", "group", "group_message", "official"],
        ["D7", "11-20", "21:00", "group", "group_message", "official"],
    ]
    assert [line.split()[6] for line in lines[1:3]] == ["join/check", "join/hello"]
    assert lines[12:] == [
        "", "then, when the member moves on (not dated: it waits for the move):",
        "  after camp: join (on_join, all groups): -10m check, +0m hello, +2d late",
        "  after camp: alumni (on_join, types: middle-official): +0m hi",
    ]


def test_a_stage_scoped_step_follows_the_stage(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    # joined on 11-02, in the strong stage: the +2d reminder on 11-04 is still strong; with the
    # join ceremony (3), the 11-02 cohort's two steps and three good-nights: 8
    lines = lines_of(run_cli, make_playbook, "--group", "c1", "--joined", "2026-11-02 08:00",
                     "--until", "2026-11-04")
    assert "join/late" in [line.split()[6] for line in lines[1:] if line.startswith("D")]
    assert lines[0] == "一营 (c1) · joined 2026-11-02 08:00 · until 2026-11-04 · 8 messages"


@pytest.mark.parametrize(("args", "message"), [
    (("--group", "c9", "--joined", "2026-11-14"), "--group c9: no such group"),
    (("--group", "c1", "--joined", "2026-11-14", "--until", "2026-11-13"),
     "--until 2026-11-13 is before the join day 2026-11-14"),
])
def test_usage_errors(run_cli: RunCli, make_playbook: MakePlaybook, args: tuple[str, ...],
                      message: str) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK})
    code, _, err = run_cli("journey", root, *args)
    assert code == 2 and message in err


def test_a_bad_join_moment_is_refused(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK})
    code, _, err = run_cli("journey", root, "--group", "c1", "--joined", "2026-11-14 25:00")
    assert code == 2 and "'2026-11-14 25:00' is not a day and time; write YYYY-MM-DD HH:MM" in err


def test_join_moment_defaults_to_the_evening() -> None:
    from playbook.lifecycle.journey_command import joined_at
    assert joined_at("2026-11-14") == dt.datetime(2026, 11, 14, 20, 0)
    assert joined_at("2026-11-14 09:05") == dt.datetime(2026, 11, 14, 9, 5)
