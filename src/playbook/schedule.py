"""The schedule: calendars, onboarding programmes and pack launches expanded into dated sends,
one per group and moment.

What becomes a dated send:
- calendar daily slots, on every day of the calendar's validity (or the days its `repeat`
  rule picks, counted from the first valid day, plus make-up workdays for an item that runs
  on them), unless a holiday (the playbook's, as the calendar's `public_holidays` and the
  item's `on_holidays` say, or the calendar's own) or an exception skips them;
- weekly events on their weekday, and their announcements at `announce_at` relative to the
  event (an announcement is skipped with its event);
- games that have both `repeat` and `at`; offline events on their date (as a back-office
  entry with no sender);
- programme scripts, from each group's `opened` day or each of its `cohort_starts`;
- before-group scripts (preparation: D-14 … D+0), from each group's `opened` day, so their
  steps fall on the days before the group opens;
- pack launch timelines, from the launch moment, in every group the audience reaches.
An item with its own `applies_to` (a slot, event, game or step) goes only to the groups of
its document that this selector reaches too.
Member-triggered steps (on_join, funnel, member_joined programmes) and keyword replies have
no date in the group's schedule; `playbook journey` places them for one member.

Time: every clock time is wall-clock time in the calendar's `time_zone`, else the playbook's.
A programme's anchor is 00:00 of its first day, so `day 2 09:00`, `D+1 09:00` and `+1d9h`
name the same moment. In a duration (`+1d2h`) whole days move the calendar day and keep the
clock time; hours and minutes are elapsed time (so `+30m` after 01:45 on a spring-forward
night is 03:15). A wall time that does not exist (skipped by DST) moves forward by the gap.
A group gets no sends dated before the day it opened, except its preparation steps. A
selector with `stages` keeps a group only on the days it is in one of them
(`playbook.lifecycle.stages`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from dateutil import rrule

from playbook.arguments import out_of_range
from playbook.errors import UsageError
from playbook.lifecycle.holidays import Pause, pause_of
from playbook.lifecycle.selection import StageFilter
from playbook.models.base import Channel, Scope
from playbook.models.calendars import ActivityCalendar
from playbook.models.packs import MaterialPack
from playbook.models.project import Project
from playbook.models.scripts import OnboardingScript
from playbook.models.types import parse_offset
from playbook.scope import groups_in

ItemKind = Literal[
    "slot", "weekly_event", "announcement", "game", "programme_step", "launch_step", "offline",
    "preparation_step",
]
"""What a send comes from."""

GROUP_CHANNELS: frozenset[str] = frozenset({"group_message", "announcement", "live_session"})
"""Channels whose messages land in the group itself (what members see pile up)."""

ACCOUNT_CHANNELS: frozenset[str] = frozenset({"moments_post", "service_account_post"})
"""Channels that post on an account of their own, not in a group: one post per account and
moment, however many groups the item reaches."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Source(NamedTuple):
    """Where a send is defined: the document and the JSON pointer of the item. (A named tuple,
    not a dataclass: the schedule rules and the export hash, compare and sort it millions of
    times, and a tuple does that in C; it hashes, compares and sorts field by field alike.)"""

    kind: str
    doc_id: str
    pointer: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.doc_id}#{self.pointer}"


class Send(NamedTuple):
    """One message to one group at one moment. (A named tuple: a week of a large playbook has
    hundreds of thousands, and the schedule rules look at two months.)"""

    group: str
    at: dt.datetime
    """Aware, in the zone of the document that schedules it."""
    channel: Channel
    sender: str | None
    """The sending role; None for an offline event."""
    source: Source
    item: ItemKind
    item_id: str
    """The id of the slot, event, game or step."""
    account: str = ""
    """For a post on an account's own channel (`ACCOUNT_CHANNELS`): the account that posts it
    (the operator, or `service_account`); `group` is then the first of `groups`, which the post
    stands for (see `playbook.account_posts`). Empty for a send to one group."""
    groups: tuple[str, ...] = ()
    """For an account's post: every group whose send it replaces."""

    @property
    def id(self) -> str:
        """Stable: the same group, moment and source always give the same id. `m` and 16 hex
        digits: the letter keeps a spreadsheet from reading it as a number (`0374…` lost its
        zero, `84196e33…` became 1.797e308). An account's post is keyed by its channel and
        account instead of a group (ids cannot hold `@`, so the two never meet)."""
        who = f"@{self.channel}:{self.account}" if self.account else self.group
        key = f"{who}\n{self.at.isoformat()}\n{self.source}"
        return "m" + hashlib.sha256(key.encode()).hexdigest()[:16]

    @property
    def reaches_group(self) -> bool:
        """Whether the message lands in the group chat itself."""
        return self.channel in GROUP_CHANNELS

    def sort_key(self) -> tuple[dt.datetime, str, Source]:
        return (self.at.astimezone(dt.UTC), self.group, self.source)


class Broadcast(NamedTuple):
    """One item at one moment, in every group it reaches that is open by then: the sends of
    that moment before they are split per group."""

    at: dt.datetime
    channel: Channel
    sender: str | None
    source: Source
    item: ItemKind
    item_id: str
    groups: tuple[str, ...]

    @property
    def reaches_group(self) -> bool:
        return self.channel in GROUP_CHANNELS

    def sends(self) -> Iterator[Send]:
        for group in self.groups:
            yield self.send_to(group)

    def send_to(self, group: str) -> Send:
        """This broadcast's send to one of its groups."""
        return Send(group, self.at, self.channel, self.sender, self.source, self.item, self.item_id)


def today() -> dt.date:
    """Today, or the date in the PLAYBOOK_TODAY environment variable (YYYY-MM-DD), so that
    checks about the present are reproducible."""
    fixed = os.environ.get("PLAYBOOK_TODAY")
    if not fixed:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(fixed)
    except ValueError:
        raise UsageError(f"PLAYBOOK_TODAY={fixed!r} is not a date; write YYYY-MM-DD") from None
    problem = out_of_range(day)
    if problem:
        raise UsageError(f"PLAYBOOK_TODAY={fixed}: {problem}")
    return day


def local(day: dt.date, clock: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The aware moment of a wall-clock time; a time skipped by DST moves forward."""
    naive = dt.datetime.combine(day, clock, tzinfo=zone)
    return naive.astimezone(dt.UTC).astimezone(zone)


def resolve(offset: str, anchor: dt.datetime) -> dt.datetime:
    """The moment an offset (`+30m`, `-1d`, `day 3 09:00`, `D-1 20:00`) names from `anchor`."""
    # Aware datetimes in different zones compare equal at the same instant, and the fold of
    # a repeated hour is ignored: both belong in the key of the cache.
    return _resolve(offset, anchor, anchor.tzinfo, anchor.fold)


@functools.lru_cache(maxsize=65536)
def _resolve(offset: str, anchor: dt.datetime, _zone: dt.tzinfo | None, _fold: int) -> dt.datetime:
    parsed = parse_offset(offset)
    zone = anchor.tzinfo
    assert zone is not None, "anchors are aware"
    if parsed.delta is None:
        moved = parsed.apply(anchor)
        return local(moved.date(), moved.time(), zone)
    sign = -1 if parsed.delta < dt.timedelta(0) else 1
    size = abs(parsed.delta)
    day = local((anchor + sign * dt.timedelta(days=size.days)).date(), anchor.time(), zone)
    return (day.astimezone(dt.UTC) + sign * dt.timedelta(seconds=size.seconds)).astimezone(zone)


def expand(project: Project, start: dt.date, end: dt.date) -> list[Send]:
    """Every dated send from `start` to `end` (both included, by the send's local date),
    ordered by moment, group and source."""
    sends = (send for b in broadcasts(project, start, end) for send in b.sends())
    return sorted(sends, key=Send.sort_key)


def broadcasts(project: Project, start: dt.date, end: dt.date,
               channels: frozenset[str] | None = None) -> list[Broadcast]:
    """The sends from `start` to `end` by moment and item, each with the groups it reaches
    (open by its day); without repeats, in no particular order. With `channels`, only the
    sends on those channels (the same ones, in the same order, as without)."""
    if end < start:
        return []
    opened = {g.id: g.opened for g in project.groups.values()}
    found: list[Broadcast] = []
    seasons: dict[tuple[object, ...], list[dt.date]] = {}  # shared by calendars that repeat items
    for cal_id, cal in sorted(project.calendars.items()):
        found += _calendar_sends(project, cal_id, cal, start, end, seasons, channels)
    for script_id, script in sorted(project.scripts.items()):
        found += _programme_sends(project, script_id, script, start, end, channels)
        found += _preparation_sends(project, script_id, script, start, end, channels)
    for pack_id, pack in sorted(project.packs.items()):
        found += _launch_sends(project, pack_id, pack, start, end, channels)
    kept: dict[Broadcast, None] = {}
    staged = StageFilter(project)
    last_opened: dict[int, dt.date] = {}  # by id: `found` keeps every groups tuple alive
    for b in found:
        day = b.at.date()
        if start <= day <= end:
            groups = b.groups
            if b.item != "preparation_step":
                latest = last_opened.get(id(groups))
                if latest is None:
                    latest = last_opened[id(groups)] = max((opened[g] for g in groups), default=day)
                if latest > day:  # some groups are not open yet
                    groups = tuple(g for g in groups if opened[g] <= day)
            if staged:  # selectors naming stages keep a group only on its days in them
                groups = staged.keep((b.source.kind, b.source.doc_id, b.source.pointer), day, groups)
            if groups:
                kept[b if groups is b.groups else b._replace(groups=groups)] = None
    return list(kept)


@functools.lru_cache(maxsize=65536)
def _local(day: dt.date, clock: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """`local`, remembered: the calendars of a large playbook post at the same few clock times."""
    return local(day, clock, zone)


def days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every day from `first` to `last`, both included."""
    for n in range((last - first).days + 1):
        yield first + dt.timedelta(days=n)


def zone_of(project: Project, cal: ActivityCalendar | None = None) -> ZoneInfo:
    """The time zone clock times are read in: the calendar's, else the playbook's."""
    return ZoneInfo((cal.time_zone if cal else None) or project.playbook.time_zone)


# --- calendars ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Calendar:
    """One calendar being expanded: its groups, zone and the days in play."""

    project: Project
    doc_id: str
    cal: ActivityCalendar
    groups: tuple[str, ...]
    zone: ZoneInfo
    pause: Pause | None = None
    """How the calendar follows the playbook's holidays (None: it does not)."""
    seasons: dict[tuple[object, ...], list[dt.date]] | None = None
    """The days items run, shared between the calendars of one expansion (see `running`)."""

    def valid(self, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
        """`first`..`last` clipped to the calendar's validity (empty when first > last)."""
        end = self.cal.valid.end or last
        return max(first, self.cal.valid.start), min(last, end)

    def skipped(self, item_id: str, day: dt.date) -> bool:
        if self.pause is not None and self.pause.pauses(item_id, day):
            return True
        return any(e.start <= day <= (e.end or e.start) and (not e.skip or item_id in e.skip)
                   for e in (*self.cal.holidays, *self.cal.exceptions))

    def running(self, item_id: str, repeat: str | None, first: dt.date, last: dt.date,
                weekday: int | None = None) -> list[dt.date]:
        """The days in `first`..`last` an item runs and is not skipped: by its repeat rule
        (with make-up workdays), or on `weekday` for a weekly event. Computed once for every
        calendar with the same validity, rule, skips and holiday handling for the item (a large
        playbook repeats its calendars per region), which is the key of `seasons`."""
        skips = tuple((e.start, e.end or e.start) for e in (*self.cal.holidays, *self.cal.exceptions)
                      if not e.skip or item_id in e.skip)
        pause = self.pause
        paused = None if pause is None else (
            pause.own.get(item_id), pause.makeup.get(item_id),
            tuple((names, every or item_id in ids) for names, every, ids in pause.rules))
        key = (repeat, weekday, self.cal.valid.start, self.cal.valid.end, first, last, skips, paused)
        memo = self.seasons if self.seasons is not None else {}
        found = memo.get(key)
        if found is None:
            if weekday is None:
                picked = self.days_of(item_id, repeat, first, last)
            else:
                picked = [d for d in days(*self.valid(first, last)) if d.weekday() == weekday]
            found = memo[key] = [d for d in picked if not self.skipped(item_id, d)]
        return found

    def sends(self, moment: dt.datetime, channel: Channel, sender: str | None, ptr: str,
              item: ItemKind, item_id: str, groups: tuple[str, ...] | None = None) -> Iterator[Broadcast]:
        yield Broadcast(moment, channel, sender, Source("ActivityCalendar", self.doc_id, ptr), item, item_id,
                        self.groups if groups is None else groups)

    def narrowed(self, item_scope: Scope | None) -> tuple[str, ...]:
        """The calendar's groups that an item's own `applies_to` reaches too."""
        if item_scope is None or item_scope.is_empty:
            return self.groups
        return tuple(groups_in(self.project, self.cal.applies_to, item_scope))

    def days_of(self, item_id: str, repeat: str | None, first: dt.date, last: dt.date) -> list[dt.date]:
        """The days an item runs: those its repeat rule picks, and the make-up workdays when
        the item runs on them too."""
        picked = self.recurring(repeat, first, last)
        if self.pause is None or repeat is None:
            return picked
        extra = self.pause.makeup_days(item_id, *self.valid(first, last))
        return sorted(set(picked).union(extra)) if extra else picked

    def recurring(self, repeat: str | None, first: dt.date, last: dt.date) -> list[dt.date]:
        """The days in `first`..`last` a repeat rule picks (every day without one)."""
        first, last = self.valid(first, last)
        if first > last:
            return []
        if repeat is None:
            return list(days(first, last))
        rule = _rule(repeat, dt.datetime.combine(self.cal.valid.start, dt.time()))
        picked = rule.between(dt.datetime.combine(first, dt.time()),
                              dt.datetime.combine(last, dt.time()), inc=True)
        return [moment.date() for moment in picked]


@functools.lru_cache(maxsize=1024)
def _rule(repeat: str, start: dt.datetime) -> rrule.rrule:
    """A parsed repeat rule (parsing dominated the expansion of many calendars)."""
    parsed = rrule.rrulestr("RRULE:" + repeat, dtstart=start)
    assert isinstance(parsed, rrule.rrule), "one RRULE line gives one rule"
    return parsed


def _calendar_sends(project: Project, doc_id: str, cal: ActivityCalendar, start: dt.date, end: dt.date,
                    seasons: dict[tuple[object, ...], list[dt.date]] | None = None,
                    channels: frozenset[str] | None = None) -> Iterator[Broadcast]:
    groups = groups_in(project, cal.applies_to)
    if not groups:
        return
    c = _Calendar(project, doc_id, cal, tuple(groups), zone_of(project, cal), pause_of(project, cal),
                  seasons)
    for i, slot in enumerate(cal.daily):
        if channels is not None and slot.channel not in channels:
            continue
        clock = dt.time.fromisoformat(slot.at)
        reached = c.narrowed(slot.applies_to)
        for day in c.running(slot.id, slot.repeat, start, end) if reached else ():
            yield from c.sends(_local(day, clock, c.zone), slot.channel, slot.sender,
                               f"/daily/{i}", "slot", slot.id, reached)
    grouped = channels is None or "group_message" in channels  # games, events, announcements
    for i, game in enumerate(cal.games if grouped else ()):
        reached = c.narrowed(game.applies_to)
        if game.repeat is None or game.at is None or not reached:
            continue
        clock = dt.time.fromisoformat(game.at)
        for day in c.running(game.id, game.repeat, start, end):
            yield from c.sends(_local(day, clock, c.zone), "group_message", game.sender,
                               f"/games/{i}", "game", game.id, reached)
    if grouped:
        yield from _weekly_sends(c, start, end)
    first, last = c.valid(start, end)
    for i, event in enumerate(cal.offline if channels is None or "backoffice" in channels else ()):
        if first <= event.date <= last:
            yield from c.sends(local(event.date, dt.time.fromisoformat(event.at), c.zone),
                               "backoffice", None, f"/offline/{i}", "offline", event.id)


def _weekly_sends(c: _Calendar, start: dt.date, end: dt.date) -> Iterator[Broadcast]:
    for i, event in enumerate(c.cal.weekly):
        reach = _reach_days(event.announce_at) if event.announce_at else 0
        first, last = c.valid(start - dt.timedelta(days=reach), end + dt.timedelta(days=reach))
        clock = dt.time.fromisoformat(event.at)
        weekday = WEEKDAYS.index(event.weekday)
        reached = c.narrowed(event.applies_to)
        for day in c.running(event.id, None, first, last, weekday) if reached else ():
            moment = _local(day, clock, c.zone)
            yield from c.sends(moment, "group_message", event.sender, f"/weekly/{i}",
                               "weekly_event", event.id, reached)
            if event.announce_at is not None:
                yield from c.sends(resolve(event.announce_at, moment), "group_message", event.sender,
                                   f"/weekly/{i}/announce", "announcement", event.id, reached)


def _reach_days(offset: str) -> int:
    """How many days away from its anchor an offset can land (rounded up, plus one)."""
    parsed = parse_offset(offset)
    shift = parsed.day_shift if parsed.delta is None else abs(parsed.delta).days
    return abs(shift or 0) + 1


# --- programmes and launches ----------------------------------------------------------------

def _programme_sends(project: Project, doc_id: str, script: OnboardingScript,
                     start: dt.date, end: dt.date,
                     channels: frozenset[str] | None = None) -> Iterator[Broadcast]:
    zone = zone_of(project)
    runs: dict[dt.date, list[str]] = {}
    for group_id, first_day in programme_anchors(project, script):
        runs.setdefault(first_day, []).append(group_id)
    narrowed = [None if s.applies_to is None or s.applies_to.is_empty
                else frozenset(groups_in(project, script.applies_to, s.applies_to)) for s in script.steps]
    for first_day, groups in runs.items():  # the groups whose run starts on the same day
        anchor = local(first_day, dt.time(), zone)
        unique = tuple(dict.fromkeys(groups))
        for i, step in enumerate(script.steps):
            if channels is not None and step.channel not in channels:
                continue
            moment = resolve(step.at, anchor)
            if not start <= moment.date() <= end:
                continue
            only = narrowed[i]
            reached = unique if only is None else tuple(g for g in unique if g in only)
            if reached:
                yield Broadcast(moment, step.channel, step.sender,
                                Source("OnboardingScript", doc_id, f"/steps/{i}"), "programme_step",
                                step.id, reached)


def launch_moments(project: Project, pack: MaterialPack) -> list[dt.datetime]:
    """The moment of each timeline step of a pack, in timeline order."""
    launch = pack.launch.at
    start = local(launch.date(), launch.time(), zone_of(project))
    return [resolve(step.at, start) for step in pack.timeline]


def _launch_sends(project: Project, doc_id: str, pack: MaterialPack,
                  start: dt.date, end: dt.date,
                  channels: frozenset[str] | None = None) -> Iterator[Broadcast]:
    moments = launch_moments(project, pack)
    groups = tuple(groups_in(project, pack.launch.audience))
    for i, (step, moment) in enumerate(zip(pack.timeline, moments, strict=True)):
        if channels is not None and step.channel not in channels:
            continue
        reached = groups if step.applies_to is None or step.applies_to.is_empty \
            else tuple(groups_in(project, pack.launch.audience, step.applies_to))
        if reached and start <= moment.date() <= end:
            yield Broadcast(moment, step.channel, step.sender,
                            Source("MaterialPack", doc_id, f"/timeline/{i}"), "launch_step", step.id, reached)


def _preparation_sends(project: Project, doc_id: str, script: OnboardingScript,
                       start: dt.date, end: dt.date,
                       channels: frozenset[str] | None = None) -> Iterator[Broadcast]:
    """A before-group script's steps, dated from each group's `opened` day (D+0)."""
    if script.trigger.kind != "before_group":
        return
    runs: dict[dt.date, list[str]] = {}
    for group_id in groups_in(project, script.applies_to):
        runs.setdefault(project.groups[group_id].opened, []).append(group_id)
    zone = zone_of(project)
    for opened, groups in runs.items():
        anchor = local(opened, dt.time(), zone)
        for i, step in enumerate(script.steps):
            if channels is not None and step.channel not in channels:
                continue
            moment = resolve(step.at, anchor)
            reached = tuple(groups) if step.applies_to is None or step.applies_to.is_empty else \
                tuple(g for g in groups_in(project, script.applies_to, step.applies_to) if g in groups)
            if reached and start <= moment.date() <= end:
                yield Broadcast(moment, step.channel, step.sender,
                                Source("OnboardingScript", doc_id, f"/steps/{i}"), "preparation_step",
                                step.id, reached)


def programme_anchors(project: Project, script: OnboardingScript) -> list[tuple[str, dt.date]]:
    """(group, first day) of each run of a programme script; empty for other triggers."""
    anchor = script.trigger.anchor or "group_opened"
    if script.trigger.kind != "programme" or anchor == "member_joined":
        return []
    runs: list[tuple[str, dt.date]] = []
    for group_id in groups_in(project, script.applies_to):
        group = project.groups[group_id]
        runs += [(group_id, d) for d in ([group.opened] if anchor == "group_opened"
                                         else group.cohort_starts)]
    return runs
