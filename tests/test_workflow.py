"""The GitHub Actions workflow cannot run here: check it against GitHub's workflow schema
(check-jsonschema's vendored copy, no network) and for the commands it relies on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from playbook.cli import _parser

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github/workflows/playbook.yml"


def test_workflow_matches_github_schema() -> None:
    tool = shutil.which("check-jsonschema")
    assert tool is not None, "check-jsonschema is part of the test extra"
    done = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_runs_commands_that_exist() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    scripts = "\n".join(step.get("run", "") for step in workflow["jobs"]["check"]["steps"])
    commands = set(_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    used = {line.split()[1] for line in scripts.splitlines() if line.strip().startswith("playbook ")}
    used |= {word.split()[0] for word in scripts.split("playbook ")[1:] if word.split()}
    assert used == {"validate", "schema", "build", "export", "diff"}
    assert used <= commands
    # untrusted values reach the script only through the environment
    assert "${{" not in scripts
