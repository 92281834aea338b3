"""The changed words of a long value, with a little context, for `playbook diff`.

A long text cut at the same length before and after shows two identical lines when the change
lies past the cut (a phrase appended to a 500-character message). Instead the two values are
split into tokens (a run of Latin letters or digits is a word; a CJK character, a space run or
a punctuation mark is a token of its own, since Chinese has no spaces to split at), compared
with difflib's SequenceMatcher, and shown as the changes with `CONTEXT` characters of unchanged
text around each: `…到货 [-周五-]{+周六+}前发…` in text, `…到货 ~~周五~~**周六**前发…` in
Markdown (every piece escaped there, so a value cannot forge the markers).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Literal

from playbook import inert

CONTEXT = 16
"""Unchanged characters shown on each side of a change."""
MAX_COMPARED = 2_000
"""Past this many tokens on a side, only the common start and end are matched (SequenceMatcher
is quadratic); the middle shows as one deletion and one insertion."""
_TOKEN = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)

Op = Literal["=", "-", "+"]


def _opcodes(before: list[str], after: list[str]) -> list[tuple[str, int, int, int, int]]:
    if max(len(before), len(after)) <= MAX_COMPARED:
        return list(SequenceMatcher(None, before, after, autojunk=False).get_opcodes())
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    found = [("equal", 0, start, 0, start)] if start else []
    found.append(("replace", start, len(before) - end, start, len(after) - end))
    if end:
        found.append(("equal", len(before) - end, len(before), len(after) - end, len(after)))
    return found


def segments(before: str, after: str) -> list[tuple[Op, str]]:
    """The two texts as runs kept (=), deleted (-) and inserted (+), in reading order."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    found: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        if tag == "equal":
            found.append(("=", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            found.append(("-", "".join(old[i1:i2])))
        if j2 > j1:
            found.append(("+", "".join(new[j1:j2])))
    return found


def _elided(runs: list[tuple[Op, str]]) -> list[tuple[Op, str]]:
    """Unchanged runs cut to `CONTEXT` characters beside each change, `…` where text is left out."""
    result: list[tuple[Op, str]] = []
    for i, (op, text) in enumerate(runs):
        if op != "=":
            result.append((op, text))
            continue
        first, last = i == 0, i == len(runs) - 1
        if first and not last and len(text) > CONTEXT:
            text = "…" + text[-CONTEXT:]
        elif last and not first and len(text) > CONTEXT:
            text = text[:CONTEXT] + "…"
        elif not first and not last and len(text) > 2 * CONTEXT + 1:
            text = text[:CONTEXT] + "…" + text[-CONTEXT:]
        result.append((op, text))
    return result


def _render(before: str, after: str, keep: Callable[[str], str],
            mark: Callable[[Op, str], str]) -> str:
    return "".join(keep(text) if op == "=" else mark(op, text)
                   for op, text in _elided(segments(before, after)))


def as_text(before: str, after: str) -> str:
    """`…kept [-deleted-]{+inserted+} kept…` on one line (line breaks shown as ⏎)."""
    marks = {"-": ("[-", "-]"), "+": ("{+", "+}")}
    return _render(before, after, inert.one_line,
                   lambda op, text: marks[op][0] + inert.one_line(text) + marks[op][1])


def _md_mark(op: Op, text: str) -> str:
    """~~deleted~~ or **inserted**, escaped; spaces at the ends stay outside the markers
    (CommonMark ignores `** x**`) and a change of spaces alone is shown as ␣."""
    marker = "~~" if op == "-" else "**"
    core = text.strip()
    if not core:
        return marker + inert.markdown_inline(text.replace(" ", "␣")).strip() + marker
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return (inert.markdown_inline(lead) + marker + inert.markdown_inline(core) + marker
            + inert.markdown_inline(trail))


def as_markdown(before: str, after: str) -> str:
    """`…kept ~~deleted~~**inserted** kept…` on one Markdown line, every piece escaped."""
    return _render(before, after, inert.markdown_inline, _md_mark)
