"""Dated sends rendered into messages: each send of the schedule gets the text of its item,
rendered in the sandbox for its group's platform and locale, and its attachments hashed.

A message with no body of its own still appears, so the run sheet shows everything due:
an offline event becomes a back-office reminder with its name, time and place; a game without
text lists its rules and reward; anything else without a body has an empty text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from jinja2 import TemplateSyntaxError, meta

from playbook.account_posts import by_account
from playbook.account_posts import place_of as account_place
from playbook.diagnostics import Diagnostic, Severity
from playbook.files import MAX_MEDIA_BYTES, FileRefused
from playbook.lifecycle.stages import stage_on
from playbook.messages.routes import Router
from playbook.models.base import MessageContent, Scope, Variant
from playbook.models.calendars import Game, OfflineEvent, Slot, WeeklyEvent
from playbook.models.packs import MaterialPack, TimelineStep
from playbook.models.project import Project
from playbook.models.types import text_in
from playbook.render import (
    MessageEnvironment,
    Place,
    RenderLimitExceeded,
    environment_for,
    place_of,
    render,
    roots,
    sample_context,
)
from playbook.schedule import Send, Source, expand
from playbook.scope import describe, platform_of
from playbook.source import Span, join
from playbook.variants import variant_for

RENDER_CODE, RENDER_NAME = "PB204", "template-render-failure"
LIMIT_CODE, LIMIT_NAME = "PB206", "template-render-limit"
"""Export render failures reuse the lint rule's code: the same problem, met with real values."""
MEDIA_CODE, MEDIA_NAME = "PB033", "missing-file"
"""An attachment the export must hash is missing (validation reports it first; a backstop)."""

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".svg"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi"})
ACCOUNT_PLATFORMS = {"moments_post": "moments", "service_account_post": "service_account"}
"""The platform an account's post is on, in the `platform` column where a group's is."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    path: str
    """POSIX path relative to the playbook root; for media hosted elsewhere, its https URL."""
    sha256: str
    """Hex digest of the file's bytes; empty for hosted media."""
    kind: str
    """`image`, `video` or `file`, or the material kind (`image`, `video`, `interactive`, …)."""
    size: int | None = None
    """The file's size in bytes; None for hosted media."""

    @property
    def bundle_path(self) -> str:
        """Where the bundle holds a copy: `media/<sha256><suffix>`; empty for hosted media.
        Named by content, so one picture posted in 40 groups is copied once."""
        if not self.sha256:
            return ""
        suffix = PurePosixPath(self.path).suffix.lower()
        return f"media/{self.sha256}{suffix if suffix[1:].isalnum() else ''}"

    @property
    def media_kind(self) -> str:
        """`image`, `video` or `file`: how WeCom and a run sheet treat it (a material kind
        such as `interactive` is a file unless its suffix says image or video)."""
        return _kind_of(self.path) if self.sha256 else self.kind if self.kind in ("image", "video") \
            else "file"


@dataclass(frozen=True)
class Message:
    """One send, rendered: what to post in which group, when, from which role."""

    id: str
    group: str
    group_name: str
    operator: str
    platform: str
    locale: str
    at: dt.datetime
    channel: str
    sender: str | None
    text: str
    attachments: tuple[Attachment, ...]
    source: Source
    item: str
    item_id: str
    variant: str = ""
    """The id of the variant this group got; empty for the message's own text."""
    reached_by: str = ""
    """The selectors that put the message on this group, e.g. `classes: region:east`."""
    route: str = "manual"
    """`wecom_group_send`, `wecom_robot` or `manual` (see `playbook.messages.routes`)."""
    form: str = "text"
    """The form of the post: a slot's `form`, else `image`, `video` or `file` after its
    first attachment, else `text`."""
    copies: tuple[str, ...] = ()
    """The copy texts (转发文案) of the materials a launch step posts, to forward as they are."""
    stage: str = ""
    """The group's lifecycle stage on the send's day (the stage's id, else its kind: `strong`,
    `daily`, `weak`); empty when its type has no lifecycle or before it opens."""
    groups: tuple[str, ...] = ()
    """For a post on an account (Moments, the service account; `group` is then empty): the
    groups whose sends it replaces. Empty for a group's message."""


@dataclass(frozen=True)
class Composed:
    """The rendered messages of a date range, and every render failure met on the way."""

    messages: list[Message]
    diagnostics: list[Diagnostic]


@dataclass(frozen=True)
class Item:
    """What a send's source points at: the content, where it sits and what it may use."""

    content: MessageContent | OfflineEvent
    place: Place | None
    pack: MaterialPack | None = None
    event: WeeklyEvent | None = None
    scopes: tuple[Scope | None, ...] = ()
    """The document's selector, then the item's own `applies_to` (None without one)."""

    @property
    def reached_by(self) -> str:
        """The selectors that put this item on its groups, in one line."""
        return " & ".join(describe(s) for i, s in enumerate(self.scopes)
                          if i == 0 or (s is not None and not s.is_empty))


def item_of(project: Project, source: Source) -> Item:
    """The model a schedule source points at (calendars, scripts and packs only)."""
    parts = source.pointer.strip("/").split("/")
    if source.kind == "OnboardingScript":
        script = project.scripts[source.doc_id]
        step = script.steps[int(parts[1])]
        return Item(step, place_of(source.kind, step, script.trigger.kind),
                    scopes=(script.applies_to, step.applies_to))
    if source.kind == "MaterialPack":
        pack = project.packs[source.doc_id]
        tstep = pack.timeline[int(parts[1])]
        return Item(tstep, place_of(source.kind, tstep), pack=pack,
                    scopes=(pack.launch.audience, tstep.applies_to))
    cal = project.calendars[source.doc_id]
    index = int(parts[1])
    if parts[0] == "daily":
        slot = cal.daily[index]
        return Item(slot, place_of(source.kind, slot), pack=project.packs.get(slot.pack or ""),
                    scopes=(cal.applies_to, slot.applies_to))
    if parts[0] == "games":
        game = cal.games[index]
        return Item(game, place_of(source.kind, game), scopes=(cal.applies_to, game.applies_to))
    if parts[0] == "offline":
        return Item(cal.offline[index], None, scopes=(cal.applies_to,))
    event = cal.weekly[index]
    if len(parts) > 2:
        assert event.announce is not None
        return Item(event.announce, place_of(source.kind, event.announce), event=event,
                    scopes=(cal.applies_to, event.applies_to))
    return Item(event, place_of(source.kind, event), event=event, scopes=(cal.applies_to, event.applies_to))


class Composer:
    """Renders sends of one project; keeps one sandbox and the hashes of attachments."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.env: MessageEnvironment = environment_for(project)
        self.default_locale = project.playbook.locales[0]
        self.operators = {g.id: g.operator for g in project.groups.values()}
        self._hashes: dict[str, tuple[str, int] | None] = {}
        self._templates: dict[tuple[int, str], Any] = {}
        self.router = Router(project)
        self.diagnostics: list[Diagnostic] = []
        self._stages: dict[tuple[str, dt.date], str] = {}
        # per source, what every send of it shares (a week of L is 80,000 sends of ~4,000 items)
        self._items: dict[Source, tuple[Item, str]] = {}
        self._attached: dict[Source, tuple[Attachment, ...]] = {}
        self._texts: dict[tuple[Any, ...], str] = {}
        self._reads: dict[int, frozenset[str] | None] = {}
        """id of a compiled template (kept alive in `_templates`) -> the variables it reads."""

    def stage_of(self, group_id: str, day: dt.date) -> str:
        """The group's stage on `day` as bundles name it (computed once per group and day)."""
        key = (group_id, day)
        if key not in self._stages:
            found = stage_on(self.project, group_id, day)
            self._stages[key] = "" if found is None else (found.stage.id or found.stage.kind)
        return self._stages[key]

    def locale_of(self, group_id: str) -> str:
        return self.project.groups[group_id].locale or self.default_locale

    def platform(self, group_id: str) -> str:
        return platform_of(self.project, group_id) or ""

    def messages(self, sends: Iterable[Send]) -> list[Message]:
        """The sends rendered, in order; those that do not render leave a diagnostic instead."""
        return [m for m in map(self.message, sends) if m is not None]

    def message(self, send: Send) -> Message | None:
        """The send rendered; None (and a diagnostic) when its text does not render. An
        account's post renders with its first group's values (a text that reads the group is
        PB423) and names the account where others name the group."""
        group = self.project.groups[send.group]
        item, reached_by = self.item(send.source)
        locale = self.locale_of(send.group)
        variant = None if isinstance(item.content, OfflineEvent) \
            else variant_for(self.project, item.content, send.item_id, send.group)
        text = self.text(item, send, locale, variant)
        if text is None:
            return None
        attachments = self._attachments_of(send.source, item)
        if send.account:
            return self._account_post(send, group.operator, locale, text, attachments, item, reached_by,
                                      variant.id if variant is not None else "")
        return Message(
            id=send.id, group=group.id, group_name=group.name, operator=group.operator,
            platform=self.platform(group.id), locale=locale, at=send.at, channel=send.channel,
            sender=send.sender, text=text, attachments=attachments,
            source=send.source, item=send.item, item_id=send.item_id,
            variant=variant.id if variant is not None else "", reached_by=reached_by,
            route=self.router.route(send), form=_form(item, attachments),
            copies=self.copies(item, locale), stage=self.stage_of(group.id, send.at.date()))

    def _account_post(self, send: Send, operator: str, locale: str, text: str,
                      attachments: tuple[Attachment, ...], item: Item, reached_by: str,
                      variant: str) -> Message:
        """An account's post: no group, the account as its place and platform, no stage."""
        return Message(
            id=send.id, group="", group_name=account_place(self.project, send),
            operator=send.account if send.channel == "moments_post" else operator,
            platform=ACCOUNT_PLATFORMS.get(send.channel, ""), locale=locale, at=send.at,
            channel=send.channel, sender=send.sender, text=text, attachments=attachments,
            source=send.source, item=send.item, item_id=send.item_id, variant=variant,
            reached_by=reached_by, route="manual", form=_form(item, attachments),
            copies=self.copies(item, locale), groups=send.groups)

    def item(self, source: Source) -> tuple[Item, str]:
        """What `source` points at and the selectors that reach it (looked up once per source)."""
        found = self._items.get(source)
        if found is None:
            item = item_of(self.project, source)
            found = self._items[source] = (item, item.reached_by)
        return found

    def _attachments_of(self, source: Source, item: Item) -> tuple[Attachment, ...]:
        """`attachments`, kept per source once they were all found (a missing one is looked
        for, and reported, at every send as before)."""
        found = self._attached.get(source)
        if found is None:
            reported = len(self.diagnostics)
            found = self.attachments(source, item)
            if len(self.diagnostics) == reported:
                self._attached[source] = found
        return found

    def copies(self, item: Item, locale: str) -> tuple[str, ...]:
        """The texts of the materials a launch step posts (copy to forward as it is)."""
        if not isinstance(item.content, TimelineStep) or item.pack is None:
            return ()
        materials = {m.id: m for m in item.pack.materials}
        return tuple(text_in(m.text, locale, self.default_locale) for mid in item.content.materials
                     if (m := materials.get(mid)) is not None and m.text is not None)

    def text(self, item: Item, send: Send, locale: str, variant: Variant | None = None) -> str | None:
        content = item.content
        if isinstance(content, OfflineEvent):
            return describe_offline(content, locale, self.default_locale)
        assert item.place is not None
        body = self.body(variant or content, locale, send.source)
        if body is None:
            return describe_game(content, locale, self.default_locale) if isinstance(content, Game) else ""
        day = send.at.date()
        key = self._text_key(body, item, send.group, locale, day)
        if key is not None and key in self._texts:
            return self._texts[key]
        context = sample_context(self.project, item.place, group=self.project.groups[send.group],
                                 pack=item.pack, event=item.event, day=day)
        text = self.render(body, context, send.source, content, f"group '{send.group}' on {day}")
        if key is not None and text is not None:
            self._texts[key] = text
        return text

    def text_reads(self, template: Any) -> frozenset[str] | None:
        """The context variables a template from `body` reads; None when that cannot be told."""
        return self._reads.get(id(template))

    def _text_key(self, template: Any, item: Item, group_id: str, locale: str,
                  day: dt.date) -> tuple[Any, ...] | None:
        """What a rendering of `template` for this send depends on: the values of the variables
        its text reads. Sends with the same key get the same text, rendered once (a text that
        names no group renders once a day, not once per group). None when that cannot be told
        (the template includes another, or draws at random): then every send renders."""
        if template is False or item.place is None:
            return None
        reads = self._reads.get(id(template))
        if reads is None:
            return None
        key: list[Any] = [id(template)]
        for name in sorted(reads.intersection(roots(item.place))):
            if name == "group":
                key.append(group_id)
            elif name == "operator":
                key.append(self.operators[group_id])
            elif name == "date":
                key.append(day)
            elif name in ("playbook", "pack", "event"):
                key.append((name, locale, id(item.pack), id(item.event)))
        return tuple(key)

    def body(self, content: MessageContent | Variant, locale: str, source: Source) -> Any:
        """The compiled template of a content, None without a body, False when it does not
        compile (reported as a diagnostic). Compiled once per content and locale."""
        key = (id(content), locale)
        if key not in self._templates:
            try:
                self._templates[key] = compiled = self.env.message(content, locale, self.default_locale)
            except Exception as err:  # a template that does not load or compile
                self._fail(source, content, f"template cannot be loaded: {err}")
                self._templates[key] = False
            else:
                if compiled is not None and id(compiled) not in self._reads:
                    self._reads[id(compiled)] = self._source_reads(content, locale)
        return self._templates[key]

    def _source_reads(self, content: MessageContent | Variant, locale: str) -> frozenset[str] | None:
        if content.template is not None:
            assert self.env.loader is not None
            text = self.env.loader.get_source(self.env, content.template)[0]
        else:
            assert content.text is not None
            text = text_in(content.text, locale, self.default_locale)
        return _reads(self.env, text)

    def render(self, template: Any, context: dict[str, Any], source: Source,
               content: MessageContent | Variant, where: str) -> str | None:
        if template is False:
            return None
        try:
            return render(template, context, self.env)
        except RenderLimitExceeded as err:
            self._fail(source, content, f"rendering for {where}: {err}", LIMIT_CODE, LIMIT_NAME)
            return None
        except Exception as err:  # any error a template raises is a render failure
            self._fail(source, content, f"rendering for {where} fails: {type(err).__name__}: {err}")
            return None

    def _fail(self, source: Source, content: MessageContent | Variant, message: str,
              code: str = RENDER_CODE, name: str = RENDER_NAME) -> None:
        field = "template" if content.template is not None else "text"
        if isinstance(content, Variant):
            parent = item_of(self.project, source).content
            assert isinstance(parent, MessageContent)
            field = f"variants/{parent.variants.index(content)}/{field}"
        span = self._span(source, field)
        self.diagnostics.append(Diagnostic(span, Severity.ERROR, code, name, message))

    def _span(self, source: Source, field: str) -> Span:
        try:
            return self.project.span(source.kind, source.doc_id, join(source.pointer, field))
        except KeyError:
            return self.project.span(source.kind, source.doc_id, source.pointer)

    def attachments(self, source: Source, item: Item) -> tuple[Attachment, ...]:
        """The content's own attachments, then (for a launch step) its materials' media."""
        content = item.content
        if isinstance(content, OfflineEvent):
            return ()
        doc_dir = posixpath.dirname(self.project.paths[(source.kind, source.doc_id)])
        found = []
        for i, rel in enumerate(content.attachments):
            path = _under(doc_dir, rel)
            ptr = join(join(source.pointer, "attachments"), i)
            found.append(self._attachment(path, _kind_of(path), source, ptr))
        if isinstance(content, TimelineStep) and item.pack is not None:
            materials = {m.id: m for m in item.pack.materials}
            for i, material_id in enumerate(content.materials):
                material = materials.get(material_id)
                if material is None:
                    continue
                if material.file is not None:
                    found.append(self._attachment(_under(doc_dir, material.file), material.kind, source,
                                                  join(join(source.pointer, "materials"), i)))
                elif material.url is not None:
                    found.append(Attachment(material.url, "", material.kind))
        return tuple(a for a in found if a is not None)

    def _attachment(self, path: str, kind: str, source: Source, ptr: str) -> Attachment | None:
        if path not in self._hashes:
            self._hashes[path] = _sha256(self.project, path)
        found = self._hashes[path]
        if found is None:
            span = self.project.span(source.kind, source.doc_id, ptr)
            self.diagnostics.append(Diagnostic(span, Severity.ERROR, MEDIA_CODE, MEDIA_NAME,
                                               f"attachment '{path}' does not exist or cannot be read"))
            return None
        return Attachment(path, found[0], kind, found[1])


UNSHARED = ("random", "lipsum", "include", "import", "extends", "cycler", "joiner", "namespace")
"""Words that keep a template's renders apart: it may draw at random, read another template
or hold state, so the variables it names do not tell everything its output depends on."""


def _reads(env: MessageEnvironment, source: str) -> frozenset[str] | None:
    """The context variables a template's source reads; None when it uses any of `UNSHARED`
    (or does not parse: rendering reports that)."""
    if any(word in source for word in UNSHARED):
        return None
    try:
        return frozenset(meta.find_undeclared_variables(env.parse(source)))
    except TemplateSyntaxError:
        return None


def _under(doc_dir: str, rel: str) -> str:
    return posixpath.normpath(posixpath.join(doc_dir, rel)) if doc_dir else posixpath.normpath(rel)


def _kind_of(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return "image" if suffix in IMAGE_SUFFIXES else "video" if suffix in VIDEO_SUFFIXES else "file"


def _sha256(project: Project, rel: str) -> tuple[str, int] | None:
    """The digest and size of a media file inside the playbook; None when the file-access layer
    refuses it (validation reports why, at the reference)."""
    try:
        data = project.access.read_bytes(rel, MAX_MEDIA_BYTES)
    except FileRefused:
        return None
    return hashlib.sha256(data).hexdigest(), len(data)


def _form(item: Item, attachments: tuple[Attachment, ...]) -> str:
    """A slot's own form; for other items, what the first attachment is, else text."""
    if isinstance(item.content, Slot):
        return item.content.form
    return attachments[0].media_kind if attachments else "text"


def describe_offline(event: OfflineEvent, locale: str, fallback: str) -> str:
    """The back-office reminder of an offline event: name, time, place and what happens."""
    lines = [f"{text_in(event.name, locale, fallback)} · {event.date.isoformat()} {event.at} · "
             f"{text_in(event.location, locale, fallback)}"]
    if event.description is not None:
        lines.append(text_in(event.description, locale, fallback))
    return "\n".join(lines)


def describe_game(game: Game, locale: str, fallback: str) -> str:
    """A game without its own text: its name, numbered rules and reward."""
    lines = [text_in(game.name, locale, fallback)]
    lines += [f"{n}. {text_in(r, locale, fallback)}" for n, r in enumerate(game.rules, start=1)]
    lines.append(text_in(game.reward, locale, fallback))
    return "\n".join(lines)


def compose(project: Project, start: dt.date, end: dt.date) -> Composed:
    """Every dated send from `start` to `end` (both included), rendered, in schedule order."""
    composer = Composer(project)
    sends = by_account(project, expand(project, start, end))
    return Composed(composer.messages(sends), one_per_place(composer.diagnostics))


def one_per_place(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per place and problem kind: a template failing in 40 groups is one fix."""
    seen: set[tuple[Span, str]] = set()
    kept = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        key = (d.span, d.code)
        if key not in seen:
            seen.add(key)
            kept.append(d)
    return kept


__all__ = ["Attachment", "Composed", "Composer", "Message", "compose", "item_of", "one_per_place"]
