"""References (PB1xx): every id a document points at exists, `extends` has no cycles, and
what is defined is used.

One pass over the project collects every reference with its place; each rule then checks
one namespace. The collection is cached for the project being linted.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel

from playbook.diagnostics import Severity
from playbook.lint.registry import CALENDARS, GROUP_RULES, Finding, per_project, rule
from playbook.models.base import MetricTarget, Scope
from playbook.models.calendars import ActivityCalendar, Column, Game, Slot, WeeklyEvent
from playbook.models.lifecycle import ExitCondition
from playbook.models.packs import TimelineStep
from playbook.models.playbook import Admission, GroupType, Role
from playbook.models.project import TABLES, Project
from playbook.models.rules import Behaviour, EscalationStep, GroupRules
from playbook.models.scripts import OnboardingScript, Step
from playbook.source import Span, join
from playbook.suggest import suggest
from playbook.walk import models_in


class Ref(NamedTuple):
    """One reference: which namespace, the id written, the document it is in and where (a
    tuple: a large playbook has over a hundred thousand, and a tuple is made three times faster
    than a frozen dataclass)."""

    target: str
    value: str
    owner: tuple[str, str]
    ptr: str
    project: Project

    @property
    def span(self) -> Span:
        """Found only when a reference is reported: most files then never need positions."""
        return self.project.span(*self.owner, self.ptr)


REFERENCE_FIELDS: tuple[tuple[tuple[type[BaseModel], ...], str, str], ...] = (
    ((Scope,), "group_type", "types"),
    ((Scope,), "group_type", "group_types"),
    ((Scope,), "layer", "layers"),
    ((Scope,), "group", "groups"),
    ((Scope,), "class", "classes"),
    ((GroupType,), "layer", "layer"),
    ((GroupType,), "platform", "platform"),
    ((Role,), "layer", "drawn_from"),
    ((MetricTarget, ExitCondition), "metric", "metric"),
    ((Step, Slot, WeeklyEvent, Game, TimelineStep), "role", "sender"),
    ((Column,), "role", "host"),
    ((EscalationStep,), "role", "enforcer"),
    ((GroupRules,), "rule_set", "extends"),
    ((OnboardingScript,), "script", "next"),
    ((Slot,), "pack", "pack"),
    ((Slot,), "column", "column"),
    ((TimelineStep,), "material", "materials"),
    ((Behaviour,), "reward", "reward"),
    ((Admission,), "class", "admit"),
    ((Admission,), "class", "refuse"),
)
"""(models holding the field, namespace it names, field) for every reference field, in the
order references are collected. Field names are plain identifiers: they need no escaping in
a JSON pointer."""


@functools.cache
def _reference_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(namespace, field) of the reference fields of one model class (most have none)."""
    return tuple((target, name) for owners, target, name in REFERENCE_FIELDS if issubclass(model, owners))


def _collect(project: Project) -> list[Ref]:
    refs: list[Ref] = []
    for kind, doc_id, doc in project.documents():
        refs += _document_refs(project, (kind, doc_id), doc)
    for group_id, group in project.groups.items():
        home = project.group_home
        for target, name, value in (("group_type", "type", group.type),
                                    ("operator", "operator", group.operator),
                                    ("platform", "platform", group.platform)):
            if value:
                refs.append(Ref(target, value, home, project.group_pointer(group_id, name), project))
        for i, cls in enumerate(group.classes):
            refs.append(Ref("class", cls, home, f"{project.group_pointer(group_id, 'classes')}/{i}", project))
    return refs


def _document_refs(project: Project, owner: tuple[str, str], doc: BaseModel) -> list[Ref]:
    """The references one document makes, in the order they are written."""
    refs: list[Ref] = []
    for ptr, model in models_in(doc):
        for target, name in _reference_fields(type(model)):
            value = getattr(model, name)
            if isinstance(value, list):
                refs += [Ref(target, item, owner, f"{ptr}/{name}/{i}", project)
                         for i, item in enumerate(value)]
            elif value is not None:
                refs.append(Ref(target, value, owner, f"{ptr}/{name}", project))
        if isinstance(model, Admission):
            for i, classes in enumerate(model.must_not_share):
                for j, item in enumerate(classes):
                    where = join(join(join(ptr, "must_not_share"), i), j)
                    refs.append(Ref("class", item, owner, where, project))
    return refs


def referenced(project: Project, kind: str, doc_id: str) -> tuple[object, ...]:
    """What one calendar, script, pack or rule set shows a rule that reads it
    `through_references`: the references it makes (namespace, id, place), and the ids it
    defines that references within it or its extensions resolve to, or that PB115 counts
    as used: its columns and the columns its slots post in, its materials, its rewards, the
    rewards its behaviours earn, and the set it extends."""
    doc: Any = getattr(project, TABLES[kind])[doc_id]
    refs = tuple((r.target, r.value, r.ptr) for r in _document_refs(project, (kind, doc_id), doc))
    behaviours = [item for name in ("encouraged", "forbidden", "required") for item in getattr(doc, name, ())]
    return (refs, [c.id for c in getattr(doc, "columns", ())], [s.column for s in getattr(doc, "daily", ())],
            [m.id for m in getattr(doc, "materials", ())], [r.id for r in getattr(doc, "rewards", ())],
            [b.reward for b in behaviours], getattr(doc, "extends", None))


@per_project
def references(project: Project) -> list[Ref]:
    """Every reference in the project (computed once per project)."""
    return _collect(project)


@per_project
def _by_target(project: Project) -> dict[str, list[Ref]]:
    """The references of the project by the namespace they name, each list in collection order."""
    found: dict[str, list[Ref]] = {}
    for ref in references(project):
        found.setdefault(ref.target, []).append(ref)
    return found


def _global_namespace(project: Project, target: str) -> set[str]:
    return _global_tables(project)[target]


@per_project
def _global_tables(project: Project) -> dict[str, set[str]]:
    """Every id a reference can name, by target (built once per project)."""
    pb = project.playbook
    return {
        "group_type": {g.id for g in pb.group_types},
        "layer": {layer.id for layer in pb.layers},
        "group": set(project.groups),
        "role": {r.id for r in pb.roles},
        "operator": {o.id for o in pb.operators},
        "metric": {m.id for m in pb.metrics},
        "rule_set": set(project.rules),
        "script": set(project.scripts),
        "pack": set(project.packs),
        "platform": {p.id for p in pb.platforms},
        "class": {f"{d.id}:{v.id}" for d in pb.classification.dimensions for v in d.values},
    }


def _local_namespace(project: Project, ref: Ref) -> set[str]:
    """Columns, materials and rewards are looked up inside the referring document."""
    kind, doc_id = ref.owner
    if ref.target == "column" and kind == "ActivityCalendar":
        return {c.id for c in project.calendars[doc_id].columns}
    if ref.target == "material" and kind == "MaterialPack":
        return {m.id for m in project.packs[doc_id].materials}
    if ref.target == "reward" and kind == "GroupRules":
        return _rewards_in_reach(project)[doc_id]
    return set()


@per_project
def _rewards_in_reach(project: Project) -> dict[str, set[str]]:
    """Rule set id -> the rewards it and its bases define."""
    return {rules_id: {r.id for rules in _extends_chain(project, rules_id) for r in rules.rewards}
            for rules_id in project.rules}


def _unknown(project: Project, target: str, noun: str) -> Iterator[Finding]:
    for ref in _by_target(project).get(target, ()):
        known = (_local_namespace(project, ref) if target in ("column", "material", "reward")
                 else _global_namespace(project, target))
        if ref.value not in known:
            message = noun.format(ref.value) if "{}" in noun else f"unknown {noun} '{ref.value}'"
            plural = _PLURALS.get(target, target + "s")
            yield Finding(ref.span, message, help=suggest(ref.value, known, plural))


_PLURALS = {"group_type": "group types", "rule_set": "rule sets", "pack": "material packs",
            "class": "classes"}
"""How the declared ids of a target are named in help, where adding an s does not do."""


@rule("PB101", "unknown-group-type-reference", through_references=True)
def unknown_group_type(project: Project) -> Iterator[Finding]:
    """A group, scope or rule names a group type that playbook.yaml does not define.

    Why: the group would get no rules, scripts or calendar, silently.

    Fails: `type: middle-offical` when playbook.yaml defines `middle-official`.
    Passes: `type: middle-official`.
    """
    yield from _unknown(project, "group_type", "group type")


@rule("PB102", "unknown-layer-reference", through_references=True)
def unknown_layer(project: Project) -> Iterator[Finding]:
    """A group type, role or scope names a layer of the pyramid that is not defined.

    Why: the layer's goal and metrics would never apply.

    Fails: `layer: midle`. Passes: `layer: middle` with a layer `middle` in playbook.yaml.
    """
    yield from _unknown(project, "layer", "layer")


@rule("PB103", "unknown-role-reference", through_references=True)
def unknown_role(project: Project) -> Iterator[Finding]:
    """A step, slot, event or escalation names a sender or enforcer role that is not defined.

    Why: nobody would be told to post the message or enforce the rule.

    Fails: `sender: assistent`. Passes: `sender: assistant` with a role `assistant`.
    """
    yield from _unknown(project, "role", "role")


@rule("PB104", "unknown-operator-reference", through_references=True)
def unknown_operator(project: Project) -> Iterator[Finding]:
    """A roster group is owned by an operator who is not listed in playbook.yaml.

    Why: the group would appear on nobody's run sheet.

    Fails: `operator: op-zhangsan` with no such operator. Passes: a listed operator id.
    """
    yield from _unknown(project, "operator", "operator")


@rule("PB105", "unknown-group-reference", through_references=True)
def unknown_group(project: Project) -> Iterator[Finding]:
    """A scope names a roster group that does not exist.

    Why: content aimed at that group would never be posted anywhere.

    Fails: `groups: [sh-middle-09]` with no such group. Passes: an id from the roster.
    """
    yield from _unknown(project, "group", "group")


@rule("PB106", "unknown-rule-set-reference", through_references=True)
def unknown_rule_set(project: Project) -> Iterator[Finding]:
    """A rule set `extends` a rule set that does not exist.

    Why: the base rules would silently be missing from every group using this set.

    Fails: `extends: base-rule`. Passes: `extends: base-rules` with rules/base.yaml having that id.
    """
    yield from _unknown(project, "rule_set", "rule set")


@rule("PB107", "unknown-script-reference", through_references=True)
def unknown_script(project: Project) -> Iterator[Finding]:
    """A script's `next` names a script that does not exist.

    Why: members would reach the end of the path with nowhere to go.

    Fails: `next: [second-purchase]` with no such script. Passes: an existing script id.
    """
    yield from _unknown(project, "script", "script")


@rule("PB108", "unknown-pack-reference", through_references=True)
def unknown_pack(project: Project) -> Iterator[Finding]:
    """A calendar slot points at a material pack that does not exist.

    Why: the slot would post nothing at its time.

    Fails: `pack: winter-tea` with no packs/winter-tea/. Passes: an existing pack id.
    """
    yield from _unknown(project, "pack", "material pack")


@rule("PB109", "unknown-metric-reference", through_references=True)
def unknown_metric(project: Project) -> Iterator[Finding]:
    """A step, slot, layer or pack names a metric the playbook's metric catalogue lacks.

    Why: the handbook could not show how the action is measured.

    Fails: `metric: conversion` with only `conversion-rate` defined. Passes: `conversion-rate`.
    """
    yield from _unknown(project, "metric", "metric")


@rule("PB110", "unknown-column-reference", through_references=True)
def unknown_column(project: Project) -> Iterator[Finding]:
    """A daily slot names a column that its calendar does not define.

    Fails: `column: new-arrival` when the calendar's columns have `new-arrivals`.
    Passes: a column id defined in the same calendar.
    """
    yield from _unknown(project, "column", "column")


@rule("PB111", "unknown-material-reference", through_references=True)
def unknown_material(project: Project) -> Iterator[Finding]:
    """A launch-timeline step attaches a material its pack does not contain.

    Why: the step would be posted without its picture or copy.

    Fails: `materials: [poster]` with no material `poster` in the pack. Passes: an existing id.
    """
    yield from _unknown(project, "material", "material")


@rule("PB112", "unknown-class-reference", through_references=True)
def unknown_class(project: Project) -> Iterator[Finding]:
    """An admission policy names a class (`dimension:value`) the classification lacks.

    Why: the admission check would never match anyone.

    Fails: `refuse: [identity:consumers]` when the value is `consumer`. Passes: `identity:consumer`.
    """
    yield from _unknown(project, "class", "class")


@rule("PB113", "unknown-reward-reference", through_references=True)
def unknown_reward(project: Project) -> Iterator[Finding]:
    """An encouraged behaviour names a reward its rule set (or a base it extends) lacks.

    Fails: `reward: weekly-star` with no such reward. Passes: a reward id defined in the rule set.
    """
    yield from _unknown(project, "reward", "reward")


@rule("PB116", "platform-not-in-use", through_references=True)
def platform_not_in_use(project: Project) -> Iterator[Finding]:
    """A group or group type runs on a platform that playbook.yaml does not list as in use.

    Why: the platform's limits (group size, message length) would not be checked.

    Fails: `platform: qq_group` with only wechat_group under `platforms`. Passes: list qq_group.
    """
    yield from _unknown(project, "platform", "platform '{}' is not listed under `platforms` in playbook.yaml")


def _extends_chain(project: Project, start: str) -> list[GroupRules]:
    """The rule set and its bases, stopping at a cycle or an unknown base."""
    chain: list[GroupRules] = []
    seen: set[str] = set()
    current: str | None = start
    while current is not None and current in project.rules and current not in seen:
        seen.add(current)
        chain.append(project.rules[current])
        current = project.rules[current].extends
    return chain


@rule("PB114", "extends-cycle", reads=GROUP_RULES)
def extends_cycle(project: Project) -> Iterator[Finding]:
    """Rule sets extend each other in a circle.

    Why: there is no base to start from, so the effective rules are undefined.

    Fails: a extends b, b extends a. Passes: a extends b, b extends nothing.
    """
    reported: set[frozenset[str]] = set()
    for start in sorted(project.rules):
        path: list[str] = []
        current: str | None = start
        while current is not None and current in project.rules and current not in path:
            path.append(current)
            current = project.rules[current].extends
        if current is not None and current in path:
            loop = path[path.index(current):]
            if frozenset(loop) in reported:
                continue
            reported.add(frozenset(loop))
            first = min(loop)
            span = project.span("GroupRules", first, "/extends")
            yield Finding(span, "rule sets extend each other in a cycle: "
                          + " → ".join([*loop[loop.index(first):], *loop[:loop.index(first)], first]))


@rule("PB115", "unused-definition", Severity.WARNING, through_references=True)
def unused_definition(project: Project) -> Iterator[Finding]:
    """Something is defined and never used: a metric, role, layer or group type of
    playbook.yaml, a calendar column no daily slot posts, or a reward no behaviour earns.

    Scripts, rule sets and packs are not reported: they reach groups through their own
    scope (`applies_to`, a launch audience), not through references.

    Why: dead entries mislead editors and drift out of date.

    Fails: a metric `repurchase-rate` no step, slot, layer or pack names.
    Passes: every metric is named somewhere (or remove it).
    """
    used: dict[str, set[str]] = {}
    for ref in references(project):
        used.setdefault(ref.target, set()).add(ref.value)
    pb = project.playbook
    catalogue = [
        ("metric", "metric", [(m.id, f"/metrics/{i}/id") for i, m in enumerate(pb.metrics)]),
        ("role", "role", [(r.id, f"/roles/{i}/id") for i, r in enumerate(pb.roles)]),
        ("layer", "layer", [(x.id, f"/layers/{i}/id") for i, x in enumerate(pb.layers)]),
        ("group_type", "group type", [(g.id, f"/group_types/{i}/id")
                                      for i, g in enumerate(pb.group_types)]),
    ]
    for target, noun, entries in catalogue:
        for ident, ptr in entries:
            if ident not in used.get(target, set()):
                yield Finding(project.span("Playbook", pb.id, ptr), f"{noun} '{ident}' is never used")
    for cal_id, cal in sorted(project.calendars.items()):
        for i, col in enumerate(cal.columns):
            slots_using = {s.column for s in cal.daily}
            if col.id not in slots_using:
                yield Finding(project.span("ActivityCalendar", cal_id, f"/columns/{i}/id"),
                              f"column '{col.id}' is never posted by a daily slot")
    named: dict[str, set[str | None]] = {}  # rule set -> rewards earned in it or a set extending it
    for other in project.rules.values():
        earned = {b.reward for b in other.encouraged + other.forbidden + other.required}
        for base in _extends_chain(project, other.id):
            named.setdefault(base.id, set()).update(earned)
    for rules_id, rules in sorted(project.rules.items()):
        for i, reward in enumerate(rules.rewards):
            if reward.id not in named.get(rules_id, set()):
                yield Finding(project.span("GroupRules", rules_id, f"/rewards/{i}/id"),
                              f"reward '{reward.id}' is never earned by an encouraged behaviour")


@rule("PB117", "unknown-skip-reference", reads=CALENDARS)
def unknown_skip(project: Project) -> Iterator[Finding]:
    """A holiday or exception skips a slot, event or game its calendar does not have.

    Why: the item meant to pause would still be posted on that day.

    Fails: `skip: [morning]` when the slot is `morning-greeting`. Passes: an existing item id.
    """
    for cal_id, cal in sorted(project.calendars.items()):
        known = _calendar_items(cal)
        for field_name in ("holidays", "exceptions"):
            for i, entry in enumerate(getattr(cal, field_name)):
                for j, item in enumerate(entry.skip):
                    if item not in known:
                        span = project.span("ActivityCalendar", cal_id, f"/{field_name}/{i}/skip/{j}")
                        yield Finding(span, f"'{item}' is not a slot, event or game of this calendar",
                                      help=suggest(item, known, "slots, events and games"))


def _calendar_items(cal: ActivityCalendar) -> set[str]:
    return {s.id for s in cal.daily} | {w.id for w in cal.weekly} | {g.id for g in cal.games}

