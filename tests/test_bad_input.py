"""Every kind of bad input gets one exact diagnostic: code, file, line, column, message.

Each test writes one broken file beside a valid playbook.yaml and runs `playbook validate`
in-process. Documents built with `document_header()` have six header lines, so a test's own
YAML starts on line 7; the `# line N` comments in the YAML say where each line lands.
Columns are 1-based and counted in characters.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from conftest import MakePlaybook, RunCli, document_header, valid_playbook_yaml
from playbook import loader
from playbook.loader import MAX_FILE_BYTES, load_text, load_tree
from playbook.validate import validate_tree

RULES = document_header("GroupRules")
CALENDAR = document_header("ActivityCalendar", "daily") + dedent("""\
    valid:                      # line 7
      start: 2026-01-01         # line 8
""")
ROSTER_OPENED_FEB_30 = document_header("Roster", "roster") + dedent("""\
    groups:                     # line 7
      - id: sh-01
        name: 上海福利1群
        type: middle-official
        operator: amy
        opened: 2026-02-30      # line 12
""")
Where = tuple[str, str, int, int]


def report(run_cli: RunCli, root: Path) -> list[dict[str, Any]]:
    """Validate `root` in JSON and in text; no traceback, exit 1, each finding on a text line."""
    code, out, err = run_cli("validate", root, "--format", "json")
    assert "Traceback" not in out + err
    assert code == 1, out + err
    found: list[dict[str, Any]] = json.loads(out)["diagnostics"]

    code, text, err = run_cli("validate", root, "--format", "text")
    assert "Traceback" not in text + err
    assert code == 1
    lines = text.splitlines()
    shown = [f"{d['path']}:{d['line']}:{d['col']}: {d['severity']} {d['code']} {d['message']}" for d in found]
    assert [line for line in lines if line in shown] == shown  # every one, in the same order
    assert lines[-1].startswith(f"Found {len(found)} error")
    return found


def where(found: list[dict[str, Any]]) -> list[Where]:
    return [(d["code"], d["path"], d["line"], d["col"]) for d in found]


def only(found: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(found) == 1, found
    return found[0]


# --- YAML level -------------------------------------------------------------------------


def test_yaml_syntax_error_is_pb001_at_the_offending_colon(make_playbook: MakePlaybook,
                                                            run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES + "description: 规则: 基础\n"})  # line 7
    found = report(run_cli, root)
    assert where(found) == [("PB001", "rules/base.yaml", 7, 16)]
    assert "mapping values are not allowed" in only(found)["message"]


def test_duplicate_key_is_pb002_with_a_note_at_the_first(make_playbook: MakePlaybook,
                                                         run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES + "title: 又一个标题\n"})  # title is line 5, again line 7
    found = report(run_cli, root)
    assert where(found) == [("PB002", "rules/base.yaml", 7, 1)]
    assert only(found)["message"] == "duplicate key 'title'"
    assert only(found)["related"] == [
        {"path": "rules/base.yaml", "line": 5, "col": 1, "message": "'title' first defined here"}]
    _, text, _ = run_cli("validate", root, "--format", "text")
    assert "  rules/base.yaml:5:1: note: 'title' first defined here" in text.splitlines()


def test_python_tag_is_pb003_and_never_executed(make_playbook: MakePlaybook, run_cli: RunCli,
                                                tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f'description: !!python/object/apply:os.system ["touch {marker}"]\n'  # line 7
    root = make_playbook({"rules/base.yaml": RULES + payload})
    found = report(run_cli, root)
    assert where(found) == [("PB003", "rules/base.yaml", 7, 14)]
    assert "'!!python/object/apply:os.system' is not allowed" in only(found)["message"]
    assert not marker.exists()


def test_local_tag_is_pb003_too(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES + "description: !include intro.md\n"})
    assert where(report(run_cli, root)) == [("PB003", "rules/base.yaml", 7, 14)]


def billion_laughs() -> str:
    """Nine levels of nine aliases: 9**9 (~387 million) strings if it were expanded."""
    lines = ["lol: &a [x, x, x, x, x, x, x, x, x]"]  # line 7
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return RULES + "\n".join(lines) + "\n"


def test_alias_bomb_is_pb004_and_not_expanded(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": billion_laughs()})
    found = report(run_cli, root)
    # Every use of an alias counts, nested ones included, so the budget of 100 runs out
    # while expanding the `c` list; the finding points at the anchored value being
    # re-used then: the `&b` list on line 8.
    assert where(found) == [("PB004", "rules/base.yaml", 8, 4)]
    assert "alias" in only(found)["message"]


def test_alias_bomb_stops_before_expanding_in_the_loader() -> None:
    loaded = load_text(billion_laughs(), "rules/base.yaml", "GroupRules")
    assert loaded.data is None
    assert len(loaded.source.values) < 1_000


def test_alias_bomb_is_bounded_by_node_count_even_without_the_alias_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_ALIASES", 10**9)
    loaded = load_text(billion_laughs(), "rules/base.yaml", "GroupRules")
    assert loaded.data is None
    [problem] = loaded.diagnostics
    assert problem.code == "PB004"
    assert f"past {loader.MAX_NODES} values" in problem.message


def test_recursive_alias_is_pb004(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES + dedent("""\
        description: &loop          # line 7
          - *loop                   # line 8
    """)
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB004", "rules/base.yaml", 7, 14)]
    assert "recursive alias" in only(found)["message"]


def test_file_over_the_size_limit_is_pb005(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    big = RULES + "#" * (MAX_FILE_BYTES - len(RULES.encode()) - 1) + "\n\n"  # one byte too many
    assert len(big.encode()) == MAX_FILE_BYTES + 1
    found = report(run_cli, make_playbook({"rules/base.yaml": big}))
    assert where(found) == [("PB005", "rules/base.yaml", 1, 1)]
    assert "larger than 1024 KiB" in only(found)["message"]


def test_gbk_file_is_pb006_at_the_first_bad_byte(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    raw = RULES.encode("utf-8") + "description: 中文说明\n".encode("gbk")  # line 7
    found = report(run_cli, make_playbook({"rules/base.yaml": raw}))
    assert where(found) == [("PB006", "rules/base.yaml", 7, 14)]
    assert "not UTF-8" in only(found)["message"]
    assert "GBK" in only(found)["message"]


@pytest.mark.parametrize("content", ["", "# 规则待补充\n# TODO: 周一前写完\n"],
                         ids=["empty", "comments-only"])
def test_empty_or_comments_only_file_is_pb007(make_playbook: MakePlaybook, run_cli: RunCli,
                                              content: str) -> None:
    found = report(run_cli, make_playbook({"rules/base.yaml": content}))
    assert where(found) == [("PB007", "rules/base.yaml", 1, 1)]
    assert only(found)["message"] == "file is empty"


@pytest.mark.parametrize("content", ["---\n", "~\n", "null\n", "# 待补充\n---\n"],
                         ids=["bare-marker", "tilde", "null", "comment-and-marker"])
def test_null_document_is_reported_not_silently_skipped(make_playbook: MakePlaybook, run_cli: RunCli,
                                                        content: str) -> None:
    found = report(run_cli, make_playbook({"rules/base.yaml": content}))
    assert [d["path"] for d in found] == ["rules/base.yaml"]
    assert only(found)["code"] in ("PB007", "PB010")


def test_two_documents_in_one_file_is_pb008(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES + dedent("""\
        ---
        id: other
    """)  # `---` is line 7; the second document's first node is line 8
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB008", "rules/base.yaml", 8, 1)]
    assert "second YAML document" in only(found)["message"]


def test_merge_key_is_pb009_and_its_item_is_not_reported_again(make_playbook: MakePlaybook,
                                                               run_cli: RunCli) -> None:
    rules = RULES + dedent("""\
        forbidden:                  # line 7
          - &ad                     # line 8
            id: no-ads              # line 9
            text: 不发广告           # line 10
          - <<: *ad                 # line 11
            id: no-links            # line 12
    """)
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB009", "rules/base.yaml", 11, 5)]
    assert "merge key '<<'" in only(found)["message"]


def test_top_level_list_is_pb010(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = dedent("""\
        - apiVersion: playbook/v1
        - kind: GroupRules
    """)
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB010", "rules/base.yaml", 1, 1)]
    assert "must be a mapping" in only(found)["message"]


# --- document header ---------------------------------------------------------------------


def test_missing_kind_is_pb012_with_the_expected_kind_as_help(make_playbook: MakePlaybook,
                                                              run_cli: RunCli) -> None:
    rules = RULES.replace("kind: GroupRules\n", "")
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB012", "rules/base.yaml", 1, 1)]
    assert only(found)["message"] == "missing required key 'kind'"
    assert only(found)["help"] == "this file should say `kind: GroupRules`"


def test_unknown_api_version_is_pb013_at_the_value(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES.replace("apiVersion: playbook/v1", "apiVersion: playbook/v2")  # line 1
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB013", "rules/base.yaml", 1, 13)]
    assert only(found)["message"] == "unknown apiVersion 'playbook/v2'"


def test_unknown_kind_is_pb014_with_a_suggestion(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES.replace("kind: GroupRules", "kind: GroupRule")  # line 2
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB014", "rules/base.yaml", 2, 7)]
    assert only(found)["message"] == "unknown kind 'GroupRule'"
    assert only(found)["help"] == "did you mean 'GroupRules'?"


def test_kind_in_another_kinds_folder_is_pb015(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    found = report(run_cli, make_playbook({"scripts/base.yaml": RULES}))
    assert where(found) == [("PB015", "scripts/base.yaml", 2, 7)]
    assert "a GroupRules document cannot live at scripts/base.yaml" in only(found)["message"]


# --- schema ------------------------------------------------------------------------------


def test_unknown_key_is_pb020_at_the_key_with_did_you_mean(make_playbook: MakePlaybook,
                                                           run_cli: RunCli) -> None:
    found = report(run_cli, make_playbook({"rules/base.yaml": RULES + "forbiden: []\n"}))  # line 7
    assert where(found) == [("PB020", "rules/base.yaml", 7, 1)]
    assert only(found)["message"] == "unknown key 'forbiden'"
    assert only(found)["help"] == "did you mean 'forbidden'?"


def test_missing_required_key_is_pb021_at_its_mapping(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES + dedent("""\
        escalation:                 # line 7
          - action: mute            # line 8: the item's mapping starts at column 5
            after: 2                # line 9
    """)
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB021", "rules/base.yaml", 8, 5)]
    assert only(found)["message"] == "missing required key 'enforcer'"


def test_wrong_type_is_pb022_at_the_value(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    found = report(run_cli, make_playbook({"rules/base.yaml": RULES + "forbidden: no-ads\n"}))  # line 7
    assert where(found) == [("PB022", "rules/base.yaml", 7, 12)]
    assert only(found)["message"] == "forbidden should be a list, not the text 'no-ads'"


def test_bad_choice_is_pb023_with_a_suggestion(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES + dedent("""\
        escalation:                 # line 7
          - action: warnig          # line 8
            after: 1
            enforcer: official
    """)
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB023", "rules/base.yaml", 8, 13)]
    assert "'warnig' is not one of: reminder, warning, mute, removal" in only(found)["message"]
    assert only(found)["help"] == "did you mean 'warning'?"


def test_25_00_is_pb024_not_a_clock_time(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    calendar = CALENDAR + dedent("""\
        daily:                      # line 9
          - id: morning             # line 10
            at: 25:00               # line 11
            name: 早安
            sender: official
    """)
    found = report(run_cli, make_playbook({"calendars/daily.yaml": calendar}))
    assert where(found) == [("PB024", "calendars/daily.yaml", 11, 9)]
    assert only(found)["message"].startswith("daily[0].at: '25:00' is not a clock time")


def test_february_30_is_pb025_not_a_date(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    found = report(run_cli, make_playbook({"roster.yaml": ROSTER_OPENED_FEB_30}))
    assert where(found) == [("PB025", "roster.yaml", 12, 13)]
    assert only(found)["message"].startswith("groups[0].opened: '2026-02-30' is not a calendar date")


def test_misspelt_time_zone_is_pb026(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    calendar = CALENDAR + "time_zone: Asia/Shangai\n"  # line 9
    found = report(run_cli, make_playbook({"calendars/daily.yaml": calendar}))
    assert where(found) == [("PB026", "calendars/daily.yaml", 9, 12)]
    assert "'Asia/Shangai' is not an IANA time zone" in only(found)["message"]


def test_bad_offset_is_pb027(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    script = document_header("OnboardingScript", "join") + dedent("""\
        trigger: {kind: on_join}    # line 7
        steps:
          - id: welcome
            name: 欢迎
            at: +30min              # line 11
            channel: group_message
            sender: official
            text: 欢迎加入
    """)
    found = report(run_cli, make_playbook({"scripts/join.yaml": script}))
    assert where(found) == [("PB027", "scripts/join.yaml", 11, 9)]
    assert "'+30min' is not an offset" in only(found)["message"]


def test_bad_rrule_is_pb028(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    calendar = CALENDAR + dedent("""\
        daily:                      # line 9
          - id: morning
            at: 09:00
            name: 早安
            sender: official
            repeat: FREQ=HOURLY     # line 14
    """)
    found = report(run_cli, make_playbook({"calendars/daily.yaml": calendar}))
    assert where(found) == [("PB028", "calendars/daily.yaml", 14, 13)]
    assert "needs FREQ=DAILY, WEEKLY or MONTHLY" in only(found)["message"]


@pytest.mark.parametrize("version", ["1.2", "1.0.0-01", "1.0.0-rc.01"])
def test_non_semver_version_is_pb029(version: str, make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    # a numeric pre-release identifier with a leading zero is not SemVer (the `semver` library
    # and PB801's comparison refuse it too)
    rules = RULES.replace("version: 1.0.0", f"version: {version}")  # line 4
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert where(found) == [("PB029", "rules/base.yaml", 4, 10)]
    assert f"'{version}' is not a semantic version" in only(found)["message"]


@pytest.mark.parametrize("version", ["1.0.0-0", "1.0.0-rc.1", "1.0.0-0a.1", "1.0.0-x-y+build.01"])
def test_semver_pre_releases_and_build_metadata_are_accepted(version: str, make_playbook: MakePlaybook,
                                                             run_cli: RunCli) -> None:
    rules = RULES.replace("version: 1.0.0", f"version: {version}")
    code, out, err = run_cli("validate", make_playbook({"rules/base.yaml": rules}), "--format", "json")
    assert code == 0, out + err
    assert "PB029" not in [d["code"] for d in json.loads(out)["diagnostics"]]


# --- across files --------------------------------------------------------------------------


def test_duplicate_id_across_files_is_pb031_with_a_note(make_playbook: MakePlaybook,
                                                        run_cli: RunCli) -> None:
    root = make_playbook({"rules/a.yaml": RULES, "rules/b.yaml": RULES})  # both say `id: base` (line 3)
    found = report(run_cli, root)
    assert where(found) == [("PB031", "rules/b.yaml", 3, 5)]
    assert only(found)["message"] == "GroupRules id 'base' is already used by rules/a.yaml"
    assert only(found)["related"] == [
        {"path": "rules/a.yaml", "line": 3, "col": 5, "message": "'base' first defined here"}]


PACK = document_header("MaterialPack", "scarf") + dedent("""\
    materials:                  # line 7
      - id: main-image
        kind: image
        title: 主图
        file: {media}           # line 11: the value starts at column 11
    product: {{name: 羊毛围巾, brand: 某牌, price: 99, sharer_profit: 10}}
    selection:
      fits_buyers: {{met: true}}
      in_season: {{met: true}}
      repurchase: {{met: false}}
      fast_moving: {{met: true}}
      brand_endorsement: {{met: true}}
      margin: {{met: true}}
    pitch:
      selling_points: [暖和]
      brand: 老牌
      endorsement: 明星同款
      sharer_profit: 每单 10 元
      top_reward: 前三名送围巾
      gameplay: 晒单抽奖
    launch: {{at: '2026-12-03 10:00', audience: {{}}}}
    timeline:
      - {{id: launch, phase: launch, at: +0m, sender: official, text: 开抢}}
    review: {{metrics: [{{metric: gmv}}]}}
""")


PACK_PLAYBOOK = valid_playbook_yaml("metrics:\n  - {id: gmv, name: 成交额, unit: CNY}\n")
"""Declares the metric PACK reviews: the pack's other documents are linted in the same run
(issue 18), and an unknown metric (PB109) would stand beside the finding under test."""


def test_pack_fixture_is_valid_with_its_media(make_playbook: MakePlaybook) -> None:
    root = make_playbook({"packs/scarf/pack.yaml": PACK.format(media="images/main.png"),
                          "packs/scarf/images/main.png": b"\x89PNG\r\n"})
    assert validate_tree(load_tree(root)).diagnostics == []


@pytest.mark.parametrize("media", ["../../../etc/passwd", "/etc/passwd"])
def test_media_path_outside_the_root_is_pb032(make_playbook: MakePlaybook, run_cli: RunCli,
                                              media: str) -> None:
    found = report(run_cli, make_playbook({"packs/scarf/pack.yaml": PACK.format(media=media),
                                           "playbook.yaml": PACK_PLAYBOOK}))
    assert where(found) == [("PB032", "packs/scarf/pack.yaml", 11, 11)]
    assert only(found)["message"] == f"media file '{media}' points outside the playbook folder"


def test_missing_media_file_is_pb033(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"packs/scarf/pack.yaml": PACK.format(media="images/main.png"),
                          "playbook.yaml": PACK_PLAYBOOK})
    found = report(run_cli, root)
    assert where(found) == [("PB033", "packs/scarf/pack.yaml", 11, 11)]
    assert only(found)["message"] == (
        "media file 'images/main.png' does not exist (looked for packs/scarf/images/main.png)")


def test_duplicate_item_id_is_pb034_at_the_repeated_id(make_playbook: MakePlaybook,
                                                       run_cli: RunCli) -> None:
    rules = RULES + dedent("""\
        forbidden:                  # line 7
          - id: no-ads              # line 8
            text: 不发广告
          - id: no-ads              # line 10: the repeat; its value starts at column 9
            text: 不发链接
    """)
    found = report(run_cli, make_playbook({"rules/base.yaml": rules}))
    assert "the id 'no-ads' is used twice" in only(found)["message"]
    assert where(found) == [("PB034", "rules/base.yaml", 10, 9)]


# --- many problems at once ---------------------------------------------------------------


def test_every_problem_in_every_file_is_reported_in_one_run_in_file_and_line_order(
        make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({
        "playbook.yaml": valid_playbook_yaml("time_zone: Asia/Shangai\n"),  # line 20
        "rules/base.yaml": RULES + dedent("""\
            forbiden: []                # line 7
            escalation:
              - action: warnig          # line 9
                after: 1
                enforcer: official
        """),
        "calendars/daily.yaml": CALENDAR + dedent("""\
            daily:
              - id: morning
                at: 25:00               # line 11
                name: 早安
                sender: official
        """),
        "scripts/join.yaml": "steps: [a, b\n",  # PB001 at the end of the file, line 2
        "roster.yaml": ROSTER_OPENED_FEB_30,
    })
    found = report(run_cli, root)
    assert where(found) == [
        ("PB024", "calendars/daily.yaml", 11, 9),
        ("PB026", "playbook.yaml", 20, 12),
        ("PB025", "roster.yaml", 12, 13),
        ("PB020", "rules/base.yaml", 7, 1),
        ("PB023", "rules/base.yaml", 9, 13),
        ("PB001", "scripts/join.yaml", 2, 1),
    ]
