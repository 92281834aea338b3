"""Group types and platforms are looked up in an index built once per project (issue 20): a
second project must get its own, never the first one's."""

from __future__ import annotations

from bundle_playbook import FILES
from conftest import MakePlaybook
from playbook.loader import load_tree
from playbook.scope import group_type_of, platform_of
from playbook.validate import validate_tree


def test_each_project_gets_its_own_group_types(make_playbook: MakePlaybook) -> None:
    playbook = FILES["playbook.yaml"]
    assert isinstance(playbook, str)
    moved = playbook.replace("platform: wechat_group,", "platform: wecom_customer_group,", 1)
    first = validate_tree(load_tree(make_playbook(FILES))).project
    second = validate_tree(load_tree(make_playbook({**FILES, "playbook.yaml": moved}))).project
    assert first is not None and second is not None
    assert platform_of(first, "club-1") == "wechat_group"
    assert platform_of(second, "club-1") == "wecom_customer_group"
    assert platform_of(first, "club-1") == "wechat_group"
    club = group_type_of(first, "club-1")
    assert club is not None and (club.id, club.platform) == ("club", "wechat_group")
