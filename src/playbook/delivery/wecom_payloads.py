"""WeCom request bodies for a bundle's messages, and what the API would refuse in them.

Two kinds, after WeCom's server API documentation (developer.work.weixin.qq.com):
- company group send, `POST /cgi-bin/externalcontact/add_msg_template` (document/path/92135):
  `chat_type: "group"`, the sending member's `sender` userid, `chat_id_list`, `text.content`
  (at most 4,000 bytes) and at most 9 `attachments`, each `{"msgtype": image|link|miniprogram|
  video|file, <msgtype>: {...}}` with a `media_id` from `media/upload` (temporary, 3 days). WeCom
  answers `{errcode, errmsg, fail_list, msgid}`; the member confirms the task on the phone.
- group robot, `POST /cgi-bin/webhook/send?key=KEY` (document/path/91770): one message per call,
  `text.content` at most 2,048 bytes, `markdown.content` at most 4,096, `image` as `base64` and
  `md5` of at most 2 MB (JPG or PNG), `news` with 1-8 `articles`, `file.media_id` from
  `webhook/upload_media`; at most 20 messages a minute per robot.

A media reference cannot be known at export: a body names its file as `media:sha256:<hex>`
(`MEDIA_PREFIX`) and `playbook send` uploads the file (from the bundle's `media/`) and puts the
media id, or the image's base64 and md5, in its place.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from playbook.delivery.routes import Route, route_of
from playbook.messages.compose import IMAGE_SUFFIXES, VIDEO_SUFFIXES, Attachment, Message
from playbook.models.project import Project

GROUP_SEND_ENDPOINT = "externalcontact/add_msg_template"
ROBOT_ENDPOINT = "webhook/send"
GROUP_TEXT_MAX_BYTES = 4000
GROUP_ATTACHMENTS_MAX = 9
GROUP_CHATS_MAX = 2000
"""`chat_id_list` takes at most 2,000 customer groups per call."""
ROBOT_TEXT_MAX_BYTES = 2048
ROBOT_MARKDOWN_MAX_BYTES = 4096
ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024
ROBOT_NEWS_MAX_ARTICLES = 8
ROBOT_PER_MINUTE = 20
MEDIA_PREFIX = "media:sha256:"
"""How a body names a file to upload at send time: `media:sha256:<hex digest>`."""
GROUP_SEND_KIND, ROBOT_KIND = "wecom-group-send", "wecom-robot"


@dataclass(frozen=True)
class Media:
    """A file a payload uploads when sent."""

    sha256: str
    bundle_path: str
    """Where the file sits in the bundle: `media/<sha256>.<ext>`."""
    kind: str
    name: str
    """The file's own name, sent as the upload's file name."""

    def record(self) -> dict[str, str]:
        return {"sha256": self.sha256, "bundle_path": self.bundle_path, "kind": self.kind,
                "name": self.name}


@dataclass(frozen=True)
class Payload:
    """The request(s) that post one or more messages at one moment through one route."""

    kind: str
    file: str
    at: dt.datetime
    messages: tuple[str, ...]
    groups: tuple[str, ...]
    requests: tuple[dict[str, Any], ...]
    media: tuple[Media, ...] = ()
    sender: str | None = None
    robot: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def endpoint(self) -> str:
        return GROUP_SEND_ENDPOINT if self.kind == GROUP_SEND_KIND else ROBOT_ENDPOINT

    def record(self) -> dict[str, Any]:
        """The payload file's content (validated by the kind's schema)."""
        who = {"sender": self.sender} if self.kind == GROUP_SEND_KIND else {"robot": self.robot}
        return {"kind": self.kind, "endpoint": self.endpoint, "at": self.at.isoformat(),
                "messages": list(self.messages), "groups": list(self.groups), **who,
                "requests": list(self.requests), "media": [m.record() for m in self.media],
                "problems": list(self.problems)}


@dataclass(frozen=True)
class Manual:
    """A message no API call posts, and why."""

    message: str
    group: str
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Plan:
    """Every message of a bundle, as payloads or as manual entries."""

    payloads: list[Payload] = field(default_factory=list)
    manual: list[Manual] = field(default_factory=list)


def _media(a: Attachment) -> Media:
    suffix = posixpath.splitext(a.path)[1].lower()
    given = getattr(a, "bundle_path", None)  # set once bundles carry their media (item 1)
    return Media(a.sha256, str(given or f"media/{a.sha256}{suffix}"), a.kind, posixpath.basename(a.path))


def _hosted(a: Attachment) -> bool:
    return not a.sha256 and a.path.startswith(("https://", "http://"))


def _kind(a: Attachment) -> str:
    suffix = posixpath.splitext(a.path)[1].lower()
    if a.kind == "image" or suffix in IMAGE_SUFFIXES:
        return "image"
    if a.kind == "video" or suffix in VIDEO_SUFFIXES:
        return "video"
    return "file"


def group_attachment(a: Attachment) -> dict[str, Any]:
    """One `attachments` entry of add_msg_template: hosted media as a link, files by media id."""
    if _hosted(a):
        return {"msgtype": "link", "link": {"title": posixpath.basename(a.path) or a.path, "url": a.path}}
    kind = _kind(a)
    return {"msgtype": kind, kind: {"media_id": MEDIA_PREFIX + a.sha256}}


def group_send_body(sender: str, chat_ids: Sequence[str], text: str,
                    attachments: Sequence[Attachment]) -> dict[str, Any]:
    """The add_msg_template request body for customer groups."""
    body: dict[str, Any] = {"chat_type": "group", "sender": sender, "chat_id_list": list(chat_ids),
                            "allow_select": False}
    if text:
        body["text"] = {"content": text}
    if attachments:
        body["attachments"] = [group_attachment(a) for a in attachments]
    return body


def robot_bodies(text: str, attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
    """The webhook/send bodies of one message: its text, then one call per attachment (a robot
    message carries one thing)."""
    bodies: list[dict[str, Any]] = [{"msgtype": "text", "text": {"content": text}}] if text else []
    for a in attachments:
        if _hosted(a):
            title = posixpath.basename(a.path) or a.path
            bodies.append({"msgtype": "news", "news": {"articles": [{"title": title, "url": a.path}]}})
        elif _kind(a) == "image":
            ref = MEDIA_PREFIX + a.sha256
            bodies.append({"msgtype": "image", "image": {"base64": ref, "md5": ref}})
        else:
            bodies.append({"msgtype": "file", "file": {"media_id": MEDIA_PREFIX + a.sha256}})
    return bodies


def group_send_problems(body: dict[str, Any]) -> list[str]:
    """What add_msg_template would refuse in `body`."""
    found = []
    size = len(body.get("text", {}).get("content", "").encode("utf-8"))
    if size > GROUP_TEXT_MAX_BYTES:
        found.append(f"text is {size:,} bytes; a company group send takes at most {GROUP_TEXT_MAX_BYTES:,}")
    count = len(body.get("attachments", []))
    if count > GROUP_ATTACHMENTS_MAX:
        found.append(f"{count} attachments; a company group send takes at most {GROUP_ATTACHMENTS_MAX}")
    if not size and not count:
        found.append("nothing to send: no text and no attachment")
    if len(body["chat_id_list"]) > GROUP_CHATS_MAX:
        found.append(f"{len(body['chat_id_list'])} groups; one call takes at most {GROUP_CHATS_MAX}")
    return found


def robot_problems(bodies: Sequence[dict[str, Any]]) -> list[str]:
    """What webhook/send would refuse in `bodies`."""
    found = []
    for body in bodies:
        kind = body["msgtype"]
        if kind in ("text", "markdown"):
            limit = ROBOT_TEXT_MAX_BYTES if kind == "text" else ROBOT_MARKDOWN_MAX_BYTES
            size = len(body[kind]["content"].encode("utf-8"))
            if size > limit:
                found.append(f"{kind} is {size:,} bytes; a group robot takes at most {limit:,}")
        if kind == "news" and not 1 <= len(body["news"]["articles"]) <= ROBOT_NEWS_MAX_ARTICLES:
            found.append(f"news needs 1 to {ROBOT_NEWS_MAX_ARTICLES} articles")
    if not bodies:
        found.append("nothing to send: no text and no attachment")
    return found


def plan(project: Project, messages: Iterable[Message]) -> Plan:
    """Every message as a payload (group sends merged per sender, moment and identical content;
    one robot payload per message) or a manual entry with its reason."""
    operators = {o.id: o for o in project.playbook.operators}
    kinds = {r.id: str(r.kind) for r in project.playbook.roles}
    result = Plan()
    sends: dict[tuple[dt.datetime, str, str, tuple[Attachment, ...]], list[Message]] = {}
    robots: list[Message] = []
    for m in messages:
        if not m.group:  # an account's post (Moments, service account): no group API posts it
            result.manual.append(Manual(m.id, m.group, m.at, f"channel {m.channel} is posted by hand, "
                                        f"on {m.group_name}"))
            continue
        group = project.groups[m.group]
        routing = route_of(group, operators.get(group.operator), m.channel,
                           kinds.get(m.sender or ""), getattr(m, "route", None))
        route: Route = routing.route
        if route == "wecom_group_send":
            sender = operators[group.operator].wecom_userid
            assert sender is not None
            sends.setdefault((m.at, sender, m.text, m.attachments), []).append(m)
        elif route == "wecom_robot":
            robots.append(m)
        else:
            result.manual.append(Manual(m.id, m.group, m.at, routing.reason))
    taken: set[str] = set()
    for (at, sender, text, attachments), batch in sorted(sends.items(), key=lambda kv: (
            kv[0][0], kv[0][1], kv[1][0].group)):
        for start in range(0, len(batch), GROUP_CHATS_MAX):
            part = batch[start:start + GROUP_CHATS_MAX]
            chats = [project.groups[m.group].chat_id or "" for m in part]
            body = group_send_body(sender, chats, text, attachments)
            result.payloads.append(Payload(
                GROUP_SEND_KIND, _file(taken, at, sender), at, tuple(m.id for m in part),
                tuple(m.group for m in part), (body,), _media_of(attachments), sender=sender,
                problems=tuple(group_send_problems(body))))
    for m in sorted(robots, key=lambda m: (m.at, m.group, m.id)):
        bodies = robot_bodies(m.text, m.attachments)
        result.payloads.append(Payload(
            ROBOT_KIND, _file(taken, m.at, f"robot-{m.group}"), m.at, (m.id,), (m.group,),
            tuple(bodies), _media_of(m.attachments), robot=project.groups[m.group].robot,
            problems=tuple(robot_problems(bodies))))
    result.payloads.sort(key=lambda p: (p.at, p.file))
    return result


def _media_of(attachments: Iterable[Attachment]) -> tuple[Media, ...]:
    found = {a.sha256: _media(a) for a in attachments if not _hosted(a) and a.sha256}
    return tuple(found.values())


def _file(taken: set[str], at: dt.datetime, who: str) -> str:
    """`wecom/<date>/<who>-<HHMM>.json`, with `-2`, `-3` … when that moment has several."""
    stem = f"wecom/{at.date().isoformat()}/{who}-{at.strftime('%H%M')}"
    name, n = f"{stem}.json", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.json"
    taken.add(name)
    return name


__all__ = ["GROUP_SEND_KIND", "MEDIA_PREFIX", "ROBOT_KIND", "ROBOT_PER_MINUTE", "Manual", "Media",
           "Payload", "Plan", "group_send_body", "group_send_problems", "plan", "robot_bodies",
           "robot_problems"]
