"""What a template reads: Jinja2's own parse of a message text, walked as a syntax tree
(names, attribute and item look-ups, filters and tests). Shared by the template rules
(PB2xx) and by the message renderer, which renders a text once per distinct value of the
variables it reads. Not a rule family.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import TemplateSyntaxError, meta, nodes

from playbook.render import MessageEnvironment

ENV = MessageEnvironment()
"""Parses templates: the same filters, tests and globals as every message environment."""


@dataclass(frozen=True)
class Reference:
    """A variable path a template reads, from a name it does not define itself."""

    path: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Analysis:
    """What the parser found in one template source."""

    syntax_error: tuple[str, int | None] | None = None
    references: tuple[Reference, ...] = ()
    unknown: tuple[tuple[str, str, int], ...] = ()
    """(filter or test, name, line) of every filter and test Jinja2 does not know."""


@lru_cache(maxsize=4096)
def analyse(source: str) -> Analysis:
    """Parse a template and list what it reads and which filters it uses."""
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as err:
        return Analysis(syntax_error=(err.message or str(err), err.lineno))
    unknown = tuple(_unknown_filters(tree))
    declared_elsewhere = set(ENV.globals)
    undeclared = meta.find_undeclared_variables(tree) - declared_elsewhere
    refs = tuple(r for r in _references(tree) if r.path[0] in undeclared)
    return Analysis(references=refs, unknown=unknown)


def _unknown_filters(tree: nodes.Template) -> Iterator[tuple[str, str, int]]:
    """Unknown filters and tests; each is renamed to a harmless known one afterwards so that
    Jinja2's scope analysis (which refuses unknown filters) can run on the same tree."""
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        is_filter = isinstance(node, nodes.Filter)
        known = ENV.filters if is_filter else ENV.tests
        if node.name not in known:
            yield ("filter" if is_filter else "test"), node.name, node.lineno
            node.name = "string" if is_filter else "defined"


def _chain(node: nodes.Node) -> tuple[str, ...] | None:
    """`a.b['c']` -> ('a', 'b', 'c'); None when the expression is not such a path."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif (isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const)
              and isinstance(node.arg.value, str)):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            return (node.name, *reversed(parts))
        else:
            return None


def _references(node: nodes.Node) -> Iterator[Reference]:
    path = _chain(node)
    if path is not None:
        yield Reference(path, node.lineno)
        return
    for child in node.iter_child_nodes():
        yield from _references(child)
