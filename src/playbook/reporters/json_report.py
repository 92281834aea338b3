"""`--format json`: the same fields as the text format, as objects, for other tools.

Values are exact, not escaped like the text format's: a program reads them. The document is
still inert on a terminal: JSON escapes control characters, and `inert.json_document` writes
the rest of the `inert.DISPLAY` set (DEL, C1, bidi, separators) as `\\uXXXX`.
"""

from __future__ import annotations

import json
from typing import Any

from playbook import inert
from playbook.diagnostics import Diagnostic, Severity
from playbook.reporters.places import AS_RECORDED, Places, moved


def as_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "path": d.span.path,
        "line": d.span.line,
        "col": d.span.col,
        "severity": str(d.severity),
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "help": d.help,
        "related": [
            {"path": r.span.path, "line": r.span.line, "col": r.span.col, "message": r.message}
            for r in d.related
        ],
    }


def report(diagnostics: list[Diagnostic], files: int, places: Places = AS_RECORDED) -> str:
    counts = {str(s): sum(1 for d in diagnostics if d.severity is s) for s in Severity}
    payload = {
        "diagnostics": [as_dict(d) for d in moved(diagnostics, places.shown)],
        "summary": {"files": files, **counts},
    }
    return inert.json_document(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n"
