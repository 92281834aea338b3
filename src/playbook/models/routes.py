"""How a dated message may go out: the routes a playbook item allows.

A route is `wecom_group_send` (a WeCom company group send, `externalcontact/add_msg_template`:
WeCom creates a task the operator confirms on her phone), `wecom_robot` (the group's robot
posts it through its webhook) or `manual` (the operator posts it by hand from the run sheet).
An item lists the routes it may take, in order of preference; without a list it takes its
document's `routes`, and without that it is posted by hand. Whatever cannot take a WeCom route
(no chat_id, no robot, a quota used up) goes out by hand: it is never dropped.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator

Route = Literal["wecom_group_send", "wecom_robot", "manual"]
"""One way to post a message: WeCom company group send, group robot, or by hand."""

ROUTES: tuple[Route, ...] = ("wecom_group_send", "wecom_robot", "manual")
"""Every route, in the order the documentation lists them."""

DEFAULT_ROUTES: tuple[Route, ...] = ("manual",)
"""What an item takes when neither it nor its document says: posting by hand, so nothing is
sent by WeCom unless the playbook says so."""


def _unique(routes: list[Route]) -> list[Route]:
    repeated = sorted({r for r in routes if routes.count(r) > 1})
    if repeated:
        raise ValueError(f"route {', '.join(repeated)} is listed twice")
    if not routes:
        raise ValueError("list at least one route (e.g. [manual])")
    return routes


Routes = Annotated[list[Route], AfterValidator(_unique)]
"""The routes an item may take, most preferred first, e.g. `[wecom_robot, manual]`."""

__all__ = ["DEFAULT_ROUTES", "ROUTES", "Route", "Routes"]
