"""Issue 18, item 10: README's command table names every flag of every command, read from the
parser itself so the two cannot drift, and every command that works on a playbook takes its
folder as the positional ROOT (`--root` stays as a hidden, deprecated alias)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli
from playbook.cli import _parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, argparse.ArgumentParser]:
    """'validate' -> its parser, 'roster import' -> the nested one."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(prefix: str, parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(f"{prefix} {name}".strip(), sub)
                return
        found[prefix] = parser

    walk("", _parser())
    return found


def _row(command: str) -> str:
    """The README table cells that show `playbook COMMAND …`."""
    rows = [line for line in README.splitlines()
            if line.startswith("| `playbook") and re.search(rf"`playbook {command}( |`)", line)]
    assert rows, f"README's command table has no row for `playbook {command}`"
    return "\n".join(rows)


@pytest.mark.parametrize("command", sorted(_commands()))
def test_readme_names_every_flag(command: str) -> None:
    parser = _commands()[command]
    flags = {option for action in parser._actions if action.help != argparse.SUPPRESS
             for option in action.option_strings if option.startswith("--") and option != "--help"}
    row = _row(command)
    missing = sorted(flag for flag in flags if not re.search(rf"\[?{re.escape(flag)}\b", row))
    assert missing == [], f"README's row for `playbook {command}` lacks {missing}"


@pytest.mark.parametrize("command", ["validate", "build", "serve", "export", "agenda", "migrate", "audit",
                                     "journey", "new", "roster import", "roster export"])
def test_every_playbook_command_takes_root_positionally(command: str) -> None:
    parser = _commands()[command]
    assert any(a.dest == "root" and not a.option_strings for a in parser._actions)
    assert re.search(rf"`playbook {command} [^`]*\[ROOT\]", _row(command))


def test_new_takes_root_and_the_old_option_still_works(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({})
    code, out, err = run_cli("new", "rules", "first", root)
    assert (code, out, err) == (0, f"{root / 'rules/first.yaml'}: written; edit it, then run "
                                   "`playbook validate`.\n", "")
    code, out, _ = run_cli("new", "rules", "second", "--root", root)
    assert code == 0 and (root / "rules/second.yaml").is_file()
    code, _, err = run_cli("new", "rules", "third", root, "--root", root / "elsewhere")
    assert (code, err) == (2, f"playbook: error: two playbook folders given: ROOT {root} and "
                              f"--root {root / 'elsewhere'}\n")


def test_diff_takes_root_first_and_the_old_option_still_works(tmp_path: Path, run_cli: RunCli) -> None:
    from playbook.review.command import split_words

    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "playbook.yaml").write_text("kind: Playbook\n", encoding="utf-8")
    ops = str(tmp_path / "ops")
    assert split_words([ops, "main"]) == (Path(ops), "main", None)
    assert split_words(["main", "HEAD"]) == (Path("."), "main", "HEAD")
    assert split_words([]) == (Path("."), None, None)
    code, _, err = run_cli("diff", "a", "b", "c")
    assert (code, err) == (2, "playbook: error: too many arguments: a b c (at most ROOT BASE HEAD, and "
                              "ROOT must be a folder holding playbook.yaml)\n")
    args = _parser().parse_args(["diff", "main", "--root", ops])
    assert (args.words, args.root_option) == (["main"], Path(ops))
