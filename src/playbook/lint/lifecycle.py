"""Lifecycle stages (PB130–PB133): selectors and roster pins name stages that exist, and a
type's stages can actually be reached by their durations."""

from __future__ import annotations

from collections.abc import Iterator

from playbook.diagnostics import Severity
from playbook.lifecycle.stages import find_stage, type_of
from playbook.lint.groups import selectors
from playbook.lint.registry import NOTHING, Finding, rule
from playbook.models.project import Project
from playbook.source import join
from playbook.suggest import did_you_mean


def _stage_names(project: Project) -> list[str]:
    """Every name a selector may use for a stage: the kinds in use and the stage ids."""
    names: dict[str, None] = {}
    for group_type in project.playbook.group_types:
        for stage in group_type.lifecycle:
            names[stage.kind] = None
            if stage.id:
                names[stage.id] = None
    return list(names)


@rule("PB130", "unknown-stage", per_document=True)
def unknown_stage(project: Project) -> Iterator[Finding]:
    """A selector's `stages` names a stage that no group type's lifecycle has (by kind or id).

    Why: the item would never be sent, since no group is ever in that stage; usually a typo
    (`weka`) or a stage id that was renamed.

    Fails: `applies_to: {stages: [weka]}` when the types have strong, daily and weak stages.
    Passes: `applies_to: {stages: [weak]}`.
    """
    known = _stage_names(project)
    for kind, doc_id, ptr, scope in selectors(project):
        for i, name in enumerate(scope.stages):
            if name not in known:
                yield Finding(project.span(kind, doc_id, join(join(ptr, "stages"), i)),
                              f"the selector names the stage '{name}', which no group type has",
                              help=did_you_mean(name, known) or (
                                  "stages in use: " + ", ".join(known) if known
                                  else "give the group types a `lifecycle` first"))


@rule("PB131", "unknown-pinned-stage", reads=NOTHING)
def unknown_pinned_stage(project: Project) -> Iterator[Finding]:
    """A roster group's `stage` names a stage its group type's lifecycle does not have.

    Why: the group would have no stage from that day on, so stage-scoped items would stop
    and the handbook and audit would show no stage for it.

    Fails: `stage: {id: warm-up, since: 2026-12-01}` on a group whose type has no stage
    `warm-up`.
    Passes: `stage: {kind: weak, since: 2026-12-01}` on a type with a weak stage.
    """
    for group_id, group in project.groups.items():
        pin = group.stage
        group_type = type_of(project, group)
        if pin is None or group_type is None:
            continue
        name = pin.id or pin.kind or ""
        if find_stage(group_type, name) is None:
            where = project.group_pointer(group_id, "stage")
            field = "id" if pin.id else "kind"
            names = [s.id or s.kind for s in group_type.lifecycle]
            yield Finding(project.span(*project.group_home, join(where, field)),
                          f"group '{group_id}' is pinned to the stage '{name}', which its type "
                          f"'{group_type.id}' does not have",
                          help=did_you_mean(name, names) or (
                              f"its stages: {', '.join(names)}" if names
                              else f"give the type '{group_type.id}' a `lifecycle`"))


@rule("PB132", "stage-never-ends", Severity.WARNING, reads=NOTHING)
def stage_never_ends(project: Project) -> Iterator[Finding]:
    """A lifecycle stage has no `duration` but another stage follows it.

    Why: groups would stay in it for ever, so the stages after it are reached only when
    someone pins them on each group in the roster. Give the stage a duration (e.g. `90d`),
    or pin the next stage on the groups that move on.

    Fails: `[{kind: strong, duration: 30d}, {kind: daily}, {kind: weak, duration: 30d}]`.
    Passes: `[{kind: strong, duration: 30d}, {kind: daily, duration: 90d}, {kind: weak}]`.
    """
    for t, group_type in enumerate(project.playbook.group_types):
        for i, stage in enumerate(group_type.lifecycle[:-1]):
            if stage.duration is None:
                following = group_type.lifecycle[i + 1]
                yield Finding(project.span("Playbook", project.playbook.id,
                                           f"/group_types/{t}/lifecycle/{i}", key=False),
                              f"the stage '{stage.id or stage.kind}' of '{group_type.id}' has no "
                              f"duration, so groups never move on to '{following.id or following.kind}'",
                              help="give it a duration such as 90d, or pin the next stage on a "
                                   "group: stage: {kind: …, since: YYYY-MM-DD}")


@rule("PB133", "stage-in-variant", per_document=True)
def stage_in_variant(project: Project) -> Iterator[Finding]:
    """A variant's `when` names `stages`.

    Why: a group gets one variant of a message for good, whatever day it is sent, so a
    stage there would be ignored. Put the stage on the item's `applies_to` instead (two
    items, one per stage).

    Fails: `variants: [{id: weak, when: {stages: [weak]}, text: …}]`.
    Passes: a slot with `applies_to: {stages: [weak]}` beside one with `[strong, daily]`.
    """
    for kind, doc_id, ptr, scope in selectors(project):
        if scope.stages and "/variants/" in ptr and ptr.endswith("/when"):
            yield Finding(project.span(kind, doc_id, join(ptr, "stages"), key=True),
                          "a variant's `when` cannot name stages: a group keeps its variant "
                          "whatever its stage", help="scope the item itself with "
                                                     "applies_to: {stages: [...]}")
