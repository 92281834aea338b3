"""Crashes the fuzzer (tests/test_fuzz.py) found, each kept as one plain test of the exact diagnostic.

Each test writes the smallest file that crashed beside a valid playbook.yaml and runs
`playbook validate` in-process, the way tests/test_bad_input.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli, document_header
from playbook.loader import load_text
from playbook.nesting import may_nest_deeply

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
        "(and past 1000: the file was not loaded)"]


def test_compact_block_nesting_past_the_composer_is_pb011_not_a_crash(make_playbook: MakePlaybook,
                                                                       run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES + "forbidden:\n" + "- " * 50_000 + "x\n"})  # line 8
    assert problems(run_cli, root) == [
        "rules/base.yaml:8:129: error PB011 nested more than 64 levels deep "
        "(and past 1000: the file was not loaded)"]


def test_nesting_below_the_compose_limit_still_loads_and_is_reported_per_value() -> None:
    loaded = load_text("a: " + "[" * 900 + "]" * 900 + "\nb: 1\n", "x.yaml", "GroupRules")
    assert [str(d) for d in loaded.diagnostics] == [
        "x.yaml:1:68: error PB011 nested more than 64 levels deep"]
    assert loaded.data is not None and loaded.data["b"] == 1


def test_ordinary_files_skip_the_nesting_walk() -> None:
    shipped = Path(__file__).resolve().parent.parent
    for rel in ("playbook.yaml", "calendars/weekly-community.yaml", "packs/new-year-nut-box/pack.yaml"):
        assert not may_nest_deeply((shipped / rel).read_text(encoding="utf-8")), rel
    assert may_nest_deeply("a: " + "[" * 500)
    assert may_nest_deeply("a:\n" + " " * 200 + "b: 1\n")


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
