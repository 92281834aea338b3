"""`review.documents`: field-by-field differences in editor words (`compare`), the documents a
change adds, edits and removes, and which edits need a higher version; each expected value
written by hand (mutation runs found added and removed keys, removed documents, dates and the
version rule's unparsable cases untested)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import MakePlaybook
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.review.documents import (
    DocumentChange,
    FieldChange,
    _bumped,
    compare,
    document_changes,
    version_problems,
)
from test_diff import CALENDAR, PLAYBOOK, RULES

CASES: list[tuple[str, Any, Any, list[FieldChange]]] = [
    ("same", {"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}, []),
    ("key removed", {"title": "x", "note": "old"}, {"title": "x"},
     [FieldChange("note", "removed", "old", None)]),
    ("key added", {"title": "x"}, {"title": "x", "note": "new"},
     [FieldChange("note", "added", None, "new")]),
    ("nested key changed", {"limits": {"daily": 8, "weekly": 30}}, {"limits": {"daily": 9, "weekly": 30}},
     [FieldChange("limits › daily", "changed", 8, 9)]),
    ("removed before added, in the order of the keys", {"a": 1, "b": 2}, {"b": 2, "c": 3},
     [FieldChange("a", "removed", 1, None), FieldChange("c", "added", None, 3)]),
    ("items matched by id", {"forbidden": [{"id": "ads", "text": "x"}, {"id": "spam", "text": "y"}]},
     {"forbidden": [{"id": "new", "text": "z"}, {"id": "ads", "text": "x2"}]},
     [FieldChange("forbidden › ads › text", "changed", "x", "x2"),
      FieldChange("forbidden › spam", "removed", {"id": "spam", "text": "y"}, None),
      FieldChange("forbidden › new", "added", None, {"id": "new", "text": "z"})]),
    ("items without ids by position", {"steps": [{"do": "a"}, {"do": "b"}]},
     {"steps": [{"do": "a"}, {"do": "c"}]},
     [FieldChange("steps › #2 › do", "changed", "b", "c")]),
    ("a list of another length is one change", {"steps": [{"do": "a"}]},
     {"steps": [{"do": "a"}, {"do": "b"}]},
     [FieldChange("steps", "changed", [{"do": "a"}], [{"do": "a"}, {"do": "b"}])]),
    ("plain lists compare whole", {"tags": ["a", "b"]}, {"tags": ["b", "a"]},
     [FieldChange("tags", "changed", ["a", "b"], ["b", "a"])]),
    ("a dict becoming text", {"title": {"en": "x"}}, {"title": "x"},
     [FieldChange("title", "changed", {"en": "x"}, "x")]),
    ("the whole value", 1, 2, [FieldChange("document", "changed", 1, 2)]),
    ("a list of items with ids replaced by text", {"forbidden": [{"id": "ads"}]}, {"forbidden": "none"},
     [FieldChange("forbidden", "changed", [{"id": "ads"}], "none")]),
]


@pytest.mark.parametrize(("before", "after", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_compare_names_each_difference(before: Any, after: Any, expected: list[FieldChange]) -> None:
    assert compare(before, after) == expected


def test_compare_starts_paths_under_a_prefix() -> None:
    assert compare({"a": 1}, {}, "rules") == [FieldChange("rules › a", "removed", 1, None)]


def test_a_message_change_names_the_variant_a_group_now_gets(shipped: Project) -> None:
    import dataclasses
    import datetime as dt

    from playbook.messages.compose import compose
    from playbook.review.messages import _match

    [first, *_] = compose(shipped, dt.date(2026, 12, 6), dt.date(2026, 12, 6)).messages
    old = dataclasses.replace(first, variant="a")
    new = dataclasses.replace(first, variant="b", text=first.text + "!")
    [change] = _match([old], [new])
    assert change.source.endswith(f"› slot {first.item_id} (variant a → b)"), change.source
    [same] = _match([old], [dataclasses.replace(old, text=old.text + "!")])
    assert same.source.endswith(f"› slot {first.item_id} (variant a)"), same.source


def _rules(doc_id: str, version: str, title: str = "基础群规") -> str:
    return (RULES.replace("id: base-rules", f"id: {doc_id}").replace("version: 1.0.0", f"version: {version}")
            .replace("title: 基础群规", f"title: {title}"))


def _pair(make_playbook: MakePlaybook) -> tuple[Project, Project]:
    """Base and head of one change: a rule set added (first in the head's order), one edited and
    bumped, one whose only change is a lower version, a calendar's start date moved without a
    bump, and a rule set removed."""
    base = {"playbook.yaml": PLAYBOOK, "rules/base.yaml": _rules("base-rules", "1.0.0"),
            "rules/mid.yaml": _rules("mid-rules", "1.2.0"), "rules/zz.yaml": _rules("zz-rules", "1.0.0"),
            "calendars/daily.yaml": CALENDAR}
    head = {"playbook.yaml": PLAYBOOK, "rules/a.yaml": _rules("a-rules", "1.0.0"),
            "rules/base.yaml": _rules("base-rules", "1.1.0", "新群规"),
            "rules/mid.yaml": _rules("mid-rules", "1.1.0"),
            "calendars/daily.yaml": CALENDAR.replace("start: 2026-11-01", "start: 2026-11-02")}
    before, after = check(make_playbook(base)).project, check(make_playbook(head)).project
    assert before is not None and after is not None
    return before, after


def test_document_changes_lists_added_changed_and_removed_documents(make_playbook: MakePlaybook) -> None:
    base, head = _pair(make_playbook)
    assert document_changes(base, head) == [
        DocumentChange("GroupRules", "a-rules", "rules/a.yaml", "added", None, "1.0.0"),
        DocumentChange("GroupRules", "base-rules", "rules/base.yaml", "changed", "1.0.0", "1.1.0",
                       (FieldChange("title", "changed", "基础群规", "新群规"),)),
        DocumentChange("GroupRules", "mid-rules", "rules/mid.yaml", "changed", "1.2.0", "1.1.0"),
        # a date is compared as the text the YAML holds, never as a date object
        DocumentChange("ActivityCalendar", "daily", "calendars/daily.yaml", "changed", "1.0.0", "1.0.0",
                       (FieldChange("valid › start", "changed", "2026-11-01", "2026-11-02"),)),
        DocumentChange("GroupRules", "zz-rules", "rules/zz.yaml", "removed", "1.0.0", None),
    ]


def test_only_an_edited_document_without_a_bump_is_a_problem(make_playbook: MakePlaybook) -> None:
    # the added, the bumped and the version-only documents come first and are passed over
    base, head = _pair(make_playbook)
    problems = version_problems(document_changes(base, head), head)
    assert [str(p) for p in problems] == [
        "calendars/daily.yaml:4:10: error PB801 calendar 'daily' changed but its version is still "
        "1.0.0 (was 1.0.0)"]


@pytest.mark.parametrize(("before", "after", "bumped"), [
    (None, "1.0.0", True),          # a new document
    (None, "1.0.0-01", False),      # semver rejects a numeric pre-release with a leading zero
    ("1.0.0", "1.0.0-01", False),
    ("1.0.0-01", "1.0.1", False),   # a version that does not parse is bumped only from nothing
    ("1.0.0", "1.0.1", True),
    ("1.0.1", "1.0.0", False),
])
def test_bumped_follows_its_rule_for_missing_and_unparsable_versions(before: str | None, after: str,
                                                                     bumped: bool) -> None:
    assert _bumped(before, after) is bumped
