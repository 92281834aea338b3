"""The catalogue of loading and schema problems (PB0xx): stable codes, names and explanations.

Codes are never reused. Lint rules (PB1xx and up) live in their own registry; this table
covers what the loader and the model validation find, and (PB080–PB099, family "roster
import") the rows and files `playbook roster import` cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass

from playbook.diagnostics import Diagnostic, Related, Severity
from playbook.source import Span

ROSTER_IMPORT = "roster import"
LIFECYCLE_AUDIT = "lifecycle audit"

# PB801 is found by `playbook diff` and `validate --base` (review/); its code, name and text
# live here with the other codes so the lint catalogue reads them without importing review/.
VERSION_CODE, VERSION_NAME = "PB801", "version-not-bumped"
"""A document's content changed but its `version` did not go up."""
VERSION_DOC = (
    "A document's content changed between the base and the head of a change, but its "
    "`version` did not go up (reported by `playbook diff`).\n\n"
    "Why: operators, the handbook's changelog and exported bundles name documents by id and "
    "version; a changed rule set under the same version cannot be told apart from the old one.\n\n"
    "Fails: `escalation` step 2 changed from warning to mute, `version: 1.0.0` on both sides.\n"
    "Passes: the same change with `version: 1.1.0` (PATCH for wording, MINOR for added items, "
    "MAJOR for a different ladder or schedule).")


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    explanation: str
    severity: Severity = Severity.ERROR
    family: str = "loading and schema"
    """The heading `playbook rules` lists the code under."""


_CODES = [
    Code("PB001", "yaml-syntax-error", "The file is not well-formed YAML; the parser stopped here. "
         "When the cause is a known trap the help line says what to write: a plain value that "
         "holds `: ` or starts with `{{` must be quoted, and indentation takes spaces, not tabs "
         "(docs/yaml.md)."),
    Code("PB002", "duplicate-key", "A mapping names the same key twice; YAML would silently keep "
         "only the last one, so the first value would be lost."),
    Code("PB003", "forbidden-tag", "Explicit YAML tags such as `!!python/object` can make a loader "
         "run code. Playbooks never need them; only plain strings, numbers, booleans, lists and "
         "mappings are accepted. The tag is reported, never executed."),
    Code("PB004", "alias-limit", "Anchors and aliases (`&x` / `*x`) are limited in number and in "
         "how much they expand, so a small file cannot blow up into gigabytes (the 'billion "
         "laughs' attack). Recursive aliases are refused."),
    Code("PB005", "file-too-large", "Each playbook file has a size limit; split a larger file."),
    Code("PB006", "not-utf8", "Playbook files must be saved as UTF-8. Files written by Excel or "
         "older Windows editors are often GBK/GB18030; re-save them as UTF-8."),
    Code("PB007", "empty-file", "The file holds no YAML document."),
    Code("PB008", "multiple-documents", "One file holds one document; split `---` separated "
         "documents into separate files."),
    Code("PB009", "unsupported-merge-key", "YAML merge keys (`<<: *base`) hide content from "
         "reviewers; use the document's own `extends` field or write the keys out."),
    Code("PB010", "not-a-mapping", "A playbook document is a YAML mapping of keys to values."),
    Code("PB011", "too-deeply-nested", "Nesting is limited to keep loading safe and predictable."),
    Code("PB012", "missing-kind", "Every document names its `kind` (Playbook, Roster, GroupRules, "
         "OnboardingScript, ActivityCalendar or MaterialPack)."),
    Code("PB013", "unknown-api-version", "`apiVersion` must be one this tool understands "
         "(`playbook/v1`)."),
    Code("PB014", "unknown-kind", "`kind` must be one of the document kinds this tool knows."),
    Code("PB015", "kind-in-wrong-folder", "Each kind lives in its own folder (rules/, scripts/, "
         "calendars/, packs/<id>/pack.yaml) so a reader finds a document by its kind."),
    Code("PB016", "non-string-key", "Mapping keys must be plain strings."),
    Code("PB020", "unknown-key", "The key is not part of this document kind; it is probably "
         "misspelt. Unknown keys are refused so that typos never pass silently."),
    Code("PB021", "missing-key", "A required key is missing."),
    Code("PB022", "wrong-type", "The value has the wrong type (e.g. a list where text is expected)."),
    Code("PB023", "invalid-choice", "The value is not one of the allowed choices."),
    Code("PB024", "invalid-clock-time", "Clock times are written HH:MM, from 00:00 to 23:59."),
    Code("PB025", "invalid-date", "Dates are written YYYY-MM-DD and must exist in the calendar."),
    Code("PB026", "unknown-time-zone", "Time zones are IANA names such as Asia/Shanghai."),
    Code("PB027", "invalid-offset", "Step offsets are `+30m`, `+1h30m`, `-1d`, `day 3 09:00` or "
         "`D-1 20:00`."),
    Code("PB028", "invalid-recurrence", "Recurrence uses a subset of RFC 5545 RRULE: FREQ "
         "(DAILY, WEEKLY, MONTHLY), INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL."),
    Code("PB029", "invalid-version", "Document versions are semantic versions: MAJOR.MINOR.PATCH."),
    Code("PB030", "invalid-value", "The value is outside what this field accepts."),
    Code("PB031", "duplicate-id", "Two documents of the same kind share an id; ids must be unique "
         "so references are unambiguous."),
    Code("PB032", "path-escapes-root", "A media or template path points outside the playbook "
         "folder; paths must stay inside it."),
    Code("PB033", "missing-file", "A media or template path names a file that does not exist."),
    Code("PB034", "duplicate-item-id", "Two items in one list share an id."),
    Code("PB035", "roster-conflict", "Groups are listed both inline in playbook.yaml and in "
         "roster.yaml; keep the roster in one place."),
    Code("PB036", "missing-playbook", "A playbook folder needs a playbook.yaml at its root."),
    Code("PB037", "link-outside-root", "A symbolic link in the playbook leads outside its folder (or "
         "loops). Links are followed only when they stay inside the playbook, so a pull request "
         "cannot publish or overwrite files elsewhere on the machine that builds it."),
    Code("PB038", "special-file", "A FIFO, socket or device sits where a document, template or "
         "media file is expected. It is refused without being opened, so it cannot hang a run."),
    Code("PB039", "unreadable-file", "A file cannot be read or a folder cannot be listed (e.g. "
         "permission denied). Its contents would be missing from the run, so this is an error, "
         "never a silent skip."),
    # PB060-PB069: the metrics file of `playbook audit` and `playbook build --metrics`
    # (playbook.lifecycle.metrics); positions are FILE:ROW:COL with the header's name
    Code("PB060", "metrics-file-refused", "The metrics file given to `playbook audit` or `build "
         "--metrics` cannot be used: it does not exist, is a folder, a FIFO, socket or device "
         "(refused without being opened), cannot be read, or is larger than the limit.",
         family=LIFECYCLE_AUDIT),
    Code("PB061", "malformed-metrics-file", "The metrics file is neither a readable CSV (UTF-8 "
         "with or without BOM, UTF-16 or GB18030) nor an XLSX workbook, or has no header row.",
         family=LIFECYCLE_AUDIT),
    Code("PB062", "missing-metrics-column", "A column the audit needs is not in the file: `date` "
         "and `group` always, and every figure a metric's `measure` uses in a target or exit rule. "
         "Name the header in playbook.yaml's `metrics_file: {columns: …}`.",
         family=LIFECYCLE_AUDIT),
    Code("PB063", "unknown-metrics-group", "The row's group is no roster group's id, chat_id or "
         "name, or it is the name of two groups. The row is left out of the audit; fix the name "
         "or use the id or chat_id.",
         family=LIFECYCLE_AUDIT),
    Code("PB064", "invalid-metrics-number", "A figure is not a number of 0 or more (empty cells "
         "too: write 0 for a day without any). `1,234`, `12.5` and `35%` are read as numbers.",
         family=LIFECYCLE_AUDIT),
    Code("PB065", "duplicate-metrics-date", "Two rows give figures for the same group on the same "
         "day; the later row is left out. One of them is a mistake (or the export repeats a day).",
         family=LIFECYCLE_AUDIT),
    Code("PB066", "invalid-metrics-date", "The date is not a date: write YYYY-MM-DD (YYYY/MM/DD "
         "and YYYY年M月D日 are accepted too), between 1980-01-01 and 2099-12-31.",
         family=LIFECYCLE_AUDIT),
    # PB080-PB099: `playbook roster import` (playbook.roster); positions are FILE:ROW:COL of the
    # spreadsheet, with the header's name in the message
    Code("PB080", "import-file-refused", "The file given to `playbook roster import` (or its "
         "`--map` file) cannot be used: it does not exist, is a folder, a FIFO, socket or device "
         "(refused without being opened, so it cannot hang the run), cannot be read, or is larger "
         "than the import limit.",
         family=ROSTER_IMPORT),
    Code("PB081", "malformed-spreadsheet", "The file is neither a readable CSV nor an XLSX "
         "workbook: a broken zip, a workbook without a worksheet, an old binary `.xls`, a CSV in "
         "an encoding other than UTF-8 (with or without BOM), UTF-16 or GB18030, a quote left "
         "open, or no header row. Re-save it from the spreadsheet program as CSV UTF-8 or XLSX.",
         family=ROSTER_IMPORT),
    Code("PB082", "missing-column", "No column of the file maps to a value every group needs "
         "(the group name). Name the header in the `--map` file's `columns:`.",
         family=ROSTER_IMPORT),
    Code("PB083", "missing-value", "A row leaves a needed cell empty: every row needs a group "
         "name, and a row that adds a group also needs its opening date, type and operator (from "
         "a column, a pattern, the owner table or `--type` / `--operator`).",
         family=ROSTER_IMPORT),
    Code("PB084", "unknown-owner", "The row's owner (群主) is none of the playbook's operators: not "
         "in the `--map` file's `owners:` table, and not an operator's id, name or WeCom userid. "
         "An `operator` column must hold an operator id.",
         family=ROSTER_IMPORT),
    Code("PB085", "duplicate-chat-id", "Two rows carry the same chat_id. A chat_id names one "
         "WeCom customer group, so one of the rows is a mistake (or the export repeats a group).",
         family=ROSTER_IMPORT),
    Code("PB086", "invalid-import-date", "The opening date (创建时间) is not a date: write "
         "YYYY-MM-DD (YYYY/MM/DD, YYYY年M月D日 and a time after the date are accepted too), "
         "between 1980-01-01 and 2099-12-31.",
         family=ROSTER_IMPORT),
    Code("PB087", "invalid-import-size", "The member count (群人数) is not a whole number of 0 or "
         "more.",
         family=ROSTER_IMPORT),
    Code("PB088", "unknown-import-type", "The group type a row gets (from a `type` column, a name "
         "pattern or `--type`) is not one of the playbook's group types.",
         family=ROSTER_IMPORT),
    Code("PB089", "invalid-import-mapping", "The `--map` file is not a valid mapping: an unknown "
         "key, a column mapped to a key the roster does not have, a pattern that does not compile, "
         "or a type or operator the playbook does not declare.",
         family=ROSTER_IMPORT),
    Code("PB090", "ambiguous-group", "A row could stand for more than one group, or two rows for "
         "the same group: the row has no chat_id (or one the roster does not know) and its name "
         "is shared by two roster groups, or two rows match one roster group. Add the chat_id "
         "column, or give the groups distinct names.",
         family=ROSTER_IMPORT),
]

CODES: dict[str, Code] = {c.code: c for c in _CODES}


def diagnostic(
    code: str,
    span: Span,
    message: str,
    *,
    help: str | None = None,
    related: tuple[Related, ...] = (),
) -> Diagnostic:
    """Build a diagnostic for a catalogued PB0xx code, with its name and severity."""
    entry = CODES[code]
    return Diagnostic(span, entry.severity, code, entry.name, message, help, related)
