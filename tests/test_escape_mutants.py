"""Escaping helpers of the handbook, asserted character by character (issue 19, item 5).

Written from the mutants that survived the first mutation run of `handbook/escape.py`: control
characters are dropped (not replaced), every line-break convention becomes one break, a fenced
block keeps its code's indentation, a heading marker stays visible, and a link that is not
https is printed as plain text. Every expected string is written out by hand.
"""

from __future__ import annotations

import pytest

from playbook.handbook.escape import external, fence, html, md


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\x00b\x1fc\x7fd", "abcd"),
    ("价\x02格\x03", "价格"),
    ("a\rb", "a<br>b"),
    ("a\r\nb", "a<br>b"),
    ("a\r\rb", "a<br><br>b"),
    ("# x", "&#35; x"),
    ("## 标题", "&#35;# 标题"),
    ("- item", "&#45; item"),
])
def test_md_drops_control_characters_breaks_every_line_ending_and_keeps_markers_visible(
        raw: str, shown: str) -> None:
    assert str(md(raw)) == shown


def test_fence_drops_control_characters_and_normalises_line_endings() -> None:
    assert str(fence("a\x00b\r\nc\x1b")) == "```text\nab\nc\n```"


def test_fence_keeps_the_leading_indentation_of_its_code() -> None:
    assert str(fence("\n    indented: 1\n  two\n\n", "yaml")) == "```yaml\n    indented: 1\n  two\n```"
    assert str(fence("XML\nX")) == "```text\nXML\nX\n```"


def test_html_drops_control_characters_and_escapes_the_rest() -> None:
    assert str(html("<b>\x00\x08\"x\"</b>")) == "&lt;b&gt;&#34;x&#34;&lt;/b&gt;"


def test_a_link_that_is_not_https_is_printed_as_its_title_and_address() -> None:
    assert str(external("手册", "http://example.com/a")) == "手册 (http://example.com/a)"
    assert str(external("x", "javascript:alert(1)")) == "x (javascript:alert(1))"


def test_an_https_link_keeps_its_address_and_encodes_what_could_end_it() -> None:
    assert str(external("手册", "https://example.com/a b)")) == "[手册](https://example.com/a%20b%29)"
