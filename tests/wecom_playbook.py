"""A small WeCom playbook for the delivery tests (Asia/Shanghai): two customer groups with a
chat_id and an operator with a userid (company group sends), a group with only a robot, one
with neither, and one whose operator has no userid. Each group gets three slots a day
(09:00 with a picture, 12:00, 20:00); a member's (KOC) line at 10:00 stays manual."""

from __future__ import annotations

from pathlib import Path

from playbook.cli import main

PLAYBOOK = """\
apiVersion: playbook/v1
kind: Playbook
id: wecom-demo
version: 1.0.0
title: WeCom demo
owner: ops
locales: [zh-CN]
time_zone: Asia/Shanghai
currency: CNY
platforms: [{id: wecom_customer_group}]
metrics: [{id: gmv, name: GMV}]
layers: [{id: top, name: Top, rank: 1, audience: buyers, goal: retention}]
roles:
  - {id: host, kind: operator, name: 主持}
  - {id: fan, kind: koc, name: 铁粉}
group_types:
  - {id: shop, name: Shop, positioning: welfare, purpose: Deals., platform: wecom_customer_group,
     target_size: 100, layer: top}
operators:
  - {id: anna, name: Anna, wecom_userid: AnnaW}
  - {id: ben, name: Ben}
groups:
  - {id: shop-1, name: 一群, type: shop, operator: anna, opened: 2026-10-01, chat_id: wrTESTshop0001}
  - {id: shop-2, name: 二群, type: shop, operator: anna, opened: 2026-10-01, chat_id: wrTESTshop0002}
  - {id: shop-3, name: 三群, type: shop, operator: anna, opened: 2026-10-01, robot: deals-bot}
  - {id: shop-4, name: 四群, type: shop, operator: anna, opened: 2026-10-01}
  - {id: shop-5, name: 五群, type: shop, operator: ben, opened: 2026-10-01, chat_id: wrTESTshop0005}
"""

CALENDAR = """\
apiVersion: playbook/v1
kind: ActivityCalendar
id: daily
version: 1.0.0
title: Daily
owner: ops
routes: [wecom_group_send, wecom_robot, manual]
valid: {start: 2026-10-01}
daily:
  - {id: morning, at: "09:00", name: Morning, sender: host, attachments: [images/deal.png],
     text: "早上好，{{ group.name }}！今天是 {{ date }}。"}
  - {id: fan-line, at: "10:00", name: Fan, sender: fan, text: "我昨天买了，真不错。"}
  - {id: noon, at: "12:00", name: Noon, sender: host, text: "午间福利：{{ group.name }} 专享。"}
  - {id: night, at: "20:00", name: Night, sender: host, text: "晚安，{{ group.name }}。"}
"""

IMAGE = b"\x89PNG\r\n\x1a\n not a real picture, only bytes to hash"

FILES: dict[str, str | bytes] = {
    "playbook.yaml": PLAYBOOK,
    "calendars/daily.yaml": CALENDAR,
    "calendars/images/deal.png": IMAGE,
}
"""The files of the playbook, for `make_playbook`."""


def export_bundle(root: Path, out: Path, last_day: str) -> Path:
    """The playbook's json and wecom bundle from 2026-12-07 to `last_day`, in `out`."""
    assert main(["export", str(root), "--from", "2026-12-07", "--to", last_day, "--out", str(out),
                 "--format", "json,wecom", "--quiet"]) == 0
    return out
