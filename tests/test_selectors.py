"""Targeting by selectors (issue 15 item 4): one grammar for applies_to, items and variants;
today's forms keep their meaning; unknown names are errors with position; a selector that
reaches no group is a warning; items narrow their document's groups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import MakePlaybook, document_header, valid_playbook_yaml
from playbook.models.base import Scope
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.schedule import expand
from playbook.scope import describe, groups_in

PLAYBOOK = valid_playbook_yaml("""  - id: welfare
    name: 福利群
    positioning: welfare
    purpose: Offers.
    layer: base
    platform: wechat_group
    target_size: 200
layers:
  - {id: base, name: 新手, rank: 1, audience: 新人, goal: 转化}
group_fields:
  - {id: city, name: 城市}
  - {id: tier, name: 等级, type: number}
classification:
  dimensions:
    - id: region
      name: 地区
      values: [{id: east, name: 华东}, {id: south, name: 华南}, {id: north, name: 华北}]
operators:
  - {id: op-a, name: 小安}
""")
ROSTER = document_header("Roster", "roster") + """groups:
  - {id: m-hz, name: 杭州中层, type: middle-official, operator: op-a, opened: 2026-11-02,
     classes: [region:east], fields: {city: 杭州, tier: 1}, tags: [母婴]}
  - {id: m-gz, name: 广州中层, type: middle-official, operator: op-a, opened: 2026-11-02,
     classes: [region:south], fields: {city: 广州, tier: 2}}
  - {id: w-fs, name: 佛山福利, type: welfare, operator: op-a, opened: 2026-11-02,
     classes: [region:south], fields: {city: 佛山}, tags: [母婴, 家清]}
  - {id: w-bj, name: 北京福利, type: welfare, operator: op-a, opened: 2026-11-02}
"""


@pytest.fixture
def project(make_playbook: MakePlaybook) -> Project:
    checked = check(make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER}))
    assert isinstance(checked.project, Project), [str(d) for d in checked.diagnostics]
    return checked.project


@pytest.mark.parametrize(("scope", "expected"), [
    (Scope(), ["m-gz", "m-hz", "w-bj", "w-fs"]),
    # today's forms: a group named by any of group_types, layers, groups is in
    (Scope(group_types=["middle-official"]), ["m-gz", "m-hz"]),
    (Scope(types=["middle-official"]), ["m-gz", "m-hz"]),
    (Scope(layers=["base"], groups=["m-hz"]), ["m-hz", "w-bj", "w-fs"]),
    # classes, fields and tags narrow: each given must match, any of its values will do
    (Scope(classes=["region:south"]), ["m-gz", "w-fs"]),
    (Scope(types=["welfare"], classes=["region:south", "region:north"]), ["w-fs"]),
    (Scope(fields={"city": ["广州", "佛山"]}), ["m-gz", "w-fs"]),
    (Scope(fields={"city": ["广州", "佛山"], "tier": [2]}), ["m-gz"]),
    (Scope(fields={"tier": [1.0]}), ["m-hz"]),
    (Scope(fields={"tier": ["1"]}), []),  # text is not the number 1
    (Scope(tags=["母婴"]), ["m-hz", "w-fs"]),
    (Scope(tags=["母婴"], classes=["region:east"]), ["m-hz"]),
])
def test_which_groups_a_selector_reaches(project: Project, scope: Scope, expected: list[str]) -> None:
    assert groups_in(project, scope) == expected


def test_an_items_selector_narrows_its_documents(project: Project) -> None:
    assert groups_in(project, Scope(types=["welfare"]), Scope(tags=["母婴"])) == ["w-fs"]
    assert groups_in(project, Scope(types=["welfare"]), None, Scope()) == ["w-bj", "w-fs"]


def test_a_selector_in_one_line() -> None:
    assert describe(None) == "all groups"
    assert describe(Scope(types=["a"], group_types=["b"], classes=["region:east"],
                          fields={"city": ["广州", "佛山"]}, tags=["母婴"])) == \
        "types: a, b; classes: region:east; fields.city: 广州, 佛山; tags: 母婴"


CALENDAR = document_header("ActivityCalendar", "daily") + """applies_to:
  {selector}
valid:
  start: 2026-11-01
daily:
  - id: hello
    at: "09:00"
    name: 早安
    sender: official
    text: 早安
  - id: south-only
    at: "10:00"
    name: 华南
    sender: official
    text: 华南的伙伴早
    applies_to:
      classes: [region:south]
"""


def files(selector: str) -> dict[str, str]:
    return {"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER,
            "calendars/daily.yaml": CALENDAR.replace("{selector}", selector)}


def test_an_item_goes_only_to_the_groups_its_own_selector_keeps(make_playbook: MakePlaybook) -> None:
    project = check(make_playbook(files("types: [middle-official]"))).project
    assert project is not None
    day = dt.date(2026, 11, 30)
    assert [(s.item_id, s.group) for s in expand(project, day, day)] == [
        ("hello", "m-gz"), ("hello", "m-hz"), ("south-only", "m-gz")]


@pytest.mark.parametrize(("selector", "expected"), [
    ("classes: [regoin:east]", ["calendars/daily.yaml:8:13: error PB112 unknown class 'regoin:east'",
                                "calendars/daily.yaml:7:1: warning PB122 this selector (classes: regoin:east"
                                ") "
                                "reaches no group in the roster"]),
    ("classes: [region:esat]", ["calendars/daily.yaml:8:13: error PB112 unknown class 'region:esat'",
                                "calendars/daily.yaml:7:1: warning PB122 this selector (classes: region:esat"
                                ") "
                                "reaches no group in the roster"]),
    ("fields: {ctiy: [广州]}", ["calendars/daily.yaml:8:12: error PB118 the selector names 'ctiy', "
                              "which is not a declared group field",
                              "calendars/daily.yaml:7:1: warning PB122 this selector (fields.ctiy: 广州) "
                              "reaches no group in the roster"]),
    ("types: [middle-oficial]", ["calendars/daily.yaml:8:11: error PB101 unknown group type "
                                 "'middle-oficial'",
                                 "calendars/daily.yaml:7:1: warning PB122 this selector (types: "
                                 "middle-oficial) reaches no group in the roster"]),
    ("tags: [母嬰]", ["calendars/daily.yaml:7:1: warning PB122 this selector (tags: 母嬰) reaches no group "
                    "in the roster"]),
])
def test_selectors_that_name_nothing(make_playbook: MakePlaybook, selector: str, expected: list[str]) -> None:
    root: Path = make_playbook(files(selector))
    found = [str(d) for d in check(root).diagnostics if d.code in ("PB101", "PB112", "PB118", "PB122")]
    assert sorted(found) == sorted(expected)


def test_did_you_mean_for_a_misspelt_dimension_or_value(make_playbook: MakePlaybook) -> None:
    for selector, meant in (("classes: [regoin:east]", "region:east"),
                            ("classes: [region:esat]", "region:east")):
        [d] = [d for d in check(make_playbook(files(selector))).diagnostics if d.code == "PB112"]
        assert d.help == f"did you mean '{meant}'?"
