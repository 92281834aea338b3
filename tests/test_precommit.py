"""`.pre-commit-hooks.yaml`: another repository uses this one as a hook source.

`pre-commit try-repo` builds the hook's virtualenv by pip-installing this tool (with its
dependencies from the package index): about 50 s, once for both checks below. The tool is
copied into a throw-away repository first, because try-repo only sees committed files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOK_FILES = ("playbook.yaml", "roster.yaml", "rules", "scripts", "calendars", "packs",
                  "templates", "schema")


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


def _commit(repo: Path) -> None:
    for args in (("git", "init", "-q"), ("git", "add", "-A"),
                 ("git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                  "commit", "-q", "-m", "snapshot")):
        assert _run(repo, *args).returncode == 0


def test_hooks_manifest_names_both_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"]: h["entry"] for h in hooks} == {
        "playbook-validate": "playbook validate", "playbook-schema-check": "playbook schema --check"}
    assert all(h["language"] == "python" and h["pass_filenames"] is False for h in hooks)


def test_try_repo_passes_on_the_shipped_playbook_and_fails_on_a_broken_one(tmp_path: Path) -> None:
    tool = tmp_path / "tool"
    shutil.copytree(ROOT / "src", tool / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, tool / name)
    _commit(tool)
    playbook = tmp_path / "ops"
    playbook.mkdir()
    for name in PLAYBOOK_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, playbook / name)
    _commit(playbook)
    env = {"PRE_COMMIT_HOME": str(tmp_path / "cache")}

    clean = _run(playbook, "pre-commit", "try-repo", str(tool), "playbook-validate", "--all-files", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "playbook validate" in clean.stdout and "Passed" in clean.stdout

    with (playbook / "rules/base.yaml").open("a", encoding="utf-8") as handle:
        handle.write("bogus: 1\n")
    broken = _run(playbook, "pre-commit", "try-repo", str(tool), "playbook-validate", "--all-files", env=env)
    assert broken.returncode == 1
    assert "error PB020 unknown key 'bogus'" in broken.stdout
