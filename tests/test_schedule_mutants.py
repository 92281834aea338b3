"""The schedule engine's corners that its mutation run (issue 19) showed no test reached, outside
the calendars (tests/test_schedule_calendar_mutants.py): the exact message id, PLAYBOOK_TODAY,
resolve's cache keyed by zone and fold, before-group preparation steps, and programme and launch
steps narrowed by their own `applies_to`. Every expected date and time is written by hand from
the calendar rules (New York leaves daylight saving time on Sunday 2026-11-01 at 02:00)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from playbook.errors import UsageError
from playbook.models.base import Channel
from playbook.models.project import Project
from playbook.schedule import Broadcast, Send, Source, expand, resolve, today
from test_schedule import HEADER, PACK, SCRIPT, d, playbook_yaml, project_of, when

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

# g-x is never in a script's or pack's own selector: it shows an item's selector is read within
# its document's, never on its own
FOUR_GROUPS = """  - {id: g-a, name: A, type: vip, operator: op-a, opened: OPEN}
  - {id: g-m, name: M, type: mid, operator: op-a, opened: OPEN}
  - {id: g-n, name: N, type: mid, operator: op-a, opened: LATER}
  - {id: g-x, name: X, type: mid, operator: op-a, opened: OPEN}
"""


def four_groups(opened: str, later: str, zone: str = "Asia/Shanghai") -> str:
    groups = FOUR_GROUPS.replace("OPEN", opened).replace("LATER", later)
    return playbook_yaml(zone, groups) + "metrics: [{id: gmv, name: GMV}]\n"


def fields(send: Send) -> tuple[object, ...]:
    return (send.group, f"{send.at:%Y-%m-%d %H:%M%z}", send.channel, send.sender, str(send.source),
            send.item, send.item_id)


# --- ids, channels, broadcasts ---------------------------------------------------------------

NINE = dt.datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)
DAILY = Source("ActivityCalendar", "cal", "/daily/0")


def test_a_send_id_is_the_hash_of_group_or_account_moment_and_source() -> None:
    send = Send("g-a", NINE, "group_message", "assistant", DAILY, "slot", "am")
    # `printf 'g-a\n2026-11-01T09:00:00+08:00\nActivityCalendar:cal#/daily/0' | sha256sum`
    assert send.id == "me7f27b9b91091fed"
    post = send._replace(channel="moments_post", account="op-a", groups=("g-a", "g-b"))
    # the same with '@moments_post:op-a' in place of the group
    assert post.id == "m968f335cc2d2a705"


@pytest.mark.parametrize(("channel", "in_group"), [
    ("group_message", True), ("announcement", True), ("live_session", True),
    ("private_message", False), ("moments_post", False), ("service_account_post", False),
    ("backoffice", False),
])
def test_which_channels_land_in_the_group(channel: Channel, in_group: bool) -> None:
    send = Send("g-a", NINE, channel, "assistant", DAILY, "slot", "am")
    assert send.reaches_group is in_group
    assert Broadcast(NINE, channel, None, DAILY, "slot", "am", ("g-a",)).reaches_group is in_group


def test_a_broadcast_splits_into_one_send_per_group_in_order() -> None:
    broadcast = Broadcast(NINE, "announcement", "assistant", DAILY, "slot", "am", ("g-b", "g-a"))
    assert list(broadcast.sends()) == [
        Send("g-b", NINE, "announcement", "assistant", DAILY, "slot", "am", "", ()),
        Send("g-a", NINE, "announcement", "assistant", DAILY, "slot", "am", "", ()),
    ]


# --- PLAYBOOK_TODAY -------------------------------------------------------------------------

def test_today_is_the_date_in_playbook_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-02-14")
    assert today() == dt.date(2026, 2, 14)


@pytest.mark.parametrize("value", [None, ""])
def test_today_without_playbook_today_is_the_clocks(monkeypatch: pytest.MonkeyPatch,
                                                     value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("PLAYBOOK_TODAY", raising=False)
    else:
        monkeypatch.setenv("PLAYBOOK_TODAY", value)
    before = dt.date.today()
    found = today()
    assert found in {before, dt.date.today()}  # the same day unless midnight passed between


@pytest.mark.parametrize(("value", "message"), [
    ("2026-13-01", "PLAYBOOK_TODAY='2026-13-01' is not a date; write YYYY-MM-DD"),
    ("tomorrow", "PLAYBOOK_TODAY='tomorrow' is not a date; write YYYY-MM-DD"),
    ("1979-12-31", "PLAYBOOK_TODAY=1979-12-31: 1979-12-31 is outside the supported dates "
                   "1980-01-01 .. 2099-12-31"),
    ("2100-01-01", "PLAYBOOK_TODAY=2100-01-01: 2100-01-01 is outside the supported dates "
                   "1980-01-01 .. 2099-12-31"),
])
def test_a_bad_playbook_today_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, value: str,
                                               message: str) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", value)
    with pytest.raises(UsageError) as raised:
        today()
    assert str(raised.value) == message
    assert raised.value.__cause__ is None


def test_the_first_and_last_supported_days_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("1980-01-01", "2099-12-31"):
        monkeypatch.setenv("PLAYBOOK_TODAY", value)
        assert today() == dt.date.fromisoformat(value)


# --- the caches of resolve ------------------------------------------------------------------

def test_the_same_instant_in_two_zones_resolves_in_each_zone() -> None:
    # 2026-11-05 09:17 in Shanghai is 02:17 in Berlin (CET, +01:00): equal datetimes
    shanghai = dt.datetime(2026, 11, 5, 9, 17, tzinfo=SHANGHAI)
    berlin = dt.datetime(2026, 11, 5, 2, 17, tzinfo=BERLIN)
    assert shanghai == berlin
    assert f"{resolve('D+1 10:05', shanghai):%Y-%m-%d %H:%M%z}" == "2026-11-06 10:05+0800"
    assert f"{resolve('D+1 10:05', berlin):%Y-%m-%d %H:%M%z}" == "2026-11-06 10:05+0100"


def test_the_repeated_hour_resolves_by_its_fold() -> None:
    # 01:30 comes twice in New York on 2026-11-01: first at -04:00 (fold 0), then at -05:00
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    second = first.replace(fold=1)
    assert f"{resolve('+31m', first):%H:%M%z}" == "01:01-0500"  # 05:30 UTC + 31 minutes
    assert f"{resolve('+31m', second):%H:%M%z}" == "02:01-0500"  # 06:30 UTC + 31 minutes


# --- before-group preparation ---------------------------------------------------------------

PREPARATION = HEADER + """kind: OnboardingScript
id: prep
title: 建群准备
trigger: {kind: before_group}
applies_to: {groups: [g-a, g-m, g-n]}
steps:
  - {id: invite, name: 邀请, at: "D-3 10:00", channel: private_message, sender: assistant, text: 邀请}
  - {id: brief, name: 预告, at: "D-1 20:00", channel: group_message, sender: assistant, text: 预告,
     applies_to: {group_types: [mid]}}
  - {id: open, name: 开群, at: "D+0 09:00", channel: announcement, sender: assistant, text: 开群}
"""


@pytest.fixture
def preparing(tmp_path: Path) -> Project:
    return project_of(tmp_path, {"playbook.yaml": four_groups("2026-11-02", "2026-11-12", "America/New_York"),
                                 "scripts/prep.yaml": PREPARATION})


def test_preparation_steps_fall_before_each_groups_opening_in_the_playbooks_zone(preparing: Project) -> None:
    sends = expand(preparing, d("2026-10-20"), d("2026-11-30"))
    assert [fields(s) for s in sends] == [
        # g-a and g-m open on Monday 11-02 (EST), three days before is still EDT
        ("g-a", "2026-10-30 10:00-0400", "private_message", "assistant", "OnboardingScript:prep#/steps/0",
         "preparation_step", "invite"),
        ("g-m", "2026-10-30 10:00-0400", "private_message", "assistant", "OnboardingScript:prep#/steps/0",
         "preparation_step", "invite"),
        # only the mid groups; never g-x, which the script does not reach
        ("g-m", "2026-11-01 20:00-0500", "group_message", "assistant", "OnboardingScript:prep#/steps/1",
         "preparation_step", "brief"),
        ("g-a", "2026-11-02 09:00-0500", "announcement", "assistant", "OnboardingScript:prep#/steps/2",
         "preparation_step", "open"),
        ("g-m", "2026-11-02 09:00-0500", "announcement", "assistant", "OnboardingScript:prep#/steps/2",
         "preparation_step", "open"),
        ("g-n", "2026-11-09 10:00-0500", "private_message", "assistant", "OnboardingScript:prep#/steps/0",
         "preparation_step", "invite"),
        ("g-n", "2026-11-11 20:00-0500", "group_message", "assistant", "OnboardingScript:prep#/steps/1",
         "preparation_step", "brief"),
        ("g-n", "2026-11-12 09:00-0500", "announcement", "assistant", "OnboardingScript:prep#/steps/2",
         "preparation_step", "open"),
    ]


def test_a_one_day_range_keeps_the_preparation_steps_of_that_day(preparing: Project) -> None:
    assert when(expand(preparing, d("2026-10-30"), d("2026-10-30"))) == [
        "g-a 2026-10-30 10:00-0400 invite", "g-m 2026-10-30 10:00-0400 invite"]
    assert when(expand(preparing, d("2026-11-11"), d("2026-11-11"))) == [
        "g-n 2026-11-11 20:00-0500 brief"]
    assert expand(preparing, d("2026-10-31"), d("2026-10-31")) == []


# --- programme steps with their own selector ------------------------------------------------

CAMP = SCRIPT.replace("TRIGGER", "{kind: programme, days: 7}\napplies_to: {groups: [g-a, g-m, g-n]}").replace(
    'sender: assistant, text: 上课}', 'sender: assistant, text: 上课, applies_to: {group_types: [mid]}}')


def test_a_programme_step_goes_only_to_the_groups_its_selector_keeps(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"playbook.yaml": four_groups("2026-11-01", "2026-11-01"),
                                    "scripts/camp.yaml": CAMP})
    sends = expand(project, d("2026-11-01"), d("2026-11-30"))
    assert when(sends) == [
        "g-a 2026-11-01 09:00+0800 hello", "g-m 2026-11-01 09:00+0800 hello",
        "g-n 2026-11-01 09:00+0800 hello",
        "g-m 2026-11-02 20:00+0800 lesson", "g-n 2026-11-02 20:00+0800 lesson",
        "g-a 2026-11-03 08:00+0800 tip", "g-m 2026-11-03 08:00+0800 tip", "g-n 2026-11-03 08:00+0800 tip",
    ]
    assert fields(sends[3]) == ("g-m", "2026-11-02 20:00+0800", "group_message", "assistant",
                                "OnboardingScript:camp#/steps/1", "programme_step", "lesson")
    # a range that leaves out the first step still has the later ones, up to its last day
    assert when(expand(project, d("2026-11-02"), d("2026-11-02"))) == [
        "g-m 2026-11-02 20:00+0800 lesson", "g-n 2026-11-02 20:00+0800 lesson"]
    assert when(expand(project, d("2026-11-01"), d("2026-11-02"))) == [
        "g-a 2026-11-01 09:00+0800 hello", "g-m 2026-11-01 09:00+0800 hello",
        "g-n 2026-11-01 09:00+0800 hello",
        "g-m 2026-11-02 20:00+0800 lesson", "g-n 2026-11-02 20:00+0800 lesson"]


def test_a_programme_anchored_on_members_joining_has_no_dates(tmp_path: Path) -> None:
    groups = ("  - {id: g-a, name: A, type: vip, operator: op-a, opened: 2026-11-01, "
              "cohort_starts: [2026-11-10]}\n")
    script = SCRIPT.replace("TRIGGER", "{kind: programme, days: 7, anchor: member_joined}")
    project = project_of(tmp_path, {"playbook.yaml": playbook_yaml(groups=groups),
                                    "scripts/camp.yaml": script})
    assert expand(project, d("2026-11-01"), d("2026-11-30")) == []


# --- launch steps with their own selector ---------------------------------------------------

def test_a_launch_step_goes_only_to_the_audience_its_selector_keeps(tmp_path: Path) -> None:
    pack = (PACK.replace("LAUNCH", "2026-12-03 20:00").replace("{layers: [top]}", "{groups: [g-a, g-m]}")
            .replace("text: 预告}", "text: 预告, applies_to: {group_types: [mid]}}"))
    project = project_of(tmp_path, {"playbook.yaml": four_groups("2026-11-01", "2026-11-01"),
                                    "packs/night-pack/pack.yaml": pack})
    sends = expand(project, d("2026-12-02"), d("2026-12-03"))
    assert when(sends) == ["g-m 2026-12-02 20:00+0800 warm-up",
                           "g-a 2026-12-03 20:00+0800 launch", "g-m 2026-12-03 20:00+0800 launch",
                           "g-a 2026-12-03 20:45+0800 report", "g-m 2026-12-03 20:45+0800 report",
                           "g-a 2026-12-03 21:30+0800 wave", "g-m 2026-12-03 21:30+0800 wave"]
    assert fields(sends[0]) == ("g-m", "2026-12-02 20:00+0800", "group_message", "assistant",
                                "MaterialPack:night-pack#/timeline/0", "launch_step", "warm-up")
