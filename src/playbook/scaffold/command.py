"""`playbook init DIR` (a new minimal playbook) and `playbook new KIND ID` (one document).

`register` stays cheap: the templates and the models they are checked against load when a
command runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from playbook.arguments import add_root, add_root_alias
from playbook.errors import UsageError

KINDS = ("calendar", "pack", "rules", "script")
"""What `playbook new` adds; the names of playbook.scaffold.starter.NEW_KINDS (tests/test_cli.py),
repeated so that building the command line does not import the scaffolding."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `playbook init` and `playbook new`."""
    init = commands.add_parser(
        "init", help="create a new minimal playbook that validates and builds",
        description="Create playbook.yaml, roster.yaml, rules/base.yaml, scripts/welcome.yaml, the "
                    "JSON Schemas, .gitignore, .pre-commit-config.yaml and a GitHub workflow "
                    "(.github/workflows/playbook.yml) in DIR (created if missing), for a playbook at "
                    "the root of its repository. Existing files are never overwritten.")
    init.add_argument("dir", type=Path, help="the folder for the new playbook")
    init.add_argument("--id", dest="doc_id", help="the playbook's id (default: from the folder name)")
    init.add_argument("--title", help="the playbook's title (default: the folder name)")
    init.set_defaults(run=run_init)

    new = commands.add_parser(
        "new", help="add a document from a template: rules, script, calendar or pack",
        description="Write rules/ID.yaml, scripts/ID.yaml, calendars/ID.yaml or "
                    "packs/ID/pack.yaml from a template that validates in this playbook: roles "
                    "and metrics are taken from its playbook.yaml.")
    new.add_argument("kind", choices=KINDS, help="what to add")
    new.add_argument("id", help="the new document's id: lower-case letters, digits, - or _")
    add_root(new)
    add_root_alias(new)
    new.add_argument("--title", help="the document's title (default: its id)")
    new.set_defaults(run=run_new)


def run_init(args: argparse.Namespace) -> int:
    from playbook.pipeline import EXIT_OK
    from playbook.scaffold.starter import init_files, slug, valid_id
    from playbook.schedule import today
    from playbook.writer import write_text

    target: Path = args.dir
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    name = target.resolve().name
    doc_id = args.doc_id or slug(name)
    if not valid_id(doc_id):
        raise UsageError(f"'{doc_id}' is not an id: use lower-case letters, digits, - or _")
    planned = init_files(doc_id, args.title or name, today())
    existing = sorted(rel for rel in planned if (target / rel).exists())
    if existing:
        raise UsageError(f"{target} already has {', '.join(existing)}; nothing was written")
    for rel, text in sorted(planned.items()):
        write_text(target / rel, text)
    print(f"Created a playbook in {target}: {len(planned)} files.")
    print(f"Next: `playbook validate {target}`, then `playbook new calendar daily {target}`.")
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from playbook.loader import load_file
    from playbook.pipeline import EXIT_OK, require_playbook
    from playbook.scaffold.starter import References, new_document, valid_id
    from playbook.schedule import today
    from playbook.writer import write_text

    root: Path = args.root
    require_playbook(root)
    if not valid_id(args.id):
        raise UsageError(f"'{args.id}' is not an id: use lower-case letters, digits, - or _")
    playbook = load_file(root, "playbook.yaml", "Playbook")
    path, text = new_document(args.kind, args.id, References.from_playbook(playbook.data), today(),
                              title=args.title)
    if (root / path).exists():
        raise UsageError(f"{root / path} already exists; nothing was written")
    write_text(root / path, text)
    print(f"{root / path}: written; edit it, then run `playbook validate`.")
    return EXIT_OK
