"""`export` makes its bundle while the lint rules run in a second process
(`pipeline.check_beside`): the outcome, the output and what is left on disk are those of one
process, whether the check passes or not."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import RunCli
from playbook import forked
from playbook.bundle import export
from playbook.models.project import Project
from playbook.pipeline import check, check_beside
from test_lint_cases import BASE, LINT_DIR, build_case

WEEK = ("--from", "2026-11-23", "--to", "2026-11-29")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-11-23")


@pytest.mark.parametrize("case", ["_base", "PB101/fail", "schema"])
def test_the_check_is_the_same_beside_work(case: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "playbook"
    if case == "PB101/fail":
        root = build_case(LINT_DIR / case, tmp_path)
    else:
        shutil.copytree(BASE, root)
    if case == "schema":
        with (root / "playbook.yaml").open("a", encoding="utf-8") as yaml:
            yaml.write("unknown_key: 1\n")
    monkeypatch.setenv(forked.VARIABLE, "2")
    parent = os.getpid()
    ran: list[int] = []

    def work(project: Project) -> int:
        ran.append(os.getpid())
        return len(project.groups)

    alone = check(root)
    beside, result = check_beside(root, work)
    assert [str(d) for d in beside.diagnostics] == [str(d) for d in alone.diagnostics]
    assert beside.failing == alone.failing
    validation_failed = case == "schema"  # PB020: no work is started
    assert ran == ([] if validation_failed else [parent])
    assert result == (None if validation_failed else len(alone.project.groups) if alone.project else None)


def test_a_lint_error_stops_the_export_as_in_one_process(tmp_path: Path, run_cli: RunCli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_case(LINT_DIR / "PB101" / "fail", tmp_path)
    out = tmp_path / "bundle"
    real = export.build_bundle
    calls: list[str] = []

    def counted(*args: object, **kwargs: object) -> export.Bundle:
        calls.append("bundle")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "build_bundle", counted)
    outcomes = {}
    for processes in ("1", "2"):
        monkeypatch.setenv(forked.VARIABLE, processes)
        calls.clear()
        outcomes[processes] = (*run_cli("export", root, *WEEK, "--out", out), len(calls))
    code, _out, err, _ = outcomes["1"]
    assert code == 1 and "PB101" in err and "nothing was written" in err
    assert outcomes["2"][:3] == outcomes["1"][:3]
    assert (outcomes["1"][3], outcomes["2"][3]) == (0, 1)  # made beside the lint, then thrown away
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle")] == []  # no stage left


def test_an_unknown_filter_is_reported_after_the_check(tmp_path: Path, run_cli: RunCli,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "playbook"
    shutil.copytree(BASE, root)
    monkeypatch.setenv(forked.VARIABLE, "2")
    code, _, err = run_cli("export", root, *WEEK, "--group", "nobody", "--out", tmp_path / "bundle")
    assert code == 2 and "--group nobody: no such group" in err
    assert not (tmp_path / "bundle").exists()
