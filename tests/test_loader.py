"""What the loader accepts and how it reads values and positions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
import yaml

from conftest import MakePlaybook, RunCli, document_header, valid_playbook_yaml
from playbook import loader
from playbook.diagnostics import Diagnostic
from playbook.loader import MAX_FILE_BYTES, load_text, load_tree
from playbook.source import Span
from playbook.validate import Validated, validate_tree

RULES = document_header("GroupRules")
BOM = b"\xef\xbb\xbf"


def validate(root: Path) -> Validated:
    return validate_tree(load_tree(root))


def where(diagnostics: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    return sorted((d.code, d.span.path, d.span.line, d.span.col) for d in diagnostics)


# --- encodings and line endings ----------------------------------------------------------


def test_utf8_bom_and_crlf_line_endings_load_cleanly(make_playbook: MakePlaybook) -> None:
    raw = BOM + valid_playbook_yaml().replace("\n", "\r\n").encode("utf-8")
    result = validate(make_playbook({"playbook.yaml": raw}))
    assert result.diagnostics == []
    assert result.project is not None
    assert result.project.playbook.api_version == "playbook/v1"  # the first key is not '\ufeffapiVersion'
    assert result.project.playbook.title == "示例手册"  # no stray '\r'


def test_crlf_file_reports_lines_counted_once_per_crlf(make_playbook: MakePlaybook) -> None:
    rules = (RULES + "forbiden: []\n").replace("\n", "\r\n")  # line 7
    result = validate(make_playbook({"rules/base.yaml": rules}))
    assert where(result.diagnostics) == [("PB020", "rules/base.yaml", 7, 1)]


def test_bom_does_not_shift_columns_on_the_first_line(make_playbook: MakePlaybook) -> None:
    rules = RULES.replace("playbook/v1", "playbook/v2")  # line 1, value at column 13
    result = validate(make_playbook({"rules/base.yaml": BOM + rules.encode("utf-8")}))
    assert where(result.diagnostics) == [("PB013", "rules/base.yaml", 1, 13)]


def test_file_of_exactly_the_size_limit_is_accepted(make_playbook: MakePlaybook) -> None:
    padding = MAX_FILE_BYTES - len(RULES.encode()) - 1
    rules = RULES + "#" * padding + "\n"
    assert len(rules.encode()) == MAX_FILE_BYTES
    assert validate(make_playbook({"rules/base.yaml": rules})).diagnostics == []


# --- scalars -----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "loaded"), [
    ("09:00", "09:00"),
    ("9:30", "9:30"),  # YAML 1.1 would read 570 (base 60)
    ("25:00", "25:00"),
    ("2026-11-22", "2026-11-22"),  # not a datetime.date
    ("2026-11-22 10:00", "2026-11-22 10:00"),
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("off", "off"),
    ("true", True),
    ("false", False),
    ("0755", "0755"),  # a code, not the octal number 493
    ("021", "021"),
    ("42", 42),
    ("1.5", 1.5),
    ("~", None),
])
def test_scalar_is_read_as_written(written: str, loaded: Any) -> None:
    data = load_text(f"value: {written}\n", "x.yaml", "GroupRules").data
    assert data == {"value": loaded}
    assert type(data["value"]) is type(loaded)



# YAML 1.2 core schema (what yaml-language-server and check-jsonschema read); the comment
# says what PyYAML's YAML 1.1 resolver would have made of it.
@pytest.mark.parametrize(("written", "loaded"), [
    ("1_000", "1_000"),  # 1.1: the integer 1000
    ("0b101", "0b101"),  # 1.1: the integer 5
    ("1e3", 1000.0),  # 1.1: text (an exponent needed a dot and a sign)
    ("6.02e+23", 6.02e23),
    ("-2E-2", -0.02),
    (".5", 0.5),
    ("5.", 5.0),
    ("0o17", 15),  # 1.1: text
    ("0x1F", 31),
    ("0x1f", 31),
    ("+12", 12),
    ("-0", 0),
    ("True", True),
    ("TRUE", True),
    ("False", False),
    ("FALSE", False),
    ("tRUE", "tRUE"),
    ("Yes", "Yes"),  # 1.1: true
    ("ON", "ON"),
    ("y", "y"),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("", None),
    ("nULL", "nULL"),
    ("1:30:00", "1:30:00"),  # 1.1: 5400 (base 60)
    ("2026-01-05", "2026-01-05"),  # 1.1: a date; the core schema has no timestamps
    ("2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z"),
    ("=", "="),  # 1.1: the value key
    ("0o8", "0o8"),
    ("+0x1F", "+0x1F"),
    ("1__0", "1__0"),
])
def test_plain_scalars_follow_the_yaml_1_2_core_schema(written: str, loaded: Any) -> None:
    data = load_text(f"value: {written}\n", "x.yaml", "GroupRules").data
    assert data == {"value": loaded}
    assert type(data["value"]) is type(loaded)


@pytest.mark.parametrize(("written", "sign"), [
    (".inf", 1), ("+.Inf", 1), (".INF", 1), ("-.inf", -1), ("-.INF", -1)])
def test_infinity_is_a_float(written: str, sign: int) -> None:
    data = load_text(f"value: {written}\n", "x.yaml", "GroupRules").data
    assert data == {"value": sign * float("inf")}


@pytest.mark.parametrize("written", [".nan", ".NaN", ".NAN"])
def test_nan_is_a_float(written: str) -> None:
    data = load_text(f"value: {written}\n", "x.yaml", "GroupRules").data
    assert data is not None and isinstance(data["value"], float) and data["value"] != data["value"]


@pytest.mark.parametrize("written", ["'1e3'", '"0o17"', "'true'", "'~'"])
def test_quoted_or_non_specific_scalars_stay_text(written: str) -> None:
    data = load_text(f"value: {written}\n", "x.yaml", "GroupRules").data
    assert data is not None and data["value"] == written.strip("'\"! ")


def test_the_core_schema_applies_to_files_with_anchors_too() -> None:
    # an anchor sends the file through the position-recording builder, not the fast path
    data = load_text("a: &n 1e3\nb: *n\nc: 1_000\nd: 0o17\n", "x.yaml", "GroupRules").data
    assert data == {"a": 1000.0, "b": 1000.0, "c": "1_000", "d": 15}


def test_yes_is_text_so_a_boolean_field_refuses_it(make_playbook: MakePlaybook) -> None:
    playbook = valid_playbook_yaml().replace(
        "  - id: wechat_group\n",
        "  - id: wechat_group\n"
        "    can_mute: yes\n")  # line 9, value at column 15
    [problem] = validate(make_playbook({"playbook.yaml": playbook})).diagnostics
    assert (problem.code, problem.span) == ("PB022", Span("playbook.yaml", 9, 15))
    assert problem.message == "platforms[0].can_mute should be true or false, not the text 'yes'"


def test_9_30_reaches_the_model_as_text(make_playbook: MakePlaybook) -> None:
    calendar = document_header("ActivityCalendar", "daily") + dedent("""\
        valid: {start: 2026-01-01}
        daily:
          - id: morning
            at: 9:30                # line 10
            name: 早安
            sender: official
    """)
    [problem] = validate(make_playbook({"calendars/daily.yaml": calendar})).diagnostics
    assert (problem.code, problem.span) == ("PB024", Span("calendars/daily.yaml", 10, 9))
    assert "'9:30' is not a clock time" in problem.message


def test_dates_and_clock_times_become_values_only_in_the_model(make_playbook: MakePlaybook) -> None:
    playbook = valid_playbook_yaml(dedent("""\
        settings:
          quiet_hours: {start: 22:30, end: 07:00}
        operators: [{id: amy, name: Amy}]
        groups:
          - {id: sh-01, name: 上海福利1群, type: middle-official, operator: amy, opened: 2026-11-22}
    """))
    result = validate(make_playbook({"playbook.yaml": playbook}))
    assert result.diagnostics == []
    assert result.project is not None
    assert result.project.playbook.settings.quiet_hours.start == "22:30"
    assert result.project.groups["sh-01"].opened == dt.date(2026, 11, 22)


# --- anchors and aliases ------------------------------------------------------------------


def test_a_plain_alias_is_expanded() -> None:
    data = load_text("days: &d [mon, thu]\nagain: *d\n", "x.yaml", "GroupRules").data
    assert data == {"days": ["mon", "thu"], "again": ["mon", "thu"]}


def test_a_few_aliases_of_a_larger_mapping_are_within_the_alias_limit() -> None:
    # Five alias uses (far below MAX_ALIASES = 100) expanding to ~130 values (far below MAX_NODES).
    keys = ", ".join(f"k{i:02}: v" for i in range(20))
    text = f"base: &base {{{keys}}}\ncopies: [*base, *base, *base, *base, *base]\n"
    loaded = load_text(text, "x.yaml", "GroupRules")
    assert loaded.diagnostics == []
    assert loaded.data is not None
    assert len(loaded.data["copies"]) == 5


@pytest.mark.parametrize(("text", "fast"), [
    ("title: Q&A 答疑\nnote: R&D, a&b, 你 & 我\n", True),  # `&` in words or alone: no anchor
    ("title: &t Q&A\nagain: *t\n", False),  # a real anchor next to a word with `&`
    ("items:\n- &i {a: 1}\n- *i\n", False),
    ("flow: [&x 1, *x]\n", False),
    ("flow: {a: &x [1], b: *x}\n", False),
])
def test_ampersands_in_words_load_as_anchors_do(text: str, fast: bool) -> None:
    loaded = load_text(text, "x.yaml", "GroupRules")
    assert loaded.diagnostics == []
    assert loaded.data == yaml.load(text, Loader=yaml.CSafeLoader)  # the same values as PyYAML
    assert (loaded.source.locate is not None) is fast  # positions deferred only on the fast path
    first = text.split(":")[0]
    assert loaded.source.key(f"/{first}") == Span("x.yaml", 1, 1)


def test_the_fast_path_never_expands_a_shared_node() -> None:
    # an alias the anchor test did not see must still go to the builder, which bounds aliases
    node = yaml.compose("a: &x [1, 2]\nb: *x\n", Loader=yaml.CSafeLoader)
    with pytest.raises(loader._Unusual):
        loader._plain(node, 0, set())
    assert loader._plain(yaml.compose("a: [1, 2]\n", Loader=yaml.CSafeLoader), 0, set()) == {"a": [1, 2]}


def test_billion_laughs_next_to_q_and_a_is_still_refused() -> None:
    laughs = "note: Q&A\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
    loaded = load_text(laughs, "x.yaml", "GroupRules")
    assert loaded.data is None and [d.code for d in loaded.diagnostics] == ["PB004"]


# --- positions ---------------------------------------------------------------------------


def test_columns_count_characters_after_chinese_text_on_a_flow_line(make_playbook: MakePlaybook) -> None:
    rules = RULES + dedent("""\
        forbidden:
          - {text: 不发广告链接, detect: [lnk], id: no-ads}
          - {text: 不发广告链接, idd: no-ads}
    """)  # lines 7-9; on lines 8 and 9 `{` is column 5 and each Chinese character one column
    result = validate(make_playbook({"rules/base.yaml": rules}))
    assert where(result.diagnostics) == [
        ("PB020", "rules/base.yaml", 9, 20),  # the key `idd`, after six Chinese characters
        ("PB021", "rules/base.yaml", 9, 5),  # `id` missing from the mapping that starts at `{`
        ("PB023", "rules/base.yaml", 8, 29),  # the value `lnk`
    ]


def test_syntax_error_column_counts_characters() -> None:
    [problem] = load_text("title: 中文标题: 不行\n", "x.yaml", "GroupRules").diagnostics
    assert (problem.code, problem.span) == ("PB001", Span("x.yaml", 1, 12))


def test_source_map_holds_keys_and_values_apart() -> None:
    text = dedent("""\
        escalation:
          - action: mute
            after: twice
    """)
    source = load_text(text, "x.yaml", "GroupRules").source
    assert source.key("/escalation/0/after") == Span("x.yaml", 3, 5)
    assert source.value("/escalation/0/after") == Span("x.yaml", 3, 12)
    assert source.value("/escalation/0") == Span("x.yaml", 2, 5)
    assert source.value("/escalation/0/enforcer") == Span("x.yaml", 2, 5)  # nearest existing ancestor
    assert source.key("/escalation") == Span("x.yaml", 1, 1)


def test_unknown_key_points_at_the_key_and_wrong_value_at_the_value(make_playbook: MakePlaybook) -> None:
    rules = RULES + dedent("""\
        escalation:                 # line 7
          - action: mute
            after: twice            # line 9: value at column 12
            enforcer: official
            durtion: 10m            # line 11: key at column 5
    """)
    result = validate(make_playbook({"rules/base.yaml": rules}))
    assert where(result.diagnostics) == [
        ("PB020", "rules/base.yaml", 11, 5),
        ("PB022", "rules/base.yaml", 9, 12),
    ]


@pytest.mark.parametrize(("char", "code"), [("\x00", 0x0), ("\x1b", 0x1B), ("\ufffe", 0xFFFE),
                                            ("\x80", 0x80)])
def test_a_forbidden_character_even_in_a_comment_is_pb001_at_its_position(
        make_playbook: MakePlaybook, run_cli: RunCli, char: str, code: int) -> None:
    rules = RULES + f"# 注释里也不行 {char} here\n"
    line = rules.count("\n")
    root = make_playbook({"rules/base.yaml": rules})
    exit_code, out, err = run_cli("validate", root)
    assert exit_code == 1 and not err
    assert out.splitlines()[0] == (
        f"rules/base.yaml:{line}:10: error PB001 character U+{code:04X} is not allowed in YAML "
        "(control characters and noncharacters cannot appear in a playbook file, not even in a comment)")


def test_a_number_with_thousands_of_digits_is_pb030_not_a_traceback(
        make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    rules = RULES + "note: " + "9" * 5000 + "\n"
    root = make_playbook({"rules/base.yaml": rules})
    exit_code, out, err = run_cli("validate", root)
    assert exit_code == 1 and not err
    assert out.splitlines()[:2] == [
        f"rules/base.yaml:{rules.count(chr(10))}:7: error PB030 a number of 5000 characters is too long "
        "(at most 100)",
        "  help: quote it if it is text, e.g. an id or a code"]


# --- hints for YAML syntax traps ----------------------------------------------------------


@pytest.mark.parametrize(("text", "expected", "hint"), [
    ("a: 1\ntext: 注意: 今日到货\n",
     "x.yaml:2:9: error PB001 mapping values are not allowed in this context",
     'quote the value: text: "注意: 今日到货"'),
    ("items:\n  - text: 注意: 今日到货\n",
     "x.yaml:2:13: error PB001 mapping values are not allowed in this context",
     'quote the value: - text: "注意: 今日到货"'),
    ('text: 说"明": 今日\n',
     "x.yaml:1:11: error PB001 mapping values are not allowed in this context",
     'quote the value: text: "说\\"明\\": 今日"'),
    ("a: 1\ntext: {{ group.name }} 今日到货\nb: 2\n",
     "x.yaml:2:24: error PB001 did not find expected key (while parsing a block mapping)",
     'a value starting with {{ must be quoted: text: "{{ group.name }} 今日到货"'),
    ("a:\n  - {{ group.name }} 早安\n  - b\n",
     "x.yaml:2:22: error PB001 did not find expected '-' indicator (while parsing a block collection)",
     'a value starting with {{ must be quoted: - "{{ group.name }} 早安"'),
    ("a:\n\tb: 1\n",
     "x.yaml:2:1: error PB001 found character that cannot start any token "
     "(while scanning for the next token)",
     "indent with spaces, not tabs"),
    ("a:\n  b: 1\n\tc: 2\n",
     "x.yaml:3:1: error PB001 found a tab character that violates indentation "
     "(while scanning a plain scalar)",
     "indent with spaces, not tabs"),
    ("a: b\n \tc: d\n",
     "x.yaml:2:4: error PB001 mapping values are not allowed in this context",
     "indent with spaces, not tabs"),
    ('a: "x" y: z\n',  # not one of the traps: no guess
     "x.yaml:1:8: error PB001 did not find expected key (while parsing a block mapping)", None),
])
def test_syntax_error_help_names_the_trap(text: str, expected: str, hint: str | None) -> None:
    [problem] = load_text(text, "x.yaml", "GroupRules").diagnostics
    assert (str(problem), problem.help) == (expected, hint)


def test_a_lone_placeholder_value_is_a_mapping_key_and_gets_the_quote_hint() -> None:
    # `text: {{ name }}` is valid YAML: a mapping whose key is the mapping {name: null}
    [problem] = load_text("a: 1\ntext: {{ name }}\n", "x.yaml", "GroupRules").diagnostics
    assert str(problem) == "x.yaml:2:8: error PB016 a mapping key must be a plain string"
    assert problem.help == 'a value starting with {{ must be quoted: text: "{{ name }}"'
