"""`ics/<operator>.ics` and `ics/groups/<group>.ics`: RFC 5545 calendars to put the sends on a
phone, built with the `icalendar` library.

Each message is one VEVENT at its send time in its own zone (the calendar carries the
VTIMEZONE), lasting `EVENT_MINUTES`, with a display alarm `ALARM_MINUTES` before. The UID is
the message id, so re-importing a newer bundle updates events instead of duplicating them.
RFC 5545 requires a DTSTAMP; to keep bundles byte-identical it is not the export time but
`Selection.dtstamp`: SOURCE_DATE_EPOCH when set, else 00:00 UTC of the range's first day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from icalendar import Alarm, Calendar, Event

from playbook.bundle.compose import Message
from playbook.exporters.base import Selection

FOLDER = "ics"
EVENT_MINUTES = 10
ALARM_MINUTES = 10
PRODID = "-//playbook//message bundle//EN"
SUMMARY_CHARS = 40


def uid(m: Message, sel: Selection) -> str:
    return f"{m.id}@{sel.project.playbook.id}.playbook"


def summary(m: Message, sel: Selection) -> str:
    first = m.text.strip().splitlines()[0] if m.text.strip() else m.item_id
    if len(first) > SUMMARY_CHARS:
        first = first[:SUMMARY_CHARS] + "…"
    who = sel.role_name(m.sender, m.locale) or "back office"
    return f"{m.group_name} · {who}: {first}"


def description(m: Message) -> str:
    lines = [m.text] if m.text else []
    if m.attachments:
        lines += ["", *[f"📎 {a.path}" for a in m.attachments]]
    lines += ["", f"{m.channel} · {m.item} {m.item_id} · {m.source}"]
    return "\n".join(lines).strip("\n")


def event(m: Message, sel: Selection) -> Event:
    ev = Event()
    ev.add("uid", uid(m, sel))
    ev.add("dtstamp", sel.dtstamp)
    ev.add("dtstart", m.at)
    ev.add("dtend", m.at + dt.timedelta(minutes=EVENT_MINUTES))
    ev.add("summary", summary(m, sel))
    ev.add("description", description(m))
    ev.add("categories", [m.item])
    ev.add("x-playbook-message-id", m.id)
    ev.add("x-playbook-group", m.group)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.timedelta(minutes=-ALARM_MINUTES))
    alarm.add("description", summary(m, sel))
    ev.add_component(alarm)
    return ev


def calendar(name: str, messages: list[Message], sel: Selection) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for m in messages:
        cal.add_component(event(m, sel))
    cal.add_missing_timezones(first_date=dt.date(sel.start.year - 1, 1, 1),
                              last_date=dt.date(sel.end.year + 2, 1, 1))
    data: bytes = cal.to_ical()
    return data


def export(sel: Selection) -> dict[str, bytes]:
    by_operator: dict[str, list[Message]] = defaultdict(list)
    by_group: dict[str, list[Message]] = defaultdict(list)
    for m in sel.messages:
        by_operator[m.operator].append(m)
        by_group[m.group].append(m)
    files = {f"{FOLDER}/{op}.ics": calendar(f"{sel.title} · {sel.operator_name(op)}", msgs, sel)
             for op, msgs in sorted(by_operator.items())}
    names = {m.group: m.group_name for m in sel.messages}
    files.update({f"{FOLDER}/groups/{g}.ics": calendar(f"{sel.title} · {names[g]}", msgs, sel)
                  for g, msgs in sorted(by_group.items())})
    return files


__all__ = ["ALARM_MINUTES", "FOLDER", "export"]
