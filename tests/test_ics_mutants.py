"""The calendar exporter's pieces, called directly (issue 19, item 5).

tests/test_export.py checks every calendar of the shipped week against `icalendar`, but through
a module-scoped bundle that mutmut maps to one test only; these call the public helpers of
`exporters.ics` on one or two messages each, with every expected line written out by hand
from the message (times in Europe/Berlin, where 2026-10-29 is CET, UTC+1).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from playbook.exporters import ics
from playbook.exporters.base import Filters, Selection
from playbook.messages.compose import Message
from playbook.models.project import Project
from sample_message import sample_message
from test_render_mutants import berlin  # noqa: F401  (the module-scoped project fixture)

BERLIN = ZoneInfo("Europe/Berlin")
AT = dt.datetime(2026, 10, 29, 9, 0, tzinfo=BERLIN)


def message(**changed: object) -> Message:
    return sample_message(AT, **changed)


def selection(project: Project, *messages: Message) -> Selection:
    return Selection(project, AT.date(), AT.date(), Filters(), messages, (),
                     dt.datetime(2026, 10, 29, tzinfo=dt.UTC))


def test_a_summary_names_group_sender_and_the_first_line_cut_at_40(berlin: Project) -> None:  # noqa: F811
    sel = selection(berlin)
    assert ics.summary(message(), sel) == "Club One · Host: Good morning, Club One!"
    long = message(text="\n  " + "x" * 41 + "\nsecond line")
    assert ics.summary(long, sel) == "Club One · Host: " + "x" * 40 + "…"
    assert ics.summary(message(text="y" * 40), sel) == "Club One · Host: " + "y" * 40
    assert ics.summary(message(text="  \n", sender=None), sel) == "Club One · back office: morning"


def test_a_description_keeps_the_text_then_attachments_then_the_source(berlin: Project) -> None:  # noqa: F811
    assert ics.description(message(text="\nHi\n", stage="strong")) == (
        "\nHi\n\n\ngroup_message · slot morning · ActivityCalendar:daily#/daily/0 · stage strong")
    assert ics.description(message(text="")) == (
        "group_message · slot morning · ActivityCalendar:daily#/daily/0")


def test_a_moment_of_several_messages_counts_them_and_lists_each(berlin: Project) -> None:  # noqa: F811
    sel = selection(berlin)
    one, two = message(), message(id="m1", group="club-2", group_name="Club Two", item_id="evening",
                                  sender=None, route="wecom_robot")
    assert ics.moment_summary([one], sel) == ics.summary(one, sel)
    assert ics.moment_summary([one, two], sel) == "2 messages in 2 groups: morning, evening"
    assert ics.moment_summary([one, message(id="m2")], sel) == "2 messages in 1 group: morning"
    assert ics.moment_description([one], sel) == ics.description(one)
    assert ics.moment_description([one, two], sel) == (
        "▶ Club One · Host · manual\nGood morning, Club One!\n\n"
        "group_message · slot morning · ActivityCalendar:daily#/daily/0\n\n"
        "▶ Club Two · back office · wecom_robot\nGood morning, Club One!\n\n"
        "group_message · slot evening · ActivityCalendar:daily#/daily/0")
    assert ics.moment_uid("anna", AT, sel) == "anna-20261029T080000Z@berlin-club.playbook"


@pytest.mark.parametrize(("at", "line", "zone"), [
    (AT, "DTSTART;TZID=Europe/Berlin:20261029T090000", "Europe/Berlin"),
    (AT.astimezone(dt.UTC), "DTSTART:20261029T080000Z", None),
    (AT.astimezone(ZoneInfo("Etc/UTC")), "DTSTART:20261029T080000Z", None),
    (AT.astimezone(dt.timezone(dt.timedelta(hours=8))), "DTSTART:20261029T080000Z", None),
])
def test_a_time_is_local_with_its_zone_or_utc(at: dt.datetime, line: str, zone: str | None) -> None:
    assert ics.moment("DTSTART", at) == (line, zone)


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("at", "start", "end"), [  # events last 10 minutes
    # 2026-10-25: Berlin's clocks go back at 03:00 CEST to 02:00 CET, so 02:30 comes twice
    (dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),  # the first 02:30 (CEST, 00:30Z)
     "DTSTART;TZID=Europe/Berlin:20261025T023000", "DTEND;TZID=Europe/Berlin:20261025T024000"),
    (dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),  # the second (CET, 01:30Z)
     "DTSTART:20261025T013000Z", "DTEND:20261025T014000Z"),
    (dt.datetime(2026, 10, 25, 1, 50, tzinfo=BERLIN),  # 23:50Z; ends at the first 02:00 (00:00Z)
     "DTSTART;TZID=Europe/Berlin:20261025T015000", "DTEND;TZID=Europe/Berlin:20261025T020000"),
    (dt.datetime(2026, 3, 29, 1, 50, tzinfo=BERLIN),  # 00:50Z; 02:00 CET is 03:00 CEST that night
     "DTSTART;TZID=Europe/Berlin:20260329T015000", "DTEND;TZID=Europe/Berlin:20260329T030000"),
    # fold=1 on a time that comes once means nothing: local, like fold=0
    (dt.datetime(2026, 10, 29, 9, 5, fold=1, tzinfo=BERLIN),
     "DTSTART;TZID=Europe/Berlin:20261029T090500", "DTEND;TZID=Europe/Berlin:20261029T091500"),
])
def test_a_repeated_hour_is_written_so_it_rings_once_at_the_right_instant(
        at: dt.datetime, start: str, end: str) -> None:
    lines = ics._times(at, "Europe/Berlin", at.fold)[0].decode().split("\r\n")
    assert lines[:2] == [start, end]


def test_text_values_escape_what_rfc_5545_reserves() -> None:
    assert ics.text("a\\b;c,d\r\ne\rf\ng\x1bh") == "a\\\\b\\;c\\,d\\ne\\nf\\ng\\\\x1bh"


def test_a_group_calendar_holds_one_event_per_message(berlin: Project) -> None:  # noqa: F811
    files = dict(ics.export(selection(berlin, message())))
    assert list(files) == ["ics/anna.ics", "ics/groups/club-1.ics"]
    data = files["ics/groups/club-1.ics"]
    head = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//playbook//message bundle//EN\r\n"
            b"CALSCALE:GREGORIAN\r\nX-WR-CALNAME:Berlin club \xc2\xb7 Club One\r\nBEGIN:VTIMEZONE\r\n"
            b"TZID:Europe/Berlin\r\n")
    assert data.startswith(head)
    assert b"from 2025-01-01 to 2028-01-01" in data  # a year before the range to two after
    event = data[data.index(b"BEGIN:VEVENT"):]
    assert event == (
        "BEGIN:VEVENT\r\n"
        "SUMMARY:Club One · Host: Good morning\\, Club One!\r\n"
        "DTSTART;TZID=Europe/Berlin:20261029T090000\r\n"
        "DTEND;TZID=Europe/Berlin:20261029T091000\r\n"
        "DTSTAMP:20261029T000000Z\r\n"
        "UID:m0123456789abcdef@berlin-club.playbook\r\n"
        "CATEGORIES:slot\r\n"
        # folded after 75 octets: 12 + 24 + 4 + 13 + 4 (" · ", the dot is 2) + 12 + 4 + "Ac"
        "DESCRIPTION:Good morning\\, Club One!\\n\\ngroup_message · slot morning · Ac\r\n"
        " tivityCalendar:daily#/daily/0\r\n"
        "X-PLAYBOOK-GROUP:club-1\r\n"
        "X-PLAYBOOK-MESSAGE-ID:m0123456789abcdef\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
        "DESCRIPTION:Club One · Host: Good morning\\, Club One!\r\n"
        "TRIGGER:-PT10M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


# -- survivors of the first mutmut run of exporters/ics.py (issue 19) ----------------------------

def test_a_sender_is_named_in_the_message_locale(berlin: Project) -> None:  # noqa: F811
    """The role `host` is "Host" in en and "主持" in zh-CN: a zh-CN message names it in zh-CN."""
    sel = selection(berlin)
    one = message(locale="zh-CN")
    two = message(id="m1", group="club-2", group_name="Club Two", locale="zh-CN", text="Hi")
    assert ics.summary(one, sel) == "Club One · 主持: Good morning, Club One!"
    assert ics.moment_description([one, two], sel) == (
        "▶ Club One · 主持 · manual\nGood morning, Club One!\n\n"
        "group_message · slot morning · ActivityCalendar:daily#/daily/0\n\n"
        "▶ Club Two · 主持 · manual\nHi\n\n"
        "group_message · slot morning · ActivityCalendar:daily#/daily/0")


def test_one_instant_in_two_zones_keeps_each_zone(berlin: Project) -> None:  # noqa: F811
    """09:00 in Berlin and 16:00 in Shanghai are the same instant (08:00 UTC) and compare equal
    as datetimes; each group's event still shows its own local time and zone."""
    shanghai = message(id="m1", group="club-2", group_name="Club Two",
                       at=AT.astimezone(ZoneInfo("Asia/Shanghai")))
    files = dict(ics.export(selection(berlin, message(), shanghai)))
    assert (b"DTSTART;TZID=Europe/Berlin:20261029T090000\r\n"
            b"DTEND;TZID=Europe/Berlin:20261029T091000\r\n") in files["ics/groups/club-1.ics"]
    club_two = files["ics/groups/club-2.ics"]
    assert (b"DTSTART;TZID=Asia/Shanghai:20261029T160000\r\n"
            b"DTEND;TZID=Asia/Shanghai:20261029T161000\r\n") in club_two
    assert b"TZID:Asia/Shanghai\r\n" in club_two and b"TZID:Europe/Berlin\r\n" not in club_two


@pytest.fixture
def machine_in_shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to UTC+8 (no DST), then put back."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("machine_in_shanghai")
def test_utc_times_do_not_depend_on_the_machine_zone(berlin: Project) -> None:  # noqa: F811
    """A time written with `Z` is UTC wherever the export runs (08:00Z, not the local 16:00)."""
    assert ics.moment("DTSTART", AT.astimezone(dt.timezone(dt.timedelta(hours=-5)))) == (
        "DTSTART:20261029T080000Z", None)
    assert ics.moment_uid("anna", AT, selection(berlin)) == "anna-20261029T080000Z@berlin-club.playbook"


def test_a_message_text_is_made_once_for_both_calendars(berlin: Project,  # noqa: F811
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A message alone at its moment is in its group's and its operator's calendar with the same
    summary and description: each is built once (the export's cost, issue 20), not per calendar."""
    calls: list[str] = []
    real_summary, real_description = ics.summary, ics.description

    def summary(m: Message, sel: Selection) -> str:
        calls.append("summary")
        return real_summary(m, sel)

    def description(m: Message) -> str:
        calls.append("description")
        return real_description(m)

    monkeypatch.setattr(ics, "summary", summary)
    monkeypatch.setattr(ics, "description", description)
    files = dict(ics.export(selection(berlin, message())))
    assert sorted(calls) == ["description", "summary"]
    summary_line = b"SUMMARY:Club One \xc2\xb7 Host: Good morning\\, Club One!\r\n"
    assert summary_line in files["ics/anna.ics"] and summary_line in files["ics/groups/club-1.ics"]


def test_a_group_calendar_writes_both_comings_of_a_repeated_hour_each_its_own_way(
        berlin: Project) -> None:  # noqa: F811
    """The event lines of a moment are cached; the two 02:30s of Berlin's 2026-10-25 compare
    equal, so the fold is part of the key: the first stays local, the second is UTC."""
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    second = first.replace(fold=1)
    files = dict(ics.export(selection(berlin, message(at=first, id="m" + "1" * 16),
                                      message(at=second, id="m" + "2" * 16))))
    events = files["ics/groups/club-1.ics"].split(b"BEGIN:VEVENT")[1:]  # after the time zone's own
    starts = [line for event in events for line in event.split(b"\r\n") if line.startswith(b"DTSTART")]
    assert starts == [b"DTSTART;TZID=Europe/Berlin:20261025T023000", b"DTSTART:20261025T013000Z"]
