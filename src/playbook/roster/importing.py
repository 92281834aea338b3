"""`playbook roster import`: read the export, map it, plan the merge, then print and write it.

Every problem of the run is collected and printed together (the file's rows and the map file's
keys); roster.yaml is written only when there is none, or with `--force-partial`, and always in
one atomic step, so an import never leaves a half-written roster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from playbook.diagnostics import ordered
from playbook.errors import UsageError
from playbook.files import MAX_FILE_BYTES, PlaybookFiles
from playbook.inert import terminal
from playbook.loader import decode, load_text
from playbook.pipeline import EXIT_FINDINGS, EXIT_OK, report_stop, require_playbook
from playbook.reporters import REPORTERS
from playbook.roster.documents import Stop, load_playbook, load_roster
from playbook.roster.mapping import ImportMap, Known, known_from, read_map, with_flags
from playbook.roster.match import Plan, plan
from playbook.roster.merge import apply, new_roster
from playbook.roster.read import Refused, read_table, read_user_file
from playbook.roster.rows import read_rows
from playbook.writer import write_text


def run_import(args: argparse.Namespace) -> int:
    """Run one import; see the module docstring. Exit 0 when every row was used, 1 otherwise."""
    require_playbook(args.root)
    access = PlaybookFiles(args.root)
    try:
        playbook = load_playbook(access)
        roster = load_roster(access, playbook)
        if not roster.exists and playbook.get("groups"):
            raise UsageError("playbook.yaml lists the groups inline; move them to roster.yaml "
                             "(kind: Roster) first, then import into it")
        known = known_from(playbook)
        mapping = _mapping(args, known)
        shown = str(args.file)
        try:
            table = read_table(read_user_file(args.file, shown), shown)
        except Refused as refused:
            raise Stop([refused.diagnostic]) from None
    except Stop as stop:
        return report_stop(ordered(stop.diagnostics), stop.files, "import")
    read = read_rows(table, mapping, known)
    changes = plan(roster.groups, read.rows, table)
    problems = ordered([*read.problems, *changes.problems])
    skipped = read.skipped + changes.skipped
    if problems and not args.force_partial:
        sys.stderr.write(REPORTERS["text"](problems, 1))
        print(f"playbook: import stopped: {_rows(skipped)} cannot be used; fix them, or merge the "
              "others with --force-partial; nothing was written", file=sys.stderr)
        return EXIT_FINDINGS
    if problems:
        sys.stderr.write(REPORTERS["text"](problems, 1))
    text = roster.text or new_roster(str(playbook.get("owner") or "community-ops"), dt.date.today())
    new_text, bumped = apply(text, changes)
    _print_changes(changes, bumped)
    written = not args.dry_run and changes.changed
    if written:
        write_text(roster.target, new_text)
    print(terminal(_summary(changes, skipped, args.dry_run)))
    return EXIT_FINDINGS if problems else EXIT_OK


def _mapping(args: argparse.Namespace, known: Known) -> ImportMap:
    mapping = ImportMap()
    if args.map is not None:
        shown = str(args.map)
        try:
            raw = read_user_file(args.map, shown, MAX_FILE_BYTES)
        except Refused as refused:
            raise Stop([refused.diagnostic]) from None
        text, problems = decode(raw, shown)
        if text is None:
            raise Stop(problems)
        loaded = load_text(text, shown, "RosterImportMap")
        if loaded.diagnostics or loaded.data is None:
            raise Stop(loaded.diagnostics)
        mapping, found = read_map(loaded.data, loaded.source, known)
        if found:
            raise Stop(found)
    return with_flags(mapping, known, columns=args.column, owners=args.owner,
                      group_type=args.group_type, operator=args.operator)


def _print_changes(changes: Plan, bumped: str | None) -> None:
    for group in changes.added:
        size = f", {group['size']} members" if "size" in group else ""
        print(terminal(f"+ {group['id']}: {group['name']} ({group['type']}, {group['operator']}, "
                       f"opened {group['opened']}{size})"))
    for update in changes.updates:
        old = "none" if update.old is None else update.old
        print(terminal(f"~ {update.group_id}: {update.key} {old} → {update.new}"))
    if bumped:
        print(terminal(f"~ roster version {bumped}"))


def _summary(changes: Plan, skipped: int, dry_run: bool) -> str:
    updated = len({u.index for u in changes.updates})
    left_out = f", {_rows(skipped)} skipped" if skipped else ""
    counts = f"{len(changes.added)} added, {updated} updated{left_out}"
    if not changes.changed:
        return f"roster.yaml: up to date, nothing to change{left_out}"
    if dry_run:
        return f"roster.yaml: dry run, nothing written; would be {counts}"
    return f"roster.yaml: {counts}; run `playbook validate` next"


def _rows(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"

