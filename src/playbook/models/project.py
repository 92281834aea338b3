"""`Project`: the whole validated playbook, indexed by id and frozen. The single input
to everything downstream (lint, handbook, schedule, bundles)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from playbook.models.calendars import ActivityCalendar
from playbook.models.packs import MaterialPack
from playbook.models.playbook import Group, Playbook
from playbook.models.rules import GroupRules
from playbook.models.scripts import OnboardingScript
from playbook.platforms import PlatformLimits
from playbook.source import SourceMap


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

    @property
    def document_count(self) -> int:
        return 1 + len(self.rules) + len(self.scripts) + len(self.calendars) + len(self.packs)
