"""Mutation testing of the modules the suite must guard, one module at a time, with mutmut 3.

    python3 benchmarks/mutation.py                      # every module in MODULES (slow: hours)
    python3 benchmarks/mutation.py writer source        # only these (by short name)
    python3 benchmarks/mutation.py --list               # the modules and the tests that guard them

Each module is mutated in its own throw-away copy of the working tree (under --work, default
a temporary folder), never in the checkout: mutmut writes `mutants/` next to the
configuration it reads, and the copy lets each module run only the test files mapped to it
here (the fast ones that exercise it; browser tests never). The base settings are
`[tool.mutmut]` in pyproject.toml; this script adds `only_mutate` and the test selection.

It prints, per module, killed / survived / other (no tests, timeout, suspicious) and the score
(killed + timeout over all mutants that ran), writes them to --out as JSON, and keeps the
survivors' diffs (`mutmut show`) next to it, so benchmarks/MUTATION.md can explain each one.
Nothing here is a test: a run takes minutes to hours and its numbers live in MUTATION.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    # short name: (module, the test files that guard it)
    "source": ("src/playbook/source.py", ("tests/test_lint_config.py", "tests/test_guards.py",
                                          "tests/test_lint_cases.py", "tests/test_source_mutants.py")),
    "suppressions": ("src/playbook/lint/__init__.py", ("tests/test_lint_config.py", "tests/test_guards.py",
                                                       "tests/test_lint_cases.py")),
    "escape": ("src/playbook/handbook/escape.py", ("tests/test_handbook.py", "tests/test_properties.py",
                                                   "tests/test_guards.py", "tests/test_escape_mutants.py")),
    "figures": ("src/playbook/handbook/figures.py", ("tests/test_figures.py", "tests/test_handbook.py",
                                                     "tests/test_guards.py")),
    "writer": ("src/playbook/writer.py", ("tests/test_writer.py", "tests/test_guards.py",
                                          "tests/test_output_guard.py", "tests/test_output_modes.py",
                                          "tests/test_writer_pieces.py")),
    "csv": ("src/playbook/exporters/csv_messages.py", ("tests/test_export.py", "tests/test_properties.py",
                                                       "tests/test_guards.py",
                                                       "tests/test_writer_pieces.py")),
    "ics": ("src/playbook/exporters/ics.py", ("tests/test_export.py", "tests/test_properties.py",
                                             "tests/test_ics_mutants.py", "tests/test_writer_pieces.py")),
    "json": ("src/playbook/exporters/json_messages.py", ("tests/test_export.py",
                                                          "tests/test_json_mutants.py",
                                                          "tests/test_writer_pieces.py")),
    "versions": ("src/playbook/review/documents.py", ("tests/test_review_compare.py", "tests/test_guards.py",
                                                      "tests/test_diff.py")),
    "render": ("src/playbook/render.py", ("tests/test_render.py", "tests/test_sandbox.py",
                                        "tests/test_render_bounds.py", "tests/test_render_mutants.py")),
    "sandbox": ("src/playbook/sandbox.py", ("tests/test_render.py", "tests/test_sandbox.py",
                                          "tests/test_render_bounds.py", "tests/test_sandbox_mutants.py")),
    "files": ("src/playbook/files.py", ("tests/test_files.py", "tests/test_loader.py",
                                        "tests/test_bad_input.py", "tests/test_review_integrity.py",
                                        "tests/test_files_mutants.py")),
    "loader": ("src/playbook/loader.py", ("tests/test_loader.py", "tests/test_bad_input.py",
                                        "tests/test_loader_mutants.py", "tests/test_loader_file_mutants.py",
                                        "tests/test_loader_survivors.py")),
    "schedule": ("src/playbook/schedule.py", ("tests/test_schedule.py", "tests/test_guards.py",
                                              "tests/test_holidays.py", "tests/test_holidays_makeup.py",
                                              "tests/test_schedule_shared.py", "tests/test_stages.py",
                                              "tests/test_selectors.py", "tests/test_schedule_mutants.py",
                                              "tests/test_schedule_calendar_mutants.py")),
}
"""The critical modules of issue 19, smallest first in a full run (see `_by_size`)."""

SKIPPED = {".git", "mutants", "site", ".playbook", "tests/artifacts", ".mypy_cache", ".ruff_cache",
           ".pytest_cache", ".hypothesis"}


def _copy_tree(target: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored) copied to `target`."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        if any(rel == s or rel.startswith(s + "/") for s in SKIPPED):
            continue
        source = REPO / rel
        if source.is_file() and not source.is_symlink():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


def _configure(work: Path, module: str, tests: tuple[str, ...], deselect: list[str]) -> None:
    """Rewrite the copy's `[tool.mutmut]` table: the base settings plus this module's scope.
    Every top-level entry is copied into mutants/ too, since tests read the shipped playbook."""
    text = (work / "pyproject.toml").read_text(encoding="utf-8")
    base = dict(tomllib.loads(text).get("tool", {}).get("mutmut", {}))
    start = text.find("[tool.mutmut]")
    if start >= 0:
        end = text.find("\n[", start + 1)
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    base["only_mutate"] = [module]
    base["pytest_add_cli_args"] = [*base.get("pytest_add_cli_args", []),
                                   *(arg for test in deselect for arg in ("--deselect", test))]
    base["pytest_add_cli_args_test_selection"] = [t for t in tests if (work / t).is_file()]
    base["also_copy"] = sorted(p.name for p in work.iterdir() if p.name not in {"src", "mutants"})
    lines = ["[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in base.items()]
    (work / "pyproject.toml").write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout"}
"""mutmut's exit codes per mutant (mutmut/stats.py), the rest counted as suspicious."""


def _results(work: Path, module: str) -> tuple[Counter[str], list[str]]:
    meta = json.loads((work / "mutants" / (module + ".meta")).read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    survivors = []
    for name, code in sorted(meta["exit_code_by_key"].items()):
        status = "not checked" if code is None else STATUS.get(code, "suspicious")
        counts[status] += 1
        if status == "survived":
            survivors.append(name)
    return counts, survivors


def run_module(name: str, work_root: Path, children: int, out: Path,
               deselect: list[str]) -> dict[str, object]:
    module, tests = MODULES[name]
    if not (REPO / module).is_file():
        print(f"{name}: {module} does not exist here; skipped")
        return {"module": module, "skipped": "module missing"}
    work = work_root / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _copy_tree(work)
    _configure(work, module, tests, deselect)
    env = {**os.environ, "PLAYBOOK_SKIP_BROWSER": "1", "PLAYBOOK_NO_CACHE": "1"}
    env.pop("PLAYBOOK_UPDATE_GOLDEN", None)
    log = out.parent / f"mutation-{name}.log"
    started = dt.datetime.now()
    with log.open("w", encoding="utf-8") as handle:
        done = subprocess.run(["mutmut", "run", "--max-children", str(children)], cwd=work, env=env,
                              stdout=handle, stderr=subprocess.STDOUT, check=False)
    minutes = round((dt.datetime.now() - started).total_seconds() / 60, 1)
    if not (work / "mutants" / (module + ".meta")).is_file():
        print(f"{name}: mutmut exited {done.returncode} without results; see {log}")
        return {"module": module, "error": f"mutmut exited {done.returncode}", "log": str(log)}
    counts, survivors = _results(work, module)
    if counts["not checked"] == sum(counts.values()):
        print(f"{name}: no mutant was checked (the tests failed before mutating?); see {log}")
        return {"module": module, "error": "no mutant checked", "log": str(log)}
    ran = sum(counts.values()) - counts["skipped"] - counts["not checked"]
    score = round(100 * (counts["killed"] + counts["timeout"]) / ran, 1) if ran else 0.0
    diffs = [subprocess.run(["mutmut", "show", s], cwd=work, env=env, capture_output=True, text=True,
                            check=False).stdout for s in survivors]
    (out.parent / f"mutation-{name}-survivors.txt").write_text("\n".join(diffs), encoding="utf-8")
    print(f"{name}: {module}: {dict(counts)} score {score}% in {minutes} min", flush=True)
    return {"module": module, "tests": list(tests), "deselected": deselect, "counts": dict(counts),
            "score": score, "minutes": minutes, "survivors": survivors}


def _by_size(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: (REPO / MODULES[n][0]).stat().st_size
                  if (REPO / MODULES[n][0]).is_file() else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help=f"short names: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--list", action="store_true", help="print the modules and their tests")
    parser.add_argument("--work", type=Path, help="where the copies go (default: a temporary folder)")
    parser.add_argument("--children", type=int, default=2, help="parallel mutants (default 2)")
    parser.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                        help="leave out a test that fails on the unmutated tree (say so in MUTATION.md)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "playbook-mutation.json")
    args = parser.parse_args(argv)
    if args.list:
        for name, (module, tests) in MODULES.items():
            print(f"{name:13} {module}  <-  {' '.join(tests)}")
        return 0
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; see --list")
    if shutil.which("mutmut") is None:
        print("mutmut is not installed: pip install 'mutmut>=3.8'", file=sys.stderr)
        return 2
    work_root = args.work or Path(tempfile.mkdtemp(prefix="playbook-mutation-"))
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    results = previous.get("modules", {})
    for name in _by_size(args.modules or list(MODULES)):
        results[name] = run_module(name, work_root.absolute(), args.children, args.out, args.deselect)
        version = subprocess.run([sys.executable, "-m", "pip", "show", "mutmut"], capture_output=True,
                                 text=True, check=False).stdout
        tool = next((line.split(":", 1)[1].strip() for line in version.splitlines()
                     if line.startswith("Version:")), "?")
        args.out.write_text(json.dumps({"date": dt.date.today().isoformat(), "mutmut": tool,
                                        "modules": results}, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
