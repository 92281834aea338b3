"""Which roster groups a selector (`Scope`: applies_to, a pack's audience, a variant's `when`)
reaches: the one resolver every check and output uses, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from playbook.models.base import Scope
from playbook.models.fields import comparable
from playbook.models.playbook import GroupType
from playbook.models.project import Project


def groups_in(project: Project, scope: Scope, *narrowing: Scope | None) -> list[str]:
    """The ids of the groups `scope` reaches, sorted; each of `narrowing` (an item's own
    `applies_to`, when it has one) keeps only the groups it reaches too.

    An empty selector reaches every group. Otherwise a group is in when `types` (or
    `group_types`), `layers` or `groups` names it (any of them; all groups when none is
    given), and it holds one of `classes`, has one of the values of each field in `fields`
    and carries one of `tags`, for those given.
    """
    found = list(_resolved(project, scope)[0])
    for extra in narrowing:
        if extra is not None and not extra.is_empty:
            other = _resolved(project, extra)[1]
            found = [g for g in found if g in other]
    return found


def reaches(project: Project, scope: Scope, group_id: str) -> bool:
    """Whether `scope` reaches the group `group_id`."""
    return group_id in _resolved(project, scope)[1]


def describe(scope: Scope | None) -> str:
    """A selector in one line, for bundles and the agenda: `types: a, b; classes: region:east`."""
    if scope is None or scope.is_empty:
        return "all groups"
    parts = []
    for name, values in (("types", scope.all_types), ("layers", scope.layers),
                         ("groups", scope.groups), ("classes", scope.classes)):
        if values:
            parts.append(f"{name}: {', '.join(values)}")
    for field_id, wanted in scope.fields.items():
        parts.append(f"fields.{field_id}: {', '.join(str(comparable(v)) for v in wanted)}")
    if scope.tags:
        parts.append(f"tags: {', '.join(scope.tags)}")
    if scope.stages:
        parts.append(f"stages: {', '.join(scope.stages)}")
    return "; ".join(parts)


@dataclass
class _Index:
    everyone: tuple[str, ...]
    by_type: dict[str, list[str]]
    by_layer: dict[str, list[str]]
    resolved: dict[int, tuple[Scope, tuple[str, ...], frozenset[str]]] = field(default_factory=dict)
    """id(scope) -> (the scope, kept so its id is not reused; its groups; the same as a set)."""
    types: dict[str, GroupType] = field(default_factory=dict)
    """Group type id -> its first definition (asked for every message of every group)."""


_latest: list[tuple[Project, _Index]] = []


def _index_of(project: Project) -> _Index:
    """Groups by type and by layer, built once for the latest project (scopes are resolved
    thousands of times in a large playbook), with each selector resolved once."""
    if _latest and _latest[0][0] is project:
        return _latest[0][1]
    layer_of = {t.id: t.layer for t in project.playbook.group_types}
    by_type: dict[str, list[str]] = {}
    by_layer: dict[str, list[str]] = {}
    for group_id, group in sorted(project.groups.items()):
        by_type.setdefault(group.type, []).append(group_id)
        layer = layer_of.get(group.type)
        if layer:
            by_layer.setdefault(layer, []).append(group_id)
    types: dict[str, GroupType] = {}
    for group_type in project.playbook.group_types:
        types.setdefault(group_type.id, group_type)
    index = _Index(tuple(sorted(project.groups)), by_type, by_layer, types=types)
    _latest[:] = [(project, index)]
    return index


def _resolved(project: Project, scope: Scope) -> tuple[tuple[str, ...], frozenset[str]]:
    index = _index_of(project)
    hit = index.resolved.get(id(scope))
    if hit is not None and hit[0] is scope:
        return hit[1], hit[2]
    found = _resolve(project, index, scope)
    members = frozenset(found)
    index.resolved[id(scope)] = (scope, found, members)
    return found, members


def _resolve(project: Project, index: _Index, scope: Scope) -> tuple[str, ...]:
    if not (scope.all_types or scope.layers or scope.groups):
        named: tuple[str, ...] = index.everyone
    else:
        reached = {g for g in scope.groups if g in project.groups}
        for type_id in scope.all_types:
            reached.update(index.by_type.get(type_id, ()))
        for layer in scope.layers:
            reached.update(index.by_layer.get(layer, ()))
        named = tuple(sorted(reached))
    if not (scope.classes or scope.fields or scope.tags):
        return named
    classes = frozenset(scope.classes)
    tags = frozenset(scope.tags)
    wanted = {f: {comparable(v) for v in values} for f, values in scope.fields.items()}
    kept = []
    for group_id in named:
        group = project.groups[group_id]
        if classes and classes.isdisjoint(group.classes):
            continue
        if tags and tags.isdisjoint(group.tags):
            continue
        if any(f not in group.fields or comparable(group.fields[f]) not in values
               for f, values in wanted.items()):
            continue
        kept.append(group_id)
    return tuple(kept)


def group_type_of(project: Project, group_id: str) -> GroupType | None:
    """The group type of a roster group (None when the type is unknown)."""
    return _index_of(project).types.get(project.groups[group_id].type)


def platform_of(project: Project, group_id: str) -> str | None:
    """The platform a roster group runs on: its own, else its type's."""
    group = project.groups[group_id]
    if group.platform:
        return group.platform
    group_type = group_type_of(project, group_id)
    return group_type.platform if group_type else None
