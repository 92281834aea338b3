"""Issue 18, item 9: `playbook init` gives the new repository a pre-commit config and a GitHub
workflow that work as written: checked against check-jsonschema's vendored GitHub workflow
schema and by pre-commit itself, the hook run for real, every action pinned by commit SHA."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import RunCli
from playbook import __version__

REPO = Path(__file__).resolve().parents[1]
PINNED = re.compile(r"^\s*(?:- )?uses: ([\w./-]+)@([0-9a-f]{40})  # (v\d+\.\d+\.\d+)$")
ACTIONS = {  # commits of the release tags, read from the actions' own repositories
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "github/codeql-action/upload-sarif": ("8aad20d150bbac5944a9f9d289da16a4b0d87c1e", "v4.36.2"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from playbook.cli import main

    target = tmp_path_factory.mktemp("init") / "shop"
    assert main(["init", str(target)]) == 0
    return target


def _pins(text: str) -> list[tuple[str, str, str]]:
    uses = [line for line in text.splitlines() if "uses:" in line]
    found = [m.groups() for m in map(PINNED.match, uses) if m]
    assert len(found) == len(uses), f"an action is not pinned by SHA with its release: {uses}"
    return found  # type: ignore[return-value]


@pytest.mark.parametrize("workflow", ["scaffolded", "playbook.yml", "minimum-versions.yml"])
def test_workflow_matches_githubs_schema_and_pins_every_action(repo: Path, workflow: str) -> None:
    path = repo / ".github/workflows/playbook.yml" if workflow == "scaffolded" \
        else REPO / ".github/workflows" / workflow
    tool = shutil.which("check-jsonschema")
    assert tool is not None, "check-jsonschema is part of the test extra"
    done = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for action, sha, release in _pins(path.read_text(encoding="utf-8")):
        assert ACTIONS[action] == (sha, release)


def test_scaffolded_workflow_needs_no_pyproject_and_uploads_sarif(repo: Path) -> None:
    workflow = yaml.safe_load((repo / ".github/workflows/playbook.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["validate"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    steps = job["steps"]
    assert all("cache" not in step.get("with", {}) for step in steps)  # `cache: pip` needs a lock file
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert f'python -m pip install "community-playbook=={__version__}"' in scripts
    assert "--format sarif > playbook.sarif" in scripts
    assert '--format markdown >> "$GITHUB_STEP_SUMMARY"' in scripts
    assert '--base "origin/$BASE_REF"' in scripts and "${{" not in scripts
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "playbook.sarif"


def test_scaffolded_precommit_config_is_valid_and_its_hook_runs(repo: Path, tmp_path: Path) -> None:
    config = repo / ".pre-commit-config.yaml"
    tool = shutil.which("pre-commit")
    assert tool is not None, "pre-commit is part of the test extra"
    done = subprocess.run([tool, "validate-config", str(config)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    work = tmp_path / "shop"
    shutil.copytree(repo, work)
    env = {"PATH": str(Path(shutil.which("playbook") or "playbook").parent) + ":/usr/bin:/bin",
           "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PLAYBOOK_NO_CACHE": "1"}
    for args in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(args, cwd=work, check=True, capture_output=True, env=env)
    done = subprocess.run([tool, "run", "--all-files"], cwd=work, capture_output=True, text=True,
                          check=False, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^playbook validate\.+Passed$", done.stdout, re.MULTILINE), done.stdout
    (work / "rules/base.yaml").write_text("kind: [\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=work, check=True, capture_output=True, env=env)
    done = subprocess.run([tool, "run", "--all-files"], cwd=work, capture_output=True, text=True,
                          check=False, env=env)
    assert done.returncode == 1 and "rules/base.yaml:2:1: error PB001" in done.stdout, done.stdout


def test_init_help_names_the_ci_files(run_cli: RunCli) -> None:
    _, out, _ = run_cli("init", "--help")
    assert ".pre-commit-config.yaml" in out and ".github/workflows/playbook.yml" in out
