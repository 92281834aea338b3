"""Refuse nesting too deep for libyaml's composer before the loader composes a file.

PyYAML's C composer builds nested collections by recursion in C, which Python's recursion
limit does not see: a one-line file of 50,000 `[` (or `- - - …`) crashes the process with a
segmentation fault. A file that cannot nest that deep is recognised cheaply from its text;
only a suspicious one is walked with libyaml's event parser, which keeps its own stack.
"""

from __future__ import annotations

import re

import yaml

from playbook.source import Span

COMPOSE_LIMIT = 900
"""A file nested deeper than this is refused whole (PB011) instead of composed: far beyond the
loader's MAX_DEPTH, well below the depth that overflows the C stack (past 20,000), and below
the 1,000 levels past which libyaml 0.2.6 (in PyYAML 6.0.4's wheels) stops parsing with its own
error, so the same file gets the same PB011 whichever libyaml is installed."""

_DEEP_INDENT = re.compile(rf"[ \t?:-]{{{COMPOSE_LIMIT // 5}}}")
"""Indentation and block indicators (`- `, `? `, `: `) this long, at the start of a line (a
search for a line break first is many times faster than a MULTILINE `^`)."""
_DEEP_LINE = re.compile(rf"\n{_DEEP_INDENT.pattern}")


def may_nest_deeply(text: str) -> bool:
    """False when `text` cannot nest past COMPOSE_LIMIT; True means it has to be checked.

    Each level takes a character, so a short text cannot. A flow collection opens with `[` or
    `{` (fewer than COMPOSE_LIMIT / 2 of them); a block collection starts after the indentation
    and indicators of its line (fewer than COMPOSE_LIMIT / 5 columns) and at least every other
    level of block nesting is further right, so block nesting stays below COMPOSE_LIMIT / 2 + 2.
    Most files are answered by their length; the rest by two counts and one search, a few
    per cent of the time libyaml takes to compose them.
    """
    if len(text) <= COMPOSE_LIMIT:
        return False
    flow = text.count("[") + text.count("{")
    return (flow >= COMPOSE_LIMIT // 2 or _DEEP_INDENT.match(text) is not None
            or _DEEP_LINE.search(text) is not None)


def too_deep(text: str, path: str, reported_depth: int) -> Span | None:
    """Where the first value nested deeper than `reported_depth` starts, when the text nests
    past COMPOSE_LIMIT; None when it is safe to compose (or has a syntax error the composer
    will report, at the same place, before nesting any deeper)."""
    if not may_nest_deeply(text):
        return None
    try:
        return _walk(text, path, reported_depth, yaml.CSafeLoader)
    except yaml.YAMLError as error:
        if "maximum nesting depth" not in str(error):
            return None
    # libyaml 0.2.6 scans flow collections ahead of its events and stops at 1,000 levels before
    # the walk sees the 65th: PyYAML's own parser has no such limit (and keeps its own stack)
    try:
        return _walk(text, path, reported_depth, yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _walk(text: str, path: str, reported_depth: int,
          loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader]) -> Span | None:
    """The walk of `too_deep` with one parser; a syntax error is raised."""
    open_: list[list[int]] = []  # per open collection: [1 if a mapping else 0, children seen]
    first: Span | None = None
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionEndEvent):
            open_.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        is_key = False
        if open_:
            parent = open_[-1]
            is_key = bool(parent[0]) and parent[1] % 2 == 0
            parent[1] += 1
        mark = event.start_mark
        if first is None and mark is not None and not is_key and len(open_) > reported_depth:
            first = Span(path, mark.line + 1, mark.column + 1)  # keys are not values: skipped
        if isinstance(event, yaml.CollectionStartEvent):
            open_.append([int(isinstance(event, yaml.MappingStartEvent)), 0])
            if len(open_) > COMPOSE_LIMIT:
                return first
    return None
    return None
