"""`--format sarif`: a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.

Like `--format json`, message texts are exact and the document is made inert on a terminal by
`inert.json_document`.

What code scanning needs, beyond the results themselves:
- file locations relative to the repository root (`uriBaseId: %SRCROOT%`), since the playbook
  may sit in a folder of the repository and GitHub looks files up from the checkout's root;
- `partialFingerprints`, so an alert keeps its identity when lines above it move: a hash of the
  code, the file and the message (which names the offending value), never the line number;
- every rule's description, help and a link to its section of docs/rules.md.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from playbook import __version__, inert
from playbook.diagnostics import Diagnostic, Severity
from playbook.reporters.places import AS_RECORDED, Places

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_LEVEL_BY_NAME = {str(s): level for s, level in _LEVEL.items()}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
RULES_URL = "https://github.com/community-playbook/playbook/blob/main/docs/rules.md"
"""Where docs/rules.md is published; each rule's `helpUri` is this plus `#pb101`. Equal to the
`Rules` address in pyproject.toml's [project.urls] (tests/test_sarif.py checks both)."""
FINGERPRINT = "playbookFinding/v1"


def _rule_descriptors() -> list[dict[str, Any]]:
    from playbook.lint import catalogue  # imports every rule module; keep the reporter import light

    return [{
        "id": e.code,
        "name": e.name,
        "shortDescription": {"text": e.summary},
        "fullDescription": {"text": e.doc},
        "help": {"text": e.doc, "markdown": e.doc},
        "helpUri": f"{RULES_URL}#{e.code.lower()}",
        "defaultConfiguration": {"level": _LEVEL_BY_NAME[e.severity]},
        "properties": {"tags": [e.family]},
    } for e in catalogue.entries()]


def _location(uri: str, line: int, col: int) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
        "region": {"startLine": line, "startColumn": col},
    }}


def fingerprint(code: str, uri: str, message: str, occurrence: int) -> str:
    """A finding's identity across pushes: what it is and where (file, not line); the n-th of
    identical findings in one file gets `:n` so each still has its own."""
    digest = hashlib.sha256("\0".join((code, uri, message)).encode("utf-8")).hexdigest()[:32]
    return f"{digest}:{occurrence}"


def report(diagnostics: list[Diagnostic], files: int, places: Places = AS_RECORDED) -> str:
    rules = _rule_descriptors()
    index = {r["id"]: i for i, r in enumerate(rules)}
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for d in diagnostics:
        uri = places.in_repo(d.span.path)
        seen[(d.code, uri, d.message)] += 1
        text = d.message + (f" ({d.help})" if d.help else "")
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": text},
            "locations": [_location(uri, d.span.line, d.span.col)],
            "partialFingerprints": {
                FINGERPRINT: fingerprint(d.code, uri, d.message, seen[(d.code, uri, d.message)])},
        }
        if d.related:
            result["relatedLocations"] = [
                {**_location(places.in_repo(r.span.path), r.span.line, r.span.col),
                 "message": {"text": r.message}}
                for r in d.related]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "playbook", "version": __version__,
                            "informationUri": RULES_URL, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if places.repo_uri is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": places.repo_uri}}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return inert.json_document(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"
