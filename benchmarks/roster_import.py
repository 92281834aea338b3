"""Time `playbook roster import` on a 5,000-row customer-group export (target: under 5 s).

    python benchmarks/roster_import.py            # 3 runs of each case, the median is reported
    python benchmarks/roster_import.py --runs 1

Each case runs the command as a separate process on a copy of the shipped playbook:

- csv-new: 5,000 new groups from a UTF-8 CSV with the WeCom headers (群名称, 群主, 群ID, 创建时间,
  群人数), appended to the shipped roster;
- xlsx-new: the same rows as an XLSX workbook;
- csv-update: the same CSV again with every member count changed, into the roster that already
  holds the 5,000 groups (5,000 updates matched by chat_id);
- csv-same: the same CSV once more: every row matched, nothing to write.

Nothing here is a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROWS = 5_000
TARGET_SECONDS = 5.0
OWNERS = ("林晓", "周宁", "陈雨")


def _rows(size_offset: int) -> list[list[str]]:
    rows = [["群名称", "群主", "群ID", "创建时间", "群人数"]]
    for i in range(ROWS):
        rows.append([f"悦享汇·福利{i}群", OWNERS[i % 3], f"wrOgQhDgAA{i:010d}_KAAAA",
                     f"2026-{1 + i % 9:02d}-{10 + i % 18} 10:00:00", str(100 + (i + size_offset) % 200)])
    return rows


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("groups")
    for row in rows:
        sheet.append(row)
    book.save(path)


def _time(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one import; on a shared machine the CPU time
    says what the import costs, the wall clock what a user waits."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "playbook", "roster", "import", *args],
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}):\n{done.stderr}")
    return elapsed, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("playbook.yaml", "roster.yaml"):
            shutil.copy(REPO / name, work / name)
        shipped = (work / "roster.yaml").read_bytes()
        _write_csv(work / "new.csv", _rows(0))
        _write_xlsx(work / "new.xlsx", _rows(0))
        _write_csv(work / "update.csv", _rows(7))
        root = ["--root", str(work), "--type", "welfare-hot"]
        imported = b""
        results: dict[str, list[tuple[float, float]]] = {}
        for case, export, before in (("csv-new", "new.csv", "shipped"), ("xlsx-new", "new.xlsx", "shipped"),
                                     ("csv-update", "update.csv", "imported"),
                                     ("csv-same", "new.csv", "imported")):
            for _ in range(runs):
                (work / "roster.yaml").write_bytes(shipped if before == "shipped" else imported)
                results.setdefault(case, []).append(_time([str(work / export), *root]))
                if case == "csv-new" and not imported:
                    imported = (work / "roster.yaml").read_bytes()
    print(f"roster import, {ROWS:,} rows, median of {runs} (target < {TARGET_SECONDS:.0f} s)")
    for case, times in results.items():
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        verdict = "ok" if wall < TARGET_SECONDS else "SLOW"
        print(f"  {case:<11} {wall:6.2f} s wall  {cpu:6.2f} s cpu  {verdict}")


if __name__ == "__main__":
    main()
