"""Routes (PB408): a plan that asks WeCom for more than its quotas deliver.

The rule looks at the schedule rules' horizon (`lint.schedules.planned`, computed once per
project) and routes its sends as an export would (`messages.routes.Router`). It costs nothing
for a playbook that asks for no WeCom route: the sends are only walked when some item or
document lists `wecom_group_send` or `wecom_robot`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from playbook.diagnostics import Related, Severity
from playbook.lint.registry import SCHEDULED, Finding, rule
from playbook.lint.schedules import describe, planned
from playbook.messages.routes import Fallback, Router
from playbook.models.project import Project
from playbook.schedule import Send
from playbook.source import Span


def _asks_for_wecom(project: Project) -> bool:
    """Whether any document or item lists a WeCom route (else nothing can exceed a quota)."""
    holders: list[object] = []
    for cal in project.calendars.values():
        holders += [cal, *cal.daily, *cal.weekly, *cal.games]
    for script in project.scripts.values():
        holders += [script, *script.steps]
    for pack in project.packs.values():
        holders += [pack, *pack.timeline]
    return any(r != "manual" for h in holders for r in getattr(h, "routes", None) or ())


def routes_span(project: Project, send: Send) -> Span:
    """Where the routes of `send`'s item are written: the item's `routes`, else its
    document's, else the item itself."""
    kind, doc_id, ptr = send.source.kind, send.source.doc_id, send.source.pointer.removesuffix("/announce")
    for pointer in (f"{ptr}/routes", "/routes", ptr):
        try:
            return project.span(kind, doc_id, pointer)
        except KeyError:
            continue
    return project.span(kind, doc_id)


def _full(f: Fallback, router: Router) -> str:
    """What is full, and what happens to the message."""
    if f.wanted == "wecom_group_send":
        return (f"group '{f.send.group}' already gets {router.per_day} company group "
                f"send{'s' if router.per_day != 1 else ''} on {f.send.at:%Y-%m-%d}: it goes out "
                f"by hand at {f.send.at:%H:%M}")
    robot = router.project.groups[f.send.group].robot
    return (f"robot '{robot}' already posts {router.per_minute} messages in the minute "
            f"{f.send.at:%Y-%m-%d %H:%M}: it goes out by hand in group '{f.send.group}'")


@rule("PB408", "route-quota-exceeded", Severity.WARNING, reads=SCHEDULED, through_schedule=True,
      by_part=True)
def route_quota_exceeded(project: Project) -> Iterator[Finding]:
    """An item asks for a WeCom route (`routes:`) that a quota leaves no room for, so some of
    its messages go out by hand instead.

    Why: WeCom delivers about one company group send a day to a customer group, and a group
    robot posts at most 20 messages a minute (platform data, with their sources). The export
    routes what does not fit to `manual`, into the operator's run sheet, so nothing is lost;
    but a plan that counts on WeCom posting it will have someone posting by hand. Reported
    once per item and route, at its `routes`, with a note at the item that took the quota and
    how often it happens within the schedule rules' horizon.

    Fails: two daily slots with `routes: [wecom_group_send, manual]` in a group with a chat_id.
    Passes: one of them with `routes: [wecom_robot, manual]` in a group with a robot, or
    `[manual]`.
    """
    if not _asks_for_wecom(project):
        return
    router = Router(project)
    for b in sorted(planned(project), key=lambda b: b.at.astimezone(dt.UTC)):
        router.route_broadcast(b)
    first: dict[tuple[object, str], Fallback] = {}
    count: dict[tuple[object, str], int] = {}
    for f in router.fallbacks:
        key = (f.send.source, f.wanted)
        first.setdefault(key, f)
        count[key] = count.get(key, 0) + 1
    for seen, f in first.items():
        n = count[seen]
        more = "" if n == 1 else f" (and {n - 1} more time{'s' if n > 2 else ''})"
        yield Finding(
            routes_span(project, f.send),
            f"{describe(f.send)} asks for {f.wanted}, but {_full(f, router)}{more}",
            help="give it another route first (e.g. [wecom_robot, manual]), move it to another "
                 "day, or keep [manual] so the plan says what happens",
            related=(Related(routes_span(project, f.used_by), f"{describe(f.used_by)} takes the quota"),))


__all__ = ["route_quota_exceeded", "routes_span"]
