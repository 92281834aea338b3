"""`playbook build` and `playbook serve` (registered by `playbook.cli`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from playbook.arguments import add_root, date
from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, check, report_failure, report_stop
from playbook.schedule import today

SITE_FOLDER = "site"


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `build` and `serve`."""
    build = commands.add_parser(
        "build", help="build the operator handbook (a static site) from the playbook",
        description="Validate ROOT, then build the operator handbook into ROOT/site (or --out). "
                    "A failed validation or build leaves the previous site untouched.")
    _common(build)
    build.add_argument("--out", type=Path, default=None,
                       help="folder for the site (default: ROOT/site)")
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
    day: dt.date = args.date if args.date is not None else today()
    return day


def run_build(args: argparse.Namespace) -> int:
    from playbook.handbook.compile import build_site, compile_handbook
    from playbook.handbook.site import SiteBuildFailed

    day = _day(args)
    checked = check(args.root)
    if checked.failing or checked.project is None:
        return report_failure(checked, "the build")
    try:
        compiled = compile_handbook(checked.project, day)
    except TemplateError as err:  # a page template of the playbook's templates/handbook/
        where = f"{err.filename}:{err.lineno}: " if isinstance(err, TemplateSyntaxError) else ""
        print(f"playbook: handbook template: {where}{type(err).__name__}: {err}", file=sys.stderr)
        print("playbook: the build stopped; nothing was written", file=sys.stderr)
        return EXIT_FINDINGS
    if compiled.diagnostics:
        return report_stop(compiled.diagnostics, checked.files_checked, "the build")
    target: Path = args.out if args.out is not None else args.root / SITE_FOLDER
    try:
        build_site(checked.project, compiled, day, target)
    except SiteBuildFailed as err:
        for problem in err.problems:
            print(f"playbook: handbook: {problem}", file=sys.stderr)
        print(f"playbook: the build stopped: MkDocs refused the pages; {target} was left as it was",
              file=sys.stderr)
        return EXIT_FINDINGS
    print(f"{target}: handbook built ({len(compiled.handbook.pages)} pages, as of {day.isoformat()})")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from playbook.handbook.serve import serve

    return serve(args.root, _day(args), args.dev_addr)
