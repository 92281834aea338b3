"""tests/golden.py itself: a broken golden fails unless refreshed with exactly
PLAYBOOK_UPDATE_GOLDEN=1 outside CI, and a refresh run rewrites, reports and is red.

Each case runs pytest in a subprocess on a tiny test file in tmp_path that uses the helper,
so the environment variables apply to that run only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent

TINY = '''\
from pathlib import Path

from golden import assert_golden, assert_golden_tree

HERE = Path(__file__).parent


def test_one_file():
    assert_golden(HERE / "golden" / "out.txt", "new output\\n")


def test_a_tree():
    assert_golden_tree(HERE / "tree", {"a.txt": b"A", "sub/b.txt": b"B"})
'''


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "golden").mkdir()
    (tmp_path / "golden" / "out.txt").write_text("old output\n", encoding="utf-8")
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / "a.txt").write_bytes(b"A")
    (tmp_path / "tree" / "sub" / "b.txt").write_bytes(b"old B")
    (tmp_path / "tree" / "gone.txt").write_bytes(b"no longer made")
    (tmp_path / "test_tiny.py").write_text(TINY, encoding="utf-8")
    return tmp_path


def run_tiny(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "PLAYBOOK_UPDATE_GOLDEN")}
    clean["PYTHONPATH"] = os.pathsep.join([str(TESTS), clean.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "golden", "-p", "no:cacheprovider",
                           "-q", "-rA", "--rootdir", str(folder), str(folder / "test_tiny.py")],
                          cwd=folder, env={**clean, **env}, capture_output=True, text=True, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.parent.name != "__pycache__"}


@pytest.mark.parametrize("env", [{}, {"PLAYBOOK_UPDATE_GOLDEN": "0"}, {"PLAYBOOK_UPDATE_GOLDEN": "true"}],
                         ids=["unset", "0", "true"])
def test_a_broken_golden_fails_and_stays_as_it_was(tiny: Path, env: dict[str, str]) -> None:
    before = snapshot(tiny)
    done = run_tiny(tiny, **env)
    assert done.returncode == 1, done.stdout
    assert "FAILED test_tiny.py::test_one_file" in done.stdout
    assert "FAILED test_tiny.py::test_a_tree" in done.stdout
    assert "golden/out.txt differs (PLAYBOOK_UPDATE_GOLDEN=1 refreshes it)" in done.stdout
    assert "files added or removed under" in done.stdout
    assert snapshot(tiny) == before


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_refresh_is_refused_in_ci(tiny: Path, ci: str) -> None:
    before = snapshot(tiny)
    done = run_tiny(tiny, CI=ci, PLAYBOOK_UPDATE_GOLDEN="1")
    assert done.returncode == 1, done.stdout
    assert "2 failed" in done.stdout
    refused = ("PLAYBOOK_UPDATE_GOLDEN=1 is refused when CI is set: goldens are refreshed locally and "
               "reviewed as diffs")
    assert [line for line in done.stdout.splitlines() if line == refused] == [refused, refused]
    assert snapshot(tiny) == before


def test_a_refresh_rewrites_reports_and_is_red(tiny: Path) -> None:
    done = run_tiny(tiny, PLAYBOOK_UPDATE_GOLDEN="1")
    assert done.returncode == 1, done.stdout
    assert "golden refreshed: " in done.stdout and "2 failed" in done.stdout
    assert "golden files rewritten" in done.stdout
    assert "3 rewritten: review `git diff tests/golden`" in done.stdout
    after = snapshot(tiny)
    assert after["golden/out.txt"] == b"new output\n"
    assert (after["tree/a.txt"], after["tree/sub/b.txt"]) == (b"A", b"B")
    assert "tree/gone.txt" not in after
    again = run_tiny(tiny)  # the refreshed goldens now pass a normal run
    assert again.returncode == 0 and "2 passed" in again.stdout, again.stdout


def test_a_missing_golden_says_how_to_make_it(tiny: Path) -> None:
    (tiny / "golden" / "out.txt").unlink()
    done = run_tiny(tiny)
    assert done.returncode == 1
    assert "golden file " in done.stdout
    assert "out.txt is missing; PLAYBOOK_UPDATE_GOLDEN=1 writes it" in done.stdout
    assert not (tiny / "golden" / "out.txt").exists()


def test_matching_goldens_pass(tiny: Path) -> None:
    (tiny / "golden" / "out.txt").write_text("new output\n", encoding="utf-8")
    (tiny / "tree" / "sub" / "b.txt").write_bytes(b"B")
    (tiny / "tree" / "gone.txt").unlink()
    done = run_tiny(tiny)
    assert done.returncode == 0 and "2 passed" in done.stdout, done.stdout
    refreshed = run_tiny(tiny, PLAYBOOK_UPDATE_GOLDEN="1")  # nothing to rewrite: a real pass
    assert refreshed.returncode == 0 and "golden files rewritten" not in refreshed.stdout
