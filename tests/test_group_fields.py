"""Groups as data: declared fields, classes and WeCom ids on roster groups; every bad input
named in issue 15 (items 1-3, 5) gives its exact diagnostic at FILE:LINE:COL."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MakePlaybook, document_header, valid_playbook_yaml
from playbook.diagnostics import Diagnostic
from playbook.messages.compose import compose
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.render import Place, sample_context

# playbook.yaml: the 19 lines of the valid playbook, then these (line 20 on)
DECLARED = """\
group_fields:
  - id: store
    name: 门店
    required: true
  - id: city
    name: 城市
  - id: tier
    name: 等级
    type: number
  - id: region
    name: 大区
    type: enum
    values: [east, south]
  - id: opened_on
    name: 开业日
    type: date
  - id: page
    name: 门店页
    type: url
classification:
  dimensions:
    - id: identity
      name: 身份
      values:
        - id: store
          name: 实体店
        - id: consumer
          name: 消费者
  admission:
    refuse: [identity:consumer]
operators:
  - id: op-a
    name: 小安
    wecom_userid: xiao.an
  - id: op-b
    name: 小博
    wecom_userid: {userid}
"""


def roster(groups: str) -> str:
    """roster.yaml: the header (6 lines), `groups:` on line 7, the first group on line 8."""
    return document_header("Roster", "roster") + "groups:\n" + groups


def group(ident: str, extra: str = "") -> str:
    """A group of 5 lines plus `extra`, with the required store."""
    return (f"  - id: {ident}\n    name: 群 {ident}\n    type: middle-official\n    operator: op-a\n"
            f"    opened: 2026-11-02\n" + extra)


def lines(root: Path, *codes: str) -> list[str]:
    return [str(d) for d in check(root).diagnostics if not codes or d.code in codes]


def found(root: Path, code: str) -> list[Diagnostic]:
    return [d for d in check(root).diagnostics if d.code == code]


def make(make_playbook: MakePlaybook, groups: str, userid: str = "xiao.bo",
         files: dict[str, str] | None = None) -> Path:
    return make_playbook({"playbook.yaml": valid_playbook_yaml(DECLARED.format(userid=userid)),
                          "roster.yaml": roster(groups), **(files or {})})


STORE = "    fields:\n      store: 天河店\n"


def test_a_roster_with_every_kind_of_value_is_clean(make_playbook: MakePlaybook) -> None:
    extra = ("    chat_id: wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA\n    robot: 播报机器人\n"
             "    classes: [identity:store]\n    tags: [母婴]\n"
             "    fields:\n      store: 天河店\n      city: 广州\n      tier: 2\n"
             "      region: south\n      opened_on: 2020-05-01\n      page: https://example.com/s/1\n")
    root = make(make_playbook, group("g-01", extra))
    assert [d.code for d in check(root).diagnostics] == ["PB115"]  # only the unused role of the base


def test_an_unknown_field_says_which_field_was_meant(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01", STORE + "      ctiy: 广州\n"))
    [d] = found(root, "PB118")
    assert str(d) == ("roster.yaml:15:7: error PB118 group 'g-01' has a value for 'ctiy', "
                      "which is not a declared group field")
    assert d.help == "did you mean 'city'?"


@pytest.mark.parametrize(("value", "expected", "help"), [
    ("tier: '3'", "roster.yaml:15:13: error PB119 group 'g-01': '3' is not a number for the number "
                  "field 'tier'", "write a number without quotes"),
    ("region: esat", "roster.yaml:15:15: error PB119 group 'g-01': 'esat' is not one of the declared "
                     "values (east, south) for the enum field 'region'", "did you mean 'east'?"),
    ("opened_on: '2020'", "roster.yaml:15:18: error PB119 group 'g-01': '2020' is not a date (YYYY-MM-DD) "
                          "for the date field 'opened_on'", "write a real day as YYYY-MM-DD"),
    ("opened_on: 2020-02-30", "roster.yaml:15:18: error PB119 group 'g-01': '2020-02-30' is not a date "
                              "(YYYY-MM-DD) for the date field 'opened_on'",
     "write a real day as YYYY-MM-DD"),
    ("page: http://example.com", "roster.yaml:15:13: error PB119 group 'g-01': 'http://example.com' is not "
                                 "an https URL for the url field 'page'", "write a full https:// address"),
    ("city: 510000", "roster.yaml:15:13: error PB119 group 'g-01': '510000' is not text for the text "
                     "field 'city'", "quote it to make it text"),
])
def test_a_value_that_does_not_fit_its_field(make_playbook: MakePlaybook, value: str, expected: str,
                                             help: str) -> None:
    root = make(make_playbook, group("g-01", STORE + f"      {value}\n"))
    [d] = found(root, "PB119")
    assert (str(d), d.help) == (expected, help)


def test_a_required_field_missing(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01") + group("g-02", "    fields:\n      city: 广州\n"))
    assert lines(root, "PB120") == [
        "roster.yaml:8:9: error PB120 group 'g-01' lacks the required field 'store'",
        "roster.yaml:18:5: error PB120 group 'g-02' lacks the required field 'store'",
    ]


@pytest.mark.parametrize(("line", "expected"), [
    ("    chat_id: wx123", "roster.yaml:13:14: error PB030 groups[0].chat_id: 'wx123' is not a WeCom "
                         "customer-group chat_id: 'wr' followed by 10-64 letters, digits, '_' or '-', "
                         "e.g. wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"),
    ("    chat_id: wrShort", "roster.yaml:13:14: error PB030 groups[0].chat_id: 'wrShort' is not a WeCom "
                           "customer-group chat_id: 'wr' followed by 10-64 letters, digits, '_' or '-', "
                           "e.g. wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"),
    ("    classes: [store]", "roster.yaml:13:15: error PB030 groups[0].classes[0]: String should match "
                             "pattern "
                             "'^[a-z0-9]+(?:[-_][a-z0-9]+)*:[a-z0-9]+(?:[-_][a-z0-9]+)*$'"),
    ("    fields: {store: [a, b]}", "roster.yaml:13:21: error PB030 groups[0].fields.store: a field value "
                                    "is text, a number or a date "
                                    "(YYYY-MM-DD), not list"),
])
def test_shapes_the_schema_refuses(make_playbook: MakePlaybook, line: str, expected: str) -> None:
    root = make(make_playbook, group("g-01", line + "\n"))
    assert [x for x in lines(root) if " PB0" in x] == [expected]


def test_a_bad_userid_shape(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01", STORE), userid="'-bo'")
    assert [x for x in lines(root) if " PB0" in x] == [
        "playbook.yaml:56:19: error PB030 operators[1].wecom_userid: '-bo' is not a WeCom userid: 1-64 "
        "letters, digits, '_', '-', "
        "'@' or '.', starting with a letter or digit"]


def test_an_enum_without_values_is_refused(make_playbook: MakePlaybook) -> None:
    extra = "group_fields:\n  - id: region\n    name: 大区\n    type: enum\n"
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(extra)})
    assert lines(root) == ["playbook.yaml:21:5: error PB030 group_fields[0]: an enum field needs `values`"]


def test_duplicate_wecom_ids_point_at_the_first(make_playbook: MakePlaybook) -> None:
    chat = "    chat_id: wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA\n"
    root = make(make_playbook, group("g-01", STORE + chat) + group("g-02", STORE + chat), userid="xiao.an")
    diagnostics = found(root, "PB121")
    assert [str(d) for d in diagnostics] == [
        "playbook.yaml:56:19: error PB121 wecom_userid 'xiao.an' of operator 'op-b' is already another "
        "operator's",
        "roster.yaml:23:14: error PB121 chat_id 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA' of group 'g-02' is "
        "already another group's",
    ]
    assert [(r.span.path, r.span.line, r.span.col, r.message) for d in diagnostics for r in d.related] == [
        ("playbook.yaml", 53, 19, "first used here"), ("roster.yaml", 15, 14, "first used here")]


def test_an_unknown_class_on_a_group_says_which_was_meant(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01", STORE + "    classes: [identity:stroe]\n"))
    [d] = found(root, "PB112")
    assert (str(d), d.help) == ("roster.yaml:15:15: error PB112 unknown class 'identity:stroe'",
                                "did you mean 'identity:store'?")


def test_admission_runs_on_each_groups_classes(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01", STORE + "    classes: [identity:store, identity:consumer]\n"))
    [d] = found(root, "PB507")
    assert str(d) == ("roster.yaml:15:31: error PB507 group 'g-01' holds identity:consumer, which the "
                      "playbook refuses")
    assert [(r.span.line, r.span.col, r.message) for r in d.related] == [(49, 14, "refused here")]


MESSAGE = """applies_to:
  types: [middle-official]
valid:
  start: 2026-11-01
daily:
  - id: hello
    at: "09:00"
    name: 早安
    sender: official
    text: "{text}"
"""


def calendar(text: str) -> dict[str, str]:
    return {"calendars/daily.yaml": document_header("ActivityCalendar", "daily") + MESSAGE.format(text=text)}


def test_a_message_reads_a_declared_field(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01", STORE), files=calendar("{{ group.fields.store }} 早安"))
    checked = check(root)
    assert [str(d) for d in checked.diagnostics] == []
    assert checked.project is not None
    import datetime as dt
    day = dt.date(2026, 11, 30)
    assert [m.text for m in compose(checked.project, day, day).messages] == ["天河店 早安"]


def test_a_message_reading_an_undeclared_field(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01", STORE), files=calendar("{{ group.fields.stroe }} 早安"))
    [d] = found(root, "PB208")
    assert (str(d), d.help) == ("calendars/daily.yaml:16:11: error PB208 template reads group.fields.stroe, "
                                "which is not a declared group field", "did you mean 'store'?")
    assert found(root, "PB204") == []  # the render failure is this finding, not a second one


def test_a_message_reading_a_field_a_group_lacks_names_its_roster_line(make_playbook: MakePlaybook) -> None:
    groups = group("g-01", STORE + "      city: 广州\n") + group("g-02", STORE)
    root = make(make_playbook, groups, files=calendar("{{ group.fields.city }} 早安"))
    [d] = found(root, "PB209")
    assert str(d) == ("calendars/daily.yaml:16:11: error PB209 template reads group.fields.city, which group "
                      "'g-02' (roster.yaml:16) lacks")
    assert [(r.span.path, r.span.line, r.message) for r in d.related] == [("roster.yaml", 16, "group 'g-02'")]
    assert found(root, "PB204") == []


def test_the_sample_context_offers_declared_fields(make_playbook: MakePlaybook) -> None:
    root = make(make_playbook, group("g-01", "    fields:\n      store: 天河店\n      opened_on: 2020-05-01\n"
                                             ))
    project = check(root).project
    assert isinstance(project, Project)
    place = Place("ActivityCalendar", "Slot")
    assert sample_context(project, place, group=project.groups["g-01"])["group"]["fields"] == {
        "store": "天河店", "opened_on": "2020-05-01"}
    # without a real group (the handbook's previews): the field's name, a number, a day, a value
    assert sample_context(project, place)["group"]["fields"] == {
        "store": "门店", "city": "城市", "tier": 1, "region": "east", "opened_on": "2026-01-05",
        "page": "https://example.com/"}
