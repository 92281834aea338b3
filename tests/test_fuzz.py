"""Fuzzing: no change to a playbook file makes `validate` or `export` crash (issue 13).

Each example copies the shipped playbook into a fresh temporary folder, changes one or two of
its documents (and now and then a message template) the way tests/fuzz_mutants.py describes
(keys dropped or duplicated, values retyped, control characters and noncharacters in keys,
values and comments, 5,000-digit numbers, deep nesting, huge flows, odd dates and times, Jinja
in text; or only changes that keep a value's shape, so the result passes the schema and reaches
the lint rules and the schedule), and runs `playbook validate` in-process. Whatever the change,
the run must end with exit code 0 or 1, no exception may escape, and every problem line must
read `FILE:LINE:COL: SEVERITY PBnnn message`. Mutants that validate clean are also exported.

CI runs a small, fixed set of examples, 60 + 20 (Hypothesis is derandomized, so every run
tries the same mutants). To search further, set the number of examples:

    PLAYBOOK_FUZZ_EXAMPLES=2000 python3 -m pytest -p no:cacheprovider tests/test_fuzz.py

With more examples than the default, the search is randomised (a new seed each run) so that
repeated runs cover new ground; a failure prints the changed files and the steps that made
them. Each crash found so far has a plain test of its exact diagnostic in
tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RunCli
from fuzz_mutants import Mutant, mutants, plausible_mutants, text_value_mutants, write_playbook

EXAMPLES = int(os.environ.get("PLAYBOOK_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 60,
    deadline=None,
    derandomize=not EXAMPLES,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
    print_blob=True,
)
PROBLEM = re.compile(r"^[^:]+:\d+:\d+: (error|warning|info) PB\d{3} ")
SUMMARY = re.compile(r"^(All clear: \d+ files? checked, no problems\.|Found .* in \d+ files? checked\.)$")


def _described(changed: list[Mutant]) -> str:
    return "; ".join(f"{m.rel}: {', '.join(m.steps)}" for m in changed)


def assert_well_formed(code: int, out: str, err: str, changed: list[Mutant]) -> None:
    """Exit 0 or 1, no traceback, and every line a problem, an indented help/note or the summary."""
    where = _described(changed)
    assert code in (0, 1), f"exit {code} after {where}\n{out}{err}"
    assert "Traceback" not in err + out, where
    lines = out.splitlines()
    assert lines, where
    assert SUMMARY.match(lines[-1]), f"{lines[-1]!r} after {where}"
    for line in lines[:-1]:
        assert line.startswith("  ") or PROBLEM.match(line), f"{line!r} after {where}"


def check(run_cli: RunCli, changed: list[Mutant]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_playbook(Path(folder), changed)
        code, out, err = run_cli("validate", root, "--no-cache")
        assert_well_formed(code, out, err, changed)
        if code == 0:
            code, out, err = run_cli("export", root, "--from", "2026-12-07", "--to", "2026-12-08",
                                     "--out", Path(folder) / "b")
            assert code in (0, 1), f"export exit {code} after {_described(changed)}\n{out}{err}"
            assert "Traceback" not in out + err, _described(changed)


@FUZZ
@given(changed=mutants())
def test_validate_survives_any_mutant_of_the_shipped_documents(run_cli: RunCli,
                                                               changed: list[Mutant]) -> None:
    check(run_cli, changed)


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 20))
@given(changed=st.one_of(text_value_mutants(), plausible_mutants()))
def test_export_survives_odd_values_of_the_right_shape(run_cli: RunCli, changed: list[Mutant]) -> None:
    check(run_cli, changed)
