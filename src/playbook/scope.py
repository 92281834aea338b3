"""Which roster groups a `Scope` (applies_to, a pack's audience) reaches: the one resolver
every check and output uses, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from playbook.models.base import Scope
from playbook.models.playbook import GroupType
from playbook.models.project import Project


def groups_in(project: Project, scope: Scope) -> list[str]:
    """The ids of the groups `scope` reaches, sorted.

    An empty scope reaches every group. Otherwise a group is reached when any list names it:
    its id is in `groups`, its type is in `group_types`, or its type's layer is in `layers`.
    """
    index = _index_of(project)
    if not (scope.group_types or scope.layers or scope.groups):
        return list(index.everyone)
    reached = {g for g in scope.groups if g in project.groups}
    for type_id in scope.group_types:
        reached.update(index.by_type.get(type_id, ()))
    for layer in scope.layers:
        reached.update(index.by_layer.get(layer, ()))
    return sorted(reached)


@dataclass(frozen=True)
class _Index:
    everyone: tuple[str, ...]
    by_type: dict[str, list[str]]
    by_layer: dict[str, list[str]]


_latest: list[tuple[Project, _Index]] = []


def _index_of(project: Project) -> _Index:
    """Groups by type and by layer, built once for the latest project (scopes are resolved
    thousands of times in a large playbook)."""
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
    index = _Index(tuple(sorted(project.groups)), by_type, by_layer)
    _latest[:] = [(project, index)]
    return index


def group_type_of(project: Project, group_id: str) -> GroupType | None:
    """The group type of a roster group (None when the type is unknown)."""
    wanted = project.groups[group_id].type
    return next((t for t in project.playbook.group_types if t.id == wanted), None)


def platform_of(project: Project, group_id: str) -> str | None:
    """The platform a roster group runs on: its own, else its type's."""
    group = project.groups[group_id]
    if group.platform:
        return group.platform
    group_type = group_type_of(project, group_id)
    return group_type.platform if group_type else None
