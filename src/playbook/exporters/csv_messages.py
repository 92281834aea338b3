"""`messages.csv`: one row per message, UTF-8 with a byte-order mark so Excel shows Chinese
correctly, with columns an SCRM bulk import can map (send date and time, group, sender, text,
attachments).

Every cell goes through `inert.csv_cell` (by `inert.csv_row`): a cell that starts with `=`,
`+`, `-`, `@`, TAB or CR gets a leading `'`, as OWASP recommends against formula injection, so
a spreadsheet shows it as text instead of evaluating it; control characters other than TAB, CR
and LF are shown as escapes (`\\x1b`). The cells this module makes itself (dates, times, IANA
zone names, ISO moments, ids) never start with one of those characters, so only playbook text
is ever changed; `messages.json` keeps every text exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterator

from playbook import inert
from playbook.exporters.base import Content, Selection, zone_name
from playbook.messages.compose import Message
from playbook.messages.cues import attach_cue, recipient
from playbook.schedule import Source

FILE = "messages.csv"
COLUMNS = (
    "id", "send_date", "send_time", "time_zone", "send_at", "operator", "operator_name",
    "group_id", "group_name", "platform", "channel", "sender_role", "sender_name", "locale",
    "text", "attachments", "attachment_sha256", "item", "item_id", "source", "variant", "reached_by",
    "route", "form", "recipient", "attach", "media", "copies", "stage",
)
"""Column names, in order; `send_at` is ISO 8601 with the offset, the others are local."""
LIST_SEPARATOR = ";"
"""Separates several attachment paths (and their hashes) in one cell."""
COPY_SEPARATOR = "\n\n"
"""Separates several copy texts in one cell (a blank line, as they would be pasted)."""


def values(m: Message, sel: Selection) -> tuple[str, ...]:
    """The cells of one message's row, as they are (`rows` and messages.xlsx make them inert
    each its own way)."""
    return (
        m.id, *_when(m.at, m.at.tzinfo, m.at.fold),
        m.operator, sel.operator_name(m.operator), m.group, m.group_name, m.platform, m.channel,
        m.sender or "", sel.role_name(m.sender, m.locale), m.locale, m.text,
        LIST_SEPARATOR.join(a.path for a in m.attachments),
        LIST_SEPARATOR.join(a.sha256 for a in m.attachments),
        m.item, m.item_id, _source(m.source), m.variant, m.reached_by,
        m.route, m.form, recipient(sel.project, m), attach_cue(m),
        LIST_SEPARATOR.join(a.bundle_path or a.path for a in m.attachments),
        COPY_SEPARATOR.join(m.copies), m.stage,
    )


@functools.lru_cache(maxsize=4096)
def _when(at: dt.datetime, _zone: dt.tzinfo | None, _fold: int) -> tuple[str, str, str, str]:
    """The send date, time, zone and ISO moment cells: thousands of groups share a few hundred
    moments. (Moments in two zones compare equal at the same instant, and the fold of a
    repeated hour is ignored: both are part of the key.)"""
    return at.date().isoformat(), at.strftime("%H:%M"), zone_name(at), at.isoformat()


@functools.lru_cache(maxsize=16384)
def _source(source: Source) -> str:
    return str(source)


def rows(sel: Selection) -> Iterator[list[str]]:
    """One row per message, made as the writer asks for it."""
    for m in sel.messages:
        yield inert.csv_row(values(m, sel))


ROWS_PER_PIECE = 2000
"""Rows encoded before a piece of the file is handed on (about a megabyte on a large playbook)."""


def pieces(sel: Selection) -> Iterator[bytes]:
    """messages.csv in pieces of `ROWS_PER_PIECE` rows, encoded as they are written (one
    encoder, so the byte-order mark comes once, at the start)."""
    raw = io.BytesIO()
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", write_through=True) as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for n, row in enumerate(rows(sel), start=1):
            writer.writerow(row)
            if n % ROWS_PER_PIECE == 0:
                yield raw.getvalue()
                raw.seek(0)
                raw.truncate()
        if rest := raw.getvalue():
            yield rest


def export(sel: Selection) -> Iterator[tuple[str, Content]]:
    yield FILE, pieces(sel)


__all__ = ["COLUMNS", "FILE", "export", "pieces", "values"]
