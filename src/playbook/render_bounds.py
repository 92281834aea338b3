"""The resource bounds of one sandboxed render: how much it may output, loop, make and take.

A playbook arrives as a pull request and CI renders it, so a template must not be able to hang
a run or exhaust its memory. Jinja2's sandbox stops attribute escapes, not work: nested `range`
loops, `center(10**9)`, `"{:>999999999}".format(x)` or `s.replace("x", s)` would run for
minutes or take gigabytes. Every render therefore carries a `Budget`, kept in a context
variable while it runs, that the sandbox's hooks charge (see `playbook.sandbox`):

* output: every piece a template writes, at any level (top, `{% set %}` blocks, macros);
* steps: every loop iteration, call and filter application;
* values: each value a template makes (by an operator, a filter, a call, `~` or a literal list)
  is measured as the text it would print as, shared items counted each time; one value may
  not exceed `value_chars`, and all of them together not `made_chars`;
* time: checked at every step, so no signal or thread is needed (work between two steps is
  bounded by the other limits).

Operations that could allocate far more than their inputs (widths, `replace`, `join`, `*`,
`**`) are refused before they run, from an estimate of their result. A limit hit raises
`RenderLimitExceeded`, which names the limit and its number.
"""

from __future__ import annotations

import re
import time
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from contextvars import ContextVar
from dataclasses import dataclass
from string import Formatter
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

MAX_MESSAGE_BYTES = 64 * 1024
"""What one message may render to (UTF-8 bytes): far above any platform's own limit."""
MAX_INT_BITS = 14_000
"""Integers a template computes stay below this size (Python prints at most 4,300 digits)."""


@dataclass(frozen=True)
class RenderLimits:
    """The bounds of one render."""

    output_bytes: int = MAX_MESSAGE_BYTES
    steps: int = 100_000
    value_chars: int = 1024 * 1024
    made_chars: int = 8 * 1024 * 1024
    seconds: float = 2.0


MESSAGE_LIMITS = RenderLimits()
"""A message: what it prints is posted into a chat, so it is small."""
PAGE_LIMITS = RenderLimits(output_bytes=16 * 1024 * 1024, steps=2_000_000, value_chars=8 * 1024 * 1024,
                           made_chars=32 * 1024 * 1024, seconds=20.0)
"""A handbook page: a page of a large playbook lists thousands of groups and messages."""


class RenderLimitExceeded(SecurityError):
    """A render went past one of its limits; `limit` names which (output, steps, value,
    made, time, width, templates)."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(message)
        self.limit = limit


def _n(number: float) -> str:
    return f"{number:,}"


class Budget:
    """What one render has used so far, against its limits."""

    __slots__ = ("deadline", "limits", "made", "output", "steps", "templates")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.output = self.steps = self.made = self.templates = 0

    def step(self) -> None:
        """One loop iteration, call or filter: counted, and the clock checked."""
        self.steps += 1
        if self.steps > self.limits.steps:
            raise RenderLimitExceeded("steps", f"render limit: more than {_n(self.limits.steps)} "
                                      "loop iterations, calls and filters")
        self.clock()

    def clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitExceeded("time", f"render limit: rendering took longer than "
                                      f"{self.limits.seconds:g} seconds")

    def emit(self, piece: str) -> str:
        """A piece of output, counted in UTF-8 bytes."""
        self.output += len(piece) if piece.isascii() else len(piece.encode("utf-8", "surrogatepass"))
        if self.output > self.limits.output_bytes:
            raise RenderLimitExceeded("output", f"render limit: the output is longer than "
                                      f"{_n(self.limits.output_bytes)} bytes")
        return piece

    def allow(self, size: int, what: str) -> None:
        """Refuse, before it is made, a value of about `size` characters."""
        if size > self.limits.value_chars:
            raise RenderLimitExceeded("value", f"render limit: {what} could make a value longer than "
                                      f"{_n(self.limits.value_chars)} characters")

    def charge(self, value: Any, what: str) -> Any:
        """A value the template made: measured against the limit of one value and of all."""
        size = weight(value, self.limits.value_chars)
        self.allow(size, what)
        self.made += size
        if self.made > self.limits.made_chars:
            raise RenderLimitExceeded("made", f"render limit: the values made add up to more than "
                                      f"{_n(self.limits.made_chars)} characters")
        return value


CURRENT: ContextVar[Budget | None] = ContextVar("playbook_render_budget", default=None)
"""The budget of the render running in this context (None outside a render)."""


def weight(value: Any, limit: int) -> int:
    """About how many characters `value` prints as, every shared item counted each time it
    appears (so `[a, a]` weighs twice `a`); stops counting once past `limit`, so measuring
    costs at most `limit` steps. Objects the template did not build (a model, a macro) weigh 1."""
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item) + 2
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, range):  # lazy, but `join` or `list` print every number
            total += 2 + len(item) * (2 + len(str(max(abs(item.start), abs(item.stop)))))
        elif isinstance(item, Namespace):
            pending.append(dict(item._Namespace__attrs))
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            if total <= limit:
                pending.extend(item.keys())
                pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset | KeysView | ValuesView | ItemsView):
            total += 2 + 2 * len(item)
            if total <= limit:
                pending.extend(item)
        else:
            total += 1
        if total > limit:
            return total
    return total


_DIGITS = re.compile(r"\d+")
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


@dataclass(frozen=True)
class Fields:
    """The replacement fields of a format string: how many, the widest width or precision
    written in it, and whether a width comes from the arguments (`*`, `{:{}}`)."""

    count: int
    widest: int
    from_arguments: bool

    def size(self, text: str, arguments: Any, limit: int) -> int:
        """An upper estimate of the formatted text: each field may print every argument,
        padded to the widest width (or to the largest number when widths are arguments)."""
        widest = self.widest
        if self.from_arguments:
            widest = max(widest, max(numbers_in(arguments), default=0))
        return len(text) + self.count * (weight(arguments, limit) + widest)


def format_fields(text: str) -> Fields:
    """The fields of a `str.format` string; nested fields in a spec (`{:>{}}`) count as widths
    taken from the arguments. A malformed string has none (formatting it fails anyway)."""
    count, widest, nested = 0, 0, False
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        return Fields(0, 0, False)
    for _literal, field, spec, _conversion in parsed:
        if field is None:
            continue
        count += 1
        spec = spec or ""
        nested = nested or "{" in spec
        widest = max([widest, *(int(d) for d in _DIGITS.findall(spec))])
    return Fields(count, widest, nested)


def printf_fields(text: str) -> Fields:
    """The conversions of a printf-style string (`%s`, `%-30s`, `%*d`, `%.2f`)."""
    count, widest, star = 0, 0, False
    for match in _PRINTF.finditer(text):
        count += 1
        for part in match.groups():
            if part == "*":
                star = True
            elif part:
                widest = max(widest, int(part))
    return Fields(count, widest, star)


def numbers_in(values: Any) -> Iterator[int]:
    """The integers among `values` (arguments: a tuple, a mapping, or one value), one level down."""
    items = values.values() if isinstance(values, Mapping) else values if isinstance(values, tuple) \
        else (values,)
    for item in items:
        if isinstance(item, Mapping | tuple):
            yield from numbers_in(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            yield abs(item)


def estimate(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any], limit: int) -> int:
    """An upper estimate of what a filter or a text method makes from `value` and its arguments:
    the value times one plus the length of every text argument (`replace`, `join`, `indent` and
    `wordwrap` insert them) and every number (`center(80)` pads to it, `expandtabs(8)` and
    `indent(4)` multiply by it). Generous for ordinary use, and never below the real size."""
    factor = 1
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, str | bytes):
            factor += len(arg)
        elif isinstance(arg, int) and not isinstance(arg, bool):
            factor += abs(arg)
        elif isinstance(arg, Mapping):  # str.translate's table
            factor += weight(arg, limit)
        if factor > limit:
            return factor
    return weight(value, limit) * factor


__all__ = ["CURRENT", "MAX_INT_BITS", "MAX_MESSAGE_BYTES", "MESSAGE_LIMITS", "PAGE_LIMITS", "Budget",
           "Fields", "RenderLimitExceeded", "RenderLimits", "estimate", "format_fields", "numbers_in",
           "printf_fields", "weight"]
