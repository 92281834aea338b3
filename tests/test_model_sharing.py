"""The validated models share what every instance would otherwise hold a copy of: the set of
fields given (`models.base.Model.model_post_init`). Sharing must never let one instance's
change show in another."""

from __future__ import annotations

import pickle

from playbook.models.base import Scope


def test_instances_given_the_same_fields_share_one_set() -> None:
    first = Scope.model_validate({"types": ["a"], "tags": ["x"]})
    second = Scope.model_validate({"tags": ["y"], "types": ["b"]})
    other = Scope.model_validate({"types": ["c"]})
    assert first.model_fields_set == second.model_fields_set == {"types", "tags"}
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    assert other.model_fields_set == {"types"}
    assert first.model_dump(exclude_unset=True) == {"types": ["a"], "tags": ["x"]}


def test_a_copy_with_changes_leaves_the_shared_set_alone() -> None:
    first = Scope.model_validate({"types": ["a"]})
    second = Scope.model_validate({"types": ["b"]})
    changed = first.model_copy(update={"layers": ["l"]})
    assert changed.model_fields_set == {"types", "layers"}
    assert first.model_fields_set == second.model_fields_set == {"types"}
    assert Scope.model_validate({"types": ["c"]}).model_fields_set == {"types"}


def test_a_pickled_instance_comes_back_equal() -> None:
    first = Scope.model_validate({"types": ["a"], "fields": {"city": ["广州"]}})
    again = pickle.loads(pickle.dumps(first))
    assert again == first and again.model_fields_set == {"types", "fields"}
