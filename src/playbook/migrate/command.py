"""`playbook migrate [ROOT] [--to VERSION] [--check]`: rewrite documents written for an older
apiVersion to the current one (or to `--to`), keeping comments and key order.

`register` stays cheap: the models and ruamel.yaml are imported by `run`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playbook.arguments import add_root

if TYPE_CHECKING:
    from playbook.files import PlaybookFiles
    from playbook.migrate.rewrite import Migrated

VERSIONS = ("playbook/v1alpha1", "playbook/v1")
"""Every apiVersion, oldest first: playbook.models.versions.VERSIONS (tests/test_cli.py),
repeated so that building the command line does not import the models."""
CURRENT = VERSIONS[-1]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `playbook migrate`."""
    parser = commands.add_parser(
        "migrate", help="rewrite documents from an older apiVersion to the current one",
        description="Rewrite every document under ROOT whose apiVersion is older than VERSION "
                    "(default: the current one), keeping comments, key order and quoting. "
                    "Files already at VERSION are left untouched.")
    add_root(parser)
    parser.add_argument("--to", default=CURRENT, choices=VERSIONS, metavar="VERSION",
                        help=f"the apiVersion to migrate to (default: {CURRENT}; "
                             f"known: {', '.join(VERSIONS)})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a document still needs migrating")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from playbook.diagnostics import ordered
    from playbook.files import PlaybookFiles
    from playbook.inert import terminal
    from playbook.loader import scan
    from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, report_stop, require_playbook
    from playbook.writer import write_text

    root: Path = args.root
    require_playbook(root)
    access = PlaybookFiles(root)
    found = scan(access)
    # a document reached through an in-root link is migrated at its target, once
    targets = {rel: access.resolve(rel) for rel, _ in found.documents}
    first: dict[str, tuple[str, str]] = {}
    for rel, kind in found.documents:
        first.setdefault(targets[rel], (rel, kind))
    results = [_migrate_file(access, rel, kind, args.to) for rel, kind in first.values()]
    problems = ordered([*found.problems, *(d for r in results for d in r.diagnostics)])
    if problems:  # printed by the text reporter: escaped, with help and notes
        return report_stop(problems, len(found.documents), "migrate")
    pending = [r for r in results if r.text is not None]
    verb = "needs migrating" if args.check else "migrated"
    for result in pending:
        if not args.check:
            assert result.text is not None
            write_text(access.root / targets[result.path], result.text)
        print(terminal(f"{result.path}: {verb} {result.source} → {args.to} ({'; '.join(result.changes)})"))
    if not pending:
        print(f"All {len(results)} documents are at {args.to}; nothing to migrate.")
    elif args.check:
        print(f"{len(pending)} of {len(results)} documents need `playbook migrate`.")
        return EXIT_FINDINGS
    else:
        print(f"Migrated {len(pending)} of {len(results)} documents to {args.to}; "
              "run `playbook validate` next.")
    return EXIT_OK


def _migrate_file(access: PlaybookFiles, rel: str, kind: str, target: str) -> Migrated:
    from playbook.codes import diagnostic
    from playbook.files import MAX_FILE_BYTES, FileRefused
    from playbook.loader import decode
    from playbook.migrate.rewrite import Migrated, migrate_text
    from playbook.source import Span

    # read through the file-access layer within the loader's size limit and decoding rules;
    # the safe load happens in `migrate_text` before ruamel.yaml sees the text
    try:
        raw = access.read_bytes(rel, MAX_FILE_BYTES)
    except FileRefused as err:
        found = (diagnostic("PB005", Span(rel), f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
                 if err.code == "PB005" else err.diagnostic(Span(rel)))
        return Migrated(rel, None, diagnostics=[found])
    text, problems = decode(raw, rel)
    if text is None:
        return Migrated(rel, None, diagnostics=problems)
    return migrate_text(text, rel, kind, target)
