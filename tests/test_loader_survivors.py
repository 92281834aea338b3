"""Loader edges left by the loader's third mutation run (issue 19), each written out by hand.

What `load_text` does besides building values: the suppression comments it collects, the file
nested past the composer's limit, the second document, a document that is not a mapping (on
the fast path and on the builder's), and the 100,000-character line between the two paths;
what the builder records besides values: the pointers it poisons, the help of each refusal,
and where the alias, value, depth and number limits fall, exactly. The parser
failures no libyaml input produces today (an error without a mark or a problem, a reader
error without a character, a RecursionError) are injected, so each fallback is seen to give
a diagnostic rather than a traceback.
"""

from __future__ import annotations

from typing import NoReturn

import pytest
import yaml

from playbook import loader
from playbook.loader import LoadedFile, load_text
from playbook.source import SourceMap, Span, Suppression


def load(text: str) -> LoadedFile:
    return load_text(text, "rules/a.yaml", "GroupRules")


def found(loaded: LoadedFile) -> list[tuple[str, str | None]]:
    return [(str(d), d.help) for d in loaded.diagnostics]


def test_suppression_comments_are_collected_with_their_place_codes_and_reason() -> None:
    loaded = load("kind: GroupRules  # playbook: ignore[PB020, pb021] old key\nid: x\n")
    # `#` is the 19th character of line 1; codes are upper-cased, the reason trimmed
    assert loaded.suppressions == [
        Suppression(Span("rules/a.yaml", 1, 19), ("PB020", "PB021"), "old key")]
    assert loaded.data == {"kind": "GroupRules", "id": "x"}


def test_a_file_nested_past_the_composer_limit_is_not_composed() -> None:
    # a mapping holding 901 nested lists: 902 levels, past the 900 the composer is trusted with;
    # the 65th list (the first past 64 levels) opens at column 4 + 64
    loaded = load("x: " + "[" * 901 + "]" * 901 + "\n")
    assert found(loaded) == [
        ("rules/a.yaml:1:68: error PB011 nested more than 64 levels deep (and past 900: the file "
         "was not loaded)", None)]
    assert loaded == LoadedFile("rules/a.yaml", "GroupRules", None, SourceMap("rules/a.yaml"),
                                loaded.diagnostics)


def test_a_second_document_is_reported_where_its_value_starts() -> None:
    loaded = load("id: x\n--- [1, 2]\n")
    assert found(loaded) == [
        ("rules/a.yaml:2:5: error PB008 a second YAML document starts here; one file holds one "
         "document", None)]
    assert loaded.data == {"id": "x"}


@pytest.mark.parametrize("text", [
    "# a list\n  - 1\n  - 2\n",  # no anchor: the fast path
    "# a list\n  - &one 1\n  - *one\n",  # an anchor: the builder
])
def test_a_document_that_is_a_list_is_pb010_where_the_list_starts(text: str) -> None:
    loaded = load(text)
    assert found(loaded) == [
        ("rules/a.yaml:2:3: error PB010 the document must be a mapping of keys to values", None)]
    assert loaded.data is None


def test_the_fast_path_counts_the_values_from_100000_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    # below 100,000 characters a file cannot hold MAX_NODES values, so they are not counted;
    # from there they are, and a file under the limit still takes the fast path (positions
    # deferred: a `locate` is set)
    def padded(size: int) -> str:
        return "a: " + "x" * (size - 4) + "\n"

    counted: list[int] = []
    real = loader._nodes
    monkeypatch.setattr(loader, "_nodes", lambda root: counted.append(real(root)) or counted[-1])
    assert len(padded(100_000)) == 100_000
    assert load(padded(99_999)).source.locate is not None and counted == []
    loaded = load(padded(100_000))
    assert counted == [2] and loaded.source.locate is not None
    assert loaded.data == {"a": "x" * 99_996}


def test_the_fast_path_takes_a_document_63_lists_deep() -> None:
    # the document's mapping is level 0 and the deepest list level 63: below the fast path's 64
    loaded = load("x: " + "[" * 63 + "1" + "]" * 63 + "\n")
    assert loaded.diagnostics == [] and loaded.source.locate is not None
    value: object = loaded.data
    for _ in range(64):
        assert isinstance(value, (dict, list))
        value = value["x"] if isinstance(value, dict) else value[0]
    assert value == 1


def test_a_value_nested_too_deep_is_poisoned_at_its_pointer() -> None:
    loaded = load("x: " + "[" * 66 + "]" * 66 + "\n")
    # the list at level 65 is the 64th inside the first: /x then 64 times /0
    assert loaded.poisoned == {"/x" + "/0" * 64}


def test_a_tag_is_refused_with_its_help_and_its_value_poisoned() -> None:
    loaded = load("kind: GroupRules\nid: !!python/object:os.system x\n")
    assert found(loaded) == [
        ("rules/a.yaml:2:5: error PB003 tag '!!python/object:os.system' is not allowed; it was "
         "not executed",
         "remove the tag: playbooks hold only plain text, numbers, lists and mappings")]
    assert loaded.poisoned == {"/id"}
    assert loaded.data == {"kind": "GroupRules", "id": None}


def test_a_merge_key_is_refused_and_the_keys_after_it_kept() -> None:
    loaded = load("rules:\n  <<: {a: 1}\n  b: 2\n")
    assert found(loaded) == [
        ("rules/a.yaml:2:3: error PB009 merge key '<<' is not supported",
         "write the keys out, or use the document's `extends` field")]
    assert loaded.poisoned == {"/rules"}
    assert loaded.data == {"rules": {"b": 2}}


def test_a_list_as_a_key_is_refused_and_the_keys_after_it_kept() -> None:
    loaded = load("rules:\n  ? [a]\n  : 1\n  b: 2\n")
    assert found(loaded) == [("rules/a.yaml:2:5: error PB016 a mapping key must be a plain string", None)]
    assert loaded.poisoned == {"/rules"}
    assert loaded.data == {"rules": {"b": 2}}


def test_a_duplicate_key_keeps_the_first_value_and_the_keys_after_it() -> None:
    loaded = load("a: 1\na: 2\nb: 3\n")
    assert found(loaded) == [
        ("rules/a.yaml:2:1: error PB002 duplicate key 'a'",
         "keep one of the two; YAML would silently drop the first")]
    assert loaded.data == {"a": 1, "b": 3}


@pytest.mark.parametrize(("written", "value"), [
    ("07", "07"),  # two digits with a leading zero: a code
    ("-012", "-012"),  # the sign is not a digit
    ("+0", 0),
    ("1" * 100, int("1" * 100)),  # exactly the 100 characters allowed
], ids=["07", "-012", "+0", "100-digits"])
def test_numbers_at_the_edges_of_the_integer_rules(written: str, value: object) -> None:
    loaded = load(f"n: {written}\n")
    assert loaded.diagnostics == []
    assert loaded.data == {"n": value}
    assert type(loaded.data["n"]) is type(value)


def test_a_number_of_101_characters_is_refused() -> None:
    loaded = load("n: " + "1" * 101 + "\n")
    assert found(loaded) == [
        ("rules/a.yaml:1:4: error PB030 a number of 101 characters is too long (at most 100)",
         "quote it if it is text, e.g. an id or a code")]


@pytest.fixture
def twelve_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_NODES", 12)  # the limit's arithmetic, on a file one can count


# the root mapping (1), the anchored list and its two items (3), two aliases of it (3 each),
# then a list of one item (2): 12 values; a second item in the last list is the 13th
EXPANDED = "a: &a [x, y]\nb: *a\nc: *a\nd: [z{}]\n"


@pytest.mark.usefixtures("twelve_values")
def test_the_value_limit_counts_each_value_once_per_expansion() -> None:
    assert load(EXPANDED.format("")).data == {"a": ["x", "y"], "b": ["x", "y"], "c": ["x", "y"],
                                              "d": ["z"]}
    loaded = load(EXPANDED.format(", w"))
    assert found(loaded) == [
        ("rules/a.yaml:4:8: error PB004 aliases expand this file past 12 values; write the "
         "content out", None)]
    assert loaded.data is None


@pytest.mark.usefixtures("twelve_values")
def test_a_long_file_without_aliases_is_counted_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file too long to be sure of its count by its length alone (`_PLAIN_LIMIT`) is counted
    before the fast path takes it: at the limit it loads, with its positions found only when
    asked; one value more is refused as the builder refuses it."""
    monkeypatch.setattr(loader, "_PLAIN_LIMIT", 10)
    twelve = "a: [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: 10\n"  # the root, a list of 9, b: 12 values
    loaded = load(twelve)
    assert loaded.data == {"a": list(range(1, 10)), "b": 10} and loaded.diagnostics == []
    assert loaded.source.locate is not None  # deferred: found again from the kept text
    assert loaded.source.value("/b") == Span("rules/a.yaml", 2, 4)
    assert loaded.source.key("/a/8").line == 1 and loaded.source.value("/a/8").col == 29
    loaded = load(twelve + "c: 11\n")
    assert found(loaded) == [
        ("rules/a.yaml:3:4: error PB004 aliases expand this file past 12 values; write the "
         "content out", None)]


def test_equal_texts_are_one_string_once_loaded() -> None:
    """The same text in many places (roles, metric names, a pasted line) is one object in
    memory: a large playbook repeats most of its short texts thousands of times."""
    first, second = (load(f"id: x{n}\nsteps: [{{who: operator}}, {{who: operator}}]\n")
                     for n in (1, 2))
    assert first.data is not None and second.data is not None
    whos = [step["who"] for data in (first.data, second.data) for step in data["steps"]]
    assert whos == ["operator"] * 4 and len({id(w) for w in whos}) == 1
    assert first.data["id"] == "x1" and second.data["id"] == "x2"


# --- parser failures libyaml does not produce today, injected --------------------------------


def _failing(error: BaseException) -> object:
    def compose_all(*args: object, **kwargs: object) -> NoReturn:
        raise error
    return compose_all


def test_a_syntax_error_without_a_mark_or_a_problem_is_pb001_at_the_file_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml, "compose_all", _failing(yaml.MarkedYAMLError()))
    loaded = load("id: x\n")
    assert found(loaded) == [("rules/a.yaml:1:1: error PB001 invalid YAML", None)]
    assert loaded.source == SourceMap("rules/a.yaml")


def test_a_reader_error_without_a_character_gives_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    # libyaml counts bytes: offset 8 follows `id: ` (4), `群` (3) and the line break (1)
    error = yaml.reader.ReaderError("rules/a.yaml", 8, None, "utf-8", "unreadable here")
    monkeypatch.setattr(yaml, "compose_all", _failing(error))
    assert found(load("id: 群\nname: x\n")) == [
        ("rules/a.yaml:2:1: error PB001 unreadable here",
         "delete it; to write a tab or a line break in text, use a quoted string with \\t or \\n")]


def test_a_forbidden_character_says_how_to_write_a_tab_or_a_line_break() -> None:
    assert found(load("id: x\nname: a\x07b\n")) == [
        ("rules/a.yaml:2:8: error PB001 character U+0007 is not allowed in YAML (control characters "
         "and noncharacters cannot appear in a playbook file, not even in a comment)",
         "delete it; to write a tab or a line break in text, use a quoted string with \\t or \\n")]


def test_a_recursion_error_while_composing_is_pb011(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml, "compose_all", _failing(RecursionError()))
    loaded = load("id: x\n")
    assert found(loaded) == [("rules/a.yaml:1:1: error PB011 nesting is too deep to load safely", None)]
    assert (loaded.data, loaded.source) == (None, SourceMap("rules/a.yaml"))


def test_an_offset_inside_a_character_still_gives_a_position() -> None:
    # byte 1 falls inside `群` (three bytes): the partial character counts as one column
    assert loader._position("群x", 1, "a.yaml") == Span("a.yaml", 1, 2)
    assert loader._position("a\n群x", 5, "a.yaml") == Span("a.yaml", 2, 2)


def test_the_alias_limit_counts_each_use_and_names_the_anchored_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_ALIASES", 2)
    assert load("a: &a [x]\nb: *a\nc: *a\n").diagnostics == []  # two uses: at the limit
    loaded = load("a: &a [x]\nb: *a\nc: [*a, *a]\n")
    # an alias is the anchored node itself once composed, so the third use is reported there
    assert found(loaded) == [("rules/a.yaml:1:4: error PB004 more than 2 alias uses in one file", None)]
    assert loaded.data is None
    assert loaded.source.path == "rules/a.yaml"  # the builder's source map names the file too
