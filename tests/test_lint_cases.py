"""Every lint rule has a failing and a passing playbook with its exact expected diagnostics.

tests/lint/_base/ is a small playbook that is clean under every rule. A case folder
tests/lint/<CODE>/fail/ (or pass/) holds only the files it adds to or replaces in the base,
plus expected.txt: the exact diagnostics of that one rule, one per line, as
`FILE:LINE:COL: SEVERITY CODE message` (empty for pass/).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from playbook import lint
from playbook.diagnostics import ordered
from playbook.lint.config import LintConfig
from playbook.loader import load_tree
from playbook.validate import validate_tree

LINT_DIR = Path(__file__).parent / "lint"
BASE = LINT_DIR / "_base"
CASES = sorted(p for p in LINT_DIR.iterdir() if p.is_dir() and p.name.startswith("PB"))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """PB407 (calendar-expired) compares with today; the cases are written for this date."""
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-11-23")


def build_case(case: Path, tmp_path: Path) -> Path:
    root = tmp_path / "playbook"
    shutil.copytree(BASE, root)
    for source in case.rglob("*"):
        if source.is_file() and source.name != "expected.txt":
            target = root / source.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return root


def lint_lines(root: Path, code: str) -> list[str]:
    result = validate_tree(load_tree(root))
    assert result.project is not None, "\n".join(map(str, result.diagnostics))
    # Run every rule and keep this code's findings: the suppression codes (PB90x) depend on
    # which other rules ran, and for independent rules this equals selecting the one code.
    return [str(d) for d in ordered(lint.run(result.project, LintConfig())) if d.code == code]


def test_base_playbook_is_clean_under_every_rule(tmp_path: Path) -> None:
    result = validate_tree(load_tree(BASE))
    assert result.project is not None, "\n".join(map(str, result.diagnostics))
    assert [str(d) for d in lint.run(result.project)] == []


def test_every_rule_has_a_pass_and_a_fail_case() -> None:
    missing = [f"{code}/{variant}" for code in lint.RULES for variant in ("pass", "fail")
               if not (LINT_DIR / code / variant / "expected.txt").is_file()]
    assert missing == []


@pytest.mark.parametrize("case", [c / v for c in CASES for v in ("fail", "pass")],
                         ids=lambda p: f"{p.parent.name}-{p.name}")
def test_lint_case(case: Path, tmp_path: Path) -> None:
    code = case.parent.name
    assert code in lint.RULES or code in lint.SUPPRESSION_CODES, f"no rule {code}"
    expected = [line for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines() if line]
    got = lint_lines(build_case(case, tmp_path), code)
    assert got == expected
    if case.name == "fail":
        assert expected, "a fail case must expect at least one diagnostic"
        assert all(f" {code} " in line for line in expected)
    else:
        assert expected == []
