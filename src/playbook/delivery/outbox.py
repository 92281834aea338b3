"""What a `playbook send` run finds in a bundle: each WeCom payload with its verdict (due, late,
not yet due, refused, already in the ledger), and the messages that stay manual. Pure: reads
the bundle through the file-access layer and the ledger, writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playbook.delivery.ledger import Delivery, retryable
from playbook.errors import UsageError
from playbook.files import FileRefused, PlaybookFiles

INDEX = "wecom/index.json"
PAYLOAD_LIMIT = 64 * 1024 * 1024
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def duration(text: str) -> dt.timedelta:
    """`30m`, `1h`, `1h30m`, `90s` as a timedelta (an argparse type)."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        import argparse

        raise argparse.ArgumentTypeError(f"'{text}' is not a duration; write e.g. 30m, 1h or 1h30m")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def clock_time(text: str, zone: str) -> dt.datetime:
    """`YYYY-MM-DD HH:MM` (from --now or PLAYBOOK_NOW) in the playbook's time zone."""
    try:
        naive = dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise UsageError(f"'{text}' is not a time; write 'YYYY-MM-DD HH:MM'") from None
    return naive.replace(tzinfo=ZoneInfo(zone))


@dataclass(frozen=True)
class Entry:
    """A payload of the bundle and what this run does with it."""

    file: str
    kind: str
    at: dt.datetime
    messages: tuple[str, ...]
    groups: tuple[str, ...]
    verdict: str
    """`due`, `late`, `future`, `refused`, `posted`, `posting`, `unknown`, `failed`."""
    why: str = ""


@dataclass(frozen=True)
class Outbox:
    """The bundle's payloads in time order, and its manual messages."""

    files: PlaybookFiles
    time_zone: str
    entries: list[Entry]
    manual: list[dict[str, Any]]
    now: dt.datetime
    grace: dt.timedelta

    def manual_due(self) -> list[dict[str, Any]]:
        """The manual messages whose time has come, at most `grace` ago."""
        return [m for m in self.manual
                if dt.timedelta(0) <= self.now - dt.datetime.fromisoformat(m["at"]) <= self.grace]

    def payload(self, entry: Entry) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.files.read_text(entry.file, PAYLOAD_LIMIT))
        return data


def read_index(bundle: Path) -> tuple[PlaybookFiles, dict[str, Any]]:
    files = PlaybookFiles(bundle)
    try:
        index = json.loads(files.read_text(INDEX, PAYLOAD_LIMIT))
    except FileRefused as err:
        raise UsageError(f"{bundle}: no {INDEX} ({err.reason}); export the bundle with "
                         "`wecom` among its formats, e.g. --format json,csv,md,ics,wecom") from None
    except ValueError as err:
        raise UsageError(f"{bundle / INDEX}: not JSON ({err})") from None
    return files, index


def outbox(bundle: Path, now: dt.datetime | None, zone_override: str | None, grace: dt.timedelta,
           rows: dict[str, Delivery], alive: Any, retry_unknown: bool) -> Outbox:
    """The payloads of `bundle` judged at `now` (None: the clock) against the ledger `rows`."""
    files, index = read_index(bundle)
    zone = str(index.get("time_zone") or "Asia/Shanghai")
    moment = now or dt.datetime.now(ZoneInfo(zone_override or zone))
    entries = []
    for p in index.get("payloads", []):
        at = dt.datetime.fromisoformat(p["at"])
        verdict, why = _judge(at, moment, grace, p.get("problems", []),
                              [rows[m] for m in p["messages"] if m in rows], alive, retry_unknown)
        entries.append(Entry(p["file"], p["kind"], at, tuple(p["messages"]), tuple(p["groups"]),
                             verdict, why))
    entries.sort(key=lambda e: (e.at, e.file))
    return Outbox(files, zone, entries, list(index.get("manual", [])), moment, grace)


def _judge(at: dt.datetime, now: dt.datetime, grace: dt.timedelta, problems: list[str],
           rows: list[Delivery], alive: Any, retry_unknown: bool) -> tuple[str, str]:
    for row in rows:
        if row.state == "posted":
            return "posted", f"already posted{f' (msgid {row.msgid})' if row.msgid else ''}"
        if row.state == "posting" and alive(row.owner or ""):
            return "posting", "being posted by another run"
        if row.state == "posting":
            return "unknown", "a run died while posting it; it is reconciled first"
        if row.state == "unknown" and not retry_unknown:
            return "unknown", "may have been posted; check the group, then --retry-unknown"
        if row.state == "failed" and not retryable(row.errcode):
            return "failed", f"failed: {row.errmsg or row.errcode}"
    if problems:
        return "refused", "WeCom would refuse it: " + "; ".join(problems)
    if at > now:
        return "future", "not yet due"
    if now - at > grace:
        return "late", f"late by {_minutes(now - at)} (grace {_minutes(grace)})"
    return "due", ""


def _minutes(delta: dt.timedelta) -> str:
    total = int(delta.total_seconds() // 60)
    return f"{total // 60}h{total % 60:02d}m" if total >= 60 else f"{total}m"


__all__ = ["INDEX", "Entry", "Outbox", "clock_time", "duration", "outbox", "read_index"]
