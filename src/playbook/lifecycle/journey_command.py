"""`playbook journey --group G --joined "YYYY-MM-DD HH:MM"`: what one member receives.

`register` stays cheap: the schedule and the message renderer are imported when it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from playbook.arguments import add_root, date
from playbook.errors import UsageError

DEFAULT_JOIN_TIME = dt.time(20, 0)
"""A join given as a day only is taken at 20:00, when the seeds' groups open and most join."""


def joined_at(text: str) -> dt.datetime:
    """`YYYY-MM-DD` or `YYYY-MM-DD HH:MM` (naive, in the playbook's time zone)."""
    day_text, _, clock_text = text.strip().partition(" ")
    day = date(day_text)
    if not clock_text:
        return dt.datetime.combine(day, DEFAULT_JOIN_TIME)
    try:
        clock = dt.time.fromisoformat(clock_text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day and time; write YYYY-MM-DD HH:MM") \
            from None
    return dt.datetime.combine(day, clock.replace(second=0, microsecond=0))


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `journey`."""
    cmd = commands.add_parser(
        "journey", help="list every message one member joining a group receives",
        description="Every message one member joining GROUP at the given moment receives, in "
                    "order: the join ceremony, member programmes, the group's own schedule "
                    "(programmes, calendar, launches) and the scripts that come next.")
    add_root(cmd)
    cmd.add_argument("--group", required=True, metavar="GROUP", help="the group joined")
    cmd.add_argument("--joined", required=True, type=joined_at, metavar="'DATE [HH:MM]'",
                     help="when the member joins, YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (default 20:00)")
    cmd.add_argument("--until", type=date, default=None, metavar="DATE",
                     help="the last day shown (default: the last day a script of the journey "
                          "reaches, and at least a week)")
    cmd.set_defaults(run=run_journey)


def run_journey(args: argparse.Namespace) -> int:
    from playbook.lifecycle.journey import journey, text
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, check, report_failure
    from playbook.reporters import REPORTERS
    from playbook.schedule import local, zone_of
    from playbook.suggest import did_you_mean

    checked = check(args.root)
    if checked.failing or checked.project is None:
        return report_failure(checked, "the journey")
    project = checked.project
    if args.group not in project.groups:
        hint = did_you_mean(args.group, sorted(project.groups))
        raise UsageError(f"--group {args.group}: no such group" + (f" ({hint})" if hint else ""))
    joined = local(args.joined.date(), args.joined.time(), zone_of(project))
    if args.until is not None and args.until < joined.date():
        raise UsageError(f"--until {args.until} is before the join day {joined.date()}")
    found = journey(project, args.group, joined, args.until)
    if found.diagnostics:
        sys.stderr.write(REPORTERS["text"](found.diagnostics, checked.files_checked))
        return EXIT_FINDINGS
    sys.stdout.write(text(project, found))
    return EXIT_OK
