"""Typed targets and exit rules (PB123-PB126): what `playbook audit` reads must be measurable,
point at something real and be able to fire.

The unknown-metric case is PB109's (exit conditions are references like any other).
"""

from __future__ import annotations

from collections.abc import Iterator

from playbook.diagnostics import Severity
from playbook.lint.registry import NOTHING, Finding, rule
from playbook.models.base import MetricTarget
from playbook.models.lifecycle import ExitCondition
from playbook.models.project import Project
from playbook.source import Span
from playbook.suggest import suggest
from playbook.walk import models_in


def _numbers(project: Project) -> Iterator[tuple[str, str, str, MetricTarget | ExitCondition]]:
    """(kind, document id, pointer, model) of every typed target and exit condition."""
    for kind, doc_id, doc in project.documents():
        for ptr, model in models_in(doc):
            if isinstance(model, (MetricTarget, ExitCondition)) and _numeric(model):
                yield kind, doc_id, ptr, model


def _numeric(model: MetricTarget | ExitCondition) -> bool:
    """Exit conditions always are; a target only when typed (a text target is not checked)."""
    return isinstance(model, ExitCondition) or model.at_least is not None or model.at_most is not None


def _span(project: Project, kind: str, doc_id: str, ptr: str) -> Span:
    return project.span(kind, doc_id, ptr)


@rule("PB123", "unmeasured-metric", Severity.WARNING, per_document=True)
def unmeasured_metric(project: Project) -> Iterator[Finding]:
    """A typed target or an exit rule names a metric without a `measure`.

    Why: `playbook audit` computes a metric from the daily figures only through its `measure`;
    without one the target is never checked and the exit rule never fires.

    Fails: `{metric: retention-rate, below: 30}` while `retention-rate` has no `measure`.
    Passes: `metrics: [{id: retention-rate, …, measure: {figure: active_members, per: members}}]`.
    """
    metrics = {m.id: m for m in project.playbook.metrics}
    for kind, doc_id, ptr, model in _numbers(project):
        metric = metrics.get(model.metric)
        if metric is not None and metric.measure is None:
            what = "exit rule" if isinstance(model, ExitCondition) else "typed target"
            yield Finding(_span(project, kind, doc_id, f"{ptr}/metric"),
                          f"the {what} on '{model.metric}' can never be checked: the metric has no "
                          "`measure`",
                          help="give the metric a measure, e.g. measure: {figure: active_members, "
                               "per: members}")


@rule("PB124", "unknown-exit-target", reads=NOTHING)
def unknown_exit_target(project: Project) -> Iterator[Finding]:
    """An exit rule's `into` names no group type (for `merge`) or no roster group (for
    `move_members`).

    Why: the audit would recommend merging or moving members into something that does not exist.

    Fails: `{action: merge, into: middle-offical}`. Passes: `into: middle-official`.
    """
    types = {t.id for t in project.playbook.group_types}
    for i, group_type in enumerate(project.playbook.group_types):
        for j, stage in enumerate(group_type.lifecycle):
            for k, exit_rule in enumerate(stage.exit_rules):
                if exit_rule.into is None:
                    continue
                known, what = (types, "group type") if exit_rule.action == "merge" else \
                    (set(project.groups), "roster group")
                if exit_rule.into not in known:
                    ptr = f"/group_types/{i}/lifecycle/{j}/exit_rules/{k}/into"
                    yield Finding(project.span("Playbook", project.playbook.id, ptr),
                                  f"`{exit_rule.action}` into '{exit_rule.into}', which is no {what}",
                                  help=suggest(exit_rule.into, known, what + "s"))


@rule("PB125", "percentage-out-of-range", per_document=True)
def percentage_out_of_range(project: Project) -> Iterator[Finding]:
    """A typed target or exit condition on a percentage is outside 0-100.

    Why: percentages are written as 0-100 (60 for 60%); 0.6 or 600 is a slip that makes the
    target always met or never met.

    Fails: `{metric: activity-rate, at_least: 0.6}` is fine as 0.6% but `at_least: 600` is not.
    Passes: `at_least: 60`.
    """
    percent = {m.id for m in project.playbook.metrics
               if m.unit == "%" or (m.measure is not None and m.measure.per is not None)}
    for kind, doc_id, ptr, model in _numbers(project):
        if model.metric not in percent:
            continue
        bounds = ("below", "above") if isinstance(model, ExitCondition) else ("at_least", "at_most")
        for name in bounds:
            value = getattr(model, name)
            if value is not None and not 0 <= value <= 100:
                yield Finding(_span(project, kind, doc_id, f"{ptr}/{name}"),
                              f"'{model.metric}' is a percentage, but {name} is {value:g}: write "
                              "it as 0-100 (60 for 60%)")


@rule("PB126", "next-stage-from-last-stage", Severity.WARNING, reads=NOTHING)
def next_stage_from_last(project: Project) -> Iterator[Finding]:
    """An exit rule of a type's last stage says `next_stage`.

    Why: there is no next stage; the audit would recommend a move that cannot happen. Use
    `merge`, `move_members` or `disband`.

    Fails: the weak stage (last) with `action: next_stage`. Passes: `action: disband`.
    """
    for i, group_type in enumerate(project.playbook.group_types):
        if not group_type.lifecycle:
            continue
        last = len(group_type.lifecycle) - 1
        for k, exit_rule in enumerate(group_type.lifecycle[last].exit_rules):
            if exit_rule.action == "next_stage":
                ptr = f"/group_types/{i}/lifecycle/{last}/exit_rules/{k}/action"
                yield Finding(project.span("Playbook", project.playbook.id, ptr),
                              f"'{group_type.id}' has no stage after its last one, so `next_stage` "
                              "cannot happen", help="use merge, move_members or disband")
