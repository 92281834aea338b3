"""The schedule engine: calendars, programmes and launches expanded into dated sends."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from playbook.loader import load_tree
from playbook.models.base import Scope
from playbook.models.project import Project
from playbook.schedule import Send, expand, resolve
from playbook.scope import groups_in
from playbook.validate import validate_tree

HEADER = "apiVersion: playbook/v1\nversion: 1.0.0\nowner: ops\n"


def playbook_yaml(time_zone: str = "Asia/Shanghai", groups: str = "") -> str:
    return HEADER + f"""kind: Playbook
id: sched
title: 排期
time_zone: {time_zone}
platforms: [{{id: wechat_group}}]
layers:
  - {{id: top, name: 头部, rank: 1, audience: 头部, goal: 管理}}
  - {{id: middle, name: 中层, rank: 2, audience: 中层, goal: 留存}}
roles: [{{id: assistant, kind: official, name: 小助手}}]
group_types:
  - {{id: vip, name: VIP, positioning: vip, purpose: 服务, platform: wechat_group, target_size: 100,
     layer: top}}
  - {{id: mid, name: 中层, positioning: welfare, purpose: 福利, platform: wechat_group, target_size: 200,
     layer: middle}}
operators: [{{id: op-a, name: 小安}}]
groups:
{groups or GROUP_A}"""


GROUP_A = "  - {id: g-a, name: A 群, type: vip, operator: op-a, opened: 2026-11-01}\n"


def calendar_yaml(body: str, valid: str = "{start: 2026-11-01}", extra: str = "") -> str:
    return HEADER + f"kind: ActivityCalendar\nid: cal\ntitle: 日历\nvalid: {valid}\n{extra}{body}"


def slot(ident: str, at: str, repeat: str = "") -> str:
    line = f"  - {{id: {ident}, at: '{at}', name: {ident}, sender: assistant, text: hi"
    return line + (f", repeat: '{repeat}'}}\n" if repeat else "}\n")


def project_of(tmp_path: Path, files: dict[str, str]) -> Project:
    everything = {"playbook.yaml": playbook_yaml(), **files}
    for rel, text in everything.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = validate_tree(load_tree(tmp_path))
    assert result.project is not None, "\n".join(map(str, result.diagnostics))
    return result.project


def when(sends: list[Send]) -> list[str]:
    return [f"{s.group} {s.at:%Y-%m-%d %H:%M%z} {s.item_id}" for s in sends]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_range_crossing_a_month_gives_every_day(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml("daily:\n" + slot("am", "09:00"))})
    sends = expand(project, d("2026-11-29"), d("2026-12-02"))
    assert when(sends) == [
        "g-a 2026-11-29 09:00+0800 am", "g-a 2026-11-30 09:00+0800 am",
        "g-a 2026-12-01 09:00+0800 am", "g-a 2026-12-02 09:00+0800 am",
    ]
    first = sends[0]
    assert (first.channel, first.sender, first.item) == ("group_message", "assistant", "slot")
    assert str(first.source) == "ActivityCalendar:cal#/daily/0"


def test_holidays_skip_listed_items_and_an_empty_skip_skips_everything(tmp_path: Path) -> None:
    holidays = ("holidays:\n  - {name: 休息, start: 2026-12-01, skip: [am]}\n"
                "  - {name: 停更, start: 2026-12-03, end: 2026-12-04}\n")
    body = "daily:\n" + slot("am", "09:00") + slot("pm", "15:00") + holidays
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml(body)})
    sends = expand(project, d("2026-12-01"), d("2026-12-05"))
    assert when(sends) == [
        "g-a 2026-12-01 15:00+0800 pm",
        "g-a 2026-12-02 09:00+0800 am", "g-a 2026-12-02 15:00+0800 pm",
        "g-a 2026-12-05 09:00+0800 am", "g-a 2026-12-05 15:00+0800 pm",
    ]


def test_a_group_opened_mid_range_gets_nothing_before_it_opened(tmp_path: Path) -> None:
    groups = GROUP_A + "  - {id: g-b, name: B 群, type: vip, operator: op-a, opened: 2026-12-02}\n"
    project = project_of(tmp_path, {"playbook.yaml": playbook_yaml(groups=groups),
                                    "calendars/cal.yaml": calendar_yaml("daily:\n" + slot("am", "09:00"))})
    sends = expand(project, d("2026-12-01"), d("2026-12-03"))
    assert when(sends) == [
        "g-a 2026-12-01 09:00+0800 am",
        "g-a 2026-12-02 09:00+0800 am", "g-b 2026-12-02 09:00+0800 am",
        "g-a 2026-12-03 09:00+0800 am", "g-b 2026-12-03 09:00+0800 am",
    ]


def test_empty_ranges_give_nothing(tmp_path: Path) -> None:
    body = "daily:\n" + slot("am", "09:00")
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml(body, "{start: 2026-11-01, "
                                                                                 "end: 2026-11-30}")})
    assert expand(project, d("2026-11-10"), d("2026-11-09")) == []
    assert expand(project, d("2026-12-01"), d("2026-12-31")) == []  # after the calendar ends
    assert len(expand(project, d("2026-11-10"), d("2026-11-10"))) == 1


PACK = HEADER + """kind: MaterialPack
id: night-pack
title: 夜场
product: {name: 茶, brand: 牌, price: 10, sharer_profit: 1}
selection:
  fits_buyers: {met: true}
  in_season: {met: true}
  repurchase: {met: true}
  fast_moving: {met: true}
  brand_endorsement: {met: true}
  margin: {met: true}
pitch: {selling_points: [好], brand: 牌, endorsement: 店主, sharer_profit: 1 元, top_reward: 礼, gameplay: 玩}
materials: [{id: copy, kind: text, title: 文案, text: 好茶}]
launch:
  at: "LAUNCH"
  audience: {layers: [top]}
timeline:
  - {id: warm-up, phase: warm_up, at: "D-1 20:00", sender: assistant, text: 预告}
  - {id: launch, phase: launch, at: +0m, sender: assistant, text: 开抢}
  - {id: report, phase: battle_report, at: +45m, sender: assistant, text: 战报}
  - {id: wave, phase: second_wave, at: +1h30m, sender: assistant, text: 第二波}
  - {id: summary, phase: summary_note, at: "D+1 09:00", sender: assistant, text: 总结}
review: {metrics: [{metric: gmv}]}
"""


def test_a_launch_at_2330_runs_past_midnight(tmp_path: Path) -> None:
    groups = GROUP_A + "  - {id: g-m, name: M 群, type: mid, operator: op-a, opened: 2026-11-01}\n"
    project = project_of(tmp_path, {
        "playbook.yaml": playbook_yaml(groups=groups) + "metrics: [{id: gmv, name: GMV}]\n",
        "packs/night-pack/pack.yaml": PACK.replace("LAUNCH", "2026-12-03 23:30"),
    })
    sends = expand(project, d("2026-12-01"), d("2026-12-05"))
    assert when(sends) == [  # only g-a: the audience is the top layer
        "g-a 2026-12-02 20:00+0800 warm-up", "g-a 2026-12-03 23:30+0800 launch",
        "g-a 2026-12-04 00:15+0800 report", "g-a 2026-12-04 01:00+0800 wave",
        "g-a 2026-12-04 09:00+0800 summary",
    ]
    assert {s.item for s in sends} == {"launch_step"}
    assert when(expand(project, d("2026-12-03"), d("2026-12-03"))) == ["g-a 2026-12-03 23:30+0800 launch"]


def test_a_weekly_event_is_announced_the_day_before_even_across_the_range_edge(tmp_path: Path) -> None:
    body = ("weekly:\n  - {id: sale, name: 特卖, kind: flash_sale, weekday: thu, at: '19:00', "
            "sender: assistant, text: 开始, announce: {text: 明天特卖}, announce_at: 'D-1 20:00'}\n")
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml(body)})
    sends = expand(project, d("2026-12-02"), d("2026-12-03"))  # Wednesday, Thursday
    assert [(s.item, f"{s.at:%a %H:%M}") for s in sends] == [
        ("announcement", "Wed 20:00"), ("weekly_event", "Thu 19:00")]
    assert sends[0].source.pointer == "/weekly/0/announce"
    only_wednesday = expand(project, d("2026-12-09"), d("2026-12-09"))
    assert [(s.item, f"{s.at:%Y-%m-%d}") for s in only_wednesday] == [("announcement", "2026-12-09")]


def test_a_repeat_rule_picks_the_days_and_counts_from_the_first_valid_day(tmp_path: Path) -> None:
    body = ("daily:\n" + slot("mf", "09:00", "FREQ=WEEKLY;BYDAY=MO,FR")
            + slot("few", "10:00", "FREQ=DAILY;COUNT=3"))
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml(body)})
    sends = expand(project, d("2026-11-01"), d("2026-11-14"))
    assert [f"{s.at:%a %d} {s.item_id}" for s in sends] == [
        "Sun 01 few", "Mon 02 mf", "Mon 02 few", "Tue 03 few", "Fri 06 mf", "Mon 09 mf", "Fri 13 mf",
    ]
    assert [s.item_id for s in expand(project, d("2026-11-04"), d("2026-11-05"))] == []


def test_berlin_wall_clock_times_hold_across_the_spring_change(tmp_path: Path) -> None:
    body = "daily:\n" + slot("am", "09:00") + slot("night", "02:30")
    project = project_of(tmp_path, {"calendars/cal.yaml": calendar_yaml(
        body, "{start: 2027-03-01}", "time_zone: Europe/Berlin\n")})
    sends = expand(project, d("2027-03-27"), d("2027-03-29"))
    assert when(sends) == [
        "g-a 2027-03-27 02:30+0100 night", "g-a 2027-03-27 09:00+0100 am",
        "g-a 2027-03-28 03:30+0200 night",  # 02:30 does not exist that night: moved forward
        "g-a 2027-03-28 09:00+0200 am",
        "g-a 2027-03-29 02:30+0200 night", "g-a 2027-03-29 09:00+0200 am",
    ]


def test_durations_are_elapsed_time_and_whole_days_keep_the_clock() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = dt.datetime(2027, 3, 28, 1, 45, tzinfo=berlin)
    assert f"{resolve('+30m', before):%d %H:%M%z}" == "28 03:15+0200"
    assert f"{resolve('+1d', dt.datetime(2027, 3, 27, 9, 0, tzinfo=berlin)):%d %H:%M%z}" == "28 09:00+0200"
    assert f"{resolve('-1d2h', dt.datetime(2027, 3, 29, 1, 0, tzinfo=berlin)):%d %H:%M%z}" == "27 23:00+0100"
    assert f"{resolve('D-1 20:00', before):%d %H:%M%z}" == "27 20:00+0100"


SCRIPT = HEADER + """kind: OnboardingScript
id: camp
title: 训练营
trigger: TRIGGER
steps:
  - {id: hello, name: 开营, at: "day 1 09:00", channel: group_message, sender: assistant, text: 开营}
  - {id: lesson, name: 第二课, at: "D+1 20:00", channel: group_message, sender: assistant, text: 上课}
  - {id: tip, name: 提示, at: "+2d8h", channel: private_message, sender: assistant, text: 提示}
"""


def test_programmes_run_from_the_opening_day_or_each_cohort_start(tmp_path: Path) -> None:
    groups = "  - {id: g-a, name: A, type: vip, operator: op-a, opened: 2026-11-01, " \
             "cohort_starts: [2026-11-10, 2026-11-20]}\n"
    opened = project_of(tmp_path / "opened", {
        "playbook.yaml": playbook_yaml(groups=groups),
        "scripts/camp.yaml": SCRIPT.replace("TRIGGER", "{kind: programme, days: 7}")})
    assert when(expand(opened, d("2026-11-01"), d("2026-11-30"))) == [
        "g-a 2026-11-01 09:00+0800 hello", "g-a 2026-11-02 20:00+0800 lesson",
        "g-a 2026-11-03 08:00+0800 tip"]
    cohorts = project_of(tmp_path / "cohorts", {
        "playbook.yaml": playbook_yaml(groups=groups),
        "scripts/camp.yaml": SCRIPT.replace("TRIGGER", "{kind: programme, days: 7, anchor: cohort_start}")})
    sends = expand(cohorts, d("2026-11-01"), d("2026-11-30"))
    assert [f"{s.at:%d} {s.item_id}" for s in sends] == [
        "10 hello", "11 lesson", "12 tip", "20 hello", "21 lesson", "22 tip"]
    assert sends[2].channel == "private_message"


def test_event_triggered_scripts_are_not_dated(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"scripts/camp.yaml": SCRIPT.replace("TRIGGER", "{kind: on_join}")})
    assert expand(project, d("2026-11-01"), d("2026-12-31")) == []


def test_ids_are_stable_unique_and_the_order_is_deterministic(tmp_path: Path) -> None:
    groups = GROUP_A + "  - {id: g-b, name: B 群, type: vip, operator: op-a, opened: 2026-11-01}\n"
    files = {"playbook.yaml": playbook_yaml(groups=groups),
             "calendars/cal.yaml": calendar_yaml("daily:\n" + slot("pm", "15:00") + slot("am", "09:00"))}
    first = expand(project_of(tmp_path / "one", files), d("2026-11-01"), d("2026-11-07"))
    again = expand(project_of(tmp_path / "two", files), d("2026-11-01"), d("2026-11-07"))
    assert [s.id for s in first] == [s.id for s in again]
    assert len({s.id for s in first}) == len(first) == 28
    assert all(re.fullmatch(r"m[0-9a-f]{16}", s.id) for s in first)
    assert [(s.at, s.group) for s in first] == sorted((s.at, s.group) for s in first)
    assert when(first[:3]) == ["g-a 2026-11-01 09:00+0800 am", "g-b 2026-11-01 09:00+0800 am",
                               "g-a 2026-11-01 15:00+0800 pm"]
    with pytest.raises(AttributeError):
        first[0].group = "other"  # type: ignore[misc]


def test_scopes_resolve_by_group_type_layer_or_group(tmp_path: Path) -> None:
    groups = GROUP_A + ("  - {id: g-m, name: M, type: mid, operator: op-a, opened: 2026-11-01}\n"
                        "  - {id: g-n, name: N, type: mid, operator: op-a, opened: 2026-11-01}\n")
    project = project_of(tmp_path, {"playbook.yaml": playbook_yaml(groups=groups)})
    assert groups_in(project, Scope()) == ["g-a", "g-m", "g-n"]
    assert groups_in(project, Scope(layers=["top"])) == ["g-a"]
    assert groups_in(project, Scope(group_types=["mid"])) == ["g-m", "g-n"]
    assert groups_in(project, Scope(layers=["top"], groups=["g-n"])) == ["g-a", "g-n"]
