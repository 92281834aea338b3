"""`playbook agenda`: what is live in a group (or every group) on one day."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_playbook import FILES
from conftest import MakePlaybook, RunCli

REPO = Path(__file__).resolve().parents[1]


def test_launch_day_in_one_group(run_cli: RunCli) -> None:
    code, out, err = run_cli("agenda", REPO, "--group", "welfare-03", "--date", "2026-12-06")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "2026-12-06 Sun · 悦享汇社交电商金字塔社群运营手册 · 1 group · 8 messages"
    assert lines[2] == "悦享汇·爆品福利3群 (welfare-03) · lin-xiao · wecom_customer_group"
    # welfare-03 opened 2026-11-22; its type's strong stage lasts 30 days
    assert lines[3] == "  stage: 强运营期 (strong) since 2026-11-22, next stage from 2026-12-22"
    assert lines[4] == ("  live: calendars daily-promotion, weekly-community; "
                        "pack winter-laundry-pods launching 2026-12-06 10:00")
    times = [line.split()[0] for line in lines[5:]]
    assert times == ["08:30", "10:00", "10:30", "11:00", "12:00", "15:00", "20:30", "21:30"]
    assert "launch_step first-battle-report" in lines[7]


def test_programmes_count_their_day_and_unopened_groups_say_so(run_cli: RunCli) -> None:
    code, out, _ = run_cli("agenda", REPO, "--group", "camp-03,welfare-03", "--date", "2026-11-21")
    assert code == 0
    assert ("(camp-03) · lin-xiao · wecom_customer_group\n"
            "  stage: 开营强运营期 (strong) since 2026-11-16, next stage from 2026-11-23\n"
            "  live: nothing scheduled") in out
    assert "  not open yet: opens 2026-11-22" in out
    code, out, _ = run_cli("agenda", REPO, "--group", "camp-03", "--date", "2026-11-25")
    assert "programme camp-7day day 3 (from 2026-11-23)" in out
    assert "programme new-member-path day 3 (from 2026-11-23)" in out


def test_before_opening_a_group_shows_its_preparation_steps(run_cli: RunCli) -> None:
    # east-middle-02 opens 2026-11-05: the before-group script's D-1 14:00 invitation is due
    code, out, _ = run_cli("agenda", REPO, "--group", "east-middle-02", "--date", "2026-11-04")
    assert code == 0
    lines = out.splitlines()
    assert lines[3] == "  not open yet: opens 2026-11-05"
    assert lines[4].split()[:4] == ["14:00", "operator", "preparation_step", "invitation"]
    assert len(lines) == 5
    # D-14 10:00: the account is set up two weeks before the group opens
    code, out, _ = run_cli("agenda", REPO, "--group", "east-middle-02", "--date", "2026-10-22")
    assert out.splitlines()[4].split()[:4] == ["10:00", "operator", "preparation_step", "account-setup"]


def test_a_weak_stage_group_gets_only_the_kept_slots(run_cli: RunCli) -> None:
    # east-middle-01 opened 2026-10-22: strong 30 days, daily 90 days, weak from 2027-02-19;
    # in weak operation only the morning greeting, hot-product time and good night remain
    code, out, _ = run_cli("agenda", REPO, "--group", "east-middle-01", "--date", "2027-02-22")
    assert code == 0
    lines = out.splitlines()
    assert lines[3] == "  stage: 弱运营期 (weak) since 2027-02-19, the last stage, until 2027-03-20"
    slots = [line.split()[3] for line in lines[5:] if line.split()[2:3] == ["slot"]]
    assert slots == ["morning-greeting", "hot-product", "good-night"]


def test_every_group_on_playbook_today(run_cli: RunCli, make_playbook: MakePlaybook,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-10-30")
    code, out, _ = run_cli("agenda", make_playbook(FILES))
    assert code == 0
    assert out.startswith("2026-10-30 Fri · Berlin club · 2 groups · 5 messages\n")
    assert "  00:15  host" in out and "  18:00  back office" in out and "Meetup · 2026-10-30 18:00" in out


def test_unknown_group_is_a_usage_error(run_cli: RunCli) -> None:
    code, _, err = run_cli("agenda", REPO, "--group", "welfare-9", "--date", "2026-12-06")
    assert code == 2 and "--group welfare-9: no such group" in err


def test_preparation_steps_are_checked_like_every_send(make_playbook: MakePlaybook) -> None:
    # a before-group step two weeks before opening, at 23:30: inside the quiet hours
    from conftest import document_header, valid_playbook_yaml
    from playbook.pipeline import check
    playbook = valid_playbook_yaml("""operators:
  - {id: op-a, name: 小安}
groups:
  - {id: g1, name: 一群, type: middle-official, operator: op-a, opened: 2026-11-20}
""")
    script = document_header("OnboardingScript", "prep") + """trigger: {kind: before_group}
steps:
  - {id: late-invite, name: 邀请, at: "D-14 23:30", channel: private_message, sender: official,
     text: 你好}
"""
    checked = check(make_playbook({"playbook.yaml": playbook, "scripts/prep.yaml": script}))
    assert [str(d) for d in checked.diagnostics if d.code == "PB403"] == [
        "scripts/prep.yaml:9:37: error PB403 preparation step 'late-invite' goes out at 23:30, "
        "inside quiet hours 22:00–08:00: 2026-11-06 23:30 in g1"]
