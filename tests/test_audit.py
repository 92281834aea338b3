"""`playbook audit --metrics FILE` (issue 17 items 3-5): typed targets and exit rules read real
daily figures; each decision path (keep, next stage, merge, move members, disband), each bad
row reported as FILE:ROW:COL with its header, and nothing silently dropped.

Expected values are worked out by hand from the figures written here."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import MakePlaybook, RunCli, document_header, valid_playbook_yaml

METRICS = """metrics:
  - {id: activity-rate, name: 活跃率, unit: "%", measure: {figure: active_members, per: members}}
  - {id: members, name: 群人数, measure: {figure: members}}
  - {id: gmv, name: 成交额, unit: CNY, measure: {figure: gmv}}
  - {id: bounce-rate, name: 跳失率, unit: "%"}
"""
# club: strong for 3 days from `opened`, then daily (open-ended); weak only by a pin.
PLAYBOOK = valid_playbook_yaml("""  - id: club
    name: 俱乐部
    positioning: retention
    purpose: Members stay.
    platform: wechat_group
    target_size: 100
    lifecycle:
      - {kind: strong, name: 强运营期, duration: 3d}
      - kind: daily
        name: 日常运营期
        exit_criteria: [活跃率连续 3 天低于 5% 就解散]
        exit_rules:
          - when: [{metric: activity-rate, below: 5, window: 2d, lasting: 3d}]
            action: disband
          - when: [{metric: members, below: 20, window: 2d, lasting: 2d}]
            action: merge
            into: middle-official
          - when: [{metric: gmv, above: 1000, window: 2d}]
            action: next_stage
      - kind: weak
        name: 弱运营期
        exit_rules:
          - when: [{metric: activity-rate, below: 5}]
            action: move_members
            into: keep
    metrics:
      - {metric: activity-rate, target: "≥ 10%", at_least: 10, window: 7d}
      - {metric: bounce-rate, target: "≤ 40%"}
operators:
  - {id: op-a, name: 小安}
""" + METRICS)
GROUPS = ["keep", "disband", "almost", "merge", "next", "move", "gap", "none"]
ROSTER = document_header("Roster", "roster") + "groups:\n" + "".join(
    f"  - {{id: {g}, name: 群{g}, type: club, operator: op-a, opened: 2026-11-01, chat_id: wrDEMO-club-{g}"
    + (", stage: {kind: weak, since: 2026-11-25}" if g == "move" else "") + "}\n" for g in GROUPS)
HEADER = "date,group,members,joined,left,messages,active_members,orders,gmv"
DAYS = [dt.date(2026, 11, 20) + dt.timedelta(days=n) for n in range(11)]  # 11-20 .. 11-30


def _figures(group: str, day: dt.date) -> tuple[int, int, int] | None:
    """(members, active members, gmv) of a group on a day; None leaves the day out."""
    last_two = day >= dt.date(2026, 11, 29)
    return {
        "keep": (100, 20, 100),
        "disband": (100, 3, 100),
        "almost": (100, 3 if last_two else 20, 100),
        "merge": (10, 5, 100),
        "next": (100, 20, 600),
        "move": (100, 1, 100),
        "gap": None if day == dt.date(2026, 11, 29) else (100, 3, 100),
        "none": None,
    }[group]


def metrics_csv(extra: str = "") -> str:
    lines = [HEADER]
    for group in GROUPS:
        for day in DAYS:
            f = _figures(group, day)
            if f is not None:
                lines.append(f"{day.isoformat()},{group},{f[0]},1,1,50,{f[1]},2,{f[2]}")
    return "\n".join(lines) + "\n" + extra


@pytest.fixture
def root(make_playbook: MakePlaybook) -> Path:
    return make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER, "metrics.csv": metrics_csv()})


def _audit(run_cli: RunCli, root: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli("audit", root, "--metrics", root / "metrics.csv", "--format", "json", *args)
    return code, ({g["group"]: g for g in json.loads(out)["groups"]} if out else {}), err


def test_each_decision_path_with_its_rule_and_numbers(run_cli: RunCli, root: Path) -> None:
    code, groups, err = _audit(run_cli, root)
    assert (code, err) == (0, "")
    decided = {g: (d["action"], d["into"], d["rule"], d["reason"])
               for g, d in ((g, v["decision"]) for g, v in groups.items())}
    assert decided == {
        "keep": ("keep", None, "", "rule 1: activity-rate 20, not < 5; rule 2: members 100, not < 20; "
                                   "rule 3: gmv 200, not > 1000"),
        "disband": ("disband", None, "daily rule 1: activity-rate below 5 over 2d for 3d",
                    "activity-rate 3, < 5 on each of the last 3 days"),
        "almost": ("keep", None, "", "rule 1: activity-rate 3, < 5 on the last 1 of 3 days needed; "
                                     "rule 2: members 100, not < 20; rule 3: gmv 200, not > 1000"),
        "merge": ("merge", "middle-official", "daily rule 2: members below 20 over 2d for 2d",
                  "members 10, < 20 on each of the last 2 days"),
        "next": ("next_stage", None, "daily rule 3: gmv above 1000 over 2d", "gmv 1,200, > 1000"),
        "move": ("move_members", "keep", "weak rule 1: activity-rate below 5", "activity-rate 1, < 5"),
        "gap": ("keep", None, "", "rule 1: activity-rate unknown (no figures for 2026-11-29); "
                                  "rule 2: members unknown (no figures for 2026-11-29); "
                                  "rule 3: gmv unknown (no figures for 2026-11-29)"),
        "none": ("keep", None, "", "no figures for this group in the file"),
    }
    assert groups["move"]["stage"]["kind"] == "weak" and groups["keep"]["stage"]["kind"] == "daily"
    assert groups["keep"]["stage"]["start"] == "2026-11-04"


def test_typed_targets_against_the_figures(run_cli: RunCli, root: Path) -> None:
    _, groups, _ = _audit(run_cli, root)
    # only the typed target is checked (bounce-rate is text only); 7 days of 20/100 and 3/100
    keep = groups["keep"]["targets"]
    assert [(t["metric"], t["value"], t["met"]) for t in keep] == [("activity-rate", 20.0, True)]
    assert [(t["value"], t["met"]) for t in groups["disband"]["targets"]] == [(3.0, False)]
    assert groups["gap"]["targets"][0]["unknown"] == "no figures for 2026-11-29"


def test_date_picks_the_day_audited(run_cli: RunCli, root: Path) -> None:
    # on 11-28 'almost' still had 20%, and the gap (11-29) is after the day audited
    _, groups, _ = _audit(run_cli, root, "--date", "2026-11-28")
    assert groups["almost"]["decision"]["action"] == "keep"
    assert groups["gap"]["decision"]["action"] == "disband"


def test_text_report(run_cli: RunCli, root: Path) -> None:
    code, out, _ = run_cli("audit", root, "--metrics", root / "metrics.csv")
    assert code == 0
    block = out.split("\n\n")[2]  # the header, then 'keep', then 'disband'
    assert block == ("disband  群disband  [club]  stage: 日常运营期 (daily)\n"
                     "  figures: 11 day(s), last 2026-11-30\n"
                     "  target: activity-rate 3 ≥ 10 over 7d: not met\n"
                     "  decision: disband\n"
                     "  rule: daily rule 1: activity-rate below 5 over 2d for 3d\n"
                     "  because: activity-rate 3, < 5 on each of the last 3 days")
    assert out.splitlines()[0] == f"audit of {root / 'metrics.csv'} on 2026-11-30: 8 groups"
    assert out.endswith("\n4 keep, 1 next stage, 1 merge, 1 move active members, 1 disband\n")


def test_csv_and_markdown_reports(run_cli: RunCli, root: Path) -> None:
    code, out, _ = run_cli("audit", root, "--metrics", root / "metrics.csv", "--format", "csv")
    assert code == 0 and out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out[1:])))
    assert [(r["group"], r["decision"], r["into"]) for r in rows][:4] == [
        ("keep", "keep", ""), ("disband", "disband", ""), ("almost", "keep", ""),
        ("merge", "merge", "middle-official")]
    assert rows[1]["stage_start"] == "2026-11-04" and rows[1]["days"] == "11"
    code, out, _ = run_cli("audit", root, "--metrics", root / "metrics.csv", "--format", "markdown")
    assert "| disband 群disband | 日常运营期 (daily) | **disband** | daily rule 1: activity-rate below 5 " \
           "over 2d for 3d |" in out


def test_names_and_chat_ids_match_groups(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    text = metrics_csv().replace(",keep,", ",群keep,").replace(",disband,", ",wrDEMO-club-disband,")
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER, "metrics.csv": text})
    code, groups, err = _audit(run_cli, root)
    assert (code, err) == (0, "")
    assert groups["keep"]["days"] == 11 and groups["disband"]["decision"]["action"] == "disband"


def _bad(run_cli: RunCli, make_playbook: MakePlaybook, text: str | bytes,
         name: str = "metrics.csv") -> tuple[int, str, str]:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER, name: text})
    code, out, err = run_cli("audit", root, "--metrics", root / name, "--format", "json")
    return code, out, err.replace(str(root / name), name)


BAD_ROWS = [
    ("2026-11-30,nobody,100,1,1,50,20,2,100",
     "metrics.csv:78:2: error PB063 'group' is 'nobody', which is no roster group's id, chat_id or name; "
     "the row is left out"),
    ("2026-11-30,keep,100,1,1,many,20,2,100",
     "metrics.csv:78:6: error PB064 'messages' is 'many', not a number of 0 or more"),
    ("2026-11-30,keep,100,1,1,50,,2,100",
     "metrics.csv:78:7: error PB064 'active_members' is empty, not a number of 0 or more"),
    ("2026-11-30,keep,-3,1,1,50,20,2,100",
     "metrics.csv:78:3: error PB064 'members' is '-3', not a number of 0 or more"),
    ("2026-11-31,keep,100,1,1,50,20,2,100",
     "metrics.csv:78:1: error PB066 'date' is '2026-11-31', not a date between 1980-01-01 and 2099-12-31"),
    ("2026-11-30,keep,100,1,1,50,20,2,100",
     "metrics.csv:78:1: error PB065 'date' 2026-11-30 for group 'keep' is already given on row 12; "
     "this row is left out"),
]


@pytest.mark.parametrize(("row", "expected"), BAD_ROWS, ids=["unknown-group", "not-a-number", "empty",
                                                              "negative", "bad-date", "duplicate-date"])
def test_each_bad_row_is_reported_and_left_out(run_cli: RunCli, make_playbook: MakePlaybook,
                                               row: str, expected: str) -> None:
    code, out, err = _bad(run_cli, make_playbook, metrics_csv(row + "\n"))
    assert code == 1
    assert expected in err.splitlines()
    assert "playbook: audit: 1 row of 77 left out (see above)" in err
    groups = {g["group"]: g for g in json.loads(out)["groups"]}
    assert groups["keep"]["days"] == 11  # the 11 good rows, and not the bad one
    assert sum(g["days"] for g in groups.values()) == 76  # 6 groups x 11 days, 'gap' 10


def test_a_name_two_groups_share_is_ambiguous(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    roster = ROSTER + "  - {id: twin, name: 群keep, type: club, operator: op-a, opened: 2026-11-01}\n"
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": roster,
                          "metrics.csv": metrics_csv("2026-11-30,群keep,1,1,1,1,1,1,1\n")})
    code, _, err = run_cli("audit", root, "--metrics", root / "metrics.csv")
    assert code == 1
    assert (f"{root / 'metrics.csv'}:78:2: error PB063 'group' '群keep' is the name of 2 groups "
            "(keep, twin); the row is left out") in err


def test_missing_columns(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    text = metrics_csv().replace(",active_members,", ",活跃,")  # the figure activity-rate needs
    code, out, err = _bad(run_cli, make_playbook, text)
    assert code == 1
    assert ("metrics.csv:1:1: error PB062 no column for active_members: looked for 'active_members', "
            "'活跃人数', '发言人数'") in err
    groups = {g["group"]: g for g in json.loads(out)["groups"]}
    assert groups["disband"]["decision"]["reason"].startswith(
        "rule 1: activity-rate unknown (the file has no active_members column)")
    code, out, err = _bad(run_cli, make_playbook, metrics_csv().replace("date,group,", "day,group,"))
    assert (code, out) == (1, "")
    assert "metrics.csv:1:1: error PB062 no column for date: looked for 'date', '日期', '统计日期'" in err


def test_columns_mapped_in_the_playbook(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    mapped = PLAYBOOK + "metrics_file:\n  columns: {date: 统计日, group: 客户群, gmv: 实付金额}\n"
    text = metrics_csv().replace("date,group,", "统计日,客户群,").replace(",gmv\n", ",实付金额\n", 1)
    root = make_playbook({"playbook.yaml": mapped, "roster.yaml": ROSTER, "metrics.csv": text})
    code, out, err = run_cli("audit", root, "--metrics", root / "metrics.csv", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["next_stage"] == 1
    # a file without the mapped headers: the problem names the header as the playbook maps it
    mapped_root = make_playbook({"playbook.yaml": mapped, "roster.yaml": ROSTER,
                                 "metrics.csv": metrics_csv()})
    code, _, err = run_cli("audit", mapped_root, "--metrics", mapped_root / "metrics.csv")
    assert code == 1
    assert (f"{mapped_root / 'metrics.csv'}:1:1: error PB062 no column '统计日', which playbook.yaml's "
            "metrics_file maps to date") in err


def test_gb18030_and_xlsx(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    roster = ROSTER.replace("name: 群keep", "name: 华东活跃俱乐部")  # not valid UTF-8 in GB18030
    text = metrics_csv().replace(",keep,", ",华东活跃俱乐部,")
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": roster,
                          "metrics.csv": text.encode("gb18030")})
    code, out, err = run_cli("audit", root, "--metrics", root / "metrics.csv", "--format", "json")
    assert (code, err) == (0, "")
    assert {g["group"]: g for g in json.loads(out)["groups"]}["keep"]["days"] == 11
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for n, line in enumerate(text.splitlines()):
        cells: list[Any] = line.split(",")
        if n:
            cells = [dt.date.fromisoformat(cells[0]), cells[1], *(int(c) for c in cells[2:])]
        sheet.append(cells)
    data = io.BytesIO()
    book.save(data)
    (root / "metrics.xlsx").write_bytes(data.getvalue())
    code, out, err = run_cli("audit", root, "--metrics", root / "metrics.xlsx", "--format", "json")
    assert (code, err) == (0, "")
    groups = {g["group"]: g for g in json.loads(out)["groups"]}
    assert groups["merge"]["decision"]["action"] == "merge" and groups["keep"]["days"] == 11


def test_unreadable_files_exit_2(run_cli: RunCli, make_playbook: MakePlaybook, tmp_path: Path) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER})
    code, out, err = run_cli("audit", root, "--metrics", tmp_path / "missing.csv")
    assert (code, out) == (2, "")
    assert f"{tmp_path / 'missing.csv'}:1:1: error PB060 the file does not exist" in err
    fifo = tmp_path / "figures.csv"
    os.mkfifo(fifo)  # refused from its stat, never opened: the run cannot hang on it
    code, out, err = run_cli("audit", root, "--metrics", fifo)
    assert (code, out) == (2, "")
    assert f"{fifo}:1:1: error PB060 it is a FIFO, not a regular file" in err
    code, _, err = _bad(run_cli, make_playbook, b"date,group\n\xff\xfe\xfa\n", "odd.csv")
    assert code == 2 and "error PB061" in err


def test_report_text_is_inert(run_cli: RunCli, make_playbook: MakePlaybook) -> None:
    roster = ROSTER.replace("name: 群keep", "name: \"=HYPERLINK(1)|x\\e[2K\"")
    text = metrics_csv()
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": roster, "metrics.csv": text})
    code, out, _ = run_cli("audit", root, "--metrics", root / "metrics.csv", "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out[1:])))[1][1] == "'=HYPERLINK(1)|x\\x1b[2K"
    code, out, _ = run_cli("audit", root, "--metrics", root / "metrics.csv", "--format", "markdown")
    assert "| keep =HYPERLINK(1)\\|x\\\\x1b\\[2K |" in out
    code, out, _ = run_cli("audit", root, "--metrics", root / "metrics.csv")
    assert "\x1b" not in out and "keep  =HYPERLINK(1)|x\\x1b[2K  [club]" in out


def test_a_playbook_that_does_not_validate_is_not_audited(run_cli: RunCli,
                                                          make_playbook: MakePlaybook) -> None:
    broken = PLAYBOOK.replace("action: disband\n", "action: dissolve\n", 1)
    root = make_playbook({"playbook.yaml": broken, "roster.yaml": ROSTER, "metrics.csv": metrics_csv()})
    code, out, err = run_cli("audit", root, "--metrics", root / "metrics.csv")
    assert (code, out) == (1, "")
    assert "PB023" in err and "playbook: the audit stopped" in err


def test_shipped_example_gives_keep_merge_and_disband(run_cli: RunCli) -> None:
    example = Path(__file__).parent.parent / "examples" / "b2b-shopping-guide"
    code, out, err = run_cli("audit", example, "--metrics", example / "metrics.csv", "--format", "json")
    assert (code, err) == (0, "")
    decisions = {g["group"]: g["decision"]["action"] for g in json.loads(out)["groups"]}
    assert decisions == {"gz-store-01": "keep", "hz-store-01": "keep", "cd-store-01": "keep",
                         "micro-01": "disband", "online-east-01": "keep", "store-koc-01": "merge"}


def test_lifecycle_page_groups_by_stage_with_decisions_and_trend(root: Path) -> None:
    from playbook.handbook.lifecycle_page import lifecycle_markdown, with_lifecycle
    from playbook.handbook.pages import Handbook
    from playbook.lifecycle.audit import run_audit
    from playbook.lifecycle.metrics import read_metrics
    from playbook.pipeline import check

    project = check(root).project
    assert project is not None
    audit = run_audit(project, read_metrics(root / "metrics.csv", project), dt.date(2026, 11, 30))
    page = lifecycle_markdown(project, audit)
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## 日常运营期 (daily)", "## 弱运营期 (weak)"]
    row = next(line for line in page.splitlines() if line.startswith("| 群disband"))
    assert row.startswith("| 群disband <br>`disband` | **disband** | daily rule 1: activity-rate below 5 "
                          "over 2d for 3d<br>activity-rate 3, &lt; 5 on each of the last 3 days | "
                          "activity-rate 3 ≥ 10 over 7d: not met | <svg ")
    assert row.endswith("</svg> 3.0% |")
    # 'none' has no figures: no figure, a dash
    assert next(line for line in page.splitlines() if line.startswith("| 群none")).endswith("| – |")
    book = with_lifecycle(Handbook({"index.md": "# x"}, [("", [("首页", "index.md")])]), project, audit)
    assert book.nav == [("", [("首页", "index.md")]), ("运营", [("生命周期", "lifecycle.md")])]
    assert set(book.pages) == {"index.md", "lifecycle.md"}
