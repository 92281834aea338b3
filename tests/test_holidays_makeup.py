"""Make-up workdays (调休) and weekday recurrences (issue 17): a slot on the working week
(Monday to Friday) runs on the make-up Saturdays and Sundays of the holidays its calendar
follows, like any working day; a slot on particular weekdays and a weekly event do not (no
second Monday in one week); an item's own `on_makeup_workdays` overrides. Real 2026 dates:
Spring Festival 02-15..02-23 (this playbook gives 02-23 back), worked on Saturday 02-14 and
Saturday 02-28; National Day worked on Sunday 09-20 and Saturday 10-10."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import MakePlaybook, document_header
from playbook.lifecycle.holidays import weekdays_only
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.schedule import expand
from test_holidays import PLAYBOOK

D = dt.date
WORKWEEK = '"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"'
FEBRUARY = (D(2026, 2, 12), D(2026, 3, 1))


def sends(make_playbook: MakePlaybook, public: str, items: str, weekly: str = "",
          span: tuple[dt.date, dt.date] = FEBRUARY) -> dict[str, list[dt.date]]:
    """Each item's days within `span` (first and last day)."""
    doc = document_header("ActivityCalendar", "days") + f"""valid: {{start: 2026-01-01, end: 2026-12-31}}
{public}
daily:
{items}
{weekly}"""
    checked = check(make_playbook({"playbook.yaml": PLAYBOOK, "calendars/days.yaml": doc}))
    assert isinstance(checked.project, Project), [str(d) for d in checked.diagnostics]
    found: dict[str, list[dt.date]] = {}
    for send in expand(checked.project, *span):
        found.setdefault(send.item_id, []).append(send.at.date())
    return found


def slot(repeat: str, extra: str = "") -> str:
    return (f'  - {{id: lesson, at: "19:00", name: 课程, sender: official, text: 课, '
            f'repeat: {repeat}{extra}}}\n')


# Mon-Fri from 02-12 to 03-01, less the festival's weekdays 02-16..02-20 (02-23 given back)
WORKING = [D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 23), D(2026, 2, 24), D(2026, 2, 25),
           D(2026, 2, 26), D(2026, 2, 27)]


def test_a_working_week_slot_runs_on_the_make_up_saturdays(make_playbook: MakePlaybook) -> None:
    found = sends(make_playbook, "public_holidays: [{pause: all}]", slot(WORKWEEK))
    assert found["lesson"] == sorted([*WORKING, D(2026, 2, 14), D(2026, 2, 28)])


def test_the_same_written_as_a_daily_rule_in_another_order(make_playbook: MakePlaybook) -> None:
    found = sends(make_playbook, "public_holidays: [{pause: all}]", slot('"FREQ=DAILY;BYDAY=FR,TH,WE,TU,MO"'))
    assert found["lesson"] == sorted([*WORKING, D(2026, 2, 14), D(2026, 2, 28)])


def test_an_item_may_refuse_the_make_up_days(make_playbook: MakePlaybook) -> None:
    found = sends(make_playbook, "public_holidays: [{pause: all}]",
                  slot(WORKWEEK, ", on_makeup_workdays: false"))
    assert found["lesson"] == WORKING


def test_a_calendar_that_ignores_holidays_ignores_make_up_days(make_playbook: MakePlaybook) -> None:
    found = sends(make_playbook, "", slot(WORKWEEK))
    assert found["lesson"] == [D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 16), D(2026, 2, 17),
                               D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 23),
                               D(2026, 2, 24), D(2026, 2, 25), D(2026, 2, 26), D(2026, 2, 27)]


def test_a_monday_slot_and_a_monday_event_do_not_double_up(make_playbook: MakePlaybook) -> None:
    weekly = """weekly:
  - {id: monday-live, name: 周一直播, kind: training, weekday: mon, at: "20:00", sender: official, text: 直播}
"""
    found = sends(make_playbook, "public_holidays: [{pause: all}]", slot('"FREQ=WEEKLY;BYDAY=MO"'), weekly)
    # 02-16 falls in the festival; 02-23 was given back; no make-up Saturday is a second Monday
    assert found["lesson"] == [D(2026, 2, 23)]
    assert found["monday-live"] == [D(2026, 2, 23)]


def test_four_weekdays_are_not_the_working_week(make_playbook: MakePlaybook) -> None:
    found = sends(make_playbook, "public_holidays: [{pause: all}]", slot('"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH"'))
    assert found["lesson"] == [D(2026, 2, 12), D(2026, 2, 23), D(2026, 2, 24), D(2026, 2, 25),
                               D(2026, 2, 26)]


def test_only_the_make_up_days_of_the_holidays_followed(make_playbook: MakePlaybook) -> None:
    rule = "public_holidays: [{only: [国庆节], pause: all}]"
    found = sends(make_playbook, rule, slot(WORKWEEK))
    assert D(2026, 2, 14) not in found["lesson"] and D(2026, 2, 28) not in found["lesson"]
    autumn = sends(make_playbook, rule, slot(WORKWEEK), span=(D(2026, 9, 18), D(2026, 10, 11)))
    # Fri 09-18, make-up Sun 09-20, the week to 09-24, (09-25 is 中秋节 and 10-01..07 国庆节,
    # but only 国庆节 pauses), Mon 09-28 .. Wed 09-30, 10-08, 10-09 and make-up Sat 10-10
    assert autumn["lesson"] == [D(2026, 9, 18), D(2026, 9, 20), D(2026, 9, 21), D(2026, 9, 22),
                                D(2026, 9, 23), D(2026, 9, 24), D(2026, 9, 25), D(2026, 9, 28),
                                D(2026, 9, 29), D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9),
                                D(2026, 10, 10)]


@pytest.mark.parametrize(("rule", "expected"), [
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", True),
    ("FREQ=DAILY;BYDAY=FR,MO,TU,WE,TH", True),
    ("FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=MO,TU,WE,TH,FR", True),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR", False),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH", False),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA", False),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR", False),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260301", False),
    (None, False),
])
def test_which_rules_are_the_working_week(rule: str | None, expected: bool) -> None:
    assert weekdays_only(rule) is expected
