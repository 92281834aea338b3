"""The front half every command shares: load -> validate -> lint, with the project's config.

`check(root)` returns the project (when validation got that far), every diagnostic in report
order and whether any reaches the failing severity. `validate` prints the result; `build`,
`export`, `agenda` and `diff` stop on a failing result and print it the same way, so a
problem is reported identically whichever command meets it.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from playbook import forked, lint
from playbook.diagnostics import Diagnostic, ordered
from playbook.errors import UsageError
from playbook.lint.config import LintConfig, load_config
from playbook.models.project import Project
from playbook.reporters import REPORTERS, Places
from playbook.validate import load_and_validate

if TYPE_CHECKING:
    from playbook.incremental import Memory

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
"""Exit codes of every command: clean, findings (or stopped by them), usage/config/I-O."""


class NotAPlaybook(UsageError):
    """ROOT is not a folder or holds no playbook.yaml."""


T = TypeVar("T")


@dataclass(frozen=True)
class Checked:
    """The outcome of loading, validating and linting one playbook."""

    root: Path
    project: Project | None
    diagnostics: list[Diagnostic]
    files_checked: int
    config: LintConfig

    @property
    def failing(self) -> bool:
        """Whether a diagnostic reaches the configured failing severity, or there is no project."""
        return self.project is None or any(d.severity >= self.config.fail_level for d in self.diagnostics)


def require_playbook(root: Path) -> None:
    if not root.is_dir():
        raise NotAPlaybook(f"{root} is not a folder")
    if not (root / "playbook.yaml").is_file():
        raise NotAPlaybook(f"no playbook found: {root / 'playbook.yaml'} does not exist "
                           "(run this in a playbook folder, or name one)")


def check(root: Path, config: LintConfig | None = None, memory: Memory | None = None) -> Checked:
    """Load, validate and lint the playbook under `root` (its own config unless one is given).
    With a `memory`, what the previous run found is reused where nothing it depends on changed
    (`playbook.incremental`); the result is the same."""
    return _check(root, config, memory, None)[0]


def check_beside(root: Path, work: Callable[[Project], T]) -> tuple[Checked, T | None]:
    """`check`, with `work(project)` done in this process while the lint rules run in a forked
    child, one process each: for a command that uses the project only if the check passes and can
    throw its work away otherwise (`export` builds its bundle into a stage meanwhile). `work` runs
    only on a playbook large enough for two processes (`forked.processes`) whose validation found
    nothing at the failing severity; otherwise the second value is None and the caller does its
    work after the check. The `Checked` is the same either way."""
    return _check(root, None, None, work)


def _check(root: Path, config: LintConfig | None, memory: Memory | None,
           beside: Callable[[Project], T] | None) -> tuple[Checked, T | None]:
    require_playbook(root)
    config = config if config is not None else load_config(root)
    lint_config = config

    def linted(project: Project, processes: bool = True) -> list[Diagnostic]:
        codes = lint.enabled(lint_config)
        found = memory.lint(project, codes) if memory is not None else lint.findings(project, codes,
                                                                                     processes=processes)
        return lint.finish(project, lint_config, found)

    side: T | None = None
    with bulk_allocation():
        result = memory.validate() if memory is not None else load_and_validate(root)
        gc.freeze()  # the loaded playbook lives until the end: no collection need look at it again
        found = list(result.diagnostics)
        project = result.project
        if project is not None:
            if (beside is not None and forked.processes(len(project.sources)) == 2
                    and not any(d.severity >= config.fail_level for d in found)):
                side, there = forked.in_two(lambda: beside(project), lambda: linted(project, False))
                found += there if there is not None else linted(project)
            else:
                found += linted(project)
        elif result.partial is not None:
            # a place validation already reported (a refused template, say) is not reported twice
            waiting, reported = waiting_rules(result.broken_kinds), {d.span for d in found}
            found += [d for d in linted(result.partial)
                      if d.code not in waiting and d.span not in reported]
    return Checked(root, result.project, ordered(found), result.files_checked, config), side


WAIT_FOR = {
    "GroupRules": frozenset({"PB106", "PB113", "PB114", "PB502"}),
    "OnboardingScript": frozenset({"PB107"}),
    "MaterialPack": frozenset({"PB108"}),
}
"""Lint rules that look documents of a kind up from elsewhere: while one of that kind is broken
(left out of the project), they would report a reference to it as unknown, so they wait."""
WAIT_FOR_ANY = frozenset({"PB115", "PB902"})
"""Rules that need every document: a definition may be used, or a suppression may match, only in
the broken one."""


def waiting_rules(broken_kinds: frozenset[str]) -> frozenset[str]:
    """The codes left out of a run in which documents of `broken_kinds` did not validate; every
    other rule checks the documents that did, so one run shows every problem it can."""
    waiting = set(WAIT_FOR_ANY)
    for kind in broken_kinds:
        waiting |= WAIT_FOR.get(kind, frozenset())
    return frozenset(waiting)


@contextlib.contextmanager
def bulk_allocation() -> Iterator[None]:
    """Collect garbage less often while a playbook is loaded and checked.

    Loading and checking allocate millions of small objects that all stay alive, and with
    the default thresholds Python's collector walks them again and again: on a playbook of
    4,000 files that doubled the time of `validate`. Cycles are still collected, less often.
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.unfreeze()  # objects frozen inside the block may be collected again
        gc.set_threshold(*before)


def report_failure(checked: Checked, what: str) -> int:
    """Print why `what` (a build, an export) was not done: every diagnostic, on stderr.
    Returns the exit code for it."""
    return report_stop(checked.diagnostics, checked.files_checked, what, checked.root)


def report_stop(diagnostics: list[Diagnostic], files_checked: int, what: str,
                root: Path | None = None) -> int:
    """The same, for problems found after validation (a message that does not render); paths
    are shown from the current directory when the playbook's `root` is given."""
    places = Places.of(root) if root is not None else Places()
    sys.stderr.write(REPORTERS["text"](diagnostics, files_checked, places))
    print(f"playbook: {what} stopped: fix the errors above; nothing was written", file=sys.stderr)
    return EXIT_FINDINGS
