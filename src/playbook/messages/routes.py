"""The route of each dated message: company group send, group robot, or by hand.

A message takes the first route its item allows (the item's `routes`, else its document's,
else `manual`) that its group can take and whose quota is not used up:
- `wecom_group_send` needs the group's `chat_id` and its operator's `wecom_userid`, and a
  customer group receives at most `group_sends_per_day` of them a day (platform data);
- `wecom_robot` needs the group's `robot`, which posts at most `sends_per_minute` a minute;
- `manual` always fits. Whatever fits no WeCom route goes out by hand, so it is in the run
  sheet: nothing is dropped.
Only group messages (`channel: group_message`) sent by an operator role can take a WeCom route;
announcements, private messages, back-office entries and a member's (KOC, KOL) lines are
always by hand. Quotas are spent in time order, so the
messages must be routed in schedule order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from playbook.models.project import Project
from playbook.models.routes import DEFAULT_ROUTES, Route
from playbook.platforms import PlatformLimits, defaults
from playbook.schedule import Broadcast, Send, Source

ROUTED_CHANNELS = frozenset({"group_message"})
"""Channels a WeCom route can post; every other channel is posted by hand."""
ROUTED_SENDER_KINDS = frozenset({"operator"})
"""Kinds of sending role WeCom can post for: a company group send goes out under the
operator's account and a robot under its own name; a KOC's or a KOL's line must come from
that person (the same rule as `delivery.routes`)."""


def _limits(project: Project, platform: str) -> PlatformLimits:
    return project.platforms.get(platform) or defaults()[platform]


def allowed_routes(project: Project, source: Source) -> tuple[Route, ...]:
    """The routes the item at `source` may take, most preferred first."""
    parts = source.pointer.strip("/").split("/")
    doc: object
    if source.kind == "OnboardingScript":
        doc = project.scripts[source.doc_id]
        item: object = project.scripts[source.doc_id].steps[int(parts[1])]
    elif source.kind == "MaterialPack":
        doc = project.packs[source.doc_id]
        item = project.packs[source.doc_id].timeline[int(parts[1])]
    else:
        doc = project.calendars[source.doc_id]
        item = getattr(doc, parts[0])[int(parts[1])]  # a weekly event's announcement: the event's
    own = getattr(item, "routes", None) or getattr(doc, "routes", None)
    return tuple(own) if own else DEFAULT_ROUTES


@dataclass(frozen=True)
class Fallback:
    """A message that asked for a WeCom route and goes out by hand because a quota is full."""

    send: Send
    wanted: Route
    used_by: Send
    """The first message that took the quota this one found full."""


class Router:
    """Chooses the route of each message, in schedule order, spending the quotas."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.per_day = _limits(project, "wecom_customer_group").group_sends_per_day
        self.per_minute = _limits(project, "wecom_group_robot").sends_per_minute
        self.userids = {o.id: o.wecom_userid for o in project.playbook.operators}
        self.postable = {r.id for r in project.playbook.roles if r.kind in ROUTED_SENDER_KINDS}
        self._allowed: dict[Source, tuple[Route, ...]] = {}
        self._used: dict[tuple[str, str, object], int] = {}
        self._first: dict[tuple[str, str, object], Send | tuple[Broadcast, str]] = {}
        self._routes_of: dict[tuple[tuple[str, ...], tuple[Route, ...]],
                              list[tuple[str, tuple[tuple[Route, str, str], ...]]]] = {}
        self.fallbacks: list[Fallback] = []
        """The messages a full quota sent to `manual`, in the order met (for PB408)."""

    def allowed(self, source: Source) -> tuple[Route, ...]:
        if source not in self._allowed:
            self._allowed[source] = allowed_routes(self.project, source)
        return self._allowed[source]

    def route(self, send: Send) -> Route:
        """The route of `send`; call in schedule order."""
        if send.channel not in ROUTED_CHANNELS or send.sender not in self.postable:
            return "manual"
        return self._choose(send, self.allowed(send.source))

    def route_broadcast(self, broadcast: Broadcast) -> None:
        """Route every send of `broadcast`, as `route` would one by one, for the quotas and
        `fallbacks` only (PB408): what its sends share (channel, sender, the item's routes) is
        looked at once, and nothing is made for a broadcast whose first route is `manual`."""
        if broadcast.channel not in ROUTED_CHANNELS or broadcast.sender not in self.postable:
            return
        allowed = self.allowed(broadcast.source)
        if not allowed or allowed[0] == "manual":
            return
        # The sends of a broadcast differ only in their group, so the day and the minute are
        # worked out once, and a send is made only when a quota needs to name it (`_take`).
        day, minute = broadcast.at.date(), broadcast.at.astimezone(dt.UTC).replace(second=0, microsecond=0)
        for group_id, options in self._routable(broadcast.groups, allowed):
            for wanted, kind, owner in options:
                if kind == "send":
                    bucket, quota = (kind, owner, day), self.per_day
                else:
                    bucket, quota = (kind, owner, minute), self.per_minute
                if self._take(bucket, quota, (broadcast, group_id), wanted):
                    break

    def _routable(self, groups: tuple[str, ...], allowed: tuple[Route, ...]
                  ) -> list[tuple[str, tuple[tuple[Route, str, str], ...]]]:
        """Of `groups`, those that can take one of the WeCom routes `allowed` before `manual`,
        each with (route, quota kind, its group or robot) in the order tried: a group that can
        take none goes out by hand and spends nothing. Worked out once per groups tuple and
        routes (broadcasts share them), not once per send."""
        key = (groups, allowed)
        found = self._routes_of.get(key)
        if found is None:
            found = []
            for group_id in groups:
                group = self.project.groups[group_id]
                options: list[tuple[Route, str, str]] = []
                for wanted in allowed:
                    if wanted == "manual":
                        break
                    if wanted == "wecom_group_send" and group.chat_id and self.userids.get(group.operator):
                        options.append((wanted, "send", group.id))
                    elif wanted == "wecom_robot" and group.robot:
                        options.append((wanted, "robot", group.robot))
                if options:
                    found.append((group_id, tuple(options)))
            self._routes_of[key] = found
        return found

    def _choose(self, send: Send, allowed: tuple[Route, ...]) -> Route:
        group = self.project.groups[send.group]
        for wanted in allowed:
            if wanted == "manual":
                return "manual"
            if wanted == "wecom_group_send" and group.chat_id and self.userids.get(group.operator):
                if self._take(("send", group.id, send.at.date()), self.per_day, send, wanted):
                    return wanted
            elif wanted == "wecom_robot" and group.robot:
                minute = send.at.astimezone(dt.UTC).replace(second=0, microsecond=0)
                if self._take(("robot", group.robot, minute), self.per_minute, send, wanted):
                    return wanted
        return "manual"

    def _take(self, key: tuple[str, str, object], quota: int | None, send: Send | tuple[Broadcast, str],
              wanted: Route) -> bool:
        """Whether the bucket `key` (route, group or robot, day or minute) has room; if so,
        `send` (or the send of a broadcast to a group, made only if a fallback names it) takes
        a place in it."""
        used = self._used.get(key, 0)
        if quota is not None and used >= quota:
            self.fallbacks.append(Fallback(_made(send), wanted, _made(self._first[key])))
            return False
        if not used:
            self._first[key] = send
        self._used[key] = used + 1
        return True


def _made(send: Send | tuple[Broadcast, str]) -> Send:
    """The send itself, or the one a broadcast makes for a group."""
    if isinstance(send, Send):
        return send
    broadcast, group = send
    return broadcast.send_to(group)


__all__ = ["ROUTED_CHANNELS", "ROUTED_SENDER_KINDS", "Fallback", "Router", "allowed_routes"]
