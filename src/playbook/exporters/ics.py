"""`ics/<operator>.ics` and `ics/groups/<group>.ics`: RFC 5545 calendars to put the sends on a
phone.

In a group's calendar each message is one VEVENT at its send time in its own zone (the
calendar carries the VTIMEZONE), lasting `EVENT_MINUTES`, with a display alarm `ALARM_MINUTES`
before; its UID is the message id. An operator's calendar has one VEVENT per moment instead,
listing every group and text due then (one alarm at 08:30, not one per group); its UID is the
operator and the moment. Either way re-importing a newer bundle updates events instead of
duplicating them.
RFC 5545 requires a DTSTAMP; to keep bundles byte-identical it is not the export time but
`Selection.dtstamp`: SOURCE_DATE_EPOCH when set, else 00:00 UTC of the range's first day.

How the bytes are made: the VTIMEZONE components, whose transitions take real work to derive
from the zone database, come from the `icalendar` library, once per zone and range. The
events are a handful of plain properties; they are written here (`_event`), once per message
although each message is in two calendars, because building them as `icalendar` objects cost
about 90% of a whole export (a week of 2,000 groups: ~80 s of ~110 s). tests/test_export.py
parses every calendar back with `icalendar` and checks each event equals the one `icalendar`
itself builds from the same message.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterator

from playbook import inert
from playbook.exporters.base import Selection, zone_name
from playbook.messages.compose import Message

FOLDER = "ics"
EVENT_MINUTES = 10
ALARM_MINUTES = 10
PRODID = "-//playbook//message bundle//EN"
SUMMARY_CHARS = 40
LINE_OCTETS = 75
"""RFC 5545 §3.1: content lines are folded to at most 75 octets, not counting the line break."""
UTC_NAMES = frozenset({"UTC", "Etc/UTC"})


def uid(m: Message, sel: Selection) -> str:
    return f"{m.id}@{sel.project.playbook.id}.playbook"


def summary(m: Message, sel: Selection) -> str:
    first = m.text.strip().splitlines()[0] if m.text.strip() else m.item_id
    if len(first) > SUMMARY_CHARS:
        first = first[:SUMMARY_CHARS] + "…"
    who = sel.role_name(m.sender, m.locale) or "back office"
    return f"{m.group_name} · {who}: {first}"


def moment_uid(operator: str, at: dt.datetime, sel: Selection) -> str:
    return f"{operator}-{at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}@{sel.project.playbook.id}.playbook"


def moment_summary(ms: list[Message], sel: Selection) -> str:
    """One message: its own summary; several: how many, in how many groups, and the items."""
    if len(ms) == 1:
        return summary(ms[0], sel)
    groups = len({m.group for m in ms})
    items = ", ".join(dict.fromkeys(m.item_id for m in ms))
    return f"{len(ms)} messages in {groups} group{'s' if groups != 1 else ''}: {items}"


def moment_description(ms: list[Message], sel: Selection) -> str:
    """One message: its own description (the summary names its group); several: each with its
    group, sender and route, then its text and attachments."""
    if len(ms) == 1:
        return description(ms[0])
    blocks = []
    for m in ms:
        who = sel.role_name(m.sender, m.locale) or "back office"
        blocks.append(f"▶ {m.group_name} · {who} · {m.route}\n{description(m)}")
    return "\n\n".join(blocks)


def description(m: Message) -> str:
    """The message text exactly (leading and trailing line breaks included), then its
    attachments and where it comes from, each block after a blank line."""
    blocks = [m.text] if m.text else []
    if m.attachments:
        blocks.append("\n".join(f"📎 {a.path}" for a in m.attachments))
    blocks.append(f"{m.channel} · {m.item} {m.item_id} · {m.source}"
                  + (f" · stage {m.stage}" if m.stage else ""))
    return "\n\n".join(blocks)


def text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks.
    Control characters, which §3.1 forbids in a content line (all but HTAB; a line break is
    written as `\\n`), are shown as escapes such as `\\x1b` (`inert.data`), as are the
    noncharacters U+FFFE/U+FFFF and lone surrogates, which UTF-8 cannot carry."""
    return (inert.data(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold(line: str) -> bytes:
    """One content line as UTF-8 with its CRLF, folded (CRLF + space) so that no physical line
    exceeds `LINE_OCTETS` octets, never inside a multi-byte character."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return data + b"\r\n"
    parts = []
    start, room = 0, LINE_OCTETS
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back off to the character's start
            cut -= 1
        parts.append(data[start:cut])
        start, room = cut, LINE_OCTETS - 1  # the leading space counts
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"


def moment(name: str, at: dt.datetime) -> tuple[str, str | None]:
    """A DATE-TIME property line (unfolded) and the zone it needs a VTIMEZONE for, if any: in UTC
    with `Z`; in a named zone as local time with TZID; a bare offset is turned into UTC."""
    zone = zone_name(at)
    if zone in UTC_NAMES or not getattr(at.tzinfo, "key", None) or _second_of_repeated_hour(at):
        return f"{name}:{at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}", None
    return f"{name};TZID={zone}:{at:%Y%m%dT%H%M%S}", zone


def _second_of_repeated_hour(at: dt.datetime) -> bool:
    """True for a wall time that comes twice (clocks going back) at its second coming: RFC 5545
    §3.3.5 reads such a local time with TZID as the first, an hour early, so it is written in
    UTC instead."""
    return at.fold == 1 and at.replace(fold=0).utcoffset() != at.utcoffset()


# A week of L is 80,000 group events, whose categories, group ids and descriptions (a text
# with its source, never its group) repeat across a type's groups: each distinct one is
# escaped and folded once. Pure functions of a string, so a cached value cannot go stale;
# bounded, so memory stays flat.
_shared_text = functools.lru_cache(maxsize=16384)(text)
_shared_fold = functools.lru_cache(maxsize=16384)(fold)


class _Texts:
    """A message's escaped summary and description, made once: a message is in its group's
    calendar and, alone at its moment, in its operator's too, with the same two texts. The
    operators' calendars are written first and keep what they made (`of`); a group's calendar
    takes it back (`take`), so only texts still to be used are held."""

    def __init__(self, sel: Selection) -> None:
        self.sel = sel
        self.made: dict[int, tuple[str, str]] = {}  # by id: the selection keeps every message

    def of(self, m: Message) -> tuple[str, str]:
        found = self.made.get(id(m))
        if found is None:
            found = self.made[id(m)] = self._make(m)
        return found

    def take(self, m: Message) -> tuple[str, str]:
        """The texts of `m` for the last calendar that uses them: not kept any longer."""
        found = self.made.pop(id(m), None)
        return found if found is not None else self._make(m)

    def _make(self, m: Message) -> tuple[str, str]:
        return text(summary(m, self.sel)), _shared_text(description(m))


def _event(m: Message, sel: Selection, stamp: bytes, texts: _Texts) -> tuple[bytes, str | None]:
    """The VEVENT of one message (a group's calendar, written after its operator's)."""
    about, described = texts.take(m)
    return _vevent(m.at, about, stamp, [
        fold(f"UID:{text(uid(m, sel))}"),
        _shared_fold(f"CATEGORIES:{_shared_text(m.item)}"),
        _shared_fold(f"DESCRIPTION:{described}"),
        _shared_fold(f"X-PLAYBOOK-GROUP:{_shared_text(m.group)}"),
        fold(f"X-PLAYBOOK-MESSAGE-ID:{text(m.id)}"),
    ])


def _moment_event(ms: list[Message], sel: Selection, stamp: bytes, texts: _Texts) -> tuple[bytes, str | None]:
    """The VEVENT of every message one operator sends at one moment."""
    first = ms[0]
    about, described = texts.of(first) if len(ms) == 1 else (
        text(moment_summary(ms, sel)), text(moment_description(ms, sel)))
    return _vevent(first.at, about, stamp, [
        fold(f"UID:{text(moment_uid(first.operator, first.at, sel))}"),
        fold(f"CATEGORIES:{','.join(text(i) for i in dict.fromkeys(m.item for m in ms))}"),
        (_shared_fold if len(ms) == 1 else fold)(f"DESCRIPTION:{described}"),
        *(_shared_fold(f"X-PLAYBOOK-GROUP:{_shared_text(g)}")
          for g in dict.fromkeys(m.group for m in ms) if g),
        *(fold(f"X-PLAYBOOK-MESSAGE-ID:{text(m.id)}") for m in ms),
    ])


def _vevent(at: dt.datetime, about: str, stamp: bytes, body: list[bytes]) -> tuple[bytes, str | None]:
    """A VEVENT of `EVENT_MINUTES` from `at` whose alarm rings `ALARM_MINUTES` before it, with
    the summary `about` (already TEXT-escaped), the folded DTSTAMP line `stamp` and the folded
    `body` lines; and its time zone."""
    times, zone = _times(at, zone_name(at), at.fold)
    return b"".join([_BEGIN, fold(f"SUMMARY:{about}"), times, stamp, *body, _ALARM,
                     fold(f"DESCRIPTION:{about}"), _END]), zone


_BEGIN = fold("BEGIN:VEVENT")
_ALARM = b"".join(map(fold, ["BEGIN:VALARM", "ACTION:DISPLAY"]))
_END = b"".join(map(fold, [f"TRIGGER:-PT{ALARM_MINUTES}M", "END:VALARM", "END:VEVENT"]))


@functools.lru_cache(maxsize=4096)
def _times(at: dt.datetime, _zone: str, _fold: int) -> tuple[bytes, str | None]:
    """The folded DTSTART and DTEND lines of an event at `at`, and its zone: thousands of groups
    share a few hundred moments. (Moments in two zones compare equal at the same instant, and
    the fold of a repeated hour is ignored: both are part of the key.)"""
    start, zone = moment("DTSTART", at)
    # added in UTC: wall-clock addition keeps no fold, so it could end before a repeated hour's start
    later = (at.astimezone(dt.UTC) + dt.timedelta(minutes=EVENT_MINUTES)).astimezone(at.tzinfo)
    end, _ = moment("DTEND", later)
    return fold(start) + fold(end), zone


@functools.lru_cache(maxsize=64)
def timezone(zone: str, first: dt.date, last: dt.date) -> bytes:
    """The VTIMEZONE of `zone`, valid from `first` to `last`, as `icalendar` derives it from the
    zone database (what `Calendar.add_missing_timezones` adds)."""
    from icalendar import Timezone

    data: bytes = Timezone.from_tzid(zone, first_date=first, last_date=last).to_ical()
    return data


def calendar(name: str, events: list[tuple[bytes, str | None]], sel: Selection) -> bytes:
    """A whole calendar: header, the VTIMEZONE of each zone the events use, the events."""
    first, last = dt.date(sel.start.year - 1, 1, 1), dt.date(sel.end.year + 2, 1, 1)
    zones = sorted({zone for _, zone in events if zone is not None})
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{text(PRODID)}", "CALSCALE:GREGORIAN",
            f"X-WR-CALNAME:{text(name)}"]
    return b"".join([*(fold(line) for line in head), *(timezone(z, first, last) for z in zones),
                     *(data for data, _ in events), fold("END:VCALENDAR")])


def export(sel: Selection) -> Iterator[tuple[str, bytes]]:
    moments: dict[str, dict[tuple[dt.datetime, str], list[Message]]] = defaultdict(dict)
    by_group: dict[str, list[Message]] = defaultdict(list)
    stamp = fold(moment("DTSTAMP", sel.dtstamp)[0])  # the same for every event
    texts = _Texts(sel)
    for m in sel.messages:
        moments[m.operator].setdefault((m.at.astimezone(dt.UTC), zone_name(m.at)), []).append(m)
        if m.group:  # an account's post (Moments) rings in its operator's calendar only
            by_group[m.group].append(m)
    for op, at in sorted(moments.items()):
        events = [_moment_event(sorted(ms, key=lambda m: (m.group, m.source)), sel, stamp, texts)
                  for _, ms in sorted(at.items())]
        yield f"{FOLDER}/{op}.ics", calendar(f"{sel.title} · {sel.operator_name(op)}", events, sel)
    # a group's events are made when its calendar is: a week of a large playbook is ~100 MB of them
    for g, ms in sorted(by_group.items()):
        events = [_event(m, sel, stamp, texts) for m in ms]
        yield f"{FOLDER}/groups/{g}.ics", calendar(f"{sel.title} · {ms[-1].group_name}", events, sel)


__all__ = ["ALARM_MINUTES", "FOLDER", "export", "moment_description", "moment_summary", "moment_uid"]
