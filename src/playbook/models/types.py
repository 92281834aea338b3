"""Value types shared by every document kind: text, times, dates, offsets, recurrence, ids.

Each type validates with one plain function that raises a `PydanticCustomError` whose type
names the problem (``clock_time``, ``offset``, …); `validate.py` maps those to stable codes.
Each also declares its JSON Schema by hand so the published schema says the same thing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Any

from dateutil import rrule
from pydantic import AfterValidator, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from playbook.suggest import RRULE_DAYS, WEEKDAY_ALIASES

ID_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
LOCALE_PATTERN = r"^[a-z]{2,3}(?:-[A-Z][a-zA-Z]{1,3})?$"
_PRERELEASE_PART = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
"""A pre-release identifier as SemVer 2.0.0 allows it: a number has no leading zero (`01` is
refused, as the `semver` library and PB801's comparison refuse it), a word may hold digits."""
SEMVER_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    rf"(?:-{_PRERELEASE_PART}(?:\.{_PRERELEASE_PART})*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]([01][0-9]|2[0-3]):[0-5][0-9]$"
_DURATION = r"(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?"
OFFSET_PATTERN = (
    r"^(?:[+-](?=[0-9])" + _DURATION + r"|day [1-9][0-9]* ([01][0-9]|2[0-3]):[0-5][0-9]"
    r"|D[+-][0-9]+ ([01][0-9]|2[0-3]):[0-5][0-9])$"
)
DURATION_PATTERN = r"^(?=[0-9])" + _DURATION + r"$"
EARLIEST_DATE = dt.date(1980, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
"""The dates a playbook may name, the same as the command line's (`playbook.arguments`)."""
MAX_SPAN_DAYS = 3660
"""The farthest an offset or a duration may reach, about ten years: with every date inside
EARLIEST_DATE..LATEST_DATE, no date computed from one can leave the calendar (year 1..9999)."""
RRULE_KEYS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL"}
RRULE_FREQS = {"DAILY", "WEEKLY", "MONTHLY"}


def _fail(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    value = ctx.get("value")
    if isinstance(value, str) and len(value) > 60:  # a diagnostic quotes a value, not a megabyte
        ctx["value"] = value[:40] + f"… ({len(value)} characters)"
    return PydanticCustomError(kind, message, ctx)


def _text(value: Any) -> str | dict[str, str]:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value:
        for locale, text in value.items():
            if not isinstance(locale, str) or not re.match(LOCALE_PATTERN, locale):
                raise _fail("locale", "'{locale}' is not a locale code such as zh-CN or en",
                            locale=str(locale))
            if not isinstance(text, str):
                raise _fail("text", "the {locale} text must be a string", locale=locale)
        return dict(value)
    raise _fail("text", "expected text: a string, or a mapping of locale to string")


Text = Annotated[
    str | dict[str, str],
    PlainValidator(_text),
    WithJsonSchema({
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": LOCALE_PATTERN},
                "additionalProperties": {"type": "string"},
            },
        ],
        "description": "Text, either a plain string or a mapping of locale (zh-CN, en) to string.",
    }),
]
"""Human text: a plain string, or a mapping locale -> string for several languages."""


def text_in(value: str | dict[str, str], locale: str, fallback: str) -> str:
    """Pick one language from a Text value, falling back to the playbook's default locale."""
    if isinstance(value, str):
        return value
    return value.get(locale) or value.get(fallback) or next(iter(value.values()))


def _string_of(kind: str, pattern: str, message: str) -> Any:
    matches = re.compile(pattern).match  # compiled once: ids and times are checked ~10^5 times

    def check(value: Any) -> str:
        if not isinstance(value, str) or not matches(value):
            raise _fail(kind, message, value=str(value))
        return value
    return check


_ID_MATCH = re.compile(ID_PATTERN).match


def _id(value: Any) -> str:
    if not isinstance(value, str) or not _ID_MATCH(value):
        raise _fail("id", "'{value}' is not a valid id: use lower-case letters, digits, '-' "
                    "or '_', e.g. 'welcome-ceremony'", value=str(value))
    return value


Id = Annotated[str, PlainValidator(_id), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]
"""An identifier: lower-case ASCII letters and digits joined by '-' or '_'."""

SemVer = Annotated[
    str,
    PlainValidator(_string_of("semver", SEMVER_PATTERN,
                              "'{value}' is not a semantic version such as 1.2.0")),
    WithJsonSchema({"type": "string", "pattern": SEMVER_PATTERN}),
]

Locale = Annotated[
    str,
    PlainValidator(_string_of("locale", LOCALE_PATTERN,
                              "'{value}' is not a locale code such as zh-CN or en")),
    WithJsonSchema({"type": "string", "pattern": LOCALE_PATTERN}),
]

ClockTime = Annotated[
    str,
    PlainValidator(_string_of("clock_time", CLOCK_PATTERN,
                              "'{value}' is not a clock time; write HH:MM between 00:00 and 23:59")),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN,
                    "description": "A clock time, HH:MM (24-hour)."}),
]
"""A wall-clock time HH:MM, 24-hour, in the playbook's time zone."""


def _supported(day: dt.date, value: Any) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise _fail("date", "'{value}' is outside the supported dates {earliest} .. {latest}",
                    value=str(value), earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())


def _date(value: Any) -> dt.date:
    day: dt.date | None = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and re.match(DATE_PATTERN, value):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(value)
    if day is None:
        raise _fail("date", "'{value}' is not a calendar date; write YYYY-MM-DD (a real day)",
                    value=str(value))
    _supported(day, value)
    return day


Date = Annotated[
    dt.date,
    PlainValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


def _local_datetime(value: Any) -> dt.datetime:
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and re.match(DATETIME_PATTERN, value):
        with contextlib.suppress(ValueError):
            moment = dt.datetime.fromisoformat(value.replace(" ", "T"))
    if moment is None:
        raise _fail("date", "'{value}' is not a local date and time; write YYYY-MM-DD HH:MM",
                    value=str(value))
    _supported(moment.date(), value)
    return moment


LocalDateTime = Annotated[
    dt.datetime,
    PlainValidator(_local_datetime),
    WithJsonSchema({"type": "string", "pattern": DATETIME_PATTERN,
                    "description": "A local date and time, YYYY-MM-DD HH:MM, in the playbook's "
                                   "time zone."}),
]


def _zone(value: Any) -> str:
    if (isinstance(value, str) and "/" in value) or value == "UTC":
        try:
            zoneinfo.ZoneInfo(value)
            return str(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    raise _fail("time_zone", "'{value}' is not an IANA time zone such as Asia/Shanghai",
                value=str(value))


TimeZoneName = Annotated[
    str,
    PlainValidator(_zone),
    WithJsonSchema({"type": "string", "pattern": r"^(UTC|[A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$",
                    "description": "An IANA time zone name, e.g. Asia/Shanghai."}),
]


@dataclass(frozen=True)
class ParsedOffset:
    """An offset resolved into either a duration or a (day shift, clock time) pair."""

    delta: dt.timedelta | None = None
    day_shift: int | None = None
    clock: dt.time | None = None

    def span(self) -> dt.timedelta:
        """How far from the trigger this offset reaches, either way (a day shift in whole days)."""
        if self.delta is not None:
            return abs(self.delta)
        return dt.timedelta(days=abs(self.day_shift or 0))

    def apply(self, anchor: dt.datetime) -> dt.datetime:
        """The moment this offset names, relative to `anchor`."""
        if self.delta is not None:
            return anchor + self.delta
        assert self.day_shift is not None and self.clock is not None
        day = anchor.date() + dt.timedelta(days=self.day_shift)
        return dt.datetime.combine(day, self.clock, tzinfo=anchor.tzinfo)


def parse_duration(text: str) -> dt.timedelta:
    match = re.fullmatch(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?", text)
    if not match or not text:
        raise ValueError(text)
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return dt.timedelta(days=days, hours=hours, minutes=minutes)


@functools.lru_cache(maxsize=4096)
def parse_offset(text: str) -> ParsedOffset:
    """Parse `+30m`, `-1d2h`, `day 3 09:00` (day 1 is the trigger's day) or `D-1 20:00`."""
    if text[:1] in "+-":
        delta = parse_duration(text[1:])
        return ParsedOffset(delta=-delta if text[0] == "-" else delta)
    day, clock = text.removeprefix("day ").rsplit(" ", 1)
    shift = int(day) - 1 if text.startswith("day ") else int(day[1:])
    return ParsedOffset(day_shift=shift, clock=dt.time.fromisoformat(clock))


def _within_span(kind: str, reach: Any) -> Any:
    """A validator: the offset or duration `check`ed, reaching at most MAX_SPAN_DAYS."""
    def check(value: Any) -> str:
        text: str = reach(value)
        # no digit run long enough to make int() refuse it (4,300 digits) or a timedelta overflow
        runs = re.findall(r"[0-9]+", text)
        span = (parse_offset(text).span() if kind == "offset" else parse_duration(text)) \
            if all(len(r) <= 9 for r in runs) else None
        if span is None or span > dt.timedelta(days=MAX_SPAN_DAYS):
            raise _fail(kind, "'{value}' reaches too far: at most {days} days (about ten years)",
                        value=text, days=MAX_SPAN_DAYS)
        return text
    return check


Offset = Annotated[
    str,
    PlainValidator(_within_span("offset", _string_of(
        "offset", OFFSET_PATTERN,
        "'{value}' is not an offset; write +30m, +1h30m, -1d, 'day 3 09:00' or 'D-1 20:00'"))),
    WithJsonSchema({"type": "string", "pattern": OFFSET_PATTERN,
                    "description": "When, relative to the trigger: +30m, +1h30m, -1d, "
                                   "'day 3 09:00' (day 1 is the trigger's day) or 'D-1 20:00'."}),
]
"""A time relative to a trigger (a join, a programme start, a launch)."""

Duration = Annotated[
    str,
    PlainValidator(_within_span("duration", _string_of(
        "duration", DURATION_PATTERN, "'{value}' is not a duration; write e.g. 30d, 7d, 2h or 45m"))),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN,
                    "description": "A duration such as 30d, 7d, 2h or 45m."}),
]


def _rrule(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("rrule", "a recurrence rule must be text such as FREQ=WEEKLY;BYDAY=TH")
    parts = dict(p.partition("=")[::2] for p in value.split(";"))
    unknown = sorted(set(parts) - RRULE_KEYS)
    if unknown:
        raise _fail("rrule", "'{part}' is not supported in a recurrence rule; use FREQ, INTERVAL, "
                    "BYDAY, BYMONTHDAY, COUNT or UNTIL", part=unknown[0])
    if parts.get("FREQ") not in RRULE_FREQS:
        raise _fail("rrule", "a recurrence rule needs FREQ=DAILY, WEEKLY or MONTHLY")
    for day in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else ():
        if day.lstrip("+-0123456789") not in RRULE_DAYS.values():
            meant = WEEKDAY_ALIASES.get(day.strip().lower())
            hint = f" (did you mean {RRULE_DAYS[meant]}?)" if meant else ""
            raise _fail("rrule", "'{day}' is not a day of BYDAY; write MO, TU, WE, TH, FR, SA or "
                        "SU{hint}", day=day, hint=hint)
    try:
        rrule.rrulestr("RRULE:" + value, dtstart=dt.datetime(2026, 1, 1))
    except (ValueError, TypeError) as err:
        raise _fail("rrule", "'{value}' is not a valid recurrence rule: {reason}",
                    value=value, reason=str(err)) from None
    return value


Rrule = Annotated[
    str,
    PlainValidator(_rrule),
    WithJsonSchema({"type": "string", "pattern": r"^FREQ=(DAILY|WEEKLY|MONTHLY)(;[A-Z]+=[^;]+)*$",
                    "description": "An RFC 5545 RRULE subset, e.g. FREQ=WEEKLY;BYDAY=MO,TH."}),
]


Money = Annotated[float, Field(ge=0)]
"""An amount in the playbook's currency (CNY unless said otherwise)."""


def unique_ids(items: list[Any]) -> list[Any]:
    """List validator: items with an `id` must not repeat it."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        ident = getattr(item, "id", None)
        if ident is not None:
            if ident in seen:
                raise _fail("duplicate_item_id", "the id '{id}' is used twice in this list",
                            id=ident, index=index, first=seen[ident])
            seen[ident] = index
    return items


UniqueIds = AfterValidator(unique_ids)

CLASS_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*:[a-z0-9]+(?:[-_][a-z0-9]+)*$"
ClassRef = Annotated[str, Field(pattern=CLASS_PATTERN)]
"""A class written `dimension:value`, e.g. `identity:consumer` or `region:east`."""


def _field_value(value: Any) -> str | int | float | dt.date:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)) \
            or isinstance(value, dt.datetime):
        raise PydanticCustomError("field_value", "a field value is text, a number or a date "
                                  "(YYYY-MM-DD), not {kind}", {"kind": type(value).__name__})
    return value


FieldValue = Annotated[
    str | int | float | dt.date,
    PlainValidator(_field_value),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}],
                    "description": "Text, a number or a date (YYYY-MM-DD), as the field declares."}),
]
"""One value of a group field, checked against its declaration by the lint rules."""

