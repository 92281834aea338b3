"""`playbook send --status [--refresh]`: the ledger in a few lines, and with `--refresh` each
group's result of every posted company group send (sent, not a friend, already received)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections import Counter
from pathlib import Path

from playbook.delivery.client import DEFAULT_API, Client
from playbook.delivery.command import API_VARIABLE, EXIT_OK
from playbook.delivery.ledger import STATES, Ledger
from playbook.delivery.outbox import read_index
from playbook.delivery.post import RESULT_STATUS, refresh
from playbook.delivery.wecom_payloads import GROUP_SEND_KIND
from playbook.errors import UsageError


def run_status(args: argparse.Namespace, path: Path, now: dt.datetime | None) -> int:
    if not path.is_file():
        sys.stdout.write(f"{path}: no ledger yet (nothing was posted)\n")
        return EXIT_OK
    ledger = Ledger.open(path)
    try:
        rows = ledger.all()
        counts = Counter(r.state for r in rows)
        sys.stdout.write(", ".join(f"{counts[s]} {s}" for s in STATES) + "\n")
        for r in rows:
            if r.state in ("failed", "unknown", "posting"):
                sys.stdout.write(f"{r.state:<8} {r.due[:16].replace('T', ' ')} {r.group} "
                                 f"[{r.message}]: {r.errmsg or ''}\n")
        if args.refresh:
            _refresh(args, ledger, [r for r in rows if r.state == "posted" and r.msgid
                                    and r.kind == GROUP_SEND_KIND])
        for msgid in sorted({r.msgid for r in rows if r.msgid}):
            results = ledger.results(msgid)
            if results:
                tally = Counter(RESULT_STATUS.get(s, str(s)) for _chat, s, _t in results)
                sys.stdout.write(f"{msgid}: " + ", ".join(f"{n} {k}" for k, n in sorted(tally.items()))
                                 + "\n")
        return EXIT_OK
    finally:
        ledger.close()


def _refresh(args: argparse.Namespace, ledger: Ledger, rows: list) -> None:  # type: ignore[type-arg]
    corp_id, secret = os.environ.get("WECOM_CORP_ID"), os.environ.get("WECOM_CORP_SECRET")
    if not corp_id or not secret:
        raise UsageError("--refresh needs WECOM_CORP_ID and WECOM_CORP_SECRET")
    files, _index = read_index(args.bundle)
    client = Client(os.environ.get(API_VARIABLE) or DEFAULT_API, corp_id, secret, {}, ledger)
    import json

    senders: dict[str, str] = {}
    for r in rows:
        if r.msgid in senders:
            continue
        payload = json.loads(files.read_text(r.payload, 64 * 1024 * 1024))
        senders[r.msgid] = str(payload["sender"])
        refresh(client, ledger, r.msgid, senders[r.msgid])


__all__ = ["run_status"]
