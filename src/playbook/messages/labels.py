"""Short weekday names for people (run sheets, agenda headings, spreadsheet cells).

Every human format names a day the same way, so the names live below the exporters and the
agenda that both use them.
"""

from __future__ import annotations

import datetime as dt

WEEKDAY_NAMES = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
                 "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
"""Per language (the locale's first part), Monday first; other languages read English."""


def weekday(day: dt.date, locale: str) -> str:
    """`day`'s short weekday name in `locale` (e.g. 周一 for zh-CN, Mon for en)."""
    return WEEKDAY_NAMES.get(locale.split("-")[0], WEEKDAY_NAMES["en"])[day.weekday()]
