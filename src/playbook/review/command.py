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

from playbook.arguments import add_root_alias
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
    parser.add_argument("words", nargs="*", metavar="[ROOT] [BASE [HEAD]]",
                        help="ROOT: the playbook folder inside the repository (default: .), "
                             "taken as ROOT when it is a folder holding playbook.yaml; BASE: the "
                             "git revision to compare from (default: the merge base with the "
                             "default branch); HEAD: the revision to compare to (default: the "
                             "working tree)")
    add_root_alias(parser)
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                        help=f"how many days of messages to compare, from today (default: {DEFAULT_DAYS})")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text for a terminal, markdown for a pull-request comment, json")
    parser.set_defaults(run=run)


def split_words(words: list[str]) -> tuple[Path, str | None, str | None]:
    """(ROOT, BASE, HEAD) from `diff`'s positional words: the first is ROOT when it names a
    folder holding playbook.yaml (as every other command takes ROOT), the rest are revisions."""
    rest = list(words)
    root = Path(".")
    if rest and (Path(rest[0]) / "playbook.yaml").is_file():
        root = Path(rest.pop(0))
    if len(rest) > 2:
        raise UsageError(f"too many arguments: {' '.join(words)} (at most ROOT BASE HEAD, and ROOT "
                         f"must be a folder holding playbook.yaml)")
    return root, (rest[0] if rest else None), (rest[1] if len(rest) > 1 else None)


def run(args: argparse.Namespace) -> int:
    from playbook.diagnostics import ordered
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, check, report_failure, require_playbook
    from playbook.review.documents import document_changes, version_problems
    from playbook.review.messages import message_changes
    from playbook.review.report import FORMATS as RENDERERS
    from playbook.review.report import Review
    from playbook.review.revisions import default_base, extract, short
    from playbook.schedule import today

    root, base_arg, head_arg = split_words(args.words)
    alias = getattr(args, "root", None)  # the deprecated --root, moved there by merge_root_alias
    if alias is not None:
        if root != Path(".") and root != alias:
            raise UsageError(f"two playbook folders given: ROOT {root} and --root {alias}")
        root = alias
    if args.days < 1 or args.days > 366:
        raise UsageError("--days must be between 1 and 366")
    require_playbook(root)
    base_rev = base_arg or default_base(root)
    start = today()
    end = start + dt.timedelta(days=args.days - 1)
    with tempfile.TemporaryDirectory(prefix="playbook-diff-") as scratch:
        base_root = extract(root, base_rev, Path(scratch) / "base")
        head_root = root if head_arg is None else extract(root, head_arg, Path(scratch) / "head")
        if head_root is None:
            raise UsageError(f"revision '{head_arg}' has no playbook at {root}")
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
            head="working tree" if head_arg is None else short(root, head_arg),
            start=start, end=end, documents=documents,
            messages=message_changes(base_project, head.project, start, end),
            problems=ordered(version_problems(documents, head.project)),
        )
    sys.stdout.write(RENDERERS[args.format](review))
    return EXIT_FINDINGS if review.problems else EXIT_OK
