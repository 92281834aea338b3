"""Rules and roles (PB5xx): escalation ladders that make sense and can be carried out, KOLs
kept to the layers they come from, and admission policies that do not contradict themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from playbook.diagnostics import Related, Severity
from playbook.lint.registry import GROUP_RULES, NOTHING, Finding, rule
from playbook.models.base import Document, Scope
from playbook.models.calendars import Game, Slot, WeeklyEvent
from playbook.models.packs import TimelineStep
from playbook.models.playbook import Admission, Role
from playbook.models.project import Project
from playbook.models.rules import GroupRules
from playbook.models.scripts import Step
from playbook.scope import group_type_of, groups_in
from playbook.walk import models_in

SEVERITY_OF_ACTION = {"reminder": 1, "warning": 2, "mute": 3, "removal": 4}
CANNOT_SILENCE = {"koc", "guest"}
"""Role kinds that hold no admin rights in the group, so cannot mute or remove members."""


def _chain(project: Project, start: str) -> list[GroupRules]:
    """The rule set and the sets it extends, stopping at a cycle or an unknown base."""
    chain: dict[str, GroupRules] = {}
    current: str | None = start
    while current is not None and current in project.rules and current not in chain:
        chain[current] = project.rules[current]
        current = chain[current].extends
    return list(chain.values())


@rule("PB501", "escalation-out-of-order", reads=GROUP_RULES)
def escalation_out_of_order(project: Project) -> Iterator[Finding]:
    """An escalation ladder goes backwards: a milder action after a harsher one (a warning
    after a mute), or a step whose `after` is not later than the step before it.

    Why: the ladder is applied rung by rung; out of order, members are muted before they
    were ever warned, or two rungs fire on the same violation.

    Fails: `mute` at `after: 2`, then `warning` at `after: 3`.
    Passes: reminder (1) → warning (2) → mute (3) → removal (4).
    """
    for rules_id, rules in sorted(project.rules.items()):
        for i, (before, step) in enumerate(pairwise(rules.escalation), start=1):
            if step.after <= before.after:
                yield Finding(project.span("GroupRules", rules_id, f"/escalation/{i}/after"),
                              f"'{step.action}' is taken at violation {step.after}, not after the "
                              f"previous step ('{before.action}' at violation {before.after})",
                              help="number the steps 1, 2, 3, … from the mildest")
            if SEVERITY_OF_ACTION[step.action] < SEVERITY_OF_ACTION[before.action]:
                yield Finding(project.span("GroupRules", rules_id, f"/escalation/{i}/action"),
                              f"'{step.action}' comes after the harsher '{before.action}'; the ladder "
                              "must go reminder → warning → mute → removal")


@rule("PB502", "forbidden-without-enforcement", reads=GROUP_RULES)
def forbidden_without_enforcement(project: Project) -> Iterator[Finding]:
    """A rule set forbids behaviours, but neither it nor any set it extends has an
    escalation ladder.

    Why: a ban nobody enforces teaches members the rules are optional.

    Fails: `forbidden: [no-ads]` and no `escalation` in the set or its bases.
    Passes: add `escalation:` (reminder → warning → mute → removal), or extend a set that has one.
    """
    for rules_id, rules in sorted(project.rules.items()):
        if rules.forbidden and not any(r.escalation for r in _chain(project, rules_id)):
            count = len(rules.forbidden)
            yield Finding(project.span("GroupRules", rules_id, "/forbidden", key=True),
                          f"rule set '{rules_id}' forbids {count} behaviour{'s' if count > 1 else ''} "
                          "but neither it nor a set it extends says how violations are answered",
                          help="add an escalation ladder with an enforcer for each step")


def _sending_items(project: Project) -> Iterator[tuple[str, str, str, str, Scope]]:
    """(kind, doc id, pointer, sender, scope) of every item sent by a role."""
    documents: list[tuple[str, str, Document, Scope]] = []
    documents += [("ActivityCalendar", i, d, d.applies_to) for i, d in sorted(project.calendars.items())]
    documents += [("OnboardingScript", i, d, d.applies_to) for i, d in sorted(project.scripts.items())]
    documents += [("MaterialPack", i, d, d.launch.audience) for i, d in sorted(project.packs.items())]
    for kind, doc_id, doc, scope in documents:
        for ptr, model in models_in(doc):
            if isinstance(model, (Slot, WeeklyEvent, Game, Step, TimelineStep)) and model.sender:
                yield kind, doc_id, ptr, model.sender, scope


@rule("PB503", "kol-duty-outside-drawn-layers", Severity.WARNING, per_document=True)
def kol_duty_outside_drawn_layers(project: Project) -> Iterator[Finding]:
    """A KOL role sends in groups whose layer is not one of the layers it is drawn from.

    Why: a KOL's voice counts because they are a peer of the layer; in another layer's group
    they are a stranger, and the pyramid's roles blur. Roles with no `drawn_from`, and group
    types with no layer, are not judged.

    Fails: a KOL drawn from `[top]` sending a slot in `middle` groups.
    Passes: `drawn_from: [top, middle]`, or an official sender in that slot.
    """
    roles: dict[str, Role] = {r.id: r for r in project.playbook.roles}
    for kind, doc_id, ptr, sender, scope in _sending_items(project):
        role = roles.get(sender)
        if role is None or role.kind != "kol" or not role.drawn_from:
            continue
        outside = []
        for group_id in groups_in(project, scope):
            group_type = group_type_of(project, group_id)
            if group_type and group_type.layer and group_type.layer not in role.drawn_from:
                outside.append(f"{group_id} ({group_type.layer})")
        if outside:
            more = f" and {len(outside) - 3} more" if len(outside) > 3 else ""
            yield Finding(project.span(kind, doc_id, f"{ptr}/sender"),
                          f"KOL role '{sender}' is drawn from {', '.join(role.drawn_from)} but sends "
                          f"this in {len(outside)} group{'s' if len(outside) > 1 else ''} of other layers: "
                          + ", ".join(outside[:3]) + more,
                          help="send it as an official or operator role, or draw the KOL from that layer too")


def _admissions(project: Project) -> Iterator[tuple[str, Admission]]:
    """(pointer, admission) of the playbook-wide policy and of each group type's."""
    pb = project.playbook
    yield "/classification/admission", pb.classification.admission
    for i, group_type in enumerate(pb.group_types):
        yield f"/group_types/{i}/admission", group_type.admission


@rule("PB504", "conflicting-classes-share-group", reads=NOTHING)
def conflicting_classes_share_group(project: Project) -> Iterator[Finding]:
    """A group type admits two (or more) classes that an admission policy lists together in
    `must_not_share`.

    Why: classes with conflicting interests (suppliers and their buyers, rival stores) turn
    the group into a fight or a poaching ground. A type admits what its own `admit` and the
    playbook-wide `admit` list, minus anything refused; with both empty it admits everyone
    not refused and is not judged here.

    Fails: `admit: [identity:store, identity:brand]` with `must_not_share: [[identity:store,
    identity:brand]]`. Passes: admit one of them, or refuse the other.
    """
    pb = project.playbook
    wide = pb.classification.admission
    pb_span = ("Playbook", pb.id)
    for i, group_type in enumerate(pb.group_types):
        refused = set(wide.refuse) | set(group_type.admission.refuse)
        admitted = [c for c in dict.fromkeys([*group_type.admission.admit, *wide.admit]) if c not in refused]
        where = f"/group_types/{i}/admission/admit" if group_type.admission.admit else f"/group_types/{i}/id"
        for ptr, admission in (("/classification/admission", wide), (f"/group_types/{i}/admission",
                                                                     group_type.admission)):
            for j, classes in enumerate(admission.must_not_share):
                both = [c for c in dict.fromkeys(classes) if c in admitted]
                if len(both) > 1:
                    yield Finding(project.span(*pb_span, where),
                                  f"group type '{group_type.id}' admits {' and '.join(both)}, which "
                                  "must not share a group",
                                  help="admit only one of them, or refuse the others in this type",
                                  related=(Related(project.span(*pb_span, f"{ptr}/must_not_share/{j}"),
                                                   "listed together here"),))


@rule("PB505", "class-admitted-and-refused", reads=NOTHING)
def class_admitted_and_refused(project: Project) -> Iterator[Finding]:
    """The same class is both admitted and refused: in one admission policy, or admitted by a
    group type while the playbook-wide policy refuses it.

    Why: the eligibility check cannot follow both; whoever reads it first decides.

    Fails: `admit: [identity:consumer]` in a group type, with the playbook-wide
    `refuse: [identity:consumer]`. Passes: drop one of the two.
    """
    pb = project.playbook
    wide_refuse = pb.classification.admission.refuse
    for ptr, admission in _admissions(project):
        for j, cls in enumerate(admission.admit):
            if cls in admission.refuse:
                other = f"{ptr}/refuse/{admission.refuse.index(cls)}"
                scope = "refused in the same policy"
            elif cls in wide_refuse and ptr != "/classification/admission":
                other = f"/classification/admission/refuse/{wide_refuse.index(cls)}"
                scope = "refused playbook-wide"
            else:
                continue
            yield Finding(project.span("Playbook", pb.id, f"{ptr}/admit/{j}"),
                          f"'{cls}' is admitted here but {scope}",
                          help="decide: remove it from admit or from refuse",
                          related=(Related(project.span("Playbook", pb.id, other), "refused here"),))


@rule("PB506", "enforcer-cannot-mute-or-remove", reads=GROUP_RULES)
def enforcer_cannot_mute_or_remove(project: Project) -> Iterator[Finding]:
    """A mute or removal step is enforced by a KOC or guest role.

    Why: KOCs and guests are members without admin rights: they cannot mute or remove anyone,
    so the step would never happen.

    Fails: `action: mute` with `enforcer: guest-speaker` (kind guest).
    Passes: `enforcer: owner`, an operator, the official account or a KOL.
    """
    kinds = {r.id: r.kind for r in project.playbook.roles}
    for rules_id, rules in sorted(project.rules.items()):
        for i, step in enumerate(rules.escalation):
            kind = kinds.get(step.enforcer)
            if step.action in ("mute", "removal") and kind in CANNOT_SILENCE:
                verb = "mute" if step.action == "mute" else "remove"
                yield Finding(project.span("GroupRules", rules_id, f"/escalation/{i}/enforcer"),
                              f"'{step.enforcer}' is a {kind} role and cannot {verb} members",
                              help="give mute and removal to the owner, an operator or the official account")
