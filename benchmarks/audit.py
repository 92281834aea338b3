"""Time `playbook audit` on 2,000 groups x 90 days of figures (target: under 10 s).

    python benchmarks/audit.py            # 3 runs, the median is reported
    python benchmarks/audit.py --runs 1

The B2B example is copied with a roster of 2,000 groups (of its four types with exit rules) and
a metrics.csv of 180,000 rows (one per group and day, 2026-10-03 .. 2026-12-31); one group in
three is quiet enough to be disbanded or merged. The command runs as a separate process, with
the text report to /dev/null; wall and CPU seconds are both printed, since the machine may be
shared. Nothing here is a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GROUPS, DAYS = 2_000, 90
TARGET_SECONDS = 10.0
TYPES = ("store-guide", "micro-guide", "online-guide", "store-koc-circle")
HEADER = "apiVersion: playbook/v1\nkind: Roster\nid: b2b-roster\nversion: 1.0.0\ntitle: 名册\nowner: ops\n"


def _playbook(folder: Path) -> Path:
    root = folder / "b2b"
    shutil.copytree(REPO / "examples" / "b2b-shopping-guide", root,
                    ignore=shutil.ignore_patterns(".playbook", "site"))
    lines = [HEADER, "groups:\n",
             "  - {id: gz-store-01, name: 广州实体店主选款 01 群, type: store-guide, operator: lin, "
             "opened: 2026-06-01, fields: {city: 广州}}\n"]
    lines += [f"  - {{id: g-{i:04d}, name: 选款{i}群, type: {TYPES[i % 4]}, operator: lin, "
              f"opened: 2026-06-01, chat_id: wrOgQhDgAA{i:010d}_KAAAA, fields: {{city: 广州}}}}\n"
              for i in range(1, GROUPS)]
    roster = "".join(lines)
    for i in range(GROUPS):  # 40 operators of 50 groups each (PB602 allows no more)
        roster = roster.replace("operator: lin,", f"operator: bench-{i // 50:02d},", 1)
    (root / "roster.yaml").write_text(roster, encoding="utf-8")
    text = (root / "playbook.yaml").read_text(encoding="utf-8")
    added = "".join(f"  - {{id: bench-{n:02d}, name: 运营{n}, capacity: 50}}\n" for n in range(GROUPS // 50))
    (root / "playbook.yaml").write_text(text.replace("\noperators:\n", "\noperators:\n" + added, 1),
                                        encoding="utf-8")
    start = dt.date(2026, 12, 31) - dt.timedelta(days=DAYS - 1)
    rows = ["date,group,members,joined,left,messages,active_members,orders,gmv"]
    names = ["gz-store-01", *(f"g-{i:04d}" for i in range(1, GROUPS))]
    for n, name in enumerate(names):
        active = 1 if n % 3 == 0 else 25
        for d in range(DAYS):
            day = start + dt.timedelta(days=d)
            rows.append(f"{day.isoformat()},{name},{150 + d % 7},{d % 3},{d % 2},{active * 5},"
                        f"{active + d % 4},{10 + d % 5},{1800 + 37 * (d % 11)}.5")
    (root / "metrics.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = _playbook(Path(tmp))
        walls, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "playbook", "audit", str(root), "--metrics",
                                   str(root / "metrics.csv")], capture_output=True, text=True,
                                  env={"PLAYBOOK_NO_CACHE": "1", "PATH": "/usr/bin:/bin"})
            walls.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
        summary = done.stdout.strip().splitlines()[-1]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    verdict = "ok" if wall < TARGET_SECONDS else "SLOW"
    print(f"audit of {GROUPS:,} groups x {DAYS} days ({GROUPS * DAYS:,} rows): wall {wall:.2f} s, "
          f"CPU {cpu:.2f} s (median of {runs}; target < {TARGET_SECONDS:.0f} s: {verdict}); {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
