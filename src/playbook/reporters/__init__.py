"""Reporters: how diagnostics are printed. `REPORTERS` maps a `--format` name to one."""

from __future__ import annotations

from collections.abc import Callable

from playbook.diagnostics import Diagnostic
from playbook.reporters import github, json_report, sarif, text

Reporter = Callable[[list[Diagnostic], int], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.report,
    "json": json_report.report,
    "github": github.report,
    "sarif": sarif.report,
}

__all__ = ["REPORTERS", "Reporter"]
