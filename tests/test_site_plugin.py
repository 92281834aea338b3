"""The MkDocs plugin of every `playbook build` (`playbook.handbook.site_plugin`) changes how much
memory a build holds, never a byte of what it writes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from material.plugins.search.plugin import SearchIndex

from conftest import RunCli
from playbook.handbook import site, site_plugin

DAY = "2026-11-23"
BASE = Path(__file__).parent / "lint" / "_base"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def search_index(entries: list[dict[str, Any]]) -> SearchIndex:
    index = SearchIndex(lang=["zh", "en"], separator=site.SEARCH_SEPARATOR, pipeline=["stemmer"],
                        fields={"title": {"boost": 1000}})
    index.entries = entries
    return index


ENTRIES = [
    {"location": "index.html", "title": "首页", "text": "进群 24 小时内 \u200b 改 群 昵称"},
    {"location": "rules/a.html#x", "title": 'quote " and \\ back', "text": "</script><b>\x00\x1f\u2028"},
    {"location": "p.html", "title": "tags", "text": "", "tags": ["a", "活动"], "boost": 2},
    {"location": "q.html", "title": "surrogate \ud800 kept escaped", "text": "😀 emoji"},
    *({"location": f"n{i}.html", "title": f"第{i}页", "text": "文" * i} for i in range(7)),
]


@pytest.mark.parametrize("count", [0, 1, 3, len(ENTRIES)])
@pytest.mark.parametrize("piece", [1, 3, 2000])
def test_index_pieces_are_the_bytes_material_writes(count: int, piece: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_plugin, "PIECE_ENTRIES", piece)
    index = search_index(ENTRIES[:count])
    ours = b"".join(site_plugin.index_pieces(index))
    assert ours == index.generate_search_index(None).encode("utf-8")
    assert json.loads(ours)["docs"] == ENTRIES[:count]


def test_a_build_writes_the_same_site_with_and_without_the_plugin(
        run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "playbook"
    shutil.copytree(BASE, root)
    code, _out, err = run_cli("build", root, "--date", DAY)
    assert code == 0, err
    config = root / site.WORKSPACE / site.CONFIG
    day = dt.date.fromisoformat(DAY)
    made: list[str] = []
    real = site_plugin.plugin

    def counted() -> Any:
        made.append("plugin")
        return real()

    monkeypatch.setattr(site_plugin, "plugin", counted)
    site.build(config, day, tmp_path / "with")
    assert made == ["plugin"]

    from mkdocs.plugins import BasePlugin

    monkeypatch.setattr(site_plugin, "plugin", BasePlugin)  # a plugin that does nothing
    site.build(config, day, tmp_path / "without")
    with_plugin, without = tree(tmp_path / "with"), tree(tmp_path / "without")
    assert "search/search_index.js" in with_plugin
    assert with_plugin.keys() == without.keys()
    assert [name for name in with_plugin if with_plugin[name] != without[name]] == []
    built = tree(root / "site")  # what `playbook build` made: the same, beside its bundles
    assert {name: built[name] for name in with_plugin} == with_plugin
