"""Reply sets share a text among groups only when it reads nothing that tells them apart:
`replies._text_key` is a cache key, and a key that left out the group, the operator or the
locale would hand one group another's text. Three groups of one type and platform: two with
one operator, one with another; one group in another locale."""

from __future__ import annotations

import datetime as dt

from bundle_playbook import PLAYBOOK
from conftest import MakePlaybook, document_header
from playbook.messages.compose import Composer
from playbook.messages.replies import reply_sets
from playbook.pipeline import check

GROUPS = """\
  - {id: club-2, name: Club Two, type: club, operator: anna, opened: 2026-10-01}
  - {id: club-3, name: Club Three, type: club, operator: ben, opened: 2026-10-01}
  - {id: club-4, name: Club Four, type: club, operator: ben, opened: 2026-10-01, locale: zh-CN}
"""

SCRIPT = document_header("OnboardingScript", "join") + """\
trigger: {kind: on_join}
steps:
  - {id: by-group, name: By group, at: +0m, channel: group_message, sender: host,
     text: "Welcome to {{ group.name }}"}
  - {id: by-operator, name: By operator, at: +1m, channel: group_message, sender: host,
     text: "Ask {{ operator.name }}"}
  - {id: by-locale, name: By locale, at: +2m, channel: group_message, sender: host,
     text: "This is {{ playbook.title }}"}
  - {id: shared, name: Shared, at: +3m, channel: group_message, sender: host,
     text: "Hello {{ member.nickname }}"}
"""


def test_each_group_gets_the_text_of_its_own_values(make_playbook: MakePlaybook) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK + GROUPS, "scripts/join.yaml": SCRIPT})
    project = check(root).project
    assert project is not None
    day = dt.date(2026, 11, 2)
    sets = reply_sets(Composer(project), ["club-1", "club-2", "club-3", "club-4"], day, day)
    texts = {s.group: {r.item_id: r.text for r in s.replies} for s in sets}
    assert texts == {
        "club-1": {"by-group": "Welcome to Club One", "by-operator": "Ask Anna",
                   "by-locale": "This is Berlin club", "shared": "Hello {nickname}"},
        "club-2": {"by-group": "Welcome to Club Two", "by-operator": "Ask Anna",
                   "by-locale": "This is Berlin club", "shared": "Hello {nickname}"},
        "club-3": {"by-group": "Welcome to Club Three", "by-operator": "Ask Ben",
                   "by-locale": "This is Berlin club", "shared": "Hello {nickname}"},
        "club-4": {"by-group": "Welcome to Club Four", "by-operator": "Ask Ben",
                   "by-locale": "This is 柏林俱乐部", "shared": "Hello {nickname}"},
    }
