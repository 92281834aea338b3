"""Groups as data (PB118–PB122): the values roster groups carry fit the fields playbook.yaml
declares, WeCom ids are not shared, and every selector reaches a group.

Field values are checked here rather than in the JSON Schema because the declaration lives in
another file (playbook.yaml) than the values (roster.yaml).
"""

from __future__ import annotations

from collections.abc import Iterator

from playbook.diagnostics import Related, Severity
from playbook.lint.registry import NOTHING, Finding, per_project, rule
from playbook.models.base import Scope
from playbook.models.fields import GroupField, field_matches
from playbook.models.project import Project
from playbook.scope import describe, groups_in
from playbook.source import Span, join
from playbook.suggest import did_you_mean
from playbook.walk import models_in


def _declared(project: Project) -> dict[str, GroupField]:
    return {f.id: f for f in project.playbook.group_fields}


@per_project  # five rules read them: one walk over every document
def selectors(project: Project) -> list[tuple[str, str, str, Scope]]:
    """(kind, document id, JSON pointer, selector) of every selector in the playbook:
    applies_to, launch audiences, items' own applies_to and variants' `when`."""
    return [(kind, doc_id, ptr, model) for kind, doc_id, doc in project.documents()
            for ptr, model in models_in(doc) if isinstance(model, Scope)]


def _field_key(project: Project, group_id: str, field_id: str) -> Span:
    ptr = join(project.group_pointer(group_id, "fields"), field_id)
    return project.span(*project.group_home, ptr, key=True)


@rule("PB118", "unknown-group-field", per_document=True)
def unknown_group_field(project: Project) -> Iterator[Finding]:
    """A group, or a selector's `fields`, names a field that `group_fields` in playbook.yaml
    does not declare.

    Why: the value would never be read (a typo such as `ctiy`), and a selector on it would
    reach no group. Declare the field, or fix its spelling.

    Fails: `fields: {ctiy: 广州}` with `group_fields: [{id: city, …}]`.
    Passes: `fields: {city: 广州}`.
    """
    declared = _declared(project)
    for group_id, group in project.groups.items():
        for field_id in group.fields:
            if field_id not in declared:
                yield Finding(_field_key(project, group_id, field_id),
                              f"group '{group_id}' has a value for '{field_id}', which is not a declared "
                              "group field", help=did_you_mean(field_id, declared) or _declare_help(declared))
    for kind, doc_id, ptr, scope in selectors(project):
        for field_id in scope.fields:
            if field_id not in declared:
                yield Finding(project.span(kind, doc_id, join(join(ptr, "fields"), field_id), key=True),
                              f"the selector names '{field_id}', which is not a declared group field",
                              help=did_you_mean(field_id, declared) or _declare_help(declared))


def _declare_help(declared: dict[str, GroupField]) -> str:
    if not declared:
        return "declare it under group_fields in playbook.yaml"
    return "declared fields: " + ", ".join(declared)


@rule("PB119", "group-field-value-mismatch", per_document=True)
def group_field_value_mismatch(project: Project) -> Iterator[Finding]:
    """A group's field value (or a value a selector looks for) does not fit the field's
    declared type: not a number, not a date, not an https URL, not one of an enum's values.

    Why: a number written as text sorts and compares wrongly, and an enum value not declared
    (`华东` for `east`) is never matched by a selector.

    Fails: `fields: {region: 华东}` with `{id: region, type: enum, values: [east, south]}`.
    Passes: `fields: {region: east}`.
    """
    declared = _declared(project)
    for group_id, group in project.groups.items():
        for field_id, value in group.fields.items():
            spec = declared.get(field_id)
            problem = field_matches(spec, value) if spec is not None else None
            if spec is not None and problem is not None:
                ptr = join(project.group_pointer(group_id, "fields"), field_id)
                yield Finding(project.span(*project.group_home, ptr),
                              f"group '{group_id}': {problem} for the {spec.type} field '{field_id}'",
                              help=_value_help(spec, value))
    for kind, doc_id, ptr, scope in selectors(project):
        for field_id, values in scope.fields.items():
            spec = declared.get(field_id)
            for i, value in enumerate(values):
                problem = field_matches(spec, value) if spec is not None else None
                if spec is not None and problem is not None:
                    where = join(join(join(ptr, "fields"), field_id), i)
                    yield Finding(project.span(kind, doc_id, where),
                                  f"the selector's value for the {spec.type} field '{field_id}': {problem}",
                                  help=_value_help(spec, value))


def _value_help(spec: GroupField, value: object) -> str | None:
    if spec.type == "enum":
        return did_you_mean(str(value), spec.values) or "declared values: " + ", ".join(spec.values)
    return {"number": "write a number without quotes", "date": "write a real day as YYYY-MM-DD",
            "url": "write a full https:// address", "text": "quote it to make it text"}[spec.type]


@rule("PB120", "required-group-field-missing", reads=NOTHING)
def required_group_field_missing(project: Project) -> Iterator[Finding]:
    """A group lacks a field that playbook.yaml declares `required: true`.

    Why: messages and selectors rely on a required field being there for every group.

    Fails: a group without `fields: {store: …}` when `store` is required.
    Passes: give the group its value, or make the field optional.
    """
    required = [f for f in project.playbook.group_fields if f.required]
    for group_id, group in project.groups.items():
        missing = [f.id for f in required if f.id not in group.fields]
        if missing:
            where = "fields" if group.fields else "id"
            yield Finding(project.span(*project.group_home, project.group_pointer(group_id, where),
                                       key=where == "fields"),
                          f"group '{group_id}' lacks the required field{'s' if len(missing) > 1 else ''} "
                          + ", ".join(f"'{m}'" for m in missing),
                          help="add it under the group's fields")


@rule("PB121", "duplicate-wecom-id", reads=NOTHING)
def duplicate_wecom_id(project: Project) -> Iterator[Finding]:
    """Two groups share a `chat_id` or a group `robot`, or two operators a `wecom_userid`.

    Why: WeCom ids name exactly one customer group or member; a copied id posts one group's
    messages into another, or books one operator's groups to someone else. A robot's webhook
    key (`WECOM_ROBOT_<NAME>`) is found by its name, so two groups naming one robot would post
    each other's texts through one webhook.

    Fails: two groups with `chat_id: wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA`.
    Passes: each group with its own chat_id, as the WeCom export lists it.
    """
    # positions are looked up only for what is reported: most rosters have no duplicate
    for key in ("chat_id", "robot"):
        first: dict[str, str] = {}
        for group_id, group in project.groups.items():
            value = getattr(group, key)
            if value is None:
                continue
            # robots are told apart by their key's variable, where case and -/_ fold together
            same = value.upper().replace("-", "_") if key == "robot" else value
            if same not in first:
                first[same] = group_id
                continue
            home, before = project.group_home, project.group_pointer(first[same], key)
            yield Finding(project.span(*home, project.group_pointer(group_id, key)),
                          f"{key} '{value}' of group '{group_id}' is already another group's",
                          related=(Related(project.span(*home, before), "first used here"),))
    seen: dict[str, int] = {}
    pb = ("Playbook", project.playbook.id)
    for i, operator in enumerate(project.playbook.operators):
        if operator.wecom_userid is None:
            continue
        if operator.wecom_userid not in seen:
            seen[operator.wecom_userid] = i
            continue
        earlier = project.span(*pb, f"/operators/{seen[operator.wecom_userid]}/wecom_userid")
        yield Finding(project.span(*pb, f"/operators/{i}/wecom_userid"),
                      f"wecom_userid '{operator.wecom_userid}' of operator '{operator.id}' is already "
                      "another operator's", related=(Related(earlier, "first used here"),))


@rule("PB122", "selector-reaches-no-group", Severity.WARNING, per_document=True)
def selector_reaches_no_group(project: Project) -> Iterator[Finding]:
    """A selector (applies_to, a launch audience, a variant's `when`) reaches no roster group.

    Only judged when the roster has groups. Why: whatever it selects is never sent: a class
    no group holds yet, a city spelt differently from the roster, a tag nobody carries.

    Fails: `applies_to: {classes: [region:north]}` when no group holds region:north.
    Passes: give a group that class, or select one that groups hold.
    """
    if not project.groups:
        return
    for kind, doc_id, ptr, scope in selectors(project):
        if not scope.is_empty and not groups_in(project, scope):
            yield Finding(project.span(kind, doc_id, ptr, key=True),
                          f"this selector ({describe(scope)}) reaches no group in the roster",
                          help="check the spelling against the roster, or remove the selector")
