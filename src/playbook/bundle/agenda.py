"""`playbook agenda`: what is live in a group (or every group) on one day, for the terminal.

For each group: its lifecycle stage (and when the next begins), the calendars in force, the
programmes running (and which day of them it is), the pack launches under way, then every
message due that day (before the group opens: its preparation steps) with its time, sender and
first line, the variant the group gets (`[b]`), and, for an item with its own selector, the
selectors that put it on the group (`via …`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from playbook import inert
from playbook.account_posts import by_account
from playbook.diagnostics import Diagnostic
from playbook.lifecycle.stages import stage_on
from playbook.messages.compose import Composer, Message, one_per_place
from playbook.messages.labels import weekday
from playbook.models.project import Project
from playbook.models.types import text_in
from playbook.schedule import expand, launch_moments, local, programme_anchors, resolve, zone_of
from playbook.scope import groups_in

PREVIEW_CHARS = 48


@dataclass(frozen=True)
class Agenda:
    """The agenda text and any render failures met building it."""

    text: str
    diagnostics: list[Diagnostic]


def live_items(project: Project, group_id: str, day: dt.date) -> list[str]:
    """Short descriptions of the calendars, programmes and launches live in a group on `day`."""
    found = []
    calendars = [cid for cid, cal in sorted(project.calendars.items())
                 if cal.valid.start <= day and (cal.valid.end is None or day <= cal.valid.end)
                 and group_id in groups_in(project, cal.applies_to)]
    if calendars:
        found.append("calendars " + ", ".join(calendars))
    zone = zone_of(project)
    for sid, script in sorted(project.scripts.items()):
        for run_group, first in programme_anchors(project, script):
            if run_group != group_id:
                continue
            anchor = local(first, dt.time(), zone)
            last = max([first + dt.timedelta(days=(script.trigger.days or 1) - 1),
                        *(resolve(s.at, anchor).date() for s in script.steps)])
            if first <= day <= last:
                found.append(f"programme {sid} day {(day - first).days + 1} (from {first.isoformat()})")
    for pid, pack in sorted(project.packs.items()):
        moments = launch_moments(project, pack)
        if group_id in groups_in(project, pack.launch.audience) \
                and min(moments).date() <= day <= max(moments).date():
            found.append(f"pack {pid} launching {pack.launch.at.strftime('%Y-%m-%d %H:%M')}")
    return found


def stage_line(project: Project, group_id: str, day: dt.date) -> str | None:
    """`  stage: 强运营期 (strong) since …, next stage from …`, or None without a lifecycle."""
    found = stage_on(project, group_id, day)
    if found is None:
        return None
    default = project.playbook.locales[0]
    name = f"{text_in(found.stage.name, default, default)} ({found.stage.id or found.stage.kind})"
    if found.overdue:
        until = f", its {found.stage.duration} ran out on {found.end}: time to decide"
    elif found.next_transition is not None:
        until = f", next stage from {found.next_transition.isoformat()}"
    elif found.end is not None:
        until = f", the last stage, until {found.end.isoformat()}"
    else:
        until = ", open-ended"
    return f"  stage: {name} since {found.start.isoformat()}{until}"


def _line(m: Message, project: Project) -> list[str]:
    first = m.text.strip().splitlines()[0] if m.text.strip() else f"({m.item_id})"
    if len(first) > PREVIEW_CHARS:
        first = first[:PREVIEW_CHARS] + "…"
    sender = m.sender or "back office"
    item = f"{m.item} {m.item_id}" + (f" [{m.variant}]" if m.variant else "")
    lines = [f"  {m.at.strftime('%H:%M')}  {sender:<20} {item:<36} {first}"]
    if " & " in m.reached_by:  # the item narrows its document's selector: say how it got here
        lines.append(f"         via {m.reached_by}")
    return lines


def agenda(project: Project, day: dt.date, groups: tuple[str, ...] = ()) -> Agenda:
    """The agenda of `day` for `groups` (every group when empty)."""
    composer = Composer(project)
    wanted = sorted(groups) if groups else sorted(project.groups)
    messages = composer.messages(by_account(project, (s for s in expand(project, day, day)
                                                      if s.group in wanted)))
    default = project.playbook.locales[0]
    lines = [f"{day.isoformat()} {weekday(day, 'en')} · {text_in(project.playbook.title, default, default)} "
             f"· {len(wanted)} group{'s' if len(wanted) != 1 else ''} · {len(messages)} "
             f"message{'s' if len(messages) != 1 else ''}"]
    for group_id in wanted:
        group = project.groups[group_id]
        mine = [m for m in messages if m.group == group_id]
        lines += ["", f"{group.name} ({group_id}) · {group.operator} · {composer.platform(group_id)}"]
        if group.opened > day:  # only its preparation (before-group steps) can be due
            lines.append(f"  not open yet: opens {group.opened.isoformat()}")
            lines += [line for m in mine for line in _line(m, project)]
            continue
        stage = stage_line(project, group_id, day)
        if stage:
            lines.append(stage)
        live = live_items(project, group_id, day)
        lines.append("  live: " + ("; ".join(live) if live else "nothing scheduled"))
        lines += [line for m in mine for line in _line(m, project)] or ["  no messages due"]
    for place in dict.fromkeys(m.group_name for m in messages if not m.group):
        # an account's post (Moments, service account): once, under the account, not per group
        mine = [m for m in messages if not m.group and m.group_name == place]
        lines += ["", f"{place} · {mine[0].operator} · {mine[0].platform}"]
        lines += [line for m in mine for line in _line(m, project)]
    # names and texts come from the playbook: shown escaped, never acting on the terminal
    return Agenda("\n".join(map(inert.terminal, lines)) + "\n", one_per_place(composer.diagnostics))


__all__ = ["Agenda", "agenda", "live_items"]
