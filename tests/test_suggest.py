"""Did-you-mean only when close; the declared ids when nothing is; media paths and weekdays."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MakePlaybook, document_header, valid_playbook_yaml
from playbook import lint
from playbook.diagnostics import Diagnostic
from playbook.lint.config import LintConfig
from playbook.loader import load_tree
from playbook.suggest import declared, did_you_mean, edits, suggest
from playbook.validate import validate_tree


@pytest.mark.parametrize(("word", "choices", "meant"), [
    ("education", ["self_introduction", "benefit", "lesson"], None),  # difflib said 0.62
    ("ctiy", ["city", "region"], "city"),  # a swap: difflib said 0.5
    ("esat", ["east", "south"], "east"),
    ("middle-offical", ["middle-official", "top-official"], "middle-official"),
    ("morning", ["morning-greeting", "night"], "morning-greeting"),
    ("grouprules", ["GroupRules", "Roster"], "GroupRules"),
    ("op-b", ["op-a"], "op-a"),
    ("kol", ["official", "guest"], None),
    ("Thursday", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "thu"),
    ("thu", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], None),  # already right
    ("周四", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "thu"),
    ("星期天", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "sun"),
    ("TH", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "thu"),
    ("Thursday", ["thursday-live"], "thursday-live"),  # not a weekday field: an ordinary prefix
])
def test_suggestion_only_when_close(word: str, choices: list[str], meant: str | None) -> None:
    assert did_you_mean(word, choices) == (f"did you mean '{meant}'?" if meant else None)


def test_edits_count_a_swap_as_one() -> None:
    found = (edits("ctiy", "city"), edits("ca", "abc"), edits("", "abc"), edits("same", "same"))
    assert found == (1, 3, 3, 0)


def test_declared_ids_in_order_given_or_sorted_from_a_set_and_counted_past_ten() -> None:
    roles = ["official", "owner", "operator", "kol", "koc", "guest"]
    assert suggest("boss", roles, "roles") == "declared roles: official, owner, operator, kol, koc, guest"
    assert declared("groups", {f"g-{i:02}" for i in range(25)}) == (
        "declared groups: g-00, g-01, g-02, g-03, g-04, g-05, g-06, g-07, g-08, g-09, … (25 in all)")
    assert declared("scripts", set()) == "no scripts are declared"


def _check(root: Path) -> list[Diagnostic]:
    result = validate_tree(load_tree(root))
    if result.project is None:
        return list(result.diagnostics)
    return [*result.diagnostics, *lint.run(result.project, LintConfig())]


def _calendar(body: str) -> str:
    return document_header("ActivityCalendar", "daily") + "valid: {start: 2026-01-01}\n" + body


def test_unknown_role_lists_the_declared_roles(make_playbook: MakePlaybook) -> None:
    roles = "".join(f"  - {{id: {r}, kind: {k}, name: {r}}}\n" for r, k in (
        ("host", "owner"), ("helper", "operator"), ("star", "kol")))
    playbook = valid_playbook_yaml().replace("roles:\n", "roles:\n" + roles)
    calendar = _calendar("daily:\n  - {id: morning, at: '09:00', name: 早安, sender: boss, text: 早安}\n")
    root = make_playbook({"playbook.yaml": playbook, "calendars/daily.yaml": calendar})
    [d] = [d for d in _check(root) if d.code == "PB103"]
    assert (str(d), d.help) == ("calendars/daily.yaml:9:50: error PB103 unknown role 'boss'",
                                "declared roles: helper, host, official, star")


def test_unknown_role_close_to_a_declared_one_gets_did_you_mean(make_playbook: MakePlaybook) -> None:
    calendar = _calendar("daily:\n  - {id: morning, at: '09:00', name: 早安, sender: oficial, text: 早安}\n")
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(), "calendars/daily.yaml": calendar})
    [d] = [d for d in _check(root) if d.code == "PB103"]
    assert d.help == "did you mean 'official'?"


def test_missing_media_file_suggests_the_file_beside_it(make_playbook: MakePlaybook) -> None:
    calendar = _calendar("daily:\n  - id: morning\n    at: '09:00'\n    name: 早安\n    sender: official\n"
                         "    text: 早安\n    attachments: [media/price_ladder.png]\n")
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(), "calendars/daily.yaml": calendar,
                          "calendars/media/price-ladder.png": b"\x89PNG\r\n\x1a\n",
                          "calendars/media/poster.png": b"\x89PNG\r\n\x1a\n"})
    [d] = [d for d in _check(root) if d.code == "PB033"]
    assert (str(d), d.help) == (
        "calendars/daily.yaml:14:19: error PB033 attachment 'media/price_ladder.png' does not exist "
        "(looked for calendars/media/price_ladder.png)", "did you mean 'media/price-ladder.png'?")


def test_missing_media_file_with_nothing_close_gets_no_guess(make_playbook: MakePlaybook) -> None:
    calendar = _calendar("daily:\n  - id: morning\n    at: '09:00'\n    name: 早安\n    sender: official\n"
                         "    text: 早安\n    attachments: [media/banner.png]\n")
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(), "calendars/daily.yaml": calendar,
                          "calendars/media/poster.png": b"\x89PNG\r\n\x1a\n"})
    [d] = [d for d in _check(root) if d.code == "PB033"]
    assert d.help is None


@pytest.mark.parametrize("written", ["Thursday", "周四", "Thu"])
def test_weekday_written_as_a_name_suggests_the_id(make_playbook: MakePlaybook, written: str) -> None:
    calendar = _calendar("weekly:\n  - {id: live, name: 直播, kind: training, weekday: " + written
                         + ", at: '20:00', sender: official, text: 直播}\n")
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(), "calendars/daily.yaml": calendar})
    [d] = _check(root)
    assert (d.code, d.help) == ("PB023", "did you mean 'thu'?")
    assert d.message == (f"weekly[0].weekday: the text '{written}' is not one of: "
                         "mon, tue, wed, thu, fri, sat, sun")


@pytest.mark.parametrize(("byday", "hint"), [
    ("THU", " (did you mean TH?)"), ("Thursday", " (did you mean TH?)"), ("周四", " (did you mean TH?)"),
    ("XX", "")])
def test_rrule_weekday_written_as_a_name_suggests_the_two_letter_day(
        make_playbook: MakePlaybook, byday: str, hint: str) -> None:
    calendar = _calendar("daily:\n  - {id: lesson, at: '20:00', name: 课, sender: official, text: 课, "
                         f"repeat: 'FREQ=WEEKLY;BYDAY=MO,{byday}'}}\n")
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(), "calendars/daily.yaml": calendar})
    [d] = _check(root)
    assert d.message.endswith(f"'{byday}' is not a day of BYDAY; write MO, TU, WE, TH, FR, SA or SU{hint}")


def test_unknown_paused_item_lists_the_calendar_items(make_playbook: MakePlaybook) -> None:
    calendar = _calendar("public_holidays: [{pause: [evening]}]\n"
                         "daily:\n  - {id: morning, at: '09:00', name: 早安, sender: official, text: 早安}\n"
                         "  - {id: sale, at: '12:00', name: 秒杀, sender: official, text: 秒杀}\n")
    root = make_playbook({"playbook.yaml": valid_playbook_yaml(), "calendars/daily.yaml": calendar})
    [d] = [d for d in _check(root) if "evening" in d.message]
    assert (d.message, d.help) == ("calendar 'daily' has no slot, event or game 'evening'",
                                   "declared slots, events and games: morning, sale")
