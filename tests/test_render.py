"""The message sandbox: attribute escapes fail, undefined fails, the template loader stays in
templates/, and each place of a message gets exactly the context its contract names."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound, UndefinedError
from jinja2.exceptions import SecurityError

from playbook.files import PlaybookFiles
from playbook.loader import load_tree
from playbook.models.base import MessageContent
from playbook.models.calendars import KeywordReply, Slot, WeeklyEvent
from playbook.models.project import Project
from playbook.render import (
    MessageEnvironment,
    TemplateFolder,
    TemplateOutsideFolder,
    TemplateUnreadable,
    contract_tree,
    environment_for,
    place_of,
    render,
    roots,
    sample_context,
)
from playbook.validate import validate_tree

BASE = Path(__file__).parent / "lint" / "_base"
BASE_ROOTS = ("group", "operator", "playbook", "date")


def project_from(root: Path) -> Project:
    result = validate_tree(load_tree(root))
    assert result.project is not None, "\n".join(map(str, result.diagnostics))
    return result.project


@pytest.fixture
def base_copy(tmp_path: Path) -> Path:
    root = tmp_path / "playbook"
    shutil.copytree(BASE, root)
    return root


# Attribute escapes and changes to the context: tests/test_sandbox.py, against real objects.


@pytest.mark.parametrize("source", ["{{ 'x' * 1000000 }}", "{{ 2 ** 100000 }}", "{{ [0] * 10 ** 9 }}"])
def test_sandbox_refuses_runaway_arithmetic(source: str) -> None:
    with pytest.raises(SecurityError):
        render(source, {})


def test_strict_undefined_raises() -> None:
    with pytest.raises(UndefinedError):
        render("欢迎 {{ member.nickname }}", {})
    with pytest.raises(UndefinedError):
        render("{{ group.nmae }}", {"group": {"name": "中层一群"}})


def test_no_html_escaping_in_plain_text_messages() -> None:
    assert render("{{ x }} & <b>", {"x": "<满100减20>"}) == "<满100减20> & <b>"


def test_template_loader_reads_inside_templates(tmp_path: Path) -> None:
    (tmp_path / "templates" / "messages").mkdir(parents=True)
    (tmp_path / "templates" / "messages" / "hi.j2").write_text("你好 {{ group.name }}", encoding="utf-8")
    env = MessageEnvironment(PlaybookFiles(tmp_path))
    assert render(env.get_template("messages/hi.j2"), {"group": {"name": "一群"}}, env) == "你好 一群"
    assert render("{% include 'messages/hi.j2' %}!", {"group": {"name": "二群"}}, env) == "你好 二群!"


@pytest.mark.parametrize("name", ["../secret.txt", "messages/../../secret.txt", "/etc/passwd",
                                  "..\\secret.txt", "C:/secret.txt"])
def test_template_loader_refuses_paths_outside_templates(tmp_path: Path, name: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    env = MessageEnvironment(PlaybookFiles(tmp_path))
    with pytest.raises(TemplateOutsideFolder):
        env.get_template(name)
    with pytest.raises(TemplateNotFound):
        render("{% include '" + name.replace("\\", "\\\\") + "' %}", {}, env)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_template_loader_refuses_a_link_leading_outside(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    (tmp_path / "templates" / "link.j2").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(TemplateOutsideFolder):
        TemplateFolder(PlaybookFiles(tmp_path)).resolve("link.j2")


def test_missing_template_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    with pytest.raises(TemplateNotFound):
        MessageEnvironment(PlaybookFiles(tmp_path)).get_template("messages/none.j2")


def test_context_contract_per_place() -> None:
    project = project_from(BASE)
    calendar = project.calendars["daily"]
    slot, pack_slot = calendar.daily
    step = project.scripts["join"].steps[0]
    timeline = project.packs["demo-pack"].timeline[0]
    event = WeeklyEvent(id="thu", name="周四秒杀", kind="flash_sale", weekday="thu", at="20:00",
                        sender="assistant", text="x")
    reply = KeywordReply(id="price", keywords=["价格"], text="x")
    assert isinstance(slot, Slot) and slot.pack is None and pack_slot.pack == "demo-pack"
    expected = {
        place_of("ActivityCalendar", slot): BASE_ROOTS,
        place_of("ActivityCalendar", pack_slot): (*BASE_ROOTS, "pack"),
        place_of("ActivityCalendar", event): (*BASE_ROOTS, "event"),
        place_of("ActivityCalendar", MessageContent(text="x")): (*BASE_ROOTS, "event"),  # announce
        place_of("ActivityCalendar", reply): (*BASE_ROOTS, "member"),
        place_of("OnboardingScript", step, "on_join"): (*BASE_ROOTS, "member"),
        place_of("OnboardingScript", step, "programme"): BASE_ROOTS,
        place_of("OnboardingScript", step, "before_group"): BASE_ROOTS,
        place_of("MaterialPack", timeline): (*BASE_ROOTS, "pack"),
    }
    for place, wanted in expected.items():
        assert roots(place) == wanted, place
    assert contract_tree(place_of("MaterialPack", timeline))["pack"]["product"].keys() == {
        "name", "brand", "price", "sharer_profit"}


def test_sample_context_uses_the_roster_and_the_pack() -> None:
    project = project_from(BASE)
    group = project.groups["g-01"]
    step = project.scripts["join"].steps[0]
    context = sample_context(project, place_of("OnboardingScript", step, "on_join"), group=group)
    assert context == {
        "group": {"id": "g-01", "name": "中层一群", "type": "middle-official", "fields": {}},
        "operator": {"name": "小安"},
        "playbook": {"title": "规则测试用基础剧本"},
        "date": "2026-01-05",
        "member": {"nickname": "小王"},
    }
    assert step.text is not None
    assert render(str(step.text), context) == "欢迎 小王 加入中层一群!"
    pack = project.packs["demo-pack"]
    timeline = pack.timeline[0]
    context = sample_context(project, place_of("MaterialPack", timeline), group=group, pack=pack)
    assert context["pack"]["product"] == {"name": "红枣枸杞茶", "brand": "示例品牌", "price": 39.9,
                                          "sharer_profit": 8}
    assert "member" not in context


def test_environment_for_a_project_reads_its_templates(base_copy: Path) -> None:
    (base_copy / "templates").mkdir()
    (base_copy / "templates" / "welcome.j2").write_text("欢迎 {{ member.nickname }}", encoding="utf-8")
    env = environment_for(project_from(base_copy))
    assert render(env.get_template("welcome.j2"), {"member": {"nickname": "小王"}}, env) == "欢迎 小王"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_template_loader_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "templates" / "messages").mkdir(parents=True)
    os.mkfifo(tmp_path / "templates" / "messages" / "pipe.j2")
    env = MessageEnvironment(PlaybookFiles(tmp_path))
    with pytest.raises(TemplateUnreadable) as refused:
        env.get_template("messages/pipe.j2")
    assert refused.value.message == ("cannot read template 'templates/messages/pipe.j2': "
                                     "is a FIFO (named pipe), not a regular file")
    assert refused.value.refused.code == "PB038"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_template_loader_follows_links_only_inside_templates(tmp_path: Path) -> None:
    (tmp_path / "templates" / "shared").mkdir(parents=True)
    (tmp_path / "templates" / "shared" / "sign.j2").write_text("—— {{ operator.name }}", encoding="utf-8")
    (tmp_path / "templates" / "sign.j2").symlink_to(Path("shared") / "sign.j2")
    (tmp_path / "notes.txt").write_text("inside the playbook, outside templates/", encoding="utf-8")
    (tmp_path / "templates" / "notes.j2").symlink_to(tmp_path / "notes.txt")
    env = MessageEnvironment(PlaybookFiles(tmp_path))
    assert render(env.get_template("sign.j2"), {"operator": {"name": "小安"}}, env) == "—— 小安"
    with pytest.raises(TemplateOutsideFolder) as outside:
        env.get_template("notes.j2")
    assert outside.value.message == "template 'notes.j2' leads outside templates/"


def test_template_loader_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "gbk.j2").write_bytes("欢迎".encode("gb18030"))
    with pytest.raises(TemplateUnreadable) as refused:
        MessageEnvironment(PlaybookFiles(tmp_path)).get_template("gbk.j2")
    assert refused.value.message == "cannot read template 'templates/gbk.j2': it is not UTF-8 (byte 0xbb)"
