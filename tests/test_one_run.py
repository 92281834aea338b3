"""Issue 18, item 2: every problem in one run. A copy broken in four places (an invalid choice,
a YAML syntax error, a missing media file and a misspelt template variable, each in its own
document) used to take four runs; the lint rules now check every document that validated."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import RunCli
from playbook.pipeline import waiting_rules

LINT_BASE = Path(__file__).parent / "lint" / "_base"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _broken_in_four_places(tmp_path: Path) -> Path:
    root = tmp_path / "pb"
    shutil.copytree(LINT_BASE, root)
    _edit(root / "rules/base.yaml", "  - action: warning\n", "  - action: warnning\n")
    _edit(root / "scripts/join.yaml", "    text: 欢迎 {{", "    text: [欢迎 {{")
    _edit(root / "packs/demo-pack/pack.yaml", "file: images/main.png", "file: images/mian.png")
    _edit(root / "calendars/daily.yaml", "早安,{{ group.name }}", "早安,{{ group.nmae }}")
    return root


def test_four_problems_in_four_documents_are_reported_in_one_run(tmp_path: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli("validate", _broken_in_four_places(tmp_path))
    assert code == 1
    lines = [line for line in out.splitlines() if not line.startswith("  help:")]
    assert lines == [
        "calendars/daily.yaml:22:11: error PB201 undefined template variable 'group.nmae'",
        "packs/demo-pack/pack.yaml:30:11: error PB033 media file 'images/mian.png' does not exist "
        "(looked for packs/demo-pack/images/mian.png)",
        "rules/base.yaml:25:13: error PB023 escalation[1].action: the text 'warnning' is not one of: "
        "reminder, warning, mute, removal",
        "scripts/join.yaml:18:15: error PB001 did not find expected ',' or ']' "
        "(while parsing a flow sequence)",
        "Found 4 errors in 5 files checked.",
    ]
    assert "  help: did you mean 'group.name'?" in out and "  help: did you mean 'warning'?" in out


def test_references_into_a_broken_kind_wait_for_it(tmp_path: Path, run_cli: RunCli) -> None:
    """The calendar's slot names the pack; with the pack broken it is left out of the project,
    and PB108 would call it unknown: that rule waits, the others still run."""
    root = tmp_path / "pb"
    shutil.copytree(LINT_BASE, root)
    _edit(root / "packs/demo-pack/pack.yaml", "kind: MaterialPack\n", "kind: MaterialPack\ncolour: red\n")
    _edit(root / "calendars/daily.yaml", "早安,{{ group.name }}", "早安,{{ group.nmae }}")
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert [line for line in out.splitlines() if not line.startswith("  ")] == [
        "calendars/daily.yaml:22:11: error PB201 undefined template variable 'group.nmae'",
        "packs/demo-pack/pack.yaml:3:1: error PB020 unknown key 'colour'",
        "Found 2 errors in 5 files checked.",
    ]


def test_a_broken_playbook_yaml_stops_before_lint(tmp_path: Path, run_cli: RunCli) -> None:
    """Everything refers to playbook.yaml: without it lint would report noise, so it waits."""
    root = _broken_in_four_places(tmp_path)
    _edit(root / "playbook.yaml", "kind: Playbook\n", "kind: Playbook\ncolour: red\n")
    _, out, _ = run_cli("validate", root)
    assert "PB201" not in out and "PB020 unknown key 'colour'" in out


def test_waiting_rules_by_broken_kind() -> None:
    assert waiting_rules(frozenset()) == {"PB115", "PB902"}
    assert waiting_rules(frozenset({"MaterialPack", "ActivityCalendar"})) == {"PB115", "PB902", "PB108"}
    assert waiting_rules(frozenset({"GroupRules"})) == {"PB115", "PB902", "PB106", "PB113", "PB114", "PB502"}
