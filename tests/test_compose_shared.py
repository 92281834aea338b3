"""Composing renders a text once for all the sends that give it the same values (issue 20):
these tests make sure that sharing never hands a group another group's, day's, operator's or
language's text."""

from __future__ import annotations

import datetime as dt

from bundle_playbook import FILES
from conftest import MakePlaybook
from playbook.loader import load_tree
from playbook.messages.compose import _reads, compose
from playbook.render import MessageEnvironment
from playbook.validate import validate_tree

SLOTS = """\
  - {id: dated, at: "10:00", name: Dated, sender: host, text: "Day {{ date }}"}
  - {id: signed, at: "11:00", name: Signed, sender: host, text: "From {{ operator.name }}"}
  - {id: titled, at: "12:00", name: Titled, sender: host, text: "In {{ playbook.title }}"}
  - {id: plain, at: "13:00", name: Plain, sender: host, text: "Same for all"}
offline:"""


def test_shared_texts_keep_every_value_they_read(make_playbook: MakePlaybook) -> None:
    cal = FILES["calendars/daily.yaml"]
    assert isinstance(cal, str)
    root = make_playbook({**FILES, "calendars/daily.yaml": cal.replace("offline:", SLOTS, 1)})
    project = validate_tree(load_tree(root)).project
    assert project is not None
    composed = compose(project, dt.date(2026, 10, 29), dt.date(2026, 10, 30))
    assert composed.diagnostics == []
    texts = {(m.item_id, m.group, m.at.date().isoformat()): m.text for m in composed.messages
             if m.item_id in ("dated", "signed", "titled", "plain")}
    assert texts == {
        ("dated", "club-1", "2026-10-29"): "Day 2026-10-29",
        ("dated", "club-1", "2026-10-30"): "Day 2026-10-30",
        ("dated", "shop-1", "2026-10-29"): "Day 2026-10-29",
        ("dated", "shop-1", "2026-10-30"): "Day 2026-10-30",
        ("signed", "club-1", "2026-10-29"): "From Anna",
        ("signed", "club-1", "2026-10-30"): "From Anna",
        ("signed", "shop-1", "2026-10-29"): "From Ben",
        ("signed", "shop-1", "2026-10-30"): "From Ben",
        ("titled", "club-1", "2026-10-29"): "In Berlin club",
        ("titled", "club-1", "2026-10-30"): "In Berlin club",
        ("titled", "shop-1", "2026-10-29"): "In 柏林俱乐部",
        ("titled", "shop-1", "2026-10-30"): "In 柏林俱乐部",
        ("plain", "club-1", "2026-10-29"): "Same for all",
        ("plain", "club-1", "2026-10-30"): "Same for all",
        ("plain", "shop-1", "2026-10-29"): "Same for all",
        ("plain", "shop-1", "2026-10-30"): "Same for all",
    }
    morning = {m.group: m.text for m in composed.messages
               if m.item_id == "morning" and m.at.date() == dt.date(2026, 10, 30)}
    assert morning == {"club-1": "Good morning, Club One! Today is 2026-10-30.",
                       "shop-1": "早上好，商店一群！今天是 2026-10-30。"}


def test_texts_that_draw_at_random_or_read_other_templates_are_never_shared() -> None:
    env = MessageEnvironment()
    assert _reads(env, "Hi {{ group.name }} on {{ date }}") == frozenset({"group", "date"})
    assert _reads(env, "Plain") == frozenset()
    for source in ("{{ ['a', 'b'] | random }}", "{{ lipsum(1) }}", "{% include 'x.j2' %}",
                   "{% import 'm.j2' as m %}", "{% extends 'base.j2' %}", "{{ cycler(1, 2).next() }}",
                   "{{ group.name"):
        assert _reads(env, source) is None, source
