"""Selectors' `stages`: which of a send's groups are in a named stage on the send's day.

Structure (types, classes, fields, tags) is resolved once by `playbook.scope`; stages change
with time, so the schedule asks here, per send, which groups to keep. Only items whose
selectors (the document's and the item's own) name stages are looked up at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from playbook.lifecycle.stages import stage_on
from playbook.models.base import Scope
from playbook.models.project import Project

__all__ = ["StageFilter", "stage_selectors"]

SourceKey = tuple[str, str, str]
"""(document kind, document id, JSON pointer of the item)."""


_latest: list[tuple[Project, dict[SourceKey, tuple[frozenset[str], ...]]]] = []


def stage_selectors(project: Project) -> dict[SourceKey, tuple[frozenset[str], ...]]:
    """For every item whose selectors name stages: the stage names each selector asks for
    (all must hold). Items without stages are left out, so most playbooks get `{}`. Built once
    for the latest project: the schedule asks for every window it expands."""
    if _latest and _latest[0][0] is project:
        return _latest[0][1]
    found = _stage_selectors(project)
    _latest[:] = [(project, found)]
    return found


def _stage_selectors(project: Project) -> dict[SourceKey, tuple[frozenset[str], ...]]:
    found: dict[SourceKey, tuple[frozenset[str], ...]] = {}
    for key, scopes in _item_scopes(project):
        wanted = tuple(frozenset(s.stages) for s in scopes if s is not None and s.stages)
        if wanted:
            found[key] = wanted
    return found


def _item_scopes(project: Project) -> Iterator[tuple[SourceKey, tuple[Scope | None, ...]]]:
    for doc_id, cal in project.calendars.items():
        own = cal.applies_to
        for i, slot in enumerate(cal.daily):
            yield ("ActivityCalendar", doc_id, f"/daily/{i}"), (own, slot.applies_to)
        for i, game in enumerate(cal.games):
            yield ("ActivityCalendar", doc_id, f"/games/{i}"), (own, game.applies_to)
        for i, event in enumerate(cal.weekly):
            yield ("ActivityCalendar", doc_id, f"/weekly/{i}"), (own, event.applies_to)
            yield ("ActivityCalendar", doc_id, f"/weekly/{i}/announce"), (own, event.applies_to)
        for i in range(len(cal.offline)):
            yield ("ActivityCalendar", doc_id, f"/offline/{i}"), (own,)
    for doc_id, script in project.scripts.items():
        for i, step in enumerate(script.steps):
            yield ("OnboardingScript", doc_id, f"/steps/{i}"), (script.applies_to, step.applies_to)
    for doc_id, pack in project.packs.items():
        for i, launch_step in enumerate(pack.timeline):
            yield ("MaterialPack", doc_id, f"/timeline/{i}"), (pack.launch.audience,
                                                               launch_step.applies_to)


class StageFilter:
    """Keeps the groups of a send that are in the stages its selectors name, on its day;
    each (group, day) stage is computed once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.wanted = stage_selectors(project)
        self._known: dict[tuple[str, dt.date], frozenset[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.wanted)

    def keep(self, key: SourceKey, day: dt.date, groups: tuple[str, ...]) -> tuple[str, ...]:
        """The groups in `groups` whose stage on `day` every stage selector of `key` names."""
        wanted = self.wanted.get(key)
        if not wanted:
            return groups
        return tuple(g for g in groups if all(self._in(g, day, names) for names in wanted))

    def _in(self, group_id: str, day: dt.date, names: frozenset[str]) -> bool:
        known = self._known.get((group_id, day))
        if known is None:
            found = stage_on(self.project, group_id, day)
            known = frozenset() if found is None else frozenset(
                n for n in (found.stage.kind, found.stage.id) if n)
            self._known[(group_id, day)] = known
        return not known.isdisjoint(names)
