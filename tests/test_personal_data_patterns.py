"""PB703's patterns look behind after their first character (so `re` can skip ahead to a
candidate instead of trying every position): they must match exactly where the plain
lookbehind-first patterns match, at the same places, on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from playbook.lint.compliance import MOBILE, RESIDENT_ID

PLAIN_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
PLAIN_RESIDENT_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")

TEXTS = st.text(alphabet="0123456789111333 -Xx群a٣", max_size=60)
"""Digits (1 and 3 weighted: a mobile number starts 13), separators, the ID's check letter,
a CJK and a Latin letter, and an Arabic-Indic digit (`\\d` is any Unicode digit)."""


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_the_patterns_match_where_the_plain_ones_do(text: str) -> None:
    assert spans(MOBILE, text) == spans(PLAIN_MOBILE, text)
    assert spans(RESIDENT_ID, text) == spans(PLAIN_RESIDENT_ID, text)


def test_a_digit_before_the_number_still_hides_it() -> None:
    assert spans(MOBILE, "电话13812345678。") == [(2, 13)]
    assert spans(MOBILE, "913812345678") == []
    assert spans(MOBILE, "٣13812345678") == []  # an Arabic-Indic digit is a digit too
    assert spans(MOBILE, "138 1234 5678") == [(0, 13)]
    assert spans(RESIDENT_ID, "号11010519491231002X") == [(1, 19)]
    assert spans(RESIDENT_ID, "9110105194912310027") == []  # 19 digits: part of a longer number
