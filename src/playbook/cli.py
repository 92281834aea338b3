"""The `playbook` command. Wiring only: parse arguments into a plain object, then run.

Importing this module stays cheap (no pydantic, Jinja2, MkDocs, models or lint rules), so that
`playbook validate` answered from its cache (`playbook.cache`) and `playbook --help` are quick.

Exit codes: 0 clean, 1 findings at or above the failing severity (or schema drift),
2 usage, configuration or I/O problems.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from playbook import cache
from playbook.arguments import add_root, merge_root_alias
from playbook.bundle import command as bundle_command
from playbook.delivery import command as delivery_command
from playbook.errors import UsageError
from playbook.handbook import command as handbook_command
from playbook.lifecycle import audit_command, journey_command
from playbook.migrate import command as migrate_command
from playbook.reporters import REPORTERS, Places
from playbook.review import command as review_command
from playbook.roster import command as roster_command
from playbook.scaffold import command as scaffold_command

# Only light modules above: a cached `validate` must start fast. Loading, validation, the lint
# rules and the models (pydantic) are imported by the commands that run them.

SCHEMA_FOLDER = "schema"
"""The default of `schema --out`; equal to playbook.schema.SCHEMA_DIR (tests/test_cli.py)."""


class _ShowVersion(argparse.Action):
    """`--version`, like argparse's own, but reading the installed version only when asked: the
    package metadata lookup costs more than a whole cached `validate`."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from playbook import __version__

        sys.stdout.write(f"playbook {__version__}\n")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playbook",
        description="Community-operations playbooks as code: validate YAML playbooks, "
                    "publish their schemas, build the handbook and message bundles.",
    )
    parser.add_argument("--version", action=_ShowVersion,
                        help="show program's version number and exit")
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
    validate.add_argument("--base", metavar="REF",
                          help="also report PB801 for documents changed since git revision REF "
                               "without a version bump (as `playbook diff` does)")
    validate.add_argument("--no-cache", action="store_true",
                          help="check everything again, neither reading nor writing the result "
                               f"cache in ROOT/{cache.CACHE_FOLDER.as_posix()} (also: "
                               f"{cache.DISABLE_VARIABLE}=1)")

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
    schema.add_argument("--out", type=Path, default=Path(SCHEMA_FOLDER),
                        help=f"folder for the schema files (default: {SCHEMA_FOLDER})")

    # Commands living with their feature: each sets `run` (args -> exit code) as a default.
    for feature in (handbook_command, bundle_command, review_command, migrate_command, scaffold_command,
                    roster_command, audit_command, journey_command, delivery_command):
        feature.register(commands)
    return parser


def _format(requested: str | None) -> str:
    if requested:
        return requested
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def run_validate(root: Path, fmt: str, flags: argparse.Namespace) -> int:
    """Check the playbook at `root` and print the result in `fmt`. The result is reused from the
    cache when nothing it depends on changed, and stored after a fresh check."""
    options = {"select": flags.select, "ignore": flags.ignore, "fail_level": flags.fail_level}
    # --base compares with another revision: a result the cache keys on this tree alone
    use_cache = not (cache.disabled(flags.no_cache) or flags.base) and (root / "playbook.yaml").is_file()
    wanted, found = cache.key_and_inputs(root, options) if use_cache else (None, None)
    places = Places.of(root)  # paths are printed from here (SARIF: from the repository root)
    if wanted is not None:
        hit = cache.load(root, wanted)
        if hit is not None:
            sys.stdout.write(REPORTERS[fmt](hit.diagnostics, hit.files_checked, places))
            return hit.exit_code

    from playbook.lint.config import load_config
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, check, require_playbook

    require_playbook(root)
    config = load_config(root).with_flags(flags.select, flags.ignore, flags.fail_level)
    memory = None
    if wanted is not None and found is not None and cache.checked_before(root):
        # a miss, in a playbook checked here before: reuse what still holds of the last run, and
        # keep this one's work for the next (a first check, as on a fresh clone, keeps none)
        from playbook.incremental import Memory

        memory = Memory(root, found)
    checked = check(root, config, memory)
    diagnostics = checked.diagnostics
    if flags.base and checked.project is not None and config.enabled("PB801"):
        from playbook.diagnostics import ordered
        from playbook.review.bump import bump_problems

        diagnostics = ordered([*diagnostics, *bump_problems(root, flags.base, checked.project)])
    failing = checked.project is None or any(d.severity >= config.fail_level for d in diagnostics)
    code = EXIT_FINDINGS if failing else EXIT_OK
    sys.stdout.write(REPORTERS[fmt](diagnostics, checked.files_checked, places))
    sys.stdout.flush()
    if wanted is not None and _unchanged(root, wanted, options):
        cache.store(root, wanted, cache.Entry(diagnostics, checked.files_checked, code))
        if memory is not None:
            memory.store()
    return code


def _unchanged(root: Path, wanted: str, options: Mapping[str, Any]) -> bool:
    """Whether a fresh result may be stored: unless a file changed while it was being checked,
    as the result (and what the next run reuses) might then belong to neither version."""
    return cache.key(root, options) == wanted


def run_rules(explain_code: str | None, as_markdown: bool) -> int:
    from playbook.lint import catalogue
    from playbook.pipeline import EXIT_OK

    if explain_code:
        text = catalogue.explain(explain_code)
        if text is None:
            raise UsageError(f"no rule {explain_code}; `playbook rules` lists them")
        sys.stdout.write(text)
    else:
        sys.stdout.write(catalogue.markdown() if as_markdown else catalogue.table())
    return EXIT_OK


def run_schema(out: Path, check: bool) -> int:
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK
    from playbook.schema import drift, render_all
    from playbook.writer import write_text

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


EXIT_INTERRUPTED = 130
"""The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it."""


def command() -> NoReturn:
    """The `playbook` command (and `python -m playbook`): `main`, then exit without tearing the
    interpreter down object by object.

    A large playbook is millions of objects; freeing them one by one after the work is done
    took 1.4 s of a 5 s `validate` on the 4,000-file L corpus. The exit handlers still run
    (logging, temp files, thread pools), and stdout and stderr are flushed, so nothing that was
    written is lost; only the freeing, which the operating system does at once, is skipped."""
    code = main()
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`| head`): what it wanted, it has
        os._exit(code or 1)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; Ctrl-C anywhere ends it with one line and exit 130. Outputs are written
    in stages that roll back, so an interrupted run leaves the previous ones as they were."""
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print("playbook: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        merge_root_alias(args)
        if args.command == "validate":
            return run_validate(args.root, _format(args.format), args)
        if args.command == "rules":
            return run_rules(args.explain, args.markdown)
        if args.command == "schema":
            return run_schema(args.out, args.check)
        if hasattr(args, "run"):
            code: int = args.run(args)
            return code
    except (UsageError, OSError) as err:
        return _usage_error(err)
    except Exception as err:
        from playbook.lint.config import ConfigError  # raised only once the config was imported

        if isinstance(err, ConfigError):
            return _usage_error(err)
        raise
    raise AssertionError(f"unhandled command {args.command}")


def _usage_error(err: Exception) -> int:
    """Report a problem with the call, the config or the files around the playbook (exit 2)."""
    from playbook.inert import terminal  # a path or value in the message may hold escapes
    from playbook.pipeline import EXIT_USAGE

    print(terminal(f"playbook: error: {err}"), file=sys.stderr)
    return EXIT_USAGE
