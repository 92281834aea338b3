"""The default format: `FILE:LINE:COL: SEVERITY CODE message`, help and related lines indented.

Every line goes through `inert.terminal`: a path, key or value from the playbook with a line
break, an escape sequence (`ESC[2K` erases the line) or a bidi override is printed as `\\n`,
`\\x1b[2K`, `\\u202e`, so one diagnostic stays one line and shows what the file holds.
"""

from __future__ import annotations

from playbook import inert
from playbook.diagnostics import Diagnostic, summary
from playbook.reporters.places import AS_RECORDED, Places, moved


def report(diagnostics: list[Diagnostic], files: int, places: Places = AS_RECORDED) -> str:
    lines = []
    for d in moved(diagnostics, places.shown):
        lines.append(str(d))
        if d.help:
            lines.append(f"  help: {d.help}")
        for rel in d.related:
            lines.append(f"  {rel.span}: note: {rel.message}")
    lines.append(summary(diagnostics, files))
    return "\n".join(map(inert.terminal, lines)) + "\n"
