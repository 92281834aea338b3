"""`md/<operator>/<date>.md`: the day's run sheet of one operator. Messages are in time order;
each time is split by group, and every text sits in its own code block so it copies exactly."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby

from playbook.bundle.compose import Message
from playbook.exporters.base import Selection, zone_name

FOLDER = "md"
WEEKDAYS = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def weekday(day: dt.date, locale: str) -> str:
    return WEEKDAYS.get(locale.split("-")[0], WEEKDAYS["en"])[day.weekday()]


def fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _message_block(m: Message, sel: Selection) -> list[str]:
    sender = f"{sel.role_name(m.sender, m.locale)} (`{m.sender}`)" if m.sender else "back office"
    lines = [f"### {m.group_name} (`{m.group}`)", "",
             f"- from {sender} · {m.channel} · {m.item} `{m.item_id}` · id `{m.id}`"]
    for a in m.attachments:
        digest = f", sha256 `{a.sha256[:12]}…`" if a.sha256 else ""
        lines.append(f"- attach `{a.path}` ({a.kind}{digest})")
    if m.text:
        mark = fence(m.text)
        lines += ["", f"{mark}text", m.text, mark]
    else:
        lines += ["", "_(no text: carry out the item as described in the playbook)_"]
    return [*lines, ""]


def sheet(operator: str, day: dt.date, messages: list[Message], sel: Selection) -> str:
    locale = sel.project.playbook.locales[0]
    zones = sorted({zone_name(m.at) for m in messages})
    groups = sorted({m.group for m in messages})
    lines = [f"# {sel.operator_name(operator)} · {day.isoformat()} {weekday(day, locale)}", "",
             f"{sel.title} {sel.project.playbook.version} · operator `{operator}` · "
             f"{len(messages)} message{'s' if len(messages) != 1 else ''} in {len(groups)} "
             f"group{'s' if len(groups) != 1 else ''} · times in {', '.join(zones)}", ""]
    for clock, at_time in groupby(messages, key=lambda m: (m.at.strftime("%H:%M"), zone_name(m.at))):
        zone = f" ({clock[1]})" if len(zones) > 1 else ""
        lines += [f"## {clock[0]}{zone}", ""]
        for m in sorted(at_time, key=lambda m: (m.group, m.source)):
            lines += _message_block(m, sel)
    return "\n".join(lines).rstrip("\n") + "\n"


def export(sel: Selection) -> Iterator[tuple[str, bytes]]:
    by_sheet: dict[tuple[str, dt.date], list[Message]] = defaultdict(list)
    for m in sel.messages:
        by_sheet[(m.operator, m.at.date())].append(m)
    for (operator, day), msgs in sorted(by_sheet.items()):
        yield f"{FOLDER}/{operator}/{day.isoformat()}.md", sheet(operator, day, msgs, sel).encode("utf-8")


__all__ = ["FOLDER", "export", "sheet"]
