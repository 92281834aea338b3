"""`playbook diff [BASE [HEAD]]`: what a change does to the documents and to the messages
each group gets over the coming days. BASE defaults to the merge base with the default
branch, HEAD to the working tree.

`register` stays cheap: the review machinery (models, schedule, Jinja2) is imported by `run`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

from playbook.errors import UsageError

DEFAULT_DAYS = 14
FORMATS = ("json", "markdown", "text")
"""`--format` choices; the names of playbook.review.report.FORMATS (tests/test_cli.py), repeated
so that building the command line does not import the review."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `playbook diff`."""
    parser = commands.add_parser(
        "diff", help="what a change does: documents, and messages per group over the next days",
        description="Compare the playbook at two git revisions: added, removed and changed "
                    "documents field by field, a missing version bump (error PB801), and the "
                    "messages each group gets that are added, removed, retimed or reworded.")
    parser.add_argument("base", nargs="?", metavar="BASE",
                        help="git revision to compare from (default: the merge base with the "
                             "default branch)")
    parser.add_argument("head", nargs="?", metavar="HEAD",
                        help="git revision to compare to (default: the working tree)")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the playbook folder inside the repository; default: .")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                        help=f"how many days of messages to compare, from today (default: {DEFAULT_DAYS})")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text for a terminal, markdown for a pull-request comment, json")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from playbook.diagnostics import ordered
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, check, report_failure, require_playbook
    from playbook.review.documents import document_changes, version_problems
    from playbook.review.messages import message_changes
    from playbook.review.report import FORMATS as RENDERERS
    from playbook.review.report import Review
    from playbook.review.revisions import default_base, extract, short
    from playbook.schedule import today

    root: Path = args.root
    if args.days < 1 or args.days > 366:
        raise UsageError("--days must be between 1 and 366")
    require_playbook(root)
    base_rev = args.base or default_base(root)
    start = today()
    end = start + dt.timedelta(days=args.days - 1)
    with tempfile.TemporaryDirectory(prefix="playbook-diff-") as scratch:
        base_root = extract(root, base_rev, Path(scratch) / "base")
        head_root = root if args.head is None else extract(root, args.head, Path(scratch) / "head")
        if head_root is None:
            raise UsageError(f"revision '{args.head}' has no playbook at {root}")
        base = check(base_root) if base_root is not None else None
        if base is not None and base.project is None:
            print(f"playbook: the base revision {base_rev} does not validate:", file=sys.stderr)
            return report_failure(base, "the diff")
        head = check(head_root)
        if head.failing or head.project is None:
            return report_failure(head, "the diff")
        base_project = base.project if base is not None else None
        documents = document_changes(base_project, head.project)
        review = Review(
            base=short(root, base_rev),
            head="working tree" if args.head is None else short(root, args.head),
            start=start, end=end, documents=documents,
            messages=message_changes(base_project, head.project, start, end),
            problems=ordered(version_problems(documents, head.project)),
        )
    sys.stdout.write(RENDERERS[args.format](review))
    return EXIT_FINDINGS if review.problems else EXIT_OK
