"""`--format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.

Like `--format json`, message texts are exact and the document is made inert on a terminal by
`inert.json_document`."""

from __future__ import annotations

import json
from typing import Any

from playbook import __version__, inert
from playbook.codes import CODES
from playbook.diagnostics import Diagnostic, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule_descriptors() -> list[dict[str, Any]]:
    from playbook import lint  # lint imports rule modules; keep the reporter import light

    rules = [{"id": c.code, "name": c.name, "shortDescription": {"text": c.explanation}}
             for c in CODES.values()]
    for code in sorted(lint.RULES):
        entry = lint.RULES[code]
        rules.append({
            "id": code, "name": entry.name,
            "shortDescription": {"text": entry.summary},
            "fullDescription": {"text": entry.doc},
            "defaultConfiguration": {"level": _LEVEL[entry.severity]},
        })
    for code, (name, summary) in sorted(lint.SUPPRESSION_CODES.items()):
        rules.append({"id": code, "name": name, "shortDescription": {"text": summary}})
    return rules


def _location(path: str, line: int, col: int) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": line, "startColumn": col},
    }}


def report(diagnostics: list[Diagnostic], files: int) -> str:
    rules = _rule_descriptors()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for d in diagnostics:
        text = d.message + (f" ({d.help})" if d.help else "")
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": text},
            "locations": [_location(d.span.path, d.span.line, d.span.col)],
        }
        if d.related:
            result["relatedLocations"] = [
                {**_location(r.span.path, r.span.line, r.span.col), "message": {"text": r.message}}
                for r in d.related]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "playbook", "version": __version__,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return inert.json_document(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"
