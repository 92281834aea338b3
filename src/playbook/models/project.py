"""`Project`: the whole validated playbook, indexed by id and frozen. The single input
to everything downstream (lint, handbook, schedule, bundles)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from playbook.files import PlaybookFiles
from playbook.models.base import Document
from playbook.models.calendars import ActivityCalendar
from playbook.models.packs import MaterialPack
from playbook.models.playbook import Group, Playbook
from playbook.models.rules import GroupRules
from playbook.models.scripts import OnboardingScript
from playbook.platforms import PlatformLimits
from playbook.source import SourceMap, Span, Suppression


@dataclass(frozen=True)
class Project:
    """All documents of one playbook, indexed by id, with where each came from."""

    root: Path
    playbook: Playbook
    groups: Mapping[str, Group]
    rules: Mapping[str, GroupRules]
    scripts: Mapping[str, OnboardingScript]
    calendars: Mapping[str, ActivityCalendar]
    packs: Mapping[str, MaterialPack]
    paths: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(kind, id) -> the document's file, relative to the root."""
    sources: Mapping[str, SourceMap] = field(default_factory=dict)
    """file -> its JSON-pointer source map."""
    files: frozenset[str] = frozenset()
    """Every file under the root, for media and template look-ups."""
    platforms: Mapping[str, PlatformLimits] = field(default_factory=dict)
    """Limits of each platform in use: shipped defaults with the playbook's overrides."""

    group_home: tuple[str, str] = ("Playbook", "")
    roster_document: Document | None = None
    """roster.yaml, when the groups live there."""
    """(kind, id) of the document that lists the groups: playbook.yaml or roster.yaml."""
    suppressions: Mapping[str, tuple[Suppression, ...]] = field(default_factory=dict)
    """file -> its inline `# playbook: ignore[...]` comments."""
    horizon: tuple[tuple[dt.date, dt.date], ...] | None = None
    """Set only on a part of a project (`playbook.incremental`): the date windows the schedule
    rules expand in the whole project, which the part's own documents would not span."""
    channels: frozenset[str] | None = None
    """Set only on a part of a project: the schedule rules expand only the sends on these
    channels (for a rule that counts only those)."""

    def span(self, kind: str, doc_id: str, ptr: str = "", *, key: bool = False) -> Span:
        """Where the value (or, with key=True, the key) at `ptr` of a document stands."""
        path = self.paths[(kind, doc_id)]
        source = self.sources[path]
        return source.key(ptr) if key else source.value(ptr)

    def group_span(self, group_id: str, field_name: str = "") -> Span:
        """Where a roster group (or one of its fields) is written."""
        return self.span(*self.group_home, self.group_pointer(group_id, field_name))

    def group_pointer(self, group_id: str, field_name: str = "") -> str:
        """The JSON pointer of a roster group (or one of its fields) in its document."""
        ptr = f"/groups/{self._group_index[group_id]}"
        return f"{ptr}/{field_name}" if field_name else ptr

    @functools.cached_property
    def access(self) -> PlaybookFiles:
        """The file-access layer for this playbook: media and templates are read through it."""
        return PlaybookFiles(self.root)

    @functools.cached_property
    def _group_index(self) -> dict[str, int]:
        return {group_id: i for i, group_id in enumerate(self.groups)}

    def documents(self) -> list[tuple[str, str, Document]]:
        """(kind, id, document) for every document, in a stable order."""
        found: list[tuple[str, str, Document]] = [("Playbook", self.playbook.id, self.playbook)]
        if self.group_home[0] == "Roster" and self.roster_document is not None:
            found.append(("Roster", self.group_home[1], self.roster_document))
        for kind, table in (("GroupRules", self.rules), ("OnboardingScript", self.scripts),
                            ("ActivityCalendar", self.calendars), ("MaterialPack", self.packs)):
            found += [(kind, doc_id, table[doc_id]) for doc_id in sorted(table)]
        return found

    @property
    def document_count(self) -> int:
        return 1 + len(self.rules) + len(self.scripts) + len(self.calendars) + len(self.packs)


TABLES = {"GroupRules": "rules", "OnboardingScript": "scripts", "ActivityCalendar": "calendars",
          "MaterialPack": "packs"}
"""The kinds of document a project holds many of, and their table in `Project`."""
