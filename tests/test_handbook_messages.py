"""The handbook's message views (issue 14): every text shown is the text its groups get,
never "rendered for the first group"; cards, labels and placeholders on the pages."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli
from playbook.bundle.compose import Message, compose
from playbook.handbook.book import Book
from playbook.handbook.compile import compile_handbook
from playbook.handbook.progress import Progress
from playbook.handbook.views import merged
from playbook.models.project import Project
from playbook.pipeline import check

REPO = Path(__file__).resolve().parents[1]
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def shipped() -> Project:
    checked = check(REPO)
    assert checked.project is not None and not checked.failing
    return checked.project


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
