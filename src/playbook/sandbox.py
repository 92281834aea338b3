"""`BoundedSandbox`: Jinja2's immutable sandbox with every render held to a `Budget`.

Jinja2's sandbox offers hooks for calls, operators and `str.format`, but none for loops,
output or literal lists. Those come from a small code generator: each `{% for %}` iterates
through `guard_loop`, each piece of output passes `emit`, and `~` and literal lists, tuples
and dicts are measured when made. Filters are wrapped once, when the environment is made.
A render starts its budget in `BoundedTemplate.render`; the hooks find it in
`render_bounds.CURRENT`. The limits themselves live in `playbook.render_bounds`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

from jinja2 import Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from playbook.render_bounds import (
    CURRENT,
    MAX_INT_BITS,
    MESSAGE_LIMITS,
    Budget,
    RenderLimitExceeded,
    RenderLimits,
    estimate,
    format_fields,
    printf_fields,
    weight,
)

MAX_EXPONENT = 100
"""`a ** b` with |b| above this is refused: a message never needs it, and it can hang a run."""
MAX_REPEAT = 100_000
"""`'x' * n` (or a list) longer than this is refused, for the same reason."""
MAX_TEMPLATES = 100
"""Templates one render may include, extend or import: a cycle stops here, not in a RecursionError."""
DROPPED_FILTERS = ("pprint",)
"""Debugging filters with no place in a message or a page (pprint indents by nesting depth)."""


GUARD = "guard_loop"
"""The environment method every `{% for %}` iterates through."""


def _guarded(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute) \
        and node.node.name == GUARD


class BoundedCodeGenerator(CodeGenerator):
    """Jinja2's code generator with the bound hooks written into the template's code."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # Jinja2 allows no custom node types: the guard is a call of an environment attribute,
        # written as a direct call below (not through the sandbox's `call`).
        if not _guarded(node.iter):
            node.iter = nodes.Call(nodes.EnvironmentAttribute(GUARD), [node.iter], [], None, None,
                                   lineno=node.iter.lineno)
        super().visit_For(node, frame)

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if not _guarded(node):
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        self.write(f"environment.{GUARD}(")
        self.visit(node.args[0], frame)
        self.write(")")

    def _made(self, visit: Callable[[Any, Frame], None], node: nodes.Node, frame: Frame) -> None:
        self.write("environment.made(")
        visit(node, frame)
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self._made(super().visit_Concat, node, frame)

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._made(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._made(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # a target: `{% for a, b in … %}`, `{% set a, b = … %}`
            super().visit_Tuple(node, frame)
        else:
            self._made(super().visit_Tuple, node, frame)

    def _output_const_repr(self, group: Iterable[Any]) -> str:
        return f"environment.emit({super()._output_const_repr(group)})"

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.emit(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")


class BoundedTemplate(Template):
    """A template whose `render` runs under a fresh budget of its environment's limits."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if CURRENT.get() is not None:  # already inside a render: its budget goes on
            return super().render(*args, **kwargs)
        limits: RenderLimits = getattr(self.environment, "limits", MESSAGE_LIMITS)
        token = CURRENT.set(Budget(limits))
        try:
            return super().render(*args, **kwargs)
        finally:
            CURRENT.reset(token)

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        """The whole output at once: a stream would run outside the budget."""
        yield self.render(*args, **kwargs)


def _counted(iterable: Iterable[Any], budget: Budget) -> Iterator[Any]:
    for item in iterable:
        budget.step()
        yield item


def _bounded_filter(env: BoundedSandbox, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    passes = hasattr(func, "jinja_pass_arg")  # context, eval context or environment comes first
    what = f"the filter '{name}'"

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        budget = env.budget()  # also when Jinja2 folds a constant expression while compiling
        budget.step()
        at = 1 if passes else 0
        value = args[at] if len(args) > at else None
        if isinstance(value, Iterator):  # measured (and counted) before the filter runs
            value = list(_counted(value, budget))
            args = (*args[:at], value, *args[at + 1:])
        limit = budget.limits.value_chars
        rest = args[at + 1:]
        if name == "format" and isinstance(value, str):
            budget.allow(printf_fields(value).size(value, kwargs or rest, limit), what)
        else:
            budget.allow(estimate(value, rest, kwargs, limit), what)
        return budget.charge(func(*args, **kwargs), what)

    return run


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, every render bounded by `limits` (see `playbook.render_bounds`)."""

    code_generator_class = BoundedCodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: RenderLimits = MESSAGE_LIMITS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.filters = {name: _bounded_filter(self, name, func) for name, func in self.filters.items()
                        if name not in DROPPED_FILTERS}
        self.globals["lipsum"] = self._lipsum

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        """Add filters, bounded like the built-in ones."""
        self.filters.update({name: _bounded_filter(self, name, func) for name, func in filters.items()})

    def budget(self) -> Budget:
        """The running render's budget; outside a render, a fresh one for a single check."""
        return CURRENT.get() or Budget(self.limits)

    # -- hooks written into the templates' code ---------------------------------------------

    def emit(self, piece: str) -> str:
        budget = CURRENT.get()
        if budget is None:
            return piece
        budget.output += len(piece) if piece.isascii() else len(piece.encode("utf-8", "surrogatepass"))
        if budget.output > budget.limits.output_bytes:  # inline: the hottest hook
            budget.emit("")
        return piece

    def guard_loop(self, iterable: Any) -> Any:
        budget = CURRENT.get()
        return iterable if budget is None else _counted(iterable, budget)

    def made(self, value: Any) -> Any:
        budget = CURRENT.get()
        return value if budget is None else budget.charge(value, "a template expression")

    # -- Jinja2's sandbox hooks ------------------------------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = self.budget()
        what = f"'{operator}'"
        if operator == "**" and isinstance(right, int | float):
            if abs(right) > MAX_EXPONENT:
                raise RenderLimitExceeded("value", f"render limit: exponent {right} is above {MAX_EXPONENT}")
            if isinstance(left, int) and left.bit_length() * abs(right) > MAX_INT_BITS:
                raise RenderLimitExceeded("value", f"render limit: a power of more than "
                                          f"{MAX_INT_BITS:,} bits")
        elif operator == "*":
            self._check_repeat(budget, left, right)
        elif operator == "%" and isinstance(left, str):
            budget.allow(printf_fields(left).size(left, right, budget.limits.value_chars), what)
        return budget.charge(super().call_binop(context, operator, left, right), what)

    def _check_repeat(self, budget: Budget, left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool) \
                and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise RenderLimitExceeded("value", f"render limit: a product of more than {MAX_INT_BITS:,} bits")
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                if len(seq) * times > MAX_REPEAT:
                    raise RenderLimitExceeded("value", f"render limit: repeating to {len(seq) * times:,} "
                                              f"items is above {MAX_REPEAT:,}")
                budget.allow(weight(seq, budget.limits.value_chars) * times, "'*'")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self.budget()
        budget.step()
        if isinstance(__obj, LoopContext) and args:  # `loop(children)` in a recursive loop
            args = (_counted(args[0], budget), *args[1:])
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str | bytes):  # a text method: `replace`, `center`, `join`, …
            name = getattr(__obj, "__name__", "")
            what = f"'{name}'"
            limit = budget.limits.value_chars
            if name == "join" and args:
                items = list(_counted(args[0], budget))
                args = (items, *args[1:])
                budget.allow(len(owner) * len(items) + weight(items, limit), what)
            else:
                budget.allow(estimate(owner, args, kwargs, limit), what)
        result = super().call(__context, __obj, *args, **kwargs)
        return budget.charge(result, "a call")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        inner = super().wrap_str_format(value)
        if inner is None:
            return None
        text: str = value.__self__
        fields = format_fields(text)

        def bounded(*args: Any, **kwargs: Any) -> str:
            budget = self.budget()
            budget.allow(fields.size(text, (args, kwargs), budget.limits.value_chars), "'format'")
            return inner(*args, **kwargs)

        return functools.update_wrapper(bounded, value)

    def get_template(self, name: Any, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> Template:
        self._count_template()
        return super().get_template(name, parent, globals)

    def select_template(self, names: Any, parent: str | None = None,
                        globals: MutableMapping[str, Any] | None = None) -> Template:
        self._count_template()
        return super().select_template(names, parent, globals)

    def _count_template(self) -> None:
        budget = CURRENT.get()
        if budget is None:
            return
        budget.templates += 1
        if budget.templates > MAX_TEMPLATES:
            raise RenderLimitExceeded("templates", f"render limit: more than {MAX_TEMPLATES} templates "
                                      "included, extended or imported (does a template include or "
                                      "extend itself?)")

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        self.budget().allow(abs(n) * abs(max) * 12, "'lipsum'")
        return generate_lorem_ipsum(n, html, min, max)


__all__ = ["MAX_EXPONENT", "MAX_REPEAT", "MAX_TEMPLATES", "BoundedCodeGenerator", "BoundedSandbox",
           "BoundedTemplate"]
