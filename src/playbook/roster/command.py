"""`playbook roster import FILE` and `playbook roster export`: the roster's groups from and to
the spreadsheets a WeCom admin console or SCRM tool gives.

`register` stays cheap: the readers, ruamel.yaml and openpyxl are imported by the commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from playbook.arguments import add_root, add_root_alias

EXPORT_FORMATS = ("csv", "xlsx")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `playbook roster import` and `playbook roster export`."""
    roster = commands.add_parser(
        "roster", help="import groups from a CSV/XLSX export into roster.yaml, or export them",
        description="Keep roster.yaml in step with the customer-group export of a WeCom admin "
                    "console or SCRM tool (docs/roster.md).")
    actions = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)

    imports = actions.add_parser(
        "import", help="merge a CSV or XLSX export of groups into roster.yaml",
        description="Read FILE (CSV in UTF-8, UTF-16 or GB18030, or XLSX), map its columns and "
                    "merge its groups into ROOT/roster.yaml: groups are matched by chat_id, then "
                    "id, then name; matched groups get the file's member count, owner and a "
                    "missing chat_id; the others are added. Comments, key order and every other "
                    "value are kept. Every row that cannot be used is reported, and nothing is "
                    "written unless --force-partial.")
    imports.add_argument("file", type=Path, metavar="FILE", help="the export: .csv or .xlsx")
    add_root(imports)
    add_root_alias(imports)
    imports.add_argument("--map", type=Path, default=None, metavar="MAP",
                         help="a YAML file mapping headers to roster keys, name patterns to group "
                              "types and owners to operators (docs/roster.md)")
    imports.add_argument("--column", action="append", default=[], metavar="HEADER=KEY",
                         help="read the column HEADER as KEY (name, owner, chat_id, opened, size, "
                              "type, operator, id, robot, locale, tags, classes, fields.<id>, ignore)")
    imports.add_argument("--owner", action="append", default=[], metavar="OWNER=OPERATOR",
                         help="a group owned by OWNER (as the file writes it) belongs to OPERATOR")
    imports.add_argument("--type", dest="group_type", default=None, metavar="TYPE",
                         help="the group type of new groups no pattern of the map file matches")
    imports.add_argument("--operator", default=None, metavar="OPERATOR",
                         help="the operator of new groups whose row names no owner")
    imports.add_argument("--dry-run", action="store_true",
                         help="print what would be added and updated; write nothing")
    imports.add_argument("--force-partial", action="store_true",
                         help="merge the rows that can be used even when others cannot (they are "
                              "still reported, and the exit code is 1)")
    imports.set_defaults(run=_run_import)

    exports = actions.add_parser(
        "export", help="write the roster's groups as CSV or XLSX",
        description="Write every group of the roster as one row: ids, chat_ids and dates as text "
                    "cells, so a spreadsheet keeps their digits. The file imports back unchanged.")
    add_root(exports)
    add_root_alias(exports)
    exports.add_argument("--format", dest="fmt", choices=EXPORT_FORMATS, default="csv",
                         help="csv (UTF-8 with BOM, opens in Excel) or xlsx; default: csv")
    exports.add_argument("--out", type=Path, default=None, metavar="FILE",
                         help="where to write (default: roster.csv or roster.xlsx in the current "
                              "folder; - writes CSV to standard output)")
    exports.set_defaults(run=_run_export)


def _run_import(args: argparse.Namespace) -> int:
    from playbook.roster.importing import run_import

    return run_import(args)


def _run_export(args: argparse.Namespace) -> int:
    from playbook.roster.export import run_export

    return run_export(args)
