"""The default format: `FILE:LINE:COL: SEVERITY CODE message`, help and related lines indented."""

from __future__ import annotations

from playbook.diagnostics import Diagnostic, summary


def report(diagnostics: list[Diagnostic], files: int) -> str:
    lines = []
    for d in diagnostics:
        lines.append(str(d))
        if d.help:
            lines.append(f"  help: {d.help}")
        for rel in d.related:
            lines.append(f"  {rel.span}: note: {rel.message}")
    lines.append(summary(diagnostics, files))
    return "\n".join(lines) + "\n"
