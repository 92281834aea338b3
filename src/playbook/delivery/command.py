"""`playbook send BUNDLE`: post the due WeCom payloads of a bundle (`export --format wecom`),
each exactly once, or (by default) print what it would post and why the rest is skipped.

Secrets come from the environment only: `WECOM_CORP_ID`, `WECOM_CORP_SECRET` (company group
sends) and `WECOM_ROBOT_<NAME>` per robot (see `routes.robot_variable`); the API base from
`PLAYBOOK_WECOM_API`. `register` stays cheap: the delivery modules load when the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from playbook.errors import UsageError

API_VARIABLE = "PLAYBOOK_WECOM_API"
NOW_VARIABLE = "PLAYBOOK_NOW"
LEDGER = ".playbook/ledger.sqlite"
EXIT_OK, EXIT_PROBLEMS = 0, 1


def register(commands: argparse._SubParsersAction[Any]) -> None:
    from playbook.delivery.outbox import duration

    send = commands.add_parser(
        "send", help="post a bundle's due WeCom messages, exactly once (dry run by default)",
        description="Read BUNDLE/wecom/ (playbook export --format wecom) and post what is due: "
                    "company group sends and group robot messages whose time has come and that are "
                    "at most --grace late. Without --post, print what would be posted, to whom, "
                    "and why the rest is skipped. A ledger records every post, so a message is "
                    "never posted twice.")
    send.add_argument("bundle", type=Path, help="the bundle folder (holds wecom/index.json)")
    send.add_argument("--post", action="store_true", help="really post (default: dry run)")
    send.add_argument("--now", metavar="'YYYY-MM-DD HH:MM'",
                      help=f"the time to judge what is due, in the playbook's zone (also {NOW_VARIABLE})")
    send.add_argument("--grace", type=duration, default=dt.timedelta(minutes=30), metavar="DURATION",
                      help="how late a message may still be posted, e.g. 30m, 1h (default: 30m)")
    send.add_argument("--ledger", type=Path, metavar="PATH",
                      help=f"the ledger database (default: ROOT/{LEDGER})")
    send.add_argument("--root", type=Path, default=Path("."),
                      help="the playbook folder that keeps the ledger (default: .)")
    send.add_argument("--retry-unknown", action="store_true",
                      help="post again what may or may not have been posted (check the groups first)")
    send.add_argument("--status", action="store_true", help="summarise the ledger instead of posting")
    send.add_argument("--refresh", action="store_true",
                      help="with --status: fetch each group's result of company group sends")
    send.set_defaults(run=run_send)


def _now(args: argparse.Namespace, zone: str) -> dt.datetime | None:
    from playbook.delivery.outbox import clock_time

    text = args.now or os.environ.get(NOW_VARIABLE, "").strip()
    return clock_time(text, zone) if text else None


def _ledger_path(args: argparse.Namespace, create: bool) -> Path:
    from playbook.writer import safe_folder

    if args.ledger is not None:
        return Path(args.ledger)
    folder = safe_folder(args.root, ".playbook") if create else args.root / ".playbook"
    return folder / "ledger.sqlite"


def robot_keys(robots: set[str]) -> tuple[dict[str, str], list[str]]:
    """Each robot's key from the environment, and the variables missing."""
    from playbook.delivery.routes import robot_variable

    keys, missing = {}, []
    for robot in sorted(robots):
        exact = f"WECOM_ROBOT_{robot.upper()}"
        value = os.environ.get(exact) or os.environ.get(robot_variable(robot))
        if value:
            keys[robot] = value
        else:
            missing.append(f"{robot_variable(robot)} (robot {robot})")
    return keys, missing


def run_send(args: argparse.Namespace) -> int:
    from playbook.delivery.outbox import read_index

    if args.refresh and not args.status:
        raise UsageError("--refresh goes with --status")
    _files, index = read_index(args.bundle)
    now = _now(args, str(index.get("time_zone") or "Asia/Shanghai"))
    if args.status:
        from playbook.delivery.status import run_status

        return run_status(args, _ledger_path(args, create=args.refresh), now)
    if not args.post:
        return _dry_run(args, now)
    from playbook.delivery.sending import run_post

    return run_post(args, _ledger_path(args, create=True), now)


def _dry_run(args: argparse.Namespace, now: dt.datetime | None) -> int:
    from playbook.delivery.ledger import Ledger
    from playbook.delivery.outbox import outbox

    path = _ledger_path(args, create=False)
    rows = {}
    if path.is_file():
        ledger = Ledger.open(path)
        rows = {d.message: d for d in ledger.all()}
        ledger.close()
    box = outbox(args.bundle, now, None, args.grace, rows, lambda _token: True, args.retry_unknown)
    print_outbox(box, "would post")
    return EXIT_OK


def print_outbox(box: Any, due_word: str) -> None:
    """One line per payload that is due or skipped (not the future ones), then the manual ones."""
    from playbook.delivery.outbox import Outbox

    assert isinstance(box, Outbox)
    future = 0
    for e in box.entries:
        if e.verdict == "future":
            future += 1
            continue
        what = "company group send" if e.kind == "wecom-group-send" else "robot"
        head = due_word if e.verdict == "due" else f"skip ({e.verdict})"
        tail = f": {e.why}" if e.why else ""
        sys.stdout.write(f"{head:<16} {e.at:%Y-%m-%d %H:%M} {what} -> {', '.join(e.groups)} "
                         f"[{e.file}]{tail}\n")
    manual = box.manual_due()
    for m in manual:
        sys.stdout.write(f"{'manual':<16} {m['at'][:16].replace('T', ' ')} {m['group']} "
                         f"[{m['message']}]: {m['reason']}\n")
    sys.stdout.write(f"{sum(e.verdict == 'due' for e in box.entries)} due, {future} not yet due, "
                     f"{len(manual)} manual now\n")


__all__ = ["API_VARIABLE", "NOW_VARIABLE", "register", "robot_keys", "run_send"]
