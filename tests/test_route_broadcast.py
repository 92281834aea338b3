"""`Router.route_broadcast` (PB408's fast path) spends the quotas and records the fallbacks
exactly as `Router.route` does send by send: it looks at a broadcast's channel, sender and
routes once, and skips a broadcast whose first route is `manual`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playbook.lint.schedules import planned
from playbook.messages.routes import Router
from test_routes import CALENDAR, PLAYBOOK, project_of


def test_a_broadcast_is_routed_as_its_sends_are_one_by_one(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"playbook.yaml": PLAYBOOK, "calendars/daily.yaml": CALENDAR})
    by_send, by_broadcast = Router(project), Router(project)
    for b in sorted(planned(project), key=lambda b: b.at.astimezone(dt.UTC)):
        for send in b.sends():
            by_send.route(send)
        by_broadcast.route_broadcast(b)
    assert by_broadcast.fallbacks == by_send.fallbacks
    first_day = [(f.send.group, f.send.item_id, f.wanted, f.used_by.item_id)
                 for f in by_broadcast.fallbacks if f.send.at.date() == dt.date(2026, 11, 1)]
    # the evening asks for the day's one company group send, which the morning took, in the two
    # groups that can take one; `both` then gets its robot, `send` goes by hand
    assert first_day == [("both", "evening", "wecom_group_send", "morning"),
                         ("send", "evening", "wecom_group_send", "morning")]
