"""`playbook send --post`: check the secrets, settle what a dead run left `posting`, then post
every due payload in time order, each claimed in the ledger first."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from playbook.delivery.client import DEFAULT_API, Client
from playbook.delivery.command import API_VARIABLE, EXIT_OK, EXIT_PROBLEMS, print_outbox, robot_keys
from playbook.delivery.ledger import Ledger
from playbook.delivery.outbox import Outbox, outbox
from playbook.delivery.post import post, reconcile
from playbook.delivery.runs import Run
from playbook.delivery.wecom_payloads import GROUP_SEND_KIND
from playbook.errors import UsageError


def _client(box: Outbox, ledger: Ledger) -> Client:
    """A client with the secrets the due payloads need; a usage error names what is missing."""
    due = [e for e in box.entries if e.verdict in ("due", "unknown")]
    robots = {str(box.payload(e)["robot"]) for e in due if e.kind != GROUP_SEND_KIND}
    keys, missing = robot_keys(robots)
    corp_id, secret = os.environ.get("WECOM_CORP_ID"), os.environ.get("WECOM_CORP_SECRET")
    if any(e.kind == GROUP_SEND_KIND for e in due):
        missing = [v for v, given in (("WECOM_CORP_ID", corp_id), ("WECOM_CORP_SECRET", secret))
                   if not given] + missing
    if missing:
        raise UsageError("--post needs these environment variables: " + ", ".join(missing))
    return Client(os.environ.get(API_VARIABLE) or DEFAULT_API, corp_id, secret, keys, ledger)


def run_post(args: argparse.Namespace, path: Path, now: dt.datetime | None) -> int:
    ledger = Ledger.open(path)
    run = Run(path)
    try:
        box = _judge(args, ledger, run, now)
        client = _client(box, ledger)
        settled = 0
        for row in ledger.left_posting(run.alive):
            state = reconcile(client, ledger, box, row, time.time())
            sys.stdout.write(f"reconciled {row.message} [{row.payload}]: {state}\n")
            settled += 1
        if settled:
            box = _judge(args, ledger, run, now)
        print_outbox(box, "posting")
        problems = 0
        for entry in box.entries:
            if entry.verdict != "due":
                problems += entry.verdict in ("failed", "unknown", "refused")
                continue
            state, detail = post(client, ledger, box, entry, run.token, args.retry_unknown)
            problems += state in ("failed", "unknown")
            sys.stdout.write(f"{state:<16} {entry.at:%Y-%m-%d %H:%M} -> {', '.join(entry.groups)} "
                             f"[{entry.file}]{f': {detail}' if detail else ''}\n")
            sys.stdout.flush()
        return EXIT_PROBLEMS if problems else EXIT_OK
    finally:
        run.close()
        ledger.close()


def _judge(args: argparse.Namespace, ledger: Ledger, run: Run, now: dt.datetime | None) -> Outbox:
    rows = {d.message: d for d in ledger.all()}
    return outbox(args.bundle, now, None, args.grace, rows, run.alive, args.retry_unknown)


__all__ = ["run_post"]
