"""Platform limits: the shipped defaults (data/platforms.yaml) merged with a playbook's overrides.

Limits are data, not code: the defaults file cites a source for every figure.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from playbook.models.playbook import Platform, Playbook


@dataclass(frozen=True)
class PlatformLimits:
    """What the checks know about one platform."""

    id: str
    max_members: int | None
    qr_join_max_members: int | None
    message_max_bytes: int | None
    max_attachments: int | None
    announcement_by: tuple[str, ...]
    can_mute: bool
    placeholders: tuple[tuple[str, str], ...]
    source: str
    group_sends_per_day: int | None = None
    """Company group sends (`wecom_group_send`) one customer group receives per day."""
    sends_per_minute: int | None = None
    """Messages one group robot (`wecom_robot`) may post per minute."""
    posts_per_day_min: int | None = None
    """Fewest posts a day an account should make on this channel (Moments: 2), for PB421."""
    posts_per_day_max: int | None = None
    """Most posts a day before followers tire of them (Moments: 3), for PB421."""


@cache
def defaults() -> dict[str, PlatformLimits]:
    """The shipped defaults, read once from package data (trusted, not a playbook file)."""
    text = resources.files("playbook").joinpath("data/platforms.yaml").read_text("utf-8")
    raw: dict[str, dict[str, Any]] = yaml.load(text, Loader=yaml.CSafeLoader)
    return {
        name: PlatformLimits(
            id=name,
            max_members=entry["max_members"],
            qr_join_max_members=entry["qr_join_max_members"],
            message_max_bytes=entry["message_max_bytes"],
            max_attachments=entry["max_attachments"],
            announcement_by=tuple(entry["announcement_by"]),
            can_mute=entry["can_mute"],
            placeholders=tuple(sorted(entry["placeholders"].items())),
            source=" ".join(entry["source"].split()),
            group_sends_per_day=entry.get("group_sends_per_day"),
            sends_per_minute=entry.get("sends_per_minute"),
            posts_per_day_min=entry.get("posts_per_day_min"),
            posts_per_day_max=entry.get("posts_per_day_max"),
        )
        for name, entry in raw.items()
    }


def _override(base: PlatformLimits, given: Platform) -> PlatformLimits:
    changes: dict[str, Any] = {}
    for f in fields(PlatformLimits):
        value = getattr(given, f.name, None)
        if f.name in ("id", "source") or value is None:
            continue
        if f.name == "announcement_by":
            value = tuple(value)
        elif f.name == "placeholders":
            value = tuple(sorted(value.items()))
        changes[f.name] = value
    if given.note:
        changes["source"] = f"{given.note} (overridden in playbook.yaml; default: {base.source})"
    return replace(base, **changes)


def effective(playbook: Playbook) -> dict[str, PlatformLimits]:
    """The limits of each platform the playbook uses, with its overrides applied."""
    table = defaults()
    return {p.id: _override(table[p.id], p) for p in playbook.platforms}
