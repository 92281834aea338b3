"""`playbook migrate`: v1alpha1 documents rewritten to v1 with comments, order and quoting kept."""

from __future__ import annotations

from pathlib import Path

from conftest import MakePlaybook, RunCli, valid_playbook_yaml
from playbook.migrate.migrations import steps_between
from playbook.migrate.rewrite import migrate_text

OLD_SCRIPT = """\
# yaml-language-server: $schema=../schema/onboarding-script.schema.json
#
# The welcome routine (written for the alpha format).
apiVersion: playbook/v1alpha1   # the old format
kind: OnboardingScript
id: welcome
version: 1.0.0
title: {zh-CN: 欢迎, en: Welcome}
# who answers for this script
maintainer: ops-team  # a team, not a person
trigger:
  kind: on_join
steps:
  - id: hello
    name: 打招呼
    offset: "+0m"     # right after joining
    channel: group_message
    sender: official
    text: '欢迎 {{ member.nickname }}！'
  - id: rules
    name: 群规
    # a minute later, so the welcome is read first
    offset: "+1m"
    channel: group_message
    sender: official
    text: 请先读群公告。
"""

NEW_SCRIPT = """\
# yaml-language-server: $schema=../schema/onboarding-script.schema.json
#
# The welcome routine (written for the alpha format).
apiVersion: playbook/v1   # the old format
kind: OnboardingScript
id: welcome
version: 1.0.0
title: {zh-CN: 欢迎, en: Welcome}
# who answers for this script
owner: ops-team  # a team, not a person
trigger:
  kind: on_join
steps:
  - id: hello
    name: 打招呼
    at: "+0m"     # right after joining
    channel: group_message
    sender: official
    text: '欢迎 {{ member.nickname }}！'
  - id: rules
    name: 群规
    # a minute later, so the welcome is read first
    at: "+1m"
    channel: group_message
    sender: official
    text: 请先读群公告。
"""

OLD_PLAYBOOK = valid_playbook_yaml().replace("playbook/v1", "playbook/v1alpha1").replace(
    "owner: ops-team", "maintainer: ops-team  # kept")


def test_v1alpha1_script_is_rewritten_with_comments_order_and_quotes() -> None:
    result = migrate_text(OLD_SCRIPT, "scripts/welcome.yaml", "OnboardingScript")
    assert result.diagnostics == []
    assert result.source == "playbook/v1alpha1"
    assert result.text == NEW_SCRIPT
    assert result.changes == [
        "apiVersion: playbook/v1alpha1 → playbook/v1", "maintainer → owner",
        "steps[0].offset → steps[0].at", "steps[1].offset → steps[1].at"]


def test_a_current_document_is_left_alone() -> None:
    result = migrate_text(NEW_SCRIPT, "scripts/welcome.yaml", "OnboardingScript")
    assert (result.text, result.changes, result.diagnostics) == (None, [], [])


def test_crlf_and_bom_survive() -> None:
    old = "\ufeff" + OLD_SCRIPT.replace("\n", "\r\n")
    result = migrate_text(old, "scripts/welcome.yaml", "OnboardingScript")
    assert result.text == "\ufeff" + NEW_SCRIPT.replace("\n", "\r\n")


def test_unsafe_file_is_reported_not_rewritten() -> None:
    evil = OLD_SCRIPT.replace("id: welcome", "id: !!python/object/apply:os.system ['true']")
    result = migrate_text(evil, "scripts/welcome.yaml", "OnboardingScript")
    assert result.text is None
    assert [str(d) for d in result.diagnostics] == [
        "scripts/welcome.yaml:6:5: error PB003 tag '!!python/object/apply:os.system' is not "
        "allowed; it was not executed"]


def test_unknown_version_and_downgrade_are_refused() -> None:
    unknown = migrate_text(OLD_SCRIPT.replace("v1alpha1", "v0"), "s.yaml", "OnboardingScript")
    assert [str(d) for d in unknown.diagnostics] == [
        "s.yaml:4:13: error PB013 unknown apiVersion 'playbook/v0'"]
    down = migrate_text(NEW_SCRIPT, "s.yaml", "OnboardingScript", target="playbook/v1alpha1")
    assert [str(d) for d in down.diagnostics] == [
        "s.yaml:4:13: error PB013 cannot migrate playbook/v1 back to the older playbook/v1alpha1"]
    assert steps_between("playbook/v1", "playbook/v1") == []


def test_migrate_command_rewrites_the_folder_then_it_validates(
        make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": OLD_PLAYBOOK, "scripts/welcome.yaml": OLD_SCRIPT})
    code, _, err = run_cli("validate", root)
    assert code == 1
    assert "help: run `playbook migrate` to rewrite it to `playbook/v1`" in _validate_text(run_cli, root)

    code, out, err = run_cli("migrate", root, "--check")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "playbook.yaml: needs migrating playbook/v1alpha1 → playbook/v1 "
        "(apiVersion: playbook/v1alpha1 → playbook/v1; maintainer → owner)",
        "scripts/welcome.yaml: needs migrating playbook/v1alpha1 → playbook/v1 "
        "(apiVersion: playbook/v1alpha1 → playbook/v1; maintainer → owner; "
        "steps[0].offset → steps[0].at; steps[1].offset → steps[1].at)",
        "2 of 2 documents need `playbook migrate`."]
    assert (root / "scripts/welcome.yaml").read_text(encoding="utf-8") == OLD_SCRIPT

    code, out, _ = run_cli("migrate", root)
    assert code == 0
    assert out.endswith("Migrated 2 of 2 documents to playbook/v1; run `playbook validate` next.\n")
    assert (root / "scripts/welcome.yaml").read_text(encoding="utf-8") == NEW_SCRIPT
    assert "owner: ops-team  # kept" in (root / "playbook.yaml").read_text(encoding="utf-8")
    assert run_cli("validate", root)[0] == 0
    assert run_cli("migrate", root, "--check") == (
        0, "All 2 documents are at playbook/v1; nothing to migrate.\n", "")


def test_migrate_writes_nothing_when_one_file_is_broken(
        make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": OLD_PLAYBOOK,
                          "scripts/welcome.yaml": OLD_SCRIPT + "id: twice\n"})
    code, out, err = run_cli("migrate", root)
    assert code == 1 and out == ""
    assert err.startswith("scripts/welcome.yaml:27:1: error PB002 duplicate key 'id'\n")
    assert (root / "playbook.yaml").read_text(encoding="utf-8") == OLD_PLAYBOOK


def test_shipped_playbook_is_current(run_cli: RunCli) -> None:
    root = Path(__file__).resolve().parents[1]
    code, out, _ = run_cli("migrate", root, "--check")
    assert code == 0 and out.endswith("nothing to migrate.\n")


def _validate_text(run_cli: RunCli, root: Path) -> str:
    return run_cli("validate", root, "--format", "text")[1]
