"""Command-line entry points of message bundles: `playbook export` and `playbook agenda`.

`register` stays cheap: the bundle machinery (the models, Jinja2) is imported when a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playbook.arguments import add_root, date, source_date_epoch
from playbook.errors import UsageError

if TYPE_CHECKING:
    from playbook.bundle.export import Progress

MAX_RANGE_DAYS = 366
"""The longest --from..--to export without --allow-long-range: a year (a bundle of the shipped
playbook takes about 80 MB a year, and a mistyped year should not fill a disk)."""
PROGRESS_MIN_GROUPS = 10
"""Below this many groups an export is quick enough to need no progress bar."""
FORMATS = ("json", "csv", "xlsx", "md", "ics", "wecom")
"""`--format` choices, in build order; equal to playbook.bundle.export.FORMATS (tests/test_cli.py),
repeated here so that building the command line does not import the exporters."""
DEFAULT_FORMATS = ("json", "csv", "xlsx", "md", "ics")
"""Without `--format`; WeCom payloads (`wecom`) are written when asked for."""


def _formats(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or '(none)'}; choose from {','.join(FORMATS)}")
    return names


def _values(given: list[str] | None) -> tuple[str, ...]:
    """Repeatable, comma-separated option values, in order, without repeats."""
    return tuple(dict.fromkeys(v.strip() for item in given or [] for v in item.split(",") if v.strip()))


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `export` and `agenda`."""
    export = commands.add_parser(
        "export", help="write the message bundle of a date range (JSON, CSV, run sheets, calendars)",
        description="Expand the schedule from --from to --to (both included), render every message "
                    "for its group and write messages.json, messages.csv, messages.xlsx, "
                    "md/<operator>/<date>.md, ics/<operator>.ics and ics/groups/<group>.ics, "
                    "media/, replies.json, replies.md and manifest.json. "
                    "The folder is replaced as a whole; a failed export leaves it untouched.")
    add_root(export)
    export.add_argument("--from", dest="start", required=True, type=date, metavar="DATE",
                        help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", required=True, type=date, metavar="DATE",
                        help="last day, YYYY-MM-DD (included)")
    for name, what in (("group", "group id"), ("operator", "operator id"), ("platform", "platform"),
                       ("locale", "locale")):
        export.add_argument(f"--{name}", action="append", metavar=name.upper(),
                            help=f"only this {what} (repeat or separate with commas)")
    export.add_argument("--format", dest="formats", type=_formats, default=DEFAULT_FORMATS,
                        metavar="LIST",
                        help=f"formats to write, comma-separated, from {','.join(FORMATS)} (default: "
                             f"{','.join(DEFAULT_FORMATS)}); "
                             "replies.json and manifest.json are always written")
    export.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output folder (default: bundles/<from>_<to> in the current folder); "
                             "it must be missing, empty or a bundle playbook wrote before, never "
                             "the playbook or a folder holding it")
    export.add_argument("--allow-long-range", action="store_true",
                        help=f"allow a range longer than {MAX_RANGE_DAYS} days (bundles grow with "
                             "every day)")
    export.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")
    export.set_defaults(run=run_export)

    agenda_cmd = commands.add_parser(
        "agenda", help="print what is live in a group (or all groups) on a day",
        description="For each group: calendars in force, programmes running, launches under way, "
                    "and every message due that day.")
    add_root(agenda_cmd)
    agenda_cmd.add_argument("--group", action="append", metavar="GROUP",
                            help="only this group (repeat or separate with commas)")
    agenda_cmd.add_argument("--date", type=date, default=None, metavar="DATE",
                            help="the day, YYYY-MM-DD (default: today, or PLAYBOOK_TODAY)")
    agenda_cmd.set_defaults(run=run_agenda)


def _show_progress(quiet: bool, groups: int) -> bool:
    return (not quiet and groups >= PROGRESS_MIN_GROUPS and os.environ.get("CI") != "true"
            and sys.stderr.isatty())


@contextmanager
def _progress_bar(show: bool, total: int) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("exporting", total=total)
        yield lambda step: bar.update(task, advance=1, description=f"exporting: {step}")


def run_export(args: argparse.Namespace) -> int:
    from playbook.bundle.export import Bundle, build_bundle, git_commit, git_dirty, steps, unknown_filters
    from playbook.exporters import Filters
    from playbook.incremental import checked_beside
    from playbook.models.project import Project
    from playbook.output_guard import check_output, listed_by_manifest
    from playbook.pipeline import EXIT_OK, report_failure, report_stop
    from playbook.writer import FolderSink, staged_tree

    if args.end < args.start:
        raise UsageError(f"--to {args.end} is before --from {args.start}")
    days = (args.end - args.start).days + 1
    if days > MAX_RANGE_DAYS and not args.allow_long_range:
        raise UsageError(f"--from {args.start} --to {args.end} spans {days} days, more than "
                         f"{MAX_RANGE_DAYS}; pass --allow-long-range to export it anyway")
    source_date_epoch()  # a bad SOURCE_DATE_EPOCH stops the export before any work
    out: Path = args.out or Path("bundles") / f"{args.start.isoformat()}_{args.end.isoformat()}"
    label = f"--out {args.out}" if args.out is not None else str(out)
    check_output(out, KIND, root=args.root, label=label, adopt=listed_by_manifest)
    filters = Filters(_values(args.group), _values(args.operator), _values(args.platform),
                      _values(args.locale))
    try:
        # each file goes into the stage as soon as it is made; the stage replaces `out` only
        # when the whole bundle is there (a failure or an interruption leaves `out` as it was)
        with staged_tree(out, KIND, root=args.root, label=label) as stage:
            sink = FolderSink(stage)

            def bundled(project: Project) -> Bundle | list[str]:
                """The bundle, put into the stage; the unknown filters instead, if any."""
                problems = unknown_filters(project, filters)
                if problems:
                    return problems
                with _progress_bar(_show_progress(args.quiet, len(project.groups)),
                                   steps(args.formats)) as progress:
                    return build_bundle(project, args.start, args.end, groups=filters.groups,
                                        operators=filters.operators, platforms=filters.platforms,
                                        locales=filters.locales, formats=args.formats,
                                        commit=git_commit(args.root), dirty=git_dirty(args.root),
                                        progress=progress, sink=sink)

            # on a large playbook checked from scratch, the bundle is made while the lint rules
            # run in a second process (thrown away with the stage if the check fails); else
            # after the check, reusing the last check's work where it holds
            checked, made = checked_beside(args.root, bundled)
            if checked.failing or checked.project is None:
                raise _Abandoned(lambda: report_failure(checked, "the export"))
            bundle = made if made is not None else bundled(checked.project)
            if isinstance(bundle, list):
                raise UsageError("; ".join(bundle))
            if bundle.failing:
                stopped = bundle
                raise _Abandoned(lambda: report_stop(stopped.diagnostics, checked.files_checked,
                                                     "the export"))
    except _Abandoned as abandoned:
        return abandoned.report()
    if not args.quiet:
        replies = sum(len(s.replies) for s in bundle.replies)
        print(f"{out}: {len(bundle.messages)} messages, {replies} replies, {len(sink.listing)} files")
    return EXIT_OK


KIND = "bundle"
"""The kind of output a bundle folder is (its `.playbook-output` marker)."""
class _Abandoned(Exception):
    """Raised inside `staged_tree` to throw the stage away and keep the previous bundle; `report`
    prints why, once the stage is gone, and gives the exit code."""

    def __init__(self, report: Callable[[], int]) -> None:
        super().__init__()
        self.report = report


def run_agenda(args: argparse.Namespace) -> int:
    from playbook.bundle.agenda import agenda
    from playbook.bundle.export import unknown_filters
    from playbook.exporters import Filters
    from playbook.incremental import checked as checked_with_state
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, report_failure
    from playbook.reporters import REPORTERS
    from playbook.schedule import today

    checked = checked_with_state(args.root)
    if checked.failing or checked.project is None:
        return report_failure(checked, "the agenda")
    groups = _values(args.group)
    problems = unknown_filters(checked.project, Filters(groups=groups))
    if problems:
        raise UsageError("; ".join(problems))
    result = agenda(checked.project, args.date or today(), groups)
    if result.diagnostics:
        sys.stderr.write(REPORTERS["text"](result.diagnostics, checked.files_checked))
        return EXIT_FINDINGS
    sys.stdout.write(result.text)
    return EXIT_OK
