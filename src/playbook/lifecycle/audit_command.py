"""`playbook audit --metrics FILE [--date D] [--format text|csv|json|markdown]`.

`register` stays cheap (standard library only): the pipeline, the models and openpyxl are
imported when the command runs.

Exit codes: 0 when the audit ran on every row, whatever it recommends; 1 when the playbook does
not validate or rows of the file were left out (each reported as FILE:ROW:COL on stderr, the
audit of the other rows still printed); 2 when the file cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playbook.arguments import add_root, date

if TYPE_CHECKING:  # not imported at run time: see the module's docstring
    from playbook.lifecycle.metrics import Metrics

FORMATS = ("text", "csv", "json", "markdown")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `audit`."""
    audit = commands.add_parser(
        "audit", help="keep, move on, merge or disband each group, from its real daily figures",
        description="Read per-group daily figures (CSV in UTF-8, UTF-16 or GB18030, or XLSX; "
                    "groups matched by id, chat_id or name) and print, per roster group, its "
                    "stage, its figures against its type's targets and the decision its stage's "
                    "exit rules give, with the rule and numbers behind it (docs/audit.md).")
    add_root(audit)
    audit.add_argument("--metrics", type=Path, required=True, metavar="FILE",
                       help="the daily figures: .csv or .xlsx, one row per group and day")
    audit.add_argument("--date", type=date, default=None, metavar="YYYY-MM-DD",
                       help="the day audited (default: the last day the file has figures for)")
    audit.add_argument("--format", dest="fmt", choices=FORMATS, default="text",
                       help="text (default), csv, json or markdown")
    audit.set_defaults(run=run_audit_command)


def run_audit_command(args: argparse.Namespace) -> int:
    from playbook.lifecycle.audit import audit_day, needed_figures, run_audit
    from playbook.lifecycle.metrics import MetricsRefused, read_metrics
    from playbook.lifecycle.report import REPORTS
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, check, report_failure
    from playbook.reporters import REPORTERS

    checked = check(args.root)
    if checked.failing or checked.project is None:
        return report_failure(checked, "the audit")
    project = checked.project
    try:
        metrics = read_metrics(args.metrics, project, needed_figures(project))
    except MetricsRefused as refused:
        sys.stderr.write(REPORTERS["text"]([refused.diagnostic], 1))
        return EXIT_USAGE
    if metrics.problems:
        sys.stderr.write(REPORTERS["text"](metrics.problems, 1))
        print(f"playbook: audit: {_rows(metrics)} of {metrics.rows} left out (see above)", file=sys.stderr)
    day = audit_day(metrics, args.date)
    if day is None:
        print("playbook: audit stopped: the file gives no figures for any roster group; name the "
              "day with --date to audit without figures", file=sys.stderr)
        return EXIT_FINDINGS
    sys.stdout.write(REPORTS[args.fmt](project, run_audit(project, metrics, day)))
    return EXIT_FINDINGS if metrics.problems else EXIT_OK


def _rows(metrics: Metrics) -> str:
    rows = {d.span.line for d in metrics.problems if d.code != "PB062"}
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
