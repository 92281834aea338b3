"""Posts that belong to an account, not to a group: a Moments post (朋友圈) goes out once on
the operator's own account, a service-account post (服务号推送) once on the playbook's service
account. The schedule dates every item per group; here the sends of one account, moment and
item become one send, so a run sheet never asks an operator to post the same 朋友圈 twice.

Which account posts:
- `moments_post`: the operator who runs the groups the item reaches, one post per operator
  (an item reaching five of her groups is one post on her account);
- `service_account_post`: the playbook's one service account (the platform
  `service_account`), one post per moment, whoever runs the groups; its run sheet is that of
  the operator of the first group it reaches (by group id).
"""

from __future__ import annotations

from collections.abc import Iterable

from playbook.models.project import Project
from playbook.models.types import text_in
from playbook.schedule import ACCOUNT_CHANNELS, Send

SERVICE_ACCOUNT = "service_account"
"""The account of every service-account post: a playbook has one service account."""

PLACES = {"moments_post": "朋友圈", "service_account_post": "服务号"}
"""What an account's post names as its place where a group post names the group."""


def account_of(project: Project, channel: str, group_id: str) -> str:
    """The account that posts a send of `channel` for `group_id`: its operator for Moments, the
    service account for a service-account post."""
    if channel == "service_account_post":
        return SERVICE_ACCOUNT
    return project.groups[group_id].operator


def by_account(project: Project, sends: Iterable[Send]) -> list[Send]:
    """`sends` with the sends of each account's post merged into one per account, moment and
    source, placed where its first send was (the order of `expand` is kept). That send names
    the first group as `group`, every merged group in `groups`, and the account."""
    out: list[Send] = []
    merged: dict[tuple[str, object, object], int] = {}
    reached: dict[int, list[str]] = {}
    for send in sends:
        if send.channel not in ACCOUNT_CHANNELS:
            out.append(send)
            continue
        account = account_of(project, send.channel, send.group)
        key = (account, send.at, send.source)
        at = merged.get(key)
        if at is None:
            merged[key] = at = len(out)
            out.append(send._replace(account=account))
            reached[at] = []
        reached[at].append(send.group)
    for at, groups in reached.items():
        out[at] = out[at]._replace(groups=tuple(dict.fromkeys(groups)))
    return out


def place_of(project: Project, send: Send) -> str:
    """Where an account's post goes, in the words an operator uses: `朋友圈（王芳）` (the
    operator's name, else her id), `服务号（<playbook title>）`."""
    if send.channel == "service_account_post":
        default = project.playbook.locales[0]
        return f"{PLACES[send.channel]}（{text_in(project.playbook.title, default, default)}）"
    names = {o.id: o.name for o in project.playbook.operators}
    return f"{PLACES.get(send.channel, send.channel)}（{names.get(send.account, send.account)}）"


__all__ = ["PLACES", "SERVICE_ACCOUNT", "account_of", "by_account", "place_of"]
