"""A member's journey: every message one member joining group G at a moment receives, in order.

Three things make it up:
- the scripts a member's joining starts, in G: `on_join` scripts (the join ceremony, timed
  from the join moment), programmes anchored at `member_joined` (day 1 is the join day) and
  the member's own run of each cohort programme (the first cohort starting on or after the
  join day, else the last one started; other cohorts' runs are not the member's);
- everything the group's own schedule posts in G from the join moment on (calendar slots,
  weekly events, games, programmes by opening or cohort, launches), until the end;
- the scripts named in `next` of the scripts above that do not run in G (a promotion into
  another group's join ceremony): listed after, with their offsets, since they wait for an
  event the playbook cannot date.
The end is `until` when given, else the last day a step of the member's own scripts reaches,
and at least the join day and the six days after it. Nothing before the join moment is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from playbook import inert
from playbook.diagnostics import Diagnostic
from playbook.lifecycle.selection import StageFilter
from playbook.messages.compose import Composer, Message
from playbook.models.project import Project
from playbook.models.scripts import OnboardingScript
from playbook.schedule import Send, Source, expand, local, resolve, zone_of
from playbook.scope import describe, groups_in

__all__ = ["Journey", "JourneyStep", "journey", "member_scripts", "text"]

MIN_DAYS = 7
"""A journey shows at least the join day and the six days after it."""


@dataclass(frozen=True)
class JourneyStep:
    """One message of the journey, rendered."""

    message: Message
    member: bool
    """Started by the member's joining (join ceremony, member programme), not the group's plan."""


@dataclass(frozen=True)
class Journey:
    """The journey of one member and what comes after it."""

    group: str
    joined: dt.datetime
    until: dt.date
    steps: list[JourneyStep]
    later: list[tuple[str, str, OnboardingScript]]
    """(from script id, next script id, next script) for next scripts not run in the group."""
    diagnostics: list[Diagnostic]


def member_scripts(project: Project, group_id: str) -> list[tuple[str, OnboardingScript]]:
    """The scripts a member joining `group_id` starts: on_join and member_joined programmes."""
    found = []
    for script_id, script in sorted(project.scripts.items()):
        by_member = script.trigger.kind == "on_join" or (
            script.trigger.kind == "programme" and script.trigger.anchor == "member_joined")
        if by_member and group_id in groups_in(project, script.applies_to):
            found.append((script_id, script))
    return found


def _member_sends(project: Project, group_id: str, joined: dt.datetime) -> list[Send]:
    sends = []
    day_one = local(joined.date(), dt.time(), joined.tzinfo or zone_of(project))
    for script_id, script in member_scripts(project, group_id):
        anchor = joined if script.trigger.kind == "on_join" else day_one
        sends += _steps(project, group_id, script_id, script, anchor)
    return sends


def _steps(project: Project, group_id: str, script_id: str, script: OnboardingScript,
           anchor: dt.datetime) -> list[Send]:
    """The script's steps that reach `group_id`, timed from `anchor`."""
    return [Send(group_id, resolve(step.at, anchor), step.channel, step.sender,
                 Source("OnboardingScript", script_id, f"/steps/{i}"), "programme_step", step.id)
            for i, step in enumerate(script.steps)
            if step.applies_to is None or step.applies_to.is_empty
            or group_id in groups_in(project, script.applies_to, step.applies_to)]


def _cohort_of(starts: list[dt.date], joined: dt.date) -> dt.date | None:
    """The cohort a member joining on `joined` belongs to: the first to start on or after that
    day, else the last that started before it."""
    later = [d for d in starts if d >= joined]
    if later:
        return min(later)
    return max(starts) if starts else None


def _cohort_sends(project: Project, group_id: str, joined: dt.datetime) -> list[Send]:
    """The member's own run of each cohort programme in the group (other cohorts' runs,
    private messages included, are not the member's)."""
    sends = []
    zone = joined.tzinfo or zone_of(project)
    cohort = _cohort_of(project.groups[group_id].cohort_starts, joined.date())
    for script_id, script in _cohort_scripts(project, group_id):
        if cohort is None:
            continue
        sends += _steps(project, group_id, script_id, script, local(cohort, dt.time(), zone))
    return sends


def _cohort_scripts(project: Project, group_id: str) -> list[tuple[str, OnboardingScript]]:
    return [(sid, s) for sid, s in sorted(project.scripts.items())
            if s.trigger.kind == "programme" and s.trigger.anchor == "cohort_start"
            and group_id in groups_in(project, s.applies_to)]


def journey(project: Project, group_id: str, joined: dt.datetime,
            until: dt.date | None = None) -> Journey:
    """The journey of a member who joins `group_id` at `joined` (aware, the playbook's zone)."""
    # the join ceremony may start before the join (an eligibility check at -10m); a cohort run
    # only counts from the join on
    member = [*_member_sends(project, group_id, joined),
              *(s for s in _cohort_sends(project, group_id, joined) if s.at >= joined)]
    staged = StageFilter(project)
    if staged:  # stage-scoped member steps follow the group's stage on their day
        member = [s for s in member if staged.keep(
            (s.source.kind, s.source.doc_id, s.source.pointer), s.at.date(), (group_id,))]
    if until is None:
        until = max([joined.date() + dt.timedelta(days=MIN_DAYS - 1),
                     *(s.at.date() for s in member)])
    cohorts = {sid for sid, _ in _cohort_scripts(project, group_id)}
    plan = [s for s in expand(project, joined.date(), until) if s.group == group_id
            and s.at >= joined and not (s.source.kind == "OnboardingScript" and s.source.doc_id in cohorts)]
    member = [s for s in member if s.at.date() <= until]
    ours = {id(s) for s in member}
    ordered = sorted([*member, *plan], key=Send.sort_key)
    composer = Composer(project)
    steps = []
    for send in ordered:
        message = composer.message(send)
        if message is not None:
            steps.append(JourneyStep(message, id(send) in ours))
    in_journey = {sid for sid, _ in [*member_scripts(project, group_id), *_cohort_scripts(project, group_id)]}
    in_journey |= {s.source.doc_id for s in plan if s.source.kind == "OnboardingScript"}
    later = []
    for script_id in sorted(in_journey):
        for next_id in project.scripts[script_id].next:
            following = project.scripts.get(next_id)
            # a next join ceremony is a move into another group (a promotion), even when the
            # same script also welcomed the member here
            if following is not None and (next_id not in in_journey
                                          or following.trigger.kind == "on_join"):
                later.append((script_id, next_id, project.scripts[next_id]))
    return Journey(group_id, joined, until, steps, later, list(composer.diagnostics))


PREVIEW_CHARS = 40


def text(project: Project, found: Journey) -> str:
    """The journey for the terminal: one line per message, then the scripts that come later.

    Each line: the journey day (D1 is the join day), date and time, `member` for what the
    member's joining started or `group` for the group's own plan, channel, sender, the
    document and item, and the first line of the text."""
    group = project.groups[found.group]
    count = len(found.steps)
    lines = [f"{group.name} ({group.id}) · joined {found.joined.strftime('%Y-%m-%d %H:%M')} · until "
             f"{found.until.isoformat()} · {count} message{'s' if count != 1 else ''}"]
    for step in found.steps:
        m = step.message
        day = (m.at.date() - found.joined.date()).days + 1
        first = m.text.strip().splitlines()[0] if m.text.strip() else f"({m.item_id})"
        if len(first) > PREVIEW_CHARS:
            first = first[:PREVIEW_CHARS] + "…"
        who = "member" if step.member else "group"
        where = f"{m.source.doc_id}/{m.item_id}" + (f" [{m.variant}]" if m.variant else "")
        lines.append(f"D{day:<3} {m.at.strftime('%m-%d %H:%M')}  {who:<6}  {m.channel:<16} "
                     f"{(m.sender or 'back office'):<18} {where:<40} {first}")
    if found.later:
        lines += ["", "then, when the member moves on (not dated: it waits for the move):"]
        for from_id, next_id, script in found.later:
            steps = ", ".join(f"{s.at} {s.id}" for s in script.steps)
            lines.append(f"  after {from_id}: {next_id} ({script.trigger.kind}, "
                         f"{describe(script.applies_to)}): {steps}")
    return "\n".join(map(inert.terminal, lines)) + "\n"
