"""Event-triggered messages as reply sets per group: what a bot or an SCRM tool answers when a
member joins, adds the account, asks a keyword, or starts a personal programme.

These have no date. Each reply keeps its offset from the trigger (`+0m`, `+10m`, `day 2
09:00`) and is rendered for its group's platform and locale; the member's nickname becomes
the platform's own placeholder (WeCom's `%NICKNAME%`), or `{nickname}` where the platform has
none, and `placeholders` says what each token stands for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, NamedTuple

from playbook.messages.compose import Attachment, Composer, Item
from playbook.models.base import MessageContent
from playbook.models.calendars import ActivityCalendar
from playbook.models.project import Project
from playbook.models.scripts import OnboardingScript
from playbook.render import place_of, roots, sample_context
from playbook.schedule import Source
from playbook.scope import groups_in

NEUTRAL_NICKNAME = "{nickname}"
"""What stands for the member's nickname on a platform without a placeholder of its own."""

DATE_TOKEN = "{date}"
"""What stands for `{{ date }}` in a reply: the day it is sent is only known when it is."""

TRIGGERS = ("before_group", "on_join", "funnel", "member_joined", "keyword")
"""The events a reply answers, in the order reply sets list them."""


@dataclass(frozen=True)
class Reply:
    """One event-triggered message in one group."""

    id: str
    group: str
    trigger: str
    """`on_join`, `before_group`, `funnel`, `member_joined` (a programme counted from a
    member's join) or `keyword`."""
    offset: str | None
    """When, relative to the trigger; None for a keyword reply (immediately)."""
    keywords: tuple[str, ...]
    channel: str
    sender: str | None
    text: str
    attachments: tuple[Attachment, ...]
    source: Source
    item_id: str


@dataclass(frozen=True)
class ReplySet:
    """Every event-triggered reply of one group, and what its placeholder tokens stand for."""

    group: str
    group_name: str
    operator: str
    platform: str
    locale: str
    placeholders: tuple[tuple[str, str], ...]
    replies: tuple[Reply, ...]


def nickname_token(project: Project, platform: str) -> str:
    """How `platform` writes the member's nickname for its tools to replace."""
    limits = project.platforms.get(platform)
    tokens = dict(limits.placeholders) if limits is not None else {}
    return tokens.get("nickname", NEUTRAL_NICKNAME)


def _trigger_of(kind: str, anchor: str | None) -> str | None:
    if kind == "programme":
        return "member_joined" if anchor == "member_joined" else None
    return kind


def reply_sets(composer: Composer, groups: list[str], start: dt.date, end: dt.date) -> list[ReplySet]:
    """The reply sets of `groups` (those open by `end`), from scripts with an event trigger and
    the keyword replies of calendars in force during `start`..`end`."""
    project = composer.project
    scripts = []
    for sid, script in sorted(project.scripts.items()):
        trigger = _trigger_of(script.trigger.kind, script.trigger.anchor)
        if trigger is not None:
            scripts.append((sid, script, trigger, frozenset(groups_in(project, script.applies_to))))
    calendars = [(cid, cal, frozenset(groups_in(project, cal.applies_to)))
                 for cid, cal in sorted(project.calendars.items())
                 if cal.keyword_replies and cal.valid.start <= end
                 and (cal.valid.end is None or cal.valid.end >= start)]
    reach = _Reach(scripts, calendars, {})
    return [_reply_set(composer, project.groups[g].id, reach)
            for g in sorted(groups) if project.groups[g].opened <= end]


class _Reach(NamedTuple):
    """The scripts with an event trigger and the calendars in force with keyword replies, each
    with the groups it applies to: resolved once for all the reply sets of a range."""

    scripts: list[tuple[str, OnboardingScript, str, frozenset[str]]]
    calendars: list[tuple[str, ActivityCalendar, frozenset[str]]]
    texts: dict[tuple[Any, ...], str]
    """`_text_key` -> the text rendered for it: groups of one type and platform mostly share
    their replies' texts (2,000 groups of L render about 30 distinct sets)."""


def _reply_set(composer: Composer, group_id: str, reach: _Reach) -> ReplySet:
    project = composer.project
    group = project.groups[group_id]
    platform = composer.platform(group_id)
    token = nickname_token(project, platform)
    found: list[Reply] = []
    for sid, script, trigger, reached in reach.scripts:
        if group_id not in reached:
            continue
        for i, step in enumerate(script.steps):
            source = Source("OnboardingScript", sid, f"/steps/{i}")
            item = Item(step, place_of("OnboardingScript", step, script.trigger.kind))
            found += _reply(composer, group_id, trigger, step.at, (), step.channel, step.sender,
                            source, item, step.id, token, reach.texts)
    for cid, cal, reached in reach.calendars:
        if group_id not in reached:
            continue
        for i, kw in enumerate(cal.keyword_replies):
            source = Source("ActivityCalendar", cid, f"/keyword_replies/{i}")
            found += _reply(composer, group_id, "keyword", None, tuple(kw.keywords), "auto_reply", None,
                            source, Item(kw, place_of("ActivityCalendar", kw)), kw.id, token, reach.texts)
    found.sort(key=lambda r: (TRIGGERS.index(r.trigger), r.source))
    tokens = ((token, "member.nickname"), (DATE_TOKEN, "date"))
    used = tuple((t, meaning) for t, meaning in tokens if any(t in r.text for r in found))
    return ReplySet(group.id, group.name, group.operator, platform, composer.locale_of(group_id),
                    used, tuple(found))


def _reply(composer: Composer, group_id: str, trigger: str, offset: str | None,
           keywords: tuple[str, ...], channel: str, sender: str | None, source: Source, item: Item,
           item_id: str, token: str, texts: dict[tuple[Any, ...], str]) -> list[Reply]:
    project = composer.project
    group = project.groups[group_id]
    locale = composer.locale_of(group_id)
    content = item.content
    assert isinstance(content, MessageContent) and item.place is not None
    body = composer.body(content, locale, source)
    memo = _text_key(composer, body, item, group_id, locale, token)
    if body is None:
        text = ""
    elif memo is not None and memo in texts:
        text = texts[memo]
    else:
        context: dict[str, Any] = sample_context(project, item.place, group=group)
        context["date"] = DATE_TOKEN  # the day an event-triggered reply goes out is not known ahead
        if "member" in context:
            context["member"] = {"nickname": token}
        rendered = composer.render(body, context, source, content, f"group '{group_id}'")
        if rendered is None:
            return []  # not kept: every group it fails in is reported, as before
        text = rendered
        if memo is not None:
            texts[memo] = text
    key = f"{group_id}\n{source}"
    # `r` + 16 hex digits, like message ids (`m…`): never read as a number by a spreadsheet
    return [Reply("r" + hashlib.sha256(key.encode()).hexdigest()[:16], group_id, trigger, offset, keywords,
                  channel, sender, text, composer.attachments(source, item), source, item_id)]


def _text_key(composer: Composer, body: Any, item: Item, group_id: str, locale: str,
              token: str) -> tuple[Any, ...] | None:
    """What a reply's text depends on: the compiled body, the locale, the nickname token and the
    group or operator when the text reads them (the date is always `DATE_TOKEN`; playbook, pack
    and event values depend on the locale only). None when the body does not compile or its
    reads cannot be told (`Composer._reads`): then every group renders its own."""
    if body is None or body is False or item.place is None:
        return None
    reads = composer.text_reads(body)
    if reads is None:
        return None
    used = reads.intersection(roots(item.place))
    return (id(body), locale, token,
            group_id if "group" in used else None,
            composer.operators[group_id] if "operator" in used else None)


__all__ = ["DATE_TOKEN", "NEUTRAL_NICKNAME", "Reply", "ReplySet", "nickname_token", "reply_sets"]
