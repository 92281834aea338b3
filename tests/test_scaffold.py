"""`playbook init` and `playbook new`: starter files that validate as they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import RunCli
from playbook.schema import render_all


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-11-23")


def test_init_makes_a_playbook_that_validates_clean(tmp_path: Path, run_cli: RunCli) -> None:
    target = tmp_path / "My Shop"
    code, out, _ = run_cli("init", target)
    schemas = sorted(f"schema/{name}" for name in render_all())
    assert code == 0 and out.startswith(f"Created a playbook in {target}: {7 + len(schemas)} files.")
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == sorted([".gitignore", ".github/workflows/playbook.yml", ".pre-commit-config.yaml",
                              "playbook.yaml", "roster.yaml", "rules/base.yaml",
                              "scripts/welcome.yaml", *schemas])
    playbook = (target / "playbook.yaml").read_text(encoding="utf-8")
    assert playbook.startswith("# yaml-language-server: $schema=schema/playbook.schema.json\n")
    assert "id: my-shop\n" in playbook and 'title: "My Shop"\n' in playbook
    assert (target / "rules/base.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema/group-rules.schema.json\n")
    assert run_cli("validate", target) == (0, "All clear: 4 files checked, no problems.\n", "")
    assert run_cli("schema", "--check", "--out", target / "schema")[0] == 0
    ignored = (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"site/", "bundles/", ".playbook/"} <= set(ignored)  # outputs, cache and workspace


def test_init_never_overwrites(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/playbook.yaml").write_text("mine\n", encoding="utf-8")
    code, _, err = run_cli("init", tmp_path / "shop")
    assert code == 2
    assert "already has playbook.yaml; nothing was written" in err
    assert not (tmp_path / "shop/roster.yaml").exists()


@pytest.mark.parametrize(("kind", "path", "modeline"), [
    ("rules", "rules/extra.yaml", "../schema/group-rules.schema.json"),
    ("script", "scripts/extra.yaml", "../schema/onboarding-script.schema.json"),
    ("calendar", "calendars/extra.yaml", "../schema/activity-calendar.schema.json"),
    ("pack", "packs/extra/pack.yaml", "../../schema/material-pack.schema.json"),
])
def test_new_document_validates_in_a_fresh_playbook(
        tmp_path: Path, run_cli: RunCli, kind: str, path: str, modeline: str) -> None:
    assert run_cli("init", tmp_path / "shop")[0] == 0
    code, out, _ = run_cli("new", kind, "extra", "--root", tmp_path / "shop")
    written = tmp_path / "shop" / path
    assert (code, out) == (0, f"{written}: written; edit it, then run `playbook validate`.\n")
    text = (tmp_path / "shop" / path).read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema={modeline}\n")
    assert (tmp_path / "shop" / posix_parent(path) / modeline).resolve().is_file()
    assert run_cli("validate", tmp_path / "shop") == (0, "All clear: 5 files checked, no problems.\n", "")
    assert run_cli("new", kind, "extra", "--root", tmp_path / "shop")[0] == 2  # exists: refused


def test_new_takes_roles_and_metrics_from_the_playbook(run_cli: RunCli, tmp_path: Path) -> None:
    """The shipped playbook's roles and metrics differ from the starter's; a new script and
    rule set still validate there (in a copy)."""
    shipped = Path(__file__).resolve().parents[1]
    root = tmp_path / "copy"
    shutil.copytree(shipped, root, ignore=shutil.ignore_patterns(
        ".*", "src", "tests", "examples", "docs", "site", "*.egg-info"))
    assert run_cli("new", "script", "hello", "--root", root)[0] == 0
    assert run_cli("new", "rules", "extra", "--root", root)[0] == 0
    code, out, _ = run_cli("validate", root)
    assert (code, out) == (0, "All clear: 18 files checked, no problems.\n")


def test_new_refuses_a_bad_id(tmp_path: Path, run_cli: RunCli) -> None:
    assert run_cli("init", tmp_path / "shop")[0] == 0
    code, _, err = run_cli("new", "rules", "Bad Id", "--root", tmp_path / "shop")
    assert code == 2 and "'Bad Id' is not an id" in err


def posix_parent(path: str) -> str:
    return path.rsplit("/", 1)[0]


def test_init_then_build(tmp_path: Path, run_cli: RunCli) -> None:
    assert run_cli("init", tmp_path / "shop")[0] == 0
    code, _, err = run_cli("build", tmp_path / "shop", "--out", tmp_path / "site")
    assert code == 0, err
    assert (tmp_path / "site/index.html").is_file()
