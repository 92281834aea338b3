"""`replies.json`: the event-triggered reply sets per group (welcome, join ceremony, funnel
auto-replies, keyword replies), for a bot or an SCRM tool's auto-reply settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from playbook.exporters.base import Content, Selection
from playbook.exporters.json_messages import attachment_record, header, pieces
from playbook.messages.replies import Reply, ReplySet

FILE = "replies.json"


def reply_record(r: Reply, sel: Selection) -> dict[str, Any]:
    return {
        "id": r.id, "trigger": r.trigger, "offset": r.offset, "keywords": list(r.keywords),
        "channel": r.channel, "sender": r.sender, "text": r.text,
        "attachments": [attachment_record(a) for a in r.attachments],
        "source": {"kind": r.source.kind, "doc_id": r.source.doc_id, "pointer": r.source.pointer,
                   "file": sel.source_file(r.source.kind, r.source.doc_id)},
        "item_id": r.item_id,
    }


def set_record(s: ReplySet, sel: Selection) -> dict[str, Any]:
    return {
        "group": s.group, "group_name": s.group_name, "operator": s.operator, "platform": s.platform,
        "locale": s.locale, "placeholders": dict(s.placeholders),
        "replies": [reply_record(r, sel) for r in s.replies],
    }


def export(sel: Selection) -> Iterator[tuple[str, Content]]:
    yield FILE, pieces({**header(sel), "reply_sets": (set_record(s, sel) for s in sel.replies)})


__all__ = ["FILE", "export", "reply_record", "set_record"]
