"""Lint on two cores (`playbook.lint.workers`): the same diagnostics as one process, the second
process really used, and any failure of it falling back to the parent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from playbook import forked, lint
from playbook.lint import workers
from playbook.lint.registry import RULES, Finding, Rule
from playbook.loader import load_tree
from playbook.models.project import Project
from playbook.source import Span
from playbook.validate import validate_tree
from test_lint_cases import CASES, build_case

SHIPPED = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((SHIPPED / "examples").iterdir())
CHILD_CODE = "PB401"  # a schedule rule: the second process runs it
PARENT_CODE = "PB201"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-11-23")


def project_of(root: Path) -> Project:
    result = validate_tree(load_tree(root))
    assert result.project is not None, "\n".join(map(str, result.diagnostics))
    return result.project


def linted(project: Project, processes: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv(workers.VARIABLE, processes)
    return [f"{d} {d.help} {d.related}" for d in lint.run(project)]


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_split_puts_the_schedule_rules_in_the_second_process() -> None:
    def module_of(code: str) -> str:
        return RULES[code].check.__module__

    mine, theirs = workers.split(sorted(RULES), module_of)
    assert CHILD_CODE in theirs and "PB408" in theirs and PARENT_CODE in mine
    assert sorted(mine + theirs) == sorted(RULES)
    assert set(mine).isdisjoint(theirs)


def test_two_processes_give_the_same_diagnostics_on_every_lint_case(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = [build_case(case / "fail", tmp_path / case.name) for case in CASES]
    roots += [SHIPPED, *EXAMPLES]
    found_any = 0
    for root in roots:
        project = project_of(root)
        one = linted(project, "1", monkeypatch)
        assert linted(project, "2", monkeypatch) == one, root
        found_any += bool(one)
    assert found_any >= len(CASES), "every fail case reports something"
    assert no_children_left()


@pytest.fixture
def pid_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """CHILD_CODE and PARENT_CODE report the process they ran in."""
    for code in (CHILD_CODE, PARENT_CODE):
        real = RULES[code]

        def check(project: Project, code: str = code) -> Iterator[Finding]:
            yield Finding(Span("playbook.yaml", 1, 1), f"{code} ran in {os.getpid()}")

        monkeypatch.setitem(RULES, code, Rule(real.code, real.name, real.severity, check))
        monkeypatch.setattr(check, "__module__", real.check.__module__)
    yield


def ran_in(project: Project, monkeypatch: pytest.MonkeyPatch, processes: str) -> dict[str, int]:
    monkeypatch.setenv(workers.VARIABLE, processes)
    return {d.code: int(d.message.rsplit(" ", 1)[1]) for d in lint.run(project)
            if d.code in (CHILD_CODE, PARENT_CODE)}


def test_the_second_process_really_runs_its_rules(pid_rule: None, monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_of(SHIPPED)
    two = ran_in(project, monkeypatch, "2")
    assert two[PARENT_CODE] == os.getpid()
    assert two[CHILD_CODE] != os.getpid()
    one = ran_in(project, monkeypatch, "1")
    assert one == {CHILD_CODE: os.getpid(), PARENT_CODE: os.getpid()}
    assert no_children_left()


def test_small_playbooks_use_one_process(pid_rule: None, monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_of(SHIPPED)
    assert len(project.sources) < workers.MIN_DOCUMENTS
    assert ran_in(project, monkeypatch, "")[CHILD_CODE] == os.getpid()
    monkeypatch.setattr(workers, "MIN_DOCUMENTS", len(project.sources))
    assert ran_in(project, monkeypatch, "")[CHILD_CODE] != os.getpid()
    monkeypatch.delattr(os, "fork")
    assert ran_in(project, monkeypatch, "2")[CHILD_CODE] == os.getpid()


@pytest.mark.parametrize("failure", ["raises", "dies", "killed", "garbage"])
def test_a_failing_second_process_is_replaced_by_the_parent(
        failure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_of(SHIPPED)
    expected = linted(project, "1", monkeypatch)
    parent = os.getpid()
    real = RULES[CHILD_CODE]

    def check(project: Project) -> Iterator[Finding]:
        if os.getpid() != parent:  # only in the child
            if failure == "raises":
                raise RuntimeError("a bug in the rule")
            if failure == "dies":
                os._exit(3)
            if failure == "killed":
                os.kill(os.getpid(), 9)
            if failure == "garbage":
                os.write(1, b"")  # fall through: the payload is replaced below
        yield from real.check(project)

    monkeypatch.setitem(RULES, CHILD_CODE, Rule(real.code, real.name, real.severity, check))
    monkeypatch.setattr(check, "__module__", real.check.__module__)
    if failure == "garbage":
        monkeypatch.setattr(forked.pickle, "dumps", lambda obj, protocol=None: b"not a pickle")
    assert linted(project, "2", monkeypatch) == expected
    assert no_children_left()


def test_a_rule_failing_everywhere_fails_as_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_of(SHIPPED)
    for code in (CHILD_CODE, PARENT_CODE):
        real = RULES[code]

        def check(project: Project, code: str = code) -> Iterator[Finding]:
            raise RuntimeError(f"{code} is broken")
            yield  # pragma: no cover - makes this a generator like the real rules

        with monkeypatch.context() as patch:
            patch.setitem(RULES, code, Rule(real.code, real.name, real.severity, check))
            patch.setattr(check, "__module__", real.check.__module__)
            patch.setenv(workers.VARIABLE, "2")
            with pytest.raises(RuntimeError, match=f"{code} is broken"):
                lint.run(project)
        assert no_children_left()


def test_one_process_drops_the_first_halfs_shared_work_before_the_second(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in one process, the rules run half after half (`workers.split`) and what the first
    half shared (the messages, their renders, the reference index) is dropped before the
    second starts: one half's shared work is held at a time, and the findings are the same."""
    from playbook.lint import registry

    monkeypatch.setenv(workers.VARIABLE, "1")
    project = project_of(SHIPPED)
    codes = sorted(RULES)
    whole = lint.findings(project, codes)
    _, theirs = workers.split(codes, lambda code: RULES[code].check.__module__)
    held: list[int] = []
    first = RULES[theirs[0]]

    def counting(project: Project) -> Iterator[Finding]:
        held.append(sum(len(cache) for cache in registry._CACHES))
        return first.check(project)

    counting.__module__ = first.check.__module__
    monkeypatch.setitem(RULES, theirs[0], Rule(**{**first.__dict__, "check": counting}))
    assert lint.findings(project, codes) == whole
    assert held == [0]
    assert "PB201" not in theirs  # a rule that fills a shared cache runs in the first half


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_rule_kept_by_operator_hands_back_its_parts(processes: str, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    """Asked for them, `lint.findings` runs PB421 as its operators' parts gathered and hands the
    parts back, from the second process too: the state of a check from scratch keeps them, so the
    first edit after it counts again only the operators it touches. The findings are the same."""
    from playbook.lint.channels import moments_days

    monkeypatch.setenv(workers.VARIABLE, processes)
    project = project_of(build_case(SHIPPED / "tests" / "lint" / "PB421" / "fail", tmp_path))
    codes = sorted(RULES)
    parts: dict[str, dict[str, tuple[object, ...]]] = {}
    found = lint.findings(project, codes, parts=parts)
    assert found == lint.findings(project, codes)
    assert set(parts) == {code for code in codes if RULES[code].by_operator} == {"PB421"}
    assert parts["PB421"] == {operator: tuple(days) for operator, days in moments_days(project).items()}
    assert parts["PB421"]["op-a"], "the case has days out of range"
    assert no_children_left()
