"""One composed message with every field set, for tests that call an exporter's pieces
directly; a test changes only the fields it is about."""

from __future__ import annotations

import dataclasses
import datetime as dt

from playbook.messages.compose import Message
from playbook.schedule import Source


def sample_message(when: dt.datetime, /, **changed: object) -> Message:
    """A morning slot's message for club-1 (Club One, operator anna) at `when`, with `changed`
    (which may hold another `at`)."""
    base = Message(id="m0123456789abcdef", group="club-1", group_name="Club One", operator="anna",
                   platform="wechat_group", locale="en", at=when, channel="group_message", sender="host",
                   text="Good morning, Club One!", attachments=(),
                   source=Source("ActivityCalendar", "daily", "/daily/0"), item="slot", item_id="morning")
    return dataclasses.replace(base, **changed)  # type: ignore[arg-type]
