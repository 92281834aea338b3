"""The holiday calendar (PB420, PB422): calendars that follow it stay inside the years its
data covers, and name holidays and items that exist."""

from __future__ import annotations

from collections.abc import Iterator

from playbook.diagnostics import Severity
from playbook.lifecycle.holidays import holiday_calendar
from playbook.lint.registry import CALENDARS, Finding, rule
from playbook.models.calendars import ActivityCalendar, Game, Slot
from playbook.models.project import Project
from playbook.suggest import did_you_mean, suggest


def follows_holidays(cal: ActivityCalendar) -> bool:
    """Whether a calendar or one of its items follows the playbook's holiday calendar."""
    items: list[Slot | Game] = [*cal.daily, *cal.games]
    return (bool(cal.public_holidays) or any(i.on_makeup_workdays for i in items)
            or any(i.on_holidays is not None for i in items)
            or any(e.on_holidays is not None for e in cal.weekly))


@rule("PB420", "holidays-not-covered", Severity.WARNING, reads=CALENDARS)
def holidays_not_covered(project: Project) -> Iterator[Finding]:
    """A calendar follows the playbook's holidays past the last year the holiday data covers
    (or playbook.yaml declares no `holidays` at all).

    Why: the State Council announces each year's holidays and make-up workdays in November
    or December; until the package has them (or the playbook enters them by hand), that
    year's Spring Festival pauses nothing. Enter the year's days under `holidays.add` and
    `holidays.workdays` and list it in `holidays.entered_years`, or update the package.

    Fails: `valid: {end: 2027-06-30}` with data up to 2026.
    Passes: the same with `entered_years: [2027]` and 2027's days entered.
    """
    known = holiday_calendar(project)
    for cal_id, cal in sorted(project.calendars.items()):
        if not follows_holidays(cal):
            continue
        if project.playbook.holidays is None:
            ptr = "/public_holidays" if cal.public_holidays else "/valid"
            yield Finding(project.span("ActivityCalendar", cal_id, ptr, key=True),
                          f"calendar '{cal_id}' follows the playbook's holidays, but playbook.yaml "
                          "declares none", help="add `holidays: {source: cn-mainland}` to playbook.yaml")
            continue
        last = known.covered[1] if known.covered else None
        end = cal.valid.end
        if last is None or end is None or end.year > last:
            ptr = "/valid/end" if end is not None else "/valid"
            until = f"runs to {end}" if end is not None else "has no end"
            covered = f"up to {last}" if last is not None else "no year"
            yield Finding(project.span("ActivityCalendar", cal_id, ptr),
                          f"calendar '{cal_id}' {until}, but the holiday data covers {covered}",
                          help="enter the later years under holidays.add and holidays.workdays "
                               "and list them in holidays.entered_years, or update the "
                               "chinesecalendar package")


@rule("PB422", "unknown-holiday-reference", reads=CALENDARS)
def unknown_holiday_reference(project: Project) -> Iterator[Finding]:
    """A calendar's `public_holidays` names a holiday the holiday calendar never has, or an
    item the calendar does not have.

    Why: `only: [春晚]` would pause nothing, and a misspelt item id in `pause` leaves that
    item running through every holiday.

    Fails: `public_holidays: {only: [春晚], pause: [new-arival]}`.
    Passes: `public_holidays: {only: [春节], pause: [new-arrivals]}`.
    """
    names = sorted(set(holiday_calendar(project).holidays.values()))
    for cal_id, cal in sorted(project.calendars.items()):
        items = [s.id for s in cal.daily] + [g.id for g in cal.games] + [e.id for e in cal.weekly]
        for r, follow in enumerate(cal.public_holidays):
            ptr = f"/public_holidays/{r}"
            for i, name in enumerate(follow.only):
                if name not in names:
                    yield Finding(project.span("ActivityCalendar", cal_id, f"{ptr}/only/{i}"),
                                  f"no holiday is named '{name}'",
                                  help=did_you_mean(name, names) or (
                                      "holidays: " + ", ".join(names[:12]) if names else None))
            if follow.pause == "all":
                continue
            for i, item_id in enumerate(follow.pause):
                if item_id not in items:
                    yield Finding(project.span("ActivityCalendar", cal_id, f"{ptr}/pause/{i}"),
                                  f"calendar '{cal_id}' has no slot, event or game '{item_id}'",
                                  help=suggest(item_id, items, "slots, events and games"))
