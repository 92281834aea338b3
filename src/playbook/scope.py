"""Which roster groups a `Scope` (applies_to, a pack's audience) reaches: the one resolver
every check and output uses, so they never disagree."""

from __future__ import annotations

from playbook.models.base import Scope
from playbook.models.playbook import GroupType
from playbook.models.project import Project


def groups_in(project: Project, scope: Scope) -> list[str]:
    """The ids of the groups `scope` reaches, sorted.

    An empty scope reaches every group. Otherwise a group is reached when any list names it:
    its id is in `groups`, its type is in `group_types`, or its type's layer is in `layers`.
    """
    if not (scope.group_types or scope.layers or scope.groups):
        return sorted(project.groups)
    layer_of = {t.id: t.layer for t in project.playbook.group_types}
    return sorted(
        group_id for group_id, group in project.groups.items()
        if group_id in scope.groups or group.type in scope.group_types
        or (layer_of.get(group.type) or "") in scope.layers
    )


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
