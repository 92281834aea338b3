"""A small playbook outside China for the bundle tests: Europe/Berlin (DST ends 2026-10-25),
two platforms and locales, a holiday on 2026-11-01, a group opened mid-range (2026-10-28), an
offline event, a keyword reply, a join script and a pack launching at 23:30."""

from __future__ import annotations

PLAYBOOK = """\
apiVersion: playbook/v1
kind: Playbook
id: berlin-club
version: 2.1.0
title: {en: Berlin club, zh-CN: 柏林俱乐部}
owner: ops
locales: [en, zh-CN]
time_zone: Europe/Berlin
currency: EUR
platforms: [{id: wechat_group}, {id: wecom_customer_group}]
metrics: [{id: gmv, name: GMV}]
layers: [{id: top, name: Top, rank: 1, audience: buyers, goal: retention}]
roles: [{id: host, kind: operator, name: {en: Host, zh-CN: 主持}}]
group_types:
  - {id: club, name: Club, positioning: vip, purpose: Serve members., platform: wechat_group,
     target_size: 100, layer: top}
  - {id: shop, name: Shop, positioning: welfare, purpose: Deals., platform: wecom_customer_group,
     target_size: 100, layer: top}
operators: [{id: anna, name: Anna}, {id: ben, name: Ben}]
settings: {quiet_hours: {start: "01:30", end: "06:00"}}
groups:
  - {id: club-1, name: Club One, type: club, operator: anna, opened: 2026-10-01}
  - {id: shop-1, name: 商店一群, type: shop, operator: ben, opened: 2026-10-28, locale: zh-CN}
"""

MORNING = ('{en: "Good morning, {{ group.name }}! Today is {{ date }}.", '
           'zh-CN: "早上好，{{ group.name }}！今天是 {{ date }}。"}')

CALENDAR = f"""\
apiVersion: playbook/v1
kind: ActivityCalendar
id: daily
version: 1.0.0
title: Daily
owner: ops
valid: {{start: 2026-10-01}}
daily:
  - {{id: morning, at: "09:00", name: Morning, sender: host, text: {MORNING}}}
offline:
  - {{id: meetup, name: Meetup, kind: meet_and_greet, date: 2026-10-30, at: "18:00", location: Kreuzberg,
     description: Bring a friend.}}
keyword_replies:
  - {{id: kw-hours, keywords: [hours], text: "{{{{ member.nickname }}}}, we post at 09:00 every day."}}
holidays:
  - {{name: All Saints, start: 2026-11-01}}
"""

JOIN = """\
apiVersion: playbook/v1
kind: OnboardingScript
id: join
version: 1.0.0
title: Join
owner: ops
trigger: {kind: on_join}
steps:
  - {id: welcome, name: Welcome, at: +0m, channel: group_message, sender: host,
     text: "Welcome {{ member.nickname }} to {{ group.name }}!"}
"""

PACK = """\
apiVersion: playbook/v1
kind: MaterialPack
id: night
version: 1.0.0
title: Night sale
owner: ops
product: {name: Tea, brand: Leaf, price: 10, sharer_profit: 1}
selection:
  fits_buyers: {met: true}
  in_season: {met: true}
  repurchase: {met: true}
  fast_moving: {met: true}
  brand_endorsement: {met: true}
  margin: {met: true}
pitch: {selling_points: [Good], brand: Leaf, endorsement: Shops, sharer_profit: 1 EUR, top_reward: Gift,
        gameplay: Play}
materials: [{id: main, kind: image, title: Main, file: images/main.png}]
launch:
  at: "2026-10-29 23:30"
  audience: {group_types: [shop]}
timeline:
  - {id: launch, phase: launch, at: +0m, sender: host, materials: [main],
     text: "{{ pack.product.name }} is live!"}
  - {id: report, phase: battle_report, at: +45m, sender: host, text: "Report: {{ pack.product.name }}"}
review: {metrics: [{metric: gmv}]}
"""

IMAGE = b"\x89PNG\r\n\x1a\n not a real picture, only bytes to hash"

FILES: dict[str, str | bytes] = {
    "playbook.yaml": PLAYBOOK,
    "calendars/daily.yaml": CALENDAR,
    "scripts/join.yaml": JOIN,
    "packs/night/pack.yaml": PACK,
    "packs/night/images/main.png": IMAGE,
}
"""The files of the playbook, for `make_playbook`."""
