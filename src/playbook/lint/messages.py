"""Every message of a playbook: where it sits, which groups and platforms it reaches, the texts
it carries, and their rendering with the sample context.

The shared input of the template (PB2xx), platform-limit (PB3xx) and compliance (PB7xx)
rules; computed once per project being linted. Not a rule family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from jinja2 import TemplateError

from playbook.lint.analysis import analyse
from playbook.lint.registry import per_project
from playbook.models.base import MessageContent, Scope
from playbook.models.calendars import WeeklyEvent
from playbook.models.packs import MaterialPack
from playbook.models.playbook import Group, GroupType
from playbook.models.project import Project
from playbook.models.scripts import OnboardingScript
from playbook.render import (
    MessageEnvironment,
    Place,
    environment_for,
    place_of,
    render,
    sample_context,
)
from playbook.scope import groups_in, platform_of
from playbook.source import Span, join
from playbook.variants import variant_for

GROUP_CHANNELS = frozenset({"group_message", "announcement", "live_session", "auto_reply"})
"""Channels that post into the group itself, so the group's platform limits apply."""


@dataclass(frozen=True)
class Audience:
    """A group a message reaches and its platform; with an empty roster, a group type instead."""

    platform: str
    group: Group | None = None
    group_type: GroupType | None = None

    @property
    def label(self) -> str:
        if self.group is not None:
            return f"group '{self.group.id}'"
        return f"group type '{self.group_type.id}'" if self.group_type is not None else "a group"


@dataclass(frozen=True)
class Body:
    """One text a message carries: its inline text (one per locale) or its template file."""

    owner: tuple[str, str]
    """(kind, id) of the document the body is written in."""
    ptr: str
    source: str | None
    """The Jinja2 source; None when the template file cannot be loaded (see `error`)."""
    project: Project = field(compare=False, repr=False)
    error: str | None = None
    template: str | None = None
    """The template file under templates/, when the body is a file."""
    locale: str | None = None
    variant: str | None = None
    """The id of the variant this body is, when it is one."""
    receivers: frozenset[str] | None = None
    """With variants: the groups that get this body (None: every group the message reaches)."""

    @property
    def span(self) -> Span:
        """Found only when the body is reported: most files then never need positions."""
        return self.project.span(*self.owner, self.ptr)

    def where(self, line: int | None = None) -> str:
        """'line 2 of the text', 'templates/x.j2 line 3', for messages."""
        if self.template is not None:
            return f"templates/{self.template}" + (f" line {line}" if line else "")
        return f"line {line} of the text" if line else "the text"


@dataclass(frozen=True)
class Message:
    """One message: its document, JSON pointer, content, place, channel, sender and audience."""

    kind: str
    doc_id: str
    ptr: str
    content: MessageContent
    place: Place
    channel: str
    sender: str | None
    audiences: tuple[Audience, ...]
    bodies: tuple[Body, ...]
    pack: MaterialPack | None = None
    event: WeeklyEvent | None = None
    day: dt.date | None = None

    @property
    def in_group(self) -> bool:
        return self.channel in GROUP_CHANNELS

    def span(self, project: Project, field: str) -> Span:
        return project.span(self.kind, self.doc_id, join(self.ptr, field))


def _type_in_scope(scope: Scope, group_type: GroupType) -> bool:
    return group_type.id in scope.all_types or (
        group_type.layer is not None and group_type.layer in scope.layers)


def scope_is_empty(scope: Scope) -> bool:
    return not (scope.all_types or scope.layers or scope.groups)


def audiences(project: Project, scope: Scope, item_scope: Scope | None = None) -> tuple[Audience, ...]:
    """Who a scope (narrowed by an item's own, if any) reaches (resolved by `playbook.scope`).
    Without a roster, the group types the scope names stand in for groups."""
    if project.groups:
        found = []
        for group_id in groups_in(project, scope, item_scope):
            platform = platform_of(project, group_id)
            if platform is not None:
                found.append(Audience(platform, group=project.groups[group_id]))
        return tuple(found)
    return tuple(Audience(t.platform, group_type=t) for t in project.playbook.group_types
                 if scope_is_empty(scope) or _type_in_scope(scope, t))


def _bodies(project: Project, env: MessageEnvironment, kind: str, doc_id: str, ptr: str,
            content: MessageContent) -> tuple[Body, ...]:
    owner = (kind, doc_id)
    if content.template is not None:
        where = join(ptr, "template")
        assert env.loader is not None
        try:
            source = env.loader.get_source(env, content.template)[0]
        except TemplateError as err:
            return (Body(owner, where, None, project, error=err.message or str(err),
                         template=content.template),)
        return (Body(owner, where, source, project, template=content.template),)
    if isinstance(content.text, str):
        return (Body(owner, join(ptr, "text"), content.text, project),)
    if isinstance(content.text, dict):
        return tuple(Body(owner, join(join(ptr, "text"), locale), text, project, locale=locale)
                     for locale, text in content.text.items())
    return ()


def _all_bodies(project: Project, env: MessageEnvironment, kind: str, doc_id: str, ptr: str,
                content: MessageContent, item_id: str, reached: tuple[Audience, ...]) -> tuple[Body, ...]:
    """The message's own bodies, then each variant's, each with the groups that get it."""
    found = _bodies(project, env, kind, doc_id, ptr, content)
    if not content.variants:
        return found
    getting: dict[str | None, set[str]] = {}
    for audience in reached:
        if audience.group is not None:
            chosen = variant_for(project, content, item_id, audience.group.id)
            getting.setdefault(chosen.id if chosen else None, set()).add(audience.group.id)
    bodies = [replace(b, receivers=frozenset(getting.get(None, ()))) for b in found]
    for i, variant in enumerate(content.variants):
        receivers = frozenset(getting.get(variant.id, ())) if project.groups else None
        for body in _bodies(project, env, kind, doc_id, join(join(ptr, "variants"), i),
                            MessageContent(text=variant.text, template=variant.template)):
            bodies.append(replace(body, variant=variant.id, receivers=receivers))
    return tuple(bodies)


@dataclass(frozen=True)
class _Raw:
    kind: str
    doc_id: str
    ptr: str
    content: MessageContent
    scope: Scope
    item_scope: Scope | None = None
    trigger: str | None = None
    channel: str = "group_message"
    sender: str | None = None
    pack: str | None = None
    event: WeeklyEvent | None = None
    day: dt.date | None = None


def _script_messages(project: Project) -> Iterator[_Raw]:
    for sid, script in sorted(project.scripts.items()):
        for i, step in enumerate(script.steps):
            yield _Raw("OnboardingScript", sid, f"/steps/{i}", step, script.applies_to, step.applies_to,
                       trigger=script.trigger.kind, channel=step.channel, sender=step.sender)


def _calendar_messages(project: Project) -> Iterator[_Raw]:
    for cid, cal in sorted(project.calendars.items()):
        kind, scope, day = "ActivityCalendar", cal.applies_to, cal.valid.start
        for i, slot in enumerate(cal.daily):
            yield _Raw(kind, cid, f"/daily/{i}", slot, scope, slot.applies_to, channel=slot.channel,
                       sender=slot.sender, pack=slot.pack, day=day)
        for i, event in enumerate(cal.weekly):
            yield _Raw(kind, cid, f"/weekly/{i}", event, scope, event.applies_to, sender=event.sender,
                       event=event, day=day)
            if event.announce is not None:
                yield _Raw(kind, cid, f"/weekly/{i}/announce", event.announce, scope, event.applies_to,
                           sender=event.sender, event=event, day=day)
        for i, game in enumerate(cal.games):
            yield _Raw(kind, cid, f"/games/{i}", game, scope, game.applies_to, sender=game.sender, day=day)
        for i, reply in enumerate(cal.keyword_replies):
            yield _Raw(kind, cid, f"/keyword_replies/{i}", reply, scope, channel="auto_reply", day=day)


def _pack_messages(project: Project) -> Iterator[_Raw]:
    for pid, pack in sorted(project.packs.items()):
        for i, step in enumerate(pack.timeline):
            yield _Raw("MaterialPack", pid, f"/timeline/{i}", step, pack.launch.audience, step.applies_to,
                       channel=step.channel, sender=step.sender, pack=pid, day=pack.launch.at.date())


def _collect(project: Project, env: MessageEnvironment) -> list[Message]:
    found = []
    for raw in [*_script_messages(project), *_calendar_messages(project), *_pack_messages(project)]:
        place = place_of(raw.kind, raw.content, raw.trigger)
        reached = audiences(project, raw.scope, raw.item_scope)
        item_id = str(getattr(raw.content, "id", None) or (raw.event.id if raw.event else ""))
        found.append(Message(
            raw.kind, raw.doc_id, raw.ptr, raw.content, place, raw.channel, raw.sender, reached,
            _all_bodies(project, env, raw.kind, raw.doc_id, raw.ptr, raw.content, item_id, reached),
            pack=project.packs.get(raw.pack) if raw.pack else None, event=raw.event, day=raw.day))
    return found


class Contents:
    """The messages of one project, with a sandbox rooted at its templates/ folder."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.env = environment_for(project)
        self.messages = _collect(project, self.env)
        self._rendered: dict[tuple[int, Hashable], str | Exception] = {}
        self._slots: dict[tuple[int, int], int] = {}
        """(message, body) -> the number of its `_message_key`: the renders it shares."""
        self._slot_ids: dict[tuple[Hashable, ...], int] = {}

    def render(self, message: Message, body: Body, audience: Audience | None = None) -> str:
        """The body rendered with the sample context for `audience` (default: the first one)."""
        if audience is None and message.audiences:
            audience = next((a for a in message.audiences if body.receivers is None
                             or (a.group is not None and a.group.id in body.receivers)), message.audiences[0])
        slot = self._slots.get((id(message), id(body)))
        if slot is None:
            slot = self._slots[(id(message), id(body))] = self._slot_ids.setdefault(
                self._message_key(message, body), len(self._slot_ids))
        key = (slot, self._audience_key(message, body, audience))
        if key not in self._rendered:
            self._rendered[key] = self._render(message, body, audience)
        result = self._rendered[key]
        if isinstance(result, Exception):
            raise result
        return result

    @staticmethod
    def _message_key(message: Message, body: Body) -> tuple[Hashable, ...]:
        """What of the message a body's rendering depends on. The same text in many messages
        (each unit of a large playbook repeats its calendars' texts) renders once per set of
        values it reads, not once per message; a text whose reads cannot be told, or that draws
        at random, keeps its message's own renders."""
        roots = _roots(body.source)
        if roots is None or any(word in (body.source or "") for word in ("random", "lipsum", "cycler")):
            return (id(message), id(body))
        return (body.template, body.source, message.place,
                id(message.pack) if "pack" in roots else None,
                id(message.event) if "event" in roots else None,
                message.day if "date" in roots else None)

    def _audience_key(self, message: Message, body: Body, audience: Audience | None) -> Hashable:
        """What of `audience` the body's rendering depends on: the values of the variables it
        reads. A text that names no group variable renders once for all the groups it reaches,
        not once per group (thousands of renders of the same text on a large roster)."""
        if audience is None:
            return None
        roots = _roots(body.source)
        if roots is None:
            return id(audience)
        group, group_type = audience.group, audience.group_type
        key: list[Hashable] = []
        if "group" in roots:
            key.append((group.id if group else None, group_type.id if group_type else None))
        if "operator" in roots:
            key.append(group.operator if group else None)
        if "date" in roots and message.day is None:
            key.append(group.opened if group else None)
        if roots & {"playbook", "pack", "event"}:  # in the group's language
            key.append(group.locale if group else None)
        return tuple(key)

    def distinct(self, message: Message, body: Body, audiences: list[Audience]) -> list[Audience]:
        """The first of each run of `audiences` that renders `body` alike, in their order: what a
        rule measuring every rendering needs to render (a text that reads no group value has
        one rendering for thousands of groups)."""
        if _roots(body.source) is None:
            return audiences
        seen: set[Hashable] = set()
        kept: list[Audience] = []
        for audience in audiences:
            key = self._audience_key(message, body, audience)
            if key not in seen:
                seen.add(key)
                kept.append(audience)
        return kept

    def sample_text(self, message: Message, body: Body) -> str | None:
        """The body rendered for its first audience; None when it does not render."""
        try:
            return self.render(message, body)
        except Exception:  # reported by PB204; callers fall back to the source
            return None

    def _render(self, message: Message, body: Body, audience: Audience | None) -> str | Exception:
        if body.source is None:
            return TemplateError(body.error)
        group = audience.group if audience is not None else None
        group_type = audience.group_type if audience is not None else None
        day = message.day or (group.opened if group is not None else None)
        context = sample_context(self.project, message.place, group=group, group_type=group_type,
                                 pack=message.pack, event=message.event, day=day)
        try:
            source = self.env.get_template(body.template) if body.template else body.source
            return render(source, context, self.env)
        except Exception as err:  # a message's template may raise anything; PB204 reports it
            return err


@lru_cache(maxsize=4096)
def _roots(source: str | None) -> frozenset[str] | None:
    """The context variables a body reads; None when that cannot be told from its source
    alone (it includes or imports another template, or does not parse)."""
    if source is None or ("{%" in source and any(w in source for w in ("include", "import", "extends"))):
        return None
    analysis = analyse(source)
    if analysis.syntax_error is not None:
        return None
    return frozenset(ref.path[0] for ref in analysis.references)


def script_reaches(project: Project, script: OnboardingScript, group_type: GroupType) -> bool:
    """Whether a script runs in groups of `group_type` (by its scope)."""
    scope = script.applies_to
    if scope_is_empty(scope) or _type_in_scope(scope, group_type):
        return True
    return any(g.type == group_type.id for g in project.groups.values() if g.id in scope.groups)


@per_project
def contents(project: Project) -> Contents:
    """The messages of `project` (computed once per project)."""
    return Contents(project)




def occurrences(text: str, terms: Iterable[str]) -> list[tuple[int, str]]:
    """(position, term) of every term in `text`, longest first where terms overlap, in order."""
    hits = sorted(((m, term) for term in set(terms) if term for m in _positions(text, term)),
                  key=lambda hit: (hit[0], -len(hit[1])))
    kept: list[tuple[int, str]] = []
    end = 0
    for start, term in hits:
        if start >= end:
            kept.append((start, term))
            end = start + len(term)
    return kept


def _positions(text: str, term: str) -> Iterator[int]:
    start = text.find(term)
    while start != -1:
        yield start
        start = text.find(term, start + 1)


__all__ = ["Audience", "Body", "Contents", "Message", "audiences", "contents", "occurrences",
           "script_reaches"]
