"""The keep / next stage / merge / disband audit: each roster group's stage on a day, its figures
against its type's typed targets, and the decision its stage's exit rules give.

Pure: a `Project` and the figures read by `playbook.lifecycle.metrics` in, an `Audit` out. A
metric's value on a day is taken over a window ending that day and needs a figure for every day
of the window (a gap leaves it unknown, never guessed); a condition holds when the value is past
its bound on each of its `lasting` days. The first rule of the stage whose conditions all hold
decides; when none does, the group is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from playbook.lifecycle.metrics import GroupFigures, Metrics
from playbook.lifecycle.stages import StageInForce, stage_on, type_of
from playbook.models.base import MetricTarget
from playbook.models.lifecycle import ExitCondition, ExitRule, Measure, whole_days
from playbook.models.playbook import Group, Metric
from playbook.models.project import Project
from playbook.models.types import text_in

DecisionKind = Literal["keep", "next_stage", "merge", "move_members", "disband"]
TREND_DAYS = 30
"""Days of members and active members kept for the handbook's trend figure."""


@dataclass(frozen=True)
class TargetCheck:
    """One typed target of the group's type against the figures."""

    metric: str
    target: MetricTarget
    value: float | None
    """The figure over the target's window ending on the audit day; None when unknown."""
    met: bool | None
    why_unknown: str = ""


@dataclass(frozen=True)
class ConditionCheck:
    """One condition of an exit rule on the audit day."""

    condition: ExitCondition
    held: bool
    value: float | None
    """The value on the audit day, over the condition's window."""
    days_held: int
    """Of the `lasting` days up to the audit day, on how many (from the last back) it held."""
    why_unknown: str = ""


@dataclass(frozen=True)
class Decision:
    """What the audit recommends for a group, and the rule and numbers behind it."""

    action: DecisionKind
    into: str | None = None
    rule: str = ""
    """Which rule decided, e.g. `weak rule 1: activity-rate below 5 over 7d for 14d`."""
    reason: str = ""
    """The numbers that led to it."""


@dataclass(frozen=True)
class GroupAudit:
    group: Group
    stage: StageInForce | None
    days: int
    """Days of figures the file gives for the group."""
    last_day: dt.date | None
    targets: list[TargetCheck]
    rules: list[tuple[ExitRule, list[ConditionCheck]]]
    decision: Decision
    trend: list[tuple[dt.date, float | None, float | None]] = field(default_factory=list)
    """(day, members, active members) over the last `TREND_DAYS` days up to the audit day."""


@dataclass(frozen=True)
class Audit:
    day: dt.date
    path: str
    groups: list[GroupAudit]


def audit_day(metrics: Metrics, given: dt.date | None) -> dt.date | None:
    """The day audited: the one given, else the last day the file has figures for."""
    if given is not None:
        return given
    days = [max(series.days) for series in metrics.groups.values() if series.days]
    return max(days) if days else None


def needed_figures(project: Project) -> set[str]:
    """The figures the measures of targets and exit rules use (their columns must be there)."""
    measures = {m.id: m.measure for m in project.playbook.metrics if m.measure is not None}
    used: set[str] = set()
    for group_type in project.playbook.group_types:
        names = [t.metric for t in group_type.metrics if _typed(t)]
        names += [c.metric for stage in group_type.lifecycle for rule in stage.exit_rules for c in rule.when]
        for name in names:
            measure = measures.get(name)
            if measure is not None:
                used.update(f for f in (measure.figure, measure.per) if f is not None)
    return used


def run_audit(project: Project, metrics: Metrics, day: dt.date) -> Audit:
    """Audit every roster group on `day` from `metrics`."""
    catalogue = {m.id: m for m in project.playbook.metrics}
    found = [_group(project, catalogue, group, metrics.groups.get(group.id), day, metrics.figures)
             for group in project.groups.values()]
    return Audit(day, metrics.path, found)


def _group(project: Project, catalogue: dict[str, Metric], group: Group, series: GroupFigures | None,
           day: dt.date, figures: tuple[str, ...]) -> GroupAudit:
    series = series or GroupFigures(group.id)
    value = _Values(catalogue, series, figures)
    group_type = type_of(project, group)
    targets = [_target(value, t, day) for t in (group_type.metrics if group_type else []) if _typed(t)]
    stage = stage_on(project, group, day)
    trend = [(d, series.days.get(d, {}).get("members"), series.days.get(d, {}).get("active_members"))
             for d in (day - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1))]
    last = max(series.days) if series.days else None
    if stage is None:
        why = "the group has not opened yet" if day < group.opened else "its type has no lifecycle stages"
        return GroupAudit(group, None, len(series.days), last, targets, [],
                          Decision("keep", reason=why), trend)
    checked = [(rule, [_condition(value, c, day) for c in rule.when]) for rule in stage.stage.exit_rules]
    decision = _decide(stage, checked, series, day)
    return GroupAudit(group, stage, len(series.days), last, targets, checked, decision, trend)


def _typed(target: MetricTarget) -> bool:
    return target.at_least is not None or target.at_most is not None


def _decide(stage: StageInForce, checked: list[tuple[ExitRule, list[ConditionCheck]]],
            series: GroupFigures, day: dt.date) -> Decision:
    name = stage.stage.id or stage.stage.kind
    for number, (rule, conditions) in enumerate(checked, 1):
        if all(c.held for c in conditions):
            shown = " and ".join(describe_condition(c.condition) for c in conditions)
            return Decision(rule.action, rule.into, f"{name} rule {number}: {shown}",
                            "; ".join(_numbers(c) for c in conditions))
    if not series.days:
        return Decision("keep", reason="no figures for this group in the file")
    if not checked:
        why = "its stage has no exit rules"
    else:
        why = "; ".join(f"rule {n}: " + ", ".join(_numbers(c) for c in cs if not c.held)
                        for n, (_, cs) in enumerate(checked, 1))
    if stage.overdue and stage.end is not None:
        why += f" (the last stage's {stage.stage.duration} ran out on {stage.end.isoformat()}: decide)"
    return Decision("keep", reason=why)


def describe_condition(condition: ExitCondition) -> str:
    """A condition in words: `activity-rate below 5 over 7d for 14d`."""
    bound = f"below {condition.below:g}" if condition.below is not None else f"above {condition.above:g}"
    window = f" over {condition.window}" if condition.window_days > 1 else ""
    lasting = f" for {condition.lasting}" if condition.lasting_days > 1 else ""
    return f"{condition.metric} {bound}{window}{lasting}"


def _numbers(check: ConditionCheck) -> str:
    c = check.condition
    if check.why_unknown:
        return f"{c.metric} unknown ({check.why_unknown})"
    value = "n/a" if check.value is None else shown(check.value)
    if check.held:
        days = f" on each of the last {c.lasting_days} days" if c.lasting_days > 1 else ""
        return f"{c.metric} {value}, {_bound(c)}{days}"
    if check.days_held == 0:
        return f"{c.metric} {value}, not {_bound(c)}"
    return f"{c.metric} {value}, {_bound(c)} on the last {check.days_held} of {c.lasting_days} days needed"


def shown(value: float) -> str:
    """A figure as people read it: `79,890` for large ones, `13.45` for rates."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _bound(c: ExitCondition) -> str:
    return f"< {c.below:g}" if c.below is not None else f"> {c.above:g}"


def _condition(value: _Values, condition: ExitCondition, day: dt.date) -> ConditionCheck:
    held_days = 0
    today: float | None = None
    for back in range(condition.lasting_days):
        on = day - dt.timedelta(days=back)
        result, why = value(condition.metric, on, condition.window_days)
        if back == 0:
            today = result
        if result is None:  # every earlier day held: whether this one does cannot be told
            return ConditionCheck(condition, False, today, held_days, why)
        if not _past(condition, result):
            break
        held_days += 1
    return ConditionCheck(condition, held_days == condition.lasting_days, today, held_days)


def _past(condition: ExitCondition, value: float) -> bool:
    if condition.below is not None:
        return value < condition.below
    return condition.above is not None and value > condition.above


def _target(value: _Values, target: MetricTarget, day: dt.date) -> TargetCheck:
    days = whole_days(target.window) if target.window else 1
    result, why = value(target.metric, day, days or 1)
    if result is None:
        return TargetCheck(target.metric, target, None, None, why)
    met = (target.at_least is None or result >= target.at_least) and \
          (target.at_most is None or result <= target.at_most)
    return TargetCheck(target.metric, target, result, met)


class _Values:
    """A metric's value over a window of one group's figures."""

    def __init__(self, catalogue: dict[str, Metric], series: GroupFigures, figures: tuple[str, ...]) -> None:
        self.catalogue = catalogue
        self.days = series.days
        self.figures = figures

    def __call__(self, metric_id: str, end: dt.date, days: int) -> tuple[float | None, str]:
        metric = self.catalogue.get(metric_id)
        if metric is None or metric.measure is None:
            return None, f"metric '{metric_id}' has no `measure` in playbook.yaml"
        measure = metric.measure
        for figure in (measure.figure, measure.per):
            if figure is not None and figure not in self.figures:
                return None, f"the file has no {figure} column"
        rows = []
        for back in range(days - 1, -1, -1):
            on = end - dt.timedelta(days=back)
            row = self.days.get(on)
            if row is None:
                return None, f"no figures for {on.isoformat()}"
            rows.append(row)
        top = _combine(measure, measure.figure, rows)
        if measure.per is None:
            return top, ""
        below = _combine(measure, measure.per, rows)
        if below == 0:
            return None, f"{measure.per} is 0 on {end.isoformat()}"
        return 100 * top / below, ""


def _combine(measure: Measure, figure: str, rows: list[dict[str, float]]) -> float:
    values = [row[figure] for row in rows]
    how = measure.combine()
    if how == "last":
        return values[-1]
    total = sum(values)
    return total / len(values) if how == "mean" else total


def stage_label(project: Project, found: GroupAudit) -> str:
    """The stage in the playbook's language, e.g. `弱运营期 (weak)`."""
    if found.stage is None:
        return "-"
    locale, stage = project.playbook.locales[0], found.stage.stage
    return f"{text_in(stage.name, locale, locale)} ({stage.id or stage.kind})"
