"""Escaping playbook text for handbook pages, which are Markdown that becomes HTML.

HTML escaping alone is not enough: Markdown would still turn `[x](javascript:…)` into a
link, `*` into emphasis, `|` into a table column, `{: onclick=…}` into attributes, or a
leading `#` into a heading. `md` neutralises both, and the handbook's template environment
applies it to every `{{ … }}` output that is not already `Markup` (see `finalize`), so a
template author cannot forget it. Helpers that build HTML or Markdown on purpose (figures,
fenced code, links) escape their parts and return `Markup`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters: never meaningful in a message, and \\x02/\\x03 are Python-Markdown's
placeholder delimiters."""

_INLINE = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "{": "\\{", "}": "\\}",
    "[": "\\[", "]": "\\]", "|": "\\|",
})
"""Characters that mean something anywhere in a line of Markdown (or of HTML); both quotes, so a
value cannot end an attribute an override template quoted either way."""

_LINE_START = re.compile(r"^(?:#{1,6}(?=\s|$)|[-+](?=\s|$)|\d+(?=[.)](?:\s|$))|[=-](?=[=-]*$)|!!!|~~~|:)")
"""What means something only at the start of a line: headings, list markers, ordered lists,
setext underlines, admonitions, fences, definition lists (`*` is always escaped)."""


def _line(text: str) -> str:
    text = text.strip().translate(_INLINE)
    match = _LINE_START.match(text)
    if match is None:
        return text
    if match.group(0).isdigit():  # `1.` -> `1\.`: the list marker is the character after it
        end = match.end()
        return text[:end] + "\\" + text[end:]
    return f"&#{ord(text[0])};{text[1:]}"


def md(value: Any) -> Markup:
    """Any value as inert inline Markdown on one line: HTML and Markdown syntax escaped,
    line breaks kept as `<br>`. Safe in a paragraph, a list item, a heading or a table cell."""
    if isinstance(value, Markup):
        return value
    text = _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return Markup("<br>".join(_line(line) for line in text.strip().split("\n")))


def cell(value: Any) -> Markup:
    """A table cell: like `md`, and an em dash for an empty value so the column stays visible."""
    if value is None or value == "" or value == []:
        return Markup("—")
    return md(value)


def finalize(value: Any) -> Any:
    """The template environment's hook on every `{{ … }}`: escape unless already Markup."""
    return value if isinstance(value, Markup) else md(value)


def fence(text: Any, language: str = "text") -> Markup:
    """A fenced code block holding `text` verbatim (the Markdown renderer escapes its HTML).
    The fence is longer than any backtick run inside, so the text cannot close it."""
    body = _CONTROL.sub("", str(text)).replace("\r\n", "\n").strip("\n")
    runs = [len(r) for r in re.findall(r"`+", body)]
    ticks = "`" * max(3, max(runs, default=0) + 1)
    return Markup(f"{ticks}{language}\n{body}\n{ticks}")


def url_path(path: str) -> Markup:
    """A relative file path as a link destination: every character outside a plain path
    percent-encoded, so it cannot end the link or carry a scheme."""
    return Markup(quote(path, safe="/-._~"))


_URL_SAFE = ":/?#@!$&'*+,;=%-._~"
"""Kept as they are in an https URL; brackets, parentheses, quotes and spaces are encoded."""


def external(title: Any, url: str) -> Markup:
    """A Markdown link to an https URL (anything else becomes plain text): characters that
    could end the link or the URL are percent-encoded."""
    if not url.startswith("https://"):
        return md(f"{title} ({url})")
    return Markup(f"[{md(title)}]({quote(url, safe=_URL_SAFE)})")


def link(title: Any, target: str) -> Markup:
    """A Markdown link to a page or file inside the handbook (checked by the strict build)."""
    return Markup(f"[{md(title)}]({url_path(target)})")


def html(value: Any) -> Markup:
    """Text for raw HTML (figures): HTML-escaped, quotes included."""
    return escape(_CONTROL.sub("", str(value)))


__all__ = ["Markup", "cell", "external", "fence", "finalize", "html", "link", "md", "url_path"]
