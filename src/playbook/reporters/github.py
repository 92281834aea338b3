"""`--format github`: workflow commands that GitHub Actions shows as annotations on the PR.

Chosen automatically when `GITHUB_ACTIONS` is set. Text from the playbook is first made inert
as in the text format (`inert.terminal`: a line break in a value is `\\n`, ESC is `\\x1b`, since
the Actions log renders ANSI sequences); then escaping follows the Actions toolkit (`escapeData`,
`escapeProperty`): `%`, CR and LF everywhere, plus `:` and `,` inside properties. The only real
line break left is the one between message and help, sent as `%0A`.
"""

from __future__ import annotations

from playbook import inert
from playbook.diagnostics import Diagnostic, Severity, summary
from playbook.reporters.places import AS_RECORDED, Places, moved

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(inert.terminal(text)).replace(":", "%3A").replace(",", "%2C")


def report(diagnostics: list[Diagnostic], files: int, places: Places = AS_RECORDED) -> str:
    """One annotation per diagnostic, its file as the current directory sees it: the workflow
    runs at the repository root, where GitHub looks the file up."""
    lines = []
    for d in moved(diagnostics, places.shown):
        message = inert.terminal(d.message) + (f"\n{inert.terminal(d.help)}" if d.help else "")
        props = (f"file={_prop(d.span.path)},line={d.span.line},col={d.span.col},"
                 f"title={_prop(f'{d.code} {d.name}')}")
        lines.append(f"::{_LEVEL[d.severity]} {props}::{_data(message)}")
    lines.append(summary(diagnostics, files))
    return "\n".join(lines) + "\n"
