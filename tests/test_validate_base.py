"""Issue 18, item 7: `validate --base REF` runs the version-bump check (PB801) against a git
revision, so a pre-commit hook or a CI step that only validates catches a missing bump."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def committed(make_playbook: MakePlaybook) -> Path:
    """A valid playbook committed as the only revision of a new repository."""
    root = make_playbook({})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "first")
    return root


def _retitle(root: Path, version: str = "1.0.0") -> None:
    text = (root / "playbook.yaml").read_text(encoding="utf-8")
    text = text.replace("title: 示例手册", "title: 新手册").replace("version: 1.0.0", f"version: {version}")
    (root / "playbook.yaml").write_text(text, encoding="utf-8")


def test_changed_document_without_bump_is_pb801(committed: Path, run_cli: RunCli) -> None:
    _retitle(committed)
    code, out, _ = run_cli("validate", committed, "--base", "HEAD", "--select", "PB8")
    assert code == 1
    assert out.splitlines() == [
        "playbook.yaml:4:10: error PB801 playbook 'demo' changed but its version is still 1.0.0 (was 1.0.0)",
        "  help: bump it: PATCH for wording, MINOR for added items, MAJOR for a different ladder or schedule",
        "Found 1 error in 1 file checked.",
    ]


def test_bumped_version_passes_and_without_base_there_is_no_check(committed: Path, run_cli: RunCli) -> None:
    _retitle(committed)
    assert run_cli("validate", committed)[0] == 0  # no --base: the version is not compared
    _retitle(committed, "1.1.0-rc.1")
    code, out, _ = run_cli("validate", committed, "--base", "HEAD", "--select", "PB8")
    assert (code, out) == (0, "All clear: 1 file checked, no problems.\n")


def test_ignoring_pb801_skips_the_comparison(committed: Path, run_cli: RunCli) -> None:
    _retitle(committed)
    assert run_cli("validate", committed, "--base", "HEAD", "--ignore", "PB801")[0] == 0


def test_unknown_base_revision_is_a_usage_error(committed: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli("validate", committed, "--base", "no-such-branch")
    assert code == 2
    assert err == "playbook: error: unknown revision 'no-such-branch'\n"
