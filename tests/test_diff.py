"""`playbook diff`: document changes and per-group message consequences between two commits
of a throw-away git repository, in text, Markdown and JSON (golden files under
tests/golden/diff/, refreshed with PLAYBOOK_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import RunCli, valid_playbook_yaml
from golden import assert_golden

GOLDEN = Path(__file__).parent / "golden" / "diff"

PLAYBOOK = valid_playbook_yaml("""\
operators:
  - id: ops-1
    name: 小雅
groups:
  - id: g1
    name: 中层一群
    type: middle-official
    operator: ops-1
    opened: 2026-11-01
  - id: g2
    name: 中层二群
    type: middle-official
    operator: ops-1
    opened: 2026-11-01
""").replace("group_types:", "  - id: operator\n    kind: operator\n    name: 群运营\ngroup_types:")

RULES = """\
apiVersion: playbook/v1
kind: GroupRules
id: base-rules
version: 1.0.0
title: 基础群规
owner: ops-team
forbidden:
  - id: no-ads
    text: 不发广告。
    detect: [link]
escalation:
  - action: reminder
    after: 1
    enforcer: operator
  - action: warning
    after: 2
    enforcer: operator
"""

CALENDAR = """\
apiVersion: playbook/v1
kind: ActivityCalendar
id: daily
version: 1.0.0
title: 每日推送
owner: ops-team
valid:
  start: 2026-11-01
applies_to:
  groups: [g1]
daily:
  - id: morning
    at: "08:30"
    name: 早安
    sender: official
    text: 早上好！
  - id: night
    at: "21:30"
    name: 晚安
    sender: official
    text: 晚安。
  - id: noon
    at: "12:00"
    name: 午间
    sender: official
    text: 午饭时间到。
"""


def _changed(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


HEAD_RULES = _changed(RULES, ("action: warning", "action: mute"),
                      ("detect: [link]", "detect: [link, qr_code]"))
HEAD_CALENDAR = _changed(
    CALENDAR,
    ("version: 1.0.0", "version: 1.1.0"),
    ('at: "08:30"', 'at: "08:45"'),
    ("text: 晚安。", "text: 晚安，明天见。"),
    ("  - id: noon\n    at: \"12:00\"\n    name: 午间\n    sender: official\n    text: 午饭时间到。\n", ""),
    ("groups: [g1]", "groups: [g1, g2]"),
)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                               "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+08:00",
                               "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+08:00"})
    return done.stdout.strip()


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with the playbook in `ops/`: commit `base` on main, commit `head` on a branch."""
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-11-23")
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _write(root / "ops", {"playbook.yaml": PLAYBOOK, "rules/base.yaml": RULES,
                          "calendars/daily.yaml": CALENDAR})
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "tag", "base")
    _git(root, "checkout", "-q", "-b", "change")
    _write(root / "ops", {"rules/base.yaml": HEAD_RULES, "calendars/daily.yaml": HEAD_CALENDAR})
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "head")
    return root


@pytest.mark.parametrize(("fmt", "golden"), [("text", "change.txt"), ("markdown", "change.md"),
                                             ("json", "change.json")])
def test_diff_between_two_commits(repo: Path, run_cli: RunCli, fmt: str, golden: str) -> None:
    code, out, err = run_cli("diff", "base", "change", "--root", repo / "ops", "--days", "3",
                             "--format", fmt)
    assert (code, err) == (1, "")  # the rule set changed without a version bump
    assert_golden(GOLDEN / golden, out.replace(_git(repo, "rev-parse", "--short", "base"), "BASE").replace(
        _git(repo, "rev-parse", "--short", "change"), "HEAD"))


def test_json_has_every_consequence(repo: Path, run_cli: RunCli) -> None:
    out = run_cli("diff", "base", "change", "--root", repo / "ops", "--days", "3",
                  "--format", "json")[1]
    data = json.loads(out)
    changes = {(m["group"], m["change"], m["source"].split(" › ")[-1]) for m in data["messages"]}
    assert changes == {
        ("g1", "retimed", "slot morning"), ("g1", "reworded", "slot night"),
        ("g1", "removed", "slot noon"),
        ("g2", "added", "slot morning"), ("g2", "added", "slot night"),
    }
    assert len(data["messages"]) == 15  # five kinds of change, three days each
    assert [(p["code"], p["path"], p["line"]) for p in data["problems"]] == [("PB801", "rules/base.yaml", 4)]


def test_default_base_is_the_merge_base_and_head_the_working_tree(repo: Path, run_cli: RunCli) -> None:
    (repo / "ops/rules/base.yaml").write_text(HEAD_RULES.replace("version: 1.0.0", "version: 2.0.0"),
                                              encoding="utf-8")
    code, out, _ = run_cli("diff", "--root", repo / "ops", "--days", "1")
    assert code == 0
    assert out.startswith(f"playbook diff {_git(repo, 'rev-parse', '--short', 'main')} → working tree\n")
    assert "rule set base-rules (rules/base.yaml): changed, version 1.0.0 → 2.0.0" in out
    assert "escalation › #2 › action: warning → mute" in out
    assert "calendar daily" in out  # the committed calendar change is part of the branch


def test_no_changes(repo: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli("diff", "change", "change", "--root", repo / "ops")
    assert code == 0
    assert "  no document changed\n" in out and "  no message changes\n" in out


def test_playbook_added_in_the_change(tmp_path: Path, repo: Path, run_cli: RunCli) -> None:
    _write(repo / "new", {"playbook.yaml": PLAYBOOK})
    code, out, _ = run_cli("diff", "change", "--root", repo / "new")
    assert code == 0
    assert "playbook demo (playbook.yaml): added, version 1.0.0" in out


def test_broken_head_stops_the_diff(repo: Path, run_cli: RunCli) -> None:
    (repo / "ops/rules/base.yaml").write_text(RULES + "bogus: 1\n", encoding="utf-8")
    code, out, err = run_cli("diff", "base", "--root", repo / "ops")
    assert code == 1 and out == ""
    assert "rules/base.yaml:18:1: error PB020 unknown key 'bogus'" in err
    assert "playbook: the diff stopped" in err


def test_unknown_revision_is_a_usage_error(repo: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli("diff", "no-such-rev", "--root", repo / "ops")
    assert code == 2 and "unknown revision 'no-such-rev'" in err
