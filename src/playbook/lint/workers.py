"""Lint on two cores: the rules of a large playbook run in two processes, with the same result.

The lint rules take two thirds of a cold `validate` on a large playbook (on the 4,010-file L
corpus about 14 s of CPU against 7 s for loading and validating), and they are independent of
each other: each reads the frozen `Project` and yields findings. So once the playbook is
loaded the process forks (the child shares the loaded project copy-on-write; a page is
copied once the child's rules touch an object on it, and `gc.freeze` keeps the collector from
touching them all), the child runs the rules of the modules in `SECOND` and
sends their findings back through a pipe, pickled, while the parent runs the others. The
findings are put back in rule-code order, so the diagnostics, their order and every report
are byte-identical to a run in one process (tests/test_lint_workers.py compares the two).

`SECOND` holds the schedule-based rules, which share one expansion of every calendar, script
and pack timeline (`schedules.planned`), and the group checks: about half the lint time on L.
Rules that share a `per_project` pass are kept on the same side, or the pass would be done in
both processes; which side a rule is on changes only the time, never the result.

One process is used where a fork cannot help or is not available: a playbook of fewer than
`MIN_DOCUMENTS` documents (the fork and the pickling would cost more than they save), a
platform without `os.fork`, or `PLAYBOOK_LINT_PROCESSES=1`. If the child fails in any way
(killed, out of memory, a rule raising), its rules are run again in the parent, so a rule's
bug surfaces exactly as in one process. The forking itself is `playbook.forked`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from playbook import forked
from playbook.lint.registry import Finding
from playbook.models.project import Project

SECOND = frozenset({
    "playbook.lint.schedules", "playbook.lint.routes", "playbook.lint.channels",
    "playbook.lint.holidays", "playbook.lint.lifecycle", "playbook.lint.exit_rules",
    "playbook.lint.groups", "playbook.lint.roles", "playbook.lint.admission",
    "playbook.lint.capacity", "playbook.lint.references", "playbook.lint.overrides",
})
"""Modules whose rules the second process runs: the rules of sends, of groups and of references
(about 7 s of CPU on L, against 7.4 s for the first half). They share the expanded schedule
(`schedules.planned`), the groups' selectors and the index of references, the first half the
collected messages and their renders (`messages.contents`); neither half reads what the other
computes. One process runs the halves one after the other and drops
the first half's shared work before the second (`lint.findings`), so it holds one at a time."""
MIN_DOCUMENTS = forked.MIN_DOCUMENTS
"""Below this many documents the rules run in one process."""
VARIABLE = forked.VARIABLE
"""1: always one process; 2: two whenever `os.fork` exists, whatever the size (for tests)."""

Ran = tuple[list[Finding], dict[str, tuple[Any, ...]] | None]
"""A rule's findings, and its parts when it was run by operator (`lint.findings`)."""
RunRules = Callable[[Sequence[str]], dict[str, Ran]]
"""Runs the named rules on the project: code -> what it found."""


def processes(project: Project) -> int:
    """How many processes lint this project."""
    return forked.processes(len(project.sources), MIN_DOCUMENTS)


def split(codes: Sequence[str], module_of: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """(the parent's codes, the child's codes), each in the given order."""
    mine = [c for c in codes if module_of(c) not in SECOND]
    theirs = [c for c in codes if module_of(c) in SECOND]
    return mine, theirs


def run_split(project: Project, codes: Sequence[str], module_of: Callable[[str], str],
              run_rules: RunRules) -> dict[str, Ran]:
    """What each of `codes` found, run in one or two processes as `processes` decides."""
    mine, theirs = split(codes, module_of)
    if processes(project) == 1 or not mine or not theirs:
        return run_rules(codes)
    found, received = forked.in_two(lambda: run_rules(mine), lambda: run_rules(theirs))
    found.update(received if isinstance(received, dict) else run_rules(theirs))
    return found
