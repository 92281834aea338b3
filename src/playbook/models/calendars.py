"""`ActivityCalendar` (calendars/*.yaml): daily slots, weekly events, columns, games,
offline events, keyword replies, holidays and exceptions, for a period and time zone."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from playbook.models.base import Document, MessageContent, MetricTarget, Model, Scope
from playbook.models.holidays import HolidayPause
from playbook.models.routes import Routes
from playbook.models.types import ClockTime, Date, Id, Offset, Rrule, Text, TimeZoneName, UniqueIds

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""A day of the week."""

Form = Literal[
    "text", "image", "video", "poster", "link", "mini_program_card", "poll", "red_envelope",
    "live_text", "voice", "file",
]
"""The form a post takes."""

EventKind = Literal[
    "training", "flash_sale", "hot_product", "meeting", "sharing", "duty", "review", "other",
]
"""What a weekly event is."""

SlotChannel = Literal["group_message", "moments_post", "private_message", "service_account_post"]
"""Where a daily slot posts: in the group (the default), on the operator's Moments, as a
one-to-one private message to each member, or as a service-account post."""

OfflineKind = Literal["training", "meet_and_greet", "commendation", "salon", "other"]
"""What an offline event is."""


class Validity(Model):
    """The period a calendar is in force."""

    start: Date
    """First day the calendar applies."""
    end: Date | None = None
    """Last day it applies; empty for open-ended."""

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.end is not None and self.end < self.start:
            raise ValueError("the end of the validity period is before its start")
        return self


class Slot(MessageContent):
    """A fixed daily time slot: what is posted, in which form."""

    id: Id
    """Short id, e.g. `morning-greeting`."""
    at: ClockTime
    """Clock time of the post."""
    name: Text
    """What the slot is called."""
    column: Id | None = None
    """The recurring column this slot carries."""
    form: Form = "text"
    """The form of the post."""
    channel: SlotChannel = "group_message"
    """Where it posts: `group_message` (default), `moments_post` (the operator's Moments,
    counted against the platform's posts per day), `private_message` or
    `service_account_post`. Each channel's limits come from its platform data."""
    sender: Id
    """The role that posts."""
    repeat: Rrule | None = None
    """Only on some days, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR. Empty: every day."""
    pack: Id | None = None
    """A material pack whose content this slot posts."""
    on_holidays: bool | None = None
    """Whether it runs on the playbook's holidays: true runs it even when the calendar pauses,
    false pauses it even when the calendar does not; empty: as the calendar's `public_holidays`."""
    on_makeup_workdays: bool | None = None
    """Whether it also runs on make-up workdays (a Saturday or Sunday worked in exchange for a
    holiday): true on every one, false on none; empty: when its `repeat` picks every weekday
    Monday to Friday and the calendar follows that holiday in `public_holidays`."""
    metric: MetricTarget | None = None
    """The figure that shows the slot works."""
    applies_to: Scope | None = None
    """Only in some of the groups the document reaches: those this selector reaches too,
    e.g. `{classes: [region:east]}`."""
    routes: Routes | None = None
    """How it may be posted, most preferred first: `wecom_group_send`, `wecom_robot`,
    `manual`. Empty: the document's `routes`."""


class WeeklyEvent(MessageContent):
    """An event on a set weekday, optionally announced ahead."""

    id: Id
    """Short id, e.g. `thursday-vip-sale`."""
    name: Text
    """What the event is called."""
    kind: EventKind
    """What kind of event."""
    weekday: Weekday
    """The day it happens."""
    at: ClockTime
    """When it starts."""
    sender: Id
    """The role that runs it."""
    announce: MessageContent | None = None
    """The announcement sent ahead of the event."""
    announce_at: Offset | None = None
    """When the announcement goes out, relative to the event, e.g. 'D-1 20:00'."""
    on_holidays: bool | None = None
    """Whether it runs on the playbook's holidays: true runs it even when the calendar pauses,
    false pauses it even when the calendar does not; empty: as the calendar's `public_holidays`."""
    metric: MetricTarget | None = None
    """The figure that shows the event works."""
    applies_to: Scope | None = None
    """Only in some of the groups the document reaches: those this selector reaches too,
    e.g. `{classes: [region:east]}`."""
    routes: Routes | None = None
    """How it may be posted, most preferred first: `wecom_group_send`, `wecom_robot`,
    `manual`. Empty: the document's `routes`."""

    @model_validator(mode="after")
    def _announce_pair(self) -> WeeklyEvent:
        if (self.announce is None) != (self.announce_at is None):
            raise ValueError("give `announce` and `announce_at` together")
        return self


class Column(Model):
    """A recurring content series, such as 今日上新 or 档口测评."""

    id: Id
    """Short id, e.g. `new-arrivals`."""
    name: Text
    """The column's name."""
    description: Text
    """What it carries and why."""
    repeat: Rrule | None = None
    """How often it runs, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR."""
    host: Id | None = None
    """The role that hosts it (official, a KOC, a guest)."""


class Game(MessageContent):
    """An interactive game: guess the price, treasure hunt, likes day, free-order day, …"""

    id: Id
    """Short id, e.g. `guess-the-price`."""
    name: Text
    """The game's name."""
    rules: list[Text] = Field(min_length=1)
    """How to play."""
    reward: Text
    """What winners get."""
    on_holidays: bool | None = None
    """Whether it runs on the playbook's holidays: true runs it even when the calendar pauses,
    false pauses it even when the calendar does not; empty: as the calendar's `public_holidays`."""
    on_makeup_workdays: bool | None = None
    """Whether it also runs on make-up workdays (a Saturday or Sunday worked in exchange for a
    holiday): true on every one, false on none; empty: when its `repeat` picks every weekday
    Monday to Friday and the calendar follows that holiday in `public_holidays`."""
    repeat: Rrule | None = None
    """When it runs."""
    at: ClockTime | None = None
    """Start time."""
    sender: Id | None = None
    """The role that hosts it."""
    metric: MetricTarget | None = None
    """The figure that shows it works."""
    applies_to: Scope | None = None
    """Only in some of the groups the document reaches: those this selector reaches too,
    e.g. `{classes: [region:east]}`."""
    routes: Routes | None = None
    """How it may be posted, most preferred first: `wecom_group_send`, `wecom_robot`,
    `manual`. Empty: the document's `routes`."""


class OfflineEvent(Model):
    """An offline event: training, meet-and-greet, commendation meeting."""

    id: Id
    """Short id."""
    name: Text
    """The event's name."""
    kind: OfflineKind
    """What kind of event."""
    date: Date
    """The day."""
    at: ClockTime
    """Start time."""
    location: Text
    """Where."""
    description: Text | None = None
    """What happens."""


class KeywordReply(MessageContent):
    """An automatic reply to frequently asked words."""

    id: Id
    """Short id."""
    keywords: list[str] = Field(min_length=1)
    """Words that trigger the reply."""


class Exception_(Model):
    """A day (or days) on which some or all of the calendar is skipped."""

    name: Text
    """Why, e.g. 春节 or 系统维护."""
    start: Date
    """First day."""
    end: Date | None = None
    """Last day; empty for one day."""
    skip: list[Id] = []
    """Slot, event or game ids skipped; empty skips everything."""


class ActivityCalendar(Document):
    """What is posted when, day by day and week by week."""

    kind: Literal["ActivityCalendar"]
    """Always `ActivityCalendar`."""
    applies_to: Scope = Scope()
    """Which groups follow this calendar."""
    valid: Validity
    """The period the calendar is in force."""
    time_zone: TimeZoneName | None = None
    """Time zone, when not the playbook's."""
    routes: Routes | None = None
    """How its items may be posted unless an item says otherwise, most preferred first, e.g.
    `[wecom_robot, manual]`. Empty: by hand (`manual`)."""
    daily: Annotated[list[Slot], UniqueIds] = []
    """Daily slots: what goes out at each time."""
    weekly: Annotated[list[WeeklyEvent], UniqueIds] = []
    """Weekly events."""
    columns: Annotated[list[Column], UniqueIds] = []
    """Recurring content series."""
    games: Annotated[list[Game], UniqueIds] = []
    """Interactive games."""
    offline: Annotated[list[OfflineEvent], UniqueIds] = []
    """Offline events."""
    keyword_replies: Annotated[list[KeywordReply], UniqueIds] = []
    """Keyword auto-replies."""
    public_holidays: list[HolidayPause] = []
    """Follow the playbook's holiday calendar (`holidays:` in playbook.yaml): what pauses on
    which holidays, e.g. `[{only: [春节], pause: all}, {only: [清明节], pause: [free-order-day]}]`.
    Empty: nothing pauses for them (items may still say `on_holidays: false`)."""
    holidays: list[Exception_] = []
    """Closures of this calendar's own (a market's days off, a local holiday) on which the
    listed items (or everything) pause. Statutory holidays belong in playbook.yaml's
    `holidays`, declared once for every calendar."""
    exceptions: list[Exception_] = []
    """Other days that differ from the plan."""
