"""Measure playbook against the parse floor and its peers, as whole processes, side by side.

    python benchmarks/run.py --size L            # generate the corpus, measure, write RESULTS.md
    python benchmarks/run.py --size S --runs 1   # a quick look

Every measurement runs a separate process (one warm-up, then `--runs` timed runs; the median
is reported). Peak memory is the child's maximum resident set size. Targets are those of the
benchmark issue; each row says whether the median meets it. Nothing here is a test: the
numbers depend on the machine, so they live in RESULTS.md, not in the suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WEEK = ("2026-11-23", "2026-11-29")
TODAY = "2026-11-23"
FLOOR_SCRIPT = """
import sys
from pathlib import Path
import yaml
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""
RENDER_FLOOR_SCRIPT = """
import json, sys
from pathlib import Path
import jinja2, yaml
root, bundle = Path(sys.argv[1]), Path(sys.argv[2])
docs = {}
env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(root / "templates")))
compiled = {}
roster = yaml.load((root / "roster.yaml").read_bytes(), Loader=yaml.CSafeLoader)
fields = {g["id"]: g.get("fields", {}) for g in roster["groups"]}
def node(data, pointer):
    for part in pointer.strip("/").split("/"):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data
for m in json.loads((bundle / "messages.json").read_text("utf-8"))["messages"]:
    src = m["source"]
    if src["file"] not in docs:
        docs[src["file"]] = yaml.load((root / src["file"]).read_bytes(), Loader=yaml.CSafeLoader)
    item = node(docs[src["file"]], src["pointer"])
    text = item.get("text") if isinstance(item, dict) else None
    key = item.get("template") if isinstance(item, dict) and item.get("template") else None
    if key is None:
        if isinstance(text, dict):
            text = next(iter(text.values()))
        if not isinstance(text, str):
            continue
        key = text
    if key not in compiled:
        compiled[key] = env.get_template(key) if key == item.get("template") else env.from_string(text)
    own = fields.get(m["group"], {})  # no group: a post on an operator's own account (Moments)
    ctx = {"group": {"id": m["group"], "name": m["group_name"], "type": "t", "fields": own},
           "operator": {"name": m["operator"]}, "playbook": {"title": "p"}, "date": m["date"],
           "member": {"nickname": "n"}, "event": {"name": "e"},
           "pack": {"title": "p", "product": {"name": "n", "brand": "b", "price": 1, "sharer_profit": 1}}}
    compiled[key].render(ctx)
"""


@dataclass
class Timing:
    name: str
    seconds: float
    runs: list[float]
    cpu: float = 0.0  # median user CPU seconds of the child and what it waited for


def child_user_cpu() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime


def timed(name: str, command: Sequence[str], runs: int, env: dict[str, str],
          warmup: bool = True, expect: Sequence[int] = (0,),
          before: Callable[[], None] | None = None) -> Timing:
    """Median wall time (and user CPU, steadier on a shared machine) of `command` over `runs`
    runs, after one untimed warm-up; `before` runs ahead of each (an edit), untimed."""
    times, cpus = [], []
    for n in range(runs + (1 if warmup else 0)):
        if before is not None:
            before()
        start, cpu_start = time.perf_counter(), child_user_cpu()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        elapsed, cpu = time.perf_counter() - start, child_user_cpu() - cpu_start
        if done.returncode not in expect:
            raise SystemExit(f"{name}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
        if n or not warmup:
            times.append(elapsed)
            cpus.append(cpu)
    print(f"  {name:<34} {statistics.median(times):8.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)}; "
          f"user CPU {', '.join(f'{c:.2f}' for c in cpus)})", flush=True)
    return Timing(name, statistics.median(times), times, statistics.median(cpus))


EDITED = "rules/base-u000.yaml"
EDIT = ("进群 24 小时内", "进群 48 小时内")
"""The one-document edit of the incremental rows: a rule's text in one group-rules file (a real
change of content, on the pages of the groups it applies to), made back and forth."""
OTHER_EDITS = {
    "script": ("scripts/app-to-group-funnel-u000.yaml", ("  at: +0m", "  at: +2m")),
    "calendar": ("calendars/daily-promotion-u000.yaml", ("  at: 08:30", '  at: "08:31"')),
    "pack": ("packs/new-year-nut-box-u000-0/pack.yaml", ("title: 年货爆品", "title: 年货好品")),
}
"""One edit of each other kind: a step's or a slot's time (the schedule rules see it) and a
pack's title, for the rows that show what an edit of each kind costs."""


def one_edit(corpus: Path, edited: str = EDITED, edit_pair: tuple[str, str] = EDIT) -> Callable[[], None]:
    """A function that edits one document of `corpus`, differently each time it is called."""
    path = corpus / edited

    def edit() -> None:
        text = path.read_text("utf-8")
        old, new = edit_pair if edit_pair[0] in text else edit_pair[::-1]
        path.write_text(text.replace(old, new, 1), "utf-8")

    return edit


STATE = Path(".playbook") / "cache" / "validate-state.pickle"
"""Where `playbook validate` keeps its state for the next check (`playbook.incremental`)."""


def first_after_scratch(corpus: Path, warm_cmd: Sequence[str], env: dict[str, str]) -> Callable[[], None]:
    """Leave the state of a check from scratch, then edit the calendar of `OTHER_EDITS`: the row
    then times the first schedule-moving edit after the state was made anew (after a change to
    what every document shares, or on an editor's second check of a fresh clone)."""
    rules, calendar = one_edit(corpus), one_edit(corpus, *OTHER_EDITS["calendar"])

    def before() -> None:
        (corpus / STATE).unlink(missing_ok=True)
        rules()  # a miss of the result cache, with no state to reuse: a check from scratch
        subprocess.run(warm_cmd, stdout=subprocess.DEVNULL, env=env, check=False)
        if not (corpus / STATE).is_file():
            raise SystemExit("the check from scratch kept no state")
        calendar()

    return before


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class Memory:
    """The peak memory of a command and every process it forks."""

    tree_mb: float
    """The largest sum of the processes' PSS (each shared page counted once, split between its
    sharers) seen by sampling /proc every 50 ms: what the machine had to hold. The target rows
    use this."""
    largest_mb: float
    """The largest single process's peak RSS (`ru_maxrss` of the children), which is all a
    one-process tool's figure means, and which undercounts a command that forks."""

    def __str__(self) -> str:
        return f"{self.tree_mb:.0f} MB ({self.largest_mb:.0f} MB largest process)"


def _processes(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as listing:
                    pending += [int(child) for child in listing.read().split()]
        except OSError:
            continue  # it has just exited
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""
"""Runs a command and prints the peak RSS of its largest process (`ru_maxrss` of the children)."""


def peak_memory(command: Sequence[str], env: dict[str, str]) -> Memory:
    """Run `command` (output dropped) and measure its peak memory, forked children included."""
    wrapper = subprocess.Popen([sys.executable, "-c", RSS_WRAPPER, *command], stdout=subprocess.PIPE,
                               text=True, env=env)
    peak = 0
    while wrapper.poll() is None:  # the wrapper itself is not counted, only what it runs
        peak = max(peak, sum(_pss_kib(pid) for pid in _processes(wrapper.pid)[1:]))
        time.sleep(0.05)
    assert wrapper.stdout is not None
    largest, code = wrapper.stdout.read().split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed ({code})")
    return Memory(peak / 1024, int(largest) / 1024)


def measure_build(corpus: Path, size: str, work: Path, runs: int, env: dict[str, str],
                  bare_too: bool = True) -> tuple[list[tuple[str, str, str, str]], str]:
    """The build rows: peak memory of `playbook build --force` (the run that is also the warm-up),
    its time against bare MkDocs on the same generated pages (wall and user CPU side by side;
    without `bare_too`, its time alone), an unchanged rebuild, a rebuild after one edit compared
    byte for byte with a build from scratch. Returns the rows and a note."""
    rows: list[tuple[str, str, str, str]] = []
    playbook = [sys.executable, "-m", "playbook"]
    site, bare_site = corpus / "site", work / "bare-site"
    config = corpus / ".playbook" / "handbook" / "mkdocs.yml"  # the workspace `playbook build` keeps
    build_cmd = [*playbook, "build", str(corpus)]
    try:
        rss = peak_memory([*build_cmd, "--force"], env)  # also the timed builds' warm-up
        build = timed(f"playbook build --force ({size})", [*build_cmd, "--force"], runs, env, warmup=False)
        said = subprocess.run(build_cmd, capture_output=True, text=True, env=env, check=True).stdout
        pages = int(said.split("(", 1)[1].split()[0 if "built" in said else 2])
        if bare_too:
            bare_cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d",
                        str(bare_site)]
            bare = timed(f"bare mkdocs build ({size})", bare_cmd, runs, env)
            ok = build.seconds <= 1.3 * bare.seconds
            rows.append((f"build --force / bare mkdocs (corpus {size}, {pages:,} pages)",
                         f"{build.seconds:.2f} s vs {bare.seconds:.2f} s",
                         f"{build.seconds / bare.seconds:.2f}×", f"≤ 1.3× — {'met' if ok else 'NOT met'}"))
            rows.append((f"the same in user CPU (corpus {size})", f"{build.cpu:.2f} s vs {bare.cpu:.2f} s",
                         f"{build.cpu / bare.cpu:.2f}×", ""))
        else:
            rows.append((f"build --force (corpus {size}, {pages:,} pages)",
                         f"{build.seconds:.2f} s, user CPU {build.cpu:.2f} s", "", "(bare MkDocs not run)"))
        subprocess.run(build_cmd, capture_output=True, env=env, check=True)  # the entry of the shortcut
        rebuild = timed("playbook build (unchanged)", build_cmd, runs, env, warmup=False)
        said = subprocess.run(build_cmd, capture_output=True, text=True, env=env, check=True).stdout
        inside = said.split("(", 1)[1]  # "0 of N pages written, as of …" or "N pages, K written, as of …"
        pages_written = int(inside.split()[0] if "up to date" in said else inside.split(", ")[1].split()[0])
        print(f"  {'unchanged rebuild says':<34} {said.strip()}", flush=True)
        ok = pages_written == 0 and rebuild.seconds <= 0.05 * build.seconds
        rows.append(("rebuild unchanged / cold build", f"{rebuild.seconds:.2f} s vs {build.seconds:.2f} s",
                     f"{rebuild.seconds / build.seconds:.3f}×",
                     f"≤ 0.05×, 0 pages written ({pages_written}) — {'met' if ok else 'NOT met'}"))
        edited = timed("playbook build (one document edited)", build_cmd, runs, env, warmup=False,
                       before=one_edit(corpus))
        forced = work / "forced-site"  # the same playbook built from scratch, to compare with
        subprocess.run([*build_cmd, "--force", "--quiet", "--out", str(forced)], env=env, check=True)
        same = _tree(site) == _tree(forced)
        shutil.rmtree(forced, ignore_errors=True)
        ok = edited.seconds <= 0.3 * build.seconds and same
        rows.append(("build after editing one document / cold build",
                     f"{edited.seconds:.2f} s vs {build.seconds:.2f} s",
                     f"{edited.seconds / build.seconds:.2f}×",
                     f"≤ 0.3×, site {'byte-identical to' if same else 'DIFFERS from'} a cold build — "
                     f"{'met' if ok else 'NOT met'}"))
        rows.append((f"peak memory build --force, all processes (PSS) (corpus {size})", str(rss), "",
                     f"≤ 800 MB — {'met' if rss.tree_mb <= 800 else 'NOT met'}"))
        return rows, ""
    except SystemExit as stop:
        print(f"  build stopped: {stop}", flush=True)  # its stderr, for the one who reads the log
        return rows, f"build not measured: {str(stop).splitlines()[0]}"
    finally:
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(bare_site, ignore_errors=True)


def write_report(args: argparse.Namespace, files: list[Path], total: float,
                 rows: list[tuple[str, str, str, str]], note: str, work: Path) -> int:
    """Print the table and write it to --out; remove the work folder."""
    table = ["| measurement | ours vs baseline | ratio | target |", "| --- | --- | --- | --- |"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    runs = args.build_runs if args.build_only else args.runs
    report = "\n".join([
        "# Benchmark results", "",
        f"- date: {dt.date.today().isoformat()}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        f"- corpus: size {args.size}, seed {args.seed}: {len(files)} YAML files; "
        f"{runs} timed runs after one warm-up, medians; whole run {total / 60:.1f} min", "",
        *table, "", *([f"- {note}"] if note else []), ""])
    print("\n" + report)
    args.out.write_text(report, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["S", "M", "L"], default="L")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (default 3)")
    parser.add_argument("--build-size", choices=["S", "M", "L"], default=None,
                        help="corpus for the build rows (default: M when --size is L, else --size)")
    parser.add_argument("--build-runs", type=int, default=1,
                        help="timed runs of each build measurement (default 1, after a warm-up)")
    parser.add_argument("--build-only", action="store_true",
                        help="measure only the build rows, on the --build-size corpus (default: --size)")
    parser.add_argument("--skip", default="", metavar="ROWS",
                        help="leave out some rows, comma-separated: warm, peers, kinds (the edits of "
                             "other kinds of document), build, bare (bare MkDocs beside the build: on L "
                             "each build is minutes) (e.g. to time "
                             "only cold validate and export against their floors, and peak RSS)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    known = {"warm", "peers", "kinds", "build", "bare"}
    if skip - known:
        parser.error(f"--skip: unknown rows {', '.join(sorted(skip - known))}")
    if args.build_only:
        args.size = args.build_size or args.size

    work = Path(tempfile.mkdtemp(prefix="playbook-bench-"))
    corpus = work / f"corpus-{args.size}"
    env = {**os.environ, "PLAYBOOK_TODAY": TODAY, "CI": "true", "SOURCE_DATE_EPOCH": "1764000000"}
    py = sys.executable
    playbook = [py, "-m", "playbook"]
    started = time.perf_counter()
    subprocess.run([py, str(HERE / "make_corpus.py"), "--size", args.size, "--seed", str(args.seed),
                    str(corpus)], check=True, env=env)
    files = sorted(corpus.rglob("*.yaml"))
    print(f"corpus {args.size}: {len(files)} YAML files, "
          f"{sum(f.stat().st_size for f in files) / 1e6:.1f} MB", flush=True)

    rows: list[tuple[str, str, str, str]] = []
    if args.build_only:
        rows, build_note = measure_build(corpus, args.size, work, args.build_runs, env, "bare" not in skip)
        return write_report(args, files, time.perf_counter() - started, rows, build_note, work)

    def row(what: str, ours: float, base: float, target: str, ok: bool) -> None:
        rows.append((what, f"{ours:.2f} s vs {base:.2f} s", f"{ours / base:.2f}×",
                     f"{target} — {'met' if ok else 'NOT met'}"))

    def cpu_row(what: str, ours: Timing, base: Timing, limit: float) -> None:
        """The same ratio in user CPU seconds, which a busy machine disturbs less than wall time."""
        if base.cpu:
            row(what, ours.cpu, base.cpu, f"≤ {limit:g}×", ours.cpu <= limit * base.cpu)

    floor = timed("parse floor (CSafeLoader)", [py, "-c", FLOOR_SCRIPT, str(corpus)], args.runs, env)
    cold_cmd = [*playbook, "validate", "--no-cache", str(corpus)]  # every run checks from scratch
    validate = timed("playbook validate --no-cache", cold_cmd, args.runs, env)
    row("validate / parse floor", validate.seconds, floor.seconds, "≤ 2.5× (issue 20)",
        validate.seconds <= 2.5 * floor.seconds)
    cpu_row("validate / parse floor, user CPU", validate, floor, 2.5)
    if "warm" not in skip:  # the warm-up run fills the result cache; the timed runs find nothing changed
        warm = timed("playbook validate (warm, unchanged)", [*playbook, "validate", str(corpus)], args.runs,
                     env)
        row("warm validate / parse floor", warm.seconds, floor.seconds, "≤ 0.3×",
            warm.seconds <= 0.3 * floor.seconds)
    warm_cmd = [*playbook, "validate", str(corpus)]
    subprocess.run(warm_cmd, stdout=subprocess.DEVNULL, env=env, check=False)  # a first check keeps no
    # state (playbook.incremental): the warm-up run of each row below is a later one, which does
    edited = timed("playbook validate (one document edited)", warm_cmd, args.runs, env,
                   before=one_edit(corpus))
    row("validate after editing one document / cold validate", edited.seconds, validate.seconds,
        "≤ 0.3× (issue 20)", edited.seconds <= 0.3 * validate.seconds)
    if "kinds" not in skip:
        for kind, (path, pair) in OTHER_EDITS.items():
            other = timed(f"playbook validate (one {kind} edited)", warm_cmd, args.runs, env,
                          before=one_edit(corpus, path, pair))
            row(f"  … editing one {kind} instead", other.seconds, validate.seconds, "≤ 0.3×",
                other.seconds <= 0.3 * validate.seconds)
        after_scratch = timed("playbook validate (one calendar edited, first after a check from scratch)",
                              warm_cmd, args.runs, env, before=first_after_scratch(corpus, warm_cmd, env))
        rows.append(("  … the same calendar edit, the first after a check from scratch",
                     f"{after_scratch.seconds:.2f} s vs {validate.seconds:.2f} s",
                     f"{after_scratch.seconds / validate.seconds:.2f}×",
                     "no target (paid once per new state)"))
    if "peers" not in skip:
        measure_peers(files, validate, rows, env)

    bundle = work / "bundle"
    export_cmd = [*playbook, "export", str(corpus), "--from", WEEK[0], "--to", WEEK[1], "--quiet",
                  "--out", str(bundle)]
    cold_env = {**env, "PLAYBOOK_NO_CACHE": "1"}  # the target row: the export checks from scratch
    export = timed("playbook export (one week)", export_cmd, args.runs, cold_env)
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    count = manifest.get("counts", {}).get("messages", 0)
    render_floor = timed("plain Jinja2 render of the same", [py, "-c", RENDER_FLOOR_SCRIPT, str(corpus),
                                                             str(bundle)], args.runs, env)
    row(f"export ({count:,} messages, {count / export.seconds:,.0f}/s) / plain render", export.seconds,
        render_floor.seconds, "≤ 4× (issue 20)", export.seconds <= 4 * render_floor.seconds)
    cpu_row("export / plain render, user CPU", export, render_floor, 4)
    reused = timed("playbook export (after validate)", export_cmd, args.runs, env)
    row("  … the same after a validate (its check reuses the state)", reused.seconds, render_floor.seconds,
        "(≤ 4×)", reused.seconds <= 4 * render_floor.seconds)
    if "build" in skip:
        return finish(args, files, started, rows, "", work, cold_cmd, export_cmd, env)

    # MkDocs alone takes ~6 min for the ~4,000 pages of L on 2 cores, so on L the build is
    # measured on the M corpus (same generator, a tenth of the size) to fit the 10-minute run
    build_size = args.build_size or ("M" if args.size == "L" else args.size)
    build_corpus = corpus
    if build_size != args.size:
        build_corpus = work / f"corpus-{build_size}"
        subprocess.run([py, str(HERE / "make_corpus.py"), "--size", build_size, "--seed", str(args.seed),
                        str(build_corpus)], check=True, env=env)
    build_rows, build_note = measure_build(build_corpus, build_size, work, args.build_runs, env,
                                           "bare" not in skip)
    rows += build_rows
    if build_size != args.size and not build_note:
        build_note = (f"the build rows use the {build_size} corpus: bare MkDocs alone needs minutes "
                      f"for the pages of {args.size}, more than the whole run may take")

    return finish(args, files, started, rows, build_note, work, cold_cmd, export_cmd, env)


def finish(args: argparse.Namespace, files: list[Path], started: float,
           rows: list[tuple[str, str, str, str]], build_note: str, work: Path, cold_cmd: list[str],
           export_cmd: list[str], env: dict[str, str]) -> int:
    """The peak-memory row, then the report."""
    rss_validate = peak_memory(cold_cmd, env)
    rss_export = peak_memory(export_cmd, {**env, "PLAYBOOK_NO_CACHE": "1"})
    ok = max(rss_validate.tree_mb, rss_export.tree_mb) <= 500
    rows.append(("peak memory validate / export, all processes (PSS)", f"{rss_validate} / {rss_export}", "",
                 f"≤ 500 MB each — {'met' if ok else 'NOT met'}"))
    return write_report(args, files, time.perf_counter() - started, rows, build_note, work)


def measure_peers(files: list[Path], validate: Timing, rows: list[tuple[str, str, str, str]],
                  env: dict[str, str]) -> None:
    """check-jsonschema over the same files, one run per document kind."""
    peer_total = 0.0
    by_kind: dict[str, list[str]] = {}
    for path in files:
        head = path.read_text("utf-8").split("\nkind: ", 1)[1].split("\n", 1)[0].strip()
        by_kind.setdefault(head, []).append(str(path))
    for kind, paths in sorted(by_kind.items()):
        schema = REPO / "schema" / ("".join(f"-{c.lower()}" if c.isupper() else c for c in kind).lstrip("-")
                                    + ".schema.json")
        peer = timed(f"check-jsonschema {kind}", ["check-jsonschema", "--schemafile", str(schema), *paths],
                     1, env, warmup=False, expect=(0, 1))
        peer_total += peer.seconds
    print(f"  {'check-jsonschema, all kinds':<34} {peer_total:8.2f} s", flush=True)
    rows.append(("validate vs check-jsonschema", f"{validate.seconds:.2f} s vs {peer_total:.2f} s",
                 f"{peer_total / validate.seconds:.2f}× faster",
                 f"≥ 8× faster (issue 20) — {'met' if peer_total >= 8 * validate.seconds else 'NOT met'}"))


if __name__ == "__main__":
    raise SystemExit(main())
