"""The `playbook` command: version, help, exit codes and output formats."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli, document_header
from playbook import __version__
from playbook.cli import _parser

BROKEN_RULES = document_header("GroupRules") + "forbiden: []\n"  # PB020 at rules/base.yaml:7:1


def command_names() -> list[str]:
    (commands,) = (a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(commands.choices)


def test_version(run_cli: RunCli) -> None:
    assert run_cli("--version") == (0, f"playbook {__version__}\n", "")


def test_top_level_help_lists_every_command(run_cli: RunCli) -> None:
    code, out, err = run_cli("--help")
    assert (code, err) == (0, "")
    assert out.startswith("usage: playbook")
    for name in command_names():
        assert name in out


@pytest.mark.parametrize("command", command_names())
def test_help_of_every_command(run_cli: RunCli, command: str) -> None:
    code, out, err = run_cli(command, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"usage: playbook {command}")


def test_validate_without_playbook_yaml_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    code, out, err = run_cli("validate", tmp_path)
    assert (code, out) == (2, "")
    assert err == (f"playbook: error: no playbook found: {tmp_path / 'playbook.yaml'} does not exist "
                   "(run this in a playbook folder, or name one)\n")


def test_validate_on_a_missing_folder_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    code, out, err = run_cli("validate", missing)
    assert (code, out) == (2, "")
    assert err == f"playbook: error: {missing} is not a folder\n"
    assert "Traceback" not in err


def test_unknown_format_is_an_argparse_usage_error(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    code, out, err = run_cli("validate", make_playbook({}), "--format", "xml")
    assert (code, out) == (2, "")
    assert "invalid choice: 'xml'" in err


def test_valid_playbook_exits_0(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    code, out, err = run_cli("validate", make_playbook({}), "--format", "text")
    assert (code, err) == (0, "")
    assert " error " not in out


def test_json_format_has_every_field(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    code, out, _ = run_cli("validate", make_playbook({"rules/base.yaml": BROKEN_RULES}), "--format", "json")
    assert code == 1
    payload = json.loads(out)
    [finding] = payload["diagnostics"]
    assert {k: finding[k] for k in ("path", "line", "col", "severity", "code", "name", "message")} == {
        "path": "rules/base.yaml", "line": 7, "col": 1, "severity": "error",
        "code": "PB020", "name": "unknown-key", "message": "unknown key 'forbiden'",
    }
    assert finding["help"] == "did you mean 'forbidden'?"
    assert payload["summary"]["files"] == 2
    assert payload["summary"]["error"] == 1


def test_github_format_emits_error_commands(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    root = make_playbook({"rules/base.yaml": BROKEN_RULES})
    code, out, _ = run_cli("validate", root, "--format", "github")
    assert code == 1
    assert out.splitlines()[0] == (
        "::error file=rules/base.yaml,line=7,col=1,title=PB020 unknown-key::"
        "unknown key 'forbiden'%0Adid you mean 'forbidden'?")


def test_github_format_is_the_default_on_github_actions(run_cli: RunCli, make_playbook: MakePlaybook,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_playbook({"rules/base.yaml": BROKEN_RULES})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert out.startswith("::error file=rules/base.yaml,line=7,col=1,title=PB020 unknown-key::")


def test_text_format_is_the_default_elsewhere(run_cli: RunCli, make_playbook: MakePlaybook,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_playbook({"rules/base.yaml": BROKEN_RULES})
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert out.splitlines() == [
        "rules/base.yaml:7:1: error PB020 unknown key 'forbiden'",
        "  help: did you mean 'forbidden'?",
        "Found 1 error in 2 files checked.",
    ]


def test_python_dash_m_playbook_version() -> None:
    result = subprocess.run([sys.executable, "-m", "playbook", "--version"],
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"playbook {__version__}\n", "")


def test_the_command_exits_with_its_code_and_all_its_output(make_playbook: MakePlaybook,
                                                            run_cli: RunCli) -> None:
    """`playbook` leaves without freeing the playbook object by object (`cli.command`): the exit
    code and every line written must still come out, as from `main`."""
    root = make_playbook({"rules/base.yaml": BROKEN_RULES})
    code, out, err = run_cli("validate", "--format", "json", root)
    result = subprocess.run([sys.executable, "-m", "playbook", "validate", "--format", "json", str(root)],
                            capture_output=True, text=True, check=False, cwd=root)
    assert (result.returncode, json.loads(result.stdout), result.stderr) == (code, json.loads(out), err)
    assert code == 1


def test_a_reader_that_goes_away_is_no_traceback(make_playbook: MakePlaybook) -> None:
    """`playbook validate | head -1`: the rest of the output has nowhere to go; the command ends
    quietly (no 'Exception ignored… BrokenPipeError')."""
    root = make_playbook({f"rules/r{i}.yaml": BROKEN_RULES.replace("id: base", f"id: r{i}")
                          for i in range(300)})
    child = subprocess.Popen([sys.executable, "-m", "playbook", "validate", str(root)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.read(10)
    child.stdout.close()  # the reader leaves before the output ends
    with child.stderr:
        err = child.stderr.read()
    assert child.wait(timeout=120) != 0
    assert b"Traceback" not in err and b"Exception ignored" not in err


@pytest.mark.parametrize("command", [["validate"], ["agenda"], ["build", "--out", "never"]])
def test_a_bad_playbook_today_is_a_usage_error_not_a_traceback(
        run_cli: RunCli, make_playbook: MakePlaybook, monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    root = make_playbook({})
    monkeypatch.setenv("PLAYBOOK_TODAY", "someday")
    code, out, err = run_cli(command[0], root, *command[1:])
    assert (code, out) == (2, "")
    assert err == "playbook: error: PLAYBOOK_TODAY='someday' is not a date; write YYYY-MM-DD\n"


def test_choices_spelled_out_for_a_fast_start_match_the_features() -> None:
    # The command modules repeat these so that building the parser imports no feature code.
    from playbook import cli, schema
    from playbook.bundle import command as bundle_command
    from playbook.bundle import export
    from playbook.migrate import command as migrate_command
    from playbook.models import versions
    from playbook.review import command as review_command
    from playbook.review import report
    from playbook.scaffold import command as scaffold_command
    from playbook.scaffold import starter

    assert export.FORMATS == bundle_command.FORMATS
    assert tuple(sorted(report.FORMATS)) == review_command.FORMATS
    assert tuple(sorted(starter.NEW_KINDS)) == scaffold_command.KINDS
    assert (versions.VERSIONS, versions.CURRENT) == (migrate_command.VERSIONS, migrate_command.CURRENT)
    assert schema.SCHEMA_DIR == cli.SCHEMA_FOLDER


def test_building_the_command_line_imports_no_feature_code() -> None:
    probe = ("import sys\n"
             "from playbook.cli import _parser\n"
             "_parser()\n"
             "heavy = ('pydantic', 'jinja2', 'mkdocs', 'yaml', 'ruamel', 'rich', 'playbook.models', "
             "'playbook.lint', 'playbook.loader', 'playbook.pipeline')\n"
             "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_validate_help_names_the_cache_switches(run_cli: RunCli) -> None:
    code, out, _ = run_cli("validate", "--help")
    assert code == 0
    assert "--no-cache" in out and "PLAYBOOK_NO_CACHE=1" in " ".join(out.split())
