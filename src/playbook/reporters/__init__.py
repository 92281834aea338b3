"""Reporters: how diagnostics are printed. `REPORTERS` maps a `--format` name to one.

A reporter takes the diagnostics, the number of files checked and, optionally, the `Places` of
the playbook, which turn its playbook-relative paths into paths from the current directory (and,
for SARIF, from the repository root); without it paths are printed as recorded."""

from __future__ import annotations

from typing import Protocol

from playbook.diagnostics import Diagnostic
from playbook.reporters import github, json_report, markdown, sarif, text
from playbook.reporters.places import AS_RECORDED, Places


class Reporter(Protocol):
    def __call__(self, diagnostics: list[Diagnostic], files: int, places: Places = AS_RECORDED) -> str: ...


REPORTERS: dict[str, Reporter] = {
    "text": text.report,
    "json": json_report.report,
    "github": github.report,
    "markdown": markdown.report,
    "sarif": sarif.report,
}

__all__ = ["REPORTERS", "Places", "Reporter"]
