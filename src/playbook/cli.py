"""The `playbook` command. Wiring only: parse arguments into a plain object, then run.

Exit codes: 0 clean, 1 findings at or above the failing severity (or schema drift),
2 usage, configuration or I/O problems.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from playbook import __version__
from playbook.arguments import add_root
from playbook.bundle import command as bundle_command
from playbook.errors import UsageError
from playbook.handbook import command as handbook_command
from playbook.lint import catalogue
from playbook.lint.config import ConfigError, load_config
from playbook.migrate import command as migrate_command
from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, check, require_playbook
from playbook.reporters import REPORTERS
from playbook.review import command as review_command
from playbook.scaffold import command as scaffold_command
from playbook.schema import SCHEMA_DIR, drift, render_all
from playbook.writer import write_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playbook",
        description="Community-operations playbooks as code: validate YAML playbooks, "
                    "publish their schemas, build the handbook and message bundles.",
    )
    parser.add_argument("--version", action="version", version=f"playbook {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate", help="check every document of a playbook and report all problems",
        description="Load and check every document under ROOT. Problems are printed as "
                    "FILE:LINE:COL: SEVERITY CODE message.")
    add_root(validate)
    validate.add_argument(
        "--format", choices=sorted(REPORTERS), default=None,
        help="output format (default: github when GITHUB_ACTIONS is set, else text)")

    validate.add_argument("--select", action="append", metavar="CODES",
                          help="only these codes or prefixes, e.g. PB1,PB401 (adds to config)")
    validate.add_argument("--ignore", action="append", metavar="CODES",
                          help="skip these codes or prefixes, e.g. PB115")
    validate.add_argument("--fail-level", choices=["error", "warning"], default=None,
                          help="lowest severity that makes the exit code 1 (default: error)")

    rules = commands.add_parser(
        "rules", help="list every diagnostic code, or explain one",
        description="List every diagnostic code with its name, default severity and summary.")
    rules.add_argument("--explain", metavar="CODE", help="print one rule's full explanation")
    rules.add_argument("--markdown", action="store_true",
                       help="print the whole reference as Markdown (docs/rules.md)")

    schema = commands.add_parser(
        "schema", help="write the JSON Schemas of every document kind",
        description="Write schema/<kind>.schema.json (JSON Schema 2020-12) from the models.")
    schema.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the files differ from the models")
    schema.add_argument("--out", type=Path, default=Path(SCHEMA_DIR),
                        help="folder for the schema files (default: schema)")

    # Commands living with their feature: each sets `run` (args -> exit code) as a default.
    for feature in (handbook_command, bundle_command, review_command, migrate_command, scaffold_command):
        feature.register(commands)
    return parser


def _format(requested: str | None) -> str:
    if requested:
        return requested
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def run_validate(root: Path, fmt: str, flags: argparse.Namespace) -> int:
    require_playbook(root)
    config = load_config(root).with_flags(flags.select, flags.ignore, flags.fail_level)
    checked = check(root, config)
    sys.stdout.write(REPORTERS[fmt](checked.diagnostics, checked.files_checked))
    return EXIT_FINDINGS if checked.failing else EXIT_OK


def run_rules(explain_code: str | None, as_markdown: bool) -> int:
    if explain_code:
        text = catalogue.explain(explain_code)
        if text is None:
            raise UsageError(f"no rule {explain_code}; `playbook rules` lists them")
        sys.stdout.write(text)
    else:
        sys.stdout.write(catalogue.markdown() if as_markdown else catalogue.table())
    return EXIT_OK


def run_schema(out: Path, check: bool) -> int:
    if check:
        stale = drift(out)
        for name in stale:
            print(f"{out / name}: out of date; run `playbook schema` to regenerate")
        if not stale:
            print(f"{out}: schemas match the models")
        return EXIT_FINDINGS if stale else EXIT_OK
    for name, text in render_all().items():
        changed = write_text(out / name, text)
        print(f"{out / name}: {'written' if changed else 'unchanged'}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return run_validate(args.root, _format(args.format), args)
        if args.command == "rules":
            return run_rules(args.explain, args.markdown)
        if args.command == "schema":
            return run_schema(args.out, args.check)
        if hasattr(args, "run"):
            code: int = args.run(args)
            return code
    except (UsageError, ConfigError) as err:
        print(f"playbook: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"playbook: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    raise AssertionError(f"unhandled command {args.command}")
