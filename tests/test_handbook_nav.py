"""The handbook's bounded navigation (issue 20): a section longer than `nav.LIMIT` is split into
sub-sections by what an operator looks for (launch month, trigger, group type), parts of even
size, and the MkDocs configuration prunes what a page does not need."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from playbook.handbook import nav
from playbook.handbook.book import Book
from playbook.handbook.nav import NavItem, Shelf, bounded, launch_shelf, runs, trigger_shelf, type_shelf
from playbook.handbook.pages import Handbook
from playbook.handbook.site import config, nav_titles
from playbook.models.project import Project

NO_SHELF = Shelf()


def pages(*names: str, shelf: Shelf = NO_SHELF) -> list[tuple[str, str, Shelf]]:
    return [(name, f"{name}.md", shelf) for name in names]


def test_a_section_within_the_limit_is_listed_as_it_is() -> None:
    assert bounded(pages("b", "a", "c")) == [("b", "b.md"), ("a", "a.md"), ("c", "c.md")]


def test_a_long_section_is_split_by_shelf_in_shelf_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nav, "LIMIT", 2)
    later, sooner = Shelf("2027-01-05T10:00", "2027-01"), Shelf("2026-12-06T10:00", "2026-12")
    early_january = Shelf("2027-01-02T09:00", "2027-01")
    entries = [("x", "x.md", later), ("y", "y.md", sooner), ("z", "z.md", early_january)]
    assert bounded(entries) == [("2026-12", [("y", "y.md")]),
                                ("2027-01", [("z", "z.md"), ("x", "x.md")])]


def test_a_shelf_over_the_limit_is_cut_into_numbered_parts_of_even_size(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nav, "LIMIT", 2)
    entries = pages("a", "b", "c", shelf=Shelf("1", "成员入群")) + pages("d", shelf=Shelf("2", "引流漏斗"))
    assert bounded(entries) == [("成员入群（1/2）", [("a", "a.md"), ("b", "b.md")]),
                                ("成员入群（2/2）", [("c", "c.md")]),
                                ("引流漏斗", [("d", "d.md")])]


def test_pages_on_no_shelf_are_cut_into_runs_named_by_their_first_and_last(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nav, "LIMIT", 2)
    assert bounded(pages("林晓", "周宁", "陈宇")) == [
        ("林晓 – 周宁", [("林晓", "林晓.md"), ("周宁", "周宁.md")]), ("陈宇 – 陈宇", [("陈宇", "陈宇.md")])]


def test_more_shelves_than_the_limit_give_runs_in_the_section_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nav, "LIMIT", 2)
    entries = [("a", "a.md", Shelf("3", "三")), ("b", "b.md", Shelf("1", "一")),
               ("c", "c.md", Shelf("2", "二"))]
    assert bounded(entries) == [("a – b", [("a", "a.md"), ("b", "b.md")]), ("c – c", [("c", "c.md")])]


@pytest.mark.parametrize(("count", "sizes"), [(40, [40]), (41, [21, 20]), (81, [27, 27, 27]),
                                              (125, [32, 31, 31, 31])])
def test_runs_are_as_few_and_as_even_as_the_limit_allows(count: int, sizes: list[int]) -> None:
    entries = [(str(n), f"{n}.md") for n in range(count)]
    cut = runs(entries)
    assert [len(run) for run in cut] == sizes
    assert [entry for run in cut for entry in run] == entries


def test_a_pack_is_shelved_by_its_launch_month_in_launch_order() -> None:
    pack = SimpleNamespace(launch=SimpleNamespace(at=dt.datetime(2026, 12, 6, 10, 0)))
    assert launch_shelf(pack) == Shelf("2026-12-06T10:00:00", "2026-12")


def test_a_script_is_shelved_by_its_trigger_in_the_schema_order(shipped: Project) -> None:
    book = Book(shipped)
    assert [trigger_shelf(book, kind) for kind in ("funnel", "before_group", "on_join")] == [
        Shelf("03funnel", "引流漏斗"), Shelf("00before_group", "建群前准备"), Shelf("01on_join", "成员入群")]


def test_rules_and_calendars_are_shelved_by_the_group_type_they_apply_to(shipped: Project) -> None:
    book = Book(shipped)
    camp, kol = shipped.rules["training-camp-rules"], shipped.rules["kol-circle-rules"]
    assert type_shelf(book, camp.applies_to) == Shelf("0002", "新手训练营")
    assert type_shelf(book, kol.applies_to) == Shelf("0003", "KOL 圈")
    assert type_shelf(book, shipped.rules["base-rules"].applies_to) == Shelf("9998", "多个群类型")
    everyone = camp.applies_to.model_copy(update={"group_types": []})
    assert type_shelf(book, everyone) == Shelf("9999", "全部群类型")


def test_the_configuration_prunes_and_escapes_sub_section_titles(tmp_path: Path) -> None:
    packs: list[NavItem] = [("<b>2026-12</b>", [("a&b", "packs/a.md")]), ("c", "packs/c.md")]
    handbook = Handbook({}, [("", [("首页", "index.md")]), ("爆品素材包", packs)])
    settings = config("手册", "", handbook, tmp_path)
    assert "navigation.prune" in settings["theme"]["features"]
    assert settings["nav"] == [{"首页": "index.md"},
                               {"爆品素材包": [{"&lt;b&gt;2026-12&lt;/b&gt;": [{"a&amp;b": "packs/a.md"}]},
                                           {"c": "packs/c.md"}]}]


def test_sub_section_titles_are_no_search_words() -> None:
    """Only pages' and sections' titles are made whole words for the search index: a month or a
    run of names is no page, and adding it changed how page text was segmented."""
    tree = [{"首页": "index.md"}, {"入群流程": [{"引流漏斗": [{"七步漏斗": "a.md"}]}, {"开营": "b.md"}]}]
    assert nav_titles(tree) == ["首页", "入群流程", "七步漏斗", "开营"]
