"""YAML 1.2 core-schema scalars on libyaml's parser.

PyYAML resolves plain scalars by YAML 1.1 rules (``1_000`` is 1000, ``yes`` is true, ``1e3``
and ``0o17`` are text), while yaml-language-server and check-jsonschema read the same files by
the YAML 1.2 core schema. :class:`CoreLoader` keeps the C parser (libyaml is what makes loading
fast) and swaps only the implicit resolvers for the core schema's regular expressions, so the
tool and the editor agree on what a value is. Timestamps are not in the core schema: dates and
clock times stay the text the editor wrote and the models parse them.

The merge key ``<<`` still resolves to its tag, not because YAML 1.2 has merge keys but so
the loader can refuse it by name (PB009) instead of taking it for an ordinary key.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

TAG = "tag:yaml.org,2002:"

# The core schema, YAML 1.2.2 section 10.3.2, one regular expression per tag.
_CORE: tuple[tuple[str, str, str], ...] = (
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    ("merge", r"^<<$", "<"),
)


_STR, _SEQ, _MAP = TAG + "str", TAG + "seq", TAG + "map"


class CoreLoader(yaml.CSafeLoader):
    """libyaml's parser and composer with YAML 1.2 core-schema resolution of plain scalars."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    # libyaml's composer calls these three from Python for every node (1.4 million times for
    # the 4,010 files of the L corpus). PyYAML's own versions also serve path resolvers and
    # wildcard implicit resolvers, neither of which this loader has, so they are replaced by
    # what they amount to here: a quarter of loading's time on L before, tests/test_yaml_core.py
    # checks every scalar form against PyYAML's general resolver.
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """The tag of a node without an explicit one: a plain scalar by the core schema's
        expression for its first character, any other scalar text, else seq or map."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Path resolvers only: none here."""

    def ascend_resolver(self) -> None:
        """Path resolvers only: none here."""


for _name, _pattern, _first in _CORE:
    # the empty scalar is null: PyYAML looks resolvers for '' up under the key ''
    CoreLoader.add_implicit_resolver(TAG + _name, re.compile(_pattern),
                                     [*_first, ""] if _name == "null" else list(_first))


def core_int(value: str) -> int:
    """An integer as the core schema writes it: decimal with a sign, 0o octal, 0x hex."""
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value)


def core_float(value: str) -> float:
    """A float as the core schema writes it, including .inf, -.inf and .nan in any case form."""
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(value)
