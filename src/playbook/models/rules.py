"""`GroupRules` (rules/*.yaml): what is forbidden, encouraged and required in a group,
the rewards, the escalation ladder, and the announcement built from them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from playbook.models.base import Document, Model, Scope
from playbook.models.types import Duration, Id, Text, UniqueIds

Detection = Literal[
    "link", "qr_code", "mini_program", "card", "keyword", "flooding", "red_envelope", "manual",
]
"""What can spot a behaviour: a link, a QR code, a mini-program, a shared contact card,
keywords, flooding (many messages in a short time), red envelopes, or only a person."""

EscalationAction = Literal["reminder", "warning", "mute", "removal"]
"""The steps of enforcement, mildest first."""


class Behaviour(Model):
    """One rule: a behaviour that is forbidden, encouraged or required."""

    id: Id
    """Short id, e.g. `no-ads`."""
    text: Text
    """The rule as members read it: short and plain."""
    detect: list[Detection] = []
    """What can spot it."""
    keywords: list[str] = []
    """Words that suggest it, when `keyword` is one of the detections."""
    reward: Id | None = None
    """For an encouraged behaviour: the reward it earns."""


class Reward(Model):
    """A reward for encouraged behaviour."""

    id: Id
    """Short id, e.g. `weekly-star`."""
    name: Text
    """What the member gets, e.g. 周度活跃之星 + 10 元红包."""
    criteria: Text
    """How it is earned."""


class EscalationStep(Model):
    """One rung of the ladder that answers a violation."""

    action: EscalationAction
    """What happens."""
    after: int = Field(ge=1)
    """At which violation (1 = the first) this step is taken."""
    enforcer: Id
    """The role that carries it out."""
    duration: Duration | None = None
    """For a mute: how long."""
    message: Text | None = None
    """What the enforcer says."""


class Announcement(Model):
    """The group announcement built from these rules."""

    intro: Text
    """Opening lines: what the group is for."""
    outro: Text | None = None
    """Closing lines: who to contact, a thank-you."""
    include: list[Literal["forbidden", "encouraged", "required", "rewards"]] = [
        "required", "forbidden", "encouraged"]
    """Which lists appear in the announcement, in this order."""


class GroupRules(Document):
    """A rule set for one or more group types or layers."""

    kind: Literal["GroupRules"]
    """Always `GroupRules`."""
    applies_to: Scope = Scope()
    """Which groups these rules apply to."""
    extends: Id | None = None
    """A base rule set whose rules these add to."""
    forbidden: Annotated[list[Behaviour], UniqueIds] = []
    """What members must not do (ads, bargain-cutting links, off-topic spam, …)."""
    encouraged: Annotated[list[Behaviour], UniqueIds] = []
    """What the group wants more of."""
    required: Annotated[list[Behaviour], UniqueIds] = []
    """What every member must do (rename, read the announcement, …)."""
    rewards: Annotated[list[Reward], UniqueIds] = []
    """Rewards for encouraged behaviour."""
    escalation: list[EscalationStep] = []
    """What happens at each repeated violation, mildest first."""
    announcement: Announcement | None = None
    """The announcement text built from these rules."""
