"""What a change does to the messages posted in each group over the coming days.

Both playbooks are composed for the same window (`messages.compose`, so texts are rendered
exactly as they will be posted). A message is the same message on both sides when it has
the same group and the same item (document, item kind and item id; not its list position, so
inserting a slot does not shift the others). Matching, per item and group:
1. same moment: unchanged, or *reworded* when the text or attachments differ;
2. same local day: *retimed* (and reworded when the text differs too);
3. the leftovers in time order when both sides have as many: *retimed*;
4. what is still left: *removed* (base only) or *added* (head only).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from playbook.messages.compose import Message, compose
from playbook.models.project import Project

MessageChangeKind = Literal["added", "removed", "retimed", "reworded", "retimed and reworded"]
_Key = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class MessageChange:
    """One message that is new, gone, moved or reworded in one group."""

    group: str
    group_name: str
    change: MessageChangeKind
    source: str
    """`calendar daily-promotion › good-morning`: the document and item it comes from."""
    before_at: dt.datetime | None
    after_at: dt.datetime | None
    before_text: str | None
    after_text: str | None

    @property
    def at(self) -> dt.datetime:
        moment = self.after_at or self.before_at
        assert moment is not None
        return moment


_NOUNS = {"ActivityCalendar": "calendar", "OnboardingScript": "script", "MaterialPack": "pack"}


def _key(message: Message) -> _Key:
    source = message.source
    return (message.group, source.kind, source.doc_id, message.item, message.item_id)


def _label(message: Message, before: Message | None = None) -> str:
    """Where the message comes from, with its text variant: `… › slot good-night (variant a)`,
    or `(variant a → b)` when the group now gets another one."""
    noun = _NOUNS.get(message.source.kind, message.source.kind)
    item = message.item.replace("_", " ")
    label = f"{noun} {message.source.doc_id} › {item} {message.item_id}"
    was = before.variant if before is not None else message.variant
    if was != message.variant:
        return f"{label} (variant {was or '—'} → {message.variant or '—'})"
    return f"{label} (variant {message.variant})" if message.variant else label


def _content(message: Message) -> tuple[str, tuple[str, ...]]:
    return message.text, tuple(a.sha256 or a.path for a in message.attachments)


def _pair(old: Message, new: Message) -> MessageChange | None:
    moved = old.at != new.at
    reworded = _content(old) != _content(new)
    if not moved and not reworded:
        return None
    change: MessageChangeKind = ("retimed and reworded" if moved and reworded
                                 else "retimed" if moved else "reworded")
    return MessageChange(new.group, new.group_name, change, _label(new, old), old.at, new.at,
                         old.text, new.text)


def _moment(message: Message) -> object:
    return message.at


def _day(message: Message) -> object:
    return message.at.date()


def _match(before: list[Message], after: list[Message]) -> list[MessageChange]:
    found: list[MessageChange] = []
    old, new = list(before), list(after)
    for same in (_moment, _day):
        for message in list(new):
            partner = next((o for o in old if same(o) == same(message)), None)
            if partner is not None:
                old.remove(partner)
                new.remove(message)
                change = _pair(partner, message)
                if change is not None:
                    found.append(change)
    if old and len(old) == len(new):
        for partner, message in zip(old, new, strict=True):
            change = _pair(partner, message)
            if change is not None:
                found.append(change)
        old, new = [], []
    found += [MessageChange(m.group, m.group_name, "removed", _label(m), m.at, None, m.text, None)
              for m in old]
    found += [MessageChange(m.group, m.group_name, "added", _label(m), None, m.at, None, m.text)
              for m in new]
    return found


def message_changes(base: Project | None, head: Project, start: dt.date,
                    end: dt.date) -> list[MessageChange]:
    """Every message that differs between the two playbooks from `start` to `end` (both
    included), ordered by group, then moment."""
    groups: dict[_Key, tuple[list[Message], list[Message]]] = defaultdict(lambda: ([], []))
    if base is not None:
        for message in compose(base, start, end).messages:
            groups[_key(message)][0].append(message)
    for message in compose(head, start, end).messages:
        groups[_key(message)][1].append(message)
    found = [change for key in sorted(groups) for change in _match(*groups[key])]
    return sorted(found, key=lambda c: (c.group, c.at.astimezone(dt.UTC), c.source, c.change))
