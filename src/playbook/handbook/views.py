"""Derived views the pages show: message previews with sample values, the announcement
text, a calendar's week as a weekday × time grid, and the week's dated messages merged
across groups for run sheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from dateutil import rrule

from playbook.bundle.compose import Attachment, Message, item_of
from playbook.handbook.book import Book
from playbook.handbook.figures import GridEntry
from playbook.models.base import MessageContent
from playbook.models.calendars import ActivityCalendar, Game, OfflineEvent, WeeklyEvent
from playbook.models.packs import MaterialPack
from playbook.models.playbook import GroupType
from playbook.models.rules import GroupRules
from playbook.render import MessageEnvironment, environment_for, place_of, render, sample_context
from playbook.schedule import WEEKDAYS, Source, local, resolve, zone_of

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
LIST_HEADINGS = {"required": "必须做到", "forbidden": "禁止", "encouraged": "鼓励", "rewards": "奖励"}
"""Headings of the announcement's lists, in the handbook's language (zh)."""


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week that holds `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


class Previewer:
    """Renders message bodies with sample values (the same values lint checks with)."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.env: MessageEnvironment = environment_for(book.project)

    def __call__(self, kind: str, content: MessageContent, *, trigger: str | None = None,
                 group_type: GroupType | None = None, pack: MaterialPack | None = None,
                 event: WeeklyEvent | None = None) -> str:
        place = place_of(kind, content, trigger)
        try:
            template = self.env.message(content, self.book.locale, self.book.locale)
            if template is None:
                return ""
            context = sample_context(self.book.project, place, group_type=group_type,
                                     pack=pack, event=event)
            return render(template, context, self.env)
        except Exception as err:  # lint reports it (PB2xx); the page shows it instead of failing
            return f"⚠ {type(err).__name__}: {err}"

    def sample_type(self, group_types: list[str]) -> GroupType | None:
        """The group type sample values are drawn from: the first one a scope names."""
        return next((t for t in (self.book.group_type(i) for i in group_types) if t is not None), None)


def announcement(book: Book, chain: list[tuple[str, GroupRules]], locale: str) -> str:
    """The announcement text of the last rule set of `chain`, with every set's lists."""
    rules = chain[-1][1]
    if rules.announcement is None:
        return ""
    ann = rules.announcement

    def text(value: str | dict[str, str]) -> str:
        if isinstance(value, dict):
            return value.get(locale) or book.t(value)
        return value

    lines = [text(ann.intro), ""]
    for part in ann.include:
        items: list[str] = []
        for _, doc in chain:
            if part == "rewards":
                pattern = "{}（{}）" if locale != "en" else "{} ({})"
                items += [pattern.format(text(r.name), text(r.criteria)) for r in doc.rewards]
            else:
                items += [text(b.text) for b in getattr(doc, part)]
        if items:
            heading = LIST_HEADINGS[part] if locale != "en" else part.capitalize()
            lines += [f"【{heading}】" if locale != "en" else f"{heading}:"]
            lines += [f"{n}. {item}" for n, item in enumerate(items, start=1)]
            lines.append("")
    if ann.outro is not None:
        lines.append(text(ann.outro))
    return "\n".join(lines).strip()


def has_locale(rules: GroupRules, locale: str) -> bool:
    """Whether the announcement's intro is written in `locale`."""
    return rules.announcement is not None and isinstance(rules.announcement.intro, dict) \
        and locale in rules.announcement.intro


# --- a calendar's week ------------------------------------------------------------------

def shown_week(cal: ActivityCalendar, day: dt.date) -> tuple[dt.date, dt.date]:
    """The week holding `day`, or the calendar's first week when `day` is outside its validity."""
    end = cal.valid.end or dt.date.max
    return week_of(day if cal.valid.start <= day <= end else cal.valid.start)


def _picked(cal: ActivityCalendar, repeat: str | None, first: dt.date, last: dt.date) -> list[dt.date]:
    if repeat is None:
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    rule = rrule.rrulestr("RRULE:" + repeat, dtstart=dt.datetime.combine(cal.valid.start, dt.time()))
    return [m.date() for m in rule.between(dt.datetime.combine(first, dt.time()),
                                           dt.datetime.combine(last, dt.time()), inc=True)]


Cells = dict[tuple[str, int], list[GridEntry]]
"""(clock time, weekday index) -> what happens then."""


def week_cells(book: Book, cal: ActivityCalendar, monday: dt.date) -> tuple[list[str], Cells]:
    """The times and the weekday × time cells of one calendar week from `monday`."""
    sunday = monday + dt.timedelta(days=6)
    cells: Cells = {}

    def put(clock: str, day: dt.date, entry: GridEntry) -> None:
        cells.setdefault((clock, day.weekday()), []).append(entry)

    for slot in cal.daily:
        for day in _picked(cal, slot.repeat, monday, sunday):
            put(slot.at, day, GridEntry(book.t(slot.name), "slot"))
    for game in cal.games:
        if game.at is not None and game.repeat is not None:
            for day in _picked(cal, game.repeat, monday, sunday):
                put(game.at, day, GridEntry(book.t(game.name), "game"))
    zone = zone_of(book.project, cal)
    for event in cal.weekly:
        day = monday + dt.timedelta(days=WEEKDAYS.index(event.weekday))
        put(event.at, day, GridEntry(book.t(event.name), "event"))
        if event.announce_at is not None:
            moment = resolve(event.announce_at, local(day, dt.time.fromisoformat(event.at), zone))
            put(moment.strftime("%H:%M"), moment.date(),
                GridEntry(f"预告：{book.t(event.name)}", "announcement"))
    times = sorted({clock for clock, _ in cells})
    return times, cells


# --- dated messages, merged across groups ------------------------------------------------

@dataclass
class Variant:
    """One exact text of an entry and the groups that get precisely that text."""

    text: str
    groups: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """The messages' ids (stable across builds), one per group."""


@dataclass
class Entry:
    """The same item at the same moment in several groups: one card of a run sheet. Groups
    that get byte-identical text share a variant; each different text is its own variant."""

    at: dt.datetime
    title: str
    item: str
    channel: str
    sender: str
    source: Source
    attachments: tuple[Attachment, ...] = ()
    variants: list[Variant] = field(default_factory=list)

    @property
    def clock(self) -> str:
        return self.at.strftime("%H:%M")

    @property
    def groups(self) -> list[str]:
        """Every group the entry goes to, in schedule order."""
        return [g for v in self.variants for g in v.groups]

    def add(self, message: Message) -> None:
        """Put a group's message under the variant with exactly its text."""
        variant = next((v for v in self.variants if v.text == message.text), None)
        if variant is None:
            variant = Variant(message.text)
            self.variants.append(variant)
        variant.groups.append(message.group_name)
        variant.ids.append(message.id)


def title_of(book: Book, source: Source) -> str:
    """The name of the slot, event, game, step or offline event a send comes from."""
    item = item_of(book.project, source)
    content = item.content
    if item.event is not None and content is not item.event:
        return f"预告：{book.t(item.event.name)}"
    if isinstance(content, OfflineEvent | Game | WeeklyEvent):
        return book.t(content.name)
    name = getattr(content, "name", None)
    if name is not None:
        return book.t(name)
    return f"{book.t(book.project.packs[source.doc_id].title)} · {getattr(content, 'id', '')}" \
        if source.kind == "MaterialPack" else getattr(content, "id", "")


def merged(book: Book, messages: Iterable[Message]) -> list[Entry]:
    """Messages merged by moment and source, in schedule order; within an entry, groups are
    merged only when their texts are byte-identical (`Variant`), so every text shown is the
    text its groups get, never one group's text shown for another."""
    found: dict[tuple[dt.datetime, Source], Entry] = {}
    for m in messages:
        key = (m.at, m.source)
        if key not in found:
            found[key] = Entry(m.at, title_of(book, m.source), m.item, m.channel, book.role(m.sender),
                               m.source, m.attachments)
        found[key].add(m)
    return list(found.values())


def by_day(entries: list[Entry], monday: dt.date) -> list[tuple[dt.date, str, list[Entry]]]:
    """(day, weekday name, entries) for each day of the week from `monday`."""
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    return [(d, WEEKDAY_NAMES[d.weekday()], [e for e in entries if e.at.date() == d]) for d in days]
