"""The handbook's message views (issue 14): every text shown is the text its groups get,
never "rendered for the first group"; cards, labels and placeholders on the pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from conftest import MakePlaybook, RunCli
from playbook.handbook import labels
from playbook.handbook.book import Book
from playbook.handbook.compile import compile_handbook
from playbook.handbook.progress import Progress
from playbook.handbook.views import merged
from playbook.messages.compose import Message, compose
from playbook.models.project import Project

DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def week(shipped: Project) -> list[Message]:
    composed = compose(shipped, DAY, DAY + dt.timedelta(days=6))
    assert not composed.diagnostics
    return composed.messages


def test_groups_share_an_entry_only_with_identical_text(shipped: Project, week: list[Message]) -> None:
    entries = merged(Book(shipped), week)
    by_id = {m.id: m for m in week}
    assert sum(len(v.ids) for e in entries for v in e.variants) == len(week)
    for entry in entries:
        for variant in entry.variants:
            assert {by_id[i].text for i in variant.ids} == {variant.text}
            assert [by_id[i].group_name for i in variant.ids] == variant.groups


def test_the_morning_greeting_names_each_group_in_its_own_text(shipped: Project,
                                                               week: list[Message]) -> None:
    mine = [m for m in week if m.operator == "chen-yu"]
    greeting = next(e for e in merged(Book(shipped), mine)
                    if e.at.date() == DAY and e.clock == "08:30")
    assert [v.groups for v in greeting.variants] == [
        ["悦享汇·华北中层官方1群"], ["悦享汇·华南中层官方1群"], ["悦享汇·爆品福利2群"]]
    for variant in greeting.variants:
        assert variant.text.startswith(f"早上好，「{variant.groups[0]}」的伙伴们！今天是 2026-11-23。")


def test_the_operator_page_shows_every_text_the_operator_posts(shipped: Project,
                                                               week: list[Message]) -> None:
    page = compile_handbook(shipped, DAY).handbook.pages["operators/chen-yu.md"]
    assert "早上好，「悦享汇·华南中层官方1群」的伙伴们！今天是 2026-11-23。" in page
    assert "早上好，「悦享汇·爆品福利2群」的伙伴们！今天是 2026-11-23。" in page
    assert "按第一个群渲染" not in page


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_and_clears_its_line() -> None:
    stream = _Terminal()
    progress = Progress.for_terminal(stream)
    for done in range(1, 4):
        progress.pages(done, 3)
    progress.step("MkDocs is building the site (3 pages)")
    progress.close()
    assert stream.getvalue() == (
        "\r\x1b[2Kplaybook: rendering pages 1/3\r\x1b[2Kplaybook: rendering pages 2/3"
        "\r\x1b[2Kplaybook: rendering pages 3/3\r\x1b[2Kplaybook: MkDocs is building the site (3 pages)"
        "\r\x1b[2K")


@pytest.mark.parametrize("stream, quiet", [(io.StringIO(), False), (_Terminal(), True)],
                         ids=["piped", "--quiet"])
def test_progress_is_silent_when_piped_or_quiet(stream: io.StringIO, quiet: bool) -> None:
    progress = Progress.for_terminal(stream, quiet=quiet)
    progress.pages(1, 1)
    progress.step("MkDocs")
    progress.close()
    assert stream.getvalue() == ""


def test_build_quiet_prints_nothing(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({})
    assert run_cli("build", root, "--date", DAY.isoformat(), "--quiet") == (0, "", "")
    assert (root / "site" / "index.html").is_file()


@pytest.mark.parametrize("rule, words", [
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "每周一、三、五"),
    ("FREQ=MONTHLY;BYDAY=1SU", "每月第一个周日"),
    ("FREQ=MONTHLY;BYDAY=-1SU", "每月最后一个周日"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "每天"),
    ("FREQ=DAILY;INTERVAL=3", "每 3 天"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "每 2 周的周二、四"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15", "每月 1、15 日"),
    ("FREQ=WEEKLY;BYDAY=SA;COUNT=4", "每周六，共 4 次"),
    ("FREQ=WEEKLY;BYDAY=SA;UNTIL=20261231", "每周六，到 2026-12-31 为止"),
])
def test_recurrence_in_words(rule: str, words: str) -> None:
    assert labels.recurrence(rule) == words


def test_a_rule_it_cannot_say_is_shown_as_code(shipped: Project) -> None:
    assert labels.recurrence("FREQ=WEEKLY;BYDAY=XX") is None
    assert str(Book(shipped).repeat("FREQ=WEEKLY;BYDAY=<b>")) == "<code>FREQ=WEEKLY;BYDAY=&lt;b&gt;</code>"


@pytest.mark.parametrize("offset, words", [
    ("+30m", "30 分钟后"), ("+10h30m", "10 小时 30 分钟后"), ("-1d", "1 天前"), ("+0m", "立即"),
    ("D-1 20:00", "前一天 20:00"), ("D+1 09:00", "后一天 09:00"), ("day 3 09:00", "第 3 天 09:00"),
])
def test_offsets_in_words(offset: str, words: str) -> None:
    assert labels.offset(offset) == words


def test_every_enum_value_has_a_chinese_and_an_english_label() -> None:
    import typing

    from playbook.models import base, calendars, packs, playbook, rules, scripts

    kinds = {"Channel": "channel", "Form": "form", "PlatformKind": "platform", "RoleKind": "role_kind",
             "Positioning": "positioning", "StageKind": "stage_kind", "TriggerKind": "trigger",
             "StepPurpose": "purpose", "Detection": "detection", "EscalationAction": "escalation",
             "MaterialKind": "material", "Phase": "phase", "Weekday": "weekday", "EventKind": "event",
             "OfflineKind": "offline"}
    for module in (base, calendars, packs, playbook, rules, scripts):
        for name, value in vars(module).items():
            if typing.get_origin(value) is typing.Literal and name in kinds:
                for v in typing.get_args(value):
                    zh, en = labels.LABELS[kinds[name]][v]
                    assert zh and en and zh != v, (name, v)
    assert labels.label("channel", "group_message") == "群消息"
    assert labels.label("channel", "group_message", "en") == "group message"
    assert labels.label("channel", "not-declared") == "not-declared"


HOLIDAY_CALENDAR = """\
apiVersion: playbook/v1
kind: ActivityCalendar
id: week
version: 1.0.0
title: 测试日历
owner: ops-team
valid:
  start: 2026-11-02
applies_to:
  group_types: [t]
daily:
  - id: morning
    at: "08:30"
    name: 早安
    sender: ops
    text: 早上好
  - id: evening
    at: "21:00"
    name: 晚安
    sender: ops
    text: 晚安
holidays:
  - name: 停更日
    start: 2026-11-25
    skip: [morning]
"""


def test_the_week_grid_leaves_out_what_a_holiday_pauses(shipped: Project) -> None:
    from playbook.handbook.views import day_labels, week_cells
    from playbook.models.calendars import ActivityCalendar

    raw = __import__("yaml").safe_load(HOLIDAY_CALENDAR)
    cal = ActivityCalendar.model_validate(raw)
    monday = dt.date(2026, 11, 23)
    times, cells = week_cells(Book(shipped), cal, monday)
    assert times == ["08:30", "21:00"]
    assert sorted(day for (clock, day) in cells if clock == "08:30") == [0, 1, 3, 4, 5, 6]  # not Wednesday
    assert sorted(day for (clock, day) in cells if clock == "21:00") == [0, 1, 2, 3, 4, 5, 6]
    assert day_labels(Book(shipped), cal, monday)[2] == "周三 11-25 · 停更日"


def test_a_card_names_the_text_variant_each_group_gets_escaped() -> None:
    from playbook.handbook.cards import Card, CardText, cards

    html_text = str(cards([Card("21:00", "晚安", texts=(
        CardText("晚安，明天见", ("福利1群", "福利2群"), "", "a"),
        CardText("好梦", ("福利3群",), "", "<b>b</b>"),
        CardText("无变体", ("福利4群",)),
    ))]))
    assert ('<span class="pb-groups">福利1群、福利2群</span>'
            '<span class="pb-variant-name">文案 a</span>') in html_text
    assert '<span class="pb-variant-name">文案 &lt;b&gt;b&lt;/b&gt;</span>' in html_text
    assert html_text.count("pb-variant-name") == 2
