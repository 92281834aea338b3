"""Platform limits (PB3xx): what each platform allows, checked where messages and groups land.

A message reaches the groups its document's scope names (`applies_to`, or a pack's launch
audience; an empty scope reaches every group), each group runs on its own platform or its
type's, and that platform's limits (data/platforms.yaml with the playbook's overrides)
apply. Only channels that post into the group (group message, announcement, live session,
auto-reply) are held to the group's platform.
"""

from __future__ import annotations

from collections.abc import Iterator

from playbook.diagnostics import Severity
from playbook.lint.messages import (
    Audience,
    Body,
    Contents,
    Message,
    audiences,
    contents,
    script_reaches,
)
from playbook.lint.registry import GROUP_RULES, NOTHING, SCHEDULED, SCRIPTS, Finding, rule
from playbook.models.project import Project
from playbook.models.rules import GroupRules
from playbook.platforms import PlatformLimits
from playbook.scope import platform_of


def _by_platform(project: Project, message: Message) -> dict[str, list[Audience]]:
    """The message's audiences grouped by platform, for platforms whose limits are known."""
    found: dict[str, list[Audience]] = {}
    for audience in message.audiences:
        if audience.platform in project.platforms:
            found.setdefault(audience.platform, []).append(audience)
    return dict(sorted(found.items()))


def _group_messages(project: Project) -> Iterator[tuple[Message, dict[str, list[Audience]]]]:
    for message in contents(project).messages:
        if message.in_group:
            yield message, _by_platform(project, message)


@rule("PB301", "message-too-long", per_document=True)
def message_too_long(project: Project) -> Iterator[Finding]:
    """A rendered message is longer than the platform of a group it reaches accepts.

    Counted in UTF-8 bytes (a Chinese character is 3), rendered for every group reached.

    Why: the send is refused or cut off. WeCom customer-group sends take 4000 bytes, a WeCom
    group robot 2048.

    Fails: a 1,500-character welcome (4,500 bytes) sent to WeCom customer groups.
    Passes: split it into two steps, or move the detail into a picture or a link.
    """
    found = contents(project)
    for message, platforms in _group_messages(project):
        for body in message.bodies:
            for platform, reached in platforms.items():
                limit = project.platforms[platform].message_max_bytes
                if limit is None:
                    continue
                longest = _longest(found, message, body, reached)
                if longest is not None and longest[0] > limit:
                    size, audience = longest
                    yield Finding(body.span, f"message is {size:,} bytes when rendered for "
                                  f"{audience.label}; {platform} accepts at most {limit:,}",
                                  help="shorten it or split it into two messages")


def _longest(found: Contents, message: Message, body: Body,
             reached: list[Audience]) -> tuple[int, Audience] | None:
    """The largest rendered size over the audiences, and for whom (the first to reach it)."""
    best: tuple[int, Audience] | None = None
    for audience in found.distinct(message, body, reached):  # the others render the same text
        try:
            size = len(found.render(message, body, audience).encode("utf-8"))
        except Exception:  # a message that does not render is PB204's finding
            continue
        if best is None or size > best[0]:
            best = (size, audience)
    return best


def _attachment_count(project: Project, message: Message) -> int:
    count = len(message.content.attachments)
    if message.kind == "MaterialPack" and message.pack is not None:
        files = {m.id for m in message.pack.materials if m.file is not None}
        count += sum(1 for m in getattr(message.content, "materials", []) if m in files)
    return count


@rule("PB302", "too-many-attachments", per_document=True)
def too_many_attachments(project: Project) -> Iterator[Finding]:
    """A message carries more attachments than the platform of a group it reaches allows.

    Counted: its own attachments plus, for a launch-timeline step, the pack materials it
    posts that are files.

    Why: the send fails or drops the extra files. WeChat and WeCom take 9, a WeCom robot 1.

    Fails: a launch step with 10 pictures for WeChat groups.
    Passes: 9 pictures, or two steps.
    """
    for message, platforms in _group_messages(project):
        count = _attachment_count(project, message)
        field = "attachments" if message.content.attachments else "materials"
        for platform in platforms:
            limit = project.platforms[platform].max_attachments
            if limit is not None and count > limit:
                yield Finding(message.span(project, field),
                              f"{count} attachments in one message; {platform} allows {limit}",
                              help="split the files over several messages")


@rule("PB303", "group-size-over-platform-cap", reads=NOTHING)
def group_size_over_cap(project: Project) -> Iterator[Finding]:
    """A group type aims for more members than its platform's groups can hold.

    A roster group whose `size` is past the cap is reported too.

    Why: the group fills up before it reaches its goal; the plan needs a second group.

    Fails: `target_size: 600` for a `wechat_group` type (500 at most).
    Passes: `target_size: 450`, or split into two groups.
    """
    pb = project.playbook
    for i, group_type in enumerate(pb.group_types):
        cap = _cap(project, group_type.platform)
        if cap is not None and group_type.target_size > cap:
            yield Finding(project.span("Playbook", pb.id, f"/group_types/{i}/target_size"),
                          f"group type '{group_type.id}' aims for {group_type.target_size} members; "
                          f"a {group_type.platform} holds at most {cap}",
                          help="lower target_size, or plan for several groups of this type")
    for group_id, group in project.groups.items():
        platform = platform_of(project, group_id)
        cap = _cap(project, platform)
        if cap is not None and group.size is not None and group.size > cap:
            yield Finding(project.group_span(group_id, "size"),
                          f"group '{group_id}' has {group.size} members; a {platform} holds at most {cap}",
                          help="check the size, or the group's platform")


def _cap(project: Project, platform: str | None) -> int | None:
    limits = project.platforms.get(platform) if platform is not None else None
    return limits.max_members if limits is not None else None


@rule("PB304", "qr-join-past-limit", Severity.WARNING, reads=SCRIPTS)
def qr_join_past_limit(project: Project) -> Iterator[Finding]:
    """A group type grows past the QR-code join limit with no invitation step to fill it.

    The limit is the size at which the platform stops admitting by QR code (200 on WeChat);
    an onboarding script that applies to the type must have a step with `purpose: invitation`.

    Why: past that size new members can only join by personal invitation; without an
    invitation step nobody is told to send them.

    Fails: `target_size: 400` on wechat_group, no script step with `purpose: invitation`.
    Passes: a script for the type with a step `purpose: invitation`, or `target_size: 200`.
    """
    pb = project.playbook
    for i, group_type in enumerate(pb.group_types):
        limits = project.platforms.get(group_type.platform)
        qr_max = limits.qr_join_max_members if limits is not None else None
        if qr_max is None or group_type.target_size <= qr_max:
            continue
        invites = any(step.purpose == "invitation" for script in project.scripts.values()
                      if script_reaches(project, script, group_type) for step in script.steps)
        if not invites:
            yield Finding(project.span("Playbook", pb.id, f"/group_types/{i}/target_size"),
                          f"group type '{group_type.id}' aims for {group_type.target_size} members, but "
                          f"joining a {group_type.platform} by QR code stops at {qr_max} and no "
                          f"onboarding script for it has an invitation step",
                          help="add a step with `purpose: invitation` to a script for this group type")


def _may_announce(limits: PlatformLimits, role_kind: str) -> bool:
    return role_kind in limits.announcement_by


@rule("PB305", "announcement-not-permitted", per_document=True)
def announcement_not_permitted(project: Project) -> Iterator[Finding]:
    """A message goes to the group announcement from a role the platform does not let post it.

    Why: in a plain WeChat group only the owner can edit the announcement; the assistant
    account would find the button missing on the day.

    Fails: `channel: announcement, sender: assistant` (an official role) for WeChat groups.
    Passes: `sender: owner`, or `channel: group_message` and pin it.
    """
    kinds = {r.id: r.kind for r in project.playbook.roles}
    for message, platforms in _group_messages(project):
        if message.channel != "announcement" or message.sender not in kinds:
            continue
        kind = kinds[message.sender]
        for platform in platforms:
            limits = project.platforms[platform]
            if not _may_announce(limits, kind):
                allowed = ", ".join(limits.announcement_by) or "no role"
                yield Finding(message.span(project, "sender"),
                              f"role '{message.sender}' ({kind}) cannot post the announcement of a "
                              f"{platform}; allowed: {allowed}",
                              help="let an allowed role post it, or send it as a group message and pin it")


def _rule_sets_using(project: Project, rules_id: str) -> list[GroupRules]:
    """The rule set and every set that extends it (directly or through others)."""
    using = []
    for other in project.rules.values():
        seen: set[str] = set()
        current: str | None = other.id
        while current is not None and current in project.rules and current not in seen:
            if current == rules_id:
                using.append(other)
                break
            seen.add(current)
            current = project.rules[current].extends
    return using


@rule("PB306", "mute-not-supported", Severity.WARNING, reads=GROUP_RULES)
def mute_not_supported(project: Project) -> Iterator[Finding]:
    """An escalation ladder mutes members in groups whose platform has no mute.

    Why: the enforcer cannot carry the step out, so the ladder jumps from a warning straight
    to removal (or stalls). A rule set's ladder also applies to the groups of every rule set
    that extends it.

    Fails: `action: mute` in rules for wechat_group groups (WeChat cannot mute members).
    Passes: a `warning` step instead, or rules that apply only to WeCom/QQ/DingTalk groups.
    """
    for rules_id, rules in sorted(project.rules.items()):
        mutes = [i for i, step in enumerate(rules.escalation) if step.action == "mute"]
        if not mutes:
            continue
        platforms: dict[str, set[str]] = {}
        for using in _rule_sets_using(project, rules_id):
            for audience in audiences(project, using.applies_to):
                limits = project.platforms.get(audience.platform)
                if limits is not None and not limits.can_mute:
                    platforms.setdefault(limits.id, set()).add(audience.label)
        for i in mutes:
            for platform, groups in sorted(platforms.items()):
                yield Finding(project.span("GroupRules", rules_id, f"/escalation/{i}/action"),
                              f"a {platform} cannot mute members ({', '.join(sorted(groups))})",
                              help="use a warning step instead, or limit these rules to groups that can mute")


ROBOT_TEXT_MAX_BYTES = 2048
"""`webhook/send` text content, in UTF-8 bytes (WeCom group robot documentation)."""


def _routed_items(project: Project) -> Iterator[tuple[str, str, str, object, tuple[str, ...]]]:
    """(kind, doc id, pointer, item, routes) of every item with a WeCom route of its own or its
    document's."""
    for kind, docs, lists in (("ActivityCalendar", project.calendars, ("daily", "weekly", "games")),
                              ("OnboardingScript", project.scripts, ("steps",)),
                              ("MaterialPack", project.packs, ("timeline",))):
        for doc_id, doc in sorted(docs.items()):
            for name in lists:
                for i, item in enumerate(getattr(doc, name)):
                    routes = tuple(getattr(item, "routes", None) or getattr(doc, "routes", None) or ())
                    if any(r != "manual" for r in routes):
                        yield kind, doc_id, f"/{name}/{i}", item, routes


@rule("PB307", "wecom-send-refused", Severity.WARNING, reads=SCHEDULED, through_routes=True)
def wecom_send_refused(project: Project) -> Iterator[Finding]:
    """An item asks for a WeCom route that WeCom would refuse or that no group can take.

    Checked before any export, cheaply: a `wecom_robot` item whose text (before rendering) is
    already longer than a robot message takes (2,048 bytes), and a group with a `chat_id` whose
    operator has no `wecom_userid` while some item asks for company group sends (the send
    needs the sender's userid).

    Why: `playbook send` skips a payload WeCom would refuse, and a company group send without
    a sender goes out by hand; either way the plan counts on a post that does not happen.

    Fails: `routes: [wecom_robot]` on a 700-character text; a group with `chat_id` whose
    operator has no `wecom_userid`. Passes: a shorter text (or `wecom_group_send`, 4,000
    bytes); the operator's `wecom_userid` filled in.
    """
    group_sends = False
    for kind, doc_id, ptr, item, routes in _routed_items(project):
        group_sends = group_sends or "wecom_group_send" in routes
        if "wecom_robot" not in routes:
            continue
        text = getattr(item, "text", None)
        if text is None:
            continue
        for locale, value in sorted(text.items()) if isinstance(text, dict) else [("", text)]:
            size = len(str(value).encode("utf-8"))
            if size > ROBOT_TEXT_MAX_BYTES:
                where = f"/text/{locale}" if locale else "/text"
                yield Finding(project.span(kind, doc_id, ptr + where),
                              f"text is {size:,} bytes before rendering; a group robot message "
                              f"takes at most {ROBOT_TEXT_MAX_BYTES:,}",
                              help="shorten it, split it, or route it as a company group send")
    if not group_sends:
        return
    userids = {o.id: o.wecom_userid for o in project.playbook.operators}
    for group_id, group in sorted(project.groups.items()):
        if group.chat_id is not None and not userids.get(group.operator):
            yield Finding(project.group_span(group_id, "chat_id"),
                          f"group '{group_id}' has a chat_id but its operator '{group.operator}' has "
                          "no wecom_userid: company group sends to it go out by hand",
                          help="add the operator's wecom_userid (as the WeCom admin console shows it)")
