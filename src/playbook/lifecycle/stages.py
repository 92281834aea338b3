"""Stages in force: which lifecycle stage a roster group is in on a given day.

A group enters its type's first stage on the day it opens and moves to the next when a
stage's `duration` has passed. A stage without a duration lasts until the roster pins a
later one (`stage: {id|kind: …, since: …}` on the group); from a pin on, later stages
follow their durations again. The last stage stays in force after its duration runs out
(the team still has to keep, merge or disband the group): `overdue` says so.

Stages are named by kind (`strong`, `daily`, `weak`) or by their optional `id`; a name
matches a stage when it is either (see `stage_matches`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from playbook.models.playbook import Group, GroupType, Stage
from playbook.models.project import Project
from playbook.models.types import parse_duration

__all__ = ["StageInForce", "find_stage", "stage_matches", "stage_name", "stage_on", "type_of"]


@dataclass(frozen=True)
class StageInForce:
    """The stage a group is in on a day, and the days it covers."""

    stage: Stage
    index: int
    """Its position in the type's lifecycle, from 0."""
    start: dt.date
    """The first day of the stage."""
    end: dt.date | None
    """The last day of the stage (included); None while it lasts until further notice."""
    overdue: bool = False
    """The last stage's duration has run out and nothing follows it: time for a decision."""
    last: bool = False
    """No stage follows this one in the type's lifecycle."""

    @property
    def next_transition(self) -> dt.date | None:
        """The day the next stage begins (None when open-ended or nothing follows)."""
        if self.end is None or self.last:
            return None
        return self.end + dt.timedelta(days=1)


def stage_name(stage: Stage) -> str:
    """How a stage is named in selectors and output: its id, else its kind."""
    return stage.id or stage.kind


def stage_matches(stage: Stage, names: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """Whether a selector's `stages` names this stage, by kind or by id."""
    return stage.kind in names or (stage.id is not None and stage.id in names)


def find_stage(group_type: GroupType, name: str) -> int | None:
    """The index of the stage an id (first) or a kind names in a type's lifecycle."""
    for i, stage in enumerate(group_type.lifecycle):
        if stage.id == name:
            return i
    for i, stage in enumerate(group_type.lifecycle):
        if stage.kind == name:
            return i
    return None


_latest: list[tuple[Project, dict[str, GroupType]]] = []


def type_of(project: Project, group: Group) -> GroupType | None:
    """The group's type (None when the roster names an unknown type). The types are indexed
    once for the latest project: an export asks for every group on every day."""
    if not (_latest and _latest[0][0] is project):
        _latest[:] = [(project, {t.id: t for t in project.playbook.group_types})]
    return _latest[0][1].get(group.type)


def stage_on(project: Project, group: Group | str, day: dt.date) -> StageInForce | None:
    """The stage `group` (a roster group or its id) is in on `day`.

    None when the group has not opened by then, its type has no lifecycle, or its pinned
    stage names no stage of the type (lint reports that)."""
    if isinstance(group, str):
        group = project.groups[group]
    group_type = type_of(project, group)
    if group_type is None or not group_type.lifecycle or day < group.opened:
        return None
    pin = group.stage
    if pin is None or day < pin.since:
        found = _walk(group_type.lifecycle, 0, group.opened, day)
        if pin is not None and (found.end is None or found.end >= pin.since or found.overdue):
            # the pin cuts the stage short (or ends an open-ended one) the day before it
            found = StageInForce(found.stage, found.index, found.start,
                                 pin.since - dt.timedelta(days=1), last=found.last)
        return found
    index = find_stage(group_type, pin.id or pin.kind or "")
    if index is None:
        return None
    return _walk(group_type.lifecycle, index, pin.since, day)


def _walk(lifecycle: list[Stage], index: int, start: dt.date, day: dt.date) -> StageInForce:
    """From stage `index` entered on `start`, follow durations until the stage holding `day`."""
    while True:
        stage = lifecycle[index]
        last = index + 1 == len(lifecycle)
        if stage.duration is None:
            return StageInForce(stage, index, start, None, last=last)
        # stages are counted in whole days; a duration under a day still takes its day
        length = max(parse_duration(stage.duration).days, 1)
        end = start + dt.timedelta(days=length - 1)
        if day <= end:
            return StageInForce(stage, index, start, end, last=last)
        if last:
            return StageInForce(stage, index, start, end, overdue=True, last=True)
        index, start = index + 1, end + dt.timedelta(days=1)
