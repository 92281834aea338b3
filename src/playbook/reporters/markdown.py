"""`--format markdown`: every finding as a Markdown table, for a CI job summary.

GitHub shows at most 10 error and 10 warning annotations per step and drops the rest without a
word; the workflow therefore also appends this report to `$GITHUB_STEP_SUMMARY`, where every
finding is listed. Text from the playbook is made inert for Markdown (`inert.markdown_inline`:
HTML escaped, Markdown syntax backslash-escaped, one line), so a value cannot add a link, an
image, a heading or a table cell.
"""

from __future__ import annotations

from playbook import inert
from playbook.diagnostics import Diagnostic, summary
from playbook.reporters.places import AS_RECORDED, Places, moved


def _cell(text: str) -> str:
    return inert.markdown_inline(text)


def report(diagnostics: list[Diagnostic], files: int, places: Places = AS_RECORDED) -> str:
    lines = ["### playbook validate", "", _cell(summary(diagnostics, files))]
    if diagnostics:
        lines += ["", "| where | severity | code | message |", "| --- | --- | --- | --- |"]
        for d in moved(diagnostics, places.shown):
            message = _cell(d.message) + (f"<br>help: {_cell(d.help)}" if d.help else "")
            lines.append(f"| {inert.code_span(str(d.span))} | {d.severity} | {d.code} {_cell(d.name)} "
                         f"| {message} |")
    return "\n".join(lines) + "\n"
