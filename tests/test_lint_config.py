"""Lint configuration, inline suppressions, output formats and the rules reference."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from playbook.cli import main
from playbook.lint import catalogue

LINT_BASE = Path(__file__).parent / "lint" / "_base"
REPO = Path(__file__).resolve().parents[1]


def broken_playbook(tmp_path: Path, suffix: str = "") -> Path:
    """The clean lint base with one unknown operator (PB104) on roster line 67."""
    root = tmp_path / "pb"
    shutil.copytree(LINT_BASE, root)
    text = (root / "playbook.yaml").read_text(encoding="utf-8")
    text = text.replace("    operator: op-a\n", f"    operator: op-b{suffix}\n")
    (root / "playbook.yaml").write_text(text, encoding="utf-8")
    return root


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_lint_error_fails_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["validate", str(broken_playbook(tmp_path))], capsys)
    assert code == 1
    assert "playbook.yaml:68:15: error PB104 unknown operator 'op-b'" in out


def test_ignore_flag_and_select_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(broken_playbook(tmp_path))
    assert run(["validate", root, "--ignore", "PB104"], capsys)[0] == 0
    assert run(["validate", root, "--select", "PB2"], capsys)[0] == 0
    assert run(["validate", root, "--select", "PB1"], capsys)[0] == 1


def test_pyproject_config_severity_and_fail_level(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = broken_playbook(tmp_path)
    (root / "pyproject.toml").write_text('[tool.playbook.severity]\nPB104 = "warning"\n', encoding="utf-8")
    code, out = run(["validate", str(root)], capsys)
    assert code == 0 and "warning PB104" in out
    assert run(["validate", str(root), "--fail-level", "warning"], capsys)[0] == 1
    (root / "pyproject.toml").write_text('[tool.playbook]\nignore = ["PB104"]\n', encoding="utf-8")
    assert run(["validate", str(root)], capsys)[0] == 0


def test_bad_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = broken_playbook(tmp_path)
    (root / "pyproject.toml").write_text('[tool.playbook]\nselekt = ["PB1"]\n', encoding="utf-8")
    assert main(["validate", str(root)]) == 2
    assert "unknown setting 'selekt'" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "where"), [
    (b'[tool.playbook]\nselect = [\n', "3:1: invalid TOML: Invalid value"),
    (b'[tool.playbook]\nselect = 3 3\n',
     "2:12: invalid TOML: Expected newline or end of document after a statement"),
    (b'[tool]\nplaybook = 3\n', " [tool.playbook] must be a table"),
    (b'x = "\xff"\n', "1:1: it is not UTF-8 (byte 0xff)"),
])
def test_a_broken_pyproject_is_a_usage_error_at_its_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: bytes, where: str) -> None:
    root = broken_playbook(tmp_path)
    (root / "pyproject.toml").write_bytes(text)
    assert main(["validate", str(root)]) == 2
    assert capsys.readouterr().err == f"playbook: error: {root / 'pyproject.toml'}:{where}\n"


def test_a_pyproject_fifo_or_link_out_is_refused_not_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    root = broken_playbook(tmp_path)
    os.mkfifo(root / "pyproject.toml")  # reading it would block forever
    assert main(["validate", str(root)]) == 2
    assert capsys.readouterr().err == (f"playbook: error: {root / 'pyproject.toml'}:1:1: "
                                       "is a FIFO (named pipe), not a regular file\n")
    (root / "pyproject.toml").unlink()
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('[tool.playbook]\nignore = ["PB104"]\n', encoding="utf-8")
    (root / "pyproject.toml").symlink_to(outside)
    assert main(["validate", str(root)]) == 2
    assert capsys.readouterr().err == (f"playbook: error: {root / 'pyproject.toml'}:1:1: "
                                       "is a symbolic link leading outside the playbook folder\n")


def test_inline_suppression_with_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = broken_playbook(tmp_path, "  # playbook: ignore[PB104] operator joins on Monday")
    code, out = run(["validate", str(root)], capsys)
    assert code == 0
    assert "PB104" not in out and "PB90" not in out


def test_suppression_without_reason_and_unused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = broken_playbook(tmp_path, "  # playbook: ignore[PB104]")
    text = (root / "playbook.yaml").read_text(encoding="utf-8")
    text = text.replace("    capacity: 30\n", "    capacity: 30  # playbook: ignore[PB601] old\n")
    (root / "playbook.yaml").write_text(text, encoding="utf-8")
    code, out = run(["validate", str(root)], capsys)
    assert code == 0
    assert "playbook.yaml:68:21: warning PB901 an inline suppression must say why (ignore[PB104])" in out
    assert "warning PB902 this suppression matches no finding; remove it (ignore[PB601])" in out


def test_sarif_output_is_valid_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["validate", str(broken_playbook(tmp_path)), "--format", "sarif"], capsys)
    assert code == 1
    log = json.loads(out)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(log)
    result = log["runs"][0]["results"][0]
    assert result["ruleId"] == "PB104"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (68, 15)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "PB104"


def test_rules_command_lists_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["rules"], capsys)
    assert code == 0 and "PB101  unknown-group-type-reference" in out
    code, out = run(["rules", "--explain", "pb114"], capsys)
    assert code == 0 and out.startswith("PB114 extends-cycle (error by default; references)")
    assert main(["rules", "--explain", "PB999"]) == 2


def test_rules_reference_in_docs_is_up_to_date() -> None:
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == catalogue.markdown(), \
        "run `playbook rules --markdown > docs/rules.md`"
