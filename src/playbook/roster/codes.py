"""The problems `playbook roster import` reports (PB080–PB099, reserved for roster import): stable
codes, names and explanations, registered here where they are raised; `playbook rules` lists them.

An import reads a spreadsheet, not a YAML document, so a position is `FILE:ROW:COL`: the row as a
spreadsheet shows it (the header is row 1) and the column counted from 1 (A is 1), with the
header's name in the message.
"""

from __future__ import annotations

from playbook.codes import Code
from playbook.diagnostics import Diagnostic, Related
from playbook.source import Span

FAMILY = "roster import"

_CODES = [
    Code("PB080", "import-file-refused", "The file given to `playbook roster import` (or its "
         "`--map` file) cannot be used: it does not exist, is a folder, a FIFO, socket or device "
         "(refused without being opened, so it cannot hang the run), cannot be read, or is larger "
         "than the import limit."),
    Code("PB081", "malformed-spreadsheet", "The file is neither a readable CSV nor an XLSX "
         "workbook: a broken zip, a workbook without a worksheet, an old binary `.xls`, a CSV in "
         "an encoding other than UTF-8 (with or without BOM), UTF-16 or GB18030, a quote left "
         "open, or no header row. Re-save it from the spreadsheet program as CSV UTF-8 or XLSX."),
    Code("PB082", "missing-column", "No column of the file maps to a value every group needs "
         "(the group name). Name the header in the `--map` file's `columns:`."),
    Code("PB083", "missing-value", "A row leaves a needed cell empty: every row needs a group "
         "name, and a row that adds a group also needs its opening date, type and operator (from "
         "a column, a pattern, the owner table or `--type` / `--operator`)."),
    Code("PB084", "unknown-owner", "The row's owner (群主) is none of the playbook's operators: not "
         "in the `--map` file's `owners:` table, and not an operator's id, name or WeCom userid. "
         "An `operator` column must hold an operator id."),
    Code("PB085", "duplicate-chat-id", "Two rows carry the same chat_id. A chat_id names one "
         "WeCom customer group, so one of the rows is a mistake (or the export repeats a group)."),
    Code("PB086", "invalid-import-date", "The opening date (创建时间) is not a date: write "
         "YYYY-MM-DD (YYYY/MM/DD, YYYY年M月D日 and a time after the date are accepted too), "
         "between 1980-01-01 and 2099-12-31."),
    Code("PB087", "invalid-import-size", "The member count (群人数) is not a whole number of 0 or "
         "more."),
    Code("PB088", "unknown-import-type", "The group type a row gets (from a `type` column, a name "
         "pattern or `--type`) is not one of the playbook's group types."),
    Code("PB089", "invalid-import-mapping", "The `--map` file is not a valid mapping: an unknown "
         "key, a column mapped to a key the roster does not have, a pattern that does not compile, "
         "or a type or operator the playbook does not declare."),
    Code("PB090", "ambiguous-group", "A row could stand for more than one group, or two rows for "
         "the same group: the row has no chat_id (or one the roster does not know) and its name "
         "is shared by two roster groups, or two rows match one roster group. Add the chat_id "
         "column, or give the groups distinct names."),
]

CODES: dict[str, Code] = {c.code: c for c in _CODES}


def problem(code: str, span: Span, message: str, *, help: str | None = None,
            related: tuple[Related, ...] = ()) -> Diagnostic:
    """A diagnostic for one of the roster import codes, with its name and severity."""
    entry = CODES[code]
    return Diagnostic(span, entry.severity, code, entry.name, message, help, related)
