"""The built handbook in a real browser: Debian's headless Chromium driven by Playwright,
against the site served by a `http.server` thread. One build and one browser for the module.

Runs in the normal test run. Without /usr/bin/chromium these tests FAIL; set
PLAYBOOK_SKIP_BROWSER=1 to skip them on purpose. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import MakePlaybook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("PLAYBOOK_SKIP_BROWSER") == "1",
                       reason="PLAYBOOK_SKIP_BROWSER=1 was set explicitly"),
]

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DAY = "2026-11-23"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding the shipped playbook's handbook (`shipped/`), built once."""
    from playbook.cli import main

    root = tmp_path_factory.mktemp("served")
    assert main(["build", str(REPO), "--date", DAY, "--out", str(root / "shipped")]) == 0
    return root


@pytest.fixture(scope="module")
def site_url(served_root: Path) -> Iterator[str]:
    """The shipped playbook's handbook, served on localhost."""
    root = served_root
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), (
        f"{CHROMIUM} is missing: apt-get install -y chromium (or set PLAYBOOK_SKIP_BROWSER=1)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.dialogs = dialogs
    try:
        yield tab
    finally:
        context.close()


def test_home_renders_the_layers(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/shipped/index.html")
    tiers = page.locator(".pb-pyramid .pb-tier strong")
    assert tiers.all_inner_texts() == ["头部用户", "中层用户（腰部）", "新手用户"]
    assert tiers.first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)


def test_search_finds_a_chinese_word_from_a_rule(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/shipped/index.html")
    page.wait_for_load_state("networkidle")  # the search index is loaded and indexed
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("砍价")
    # Typing CJK inserts text without key events (an IME sends them); the theme searches on keyup.
    search.press("End")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    links = [results.nth(i).locator("a").first.get_attribute("href") for i in range(results.count())]
    assert any("rules/base-rules.html" in (href or "") for href in links), links


def test_calendar_page_shows_the_weekly_grid(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/shipped/calendars/weekly-community.html")
    grid = page.locator("table.pb-week-grid")
    assert grid.is_visible()
    weekdays = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    assert [h.split(" ")[0] for h in grid.locator("thead th").all_inner_texts()[1:]] == weekdays
    assert "周四会员秒杀" in grid.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar.png"), full_page=True)


def test_copy_button_copies_the_announcement(browser: Any, site_url: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        tab = context.new_page()
        tab.goto(f"{site_url}/shipped/rules/base-rules.html")
        block = tab.locator(".highlight").first
        block.hover()
        block.locator("button[data-md-type='copy']").click()
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("欢迎来到悦享汇官方社群！")
        assert "1. 进群 24 小时内把群昵称改成" in copied and "【禁止】" in copied
    finally:
        context.close()


def test_phone_width_has_no_horizontal_scroll(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        tab = context.new_page()
        for path in ("index.html", "calendars/weekly-community.html", "rules/base-rules.html",
                     "operators/lin-xiao.html", "packs/winter-laundry-pods.html"):
            tab.goto(f"{site_url}/shipped/{path}")
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} scrolls sideways: {width}px"
    finally:
        context.close()


def test_hostile_text_runs_no_script(page: Any, make_playbook: MakePlaybook, tmp_path: Path) -> None:
    from playbook.cli import main
    from test_handbook import DAY as BUILD_DAY
    from test_handbook import HOSTILE_RULES

    root = make_playbook({"rules/base.yaml": HOSTILE_RULES})
    assert main(["build", str(root), "--date", BUILD_DAY]) == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(root / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/rules/base-rules.html")
        assert "<script>alert(1)</script> 不发广告" in page.locator("article").inner_text()
        assert page.locator("a[href^='javascript:']").count() == 0
        assert page.dialogs == []
    finally:
        server.shutdown()
        server.server_close()


# --- a phone, 390×844: no text off the right edge -----------------------------------------------

PHONE = {"width": 390, "height": 844}
OFF_THE_RIGHT_EDGE = r"""
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.data.trim() || !element || element.closest(".pb-week")) continue;  // the grid scrolls by design
    if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if ([...range.getClientRects()].some(r => r.width > 0 && r.right > width + 1)) {
      found.push(node.data.trim().slice(0, 30));
    }
  }
  return found;
}
"""
"""Visible text nodes whose box runs past the viewport's right edge, even inside a box that
scrolls sideways (a reader must scroll to see them); the weekly grid figure is meant to scroll."""

PAGE_TYPES = [
    pytest.param("index.html", id="home"),
    pytest.param("layers/top.html", id="layer"),
    pytest.param("group-types/middle-official.html", id="group-type"),
    pytest.param("rules/base-rules.html", id="rules"),
    pytest.param("scripts/camp-7day.html", id="script"),
    pytest.param("calendars/weekly-community.html", id="calendar"),
    pytest.param("packs/winter-laundry-pods.html", id="pack"),
    pytest.param("operators/lin-xiao.html", id="operator"),
    pytest.param("reference/fields.html", id="reference"),
]


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_no_visible_text_runs_past_the_right_edge_of_a_phone(phone: Any, site_url: str, path: str) -> None:
    phone.goto(f"{site_url}/shipped/{path}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate(OFF_THE_RIGHT_EDGE) == [], f"{path}: text past the right edge at 390 px"


def test_an_operators_page_lists_their_groups_and_no_one_elses(page: Any, site_url: str) -> None:
    import yaml

    roster = yaml.safe_load((REPO / "roster.yaml").read_text(encoding="utf-8"))
    mine = {g["name"] for g in roster["groups"] if g["operator"] == "lin-xiao"}
    others = {g["name"] for g in roster["groups"] if g["operator"] != "lin-xiao"}
    others = {name for name in others if not any(name in own for own in mine)}  # no substring confusion
    assert mine and others
    page.goto(f"{site_url}/shipped/operators/lin-xiao.html")
    text = page.locator("article").inner_text()
    assert {name for name in mine if name in text} == mine
    assert {name for name in others if name in text} == set()


# --- issue 14: cards on a phone and a desktop, over http and file:// ------------------------------

KINDS = {"home": "index.html", "layer": "layers/top.html", "group-type": "group-types/middle-official.html",
         "rules": "rules/base-rules.html", "script": "scripts/join-ceremony.html",
         "calendar": "calendars/weekly-community.html", "pack": "packs/winter-laundry-pods.html",
         "operator": "operators/lin-xiao.html"}
MESSAGES_OUTSIDE = """
() => [...document.querySelectorAll('.pb-variant pre, .md-typeset pre')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && (r.left < 0 || r.right > document.documentElement.clientWidth + 1);
}).length
"""


@pytest.mark.parametrize("scheme", ["http", "file"])
@pytest.mark.parametrize("viewport", [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_every_message_text_fits_the_screen(browser: Any, site_url: str, served_root: Path,
                                             scheme: str, viewport: tuple[int, int]) -> None:
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
    base = f"{site_url}/shipped" if scheme == "http" else (served_root / "shipped").as_uri()
    try:
        tab = context.new_page()
        for kind, path in KINDS.items():
            tab.goto(f"{base}/{path}")
            assert tab.evaluate("document.documentElement.scrollWidth") <= width, kind
            assert tab.evaluate(MESSAGES_OUTSIDE) == 0, f"{kind}: a message runs past the screen"
            if scheme == "http":
                ARTIFACTS.mkdir(exist_ok=True)
                tab.screenshot(path=str(ARTIFACTS / f"{kind}-{width}.png"), full_page=True)
    finally:
        context.close()


def test_an_operators_day_shows_every_text_they_post_verbatim(page: Any, site_url: str) -> None:
    import datetime as dt

    from playbook.messages.compose import compose
    from playbook.pipeline import check

    checked = check(REPO)
    assert checked.project is not None
    day = dt.date.fromisoformat(DAY)
    texts = {m.text for m in compose(checked.project, day, day).messages if m.operator == "lin-xiao"}
    assert len(texts) > 5
    page.goto(f"{site_url}/shipped/operators/lin-xiao.html")
    shown = page.locator(".pb-cards").first.locator(".pb-variant pre code").all_text_contents()
    assert texts <= set(shown), texts - set(shown)


def test_the_tick_box_is_kept_in_the_browser(page: Any, site_url: str) -> None:
    page.goto(f"{site_url}/shipped/operators/lin-xiao.html")
    box = page.locator("input[data-pb-tick]").first
    key = box.get_attribute("data-pb-tick")
    box.check()
    page.reload()
    assert page.locator(f"input[data-pb-tick='{key}']").is_checked()
    assert page.evaluate(f"localStorage.getItem('playbook-posted:{key}')") == "1"


def test_the_copy_button_copies_a_cards_exact_text(browser: Any, site_url: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        tab = context.new_page()
        tab.goto(f"{site_url}/shipped/operators/lin-xiao.html")
        block = tab.locator(".pb-variant pre").first
        expected = block.locator("code").text_content()
        assert expected and "\n" in expected
        block.hover()
        block.locator("button[data-md-type='copy']").click()
        assert tab.evaluate("navigator.clipboard.readText()") == expected
    finally:
        context.close()


@pytest.mark.parametrize("title, location", [("悦享汇基础群规", "rules/base-rules.html"),
                                             ("入群仪式", "scripts/join-ceremony.html")])
def test_search_from_the_file_system_finds_a_page_by_its_title_first(page: Any, served_root: Path,
                                                                      title: str, location: str) -> None:
    page.goto((served_root / "shipped" / "index.html").as_uri())
    search = page.locator("input.md-search__input")
    search.click()
    search.fill(title)
    search.press("End")
    first = page.locator(".md-search-result__item").first
    first.wait_for(timeout=10_000)
    assert location in (first.locator("a").first.get_attribute("href") or "")


def test_the_launch_figure_fits_a_phone_screen(phone: Any, site_url: str) -> None:
    phone.goto(f"{site_url}/shipped/packs/winter-laundry-pods.html")
    figure = phone.locator(".pb-launch-line")
    assert figure.locator("li strong").all_inner_texts() == [
        "预热", "上线", "战报", "排行榜", "二次冲刺", "午后刺激", "收尾复盘", "总结笔记"]
    figure.scroll_into_view_if_needed()
    box = figure.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"], box
    steps = [b for b in (li.bounding_box() for li in figure.locator("li").all()) if b is not None]
    assert len(steps) == 8 and all(b["x"] + b["width"] <= PHONE["width"] for b in steps)


TITLE_QUERIES = """async ([worker, queries]) => {
  const index = await (await fetch('search/search_index.json')).json();
  const search = new Worker('assets/javascripts/workers/' + worker);
  const replies = [];
  let wake = null;
  search.onmessage = event => { replies.push(event.data); if (wake) wake(); };
  const reply = () => new Promise(done => {
    if (replies.length) done(replies.shift()); else wake = () => { wake = null; done(replies.shift()); };
  });
  search.postMessage({type: 0, data: {config: index.config, docs: index.docs, options: {suggest: false}}});
  await reply();
  const first = {};
  for (const query of queries) {
    search.postMessage({type: 2, data: query});
    const [group] = (await reply()).data.items;
    first[query] = group ? group.find(doc => !doc.location.includes('#')).location : null;
  }
  search.terminate();
  return first;
}"""
"""Ask the theme's own search worker (what the search box talks to), once per query, and
return the page listed first for each: the whole title list in one page load."""


def test_every_page_title_finds_its_own_page_first(page: Any, site_url: str, served_root: Path) -> None:
    import json

    site = served_root / "shipped"
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    titles = {d["title"].replace("\u200b", ""): d["location"]
              for d in index["docs"] if "#" not in d["location"]}
    assert len(titles) >= 29 and titles["新手训练营"] == "group-types/training-camp.html"
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js")).name
    page.goto(f"{site_url}/shipped/index.html")
    first = page.evaluate(TITLE_QUERIES, [worker, list(titles)])
    assert {t: first[t] for t in titles if first[t] != titles[t]} == {}
