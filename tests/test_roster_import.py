"""`playbook roster import`: CSV (UTF-8, BOM, GB18030) and XLSX exports merged into roster.yaml,
comments and hand-written values kept, every bad row reported at FILE:ROW:COL, nothing written
unless every row is usable (or --force-partial), and the write atomic."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from ruamel.yaml import YAML

from conftest import MakePlaybook, RunCli, valid_playbook_yaml
from playbook.roster.match import new_id
from playbook.roster.read import Refused, read_user_file

PLAYBOOK = valid_playbook_yaml("""\
  - id: training-camp
    name: 训练营
    positioning: training_camp
    purpose: Seven days of onboarding.
    platform: wechat_group
    target_size: 200
operators:
  - id: lin-xiao
    name: 林晓
  - id: zhou-ning
    name: 周宁
""")

ROSTER = """\
# 在运营的群（手写注释）
apiVersion: playbook/v1
kind: Roster
id: roster
version: 1.2.0
title: 名册
owner: ops-team

groups:
  # 中层
  - id: east-01
    name: 华东1群   # 第一个群
    type: middle-official
    operator: lin-xiao
    opened: 2026-10-22
    size: 286
    locale: zh-CN
  - id: camp-01
    name: 训练营1期
    type: training-camp
    operator: zhou-ning
    opened: 2026-11-02
    cohort_starts: [2026-11-02, 2026-11-16]
    size: 50

  # 待开的群写在这里
"""

HEADER = "群名称,群主,群ID,创建时间,群人数\n"
CHAT_EAST = "wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA"
CHAT_NEW = "wrOgQhDgAAzzzTB7YmDkbeBsgT_KAAAA"
GOOD_ROWS = (f"华东1群,周宁,{CHAT_EAST},2026-10-22 10:31:00,301\n"
             f"华东2群,林晓,{CHAT_NEW},2026/11/30,12\n")

# What GOOD_ROWS make of ROSTER: east-01 gets its chat_id (after its name), the new size and the
# new owner; 华东2群 is added; every comment, the blank lines and the hand-written keys stay.
MERGED = """\
# 在运营的群（手写注释）
apiVersion: playbook/v1
kind: Roster
id: roster
version: 1.2.1
title: 名册
owner: ops-team

groups:
  # 中层
  - id: east-01
    name: 华东1群   # 第一个群
    chat_id: wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA
    type: middle-official
    operator: zhou-ning
    opened: 2026-10-22
    size: 301
    locale: zh-CN
  - id: camp-01
    name: 训练营1期
    type: training-camp
    operator: zhou-ning
    opened: 2026-11-02
    cohort_starts: [2026-11-02, 2026-11-16]
    size: 50
  - id: g-9ab2d9b3
    name: 华东2群
    chat_id: wrOgQhDgAAzzzTB7YmDkbeBsgT_KAAAA
    type: middle-official
    operator: lin-xiao
    opened: 2026-11-30
    size: 12

  # 待开的群写在这里
"""


@pytest.fixture
def playbook(make_playbook: MakePlaybook) -> Path:
    return make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": ROSTER})


def _csv(folder: Path, text: str, encoding: str = "utf-8", name: str = "groups.csv") -> Path:
    path = folder.parent / f"{folder.name}-{name}"
    path.write_bytes(text.encode(encoding))
    return path


def _roster(root: Path) -> str:
    return (root / "roster.yaml").read_bytes().decode("utf-8")


def test_csv_with_bom_is_merged_keeping_comments_and_hand_written_values(playbook: Path,
                                                                          run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + GOOD_ROWS, "utf-8-sig")
    code, out, err = run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official")
    assert (code, err) == (0, "")
    assert _roster(playbook) == MERGED
    assert out == (
        "+ g-9ab2d9b3: 华东2群 (middle-official, lin-xiao, opened 2026-11-30, 12 members)\n"
        "~ east-01: size 286 → 301\n"
        "~ east-01: operator lin-xiao → zhou-ning\n"
        f"~ east-01: chat_id none → {CHAT_EAST}\n"
        "~ roster version 1.2.0 → 1.2.1\n"
        "roster.yaml: 1 added, 1 updated; run `playbook validate` next\n")
    assert run_cli("validate", playbook)[0] == 0


def test_importing_the_same_file_again_changes_nothing(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + GOOD_ROWS)
    assert run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official")[0] == 0
    code, out, _ = run_cli("roster", "import", export, "--root", playbook)
    assert (code, out) == (0, "roster.yaml: up to date, nothing to change\n")
    assert _roster(playbook) == MERGED


def test_gb18030_csv_as_excel_saves_it_on_chinese_windows(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, (HEADER + GOOD_ROWS).replace("\n", "\r\n"), "gb18030")
    assert not export.read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, err = run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official")
    assert (code, err) == (0, "")
    assert _roster(playbook) == MERGED


def test_xlsx_made_by_a_spreadsheet_program(playbook: Path, run_cli: RunCli) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["群名称", "群主", "群ID", "创建时间", "群人数"])
    sheet.append(["华东1群", "周宁", CHAT_EAST, dt.datetime(2026, 10, 22, 10, 31), 301])
    sheet.append(["华东2群", "林晓", CHAT_NEW, dt.datetime(2026, 11, 30), 12.0])
    export = playbook.parent / "groups.xlsx"
    book.save(export)
    code, _, err = run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official")
    assert (code, err) == (0, "")
    assert _roster(playbook) == MERGED


BAD_ROWS = (
    ",林晓,wrAAAAAAAAAAAAA1,2026-11-01,10\n"                      # row 2: no name
    "华东3群,王五,wrAAAAAAAAAAAAA2,2026-11-01,10\n"                # row 3: unknown owner
    f"华东4群,林晓,{CHAT_NEW},2026-11-01,10\n"                     # row 4: fine
    f"华东5群,林晓,{CHAT_NEW},2026-11-01,10\n"                     # row 5: duplicate chat_id
    "华东6群,林晓,wrAAAAAAAAAAAAA3,2026-02-30,10\n"                # row 6: no such day
    "华东7群,林晓,wrAAAAAAAAAAAAA4,2026-11-01,十个\n"              # row 7: size in words
    "华东8群,林晓,wrAAAAAAAAAAAAA5,1970-01-01,-3\n"                # row 8: too early, negative
)


def test_every_bad_row_is_reported_at_its_cell_and_nothing_is_written(playbook: Path,
                                                                       run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + BAD_ROWS)
    code, out, err = run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official")
    f = str(export)
    assert (code, out) == (1, "")
    assert err == (
        f"{f}:2:1: error PB083 the group name is empty (column '群名称')\n"
        f"{f}:3:2: error PB084 owner '王五' is not an operator of this playbook (column '群主')\n"
        "  help: add it to the map file's `owners:` table or with `--owner NAME=OPERATOR`, or give the "
        "operator a matching name or wecom_userid in playbook.yaml\n"
        f"{f}:5:3: error PB085 chat_id '{CHAT_NEW}' is also on row 4 (column '群ID')\n"
        f"  {f}:4:3: note: first given here\n"
        f"{f}:6:4: error PB086 '2026-02-30' is not a date (column '创建时间')\n"
        "  help: write YYYY-MM-DD, e.g. 2026-11-23\n"
        f"{f}:7:5: error PB087 '十个' is not a member count: write a whole number (column '群人数')\n"
        f"{f}:8:4: error PB086 '1970-01-01' is not a date: 1970-01-01 is outside the supported dates "
        "1980-01-01 .. 2099-12-31 (column '创建时间')\n"
        "  help: write YYYY-MM-DD, e.g. 2026-11-23\n"
        f"{f}:8:5: error PB087 '-3' is not a member count: write a whole number (column '群人数')\n"
        "Found 7 errors in 1 file checked.\n"
        "playbook: import stopped: 6 rows cannot be used; fix them, or merge the others with "
        "--force-partial; nothing was written\n")
    assert _roster(playbook) == ROSTER


def test_force_partial_merges_the_good_rows_and_still_fails(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + BAD_ROWS)
    code, out, err = run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official",
                             "--force-partial")
    assert code == 1
    assert "Found 7 errors in 1 file checked.\n" in err
    assert "import stopped" not in err
    assert out.endswith("roster.yaml: 1 added, 0 updated, 6 rows skipped; run `playbook validate` next\n")
    assert f"  - id: g-9ab2d9b3\n    name: 华东4群\n    chat_id: {CHAT_NEW}\n" in _roster(playbook)
    assert "华东5群" not in _roster(playbook)


def test_dry_run_prints_the_changes_and_writes_nothing(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + GOOD_ROWS)
    code, out, _ = run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official",
                           "--dry-run")
    assert code == 0
    assert out.startswith("+ g-9ab2d9b3: 华东2群 (middle-official, lin-xiao, opened 2026-11-30, "
                          "12 members)\n")
    assert out.endswith("roster.yaml: dry run, nothing written; would be 1 added, 1 updated\n")
    assert _roster(playbook) == ROSTER


def test_a_new_group_needs_a_type_an_operator_and_an_opening_date(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, "群名称,群主,创建时间\n华东9群,,\n训练营1期,,\n")
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    f = str(export)
    assert code == 1
    assert err.splitlines()[:3] == [
        f"{f}:2:1: error PB083 new group '华东9群' has no group type: add a type column, a pattern in "
        "the map file's `types:`, or --type (column '群名称')",
        f"{f}:2:2: error PB083 new group '华东9群' has no operator: the row names no owner; add an owner "
        "column or --operator (column '群主')",
        f"{f}:2:3: error PB083 new group '华东9群' has no opening date: the row has no 创建时间 (opened) "
        "(column '创建时间')",
    ]
    assert "Found 3 errors" in err  # 训练营1期 is an existing group: it needs none of them


def test_unknown_type_and_operator_columns(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, "name,type,operator,opened\n新群,vip,nobody,2026-11-01\n")
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    f = str(export)
    assert code == 1
    assert err.splitlines()[:4] == [
        f"{f}:2:2: error PB088 'vip' is not a group type of this playbook (column 'type')",
        "  help: known types: middle-official, training-camp",
        f"{f}:2:3: error PB084 'nobody' is not an operator id of this playbook (column 'operator')",
        "  help: operators: lin-xiao, zhou-ning",
    ]


def test_a_file_without_a_name_column(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, "群主,群人数\n林晓,3\n")
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{export}:1:1: error PB082 no column holds the group name (headers: '群主', '群人数')",
        "  help: name it with `--column HEADER=name` or in the map file's `columns:`",
    ]
    assert _roster(playbook) == ROSTER


def test_name_shared_by_two_roster_groups_is_ambiguous(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    twice = ROSTER.replace("name: 训练营1期", "name: 华东1群")
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": twice})
    export = _csv(root, "群名称,群人数\n华东1群,3\n")
    code, _, err = run_cli("roster", "import", export, "--root", root)
    assert code == 1
    assert err.splitlines()[0] == (
        f"{export}:2:1: error PB090 the name '华东1群' is shared by groups 'east-01', 'camp-01' of the "
        "roster; add a chat_id column (column '群名称')")


def test_two_rows_for_one_group(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, "群名称,群人数\n华东1群,3\n华东1群,4\n")
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{export}:3:1: error PB090 row 2 already stands for group 'east-01' (column '群名称')",
        f"  {export}:2:1: note: that row",
    ]


def test_a_roster_group_with_another_chat_id_is_another_group(make_playbook: MakePlaybook,
                                                               run_cli: RunCli) -> None:
    tagged = ROSTER.replace("    size: 286\n", f"    size: 286\n    chat_id: {CHAT_EAST}\n")
    root = make_playbook({"playbook.yaml": PLAYBOOK, "roster.yaml": tagged})
    export = _csv(root, f"群名称,群ID,创建时间\n华东1群,{CHAT_NEW},2026-11-03\n")
    code, out, _ = run_cli("roster", "import", export, "--root", root, "--type", "middle-official",
                           "--operator", "lin-xiao")
    assert code == 0
    assert out.startswith("+ g-9ab2d9b3: 华东1群 (middle-official, lin-xiao, opened 2026-11-03)\n")


MAP = """\
columns:
  客户群: name
  负责人: owner
  建立日期: opened
  备注: ignore
types:
  - match: "*训练营*"
    type: training-camp
  - regex: "^华[东南]"
    type: middle-official
owners:
  Lin: lin-xiao
operator: zhou-ning
"""


def test_map_file_columns_patterns_and_owner_table(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, "客户群,负责人,建立日期,备注\n"
                            "训练营2期,Lin,2026-11-16,x\n华南1群,,2026-11-17,y\n")
    mapping = playbook.parent / "map.yaml"
    mapping.write_text(MAP, encoding="utf-8")
    code, out, err = run_cli("roster", "import", export, "--root", playbook, "--map", mapping)
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == [
        "+ g-0edad15b: 训练营2期 (training-camp, lin-xiao, opened 2026-11-16)",
        "+ g-f3fb2598: 华南1群 (middle-official, zhou-ning, opened 2026-11-17)",
    ]


def test_bad_map_file_is_reported_at_its_lines(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + GOOD_ROWS)
    mapping = playbook.parent / "map.yaml"
    mapping.write_text("columns:\n  客户群: nom\ntypes:\n  - regex: '(['\n    type: vip\n"
                       "owners: {Lin: nobody}\nextra: 1\n", encoding="utf-8")
    code, _, err = run_cli("roster", "import", export, "--root", playbook, "--map", mapping)
    m = str(mapping)
    assert code == 1
    assert err.splitlines() == [
        f"{m}:2:8: error PB089 'nom' is not a roster key; use one of id, name, type, operator, owner, "
        "opened, size, chat_id, robot, locale, tags, classes, fields.<id> or ignore",
        f"{m}:5:11: error PB089 'vip' is not a group type of this playbook",
        f"{m}:6:15: error PB089 'nobody' is not an operator of this playbook",
        f"{m}:7:1: error PB089 unknown key 'extra'; a map file has columns, types, owners, type, operator",
        "Found 4 errors in 1 file checked.",
        "playbook: import stopped: fix the errors above; nothing was written",
    ]
    assert _roster(playbook) == ROSTER


def test_bad_flags_are_usage_errors(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + GOOD_ROWS)
    code, _, err = run_cli("roster", "import", export, "--root", playbook, "--type", "vip")
    assert (code, err) == (2, "playbook: error: --type 'vip' is not a group type of this playbook "
                              "(middle-official, training-camp)\n")
    code, _, err = run_cli("roster", "import", export, "--root", playbook, "--owner", "Lin")
    assert code == 2
    assert err.startswith("playbook: error: --owner 'Lin': write OWNER=OPERATOR")


@pytest.mark.parametrize(("content", "message"), [
    (b"PK\x03\x04not really a zip", "not an XLSX workbook (the file is not a valid zip archive)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "this is an old binary Excel file (.xls)"),
    (b"\xff\xfe\x00\xd8", "the file is not UTF-16 text (byte 0x00)"),
    (HEADER.encode() + b"\x80\x80\x80\xff\n", "the file is not UTF-8 or GB18030 text (byte 0x80)"),
    (b"\xef\xbb\xbf" + HEADER.encode("gb18030"), "the file is not UTF-8 text (byte 0xc3)"),
    (b"\n\n", "the file holds no header row and no groups"),
])
def test_malformed_files_are_one_clear_error(playbook: Path, run_cli: RunCli, content: bytes,
                                             message: str) -> None:
    export = playbook.parent / "groups.csv"
    export.write_bytes(content)
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    assert code == 1
    assert err.splitlines()[0].startswith(f"{export}:")
    assert err.splitlines()[0].endswith(f": error PB081 {message}")
    assert "Traceback" not in err
    assert _roster(playbook) == ROSTER


def test_open_quote_in_csv(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, HEADER + '"华东1群,周宁\n')
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    assert code == 1
    assert err.splitlines()[0] == (f"{export}:2:1: error PB081 not a well-formed CSV row: "
                                   "unexpected end of data")


def test_xlsx_without_a_worksheet_part(playbook: Path, run_cli: RunCli) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    export = playbook.parent / "groups.xlsx"
    export.write_bytes(buffer.getvalue())
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    assert code == 1
    assert err.splitlines()[0].startswith(f"{export}:1:1: error PB081 not a readable XLSX workbook (")
    assert "Traceback" not in err


def test_fifo_and_folder_and_missing_file_are_refused(playbook: Path, run_cli: RunCli,
                                                      tmp_path: Path) -> None:
    fifo = tmp_path / "groups.csv"
    os.mkfifo(fifo)  # opening it for reading would block: it must never be opened
    for path, why in ((fifo, "it is a FIFO, not a regular file"),
                      (tmp_path, "it is a folder, not a regular file"),
                      (tmp_path / "none.csv", "the file does not exist")):
        code, _, err = run_cli("roster", "import", path, "--root", playbook)
        assert code == 1
        assert err.splitlines()[0] == f"{path}:1:1: error PB080 {why}"
    assert _roster(playbook) == ROSTER


def test_a_file_past_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 101)
    with pytest.raises(Refused) as refused:
        read_user_file(big, "big.csv", limit=100)
    assert str(refused.value.diagnostic) == "big.csv:1:1: error PB080 the file is larger than 0 MB"
    assert read_user_file(big, "big.csv", limit=101) == b"x" * 101


def test_a_failed_write_leaves_roster_byte_identical(playbook: Path, run_cli: RunCli,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    export = _csv(playbook, HEADER + GOOD_ROWS)

    def refuse(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    code, _, err = run_cli("roster", "import", export, "--root", playbook, "--type", "middle-official")
    assert code == 2
    assert err == "playbook: error: [Errno 28] No space left on device\n"
    assert _roster(playbook) == ROSTER
    assert sorted(p.name for p in playbook.iterdir()) == ["playbook.yaml", "roster.yaml"]


def test_a_playbook_without_roster_gets_one(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK})
    export = _csv(root, HEADER + GOOD_ROWS)
    code, _, err = run_cli("roster", "import", export, "--root", root, "--type", "middle-official")
    assert (code, err) == (0, "")
    text = _roster(root)
    assert text.endswith(f"groups:\n  - id: g-ba5012a1\n    name: 华东1群\n    chat_id: {CHAT_EAST}\n"
                         "    type: middle-official\n    operator: zhou-ning\n    opened: 2026-10-22\n"
                         "    size: 301\n"
                         f"  - id: g-9ab2d9b3\n    name: 华东2群\n    chat_id: {CHAT_NEW}\n"
                         "    type: middle-official\n    operator: lin-xiao\n    opened: 2026-11-30\n"
                         "    size: 12\n")
    assert run_cli("validate", root)[0] == 0


def test_groups_inline_in_playbook_yaml_are_not_imported_into(make_playbook: MakePlaybook,
                                                               run_cli: RunCli) -> None:
    inline = PLAYBOOK + "groups:\n  - id: a\n    name: A\n    type: middle-official\n" \
                        "    operator: lin-xiao\n    opened: 2026-10-01\n"
    root = make_playbook({"playbook.yaml": inline})
    export = _csv(root, HEADER + GOOD_ROWS)
    code, _, err = run_cli("roster", "import", export, "--root", root)
    assert code == 2
    assert err == ("playbook: error: playbook.yaml lists the groups inline; move them to roster.yaml "
                   "(kind: Roster) first, then import into it\n")


def test_new_fields_classes_and_tags_are_written_as_yaml_values(playbook: Path, run_cli: RunCli) -> None:
    export = _csv(playbook, "name,id,type,operator,opened,tags,classes,fields.city,robot\n"
                            "VIP福利群A,,middle-official,lin-xiao,2026-11-01,\"母婴，试点\",region:east,"
                            "广州,小助手\n"
                            "\"yes\",yes-group,middle-official,lin-xiao,2026-11-01,,,,\n")
    code, _, err = run_cli("roster", "import", export, "--root", playbook)
    assert (code, err) == (0, "")
    text = _roster(playbook)
    assert ("  - id: vip-a\n    name: VIP福利群A\n    type: middle-official\n    operator: lin-xiao\n"
            "    opened: 2026-11-01\n    robot: 小助手\n    tags: [母婴, 试点]\n"
            "    classes: ['region:east']\n"
            "    fields:\n      city: 广州\n"
            "  - id: yes-group\n    name: 'yes'\n") in text
    document = YAML(typ="safe").load(text)
    assert document["groups"][2]["fields"] == {"city": "广州"}
    assert document["groups"][3]["name"] == "yes"


def test_generated_ids_are_stable_and_unique() -> None:
    assert new_id("VIP福利群A", None, set()) == "vip-a"
    assert new_id("VIP福利群A", None, {"vip-a", "vip-a-2"}) == "vip-a-3"
    assert new_id("华东2群", CHAT_NEW, set()) == "g-9ab2d9b3"  # sha256 of the chat_id
    assert new_id("华东2群", None, set()) == new_id("华东2群", None, set()) != "g-9ab2d9b3"


def test_a_crlf_roster_with_bom_keeps_both(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": PLAYBOOK,
                          "roster.yaml": ("\ufeff" + ROSTER).replace("\n", "\r\n").encode("utf-8")})
    export = _csv(root, HEADER + GOOD_ROWS)
    assert run_cli("roster", "import", export, "--root", root, "--type", "middle-official")[0] == 0
    assert (root / "roster.yaml").read_bytes() == ("\ufeff" + MERGED).replace("\n", "\r\n").encode("utf-8")


GROUPS_AS_DATA = valid_playbook_yaml("""\
classification:
  dimensions:
    - id: region
      name: 区域
      values:
        - id: east
          name: 华东
        - id: south
          name: 华南
group_fields:
  - id: city
    name: 城市
  - id: wave
    name: 批次
    type: number
operators:
  - id: lin-xiao
    name: 林晓
    wecom_userid: LinXiao
""")


def test_imported_fields_classes_tags_and_userid_owners_validate(make_playbook: MakePlaybook,
                                                                 run_cli: RunCli) -> None:
    root = make_playbook({"playbook.yaml": GROUPS_AS_DATA})
    export = _csv(root, "群名称,群主,群ID,创建时间,classes,tags,fields.city,fields.wave\n"
                        f"华东1群,LinXiao,{CHAT_EAST},2026-10-22,region:east,\"母婴、试点\",杭州,2\n")
    code, _, err = run_cli("roster", "import", export, "--root", root, "--type", "middle-official")
    assert (code, err) == (0, "")
    assert _roster(root).endswith(
        f"groups:\n  - id: g-ba5012a1\n    name: 华东1群\n    chat_id: {CHAT_EAST}\n"
        "    type: middle-official\n    operator: lin-xiao\n    opened: 2026-10-22\n"
        "    tags: [母婴, 试点]\n    classes: ['region:east']\n"
        "    fields:\n      city: 杭州\n      wave: 2\n")
    code, out, _ = run_cli("validate", root)
    assert (code, out) == (0, "playbook.yaml:10:9: warning PB115 role 'official' is never used\n"  # no script
                              "Found 1 warning in 2 files checked.\n")
