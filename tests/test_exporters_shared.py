"""The exporters remember what thousands of messages share (a moment's cells and event times):
two moments that compare equal but read differently must never share them (issue 20)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from playbook.exporters import csv_messages, ics

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")


def test_the_same_instant_in_two_zones_keeps_its_own_cells() -> None:
    there = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    utc = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    assert there == utc
    assert csv_messages._when(there, there.tzinfo, there.fold) == (
        "2026-11-30", "09:00", "Asia/Shanghai", "2026-11-30T09:00:00+08:00")
    assert csv_messages._when(utc, utc.tzinfo, utc.fold) == (
        "2026-11-30", "01:00", "+0000", "2026-11-30T01:00:00+00:00")
    assert ics._times(there, "Asia/Shanghai", 0) == (
        b"DTSTART;TZID=Asia/Shanghai:20261130T090000\r\nDTEND;TZID=Asia/Shanghai:20261130T091000\r\n",
        "Asia/Shanghai")
    assert ics._times(utc, "+0000", 0) == (b"DTSTART:20261130T010000Z\r\nDTEND:20261130T011000Z\r\n", None)


def test_the_repeated_hour_keeps_its_offset() -> None:
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    second = first.replace(fold=1)  # the same wall time an hour later, after clocks go back
    assert csv_messages._when(first, BERLIN, 0)[3] == "2026-10-25T02:30:00+02:00"
    assert csv_messages._when(second, BERLIN, 1)[3] == "2026-10-25T02:30:00+01:00"
