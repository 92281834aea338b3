"""Schedules (PB4xx): what the schedule engine would actually post, checked for clashes,
overload, quiet hours, overlapping launches and platform send limits.

The rules look at a fixed horizon, not at the whole (possibly open-ended) future:
- each calendar's first 8 weeks, from its start or from its earliest group's opening when
  that is later (clipped to its validity): long enough for every weekly pattern to repeat
  and for monthly rules to come round;
- each pack's launch timeline, from its first to its last step;
- each programme run (per group opening or cohort start), from its first to its last step.
Overlapping windows are merged and expanded once; the result is cached per project.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain

from playbook.diagnostics import Related, Severity
from playbook.lint.registry import PACKS, SCHEDULED, Finding, per_project, rule
from playbook.models.base import Document, Scope
from playbook.models.calendars import ActivityCalendar
from playbook.models.packs import MaterialPack
from playbook.models.project import TABLES, Project
from playbook.models.scripts import OnboardingScript
from playbook.schedule import (
    WEEKDAYS,
    Broadcast,
    Send,
    Source,
    broadcasts,
    launch_moments,
    local,
    programme_anchors,
    resolve,
    today,
    zone_of,
)
from playbook.scope import groups_in, platform_of
from playbook.source import Span

HORIZON_WEEKS = 8
NOT_MESSAGES = frozenset({"backoffice", "ad_placement", "landing_page"})
"""Channels that put nothing in front of a person at the send's time."""

Window = tuple[dt.date, dt.date]


def horizon(project: Project) -> list[Window]:
    """The disjoint date windows the schedule rules expand, in order."""
    documents = chain(project.calendars.values(), project.scripts.values(), project.packs.values())
    return _merged(w for document in documents for w in windows_of(project, document) if w[0] <= w[1])


def windows_of(project: Project, document: Document) -> list[Window]:
    """The date windows one calendar, script or pack adds to the horizon (before merging); none
    for another kind of document."""
    windows: list[Window] = []
    if isinstance(document, ActivityCalendar):
        groups = groups_in(project, document.applies_to)
        if groups:
            first = max(document.valid.start, min(project.groups[g].opened for g in groups))
            last = first + dt.timedelta(weeks=HORIZON_WEEKS, days=-1)
            windows.append((first, min(last, document.valid.end or last)))
    elif isinstance(document, MaterialPack):
        moments = launch_moments(project, document)
        windows.append((min(moments).date(), max(moments).date()))
    elif isinstance(document, OnboardingScript):
        zone = zone_of(project)
        for _, first_day in programme_anchors(project, document):
            anchor = local(first_day, dt.time(), zone)
            dates = [resolve(step.at, anchor).date() for step in document.steps]
            windows.append((min(dates), max(dates)))
        if document.trigger.kind == "before_group":  # preparation, dated from each opening day
            for opened in {project.groups[g].opened for g in groups_in(project, document.applies_to)}:
                anchor = local(opened, dt.time(), zone)
                dates = [resolve(step.at, anchor).date() for step in document.steps]
                windows.append((min(dates), max(dates)))
    return windows


def _merged(windows: Iterable[Window]) -> list[Window]:
    merged: list[Window] = []
    for first, last in sorted(windows):
        if merged and first <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


@per_project
def planned(project: Project) -> list[Broadcast]:
    """Every dated send inside the horizon, by moment and item with the groups it reaches
    (computed once per project). The rules split a broadcast into per-group sends only where
    they report something: two months of a thousand groups are millions of sends."""
    windows = horizon(project) if project.horizon is None else project.horizon
    return [b for first, last in windows for b in broadcasts(project, first, last, project.channels)]


def scope_of(document: Document) -> Scope:
    """The groups a calendar, script or pack can send to at most (its items only narrow it)."""
    if isinstance(document, MaterialPack):
        return document.launch.audience
    assert isinstance(document, (ActivityCalendar, OnboardingScript))
    return document.applies_to


def connected(project: Project, scopes: Mapping[tuple[str, str], Iterable[str]] | None = None
              ) -> dict[tuple[str, str], int]:
    """(kind, id) of each calendar, script and pack -> the number of its connected part: two
    documents are in one part when they reach a common group, or groups that share a robot
    (whose per-minute quota they then share), directly or through others. A rule declared
    `by_part` finds in each part, checked alone, exactly what it finds there in the whole.
    `scopes`, when given: the groups each document reaches, already worked out."""
    parent: dict[object, object] = {}

    def root(node: object) -> object:
        while parent.get(node, node) != node:
            parent[node] = parent.get(parent[node], parent[node])
            node = parent[node]
        return node

    def join(a: object, b: object) -> None:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb

    tables = {kind: getattr(project, TABLES[kind]) for kind in ("ActivityCalendar", "OnboardingScript",
                                                                "MaterialPack")}
    keys = [(kind, doc_id) for kind, table in tables.items() for doc_id in table]
    for key in keys:
        parent.setdefault(key, key)
        reached = scopes[key] if scopes is not None else groups_in(project, scope_of(tables[key[0]][key[1]]))
        for group in reached:
            join(key, ("group", group))
            robot = project.groups[group].robot
            if robot:
                join(("group", group), ("robot", robot))
    numbers: dict[object, int] = {}
    return {key: numbers.setdefault(root(key), len(numbers)) for key in keys}


def linked(project: Project, start: Iterable[tuple[str, str]],
           *scopes: Mapping[tuple[str, str], Iterable[str]]) -> set[tuple[str, str]]:
    """The documents in the connected parts (`connected`) of the documents `start`, where a
    document reaches the groups any of `scopes` gives it (say, before an edit and after): found
    from `start` alone, not by parting the whole playbook."""
    docs_of: dict[str, list[tuple[str, str]]] = {}
    for scope in scopes:
        for key, reached in scope.items():
            for group_id in reached:
                docs_of.setdefault(group_id, []).append(key)
    sharing: dict[str, list[str]] = {}
    for group_id, group in project.groups.items():
        if group.robot:
            sharing.setdefault(group.robot, []).append(group_id)
    found, queue, seen = set(start), list(start), set[str]()
    while queue:
        key = queue.pop()
        pending = [g for scope in scopes for g in scope.get(key, ())]
        while pending:
            group_id = pending.pop()
            if group_id in seen:
                continue
            seen.add(group_id)
            robot = project.groups[group_id].robot
            pending += sharing[robot] if robot else []
            fresh = [other for other in docs_of.get(group_id, ()) if other not in found]
            found.update(fresh)
            queue += fresh
    return found


def _utc(b: Broadcast) -> dt.datetime:
    return b.at.astimezone(dt.UTC)


def _send(b: Broadcast, group: str) -> Send:
    return Send(group, b.at, b.channel, b.sender, b.source, b.item, b.item_id)


# --- describing sends -----------------------------------------------------------------------

_NOUNS = {
    "slot": "slot", "weekly_event": "weekly event", "announcement": "announcement of weekly event",
    "game": "game", "programme_step": "programme step", "launch_step": "launch step",
    "offline": "offline event", "preparation_step": "preparation step",
}


def describe(send: Send) -> str:
    return f"{_NOUNS[send.item]} '{send.item_id}'"


def _field_span(project: Project, send: Send, field_name: str) -> Span:
    ptr = send.source.pointer
    if send.item == "announcement":
        ptr, field_name = ptr.removesuffix("/announce"), "announce_at" if field_name == "at" else field_name
    return project.span(send.source.kind, send.source.doc_id, f"{ptr}/{field_name}")


def _when(send: Send) -> str:
    return f"{send.at:%Y-%m-%d %H:%M} in {send.group}"


def _clashes(project: Project, buckets: dict[tuple[dt.date, str], list[Send]], field_name: str,
             message: Callable[[Send, Send, int], str]) -> Iterator[Finding]:
    """For each pair of sources that meet in a bucket: one finding at the one later in the
    files, with a note at the other, and how often the pair meets."""
    first_meeting: dict[tuple[Source, Source], tuple[Send, Send]] = {}
    meetings: dict[tuple[Source, Source], int] = defaultdict(int)
    for _, sends in sorted(buckets.items()):
        by_source = {s.source: s for s in reversed(sends)}
        if len(by_source) < 2:
            continue
        ordered = sorted(by_source.values(), key=lambda s: _field_span(project, s, field_name))
        for later in ordered[1:]:
            pair = (later.source, ordered[0].source)
            first_meeting.setdefault(pair, (later, ordered[0]))
            meetings[pair] += 1
    for pair, (later, first) in first_meeting.items():
        yield Finding(_field_span(project, later, field_name), message(later, first, meetings[pair]),
                      related=(Related(_field_span(project, first, field_name), describe(first)),))


def _times(n: int) -> str:
    return "" if n == 1 else f" (and {n - 1} more time{'s' if n > 2 else ''})"


# --- rules ----------------------------------------------------------------------------------

@rule("PB401", "same-minute-sends", reads=SCHEDULED, through_schedule=True,
      by_part=True)
def same_minute_sends(project: Project) -> Iterator[Finding]:
    """Two different items post to the same group at the same minute.

    Why: two messages at once bury each other; an operator posting by hand cannot send both
    on time. The finding stands at the item later in the files, with a note at the other.

    Fails: a slot at 11:00 and a launch step at `+1h` after a 10:00 launch, in the same group.
    Passes: move one of them to 11:15.
    """
    at_minute: dict[dt.datetime, list[Broadcast]] = defaultdict(list)
    for b in planned(project):
        if b.reaches_group:  # every moment is a whole minute; compare them in UTC
            at_minute[_utc(b)].append(b)
    buckets: dict[tuple[dt.date, str], list[Send]] = {}  # the moment, in UTC
    for moment, meeting in at_minute.items():
        if len(meeting) < 2:
            continue
        first_in: dict[str, Broadcast] = {}
        for b in meeting:
            for group in b.groups:
                other = first_in.setdefault(group, b)
                if other is not b:
                    buckets.setdefault((moment, group), [_send(other, group)]).append(_send(b, group))
    yield from _clashes(project, buckets, "at",
                        lambda later, first, n: f"{describe(later)} goes out at the same minute as "
                        f"{describe(first)}: {_when(later)}{_times(n)}")


@rule("PB402", "too-many-pushes-per-day", reads=SCHEDULED, through_schedule=True,
      by_part=True)
def too_many_pushes(project: Project) -> Iterator[Finding]:
    """A group gets more scheduled messages in one day than `settings.max_pushes_per_day`.

    Why: past a handful of posts a day members mute the group and stop reading. Counted are
    dated messages that land in the group (daily slots, weekly events and announcements,
    games, programme and launch steps). Reported once per group type and busiest list,
    at that list (usually a calendar's `daily:`), not once per day.

    Fails: nine daily slots with `max_pushes_per_day: 8`.
    Passes: eight slots, or `max_pushes_per_day: 9`.
    """
    limit = project.playbook.settings.max_pushes_per_day
    on_day: dict[dt.date, list[Broadcast]] = defaultdict(list)
    for b in planned(project):
        if b.reaches_group:
            on_day[b.at.date()].append(b)
    found: dict[tuple[str, Source], list[tuple[dt.date, str, int]]] = {}
    for day, day_broadcasts in sorted(on_day.items()):
        counts = Counter(chain.from_iterable(b.groups for b in day_broadcasts))
        for group in sorted(g for g, n in counts.items() if n > limit):
            sends = [_send(b, group) for b in day_broadcasts if group in b.groups]
            key = (project.groups[group].type, _busiest_list(sends))
            found.setdefault(key, []).append((day, group, len(sends)))
    for (group_type, where), days in found.items():
        first_day, first_group, _ = days[0]
        most = max(n for _, _, n in days)
        yield Finding(
            project.span(where.kind, where.doc_id, where.pointer, key=True),
            f"'{group_type}' groups get up to {most} scheduled messages a day, more than "
            f"max_pushes_per_day ({limit}): on {first_day} in {first_group}"
            + (f" and {len(days) - 1} more group-day{'s' if len(days) > 2 else ''}" if len(days) > 1 else ""),
            help="merge or drop slots, or raise settings.max_pushes_per_day")


def _busiest_list(sends: list[Send]) -> Source:
    """The top-level list (e.g. a calendar's /daily) contributing most of a day's sends."""
    counts: dict[Source, int] = defaultdict(int)
    for s in sends:
        counts[Source(s.source.kind, s.source.doc_id, "/" + s.source.pointer.split("/")[1])] += 1
    return min(counts, key=lambda src: (-counts[src], src.kind != "ActivityCalendar", src))


def _quiet(clock: dt.time, start: dt.time, end: dt.time) -> bool:
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end


@rule("PB403", "send-in-quiet-hours", reads=SCHEDULED, through_schedule=True,
      by_part=True)
def send_in_quiet_hours(project: Project) -> Iterator[Finding]:
    """A dated message goes out inside quiet hours (`settings.quiet_hours`, 22:00–08:00 unless
    set; an end before the start means the next morning).

    Why: night-time pushes wake members and get the group muted or left. Times are read in
    the zone of the document that schedules them. Reported once per item.

    Fails: a slot at 22:30 with the default quiet hours. Passes: the slot at 21:30.
    """
    hours = project.playbook.settings.quiet_hours
    start, end = dt.time.fromisoformat(hours.start), dt.time.fromisoformat(hours.end)
    first: dict[Source, tuple[dt.datetime, str, Broadcast]] = {}
    for b in planned(project):
        if b.channel in NOT_MESSAGES or not _quiet(b.at.time(), start, end):
            continue
        candidate = (_utc(b), min(b.groups), b)
        if b.source not in first or candidate[:2] < first[b.source][:2]:
            first[b.source] = candidate
    for _, group, b in sorted(first.values(), key=lambda c: (c[0], c[1], c[2].source)):
        send = _send(b, group)
        yield Finding(_field_span(project, send, "at"),
                      f"{describe(send)} goes out at {send.at:%H:%M}, inside quiet hours "
                      f"{hours.start}–{hours.end}: {_when(send)}",
                      help="move it outside quiet hours, or change settings.quiet_hours")


@rule("PB404", "overlapping-pack-launches", Severity.WARNING, reads=PACKS)
def overlapping_pack_launches(project: Project) -> Iterator[Finding]:
    """Two material packs' launch timelines overlap in time in the same groups.

    Why: two hot products pushed at once compete for the same buyers and double the posts;
    the battle reports and top lists get mixed up. Reported at the pack whose timeline
    starts later, with a note at the other.

    Fails: packs launching 2026-12-03 10:00 and 11:00 whose timelines run until 20:00, both
    for middle-official groups. Passes: the second pack launches the next day.
    """
    spans = {}
    audiences: dict[str, set[str]] = {}
    for pack_id, pack in sorted(project.packs.items()):
        moments = launch_moments(project, pack)
        spans[pack_id] = (min(moments), max(moments))
        audiences[pack_id] = set(groups_in(project, pack.launch.audience))
    by_launch = sorted(spans, key=lambda p: (spans[p][0], p))
    for first, later in _overlapping(by_launch, spans, audiences):
        a_start, a_end = spans[first]
        b_start, b_end = spans[later]
        shared = sorted(g for g in audiences[first] & audiences[later]
                        if project.groups[g].opened <= min(a_end, b_end).date())
        if not shared:
            continue
        yield Finding(
            project.span("MaterialPack", later, "/launch/at"),
            f"pack '{later}' ({_period(b_start, b_end)}) overlaps pack '{first}' "
            f"({_period(a_start, a_end)}) in {len(shared)} group{'s' if len(shared) > 1 else ''}: "
            + ", ".join(shared[:3]) + (f" and {len(shared) - 3} more" if len(shared) > 3 else ""),
            help="launch one after the other's closing step, or split the audiences",
            related=(Related(project.span("MaterialPack", first, "/launch/at"), f"pack '{first}'"),))


def _overlapping(by_launch: list[str], spans: Mapping[str, tuple[dt.datetime, dt.datetime]],
                 audiences: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    """The pairs of packs whose timelines overlap and whose audiences share a group, in the
    order of `combinations(by_launch, 2)`.

    Only packs that reach a common group are compared (thousands of packs launching in the
    same weeks overlap in time by the hundred thousand pairs, but few share a group): per
    group, each pack that reaches it with the later ones, in launch order."""
    order = {pack_id: i for i, pack_id in enumerate(by_launch)}
    reaching: dict[str, list[int]] = {}
    for pack_id in by_launch:
        for group in audiences[pack_id]:
            reaching.setdefault(group, []).append(order[pack_id])
    pairs: set[tuple[int, int]] = set()
    for packs in reaching.values():  # in launch order
        for n, i in enumerate(packs):
            end = spans[by_launch[i]][1]
            pairs.update((i, j) for j in packs[n + 1:] if end >= spans[by_launch[j]][0])
    return [(by_launch[i], by_launch[j]) for i, j in sorted(pairs)]


def _period(start: dt.datetime, end: dt.datetime) -> str:
    if start == end:
        return f"{start:%Y-%m-%d %H:%M}"
    last = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{last}"


@rule("PB405", "announced-after-event", per_document=True)
def announced_after_event(project: Project) -> Iterator[Finding]:
    """A weekly event's announcement (`announce_at`) goes out at or after the event itself.

    Why: an announcement is there to bring people to the event; afterwards it is noise.

    Fails: an event on Thursday 19:00 with `announce_at: D+0 20:00`.
    Passes: `announce_at: D-1 20:00` (Wednesday evening).
    """
    reference = dt.date(2026, 1, 5)  # a Monday; only the offset's shape matters here
    for cal_id, cal in sorted(project.calendars.items()):
        for i, event in enumerate(cal.weekly):
            if event.announce_at is None:
                continue
            day = reference + dt.timedelta(days=WEEKDAYS.index(event.weekday))
            moment = local(day, dt.time.fromisoformat(event.at), dt.UTC)
            announced = resolve(event.announce_at, moment)
            if announced >= moment:
                when = "at the same time as" if announced == moment else "after"
                yield Finding(project.span("ActivityCalendar", cal_id, f"/weekly/{i}/announce_at"),
                              f"the announcement of '{event.id}' ({event.announce_at}) goes out "
                              f"{when} the event ({event.weekday} {event.at})",
                              help="announce ahead, e.g. announce_at: 'D-1 20:00'")


@rule("PB406", "wecom-daily-group-send-limit", reads=SCHEDULED, through_schedule=True,
      by_part=True)
def wecom_daily_group_send_limit(project: Project) -> Iterator[Finding]:
    """A WeCom customer group gets more than one dated `private_message` send in one day.

    Why: WeCom delivers at most one company group-send per customer per day; the second is
    not delivered. Reported at the later item's channel, with a note at the other.

    Fails: a programme step and a launch step, both `channel: private_message`, on the same
    day in a `wecom_customer_group` group. Passes: one of them as a group message.
    """
    buckets: dict[tuple[dt.date, str], list[Send]] = defaultdict(list)
    for b in sorted((b for b in planned(project) if b.channel == "private_message"), key=_utc):
        for group in b.groups:
            if platform_of(project, group) == "wecom_customer_group":
                buckets[(b.at.date(), group)].append(_send(b, group))
    yield from _clashes(project, buckets, "channel",
                        lambda later, first, n: f"{describe(later)} is a second private-message "
                        f"group-send on one day to a WeCom customer group, after {describe(first)}: "
                        f"{_when(later)}{_times(n)}")


@rule("PB407", "calendar-expired", Severity.WARNING, per_document=True)
def calendar_expired(project: Project) -> Iterator[Finding]:
    """A calendar's validity ended before today, or ends within `settings.expiry_warning_days`
    (30 by default).

    Why: nothing in it is posted any more, yet the handbook still shows it; warned ahead, the
    team writes the next calendar in time. Today is the system date, or PLAYBOOK_TODAY
    (YYYY-MM-DD) when set, so CI runs are reproducible.

    Fails: `valid: {start: 2026-01-01, end: 2026-03-31}` checked on 2026-11-23, or an end on
    2026-12-10 (17 days ahead).
    Passes: an end more than 30 days ahead, or no end.
    """
    now = today()
    ahead = project.playbook.settings.expiry_warning_days
    for cal_id, cal in sorted(project.calendars.items()):
        end = cal.valid.end
        if end is not None and end < now:
            yield Finding(project.span("ActivityCalendar", cal_id, "/valid/end"),
                          f"calendar '{cal_id}' ended on {end}; nothing in it is posted any more",
                          help="extend valid.end, or remove the calendar")
        elif end is not None and (end - now).days <= ahead:
            left = (end - now).days
            yield Finding(project.span("ActivityCalendar", cal_id, "/valid/end"),
                          f"calendar '{cal_id}' ends on {end}, "
                          f"{'today' if left == 0 else f'in {left} day' + ('s' if left > 1 else '')}; "
                          "nothing in it is posted after that",
                          help="write the next calendar (or extend valid.end) before then")
