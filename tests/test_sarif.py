"""Issue 18, item 1: the SARIF log of a playbook in a folder of a repository passes the official
SARIF 2.1.0 schema and carries what code scanning needs: paths from the repository root, stable
fingerprints, and every rule's help with a link to its section of docs/rules.md.

tests/data/sarif-schema-2.1.0.json is the OASIS schema (errata 01), copied unchanged from
github.com/oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json at commit
a560296ca8c921f3bdb8d4a8db57ab83dae968a7.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import RunCli
from playbook.reporters import sarif

pytestmark = pytest.mark.cwd_paths

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the lint base at ops/ and one unknown operator (playbook.yaml:68)."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    root = tmp_path / "repo" / "ops"
    shutil.copytree(HERE / "lint" / "_base", root)
    text = (root / "playbook.yaml").read_text(encoding="utf-8")
    (root / "playbook.yaml").write_text(text.replace("    operator: op-a\n", "    operator: op-b\n"),
                                        encoding="utf-8")
    return tmp_path / "repo"


def _log(run_cli: RunCli, *args: str) -> dict[str, Any]:
    code, out, _ = run_cli("validate", *args, "--format", "sarif")
    assert code == 1
    log: dict[str, Any] = json.loads(out)
    return log


def test_sarif_of_a_playbook_in_a_folder_passes_the_official_schema(
        repo: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "ops")  # run from inside the playbook: still named from the repo root
    log = _log(run_cli)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    [result] = run["results"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "ops/playbook.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 68, "startColumn": 15}}
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "PB104"
    assert rule["helpUri"] == sarif.RULES_URL + "#pb104"
    assert rule["shortDescription"]["text"].startswith("A roster group is owned by an operator")
    assert rule["help"]["markdown"] == rule["fullDescription"]["text"]
    assert "Why" in rule["help"]["text"]


def test_fingerprint_does_not_move_with_the_line(repo: Path, run_cli: RunCli,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    before = _log(run_cli, "ops")["runs"][0]["results"][0]
    playbook = repo / "ops" / "playbook.yaml"
    playbook.write_text("# a comment pushes every line down\n" + playbook.read_text(encoding="utf-8"),
                        encoding="utf-8")
    after = _log(run_cli, "ops")["runs"][0]["results"][0]
    assert after["locations"][0]["physicalLocation"]["region"]["startLine"] == 69
    assert after["partialFingerprints"] == before["partialFingerprints"]
    assert before["partialFingerprints"] == {
        "playbookFinding/v1": sarif.fingerprint("PB104", "ops/playbook.yaml", "unknown operator 'op-b'", 1)}


def test_identical_findings_in_one_file_get_distinct_fingerprints() -> None:
    first = sarif.fingerprint("PB401", "ops/calendars/a.yaml", "same minute", 1)
    second = sarif.fingerprint("PB401", "ops/calendars/a.yaml", "same minute", 2)
    assert first != second and first.endswith(":1") and second.endswith(":2")
    assert first != sarif.fingerprint("PB401", "ops/calendars/b.yaml", "same minute", 1)


def test_every_rule_links_to_an_existing_section_of_the_rules_reference() -> None:
    anchors = set(re.findall(r"^## (PB\d+)$", (HERE.parent / "docs/rules.md").read_text(encoding="utf-8"),
                             re.MULTILINE))
    rules = sarif._rule_descriptors()
    assert {r["id"] for r in rules} == anchors
    for r in rules:
        assert r["helpUri"] == f"{sarif.RULES_URL}#{r['id'].lower()}"
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]


def test_rules_address_matches_the_project_urls() -> None:
    project = tomllib.loads((HERE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Rules"] == sarif.RULES_URL
