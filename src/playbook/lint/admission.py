"""Admission per group (PB507, PB508): the classes a roster group holds obey the admission
policies of its type and of the whole playbook, as PB504/PB505 check the policies themselves."""

from __future__ import annotations

from collections.abc import Iterator

from playbook.diagnostics import Related
from playbook.lint.registry import NOTHING, Finding, rule
from playbook.models.playbook import Admission
from playbook.models.project import Project
from playbook.scope import group_type_of


def _policies(project: Project, group_id: str) -> list[tuple[str, str, Admission]]:
    """(pointer in playbook.yaml, who, admission) of the policies that bind a group."""
    pb = project.playbook
    found = [("/classification/admission", "the playbook", pb.classification.admission)]
    group_type = group_type_of(project, group_id)
    if group_type is not None:
        i = pb.group_types.index(group_type)
        found.append((f"/group_types/{i}/admission", f"group type '{group_type.id}'", group_type.admission))
    return found


def _dimension(cls: str) -> str:
    return cls.partition(":")[0]


@rule("PB507", "group-class-not-admitted", reads=NOTHING)
def group_class_not_admitted(project: Project) -> Iterator[Finding]:
    """A group holds a class that its type or the playbook refuses, or a class of a
    dimension whose `admit` list leaves it out.

    Why: the group's members are exactly who the policy keeps out, e.g. a B2B store-owner
    group holding `identity:consumer`. When `admit` names classes of a dimension (`identity:
    store`), other values of that dimension are not admitted either.

    Fails: `classes: [identity:consumer]` in a group whose type refuses identity:consumer.
    Passes: `classes: [identity:store]`.
    """
    pb_id = project.playbook.id
    for group_id, group in project.groups.items():
        policies = _policies(project, group_id)
        admitted = [c for _p, _w, a in policies for c in a.admit]
        for i, cls in enumerate(group.classes):
            span = project.group_span(group_id, f"classes/{i}")
            refusing = next(((p, w, a) for p, w, a in policies if cls in a.refuse), None)
            if refusing is not None:
                ptr, who, admission = refusing
                yield Finding(span, f"group '{group_id}' holds {cls}, which {who} refuses",
                              help="correct the group's classes, or move its members to a group that "
                                   "admits them",
                              related=(Related(project.span("Playbook", pb_id,
                                                            f"{ptr}/refuse/{admission.refuse.index(cls)}"),
                                               "refused here"),))
                continue
            same = [c for c in admitted if _dimension(c) == _dimension(cls)]
            if same and cls not in admitted:
                yield Finding(span, f"group '{group_id}' holds {cls}, but only {', '.join(same)} "
                              f"{'is' if len(same) == 1 else 'are'} admitted for {_dimension(cls)}",
                              help="correct the group's classes, or admit this class too")


@rule("PB508", "group-holds-conflicting-classes", reads=NOTHING)
def group_holds_conflicting_classes(project: Project) -> Iterator[Finding]:
    """A group holds two (or more) classes that an admission policy lists together in
    `must_not_share`.

    Why: classes with conflicting interests (suppliers and their buyers, rival stores) turn
    the group into a fight or a poaching ground; PB504 finds this in a type's policy, this
    rule in the groups themselves.

    Fails: `classes: [identity:store, identity:brand]` with `must_not_share: [[identity:store,
    identity:brand]]`. Passes: split them into two groups.
    """
    pb_id = project.playbook.id
    for group_id, group in project.groups.items():
        held = set(group.classes)
        for ptr, _who, admission in _policies(project, group_id):
            for j, classes in enumerate(admission.must_not_share):
                both = [c for c in dict.fromkeys(classes) if c in held]
                if len(both) > 1:
                    listed = project.span("Playbook", pb_id, f"{ptr}/must_not_share/{j}")
                    yield Finding(project.group_span(group_id, "classes"),
                                  f"group '{group_id}' holds {' and '.join(both)}, which must not share "
                                  "a group", help="split the group, or correct its classes",
                                  related=(Related(listed, "listed together here"),))
