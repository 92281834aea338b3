"""Which documents a change adds, removes or edits, field by field in the words an editor
uses (`forbidden › no-ads › detect`), and whether each edited document's `version` was bumped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from playbook.codes import VERSION_CODE, VERSION_NAME
from playbook.diagnostics import Diagnostic, Severity
from playbook.models.base import Document
from playbook.models.project import Project

KIND_NAMES = {
    "Playbook": ("playbook", "Playbook"),
    "Roster": ("roster", "Roster"),
    "GroupRules": ("rule set", "Rule sets"),
    "OnboardingScript": ("script", "Onboarding scripts"),
    "ActivityCalendar": ("calendar", "Activity calendars"),
    "MaterialPack": ("material pack", "Material packs"),
}
"""kind -> (what one document is called, the heading of the kind's section)."""

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: where (in editor words), and the value before and after."""

    path: str
    change: Change
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class DocumentChange:
    """A document that was added, removed or edited."""

    kind: str
    doc_id: str
    file: str
    change: Change
    before_version: str | None
    after_version: str | None
    fields: tuple[FieldChange, ...] = ()

    @property
    def noun(self) -> str:
        return KIND_NAMES.get(self.kind, (self.kind, self.kind))[0]


def _content(doc: Document) -> dict[str, Any]:
    data: dict[str, Any] = doc.model_dump(mode="json", by_alias=True, exclude_defaults=True, warnings=False)
    data.pop("version", None)
    return data


def _documents(project: Project | None) -> dict[tuple[str, str], Document]:
    if project is None:
        return {}
    return {(kind, doc_id): doc for kind, doc_id, doc in project.documents()}


def document_changes(base: Project | None, head: Project) -> list[DocumentChange]:
    """Every document that differs between `base` (None: no playbook yet) and `head`, in
    the head's document order, removed ones last."""
    before, after = _documents(base), _documents(head)
    found: list[DocumentChange] = []
    for key, doc in after.items():
        file = head.paths.get(key, "")
        old = before.get(key)
        if old is None:
            found.append(DocumentChange(*key, file, "added", None, str(doc.version)))
            continue
        fields = tuple(compare(_content(old), _content(doc)))
        if fields or str(old.version) != str(doc.version):
            found.append(DocumentChange(*key, file, "changed", str(old.version), str(doc.version), fields))
    for key, doc in before.items():
        if key not in after:
            file = base.paths.get(key, "") if base is not None else ""
            found.append(DocumentChange(*key, file, "removed", str(doc.version), None))
    return found


def compare(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    """The differences between two JSON values. Lists of items with ids are matched by id,
    so inserting a rule reports one added rule, not every rule after it as changed."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[FieldChange] = []
        for key in [*before, *(k for k in after if k not in before)]:
            where = _join(path, key)
            if key not in after:
                found.append(FieldChange(where, "removed", before[key], None))
            elif key not in before:
                found.append(FieldChange(where, "added", None, after[key]))
            else:
                found += compare(before[key], after[key], where)
        return found
    if _by_id(before) and _by_id(after):
        old = {item["id"]: item for item in before}
        new = {item["id"]: item for item in after}
        found = []
        for item_id in [*old, *(i for i in new if i not in old)]:
            where = _join(path, item_id)
            if item_id not in new:
                found.append(FieldChange(where, "removed", old[item_id], None))
            elif item_id not in old:
                found.append(FieldChange(where, "added", None, new[item_id]))
            else:
                found += compare(old[item_id], new[item_id], where)
        return found
    if (isinstance(before, list) and isinstance(after, list) and len(before) == len(after)
            and any(isinstance(v, dict) for v in before)):
        return [c for i, (b, a) in enumerate(zip(before, after, strict=True))
                for c in compare(b, a, _join(path, f"#{i + 1}"))]
    if before != after:
        return [FieldChange(path or "document", "changed", before, after)]
    return []


def _by_id(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(v, dict) and isinstance(v.get("id"), str) for v in value))


def _join(path: str, key: str) -> str:
    return f"{path} › {key}" if path else key


def _bumped(before: str | None, after: str | None) -> bool:
    """Whether `after` takes precedence over `before` by semantic versioning's rules (the
    `semver` library: 1.10.0 > 1.9.0, 1.0.0 > 1.0.0-rc.1 > 1.0.0-beta, build metadata ignored).
    A document new in this revision, or a version that does not parse, counts as bumped only
    when it parses and the other is missing."""
    import semver

    try:
        new = semver.Version.parse(after or "")
    except ValueError:
        return False
    try:
        return bool(new.compare(semver.Version.parse(before or "")) > 0)
    except ValueError:
        return before is None


def version_problems(changes: list[DocumentChange], head: Project) -> list[Diagnostic]:
    """An error for each edited document whose version did not go up: a changed rule set
    must not ship under the version operators already know."""
    found = []
    for change in changes:
        if change.change != "changed" or not change.fields:
            continue
        if _bumped(change.before_version, change.after_version):
            continue
        span = head.span(change.kind, change.doc_id, "/version")
        found.append(Diagnostic(
            span, Severity.ERROR, VERSION_CODE, VERSION_NAME,
            f"{change.noun} '{change.doc_id}' changed but its version is still "
            f"{change.after_version} (was {change.before_version})",
            help="bump it: PATCH for wording, MINOR for added items, MAJOR for a different ladder "
                 "or schedule"))
    return found
