"""Group fields in messages (PB208, PB209): a template reads `group.fields.<id>` only for a
declared field, and only where every group that gets the text carries it.

Part of the template contract (PB2xx): the render context offers `group.fields` as a
mapping, so the base contract (PB201) lets any field name through and these rules judge it.
"""

from __future__ import annotations

from collections.abc import Iterator

from playbook.diagnostics import Related
from playbook.lint.analysis import analyse
from playbook.lint.messages import Body, Message, contents
from playbook.lint.registry import Finding, rule
from playbook.models.project import Project
from playbook.suggest import did_you_mean

MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
"""Reading `group.fields.items()` and the like is reading the mapping, not a field."""

SHOWN = 3
"""How many groups a finding names before it says how many more."""


def fields_read(body: Body) -> list[tuple[str, int]]:
    """(field id, line) of every `group.fields.<id>` a body reads, in order, once each."""
    if body.source is None:
        return []
    found: dict[str, int] = {}
    for ref in analyse(body.source).references:
        if len(ref.path) > 2 and ref.path[:2] == ("group", "fields") and ref.path[2] not in MAPPING_METHODS:
            found.setdefault(ref.path[2], ref.line)
    return list(found.items())


def lacking(project: Project, message: Message, body: Body, field_id: str) -> list[str]:
    """The groups that get this body but carry no value for `field_id`, sorted."""
    return sorted(a.group.id for a in message.audiences
                  if a.group is not None and field_id not in a.group.fields
                  and (body.receivers is None or a.group.id in body.receivers))


def field_gaps(project: Project, message: Message, body: Body) -> bool:
    """Whether this body reads a field that is undeclared or missing on a group that gets it
    (PB208/PB209 report it; the render rules then leave it alone)."""
    declared = {f.id for f in project.playbook.group_fields}
    return any(f not in declared or lacking(project, message, body, f) for f, _line in fields_read(body))


def _bodies(project: Project) -> Iterator[tuple[Message, Body]]:
    for message in contents(project).messages:
        for body in message.bodies:
            yield message, body


@rule("PB208", "undeclared-group-field", per_document=True)
def undeclared_group_field(project: Project) -> Iterator[Finding]:
    """A message reads `group.fields.<id>` for a field `group_fields` does not declare.

    Why: no group can carry an undeclared field, so the message fails for every group.

    Fails: `{{ group.fields.stroe }}` when the declared field is `store`.
    Passes: `{{ group.fields.store }}`.
    """
    declared = [f.id for f in project.playbook.group_fields]
    for _message, body in _bodies(project):
        for field_id, _line in fields_read(body):
            if field_id not in declared:
                yield Finding(body.span, f"template reads group.fields.{field_id}, which is not a declared "
                              "group field", help=did_you_mean(field_id, declared)
                              or ("declared fields: " + ", ".join(declared) if declared
                                  else "declare it under group_fields in playbook.yaml"))


@rule("PB209", "group-field-missing-for-message", per_document=True)
def group_field_missing_for_message(project: Project) -> Iterator[Finding]:
    """A message reads `group.fields.<id>`, and a group it is sent to has no value for it.

    The finding names the groups and where each is written in the roster.

    Why: rendering fails for that group on the day it is sent. Give the group its value,
    make the field required (then PB120 finds every gap), narrow the message's selector to
    groups that have it (`applies_to: {fields: {…}}`), or write a variant for the others.

    Fails: `{{ group.fields.store }}` in a calendar reaching a group without `store`.
    Passes: every group the calendar reaches has `fields: {store: …}`.
    """
    declared = {f.id for f in project.playbook.group_fields}
    for message, body in _bodies(project):
        for field_id, _line in fields_read(body):
            if field_id not in declared:
                continue
            missing = lacking(project, message, body, field_id)
            if not missing:
                continue
            spans = [project.group_span(g) for g in missing[:SHOWN]]
            named = ", ".join(f"'{g}' ({s.path}:{s.line})" for g, s in zip(missing, spans, strict=False))
            more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            yield Finding(body.span, f"template reads group.fields.{field_id}, which group"
                          f"{'s' if len(missing) > 1 else ''} {named}{more} "
                          f"{'lack' if len(missing) > 1 else 'lacks'}",
                          help=f"give {'them' if len(missing) > 1 else 'it'} a value for '{field_id}', or "
                               "narrow the selector to groups that have one",
                          related=tuple(Related(s, f"group '{g}'")
                                        for g, s in zip(missing, spans, strict=False)))
