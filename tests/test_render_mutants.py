"""The message environment, its template folder and its sample context, value by value
(issue 19, item 5).

Written from the mutants of `render.py` that survived test_render, test_sandbox and
test_render_bounds: which name and message each template refusal carries, a loader rooted at
`/templates/` or at the playbook itself, the inline-template cache and what bypasses it, and
the sample context in a locale that is not the playbook's default (a third locale, so falling
back to the default and falling back to the first text differ). Expected values are written
out from the playbook below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import DictLoader, Template, TemplateNotFound

from bundle_playbook import FILES
from playbook import render as render_module
from playbook.files import FileRefused, PlaybookFiles
from playbook.models.base import MessageContent
from playbook.models.calendars import WeeklyEvent
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.render import (
    MessageEnvironment,
    Place,
    TemplateFolder,
    TemplateUnreadable,
    group_fields,
    place_of,
    roots,
    sample_context,
    sample_fields,
)

BASE_ROOTS = ("group", "operator", "playbook", "date")


def _three_locales() -> dict[str, str | bytes]:
    files = dict(FILES)
    playbook = str(files["playbook.yaml"])
    for old, new in (("title: {en: Berlin club, zh-CN: 柏林俱乐部}",
                      "title: {zh-CN: 柏林俱乐部, en: Berlin club}"),
                     ("locales: [en, zh-CN]", "locales: [en, zh-CN, de]"),
                     ("locale: zh-CN}", "locale: de}"),
                     ("opened: 2026-10-01}",
                      "opened: 2026-10-01,\n     fields: {since: 2026-01-02, city: Mitte}}")):
        assert old in playbook, old
        playbook = playbook.replace(old, new)
    files["playbook.yaml"] = playbook + """\
group_fields:
  - {id: city, name: {zh-CN: 城市, en: City}}
  - {id: tier, name: Tier, type: number}
  - {id: since, name: Since, type: date}
  - {id: page, name: Page, type: url}
  - {id: region, name: Region, type: enum, values: [east, south]}
"""
    pack = str(files["packs/night/pack.yaml"])
    for old, new in (("title: Night sale", "title: {zh-CN: 夜市, en: Night sale}"),
                     ("product: {name: Tea, brand: Leaf,",
                      "product: {name: {zh-CN: 茶, en: Tea}, brand: {zh-CN: 叶, en: Leaf},")):
        assert old in pack, old
        pack = pack.replace(old, new)
    files["packs/night/pack.yaml"] = pack
    return files


@pytest.fixture(scope="module")
def berlin(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The Berlin bundle playbook with a third locale (de, shop-1's), texts whose first locale is
    zh-CN (not the default en), group fields of every type, and club-1 holding two of them."""
    root = tmp_path_factory.mktemp("berlin")
    for rel, data in _three_locales().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    checked = check(root)
    assert checked.project is not None and not checked.failing, checked.diagnostics
    return checked.project


# -- the sample context ----------------------------------------------------------------------

def test_a_groups_locale_picks_its_texts_and_falls_back_to_the_default_one(berlin: Project) -> None:
    event = WeeklyEvent(id="quiz", name={"zh-CN": "问答", "en": "Quiz"},
                        kind="flash_sale", weekday="thu", at="20:00", sender="host", text="x")
    context = sample_context(berlin, Place("ActivityCalendar", "WeeklyEvent", pack=True),
                             group=berlin.groups["shop-1"], pack=berlin.packs["night"], event=event)
    assert context == {
        "group": {"id": "shop-1", "name": "商店一群", "type": "shop", "fields": {}},
        "operator": {"name": "Ben"},
        "playbook": {"title": "Berlin club"},  # no de title: the default locale's, not the first
        "date": "2026-01-05",
        "pack": {"title": "Night sale", "product": {"name": "Tea", "brand": "Leaf", "price": 10,
                                                    "sharer_profit": 1}},
        "event": {"name": "Quiz"},
    }
    chinese = berlin.groups["club-1"].model_copy(update={"locale": "zh-CN"})
    context = sample_context(berlin, Place("ActivityCalendar", "WeeklyEvent", pack=True),
                             group=chinese, pack=berlin.packs["night"], event=event)
    assert (context["playbook"], context["pack"], context["event"]) == (
        {"title": "柏林俱乐部"},
        {"title": "夜市", "product": {"name": "茶", "brand": "叶", "price": 10, "sharer_profit": 1}},
        {"name": "问答"})


def test_without_a_group_the_sample_names_its_type_and_every_field(berlin: Project) -> None:
    place = Place("ActivityCalendar", "WeeklyEvent")
    shop = berlin.playbook.group_types[1]
    context = sample_context(berlin, place, group_type=shop, day=berlin.playbook.groups[0].opened)
    assert context == {
        "group": {"id": "shop-01", "name": "Shop", "type": "shop",
                  "fields": {"city": "City", "tier": 1, "since": "2026-01-05", "page": "https://example.com/",
                             "region": "east"}},
        "operator": {"name": "运营小安"},
        "playbook": {"title": "Berlin club"},
        "date": "2026-10-01",
        "event": {"name": "本周活动"},
    }
    bare = sample_context(berlin, Place("ActivityCalendar", "Slot", pack=True))
    assert bare["group"] == {"id": "sample-group", "name": "示例群", "type": "sample-type",
                             "fields": {"city": "City", "tier": 1, "since": "2026-01-05",
                                        "page": "https://example.com/", "region": "east"}}
    assert bare["pack"] == {"title": "示例爆品", "product": {"name": "示例商品", "brand": "示例品牌",
                                                         "price": 39.9, "sharer_profit": 8.0}}


def test_the_first_sample_of_a_process_and_of_each_playbook_names_its_operator(
        berlin: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_module, "_NAMES", [])  # as in a fresh process
    place = Place("ActivityCalendar", "Slot")
    assert sample_context(berlin, place, group=berlin.groups["club-1"])["operator"] == {"name": "Anna"}
    renamed = dataclasses.replace(berlin, playbook=berlin.playbook.model_copy(
        update={"operators": [o.model_copy(update={"name": "Anne"}) for o in berlin.playbook.operators]}))
    assert sample_context(renamed, place, group=berlin.groups["club-1"])["operator"] == {"name": "Anne"}


def test_sample_fields_name_a_text_field_in_the_locale_asked(berlin: Project) -> None:
    assert sample_fields(berlin, "zh-CN") == {"city": "城市", "tier": 1, "since": "2026-01-05",
                                              "page": "https://example.com/", "region": "east"}
    assert sample_fields(berlin, "de")["city"] == "City"


def test_group_fields_write_dates_as_iso_text(berlin: Project) -> None:
    assert group_fields(berlin.groups["club-1"]) == {"since": "2026-01-02", "city": "Mitte"}
    dated = berlin.groups["club-1"].model_copy(update={"fields": {"since": dt.date(2026, 1, 2), "n": 3}})
    assert group_fields(dated) == {"since": "2026-01-02", "n": 3}


def test_a_place_outside_the_contract_gets_the_base_roots_and_only_scripts_keep_a_trigger() -> None:
    assert roots(Place("Unknown", "Thing")) == BASE_ROOTS
    assert place_of("ActivityCalendar", MessageContent(text="x"), "on_join") == Place(
        "ActivityCalendar", "MessageContent", None, False)


# -- the template folder ---------------------------------------------------------------------

@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    (tmp_path / "templates" / "sub").mkdir(parents=True)
    (tmp_path / "templates" / "a.j2").write_text("A {{ x }}", encoding="utf-8")
    (tmp_path / "templates" / "sub" / "b.j2").write_text("B", encoding="utf-8")
    (tmp_path / "outside.j2").write_text("O", encoding="utf-8")
    (tmp_path / "templates" / "out.j2").symlink_to("../outside.j2")
    (tmp_path / "templates" / "away.j2").symlink_to(sys.executable)
    os.mkfifo(tmp_path / "templates" / "fifo.j2")
    return tmp_path


def caught(call: object, name: str) -> tuple[str, object, str]:
    with pytest.raises(TemplateNotFound) as err:
        call(name)  # type: ignore[operator]
    return type(err.value).__name__, err.value.name, str(err.value.message)


@pytest.mark.parametrize("name", ["a\\b.j2", "/a.j2", "../outside.j2", "c:a.j2", "a\x00.j2"])
def test_a_name_that_points_outside_is_refused_with_its_name(playbook: Path, name: str) -> None:
    folder = TemplateFolder(PlaybookFiles(playbook))
    assert caught(folder.resolve, name) == (
        "TemplateOutsideFolder", name, f"template '{name}' points outside templates/")


def test_each_refusal_of_the_folder_names_the_template(playbook: Path) -> None:
    folder = TemplateFolder(PlaybookFiles(playbook))
    assert caught(folder.resolve, "none.j2") == (
        "TemplateNotFound", "none.j2", "template 'none.j2' does not exist in templates/")
    assert caught(folder.resolve, "out.j2") == (
        "TemplateOutsideFolder", "out.j2", "template 'out.j2' leads outside templates/")
    assert caught(folder.resolve, "away.j2") == (
        "TemplateOutsideFolder", "away.j2", "template 'away.j2' leads outside templates/")
    env = MessageEnvironment(PlaybookFiles(playbook))
    assert caught(env.get_template, "fifo.j2") == (
        "TemplateUnreadable", "fifo.j2",
        "cannot read template 'templates/fifo.j2': is a FIFO (named pipe), not a regular file")


def test_a_template_the_file_layer_refuses_while_resolving_or_reading_keeps_its_name(playbook: Path) -> None:
    files = PlaybookFiles(playbook)

    def refuse(rel: str, *args: object) -> str:
        raise FileRefused(rel, "permission denied", "PB039")

    files.resolve = refuse  # type: ignore[method-assign]
    with pytest.raises(TemplateUnreadable) as unreadable:
        TemplateFolder(files).resolve("a.j2")
    assert (unreadable.value.name, unreadable.value.refused.code, unreadable.value.message) == (
        "a.j2", "PB039", "cannot read template 'templates/a.j2': permission denied")
    gone = PlaybookFiles(playbook)

    def vanished(rel: str, *args: object) -> str:
        raise FileRefused(rel, "it does not exist", "PB033")

    gone.read_text = vanished  # type: ignore[method-assign]
    assert caught(MessageEnvironment(gone).get_template, "a.j2") == (
        "TemplateNotFound", "a.j2", "template 'a.j2' does not exist in templates/")


def test_a_folder_given_with_slashes_or_as_the_playbook_itself(playbook: Path) -> None:
    files = PlaybookFiles(playbook)
    assert TemplateFolder(files, "/templates/").resolve("sub/b.j2") == "templates/sub/b.j2"
    assert TemplateFolder(files, "/Xtras/").folder == "Xtras"
    root = TemplateFolder(files, "", label="the playbook")
    assert root.resolve("templates/a.j2") == "templates/a.j2"
    assert caught(root.resolve, "none.j2") == (
        "TemplateNotFound", "none.j2", "template 'none.j2' does not exist in the playbook/")
    text, shown, uptodate = TemplateFolder(files).get_source(MessageEnvironment(), "a.j2")
    assert (text, shown, uptodate()) == ("A {{ x }}", "templates/a.j2", True)


# -- the environment -------------------------------------------------------------------------

def test_the_environment_finalizes_outputs_and_has_no_loader_without_a_playbook() -> None:
    env = MessageEnvironment(finalize=lambda value: f"[{value}]")
    assert env.from_string("{{ 1 }}<b>{{ '<i>' }}").render() == "[1]<b>[<i>]"
    assert MessageEnvironment().loader is None


class Marked(Template):
    """A template class of the caller's own."""


def test_inline_templates_are_compiled_once_unless_given_globals_a_class_or_a_parsed_tree() -> None:
    env = MessageEnvironment()
    first = env.from_string("{{ 1 }}")
    assert env.from_string("{{ 1 }}") is first
    assert env.from_string("{{ g }}", globals={"g": "全局"}).render() == "全局"
    marked = env.from_string("{{ 2 }}", template_class=Marked)
    assert isinstance(marked, Marked) and marked.render() == "2"
    assert env.from_string("{{ 2 }}") is not marked
    assert env.from_string(env.parse("{{ 3 }}")).render() == "3"


def test_a_message_is_its_template_file_or_its_text_in_the_locale() -> None:
    env = MessageEnvironment(loader=DictLoader({"m.j2": "file {{ 1 }}"}))
    text = {"zh-CN": "你好", "en": "hello"}
    assert env.message(SimpleNamespace(template=None, text=text), "zh-CN", "en").render() == "你好"  # type: ignore[arg-type, union-attr]
    assert env.message(SimpleNamespace(template=None, text=text), "de", "en").render() == "hello"  # type: ignore[arg-type, union-attr]
    assert env.message(SimpleNamespace(template="m.j2", text=None), "de", "en").render() == "file 1"  # type: ignore[arg-type, union-attr]
    assert env.message(SimpleNamespace(template=None, text=None), "de", "en") is None  # type: ignore[arg-type]
