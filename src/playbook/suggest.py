"""'Did you mean' help for misspelt ids, paths and weekdays, and the list of declared ids when
nothing is close.

A suggestion is made only when it is close: at most one edit per three characters of the word
(an edit is inserting, deleting or replacing a character, or swapping two neighbours, so `ctiy`
finds `city`), or when one is the start of the other (`morning` finds `morning-greeting`).
difflib's ratio alone proposed `self_introduction` for `education` (0.62, above its 0.6
cutoff) yet rates the swap `ctiy`/`city` at 0.5, so it ranks candidates but does not decide.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

SHOWN = 10
"""At most this many declared ids are listed; the rest are counted."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = (
    ("monday", "mo", "周一", "星期一", "礼拜一"),
    ("tuesday", "tu", "tues", "周二", "星期二", "礼拜二"),
    ("wednesday", "we", "周三", "星期三", "礼拜三"),
    ("thursday", "th", "thur", "thurs", "周四", "星期四", "礼拜四"),
    ("friday", "fr", "周五", "星期五", "礼拜五"),
    ("saturday", "sa", "周六", "星期六", "礼拜六"),
    ("sunday", "su", "周日", "周天", "星期日", "星期天", "礼拜日", "礼拜天"),
)
WEEKDAY_ALIASES = {name: day for day, names in zip(WEEKDAYS, _WEEKDAY_NAMES, strict=True)
                   for name in (day, *names)}
"""English, two-letter (RRULE) and Chinese weekday names, lower-case, to the ids calendars use."""
RRULE_DAYS = {day: day[:2].upper() for day in WEEKDAYS}
"""Calendar weekday ids to the two-letter days of an RRULE's BYDAY."""


def edits(a: str, b: str) -> int:
    """The optimal-string-alignment distance: insertions, deletions, replacements and swaps of
    two neighbouring characters needed to turn `a` into `b`."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[len(b)]


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells, or None when none is close enough."""
    lowered, limit = word.lower(), max(1, len(word) // 3)
    close: list[tuple[int, float, str]] = []
    for choice in set(choices) - {word}:
        other = choice.lower()
        prefix = len(lowered) >= 3 and (other.startswith(lowered) or lowered.startswith(other))
        # the length difference is a lower bound of the distance: most choices stop here
        near = abs(len(other) - len(lowered)) <= limit and edits(lowered, other) <= limit
        if near or prefix:
            ratio = difflib.SequenceMatcher(None, lowered, other).ratio()
            close.append((0 if near else 1, -ratio, choice))
    return min(close)[2] if close else None


def weekday_meant(word: str, choices: Iterable[str]) -> str | None:
    """The weekday id `word` names (Thursday, thu, TH, 周四), when the ids are among `choices`."""
    meant = WEEKDAY_ALIASES.get(word.strip().lower())
    return meant if meant is not None and meant in set(choices) and meant != word else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    options = list(choices)
    close = weekday_meant(word, options) or closest(word, options)
    return f"did you mean '{close}'?" if close else None


def declared(noun_plural: str, choices: Iterable[str]) -> str:
    """`declared roles: a, b, c` (the first `SHOWN`, then how many in all): in the order given,
    or sorted when `choices` is a set (which has none)."""
    ids = sorted(choices) if isinstance(choices, set | frozenset) else list(dict.fromkeys(choices))
    if not ids:
        return f"no {noun_plural} are declared"
    shown = ", ".join(ids[:SHOWN])
    more = f", … ({len(ids)} in all)" if len(ids) > SHOWN else ""
    return f"declared {noun_plural}: {shown}{more}"


def suggest(word: str, choices: Iterable[str], noun_plural: str) -> str:
    """Did-you-mean when a choice is close, else the declared ids."""
    options = sorted(choices) if isinstance(choices, set | frozenset) else list(choices)
    return did_you_mean(word, options) or declared(noun_plural, options)
