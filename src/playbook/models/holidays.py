"""The playbook's one holiday calendar (`holidays:` in playbook.yaml) and how a calendar and
its items follow it.

Statutory holidays and make-up workdays (调休) of mainland China come from a maintained
package; the playbook adds or removes days with a note and a source, and enters by hand the
years the package does not cover yet (the State Council publishes each year's dates in
November or December).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from playbook.models.base import Model
from playbook.models.types import Date, Id, Text

HolidaySource = Literal["cn-mainland", "none"]
"""Where holidays come from: `cn-mainland`, the statutory holidays and make-up workdays of
mainland China (the `chinesecalendar` package), or `none` (only the days listed here)."""


class HolidayDays(Model):
    """Days added to the holiday calendar: a holiday, or a make-up workday."""

    date: Date
    """The (first) day."""
    end: Date | None = None
    """The last day, for several days in a row; empty for one day."""
    name: str = Field(min_length=1)
    """Its name, e.g. 春节 or 春节调休上班 (the package's holidays are named 元旦, 春节, 清明节,
    劳动节, 端午节, 中秋节 and 国庆节)."""
    note: Text | None = None
    """Why: e.g. 以国务院办公厅通知为准, or a regional holiday."""
    source: str | None = None
    """Where the date comes from: a notice's URL or title."""

    @model_validator(mode="after")
    def _ordered(self) -> HolidayDays:
        if self.end is not None and self.end < self.date:
            raise ValueError("`end` is before `date`")
        return self


class RemovedDays(Model):
    """Days taken out of the holiday calendar (a holiday the team works through)."""

    date: Date
    """The (first) day."""
    end: Date | None = None
    """The last day; empty for one day."""
    note: Text
    """Why the day is not kept, e.g. 国庆后一天照常运营."""
    source: str | None = None
    """Where the decision or date comes from."""

    @model_validator(mode="after")
    def _ordered(self) -> RemovedDays:
        if self.end is not None and self.end < self.date:
            raise ValueError("`end` is before `date`")
        return self


class Holidays(Model):
    """The playbook's holiday calendar: one list every activity calendar follows."""

    source: HolidaySource = "cn-mainland"
    """Where statutory holidays and make-up workdays come from."""
    add: list[HolidayDays] = []
    """Holidays added: a year the package does not cover yet, a regional or company holiday."""
    remove: list[RemovedDays] = []
    """Days that are not holidays (or not make-up workdays) for this playbook after all."""
    workdays: list[HolidayDays] = []
    """Make-up workdays (调休上班) added, e.g. a Saturday that is worked."""
    entered_years: list[int] = Field(default=[], max_length=20)
    """Years whose holidays and make-up workdays are all entered here by hand (`add` and
    `workdays`) because the package does not have them yet; the coverage check (PB420)
    counts them as covered."""


class HolidayPause(Model):
    """What of a calendar pauses on some (or all) of the playbook's holidays."""

    only: list[str] = []
    """The holidays this applies to, by name (e.g. [元旦, 春节]); empty: every holiday."""
    pause: Literal["all"] | list[Id] = "all"
    """What pauses: `all`, or the ids of the slots, events and games that do. An item's own
    `on_holidays` wins."""
