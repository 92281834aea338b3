"""Calendars that repeat the same items share the work of finding the days each item runs
(issue 20): each calendar must still keep its own validity, rule, exceptions and holidays."""

from __future__ import annotations

import datetime as dt

from bundle_playbook import FILES
from conftest import MakePlaybook
from playbook.loader import load_tree
from playbook.schedule import expand
from playbook.validate import validate_tree

CALENDAR = """\
apiVersion: playbook/v1
kind: ActivityCalendar
id: {id}
version: 1.0.0
title: Copy
owner: ops
valid: {{start: {start}}}
applies_to: {{groups: [club-1]}}
daily:
  - {{id: morning, at: "09:00", name: Morning, sender: host, text: Hello}}
  - {{id: weekdays, at: "10:00", name: Weekdays, sender: host, text: Work, repeat: "FREQ=WEEKLY;BYDAY=MO,WE"}}
weekly:
  - {{id: quiz, name: Quiz, kind: training, weekday: tue, at: "20:00", sender: host, text: Quiz}}
exceptions:
{exceptions}
"""


def test_each_calendar_keeps_its_own_days(make_playbook: MakePlaybook) -> None:
    skips = {"a": ("2026-10-26", "{name: X, start: 2026-10-27, skip: [weekdays]}"),
             "b": ("2026-10-26", "{name: Y, start: 2026-10-27}"),
             "c": ("2026-10-28", "{name: Z, start: 2026-10-26, skip: [morning]}"),
             "d": ("2026-10-28", "{name: X, start: 2026-10-27, skip: [weekdays]}")}  # a, later
    files = {**FILES, **{f"calendars/{c}.yaml": CALENDAR.format(id=c, start=start, exceptions=f"  - {skip}")
                         for c, (start, skip) in skips.items()}}
    project = validate_tree(load_tree(make_playbook(files))).project
    assert project is not None
    runs: dict[tuple[str, str], list[str]] = {}
    for send in expand(project, dt.date(2026, 10, 26), dt.date(2026, 10, 28)):
        if send.source.doc_id in "abcd":
            runs.setdefault((send.source.doc_id, send.item_id), []).append(send.at.strftime("%d"))
    assert runs == {
        ("a", "morning"): ["26", "27", "28"], ("a", "weekdays"): ["26", "28"], ("a", "quiz"): ["27"],
        ("b", "morning"): ["26", "28"], ("b", "weekdays"): ["26", "28"],
        ("c", "morning"): ["28"], ("c", "weekdays"): ["28"],
        ("d", "morning"): ["28"], ("d", "weekdays"): ["28"],
    }
