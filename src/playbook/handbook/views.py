"""Derived views the pages show: message previews with sample values, the announcement
text, a calendar's week as a weekday × time grid, and the week's dated messages merged
across groups for run sheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil import rrule

from playbook.handbook.book import Book
from playbook.handbook.cards import placeholder
from playbook.handbook.figures import GridEntry
from playbook.messages.compose import Attachment, Message, item_of
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


PLACEHOLDERS: dict[str, Any] = {
    "group": {"id": "群编号", "name": "群名", "type": "群类型"},
    "operator": {"name": "运营姓名"},
    "date": "发送日期",
    "member": {"nickname": "成员昵称"},
    "pack": {"title": "素材包标题", "product": {"name": "商品名", "brand": "品牌", "price": "价格",
                                               "sharer_profit": "分享收益"}},
    "event": {"name": "活动名称"},
}
"""What a preview shows for each variable: its name as a visible chip, never a sample value."""


def _marked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items()}
    return placeholder(value)


@dataclass(frozen=True)
class Preview:
    """A message rendered for a page that is not about one group on one day."""

    text: str
    """The text, variables as `cards.placeholder` markers (sample values only in `note`'s case)."""
    note: str = ""
    """Why the text is not a plain preview (it did not render with placeholders, or at all)."""


SAMPLE_NOTE = "以下文字用示例值渲染，发送前请按实际情况修改。"


class Previewer:
    """Renders message bodies for reference pages: what varies per group, day or member is a
    visible placeholder (〔群名〕); what the place fixes (its pack, its event) is real."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.env: MessageEnvironment = environment_for(book.project)

    def __call__(self, kind: str, content: MessageContent, *, trigger: str | None = None,
                 group_type: GroupType | None = None, pack: MaterialPack | None = None,
                 event: WeeklyEvent | None = None) -> Preview:
        place = place_of(kind, content, trigger)
        try:
            template = self.env.message(content, self.book.locale, self.book.locale)
            if template is None:
                return Preview("")
            context = sample_context(self.book.project, place, group_type=group_type,
                                     pack=pack, event=event)
        except Exception as err:  # lint reports it (PB2xx); the page shows it instead of failing
            return Preview("", f"⚠ 无法预览：{type(err).__name__}: {err}")
        fixed = {"playbook"} | ({"pack"} if pack is not None else set()) | ({"event"} if event else set())
        marked = {root: value if root in fixed else _marked(PLACEHOLDERS[root])
                  for root, value in context.items()}
        try:
            return Preview(render(template, marked, self.env))
        except Exception:  # a template computing with a value (a price, a date): sample values
            pass
        try:
            return Preview(render(template, context, self.env), SAMPLE_NOTE)
        except Exception as err:
            return Preview("", f"⚠ 无法预览：{type(err).__name__}: {err}")

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


def paused(cal: ActivityCalendar, item_id: str, day: dt.date) -> bool:
    """Whether a holiday or exception skips the item on `day` (as the schedule does), or
    the day lies outside the calendar's validity."""
    if day < cal.valid.start or (cal.valid.end is not None and day > cal.valid.end):
        return True
    return any(e.start <= day <= (e.end or e.start) and (not e.skip or item_id in e.skip)
               for e in (*cal.holidays, *cal.exceptions))


def day_labels(book: Book, cal: ActivityCalendar, monday: dt.date) -> list[str]:
    """The week grid's column heads: weekday and date, plus the holidays and exceptions
    that fall on it."""
    heads = []
    for n, name in enumerate(WEEKDAY_NAMES):
        day = monday + dt.timedelta(days=n)
        notes = [book.t(e.name) for e in (*cal.holidays, *cal.exceptions)
                 if e.start <= day <= (e.end or e.start)]
        heads.append(f"{name} {day.strftime('%m-%d')}" + "".join(f" · {x}" for x in notes))
    return heads


def week_cells(book: Book, cal: ActivityCalendar, monday: dt.date) -> tuple[list[str], Cells]:
    """The times and the weekday × time cells of one calendar week from `monday`, without
    what a holiday or exception pauses on its dates."""
    sunday = monday + dt.timedelta(days=6)
    cells: Cells = {}

    def put(clock: str, day: dt.date, item_id: str, entry: GridEntry) -> None:
        if monday <= day <= sunday and not paused(cal, item_id, day):
            cells.setdefault((clock, day.weekday()), []).append(entry)

    for slot in cal.daily:
        for day in _picked(cal, slot.repeat, monday, sunday):
            put(slot.at, day, slot.id, GridEntry(book.t(slot.name), "slot"))
    for game in cal.games:
        if game.at is not None and game.repeat is not None:
            for day in _picked(cal, game.repeat, monday, sunday):
                put(game.at, day, game.id, GridEntry(book.t(game.name), "game"))
    zone = zone_of(book.project, cal)
    for event in cal.weekly:
        for week in (monday, monday + dt.timedelta(days=7)):  # next week's announcement may fall in this one
            day = week + dt.timedelta(days=WEEKDAYS.index(event.weekday))
            if paused(cal, event.id, day):
                continue
            put(event.at, day, event.id, GridEntry(book.t(event.name), "event"))
            if event.announce_at is not None:
                moment = resolve(event.announce_at, local(day, dt.time.fromisoformat(event.at), zone))
                put(moment.strftime("%H:%M"), moment.date(), event.id,
                    GridEntry(f"预告：{book.t(event.name)}", "announcement"))
    times = sorted({clock for clock, _ in cells})
    return times, cells


def skipped_names(book: Book, cal: ActivityCalendar) -> dict[int, str]:
    """For each holiday and exception (holidays first), what it pauses, by display name."""
    names = {s.id: book.t(s.name) for s in cal.daily}
    names.update({e.id: book.t(e.name) for e in cal.weekly})
    names.update({g.id: book.t(g.name) for g in cal.games})
    return {n: "、".join(names.get(s, s) for s in e.skip) or "全部"
            for n, e in enumerate((*cal.holidays, *cal.exceptions))}


# --- dated messages, merged across groups ------------------------------------------------

@dataclass
class Variant:
    """One exact text of an entry and the groups that get precisely that text."""

    text: str
    groups: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """The messages' ids (stable across builds), one per group."""
    names: list[str] = field(default_factory=list)
    """The playbook variants (`variants[].id`) these groups were given, if the item has any."""


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
        if message.variant and message.variant not in variant.names:
            variant.names.append(message.variant)


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
    titles: dict[Source, str] = {}  # a source recurs every day and in every group: name it once
    for m in messages:
        key = (m.at, m.source)
        if key not in found:
            title = titles.get(m.source)
            if title is None:
                title = titles[m.source] = title_of(book, m.source)
            found[key] = Entry(m.at, title, m.item, m.channel, book.role(m.sender), m.source, m.attachments)
        found[key].add(m)
    return list(found.values())


def by_day(entries: list[Entry], monday: dt.date) -> list[tuple[dt.date, str, list[Entry]]]:
    """(day, weekday name, entries) for each day of the week from `monday`."""
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    return [(d, WEEKDAY_NAMES[d.weekday()], [e for e in entries if e.at.date() == d]) for d in days]
