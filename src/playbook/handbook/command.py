"""`playbook build` and `playbook serve` (registered by `playbook.cli`).

Only the standard library and `playbook.arguments` are imported at module level: `playbook.cli`
imports this module for every command, and the rest (Jinja2, the pipeline, MkDocs) is only
needed once `build` or `serve` runs."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playbook.arguments import add_root, date, source_date_epoch

if TYPE_CHECKING:  # not imported at run time: see the module's docstring
    from playbook.handbook.compile import SitePlan
    from playbook.handbook.progress import Progress

SITE_FOLDER = "site"


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `build` and `serve`."""
    build = commands.add_parser(
        "build", help="build the operator handbook (a static site) from the playbook",
        description="Validate ROOT, then build the operator handbook into ROOT/site (or --out). "
                    "The generated pages are kept in ROOT/.playbook/handbook; when none of them "
                    "changed and the site is the one built from them, MkDocs does not run. "
                    "A failed validation or build leaves the previous site untouched.")
    _common(build)
    build.add_argument("--out", type=Path, default=None,
                       help="folder for the site (default: ROOT/site); it must be missing, empty "
                            "or a site playbook built before, never the playbook or a folder "
                            "holding it")
    build.add_argument("--force", action="store_true",
                       help="run MkDocs even when the site is up to date")
    build.add_argument("--metrics", type=Path, default=None, metavar="FILE",
                       help="per-group daily figures (.csv or .xlsx, as `playbook audit` reads "
                            "them): adds a lifecycle page with each group's stage and decision")
    build.add_argument("--ledger", type=Path, default=None, metavar="PATH",
                       help="a `playbook send` ledger (read only): each operator page adds how "
                            "each WeCom message went out and what each group got")
    build.add_argument("--quiet", "-q", action="store_true",
                       help="print only problems: no progress line (shown on a terminal only) and "
                            "no summary")
    build.set_defaults(run=run_build)

    serve = commands.add_parser(
        "serve", help="preview the handbook with live reload while you edit the playbook",
        description="Build the handbook and serve it on http://ADDRESS; pages are rebuilt "
                    "whenever a playbook file changes.")
    _common(serve)
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT",
                       help="address to serve on (default: 127.0.0.1:8000)")
    serve.set_defaults(run=run_serve)


def _common(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("--date", type=date, default=None, metavar="YYYY-MM-DD",
                        help="the day the handbook's 'today' and 'this week' show "
                             "(default: today, or PLAYBOOK_TODAY)")


def _day(args: argparse.Namespace) -> dt.date:
    from playbook.schedule import today

    day: dt.date = args.date if args.date is not None else today()
    return day


def run_build(args: argparse.Namespace) -> int:
    from playbook.handbook import site, unchanged
    from playbook.output_guard import check_output

    day = _day(args)
    source_date_epoch()  # a bad SOURCE_DATE_EPOCH stops the build before any work
    if args.ledger is not None:  # so does a --ledger that is missing, special or not a ledger
        from playbook.delivery.ledger_view import read_ledger

        args.ledger_rows = read_ledger(args.ledger)
    target: Path = args.out if args.out is not None else args.root / SITE_FOLDER
    label = f"--out {args.out}" if args.out is not None else str(target)
    check_output(target, site.KIND, root=args.root, label=label,
                 adopt=lambda _: site.made_here(args.root, target))
    wanted = unchanged.key(args, day, target)
    pages = unchanged.pages_if_current(args.root, wanted, target, day) if wanted is not None else None
    if pages is not None:  # nothing the last build read has changed, and its site is in place
        if not args.quiet:
            _say_up_to_date(target, pages, day)
        return 0  # EXIT_OK: playbook.pipeline is not imported on this path
    # only a build that has work to do pays for importing the checks, Jinja2 and MkDocs
    from playbook import forked
    from playbook.handbook.compile import make_site
    from playbook.handbook.progress import Progress
    from playbook.handbook.site import SiteBuildFailed
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK

    progress = Progress.for_terminal(sys.stderr, quiet=args.quiet)
    try:
        # the playbook is checked and compiled in a child process that gives its memory back when
        # it exits: MkDocs then runs here without the playbook's models and pages beside it
        plan = forked.apart(lambda: _prepare(args, day, target, progress))
        if isinstance(plan, int):
            return plan
        progress.shown_elsewhere()
        try:
            done = make_site(plan, day, target, progress=progress)
        except SiteBuildFailed as err:
            from playbook.inert import terminal  # MkDocs quotes page titles and paths from the playbook

            progress.close()
            for problem in err.problems:
                print(terminal(f"playbook: handbook: {problem}"), file=sys.stderr)
            print(f"playbook: the build stopped: MkDocs refused the pages; {target} was left as it was",
                  file=sys.stderr)
            return EXIT_FINDINGS
    finally:
        progress.close()
    if wanted is not None:
        unchanged.remember(args.root, wanted, done, args, day, target)
    if not args.quiet:
        if done.built:
            print(f"{target}: handbook built ({done.pages} pages, {done.written} written, "
                  f"as of {day.isoformat()})")
        else:
            _say_up_to_date(target, done.pages, day)
    return EXIT_OK


def _prepare(args: argparse.Namespace, day: dt.date, target: Path, progress: Progress) -> int | SitePlan:
    """Check the playbook (reusing the last check's work where it holds), compile the pages and
    bundles and bring the workspace up to date: what `make_site` needs, or the exit code of a
    stop (its diagnostics printed)."""
    from jinja2 import TemplateError

    from playbook import incremental
    from playbook.handbook.compile import compile_handbook, prepare_site
    from playbook.handbook.environment import override_problems, template_error
    from playbook.pipeline import report_failure, report_stop

    checked = incremental.checked(args.root)
    if checked.failing or checked.project is None:
        return report_failure(checked, "the build")
    project = checked.project
    unusable = override_problems(project)  # not UTF-8, a link out, a FIFO, unreadable
    if unusable:
        return report_stop(unusable, checked.files_checked, "the build")
    try:
        compiled = compile_handbook(project, day, progress)
    except TemplateError as err:  # a page template of templates/handbook/ (PB207 checked the rest)
        progress.close()
        return report_stop([template_error(err)], checked.files_checked, "the build")
    if compiled.diagnostics:
        progress.close()
        return report_stop(compiled.diagnostics, checked.files_checked, "the build")
    if getattr(args, "metrics", None) is not None:
        from playbook.handbook.lifecycle_page import audited

        added = audited(compiled, project, args.metrics, day)
        if isinstance(added, int):
            progress.close()
            return added
        compiled = added
    if getattr(args, "ledger_rows", None) is not None:
        from playbook.handbook.delivery_status import with_delivery

        handbook = with_delivery(compiled.handbook, project, args.ledger_rows)
        compiled = dataclasses.replace(compiled, handbook=handbook)
    return prepare_site(project, compiled, day, target, force=args.force)


def _say_up_to_date(target: Path, pages: int, day: dt.date) -> None:
    print(f"{target}: handbook up to date (0 of {pages} pages written, as of {day.isoformat()})")


def run_serve(args: argparse.Namespace) -> int:
    from playbook.handbook.serve import serve

    return serve(args.root, _day(args), args.dev_addr)
