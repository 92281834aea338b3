"""Capacity (PB6xx): no operator is given more groups, or more friend adds a day, than a
person and a personal account can carry."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator
from fractions import Fraction

from playbook.diagnostics import Severity
from playbook.lint.registry import NOTHING, Finding, rule
from playbook.models.playbook import Operator
from playbook.models.project import Project
from playbook.models.types import parse_duration
from playbook.scope import group_type_of

HARD_LIMIT = 50
"""Groups nobody can run, however strong (the domain's ceiling; 20–30 is usual)."""
DEFAULT_STRONG_STAGE = dt.timedelta(days=30)


def _groups_by_operator(project: Project) -> dict[str, list[str]]:
    owned: dict[str, list[str]] = defaultdict(list)
    for group_id, group in project.groups.items():
        owned[group.operator].append(group_id)
    return owned


def _operators(project: Project) -> Iterator[tuple[int, Operator, list[str]]]:
    owned = _groups_by_operator(project)
    for i, op in enumerate(project.playbook.operators):
        yield i, op, sorted(owned.get(op.id, []))


@rule("PB601", "operator-over-capacity", Severity.WARNING, reads=NOTHING)
def operator_over_capacity(project: Project) -> Iterator[Finding]:
    """An operator runs more groups than their `capacity` (30 unless set).

    Why: past 20–30 groups one person cannot post every slot on time or answer members;
    groups go quiet. Past the hard limit of 50, PB602 reports instead.

    Fails: `capacity: 2` and three groups with `operator: op-a`.
    Passes: hand one group to another operator, or `capacity: 3`.
    """
    for i, op, groups in _operators(project):
        if op.capacity < len(groups) <= HARD_LIMIT:
            yield Finding(project.span("Playbook", project.playbook.id, f"/operators/{i}/capacity"),
                          f"operator '{op.id}' runs {len(groups)} groups, more than their capacity "
                          f"of {op.capacity}",
                          help="hand groups to another operator, or raise capacity if they can carry it")


@rule("PB602", "operator-over-hard-limit", reads=NOTHING)
def operator_over_hard_limit(project: Project) -> Iterator[Finding]:
    """An operator runs more than 50 groups.

    Why: 50 groups is the most even a strong operator can run; beyond it the run sheet
    cannot be carried out, whatever `capacity` says.

    Fails: 51 roster groups with `operator: op-a`. Passes: 50 or fewer.
    """
    for i, op, groups in _operators(project):
        if len(groups) > HARD_LIMIT:
            yield Finding(project.span("Playbook", project.playbook.id, f"/operators/{i}/id"),
                          f"operator '{op.id}' runs {len(groups)} groups; nobody can run more "
                          f"than {HARD_LIMIT}",
                          help="hand groups to another operator")


def _filling(project: Project, group_id: str) -> tuple[dt.date, dt.date, Fraction] | None:
    """The group's strong stage (first day, last day) and the friend adds it needs a day to
    reach its target size by the end of it; None when it needs none."""
    group = project.groups[group_id]
    group_type = group_type_of(project, group_id)
    if group_type is None:
        return None
    missing = group_type.target_size - (group.size or 0)
    if missing <= 0:
        return None
    stage = group_type.lifecycle[0].duration if group_type.lifecycle else None
    length = parse_duration(stage) if stage else DEFAULT_STRONG_STAGE
    days = max(1, math.ceil(length / dt.timedelta(days=1)))
    return group.opened, group.opened + dt.timedelta(days=days - 1), Fraction(missing, days)


def _peak(fillings: list[tuple[str, dt.date, dt.date, Fraction]]) -> tuple[Fraction, dt.date, list[str]]:
    """The largest daily need when filling periods overlap: (need, first such day, groups)."""
    changes: dict[dt.date, Fraction] = defaultdict(Fraction)
    for _, first, last, need in fillings:
        changes[first] += need
        changes[last + dt.timedelta(days=1)] -= need
    load, best, best_day = Fraction(0), Fraction(0), dt.date.min
    for day in sorted(changes):
        load += changes[day]
        if load > best:
            best, best_day = load, day
    return best, best_day, [g for g, first, last, _ in fillings if first <= best_day <= last]


@rule("PB603", "friend-adds-cannot-fill", Severity.WARNING, reads=NOTHING)
def friend_adds_cannot_fill(project: Project) -> Iterator[Finding]:
    """An operator's groups cannot be filled in their strong stage: on some day, the friend
    adds needed to bring every group they are filling from its `size` (0 if unknown) to its
    type's `target_size` by the end of its first lifecycle stage (30 days if not set) add up
    to more than the operator's `friend_adds_per_day`.

    Why: a personal account that adds too many friends a day is restricted; the groups then
    open half empty and the strong stage is lost. Every group's filling period in the roster
    is checked, past or future.

    Fails: two 180-member groups opened three days apart, each filled in 30 days (6 + 6 = 12
    adds a day), with `friend_adds_per_day: 10`.
    Passes: `size: 120` on one of them (6 + 2 = 8 adds a day), or staggered openings.
    """
    for i, op, groups in _operators(project):
        fillings = [(g, *found) for g in groups if (found := _filling(project, g)) is not None]
        if not fillings:
            continue
        need, day, filling = _peak(fillings)
        if need > op.friend_adds_per_day:
            where = f"/operators/{i}/friend_adds_per_day"
            yield Finding(project.span("Playbook", project.playbook.id, where),
                          f"operator '{op.id}' needs about {math.ceil(need)} friend adds a day from {day} "
                          f"to fill {len(filling)} group{'s' if len(filling) > 1 else ''} to target size "
                          f"in the strong stage ({', '.join(filling[:3])}"
                          f"{f' and {len(filling) - 3} more' if len(filling) > 3 else ''}), more than "
                          f"friend_adds_per_day ({op.friend_adds_per_day})",
                          help="stagger the openings, seed the groups with members, or lower target_size")
