"""The playbook's holiday calendar, resolved: which days are holidays (with their names),
which are make-up workdays, and up to which year the data is known.

Why `chinesecalendar`: it lists every day off of each statutory holiday (weekends inside a
festival included, so 春节 2026 is 02-15..02-23 as announced) and every make-up workday, and
it refuses a year whose notice it does not have instead of guessing one, which is what the
coverage check (PB420) needs. (`holidays`, the other maintained package, also has make-up
workdays and releases monthly, but lists only the weekdays off and extends unannounced years
by rule, so it cannot tell a known year from an estimate.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from playbook.models.calendars import ActivityCalendar, Exception_, Game, Slot
from playbook.models.holidays import HolidayDays, Holidays
from playbook.models.project import Project

__all__ = ["CN_NAMES", "HolidayCalendar", "Pause", "holiday_calendar", "package_years", "pause_of",
           "weekdays_only", "with_public_holidays"]

CN_NAMES = {
    "new_years_day": "元旦", "spring_festival": "春节", "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节", "dragon_boat_festival": "端午节", "national_day": "国庆节",
    "mid_autumn_festival": "中秋节", "anti_fascist_70th_day": "抗战胜利70周年纪念日",
}
"""The package's holiday names in the words the handbook and bundles use."""


@dataclass(frozen=True)
class HolidayCalendar:
    """Holidays and make-up workdays by day, and the years the data covers."""

    holidays: dict[dt.date, str] = field(default_factory=dict)
    """Day -> holiday name."""
    workdays: dict[dt.date, str] = field(default_factory=dict)
    """Make-up workday -> the holiday it is worked for."""
    covered: tuple[int, int] | None = None
    """First and last year the holidays are known (package and entered years); None when
    the playbook keeps no holiday calendar."""

    def name_of(self, day: dt.date) -> str | None:
        return self.holidays.get(day)


def package_years() -> tuple[int, int]:
    """The first and last year the package has official dates for."""
    from chinese_calendar import constants  # type: ignore[import-untyped]

    years = {day.year for day in constants.holidays}
    return min(years), max(years)


def _package_days(first: int, last: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    from chinese_calendar import constants

    # the tables hold each holiday's English name (the Holiday enum's value)
    chinese = {h.value: CN_NAMES.get(h.name, h.value) for h in constants.Holiday}

    def named(table: dict[dt.date, str]) -> dict[dt.date, str]:
        return {day: chinese.get(name, name) for day, name in table.items()
                if first <= day.year <= last}

    return named(constants.holidays), named(constants.workdays)


def _spread(entries: Iterable[HolidayDays]) -> dict[dt.date, str]:
    found: dict[dt.date, str] = {}
    for entry in entries:
        day = entry.date
        while day <= (entry.end or entry.date):
            found[day] = entry.name
            day += dt.timedelta(days=1)
    return found


def build(spec: Holidays) -> HolidayCalendar:
    """The holiday calendar a `holidays:` declaration gives."""
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    years: set[int] = set(spec.entered_years)
    if spec.source == "cn-mainland":
        first, last = package_years()
        holidays, workdays = _package_days(first, last)
        years.update(range(first, last + 1))
    holidays.update(_spread(spec.add))
    workdays.update(_spread(spec.workdays))
    for removal in spec.remove:
        day = removal.date
        while day <= (removal.end or removal.date):
            holidays.pop(day, None)
            workdays.pop(day, None)
            day += dt.timedelta(days=1)
    for day in workdays:
        holidays.pop(day, None)
    covered = (min(years), _last_consecutive(years)) if years else None
    return HolidayCalendar(holidays, workdays, covered)


def _last_consecutive(years: set[int]) -> int:
    """The last year of the run that starts at the first: a gap is not covered."""
    year = min(years)
    while year + 1 in years:
        year += 1
    return year


_latest: list[tuple[Project, HolidayCalendar]] = []


def holiday_calendar(project: Project) -> HolidayCalendar:
    """The project's holiday calendar (empty when playbook.yaml declares none), built once."""
    if _latest and _latest[0][0] is project:
        return _latest[0][1]
    spec = project.playbook.holidays
    found = build(spec) if spec is not None else HolidayCalendar()
    _latest[:] = [(project, found)]
    return found


@dataclass(frozen=True)
class Pause:
    """How one activity calendar's items follow the holiday calendar."""

    days: dict[dt.date, str]
    """The playbook's holidays, by day."""
    workdays: frozenset[dt.date]
    rules: tuple[tuple[frozenset[str], bool, frozenset[str]], ...]
    """(holiday names, or empty for all; pauses everything; item ids it pauses), per rule."""
    own: dict[str, bool]
    """Items' own `on_holidays`: true runs through every holiday, false pauses on each."""
    makeup: dict[str, frozenset[dt.date]]
    """Item id -> the make-up workdays it also runs on."""

    def pauses(self, item_id: str, day: dt.date) -> bool:
        name = self.days.get(day)
        if name is None:
            return False
        if item_id in self.own:
            return not self.own[item_id]
        return any((not names or name in names) and (pause_all or item_id in ids)
                   for names, pause_all, ids in self.rules)

    def makeup_days(self, item_id: str, first: dt.date, last: dt.date) -> list[dt.date]:
        return sorted(d for d in self.makeup.get(item_id, ()) if first <= d <= last)


WORKWEEK = frozenset({"MO", "TU", "WE", "TH", "FR"})


def weekdays_only(repeat: str | None) -> bool:
    """Whether a repeat rule picks exactly the working week: every Monday to Friday
    (`FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR`, or the same with `FREQ=DAILY`), nothing narrower."""
    if repeat is None:
        return False
    parts = dict(p.partition("=")[::2] for p in repeat.upper().split(";") if p)
    if not set(parts) <= {"FREQ", "BYDAY", "INTERVAL", "WKST"}:
        return False
    return (parts.get("FREQ") in ("WEEKLY", "DAILY") and parts.get("INTERVAL", "1") == "1"
            and set(parts.get("BYDAY", "").split(",")) == WORKWEEK)


def _makeup(cal: ActivityCalendar, workdays: dict[dt.date, str]) -> dict[str, frozenset[dt.date]]:
    """The make-up workdays each item runs on. An item's own `on_makeup_workdays` decides
    (true: every one); left empty, an item on the working week (Mon-Fri) runs on the make-up
    days of the holidays its calendar follows, like any working day. An item on particular
    weekdays (every Monday) does not: chinesecalendar does not say which weekday a make-up
    Saturday stands for, and a second Monday post in one week is what operators would not want.
    Weekly events, on one weekday each, never do."""
    names = [frozenset(r.only) for r in cal.public_holidays]
    followed = frozenset(workdays) if any(not n for n in names) else frozenset(
        d for d, name in workdays.items() if any(name in n for n in names))
    found: dict[str, frozenset[dt.date]] = {}
    items: list[Slot | Game] = [*cal.daily, *cal.games]
    for item in items:
        if item.on_makeup_workdays:
            found[item.id] = frozenset(workdays)
        elif item.on_makeup_workdays is None and followed and weekdays_only(item.repeat):
            found[item.id] = followed
    return found


def pause_of(project: Project, cal: ActivityCalendar) -> Pause | None:
    """How `cal` follows the playbook's holidays; None when nothing in it does."""
    items: list[Slot | Game] = [*cal.daily, *cal.games]
    own = {i.id: i.on_holidays for i in items if i.on_holidays is not None}
    own |= {e.id: e.on_holidays for e in cal.weekly if e.on_holidays is not None}
    if not cal.public_holidays and not own and not any(i.on_makeup_workdays for i in items):
        return None
    known = holiday_calendar(project)
    rules = tuple((frozenset(r.only), r.pause == "all",
                   frozenset(r.pause) if r.pause != "all" else frozenset())
                  for r in cal.public_holidays)
    return Pause(dict(known.holidays), frozenset(known.workdays), rules, own,
                 _makeup(cal, known.workdays))


def with_public_holidays(project: Project, cal: ActivityCalendar) -> ActivityCalendar:
    """`cal` with the playbook's holidays it follows written into its own `holidays` list (one
    entry per run of days with the same name and the same items paused, within its validity),
    so the handbook's week grid and holiday table show them like a calendar's own."""
    pause = pause_of(project, cal)
    if pause is None:
        return cal
    items = [s.id for s in cal.daily] + [e.id for e in cal.weekly] + [g.id for g in cal.games]
    runs: list[tuple[str, dt.date, dt.date, tuple[str, ...]]] = []
    last = cal.valid.end or max(pause.days, default=cal.valid.start)
    for day in sorted(d for d in pause.days if cal.valid.start <= d <= last):
        stopped = tuple(i for i in items if pause.pauses(i, day))
        if not stopped:
            continue
        skip = () if len(stopped) == len(items) else stopped
        name = pause.days[day]
        if runs and runs[-1][0] == name and runs[-1][3] == skip \
                and runs[-1][2] + dt.timedelta(days=1) == day:
            runs[-1] = (name, runs[-1][1], day, skip)
        else:
            runs.append((name, day, day, skip))
    shared = [Exception_(name=name, start=first, end=end if end != first else None, skip=list(skip))
              for name, first, end, skip in runs]
    return cal.model_copy(update={"holidays": [*shared, *cal.holidays]}) if shared else cal
