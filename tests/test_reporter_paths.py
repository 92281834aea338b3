"""Issue 18, item 1: every reporter names files from where the command runs, so a playbook in a
folder of the repository (`ops/`) is reported as `ops/rules/base.yaml`, which editors, terminals
and GitHub's annotations can open; SARIF names them from the repository root."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import RunCli
from playbook.reporters.places import Places

pytestmark = pytest.mark.cwd_paths

LINT_BASE = Path(__file__).parent / "lint" / "_base"
PB104 = "error PB104 unknown operator 'op-b'"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository (a `.git` folder is what marks its top) holding the lint base at ops/, with
    one unknown operator on playbook.yaml line 68."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    root = tmp_path / "repo" / "ops"
    shutil.copytree(LINT_BASE, root)
    text = (root / "playbook.yaml").read_text(encoding="utf-8")
    (root / "playbook.yaml").write_text(text.replace("    operator: op-a\n", "    operator: op-b\n"),
                                        encoding="utf-8")
    (tmp_path / "repo" / "docs").mkdir()
    return tmp_path / "repo"


def test_text_paths_from_the_repository_root(repo: Path, run_cli: RunCli,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    code, out, _ = run_cli("validate", "ops")
    assert code == 1
    assert out.splitlines() == [f"ops/playbook.yaml:68:15: {PB104}", "  help: did you mean 'op-a'?",
                                "Found 1 error in 5 files checked."]


def test_text_paths_from_inside_the_playbook(repo: Path, run_cli: RunCli,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "ops")
    _, out, _ = run_cli("validate")
    assert out.splitlines()[0] == f"playbook.yaml:68:15: {PB104}"


def test_text_paths_from_a_sibling_folder_use_dot_dot(repo: Path, run_cli: RunCli,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "docs")
    _, out, _ = run_cli("validate", "../ops")
    assert out.splitlines()[0] == f"../ops/playbook.yaml:68:15: {PB104}"


def test_json_and_github_paths_from_the_current_directory(repo: Path, run_cli: RunCli,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    _, out, _ = run_cli("validate", "ops", "--format", "json")
    found = json.loads(out)["diagnostics"]
    assert [(d["path"], d["line"], d["col"]) for d in found] == [("ops/playbook.yaml", 68, 15)]
    _, out, _ = run_cli("validate", "ops", "--format", "github")
    assert out.splitlines()[0] == ("::error file=ops/playbook.yaml,line=68,col=15,"
                                   "title=PB104 unknown-operator-reference::unknown operator 'op-b'"
                                   "%0Adid you mean 'op-a'?")


def test_markdown_lists_every_finding_for_the_job_summary(repo: Path, run_cli: RunCli,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    code, out, _ = run_cli("validate", "ops", "--format", "markdown")
    assert code == 1
    assert out == ("### playbook validate\n\nFound 1 error in 5 files checked.\n\n"
                   "| where | severity | code | message |\n| --- | --- | --- | --- |\n"
                   "| `ops/playbook.yaml:68:15` | error | PB104 unknown-operator-reference "
                   "| unknown operator 'op-b'<br>help: did you mean 'op-a'? |\n")


def test_markdown_keeps_playbook_text_inert(repo: Path, run_cli: RunCli,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator id with a table bar, a link and a tag cannot add a cell, a link or HTML."""
    text = (repo / "ops/playbook.yaml").read_text(encoding="utf-8")
    (repo / "ops/playbook.yaml").write_text(
        text.replace("    operator: op-b\n", "    operator: \"a|[x](http://e)<b>\"\n"), encoding="utf-8")
    monkeypatch.chdir(repo)
    _, out, _ = run_cli("validate", "ops", "--format", "markdown")
    row = out.splitlines()[-1]
    assert row == ("| `ops/playbook.yaml:68:15` | error | PB030 invalid-value "
                   "| groups\\[0\\].operator: 'a\\|\\[x\\](http://e)&lt;b&gt;' is not a valid id: use "
                   "lower-case letters, digits, '-' or '\\_', e.g. 'welcome-ceremony' |")


def test_places_without_a_repository_use_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "work" / "pb").mkdir(parents=True)
    places = Places.of(Path("pb"), cwd=tmp_path / "work")
    assert (places.shown("rules/a.yaml"), places.in_repo("rules/a.yaml")) == ("pb/rules/a.yaml",) * 2
    assert places.repo_uri == (tmp_path / "work").resolve().as_uri() + "/"
