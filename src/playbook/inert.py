"""Text from a playbook made inert for where it is printed: a terminal, a Markdown line, a
calendar or spreadsheet cell, a JSON document.

Playbooks arrive as pull requests, so every key, value, name and message text is untrusted.
Printed raw it can erase terminal lines (`ESC[2K`), colour or hide CI log output, reverse the
order of what a reviewer reads (bidi overrides, "Trojan Source"), forge a Markdown heading in a
job summary (a CR is a Markdown line break) or start a spreadsheet formula. One policy, applied
at each output:

- `DISPLAY` characters are shown as escapes a person can read (`\\x1b`, `\\n`, `\\u202e`) in
  anything a person reads line by line: diagnostics, `diff` text and Markdown, run sheets. It is
  every C0 control, DEL, every C1 control, the Unicode line and paragraph separators, the
  Bidi_Control characters (U+061C, U+200E/F, U+202A–202E, U+2066–2069), the noncharacters
  U+FFFE/U+FFFF and lone surrogates (which UTF-8 cannot even encode).
- Data files keep the text as it is, except what their format forbids or a reader would act on:
  `CONTROL` (the same set without bidi and separators; TAB, LF and CR stay for the format to
  encode) is shown escaped in calendar and CSV text, and CSV cells that would start a formula get
  a leading `'` (`csv_cell`).
- JSON keeps every value exactly (it is read by programs), but `json_document` writes the
  `DISPLAY` characters that `json.dumps(ensure_ascii=False)` leaves raw as `\\uXXXX`, so the
  same document is inert when someone prints it, and parses back to the same values.

A backslash is not escaped: `\\x1b` in the output may be four typed characters or one escaped
one, and both are inert; doubling every backslash would change every ordinary message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_CONTROL_RANGES = "\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
DISPLAY = re.compile(f"[{_CONTROL_RANGES}{_BIDI_AND_SEPARATORS}]")
"""Characters shown as escapes wherever a person reads a line."""
CONTROL = re.compile(f"[{_CONTROL_RANGES}]")
"""Characters a data file (calendar, spreadsheet) must not carry raw."""
_JSON_RAW = re.compile(f"[\x7f-\x9f\ud800-\udfff\ufffe\uffff{_BIDI_AND_SEPARATORS}]")
"""The `DISPLAY` characters `json.dumps` leaves raw (it escapes C0 itself; LF is layout)."""
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection")."""
_FORMULA_FIRST = frozenset(FORMULA_START)
_MD_ACTIVE = re.compile(r"([\\`*_\[\]|~#])")
"""Markdown characters that mean something inside a line (`#` for a heading's closing run)."""


def _escape(char: str) -> str:
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _shown(pattern: re.Pattern[str], text: str, keep: str) -> str:
    if pattern.search(text) is None:  # the common case: nothing to do, no new string
        return text
    return pattern.sub(lambda m: m.group(0) if m.group(0) in keep else _escape(m.group(0)), text)


def terminal(text: str) -> str:
    """One line for a terminal or log: every `DISPLAY` character escaped, line breaks included."""
    return _shown(DISPLAY, text, "")


def printable(text: str, keep: str = "\t\n") -> str:
    """Text for a person to read over several lines: `DISPLAY` characters escaped except `keep`;
    a CR or CRLF becomes LF first, as every reader of a text file takes it."""
    return _shown(DISPLAY, _LINE_BREAK.sub("\n", text) if "\r" in text else text, keep)


def data(text: str) -> str:
    """Text for a data file (calendar, CSV): `CONTROL` characters escaped except TAB, LF and CR,
    which each format encodes its own way."""
    return _shown(CONTROL, text, "\t\n\r")


def csv_cell(text: str) -> str:
    """A spreadsheet cell: like `data`, and prefixed with `'` when it starts like a formula, so
    Excel and LibreOffice show it as text (the `'` itself is not displayed)."""
    text = data(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_row(cells: Iterable[str]) -> list[str]:
    """`csv_cell` of every cell. Nearly every row needs nothing: one search of the whole row
    and a look at each first character prove it (~9 µs a row, against ~15 µs for `csv.writer`'s
    own work; checking cell by cell took ~24 µs)."""
    row = list(cells)
    if CONTROL.search("".join(row)) is None and _FORMULA_FIRST.isdisjoint([c[:1] for c in row]):
        return row
    return [csv_cell(cell) for cell in row]


def one_line(text: str) -> str:
    """Every line break (CRLF, CR, LF) shown as ` ⏎ `, the other `DISPLAY` characters escaped."""
    return terminal(_LINE_BREAK.sub(" ⏎ ", text))


def markdown_inline(text: str) -> str:
    """Text on a Markdown line (a list item, a heading, a paragraph): one line, HTML escaped,
    Markdown syntax backslash-escaped, so it cannot add a line, a heading, a link or a tag."""
    return _MD_ACTIVE.sub(r"\\\1", html.escape(one_line(text), quote=False))


def html_inline(text: str) -> str:
    """Text inside raw HTML on one Markdown line (e.g. `<summary>`): one line, HTML escaped.
    Markdown is not parsed there, so backslashes would show: none are added."""
    return html.escape(one_line(text))


def code_span(text: str) -> str:
    """An inline code span holding `text` on one line: the backtick run around it is longer than
    any inside, so the text cannot close it early."""
    body = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if not body or body[0] in "` " or body[-1] in "` " else ""  # CommonMark strips one
    return f"{ticks}{pad}{body}{pad}{ticks}"


def json_document(document: str) -> str:
    """A `json.dumps(..., ensure_ascii=False)` result with the `DISPLAY` characters it leaves
    raw (all but C0, which it escapes itself) written as `\\uXXXX`. Outside strings the
    document is ASCII, so only strings change, and only in how they are spelled: they parse
    back to the same values."""
    if _JSON_RAW.search(document) is None:
        return document
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)


__all__ = ["CONTROL", "DISPLAY", "FORMULA_START", "code_span", "csv_cell", "csv_row", "data", "html_inline",
           "json_document", "markdown_inline", "one_line", "printable", "terminal"]
