"""`md/<operator>/<date>.md`: the day's run sheet of one operator. Messages are in time order;
each time is split by group, and every text sits in its own code block so it copies exactly.

Names and ids from the playbook are untrusted: in headings and list items they are inert
Markdown on one line (`inert.markdown_inline`, `inert.code_span`), so a group name with a line
break, `#`, `|` or `<script>` cannot add a heading, a table or HTML to the sheet. A message text
sits in a fence longer than any backtick run in it, which Markdown shows verbatim; inside it
CR and CRLF become LF and other control, bidi and separator characters are shown as escapes
(`\\x1b`, `inert.printable`), so the sheet prints inertly in a terminal too.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby

from playbook import inert
from playbook.exporters.base import Selection, zone_name
from playbook.messages.compose import Message
from playbook.messages.cues import attach_cue, recipient
from playbook.messages.labels import weekday

FOLDER = "md"
def fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


ROUTE_CUES = {
    "manual": "post it by hand",
    "wecom_group_send": "WeCom sends it as a company group send: confirm the task on your phone",
    "wecom_robot": "the group robot posts it: check it arrived",
}
"""What the operator does for each route."""


# A week of L is 100,000 blocks naming a few thousand groups, items, senders and stages: each
# name's inline form is made once (pure functions of a string, so a cached one cannot go stale;
# bounded, so memory stays flat however many names come)
_code = functools.lru_cache(maxsize=16384)(inert.code_span)
_md = functools.lru_cache(maxsize=16384)(inert.markdown_inline)


def _message_block(m: Message, sel: Selection) -> list[str]:
    md, code = _md, _code  # channel, item, kind and form are enums
    sender = (f"{md(sel.role_name(m.sender, m.locale))} ({code(m.sender)})" if m.sender
              else "back office")
    place = f"### {md(m.group_name)}" + (f" ({code(m.group)})" if m.group else "")  # "": an account
    lines = [place, "",
             f"- from {sender} · {m.channel} · {m.item} {code(m.item_id)} · id {inert.code_span(m.id)}"
             + (f" · variant {code(m.variant)}" if m.variant else "")
             + (f" · stage {code(m.stage)}" if m.stage else ""),
             f"- route {code(m.route)}: {ROUTE_CUES.get(m.route, m.route)}",
             f"- form {code(m.form)}" + (f" · attach {attach_cue(m)}" if m.attachments else
                                         f" · prepare the {m.form} yourself: the playbook attaches "
                                         f"no file" if m.form != "text" else "")]
    to = recipient(sel.project, m)
    if to:
        lines.append(f"- to: {to}")
    for a in m.attachments:
        if a.bundle_path:  # a hex name: safe as a link target
            lines.append(f"- attach [{code(a.path)}](../../{a.bundle_path}) ({a.media_kind}, sha256 "
                         f"{code(a.sha256[:12] + '…')})")
        else:
            lines.append(f"- attach {code(a.path)} ({a.media_kind}, hosted)")
    if m.text:
        lines += ["", *_fenced(m.text)]
    else:
        lines += ["", "_(no text: carry out the item as described in the playbook)_"]
    for n, copy in enumerate(m.copies, start=1):
        lines += ["", f"copy text {n} of {len(m.copies)} (转发文案), to forward as it is:", "",
                  *_fenced(copy)]
    return [*lines, ""]


@functools.lru_cache(maxsize=4096)
def _fenced(text: str) -> tuple[str, str, str]:
    """`text` in its fence (one per distinct text: groups of a type mostly share their texts)."""
    body = inert.printable(text)
    mark = fence(body)
    return (f"{mark}text", body, mark)


def sheet(operator: str, day: dt.date, messages: list[Message], sel: Selection) -> str:
    locale = sel.project.playbook.locales[0]
    zones = sorted({zone_name(m.at) for m in messages})
    groups = sorted({m.group for m in messages if m.group})
    lines = [f"# {inert.markdown_inline(sel.operator_name(operator))} · {day.isoformat()} "
             f"{weekday(day, locale)}", "",
             f"{inert.markdown_inline(f'{sel.title} {sel.project.playbook.version}')} · operator "
             f"{inert.code_span(operator)} · "
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
