"""`playbook roster export`: the roster as CSV or XLSX with text-typed cells (ids keep their
digits), formulas neutralised, and a file that imports back to the same roster."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from conftest import MakePlaybook, RunCli
from test_roster_import import CHAT_EAST, CHAT_NEW, GOOD_ROWS, HEADER, MERGED, PLAYBOOK, ROSTER

ODD = """\
apiVersion: playbook/v1
kind: Roster
id: roster
version: 1.0.0
title: 名册
owner: ops-team
groups:
  - id: "0012"
    name: =HYPERLINK("http://x.example","点我")
    type: middle-official
    operator: lin-xiao
    opened: 2026-10-22
    size: 7
    chat_id: "1234567890123456789"
    tags: [母婴, 试点]
  - id: plain
    name: "-折扣\\x1b群"
    type: middle-official
    operator: lin-xiao
    opened: 2026-10-23
"""


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_csv_keeps_digits_and_neutralises_formulas(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ODD})
    out = root.parent / "groups.csv"
    code, stdout, err = run_cli("roster", "export", "--root", root, "--out", out)
    assert (code, stdout, err) == (0, f"{out}: 2 groups written\n", "")
    assert _csv_rows(out.read_bytes()) == [
        ["id", "name", "chat_id", "type", "operator", "opened", "size", "tags"],
        ["0012", "'=HYPERLINK(\"http://x.example\",\"点我\")", "1234567890123456789", "middle-official",
         "lin-xiao", "2026-10-22", "7", "母婴, 试点"],
        ["plain", "'-折扣\\x1b群", "", "middle-official", "lin-xiao", "2026-10-23", "", ""],
    ]
    assert b"\r\n" in out.read_bytes()


def test_xlsx_cells_are_text_with_a_frozen_header(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ODD})
    out = root.parent / "groups.xlsx"
    code, _, err = run_cli("roster", "export", "--root", root, "--format", "xlsx", "--out", out)
    assert (code, err) == (0, "")
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.title == "roster"
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["id", "name", "chat_id", "type", "operator", "opened", "size",
                                          "tags"]
    assert all(c.font.bold for c in rows[0])
    first = {h.value: c for h, c in zip(rows[0], rows[1], strict=True)}
    assert first["id"].value == "0012"
    assert first["chat_id"].value == "1234567890123456789"
    assert first["name"].value == '=HYPERLINK("http://x.example","点我")'
    for key in ("id", "chat_id", "name", "opened"):
        assert (first[key].data_type, first[key].number_format) == ("s", "@"), key
    assert (first["size"].value, first["size"].data_type) == (7, "n")
    assert rows[2][1].value == "-折扣\\x1b群"  # the control character is shown, not written raw


def test_round_trip_csv_to_roster_to_csv(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER})
    wecom = root.parent / "wecom.csv"
    wecom.write_bytes((HEADER + GOOD_ROWS).encode("utf-8"))
    assert run_cli("roster", "import", wecom, "--root", root, "--type", "middle-official")[0] == 0
    exported = root.parent / "roster.csv"
    assert run_cli("roster", "export", "--root", root, "--out", exported)[0] == 0
    rows = _csv_rows(exported.read_bytes())
    assert rows == [
        ["id", "name", "chat_id", "type", "operator", "opened", "size", "locale", "cohort_starts"],
        ["east-01", "华东1群", CHAT_EAST, "middle-official", "zhou-ning", "2026-10-22", "301", "zh-CN", ""],
        ["camp-01", "训练营1期", "", "training-camp", "zhou-ning", "2026-11-02", "50", "",
         "2026-11-02, 2026-11-16"],
        ["g-9ab2d9b3", "华东2群", CHAT_NEW, "middle-official", "lin-xiao", "2026-11-30", "12", "", ""],
    ]
    # the export imports back into the same roster: nothing changes, nothing is rewritten
    code, out, _ = run_cli("roster", "import", exported, "--root", root)
    assert (code, out) == (0, "roster.yaml: up to date, nothing to change\n")
    assert (root / "roster.yaml").read_text(encoding="utf-8") == MERGED
    # and so does the XLSX
    sheet_file = root.parent / "roster.xlsx"
    assert run_cli("roster", "export", "--root", root, "--format", "xlsx", "--out", sheet_file)[0] == 0
    code, out, _ = run_cli("roster", "import", sheet_file, "--root", root)
    assert (code, out) == (0, "roster.yaml: up to date, nothing to change\n")


def test_an_exported_formula_like_name_imports_back_as_written(make_playbook: MakePlaybook,
                                                               run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ODD.replace('\\x1b', '')})
    exported = root.parent / "roster.csv"
    assert run_cli("roster", "export", "--root", root, "--out", exported)[0] == 0
    code, out, _ = run_cli("roster", "import", exported, "--root", root)
    assert (code, out) == (0, "roster.yaml: up to date, nothing to change\n")


def test_csv_to_standard_output(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER})
    code, out, _ = run_cli("roster", "export", "--root", root, "--out", "-")
    assert code == 0
    assert out.splitlines()[:2] == [
        "id,name,chat_id,type,operator,opened,size,locale,cohort_starts",
        "east-01,华东1群,,middle-official,lin-xiao,2026-10-22,286,zh-CN,",
    ]


def test_inline_groups_are_exported(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    inline = PLAYBOOK + "groups:\n  - id: a\n    name: A\n    type: middle-official\n" \
                        "    operator: lin-xiao\n    opened: 2026-10-01\n"
    root = make_playbook({"playbook.yaml": inline})
    code, out, _ = run_cli("roster", "export", "--root", root, "--out", "-")
    assert (code, out) == (0, "id,name,chat_id,type,operator,opened,size\r\n"
                              "a,A,,middle-official,lin-xiao,2026-10-01,\r\n")


@pytest.mark.parametrize(("args", "message"), [
    (("--out", "roster.xlsx"), "--out roster.xlsx: a CSV file is named *.csv"),
    (("--format", "xlsx", "--out", "-"),
     "--out -: only CSV is written to standard output; name an .xlsx file"),
    (("--out", "roster.yaml"), "--out roster.yaml: a CSV file is named *.csv"),
])
def test_bad_out_is_a_usage_error(make_playbook: MakePlaybook, run_cli: RunCli, args: tuple[str, ...],
                                  message: str) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER})
    code, _, err = run_cli("roster", "export", "--root", root, *args)
    assert (code, err) == (2, f"playbook: error: {message}\n")


def test_a_folder_named_like_the_output_is_refused(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER})
    folder = root.parent / "out.csv"
    folder.mkdir()
    code, _, err = run_cli("roster", "export", "--root", root, "--out", folder)
    assert (code, err) == (2, f"playbook: error: --out {folder} is a folder; name the file to write\n")


def test_a_roster_linked_out_of_the_playbook_is_refused(make_playbook: MakePlaybook, run_cli: RunCli,
                                                        tmp_path: Path) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK})
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(ROSTER, encoding="utf-8")
    (root / "roster.yaml").symlink_to(outside)
    code, out, err = run_cli("roster", "export", "--root", root, "--out", "-")
    assert (code, out) == (1, "")
    assert err.splitlines()[0].startswith("roster.yaml:1:1: error PB037 'roster.yaml' ")
    assert err.splitlines()[-1] == "playbook: export stopped: fix the errors above; nothing was written"
