"""`review.documents.compare`: field-by-field differences in editor words, each expected list
written by hand from the two values (a mutation run found added and removed keys untested)."""

from __future__ import annotations

from typing import Any

import pytest

from playbook.models.project import Project
from playbook.review.documents import FieldChange, compare

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
