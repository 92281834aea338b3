"""Numbers for the lifecycle: how a metric is measured from daily figures, when a stage ends
(exit rules on metrics over a window) and where the columns of a metrics export are.

`playbook audit` reads these; the handbook shows them. Free-text exit criteria stay beside
the rules (`Stage.exit_criteria`), so a team can write down what it cannot yet measure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from playbook.models.base import Model
from playbook.models.types import Duration, Id, Text

Figure = Literal["members", "joined", "left", "messages", "active_members", "orders", "gmv"]
"""A daily figure of one group in a metrics export: members at the end of the day, members who
joined and left that day, messages sent, members who spoke (active members), paid orders and
their amount (GMV)."""

FIGURES: tuple[Figure, ...] = ("members", "joined", "left", "messages", "active_members", "orders", "gmv")
LEVELS: frozenset[str] = frozenset({"members", "active_members"})
"""Figures that are a level on each day (averaged over a window); the others are counts of the
day (summed over a window)."""



def whole_days(duration: str) -> int | None:
    """The days of a duration written in days (`7d` -> 7), or None (`2h`, `1d2h`, `0d`): figures
    come one per day, so windows are whole days."""
    if duration.endswith("d") and duration[:-1].isdigit() and int(duration[:-1]) > 0:
        return int(duration[:-1])
    return None


ExitAction = Literal["next_stage", "merge", "move_members", "disband"]
"""What happens when an exit rule holds: the group moves to its type's next stage, merges into
a group of the type named in `into`, moves its active members to the group named in `into`, or
is disbanded."""


class Measure(Model):
    """How a metric is computed from the daily figures of a metrics export."""

    figure: Figure
    """The daily figure it is made of, e.g. `gmv` or `active_members`."""
    per: Figure | None = None
    """Divide by this figure and show a percentage, e.g. `active_members` per `members` for an
    activity rate. Over a window the two are summed first (a ratio of sums)."""
    over: Literal["sum", "mean", "last"] | None = None
    """How days of a window combine; by default `mean` for members and active members (levels)
    and `sum` for the others (joined, left, messages, orders, GMV)."""

    def combine(self) -> str:
        """How the figure combines over a window, with the default applied."""
        return self.over or ("mean" if self.figure in LEVELS else "sum")


class ExitCondition(Model):
    """One condition on a metric: below or above a value, over a window, for some days."""

    metric: Id
    """The metric (from playbook.yaml's `metrics`, with a `measure`), e.g. `activity-rate`."""
    below: float | None = None
    """Holds when the figure is under this value (a percentage as 0–100), e.g. `5`."""
    above: float | None = None
    """Instead of `below`: holds when the figure is over this value."""
    window: Duration = "1d"
    """Over how many days each day's figure is taken, e.g. `7d` for 7-day active members."""
    lasting: Duration = "1d"
    """For how many days in a row (the last being the day audited) it must hold, e.g. `14d`."""

    @model_validator(mode="after")
    def _one_bound(self) -> ExitCondition:
        if (self.below is None) == (self.above is None):
            raise ValueError("give the condition either `below` or `above`, one of them")
        for name in ("window", "lasting"):
            value = getattr(self, name)
            if whole_days(value) is None:
                raise ValueError(f"`{name}` '{value}' is not whole days; write e.g. 7d")
        return self

    @property
    def window_days(self) -> int:
        return whole_days(self.window) or 1

    @property
    def lasting_days(self) -> int:
        return whole_days(self.lasting) or 1


class ExitRule(Model):
    """When a stage ends, as data: conditions that must all hold, and what happens then."""

    when: list[ExitCondition] = Field(min_length=1)
    """Conditions that must all hold on the day audited."""
    action: ExitAction
    """next_stage, merge, move_members or disband."""
    into: Id | None = None
    """For `merge`, the group type to merge into; for `move_members`, the roster group that
    receives the active members."""
    note: Text | None = None
    """Why, in the team's words (shown beside the decision)."""

    @model_validator(mode="after")
    def _target(self) -> ExitRule:
        needs_into = self.action in ("merge", "move_members")
        if needs_into and self.into is None:
            what = "group type to merge into" if self.action == "merge" else "group to move them to"
            raise ValueError(f"`{self.action}` needs `into`: the {what}")
        if not needs_into and self.into is not None:
            raise ValueError(f"`into` has no meaning for `{self.action}`; remove it")
        return self


MetricsColumn = Literal["date", "group", "members", "joined", "left", "messages", "active_members",
                        "orders", "gmv"]


class MetricsFile(Model):
    """Where the columns of a per-group daily metrics export are, for `playbook audit`."""

    columns: dict[MetricsColumn, str] = {}
    """Figure -> the header that holds it, e.g. `{date: 统计日期, group: 客户群名称}`. Headers
    not mapped are looked for under their own name (date, group, members, …) and the usual
    Chinese headers (日期, 群名称, 群人数, …)."""
