"""Spans and the JSON-pointer map, called directly (issue 19).

source.py's mutation run left `SourceMap.key` and `_nearest` with survivors and `pointer()`
without a mapped test (the loader uses it, and the loader's tests are not mapped to source.py).
Every expected span and pointer below is written by hand.
"""

from __future__ import annotations

from playbook.source import SourceMap, Span, escape_token, find_suppressions, join, pointer


def table() -> SourceMap:
    return SourceMap("calendars/daily.yaml",
                     values={"": Span("calendars/daily.yaml", 1, 1),
                             "/daily": Span("calendars/daily.yaml", 8, 3),
                             "/daily/0": Span("calendars/daily.yaml", 9, 5),
                             "/daily/0/at": Span("calendars/daily.yaml", 9, 20)},
                     keys={"/daily": Span("calendars/daily.yaml", 8, 1),
                           "/daily/0/at": Span("calendars/daily.yaml", 9, 16)})


def test_a_value_is_found_at_its_pointer_or_its_nearest_ancestor() -> None:
    sources = table()
    assert sources.value("/daily/0/at") == Span("calendars/daily.yaml", 9, 20)
    assert sources.value("/daily/0/at/x") == Span("calendars/daily.yaml", 9, 20)  # the parent
    assert sources.value("/daily/0/text/en") == Span("calendars/daily.yaml", 9, 5)  # two up
    assert sources.value("/title") == Span("calendars/daily.yaml", 1, 1)  # the document


def test_without_any_ancestor_the_span_is_the_files_start() -> None:
    empty = SourceMap("rules/base.yaml")
    assert empty.value("/a/b") == Span("rules/base.yaml", 1, 1)
    assert str(empty.value("")) == "rules/base.yaml:1:1"


def test_a_key_is_found_at_the_key_else_at_its_value_or_ancestor() -> None:
    sources = table()
    assert sources.key("/daily") == Span("calendars/daily.yaml", 8, 1)
    assert sources.key("/daily/0/at") == Span("calendars/daily.yaml", 9, 16)
    assert sources.key("/daily/0") == Span("calendars/daily.yaml", 9, 5)  # no key: its value
    assert sources.key("/daily/0/name") == Span("calendars/daily.yaml", 9, 5)  # nor value: parent


def test_deferred_positions_are_found_once_on_first_use_by_key_or_value() -> None:
    calls: list[str] = []

    def locate(target: SourceMap) -> None:
        calls.append(target.path)
        target.values["/steps/0"] = Span(target.path, 4, 3)
        target.keys["/steps"] = Span(target.path, 3, 1)

    by_key = SourceMap("scripts/join.yaml", locate=locate)
    assert by_key.key("/steps") == Span("scripts/join.yaml", 3, 1)  # the key, not the document
    assert by_key.value("/steps/0/text") == Span("scripts/join.yaml", 4, 3)
    assert calls == ["scripts/join.yaml"]
    assert by_key.locate is None
    by_value = SourceMap("scripts/other.yaml", locate=locate)
    assert by_value.value("/steps/0") == Span("scripts/other.yaml", 4, 3)
    assert by_value.key("/steps/0") == Span("scripts/other.yaml", 4, 3)
    assert calls == ["scripts/join.yaml", "scripts/other.yaml"]


def test_pointers_escape_tilde_then_slash() -> None:
    assert pointer() == ""
    assert pointer("steps", 0) == "/steps/0"
    assert pointer("a/b", "m~n", "~1") == "/a~1b/m~0n/~01"
    assert escape_token(3) == "3"
    assert join("/steps", "x/y") == "/steps/x~1y"
    assert join("", 0) == "/0"


def test_suppressions_give_line_column_upper_codes_and_reason() -> None:
    text = ("a: 1\n"
            "  b: 2  #  playbook:  ignore[ pb401 , PB402,, ]  on purpose  \n"  # '#' is column 9
            "c: 3 # playbook: ignore[PB1]\n")
    assert [(s.span, s.codes, s.reason) for s in find_suppressions("x.yaml", text)] == [
        (Span("x.yaml", 2, 9), ("PB401", "PB402"), "on purpose"),
        (Span("x.yaml", 3, 6), ("PB1",), "")]
