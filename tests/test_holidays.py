"""One holiday calendar (issue 17 item 7): statutory holidays and make-up workdays from the
package, the playbook's additions and removals, calendars and items that follow it, and the
years it covers."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import MakePlaybook, document_header, valid_playbook_yaml
from playbook.lifecycle.holidays import build, package_years
from playbook.models.holidays import Holidays
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.schedule import expand

D = dt.date


def test_the_package_gives_2026_spring_festival_with_its_weekend_and_make_up_days() -> None:
    # 国办发明电〔2025〕7号: 2月15日至23日放假调休，共9天; 2月14日（周六）、2月28日（周六）上班
    known = build(Holidays())
    spring = sorted(d for d, name in known.holidays.items() if name == "春节" and d.year == 2026)
    assert spring == [D(2026, 2, d) for d in range(15, 24)]
    assert known.workdays[D(2026, 2, 14)] == "春节"
    assert known.workdays[D(2026, 2, 28)] == "春节"
    assert known.holidays[D(2026, 10, 1)] == "国庆节"
    assert D(2026, 2, 14) not in known.holidays
    assert known.covered == (2004, 2026)
    assert package_years() == (2004, 2026)


def test_overrides_add_remove_and_make_up_days() -> None:
    spec = Holidays.model_validate({
        "add": [{"date": "2027-02-06", "end": "2027-02-08", "name": "春节", "note": "待通知"}],
        "remove": [{"date": "2026-10-08", "note": "国庆后一天照常运营"},
                   {"date": "2026-02-28", "note": "调休日不算"}],
        "workdays": [{"date": "2027-02-20", "name": "春节"}],
        "entered_years": [2027],
    })
    known = build(spec)
    assert [d for d, n in sorted(known.holidays.items()) if d.year == 2027] == [
        D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)]
    assert D(2026, 10, 8) not in known.holidays
    assert D(2026, 10, 7) in known.holidays
    assert D(2026, 2, 28) not in known.workdays
    assert known.workdays[D(2027, 2, 20)] == "春节"
    assert known.covered == (2004, 2027)


def test_without_the_package_only_listed_days_count_and_gaps_are_not_covered() -> None:
    spec = Holidays.model_validate({
        "source": "none", "entered_years": [2026, 2028],
        "add": [{"date": "2026-05-01", "name": "劳动节"}]})
    known = build(spec)
    assert known.holidays == {D(2026, 5, 1): "劳动节"}
    assert known.workdays == {}
    assert known.covered == (2026, 2026)


PLAYBOOK = valid_playbook_yaml("""operators:
  - {id: op-a, name: 小安}
groups:
  - {id: g1, name: 一群, type: middle-official, operator: op-a, opened: 2026-01-01}
holidays:
  source: cn-mainland
  remove:
    - {date: 2026-02-23, note: 初七复工}
""")


def calendar(public: str, items: str) -> str:
    return document_header("ActivityCalendar", "days") + f"""valid: {{start: 2026-02-01, end: 2026-03-31}}
{public}
daily:
{items}
"""


SLOTS = """  - {id: morning, at: "08:00", name: 早安, sender: official, text: 早安}
  - {id: sale, at: "11:00", name: 爆品, sender: official, text: 爆品}
  - {id: lesson, at: "19:00", name: 课程, sender: official, text: 课,
     repeat: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", on_makeup_workdays: true}
"""


def days_of(make_playbook: MakePlaybook, public: str, items: str = SLOTS) -> dict[str, list[dt.date]]:
    checked = check(make_playbook({"playbook.yaml": PLAYBOOK,
                                   "calendars/days.yaml": calendar(public, items)}))
    assert isinstance(checked.project, Project), [str(d) for d in checked.diagnostics]
    found: dict[str, list[dt.date]] = {}
    for send in expand(checked.project, D(2026, 2, 12), D(2026, 3, 1)):
        found.setdefault(send.item_id, []).append(send.at.date())
    return found


FEB = [D(2026, 2, d) for d in range(12, 29)] + [D(2026, 3, 1)]
FESTIVAL = [D(2026, 2, d) for d in range(15, 23)]  # 02-23 removed by the playbook


def test_a_calendar_without_public_holidays_ignores_them(make_playbook: MakePlaybook) -> None:
    found = days_of(make_playbook, "")
    assert found["morning"] == FEB
    # nothing pauses, but the item's own on_makeup_workdays still adds the make-up Saturdays
    assert found["lesson"] == sorted([d for d in FEB if d.weekday() < 5] + [D(2026, 2, 14),
                                                                          D(2026, 2, 28)])


def test_pause_all_skips_every_holiday_and_adds_make_up_days(make_playbook: MakePlaybook) -> None:
    found = days_of(make_playbook, "public_holidays: [{pause: all}]")
    assert found["morning"] == [d for d in FEB if d not in FESTIVAL]
    assert found["sale"] == found["morning"]
    # Mon-Fri plus the make-up Saturdays 02-14 and 02-28, minus the festival weekdays
    assert found["lesson"] == [D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 14), D(2026, 2, 23),
                               D(2026, 2, 24), D(2026, 2, 25), D(2026, 2, 26), D(2026, 2, 27),
                               D(2026, 2, 28)]


def test_pause_lists_items_and_items_say_for_themselves(make_playbook: MakePlaybook) -> None:
    items = SLOTS.replace("text: 早安}", "text: 早安, on_holidays: false}")
    found = days_of(make_playbook, "public_holidays: [{pause: [sale]}]", items)
    assert found["sale"] == [d for d in FEB if d not in FESTIVAL]
    assert found["morning"] == [d for d in FEB if d not in FESTIVAL]
    everything = SLOTS.replace("text: 爆品}", "text: 爆品, on_holidays: true}")
    found = days_of(make_playbook, "public_holidays: [{pause: all}]", everything)
    assert found["sale"] == FEB


def test_only_limits_a_rule_to_the_holidays_named(make_playbook: MakePlaybook) -> None:
    found = days_of(make_playbook, "public_holidays: [{pause: all, only: [国庆节]}]")
    assert found["morning"] == FEB
    found = days_of(make_playbook, "public_holidays: [{only: [国庆节], pause: all}, "
                                   "{only: [春节], pause: [sale]}]")
    assert found["morning"] == FEB
    assert found["sale"] == [d for d in FEB if d not in FESTIVAL]


WINTER = document_header("ActivityCalendar", "winter") + """valid: {start: 2026-11-01, end: 2026-12-10}
"""


@pytest.mark.parametrize(("today", "ahead", "expected"), [
    # 17 days before the end: inside the default 30-day warning
    ("2026-11-23", "", ["calendars/winter.yaml:7:33: warning PB407 calendar 'winter' ends on "
                        "2026-12-10, in 17 days; nothing in it is posted after that"]),
    ("2026-12-09", "", ["calendars/winter.yaml:7:33: warning PB407 calendar 'winter' ends on "
                        "2026-12-10, in 1 day; nothing in it is posted after that"]),
    ("2026-12-10", "", ["calendars/winter.yaml:7:33: warning PB407 calendar 'winter' ends on "
                        "2026-12-10, today; nothing in it is posted after that"]),
    # 30 days ahead exactly warns, 31 does not
    ("2026-11-10", "", ["calendars/winter.yaml:7:33: warning PB407 calendar 'winter' ends on "
                        "2026-12-10, in 30 days; nothing in it is posted after that"]),
    ("2026-11-09", "", []),
    ("2026-11-23", "settings:\n  expiry_warning_days: 10\n", []),
])
def test_pb407_warns_ahead_of_the_end(make_playbook: MakePlaybook, monkeypatch: pytest.MonkeyPatch,
                                      today: str, ahead: str, expected: list[str]) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", today)
    checked = check(make_playbook({"playbook.yaml": valid_playbook_yaml(ahead),
                                   "calendars/winter.yaml": WINTER}))
    assert [str(d) for d in checked.diagnostics if d.code == "PB407"] == expected
