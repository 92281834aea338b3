"""Routes (issue 16, item 5): each message's route is the first its item allows that its group
can take within the quotas; what fits no WeCom route goes out by hand and stays in the run
sheet. Expected routes are worked out by hand from the playbook below."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from playbook.bundle.export import build_bundle
from playbook.loader import load_tree
from playbook.models.project import Project
from playbook.validate import validate_tree

PLAYBOOK = """\
apiVersion: playbook/v1
kind: Playbook
id: routes
version: 1.0.0
title: Routes
owner: ops
platforms: [{id: wecom_customer_group}, {id: wecom_group_robot}]
roles:
  - {id: host, kind: operator, name: Host}
  - {id: fan, kind: koc, name: Fan}
group_types:
  - {id: shop, name: Shop, positioning: welfare, purpose: Deals., platform: wecom_customer_group,
     target_size: 100}
operators:
  - {id: anna, name: Anna, wecom_userid: anna.w}
  - {id: ben, name: Ben}
groups:
  - {id: send, name: Send, type: shop, operator: anna, opened: 2026-11-01,
     chat_id: wrAAAAAAAAAAAAAAAAAAsend}
  - {id: both, name: Both, type: shop, operator: anna, opened: 2026-11-01,
     chat_id: wrAAAAAAAAAAAAAAAAAAboth, robot: bot-both}
  - {id: robot, name: Robot, type: shop, operator: ben, opened: 2026-11-01, robot: bot-robot}
  - {id: no-userid, name: No userid, type: shop, operator: ben, opened: 2026-11-01,
     chat_id: wrAAAAAAAAAAAAAAAAAAnouser}
  - {id: none, name: None, type: shop, operator: ben, opened: 2026-11-01}
"""

CALENDAR = """\
apiVersion: playbook/v1
kind: ActivityCalendar
id: daily
version: 1.0.0
title: Daily
owner: ops
valid: {start: 2026-11-01}
routes: [wecom_group_send, wecom_robot, manual]
daily:
  - {id: morning, at: "09:00", name: Morning, sender: host, text: Morning}
  - {id: noon, at: "12:00", name: Noon, sender: host, text: Noon, routes: [wecom_robot, manual]}
  - {id: evening, at: "20:00", name: Evening, sender: host, text: Evening}
  - {id: fan-line, at: "21:00", name: Fan, sender: fan, text: Loved it}
  - {id: by-hand, at: "21:30", name: By hand, sender: host, text: Night, routes: [manual]}
"""


def project_of(tmp_path: Path, files: dict[str, str]) -> Project:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = validate_tree(load_tree(tmp_path))
    assert result.project is not None, "\n".join(map(str, result.diagnostics))
    return result.project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return project_of(tmp_path, {"playbook.yaml": PLAYBOOK, "calendars/daily.yaml": CALENDAR})


def routes_on(project: Project, day: dt.date) -> dict[tuple[str, str], str]:
    bundle = build_bundle(project, day, day, formats=("json",))
    return {(m.group, m.item_id): m.route for m in bundle.messages}


def test_each_message_takes_the_first_route_its_group_can_take_within_the_quotas(project: Project) -> None:
    routes = routes_on(project, dt.date(2026, 11, 2))
    assert {k: v for k, v in routes.items() if k[0] == "send"} == {
        ("send", "morning"): "wecom_group_send",  # chat_id + anna's userid
        ("send", "noon"): "manual",               # asks for the robot only; the group has none
        ("send", "evening"): "manual",            # the day's one company group send is spent
        ("send", "fan-line"): "manual",           # a KOC's line comes from the member
        ("send", "by-hand"): "manual"}
    assert {k: v for k, v in routes.items() if k[0] == "both"} == {
        ("both", "morning"): "wecom_group_send", ("both", "noon"): "wecom_robot",
        ("both", "evening"): "wecom_robot",       # group send spent: the next route, the robot
        ("both", "fan-line"): "manual", ("both", "by-hand"): "manual"}
    assert [routes[("robot", i)] for i in ("morning", "noon", "evening")] == ["wecom_robot"] * 3
    # a chat_id without the operator's wecom_userid cannot take a company group send
    assert [routes[("no-userid", i)] for i in ("morning", "noon", "evening")] == ["manual"] * 3
    assert [routes[("none", i)] for i in ("morning", "noon", "evening")] == ["manual"] * 3


def test_the_quota_is_per_day_and_every_message_stays_in_the_bundle(project: Project) -> None:
    bundle = build_bundle(project, dt.date(2026, 11, 2), dt.date(2026, 11, 3), formats=("json", "md"))
    sends = [(m.at.date().isoformat(), m.item_id) for m in bundle.messages
             if m.group == "send" and m.route == "wecom_group_send"]
    assert sends == [("2026-11-02", "morning"), ("2026-11-03", "morning")]
    assert len(bundle.messages) == 5 * 5 * 2  # nothing dropped: 5 items, 5 groups, 2 days
    records = json.loads(bundle.files["messages.json"])["messages"]
    assert {r["route"] for r in records} == {"wecom_group_send", "wecom_robot", "manual"}
    manifest = json.loads(bundle.files["manifest.json"])
    # a day: send 1 group send + 4 by hand; both 1 + 2 robot + 2; robot 3 robot + 2; no-userid
    # and none 5 by hand each: 2 group sends, 5 robot, 18 by hand
    assert manifest["counts"]["by_route"] == {"manual": 36, "wecom_group_send": 4, "wecom_robot": 10}
    sheet = bundle.files["md/anna/2026-11-02.md"].decode()
    assert sheet.count("route `manual`") == 4 + 2  # send: noon, evening, fan-line, by-hand; both: 2


def test_without_routes_everything_is_posted_by_hand(tmp_path: Path) -> None:
    plain = CALENDAR.replace("routes: [wecom_group_send, wecom_robot, manual]\n", "").replace(
        ", routes: [wecom_robot, manual]", "")
    project = project_of(tmp_path, {"playbook.yaml": PLAYBOOK, "calendars/daily.yaml": plain})
    assert set(routes_on(project, dt.date(2026, 11, 2)).values()) == {"manual"}


def test_a_robot_posts_at_most_20_messages_a_minute(tmp_path: Path) -> None:
    groups = "".join(f"  - {{id: g{n:02}, name: G{n}, type: shop, operator: ben, opened: 2026-11-01, "
                     f"robot: shared}}\n" for n in range(21))
    playbook = PLAYBOOK[:PLAYBOOK.index("groups:\n")] + "groups:\n" + groups
    calendar = CALENDAR.replace("routes: [wecom_group_send, wecom_robot, manual]", "routes: [wecom_robot]")
    project = project_of(tmp_path, {"playbook.yaml": playbook, "calendars/daily.yaml": calendar})
    routes = routes_on(project, dt.date(2026, 11, 2))
    morning = [routes[(f"g{n:02}", "morning")] for n in range(21)]
    # 21 groups share one robot at 09:00: the 21st (in schedule order, by group id) goes by hand,
    # although its routes do not list manual: nothing is ever dropped
    assert morning == ["wecom_robot"] * 20 + ["manual"]


@pytest.mark.parametrize(("routes", "diagnostic"), [
    ("[]", "calendars/daily.yaml:8:9: error PB030 routes: list at least one route (e.g. [manual])"),
    ("[manual, manual]", "calendars/daily.yaml:8:9: error PB030 routes: route manual is listed twice"),
    ("[wecom_bot]", "calendars/daily.yaml:8:10: error PB023 routes[0]: the text 'wecom_bot' is not one "
                    "of: wecom_group_send, wecom_robot, manual"),
])
def test_a_bad_routes_list_is_a_validation_error_at_its_position(tmp_path: Path, routes: str,
                                                                  diagnostic: str) -> None:
    calendar = CALENDAR.replace("routes: [wecom_group_send, wecom_robot, manual]", f"routes: {routes}")
    for rel, text in {"playbook.yaml": PLAYBOOK, "calendars/daily.yaml": calendar}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = validate_tree(load_tree(tmp_path))
    assert result.project is None
    assert [str(d) for d in result.diagnostics] == [diagnostic]
