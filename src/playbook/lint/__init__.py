"""The lint layer: cross-file semantic checks run after schema validation.

Importing this package registers every rule family (one module each). `run` applies the
configuration (selection, severities) and the inline suppressions, and reports suppressions
that have no reason or suppress nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from playbook.diagnostics import Diagnostic, Severity
from playbook.lint import (  # noqa: F401  (registers the rules)
    account_reads,
    admission,
    capacity,
    channels,
    compliance,
    exit_rules,
    group_fields,
    groups,
    holidays,
    lifecycle,
    limits,
    overrides,
    references,
    roles,
    routes,
    schedules,
    templates,
    workers,
)
from playbook.lint.config import LintConfig
from playbook.lint.registry import RULES, Finding, Rule, forget, rule
from playbook.lint.workers import Ran
from playbook.models.project import Project
from playbook.source import Suppression

SUPPRESSION_CODES = {
    "PB901": ("suppression-without-reason", "an inline suppression must say why"),
    "PB902": ("unused-suppression", "this suppression matches no finding; remove it"),
}


def _suppressed(diag: Diagnostic, by_line: dict[tuple[str, int], list[Suppression]],
                used: set[Suppression]) -> bool:
    for suppression in by_line.get((diag.span.path, diag.span.line), []):
        if diag.code in suppression.codes:
            used.add(suppression)
            return True
    return False


def run(project: Project, config: LintConfig | None = None) -> list[Diagnostic]:
    """Every finding of every enabled rule, after suppressions."""
    config = config or LintConfig()
    return finish(project, config, findings(project, enabled(config)))


def enabled(config: LintConfig) -> list[str]:
    """The codes of the rules `config` runs, in code order."""
    return [code for code in sorted(RULES) if config.enabled(code)]


def findings(project: Project, codes: Sequence[str], *, processes: bool = True,
             parts: dict[str, dict[str, tuple[Any, ...]]] | None = None) -> dict[str, list[Finding]]:
    """What each rule of `codes` finds in `project`: code -> its findings, in the rule's order.
    On one core or two (`workers`; `processes=False`: one); the result is the same either way.
    With `parts`, a rule declared `by_operator` is run as its parts gathered, and its parts are
    put there (code -> operator -> part), so that the next run can count again only some."""

    def module_of(code: str) -> str:
        return RULES[code].check.__module__

    def run_rules(some: Sequence[str]) -> dict[str, Ran]:
        # one half of the rules after the other, with what each half shared dropped in
        # between: one process running every rule holds one half's shared work at a time
        found: dict[str, Ran] = {}
        for half in workers.split(some, module_of):
            found.update((code, _ran(project, RULES[code], parts is not None)) for code in half)
            forget()
        return {code: found[code] for code in some}

    try:
        ran = run_rules(codes) if not processes else workers.run_split(project, codes, module_of, run_rules)
    finally:
        forget()
    if parts is not None:
        parts.update((code, kept) for code, (_, kept) in ran.items() if kept is not None)
    return {code: found for code, (found, _) in ran.items()}


def _ran(project: Project, entry: Rule, keep_parts: bool) -> Ran:
    if keep_parts and entry.by_operator is not None:
        compute, gather = entry.by_operator
        computed = {operator: tuple(items) for operator, items in compute(project, None).items()}
        return list(gather(project, computed, None)), computed
    return list(entry.check(project)), None


def finish(project: Project, config: LintConfig, by_code: Mapping[str, list[Finding]]) -> list[Diagnostic]:
    """The diagnostics of the rules' findings (every enabled code must be in `by_code`): with
    the configured severities, without what inline comments suppress, and with the problems of
    those comments themselves (PB901, PB902)."""
    codes = enabled(config)
    found: list[Diagnostic] = []
    for code in codes:
        entry = RULES[code]
        severity = config.severity_of(code, entry.severity)
        found += [Diagnostic(f.span, severity, code, entry.name, f.message, f.help, f.related)
                  for f in by_code[code]]

    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for items in project.suppressions.values():
        for s in items:
            by_line.setdefault((s.span.path, s.span.line), []).append(s)
    used: set[Suppression] = set()
    kept = [d for d in found if not _suppressed(d, by_line, used)]
    for items in project.suppressions.values():
        for s in items:
            if not s.reason and config.enabled("PB901"):
                kept.append(_meta("PB901", s, config))
            ran = any(code in RULES and config.enabled(code) for code in s.codes)
            if s not in used and ran and config.enabled("PB902"):
                kept.append(_meta("PB902", s, config))
    return kept


def _meta(code: str, s: Suppression, config: LintConfig) -> Diagnostic:
    name, message = SUPPRESSION_CODES[code]
    return Diagnostic(s.span, config.severity_of(code, Severity.WARNING), code, name,
                      f"{message} (ignore[{', '.join(s.codes)}])")


__all__ = ["RULES", "Finding", "LintConfig", "Rule", "rule", "run"]
