"""Stages in force (issue 17 item 1): a group's stage on a day from its `opened` date and its
type's stage durations, or from a stage pinned in the roster with the day it began."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import MakePlaybook, document_header, valid_playbook_yaml
from playbook.lifecycle.stages import StageInForce, find_stage, stage_on
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.schedule import expand

D = dt.date

# camp: strong 7 days, daily 14 days, weak 10 days (closed lifecycle);
# club: strong 30 days, daily open-ended, weak 30 days (the weak stage needs a pin).
PLAYBOOK = valid_playbook_yaml("""  - id: camp
    name: 训练营
    positioning: training_camp
    purpose: A week of lessons.
    platform: wechat_group
    target_size: 100
    lifecycle:
      - {kind: strong, name: 开营, duration: 7d}
      - {id: wait, kind: daily, name: 等待, duration: 14d}
      - {kind: weak, name: 评估, duration: 10d}
  - id: club
    name: 俱乐部
    positioning: retention
    purpose: Members stay.
    platform: wechat_group
    target_size: 100
    lifecycle:
      - {kind: strong, name: 强运营期, duration: 30d}
      - {kind: daily, name: 日常运营期}
      - {kind: weak, name: 弱运营期, duration: 30d}
operators:
  - {id: op-a, name: 小安}
""")
ROSTER = document_header("Roster", "roster") + """groups:
  - {id: camp-1, name: 一期, type: camp, operator: op-a, opened: 2026-11-02}
  - {id: club-1, name: 俱乐部一, type: club, operator: op-a, opened: 2026-11-02}
  - {id: club-weak, name: 俱乐部二, type: club, operator: op-a, opened: 2026-11-02,
     stage: {kind: weak, since: 2027-01-10}}
  - {id: camp-held, name: 二期, type: camp, operator: op-a, opened: 2026-11-02,
     stage: {id: wait, since: 2026-11-05}}
  - {id: plain, name: 无阶段, type: middle-official, operator: op-a, opened: 2026-11-02}
"""


@pytest.fixture
def project(make_playbook: MakePlaybook) -> Project:
    checked = check(make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER}))
    assert isinstance(checked.project, Project), [str(d) for d in checked.diagnostics]
    return checked.project


def summary(found: StageInForce | None) -> tuple[str, int, dt.date, dt.date | None, bool] | None:
    if found is None:
        return None
    return found.stage.name, found.index, found.start, found.end, found.overdue


@pytest.mark.parametrize(("group", "day", "expected"), [
    # opened 11-02: strong 11-02..11-08, daily 11-09..11-22, weak 11-23..12-02
    ("camp-1", D(2026, 11, 2), ("开营", 0, D(2026, 11, 2), D(2026, 11, 8), False)),
    ("camp-1", D(2026, 11, 8), ("开营", 0, D(2026, 11, 2), D(2026, 11, 8), False)),
    ("camp-1", D(2026, 11, 9), ("等待", 1, D(2026, 11, 9), D(2026, 11, 22), False)),
    ("camp-1", D(2026, 11, 23), ("评估", 2, D(2026, 11, 23), D(2026, 12, 2), False)),
    ("camp-1", D(2026, 12, 2), ("评估", 2, D(2026, 11, 23), D(2026, 12, 2), False)),
    # past the last stage's duration: still in it, overdue for a decision
    ("camp-1", D(2027, 3, 1), ("评估", 2, D(2026, 11, 23), D(2026, 12, 2), True)),
    # before the group opened: no stage
    ("camp-1", D(2026, 11, 1), None),
    # an open-ended daily stage lasts; weak is reached only by a pin
    ("club-1", D(2026, 12, 1), ("强运营期", 0, D(2026, 11, 2), D(2026, 12, 1), False)),
    ("club-1", D(2026, 12, 2), ("日常运营期", 1, D(2026, 12, 2), None, False)),
    ("club-1", D(2028, 1, 1), ("日常运营期", 1, D(2026, 12, 2), None, False)),
    # a pin by kind: before it, the daily stage ends the day before the pin
    ("club-weak", D(2026, 12, 20), ("日常运营期", 1, D(2026, 12, 2), D(2027, 1, 9), False)),
    ("club-weak", D(2027, 1, 10), ("弱运营期", 2, D(2027, 1, 10), D(2027, 2, 8), False)),
    ("club-weak", D(2027, 2, 9), ("弱运营期", 2, D(2027, 1, 10), D(2027, 2, 8), True)),
    # a pin by id cuts the strong stage short and later stages follow their durations again
    ("camp-held", D(2026, 11, 4), ("开营", 0, D(2026, 11, 2), D(2026, 11, 4), False)),
    ("camp-held", D(2026, 11, 5), ("等待", 1, D(2026, 11, 5), D(2026, 11, 18), False)),
    ("camp-held", D(2026, 11, 19), ("评估", 2, D(2026, 11, 19), D(2026, 11, 28), False)),
    # a type without a lifecycle: no stage
    ("plain", D(2026, 11, 10), None),
])
def test_stage_on(project: Project, group: str, day: dt.date,
                  expected: tuple[str, int, dt.date, dt.date | None, bool] | None) -> None:
    assert summary(stage_on(project, group, day)) == expected


def test_stage_on_accepts_the_group_model(project: Project) -> None:
    found = stage_on(project, project.groups["camp-1"], D(2026, 11, 9))
    assert found is not None and found.stage.id == "wait"


def test_next_transition(project: Project) -> None:
    strong = stage_on(project, "camp-1", D(2026, 11, 3))
    assert strong is not None and strong.next_transition == D(2026, 11, 9)
    open_ended = stage_on(project, "club-1", D(2026, 12, 5))
    assert open_ended is not None and open_ended.next_transition is None
    overdue = stage_on(project, "camp-1", D(2027, 1, 1))
    assert overdue is not None and overdue.next_transition is None
    last = stage_on(project, "camp-1", D(2026, 11, 25))
    assert last is not None and last.last and last.next_transition is None


def test_find_stage_prefers_an_id_over_a_kind(project: Project) -> None:
    camp = next(t for t in project.playbook.group_types if t.id == "camp")
    assert find_stage(camp, "wait") == 1
    assert find_stage(camp, "daily") == 1
    assert find_stage(camp, "weak") == 2
    assert find_stage(camp, "dormant") is None


def test_a_pin_names_the_stage_by_id_or_kind_not_both(make_playbook: MakePlaybook) -> None:
    roster = document_header("Roster", "roster") + """groups:
  - {id: camp-1, name: 一期, type: camp, operator: op-a, opened: 2026-11-02,
     stage: {id: wait, kind: daily, since: 2026-11-05}}
"""
    checked = check(make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": roster}))
    assert [(d.code, d.span.line, d.message) for d in checked.diagnostics
            if d.severity.name == "ERROR"] == [
        ("PB030", 9, "groups[0].stage: name the stage by `id` or by `kind`, one of them")]


CALENDAR = document_header("ActivityCalendar", "camp-days") + """applies_to: {types: [camp]}
valid: {start: 2026-11-01, end: 2026-12-31}
daily:
  - {id: lesson, at: "09:00", name: 课程, sender: official, text: 上课,
     applies_to: {stages: [strong]}}
  - {id: reminder, at: "20:00", name: 提醒, sender: official, text: 复习,
     applies_to: {stages: [wait, weak]}}
"""


def test_items_scoped_to_stages_follow_each_groups_stage(make_playbook: MakePlaybook) -> None:
    checked = check(make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER,
                                   "calendars/camp-days.yaml": CALENDAR}))
    assert isinstance(checked.project, Project), [str(d) for d in checked.diagnostics]
    sends = expand(checked.project, D(2026, 11, 1), D(2026, 12, 31))
    lessons = {(s.group, s.at.date()) for s in sends if s.item_id == "lesson"}
    reminders = {(s.group, s.at.date()) for s in sends if s.item_id == "reminder"}
    # camp-1 is strong 11-02..11-08; camp-held is strong 11-02..11-04 (pinned to wait on 11-05)
    assert lessons == {("camp-1", D(2026, 11, d)) for d in range(2, 9)} | {
        ("camp-held", D(2026, 11, d)) for d in range(2, 5)}
    # after the strong stage: wait then weak, and the last stage stays in force when overdue
    assert min(d for g, d in reminders if g == "camp-1") == D(2026, 11, 9)
    assert min(d for g, d in reminders if g == "camp-held") == D(2026, 11, 5)
    assert len([1 for g, _ in reminders if g == "camp-1"]) == 22 + 31  # 11-09..11-30, December
