"""A pack page's launch timeline figure (issue 14, item 6): every step of the launch, in
order, with its phase in Chinese, above the message cards it summarises; escaped like every
other text taken from YAML."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bundle_playbook import FILES, PACK
from conftest import MakePlaybook
from playbook.handbook.compile import compile_handbook
from playbook.pipeline import check

REPO = Path(__file__).resolve().parents[1]
DAY = dt.date(2026, 11, 23)
MARK = re.compile(r'<li class="pb-mark pb-([a-z_]+)"><span class="pb-mark-when">([^<]*)</span>'
                  r"<strong>([^<]*)</strong>")


def pack_page(root: Path, pack: str) -> str:
    checked = check(root)
    assert checked.project is not None and not checked.failing
    return compile_handbook(checked.project, DAY).handbook.pages[f"packs/{pack}.md"]


def test_the_shipped_pack_shows_every_launch_step_in_order_in_chinese() -> None:
    page = pack_page(REPO, "winter-laundry-pods")
    figure = page.index('<div class="pb-figure pb-launch-line"')
    assert page.index("## 上线时间线") < figure < page.index('<div class="pb-timeline">'), \
        "the figure sits under its heading, above the cards"
    # packs/winter-laundry-pods/pack.yaml: launch 2026-12-06 10:00 and its eight steps' offsets
    assert MARK.findall(page) == [
        ("warm_up", "12-05 18:00", "预热"),
        ("launch", "12-06 10:00", "上线"),
        ("battle_report", "12-06 10:30", "战报"),
        ("top_list", "12-06 11:00", "排行榜"),
        ("second_wave", "12-06 12:00", "二次冲刺"),
        ("afternoon_stimulus", "12-06 15:00", "午后刺激"),
        ("closing_review", "12-06 20:30", "收尾复盘"),
        ("summary_note", "12-07 09:00", "总结笔记"),
    ]
    assert '<span class="pb-mark-offset">上线 30 分钟后</span>' in page
    # the cards stay: one per step
    assert page.count('<div class="pb-card pb-') == 8


def test_a_hostile_material_title_is_text_in_the_figure(make_playbook: MakePlaybook) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    pack = PACK.replace("title: Main", f'title: "{hostile}"')
    root = make_playbook({**FILES, "packs/night/pack.yaml": pack})
    page = pack_page(root, "night")
    figure = page[page.index('<div class="pb-figure pb-launch-line"'):page.index('<div class="pb-timeline">')]
    # this playbook's locale is English, so are the phase labels
    assert MARK.findall(figure) == [("launch", "10-29 23:30", "launch"),
                                    ("battle_report", "10-30 00:15", "battle report")]
    assert '<span class="pb-mark-note">&lt;img src=x onerror=alert(1)&gt;</span>' in figure
    assert "<img" not in figure
