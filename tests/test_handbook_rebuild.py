"""Incremental `playbook build` (`playbook.handbook.rebuild`): after an edit that changed only
some pages' Markdown, MkDocs renders only those pages, and the site is byte-identical to a cold
build of the same playbook; anything else builds from scratch."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import RunCli, cache_on
from playbook import cache
from playbook.handbook import rebuild, site

DAY = "2026-11-23"
BASE = Path(__file__).parent / "lint" / "_base"
RULES = Path("rules") / "base.yaml"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The cache on (conftest turns it off), a user key of this test's own, a fixed day."""
    cache_on(monkeypatch, tmp_path_factory, DAY, "1764000000")


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str] | None]:
    """What each MkDocs run rendered: the changed pages, or None for a whole build."""
    runs: list[frozenset[str] | None] = []
    real = site.run_mkdocs

    def spying(config_file: Path, site_dir: Path, changed: frozenset[str] | None = None) -> None:
        runs.append(changed)
        real(config_file, site_dir, changed)

    monkeypatch.setattr(site, "run_mkdocs", spying)
    return runs


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(root: Path, old: str, new: str, rel: Path = RULES) -> None:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def cold_site(root: Path, tmp_path: Path, run_cli: RunCli) -> dict[str, bytes]:
    """The site a build from scratch makes of the playbook as it is now."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".playbook", "site"))
    code, _, err = run_cli("build", fresh)
    assert code == 0, err
    return tree(fresh / "site")


@pytest.fixture
def built(tmp_path: Path, run_cli: RunCli) -> Path:
    root = tmp_path / "playbook"
    shutil.copytree(BASE, root)
    code, _, err = run_cli("build", root)
    assert code == 0, err
    return root


def test_an_edited_page_is_rendered_alone_and_the_site_is_what_a_cold_build_makes(
        built: Path, tmp_path: Path, run_cli: RunCli, builds: list[frozenset[str] | None]) -> None:
    before = tree(built / "site")
    edit(built, "禁止发广告", "禁止发任何广告")
    code, _, err = run_cli("build", built)
    assert code == 0, err
    assert builds and builds[0] is not None and 0 < len(builds[0]) < 5, builds  # a few pages, not all
    after = tree(built / "site")
    assert after != before
    assert after == cold_site(built, tmp_path, run_cli)
    docs = json.loads(after["search/search_index.json"])["docs"]
    text = "".join(d["text"] for d in docs).replace("\u200b", "").replace(" ", "")
    assert "禁止发任何广告" in text and "禁止发广告" not in text  # the edited page's entries are new


def test_two_edits_in_a_row_stay_identical(built: Path, tmp_path: Path, run_cli: RunCli,
                                           builds: list[frozenset[str] | None]) -> None:
    edit(built, "禁止发广告", "禁止发任何广告")
    assert run_cli("build", built)[0] == 0
    edit(built, "分享真实买家反馈", "分享真实的买家反馈")
    assert run_cli("build", built)[0] == 0
    assert all(b is not None for b in builds[:2])
    assert tree(built / "site") == cold_site(built, tmp_path, run_cli)


@pytest.mark.parametrize("change", ["title", "force", "forged manifest", "link in the site", "no cache"])
def test_anything_else_builds_from_scratch(built: Path, tmp_path: Path, run_cli: RunCli,
                                           builds: list[frozenset[str] | None], change: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    flags: list[str] = []
    edit(built, "禁止发广告", "禁止发任何广告")
    if change == "title":  # the navigation, which every page shows, changes
        edit(built, "title: 基础群规", "title: 基础群规（新）")
    elif change == "force":
        flags = ["--force"]
    elif change == "forged manifest":
        entry = built / cache.CACHE_FOLDER / rebuild.MANIFEST
        signature, body = entry.read_text("utf-8").split("\n", 1)
        entry.write_text(signature + "\n" + body.replace('"files"', '"files" ', 1), "utf-8")
    elif change == "link in the site":
        os.symlink("/etc/hostname", built / "site" / "outside.txt")
    else:
        monkeypatch.setenv(cache.DISABLE_VARIABLE, "1")
    code, _, err = run_cli("build", built, *flags)
    assert code == 0, err
    assert builds == [None]
    assert tree(built / "site") == cold_site(built, tmp_path, run_cli)


def test_a_failing_incremental_build_leaves_the_site_as_it_was(
        built: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(built / "site")
    real = rebuild.plugin

    def failing(changed: frozenset[str], index: Path) -> Any:
        instance = real(changed, index)

        def stop(**_: Any) -> None:
            raise site.SiteBuildFailed(["stopped on purpose"])

        instance.on_post_build = stop
        return instance

    monkeypatch.setattr(rebuild, "plugin", failing)
    edit(built, "禁止发广告", "禁止发任何广告")
    code, _, err = run_cli("build", built)
    assert code != 0 and "stopped on purpose" in err
    assert tree(built / "site") == before
