"""The core-schema loader's own `resolve` (`playbook.yaml_core.CoreLoader`) gives every node the
tag PyYAML's general resolver gives it with the same implicit resolvers: it only drops the
path and wildcard resolvers this loader does not have."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from playbook.yaml_core import TAG, CoreLoader

EDGES = ["", "~", "null", "Null", "NULL", "nULL", "true", "False", "TRUE", "yes", "no", "on", "off",
         "y", "0", "-0", "+12", "1_000", "0o17", "0o8", "0x1F", "0xg", "017", "0755", "1.5", ".5", "5.",
         "1e3", "-1.5E-3", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "nan", "<<", "<", "2026-11-23",
         "10:30", "-", "+", ".", "e3", "中文", "🎉", " 1", "1 ", "true ", "null\n"]


def general(kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
    """PyYAML's BaseResolver.resolve over CoreLoader's resolver table."""
    loader = CoreLoader("")
    try:
        tag: str = yaml.resolver.BaseResolver.resolve(loader, kind, value, implicit)
    finally:
        loader.dispose()
    return tag


def ours(kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
    loader = CoreLoader("")
    try:
        return loader.resolve(kind, value, implicit)
    finally:
        loader.dispose()


def test_the_core_schema_by_hand() -> None:
    plain = (True, False)
    expected = {"": "null", "~": "null", "NULL": "null", "nULL": "str", "true": "bool", "yes": "str",
                "1_000": "str", "0o17": "int", "0x1F": "int", "0755": "int", "1e3": "float",
                ".nan": "float", "nan": "str", "<<": "merge", "2026-11-23": "str", "10:30": "str"}
    assert {v: ours(yaml.ScalarNode, v, plain).removeprefix(TAG) for v in expected} == expected
    assert ours(yaml.ScalarNode, "true", (False, True)) == TAG + "str"  # quoted: always text
    assert ours(yaml.SequenceNode, None, (True, False)) == TAG + "seq"  # type: ignore[arg-type]
    assert ours(yaml.MappingNode, None, (True, False)) == TAG + "map"  # type: ignore[arg-type]


def test_every_edge_case_agrees_with_pyyaml() -> None:
    for value in EDGES:
        for implicit in ((True, False), (False, True), (False, False), (True, True)):
            assert ours(yaml.ScalarNode, value, implicit) == general(yaml.ScalarNode, value, implicit), value
    for kind in (yaml.SequenceNode, yaml.MappingNode):
        assert ours(kind, None, (True, False)) == general(kind, None, (True, False))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789+-._eExXoOabfFnNtTuUlLrsi~<: 中"), max_size=8)
       | st.text(max_size=6))
def test_any_text_agrees_with_pyyaml(value: str) -> None:
    assert ours(yaml.ScalarNode, value, (True, False)) == general(yaml.ScalarNode, value, (True, False))


def test_documents_load_to_the_same_values() -> None:
    text = "a: 1_000\nb: 0o17\nc: yes\nd: ~\ne: [1, '2', 3.5, .inf, true]\nf: {g: null}\n"
    assert yaml.load(text, Loader=CoreLoader) == {"a": "1_000", "b": 15, "c": "yes", "d": None,
                                                  "e": [1, "2", 3.5, float("inf"), True], "f": {"g": None}}
