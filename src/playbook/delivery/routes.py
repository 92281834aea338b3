"""Which way each message goes out: a WeCom company group send, the group's robot, or by hand.

Until bundles carry a message's `route` (issue 16, item 5), it is derived here from the roster:
a group with a `chat_id` whose operator has a `wecom_userid` takes company group sends, else a
group with a `robot` takes the robot, else the message stays manual. Only operator-sent group
messages can go through WeCom: a member's (KOC) line, a private message or a live session is
posted by a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from playbook.models.playbook import Group, Operator

Route = Literal["wecom_group_send", "wecom_robot", "manual"]
ROUTES: tuple[Route, ...] = ("wecom_group_send", "wecom_robot", "manual")
POSTABLE_CHANNELS = frozenset({"group_message"})
"""Channels a WeCom API call can post; the rest (private messages, live sessions,
announcements, back-office entries) are done by a person."""
POSTABLE_SENDER_KINDS = frozenset({"operator"})
"""Kinds of role WeCom posts for: company group sends go out under the operator's account, a
robot under its own name; a member's (KOC) line must come from that member."""


@dataclass(frozen=True)
class Routing:
    """A message's route and, for a manual one, why it cannot go through WeCom."""

    route: Route
    reason: str = ""


def route_of(group: Group, operator: Operator | None, channel: str, sender_kind: str | None,
             given: str | None = None) -> Routing:
    """The route of a message on `channel` in `group` from a role of `sender_kind`. `given` is
    the bundle's own `route` field, when it has one: it wins, but a WeCom route the roster cannot serve (no
    chat_id, no userid, no robot) still falls back to manual with the reason."""
    if channel not in POSTABLE_CHANNELS:
        return Routing("manual", f"channel {channel} is posted by hand")
    if sender_kind not in POSTABLE_SENDER_KINDS:
        return Routing("manual", f"sent by a {sender_kind or 'nobody'}, not the operator")
    group_send = _group_send_gap(group, operator)
    robot = None if group.robot else f"group {group.id} has no robot"
    if given == "manual":
        gaps = [g for g in (group_send, robot) if g is not None]
        return Routing("manual", "; ".join(gaps) if len(gaps) == 2 else
                       "its routes say by hand, or a WeCom quota is used up")
    if given == "wecom_group_send":
        return Routing("wecom_group_send") if group_send is None else Routing("manual", group_send)
    if given == "wecom_robot":
        return Routing("wecom_robot") if robot is None else Routing("manual", robot)
    if group_send is None:
        return Routing("wecom_group_send")
    if robot is None:
        return Routing("wecom_robot")
    return Routing("manual", f"{group_send}, and no robot")


def _group_send_gap(group: Group, operator: Operator | None) -> str | None:
    """Why `group` cannot take company group sends, or None when it can."""
    if group.chat_id is None:
        return f"group {group.id} has no chat_id"
    if operator is None or operator.wecom_userid is None:
        return f"operator {group.operator} has no wecom_userid"
    return None


def robot_variable(robot: str) -> str:
    """The environment variable holding a robot's webhook key: `WECOM_ROBOT_` and the name
    upper-cased with `-` written `_` (`deals-bot` -> `WECOM_ROBOT_DEALS_BOT`) when the name is
    only ASCII letters, digits, `-` and `_`; any other name (福利播报机器人, 福利2群) takes its
    UTF-8 bytes in hex instead, since a shell cannot export a variable named in Chinese and
    replacing the other characters would give two robots one key. PB121 refuses two groups
    whose robots share a variable."""
    folded = robot.upper().replace("-", "_")
    if folded and all("A" <= c <= "Z" or "0" <= c <= "9" or c == "_" for c in folded):
        return f"WECOM_ROBOT_{folded}"
    return f"WECOM_ROBOT_{robot.encode('utf-8').hex().upper()}"


__all__ = ["POSTABLE_CHANNELS", "ROUTES", "Route", "Routing", "robot_variable", "route_of"]
