"""The document model: one module per kind, plus the shared types.

`KINDS` maps each `kind:` value to its model; it is the single list the loader,
validation and schema generation work from.
"""

from __future__ import annotations

from playbook.models.base import API_VERSION, Document
from playbook.models.calendars import ActivityCalendar
from playbook.models.packs import MaterialPack
from playbook.models.playbook import Playbook, Roster
from playbook.models.rules import GroupRules
from playbook.models.scripts import OnboardingScript

KINDS: dict[str, type[Document]] = {
    "Playbook": Playbook,
    "Roster": Roster,
    "GroupRules": GroupRules,
    "OnboardingScript": OnboardingScript,
    "ActivityCalendar": ActivityCalendar,
    "MaterialPack": MaterialPack,
}

__all__ = [
    "API_VERSION",
    "KINDS",
    "ActivityCalendar",
    "Document",
    "GroupRules",
    "MaterialPack",
    "OnboardingScript",
    "Playbook",
    "Roster",
]
