"""A review as text (terminal), Markdown (a pull-request comment or job summary) or JSON.

Text and Markdown fold repeats: the same change to the same item at the same clock time in
one group is one line with its dates ("retimed 08:00 → 08:30 … on 14 days"). JSON lists every
message.

Everything the playbook supplies (ids, file names, field paths and values, group names, texts)
is untrusted, and the Markdown is a pull request's job summary. Text output passes every line
through `inert.terminal` (`ESC[2K` is shown as `\\x1b[2K`); Markdown puts values on one line
(`inert.markdown_inline`, `inert.code_span`, `inert.html_inline`: a CR or LF is ` ⏎ `, HTML and
Markdown syntax escaped), so a changed field cannot forge a heading, and message texts sit in a
fence whose lines all start with `-` or `+`, so they cannot close it. JSON keeps values exact.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playbook import inert
from playbook.diagnostics import Diagnostic, Severity
from playbook.reporters.json_report import as_dict
from playbook.review import wording
from playbook.review.documents import KIND_NAMES, DocumentChange, FieldChange
from playbook.review.messages import MessageChange

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
MAX_VALUE = 100
"""Field values longer than this are cut in text and Markdown (JSON keeps them whole)."""


@dataclass(frozen=True)
class Review:
    """Everything `playbook diff` found."""

    base: str
    head: str
    start: dt.date
    end: dt.date
    documents: list[DocumentChange]
    messages: list[MessageChange]
    problems: list[Diagnostic]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class _Folded:
    """Changes that differ only by date, in one group."""

    change: MessageChange
    dates: list[dt.date]


def _clock(moment: dt.datetime | None, other: dt.datetime | None) -> str:
    if moment is None:
        return ""
    same_day = other is None or other.date() == moment.date()
    return moment.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")


def _when(change: MessageChange) -> str:
    before = _clock(change.before_at, change.after_at)
    after = _clock(change.after_at, change.before_at)
    return f"{before} → {after}" if before and after and before != after else (after or before)


def _fold(changes: list[MessageChange]) -> list[_Folded]:
    folded: dict[tuple[str, ...], _Folded] = {}
    for change in changes:
        texts = ("", "") if change.change == "retimed" else (change.before_text or "",
                                                             change.after_text or "")
        key = (change.change, change.source, _when(change), *texts)
        if key not in folded:
            folded[key] = _Folded(change, [])
        folded[key].dates.append(change.at.date())
    return list(folded.values())


def _dates(dates: list[dt.date]) -> str:
    if len(dates) == 1:
        return f"{dates[0]:%a %Y-%m-%d}"
    return f"{len(dates)} days, {dates[0]} … {dates[-1]}"


def _by_group(changes: list[MessageChange]) -> dict[tuple[str, str], list[MessageChange]]:
    result: dict[tuple[str, str], list[MessageChange]] = {}
    for change in changes:
        result.setdefault((change.group, change.group_name), []).append(change)
    return result


def _counts(changes: list[MessageChange]) -> str:
    counts = Counter(c.change for c in changes)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def _shown(value: Any) -> str:
    """A field value on one line, whole."""
    if value is None:
        return "—"
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        text = "; ".join(f"{k}: {v}" for k, v in value.items())
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = "[" + ", ".join(str(v) for v in value) + "]"
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return inert.one_line(text)


def _value(value: Any) -> str:
    text = _shown(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _words(change: FieldChange) -> tuple[str, str] | None:
    """Both sides of a changed value, whole, when one is too long to show: the caller shows
    the changed words instead of two cuts that may look the same."""
    if change.change != "changed" or change.before is None or change.after is None:
        return None
    before, after = _shown(change.before), _shown(change.after)
    return (before, after) if max(len(before), len(after)) > MAX_VALUE else None


def _field(change: FieldChange) -> tuple[str, str]:
    if change.change == "added":
        return change.path, f"added: {_value(change.after)}"
    if change.change == "removed":
        return change.path, f"removed (was {_value(change.before)})"
    words = _words(change)
    if words is not None:
        return change.path, wording.as_text(*words)
    return change.path, f"{_value(change.before)} → {_value(change.after)}"


def _field_md(change: FieldChange) -> str:
    """A field change as a Markdown list item (values escaped)."""
    words = _words(change)
    if words is not None:
        return f"  - {_code(change.path)}: {wording.as_markdown(*words)}"
    path, what = _field(change)
    return f"  - {_code(path)}: {_md(what)}"


def _version(doc: DocumentChange) -> str:
    if doc.change == "added":
        return f"version {doc.after_version}"
    if doc.change == "removed":
        return f"was version {doc.before_version}"
    if doc.before_version == doc.after_version:
        return f"version {doc.after_version} (not bumped)"
    return f"version {doc.before_version} → {doc.after_version}"


def _by_kind(documents: list[DocumentChange]) -> list[tuple[str, list[DocumentChange]]]:
    order = list(KIND_NAMES)
    kinds = sorted({d.kind for d in documents}, key=lambda k: order.index(k) if k in order else 99)
    return [(KIND_NAMES.get(k, (k, k))[1], [d for d in documents if d.kind == k]) for k in kinds]


def _summary(review: Review) -> str:
    counts = Counter(d.change for d in review.documents)
    docs = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "none changed"
    groups = len({m.group for m in review.messages})
    errors = sum(1 for p in review.problems if p.severity is Severity.ERROR)
    return (f"documents: {docs}; messages: {len(review.messages)} changed in {groups} "
            f"group{'s' if groups != 1 else ''}; {errors} error{'s' if errors != 1 else ''}")


def text(review: Review) -> str:
    lines = [f"playbook diff {review.base} → {review.head}", ""]
    lines.append("Documents")
    if not review.documents:
        lines.append("  no document changed")
    for heading, docs in _by_kind(review.documents):
        lines.append(f"  {heading}")
        for doc in docs:
            lines.append(f"    {doc.noun} {doc.doc_id} ({doc.file}): {doc.change}, {_version(doc)}")
            lines += [f"      {path}: {what}" for path, what in map(_field, doc.fields)]
    lines += ["", f"Messages from {review.start} to {review.end} ({review.days} days)"]
    if not review.messages:
        lines.append("  no message changes")
    for (group, name), changes in _by_group(review.messages).items():
        lines.append(f"  group {group} {name}: {_counts(changes)}")
        for item in _fold(changes):
            c = item.change
            lines.append(f"    {c.change} {_when(c)} {c.source} ({_dates(item.dates)})")
            if c.change != "retimed":
                lines += _text_lines(c, "      ")
    if review.problems:
        lines += ["", "Problems"]
        for problem in review.problems:
            lines.append(str(problem))
            if problem.help:
                lines.append(f"  help: {problem.help}")
    lines += ["", _summary(review)]
    return "\n".join(map(inert.terminal, lines)) + "\n"


def _split(text: str) -> list[str]:
    """A message text's lines, split at LF, CR and CRLF only (unlike `str.splitlines`), so a
    vertical tab or U+2028 is shown escaped rather than passed off as a line break."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines


def _text_lines(change: MessageChange, indent: str) -> list[str]:
    lines = []
    if change.before_text is not None and change.change != "added":
        lines += [f"{indent}- {line}" for line in _split(change.before_text)]
    if change.after_text is not None and change.change != "removed":
        lines += [f"{indent}+ {line}" for line in _split(change.after_text)]
    return lines


_md, _code = inert.markdown_inline, inert.code_span


def markdown(review: Review) -> str:
    errors = [p for p in review.problems if p.severity is Severity.ERROR]
    lines = [f"## Playbook diff: {_code(review.base)} → {_code(review.head)}", "",
             f"{_summary(review)}; messages from {review.start} to {review.end} "
             f"({review.days} days).", ""]
    if review.problems:
        lines += ["### Problems", ""]
        for problem in review.problems:
            mark = "❌" if problem in errors else "⚠️"
            lines.append(f"- {mark} {_code(str(problem.span))} **{problem.code}** {_md(problem.message)}")
        lines.append("")
    lines += ["### Documents", ""]
    if not review.documents:
        lines += ["No document changed.", ""]
    for heading, docs in _by_kind(review.documents):
        lines += [f"#### {heading}", ""]
        for doc in docs:
            lines.append(f"- **{doc.noun} {_code(doc.doc_id)}** ({_code(doc.file)}): {doc.change}, "
                         f"{_md(_version(doc))}")
            lines += [_field_md(field) for field in doc.fields]
        lines.append("")
    lines += [f"### Messages from {review.start} to {review.end}", ""]
    if not review.messages:
        lines += ["No message changes.", ""]
    for (group, name), changes in _by_group(review.messages).items():
        lines += ["<details>",
                  f"<summary><b>{inert.html_inline(group)}</b> {inert.html_inline(name)}: "
                  f"{_counts(changes)}</summary>",
                  ""]
        for item in _fold(changes):
            c = item.change
            lines.append(f"- **{c.change}** {_md(_when(c))} · {_md(c.source)} · {_dates(item.dates)}")
            body = _text_lines(c, "") if c.change != "retimed" else []
            if body:
                lines += ["", "  ~~~~diff", *[f"  {inert.terminal(line)}" for line in body], "  ~~~~", ""]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _moment(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def as_json(review: Review) -> str:
    data = {
        "base": review.base,
        "head": review.head,
        "window": {"start": review.start.isoformat(), "end": review.end.isoformat(),
                   "days": review.days},
        "documents": [{
            "kind": d.kind, "id": d.doc_id, "file": d.file, "change": d.change,
            "before_version": d.before_version, "after_version": d.after_version,
            "fields": [{"path": f.path, "change": f.change, "before": f.before, "after": f.after}
                       for f in d.fields],
        } for d in review.documents],
        "messages": [{
            "group": m.group, "group_name": m.group_name, "change": m.change, "source": m.source,
            "before_at": _moment(m.before_at), "after_at": _moment(m.after_at),
            "before_text": m.before_text, "after_text": m.after_text,
        } for m in review.messages],
        "problems": [as_dict(p) for p in review.problems],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, Callable[[Review], str]] = {"text": text, "markdown": markdown, "json": as_json}
