"""The calendars' corners that schedule.py's mutation run (issue 19) showed no test reached:
announcements made days ahead, calendars sharing the days their items run (keyed by a closure's
end, an item's make-up days and which items a holiday rule pauses), games, offline events, weekly
events field by field, and a group open on a day another group of the same send is not. Expected
dates are written by hand: New York leaves daylight saving time on Sunday 2026-11-01; the 2026
Spring Festival is off 02-15..02-23 (this playbook gives 02-23 back), worked on Saturdays 02-14
and 02-28."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import MakePlaybook, document_header
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.schedule import expand
from test_holidays import PLAYBOOK as HOLIDAY_PLAYBOOK
from test_schedule import calendar_yaml, d, playbook_yaml, project_of, slot, when
from test_schedule_mutants import FOUR_GROUPS, fields, four_groups

# --- announcements made days before the event ------------------------------------------------

AHEAD = """weekly:
  - {id: sale, name: 特卖, kind: flash_sale, weekday: thu, at: '19:00', sender: assistant, text: 开始,
     announce: {text: 周四特卖}, announce_at: 'D-3 20:00'}
  - {id: live, name: 直播, kind: training, weekday: fri, at: '10:00', sender: assistant, text: 开播,
     announce: {text: 周五直播}, announce_at: '-3d'}
"""


def test_an_announcement_three_days_ahead_is_found_from_its_own_day(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml(AHEAD)})
    # Monday 2026-11-30 announces Thursday 12-03; Tuesday 12-01 announces Friday 12-04
    assert [(s.item, s.item_id, f"{s.at:%a %m-%d %H:%M}") for s in expand(project, d("2026-11-30"),
                                                                           d("2026-11-30"))] == [
        ("announcement", "sale", "Mon 11-30 20:00")]
    assert [(s.item, s.item_id, f"{s.at:%a %m-%d %H:%M}") for s in expand(project, d("2026-12-01"),
                                                                           d("2026-12-01"))] == [
        ("announcement", "live", "Tue 12-01 10:00")]


# --- calendars sharing the days their items run ----------------------------------------------

def shared_calendar(cal_id: str, extra: str, item: str) -> str:
    return document_header("ActivityCalendar", cal_id) + f"""valid: {{start: 2026-01-01, end: 2026-12-31}}
{extra}
daily:
{item}"""


def days_by_calendar(make_playbook: MakePlaybook, calendars: dict[str, str],
                     first: dt.date, last: dt.date) -> dict[str, list[str]]:
    files = {"playbook.yaml": HOLIDAY_PLAYBOOK,
             **{f"calendars/{c}.yaml": text for c, text in calendars.items()}}
    checked = check(make_playbook(files))
    assert isinstance(checked.project, Project), [str(x) for x in checked.diagnostics]
    found: dict[str, list[str]] = {}
    for send in expand(checked.project, first, last):
        found.setdefault(send.source.doc_id, []).append(f"{send.at:%m-%d}")
    return found


MORNING = '  - {id: morning, at: "08:00", name: 早安, sender: official, text: 早安}\n'


def test_calendars_with_closures_of_different_lengths_keep_their_own(make_playbook: MakePlaybook) -> None:
    found = days_by_calendar(make_playbook, {
        "a": shared_calendar("a", "holidays: [{name: 盘点, start: 2026-11-02, end: 2026-11-03}]", MORNING),
        "b": shared_calendar("b", "holidays: [{name: 盘点, start: 2026-11-02, end: 2026-11-04}]", MORNING),
    }, dt.date(2026, 11, 1), dt.date(2026, 11, 5))
    assert found == {"a": ["11-01", "11-04", "11-05"], "b": ["11-01", "11-05"]}


LESSON = ('  - {id: lesson, at: "19:00", name: 课程, sender: official, text: 课, '
          'repeat: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"MAKEUP}\n')


def test_calendars_whose_item_differs_on_make_up_days_keep_their_own(make_playbook: MakePlaybook) -> None:
    # 2026 Spring Festival: off 02-15..02-23 (this playbook gives 02-23 back), worked Saturday
    # 02-14 and Saturday 02-28; calendar b's lesson refuses the make-up days
    pause = "public_holidays: [{pause: all}]"
    found = days_by_calendar(make_playbook, {
        "a": shared_calendar("a", pause, LESSON.replace("MAKEUP", "")),
        "b": shared_calendar("b", pause, LESSON.replace("MAKEUP", ", on_makeup_workdays: false")),
    }, dt.date(2026, 2, 12), dt.date(2026, 3, 1))
    working = ["02-12", "02-13", "02-23", "02-24", "02-25", "02-26", "02-27"]
    assert found == {"a": sorted([*working, "02-14", "02-28"]), "b": working}


# --- games ------------------------------------------------------------------------------------

GAMES = """games:
  - {id: draw, name: 抽奖, rules: [留言], reward: 红包, repeat: 'FREQ=WEEKLY;BYDAY=SA', text: 抽奖}
  - {id: guess, name: 猜价, rules: [猜], reward: 券, at: '21:00', sender: assistant, text: 猜价}
  - {id: quiz, name: 答题, rules: [答], reward: 券, repeat: 'FREQ=WEEKLY;BYDAY=SA', at: '20:00',
     sender: assistant, text: 答题, applies_to: {group_types: [mid]}}
  - {id: vote, name: 投票, rules: [投], reward: 券, repeat: 'FREQ=WEEKLY;BYDAY=SU', at: '10:00',
     sender: assistant, text: 投票, applies_to: {groups: [g-nobody]}}
exceptions:
  - {name: 停赛, start: 2026-11-14, skip: [quiz]}
"""


def test_a_game_runs_when_it_has_both_a_rule_and_a_time_in_the_groups_it_keeps(tmp_path: Path) -> None:
    groups = (FOUR_GROUPS.replace("OPEN", "2026-11-01").replace("LATER", "2026-11-20")
              + "  - {id: g-nobody, name: 无, type: vip, operator: op-a, opened: 2026-11-01}\n")
    project = project_of(tmp_path, {"playbook.yaml": playbook_yaml(groups=groups),
                                    "calendars/cal.yaml": calendar_yaml(
                                        GAMES, "{start: 2026-11-01, end: 2026-11-29}",
                                        "applies_to: {groups: [g-a, g-m, g-n, g-x]}\n")})
    sends = expand(project, d("2026-11-01"), d("2026-11-30"))
    # Saturdays 11-07, 11-14 (skipped), 11-21 (g-n open from 11-20), 11-28; vote reaches no group
    assert when(sends) == [
        "g-m 2026-11-07 20:00+0800 quiz", "g-x 2026-11-07 20:00+0800 quiz",
        "g-m 2026-11-21 20:00+0800 quiz", "g-n 2026-11-21 20:00+0800 quiz", "g-x 2026-11-21 20:00+0800 quiz",
        "g-m 2026-11-28 20:00+0800 quiz", "g-n 2026-11-28 20:00+0800 quiz", "g-x 2026-11-28 20:00+0800 quiz",
    ]
    assert fields(sends[0]) == ("g-m", "2026-11-07 20:00+0800", "group_message", "assistant",
                                "ActivityCalendar:cal#/games/2", "game", "quiz")
    assert when(expand(project, d("2026-11-28"), d("2026-11-28")))[0] == "g-m 2026-11-28 20:00+0800 quiz"


# --- offline events ---------------------------------------------------------------------------

OFFLINE = "offline:\n" + "".join(
    f"  - {{id: {ident}, name: 沙龙, kind: salon, date: {day}, at: '14:30', location: 杭州}}\n"
    for ident, day in (("early", "2026-11-04"), ("first", "2026-11-05"), ("middle", "2026-11-10"),
                       ("last", "2026-11-20"), ("late", "2026-11-21")))


def test_offline_events_within_the_calendars_validity_are_back_office_entries(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml(
        OFFLINE, "{start: 2026-11-05, end: 2026-11-20}", "time_zone: Europe/Berlin\n")})
    sends = expand(project, d("2026-11-01"), d("2026-11-30"))
    assert [fields(s) for s in sends] == [
        ("g-a", f"2026-11-{day} 14:30+0100", "backoffice", None, f"ActivityCalendar:cal#/offline/{i}",
         "offline", ident) for i, ident, day in ((1, "first", "05"), (2, "middle", "10"), (3, "last", "20"))]
    assert [s.item_id for s in expand(project, d("2026-11-10"), d("2026-11-20"))] == ["middle", "last"]
    assert [s.item_id for s in expand(project, d("2026-11-05"), d("2026-11-09"))] == ["first"]


# --- weekly events ----------------------------------------------------------------------------

WEEKLY = """weekly:
  - {id: live, name: 直播, kind: training, weekday: sat, at: '19:00', sender: assistant, text: 开播,
     announce: {text: 明晚直播}, announce_at: 'D-1 20:00', applies_to: {group_types: [mid]}}
  - {id: tea, name: 早茶, kind: training, weekday: sun, at: '09:00', sender: assistant, text: 早茶}
exceptions:
  - {name: 停播, start: 2026-11-07, skip: [live]}
"""


def test_weekly_events_and_announcements_in_the_calendars_zone_and_groups(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"playbook.yaml": four_groups("2026-10-01", "2026-10-01"),
                                    "calendars/cal.yaml": calendar_yaml(
                                        WEEKLY, "{start: 2026-10-01}",
                                        "time_zone: America/New_York\napplies_to: {groups: [g-a, g-m]}\n")})
    sends = expand(project, d("2026-10-30"), d("2026-11-08"))
    # Saturday 11-07 is skipped for `live` (and its announcement with it); New York leaves
    # daylight saving time in the night to Sunday 11-01
    assert [fields(s) for s in sends] == [
        ("g-m", "2026-10-30 20:00-0400", "group_message", "assistant",
         "ActivityCalendar:cal#/weekly/0/announce", "announcement", "live"),
        ("g-m", "2026-10-31 19:00-0400", "group_message", "assistant", "ActivityCalendar:cal#/weekly/0",
         "weekly_event", "live"),
        ("g-a", "2026-11-01 09:00-0500", "group_message", "assistant", "ActivityCalendar:cal#/weekly/1",
         "weekly_event", "tea"),
        ("g-m", "2026-11-01 09:00-0500", "group_message", "assistant", "ActivityCalendar:cal#/weekly/1",
         "weekly_event", "tea"),
        ("g-a", "2026-11-08 09:00-0500", "group_message", "assistant", "ActivityCalendar:cal#/weekly/1",
         "weekly_event", "tea"),
        ("g-m", "2026-11-08 09:00-0500", "group_message", "assistant", "ActivityCalendar:cal#/weekly/1",
         "weekly_event", "tea"),
    ]


def test_a_group_gets_its_sends_from_its_opening_day_while_another_opens_later(tmp_path: Path) -> None:
    groups = "".join(f"  - {{id: g-{n}, name: 群{n}, type: vip, operator: op-a, opened: 2026-11-0{n}}}\n"
                     for n in (1, 2, 3))
    project = project_of(tmp_path, {"playbook.yaml": playbook_yaml(groups=groups),
                                    "calendars/cal.yaml": calendar_yaml("daily:\n" + slot("am", "09:00"))})
    assert when(expand(project, d("2026-11-01"), d("2026-11-03"))) == [
        "g-1 2026-11-01 09:00+0800 am",
        "g-1 2026-11-02 09:00+0800 am", "g-2 2026-11-02 09:00+0800 am",
        "g-1 2026-11-03 09:00+0800 am", "g-2 2026-11-03 09:00+0800 am", "g-3 2026-11-03 09:00+0800 am",
    ]


def test_calendars_pausing_all_or_other_items_keep_their_own(make_playbook: MakePlaybook) -> None:
    # a pauses everything on the festival (02-15..02-22; 02-23 given back), b only `sale`
    sale = '  - {id: sale, at: "11:00", name: 爆品, sender: official, text: 爆品}\n'
    found = days_by_calendar(make_playbook, {
        "a": shared_calendar("a", "public_holidays: [{pause: all}]", MORNING),
        "b": shared_calendar("b", "public_holidays: [{pause: [sale]}]", MORNING + sale),
    }, dt.date(2026, 2, 13), dt.date(2026, 2, 24))
    open_days = ["02-13", "02-14", "02-23", "02-24"]
    assert found["a"] == open_days
    # b: morning every day, sale only off the festival
    assert found["b"] == sorted([*(f"02-{n}" for n in range(13, 25)), *open_days])
