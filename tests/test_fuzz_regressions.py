"""Crashes the fuzzer (tests/test_fuzz.py) found, each kept as one plain test of the exact diagnostic.

Each test writes the smallest file that crashed beside a valid playbook.yaml and runs
`playbook validate` in-process, the way tests/test_bad_input.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli, document_header
from playbook.loader import load_text
from playbook.nesting import COMPOSE_LIMIT, may_nest_deeply

RULES = document_header("GroupRules")


def problems(run_cli: RunCli, root: Path) -> list[str]:
    """The problem lines of a text run that must fail without a traceback."""
    code, out, err = run_cli("validate", root)
    assert "Traceback" not in out + err
    assert code == 1, out + err
    return [line for line in out.splitlines()[:-1] if not line.startswith("  ")]


# --- nesting deep enough to overflow libyaml's composer: a segmentation fault -------------


@pytest.mark.parametrize(("opener", "closer", "col"), [
    ("[", "]", 76),       # `forbidden: ` (11 characters) then 64 `[` around the 65th level
    ("{a: ", "}", 268),   # four characters a level; the keys are not values
], ids=["sequences", "mappings"])
def test_flow_nesting_past_the_composer_is_pb011_not_a_crash(make_playbook: MakePlaybook, run_cli: RunCli,
                                                              opener: str, closer: str, col: int) -> None:
    value = opener * 50_000 + closer * 50_000
    root = make_playbook({"rules/base.yaml": RULES + f"forbidden: {value}\n"})  # line 7
    assert problems(run_cli, root) == [
        f"rules/base.yaml:7:{col}: error PB011 nested more than 64 levels deep "
        "(and past 900: the file was not loaded)"]


def test_compact_block_nesting_past_the_composer_is_pb011_not_a_crash(make_playbook: MakePlaybook,
                                                                       run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES + "forbidden:\n" + "- " * 50_000 + "x\n"})  # line 8
    assert problems(run_cli, root) == [
        "rules/base.yaml:8:129: error PB011 nested more than 64 levels deep "
        "(and past 900: the file was not loaded)"]


def test_nesting_below_the_compose_limit_still_loads_and_is_reported_per_value() -> None:
    loaded = load_text("a: " + "[" * 850 + "]" * 850 + "\nb: 1\n", "x.yaml", "GroupRules")
    assert [str(d) for d in loaded.diagnostics] == [
        "x.yaml:1:68: error PB011 nested more than 64 levels deep"]
    assert loaded.data is not None and loaded.data["b"] == 1


def test_ordinary_files_skip_the_nesting_walk() -> None:
    shipped = Path(__file__).resolve().parent.parent
    for rel in ("playbook.yaml", "calendars/weekly-community.yaml", "packs/new-year-nut-box/pack.yaml"):
        assert not may_nest_deeply((shipped / rel).read_text(encoding="utf-8")), rel
    assert COMPOSE_LIMIT == 900  # the figures below are written for it
    assert not may_nest_deeply("a: " + "[" * 890)  # each level takes a character
    assert may_nest_deeply("a: " + "[" * 450 + "x" * 450)
    assert not may_nest_deeply("a: " + "[" * 449 + "x" * 451)
    assert may_nest_deeply("a:\n" + " " * 180 + "b: " + "x" * 900)
    assert may_nest_deeply(" - " * 60 + "x" * 900)  # at the very start, too
    assert not may_nest_deeply("a:\n" + " " * 179 + "b: " + "x" * 900)


# --- a header value that is a list or a mapping: `kind not in KINDS` raised TypeError -----


def test_kind_written_as_a_list_is_pb022_not_a_crash(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES.replace("kind: GroupRules", "kind: [GroupRules]")  # line 2, value at column 7
    root = make_playbook({"rules/base.yaml": rules})
    assert problems(run_cli, root) == ["rules/base.yaml:2:7: error PB022 kind should be text, not a list"]


def test_api_version_written_as_a_mapping_is_pb022(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES.replace("apiVersion: playbook/v1", "apiVersion: {v: 1}")  # line 1, column 13
    root = make_playbook({"rules/base.yaml": rules})
    assert problems(run_cli, root) == [
        "rules/base.yaml:1:13: error PB022 apiVersion should be text, not a mapping"]


# --- dates near year 1 or 9999, offsets and durations of centuries: OverflowError ----------
# (in the capacity lint, in launch moments and in the schedule: date arithmetic left the
# calendar). Dates are kept within 1980-01-01 .. 2099-12-31, as on the command line, and an
# offset or a duration reaches at most 3,660 days, so no computed date can overflow.

ROSTER = document_header("Roster", "roster") + (
    "groups:                     # line 7\n"
    "  - id: sh-01\n"
    "    name: 上海福利1群\n"
    "    type: middle-official\n"
    "    operator: amy\n"
    "    opened: {opened}\n"   # line 12, the value at column 13
)
SCRIPT = document_header("OnboardingScript", "join") + (
    "trigger: {{kind: on_join}}    # line 7\n"
    "steps:\n"
    "  - id: welcome\n"
    "    name: 欢迎\n"
    "    at: {at}\n"            # line 11, the value at column 9
    "    channel: group_message\n"
    "    sender: official\n"
    "    text: 欢迎加入\n"
)


@pytest.mark.parametrize("opened", ["9999-12-31", "0001-01-01", "2100-01-01", "1979-12-31"])
def test_a_date_outside_the_supported_range_is_pb025(make_playbook: MakePlaybook, run_cli: RunCli,
                                                     opened: str) -> None:
    root = make_playbook({"roster.yaml": ROSTER.format(opened=opened)})
    assert problems(run_cli, root) == [
        f"roster.yaml:12:13: error PB025 groups[0].opened: '{opened}' is outside the supported dates "
        "1980-01-01 .. 2099-12-31"]


@pytest.mark.parametrize("opened", ["1980-01-01", "2099-12-31"])
def test_the_first_and_last_supported_dates_are_accepted(make_playbook: MakePlaybook, run_cli: RunCli,
                                                         opened: str) -> None:
    root = make_playbook({"roster.yaml": ROSTER.format(opened=opened)})
    _, out, err = run_cli("validate", root)
    assert "PB025" not in out and "Traceback" not in out + err


@pytest.mark.parametrize(("at", "shown"), [
    ("+3661d", "+3661d"),
    ("D-3661 20:00", "D-3661 20:00"),
    ("day 99999999 09:00", "day 99999999 09:00"),
    ("-87841h", "-87841h"),  # 3,660 days and one hour
    ("'+" + "9" * 5_000 + "d'", "+" + "9" * 39 + "… (5002 characters)"),
])
def test_an_offset_reaching_past_ten_years_is_pb027(make_playbook: MakePlaybook, run_cli: RunCli,
                                                    at: str, shown: str) -> None:
    root = make_playbook({"scripts/join.yaml": SCRIPT.format(at=at)})
    assert problems(run_cli, root) == [
        f"scripts/join.yaml:11:9: error PB027 steps[0].at: '{shown}' reaches too far: at most 3660 days "
        "(about ten years)"]


@pytest.mark.parametrize("at", ["+3660d", "D-3660 20:00", "day 3661 09:00", "-87840h"])
def test_an_offset_of_ten_years_is_accepted(make_playbook: MakePlaybook, run_cli: RunCli, at: str) -> None:
    root = make_playbook({"scripts/join.yaml": SCRIPT.format(at=at)})
    _, out, err = run_cli("validate", root)
    assert "PB027" not in out and "Traceback" not in out + err


def test_a_duration_past_ten_years_is_refused_at_its_value(make_playbook: MakePlaybook,
                                                            run_cli: RunCli) -> None:
    rules = RULES + (
        "escalation:                 # line 7\n"
        "  - action: mute\n"
        "    after: 1\n"
        "    enforcer: official\n"
        "    duration: 36500d        # line 11, the value at column 15\n"
    )
    root = make_playbook({"rules/base.yaml": rules})
    assert problems(run_cli, root) == [
        "rules/base.yaml:11:15: error PB030 escalation[0].duration: '36500d' reaches too far: at most 3660 "
        "days (about ten years)"]
