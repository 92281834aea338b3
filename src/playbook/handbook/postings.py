"""What each page has to post, as `cards.Card`s: a calendar's slots, events, games and
keyword replies, a script's steps and a pack's launch timeline as previews (placeholders for
what varies per group), and an operator's dated messages with each group's exact text."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Mapping

from playbook.handbook.book import Book
from playbook.handbook.cards import Card, CardFile, CardText
from playbook.handbook.views import Entry, Preview
from playbook.messages.compose import Attachment
from playbook.models.base import MetricTarget
from playbook.models.calendars import ActivityCalendar, Game, KeywordReply, Slot, WeeklyEvent
from playbook.models.packs import MaterialPack, TimelineStep
from playbook.models.project import Project
from playbook.models.scripts import Step

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")


def media_paths(project: Project) -> dict[str, str]:
    """Playbook path of each pack media file -> where the handbook's docs carry it
    (`compile.media_files` copies them to `packs/<pack id>/<file>`)."""
    found: dict[str, str] = {}
    for pack_id, pack in project.packs.items():
        folder = posixpath.dirname(project.paths[("MaterialPack", pack_id)])
        for material in pack.materials:
            if material.file is None or material.file.startswith("/") or ".." in material.file.split("/"):
                continue
            found[posixpath.normpath(posixpath.join(folder, material.file))] = (
                f"packs/{pack_id}/{material.file}"
            )
    return found


class Poster:
    """Builds the cards of one page (`here`, its docs path, for relative file links)."""

    def __init__(self, book: Book, here: str, media: Mapping[str, str]) -> None:
        self.book = book
        self.here = here
        self.media = media

    def _metric(self, target: MetricTarget | None) -> str:
        return self.book.metric(target)

    def _file(self, path: str, kind: str = "") -> CardFile:
        name = posixpath.basename(path) if not path.startswith("https://") else path
        if path.startswith("https://"):
            return CardFile(name, path, image=False)
        target = self.media.get(path)
        href = posixpath.relpath(target, posixpath.dirname(self.here) or ".") if target else ""
        return CardFile(
            name, href, image=bool(target) and (kind == "image" or path.lower().endswith(IMAGE_SUFFIXES))
        )

    def files(self, attachments: tuple[Attachment, ...]) -> tuple[CardFile, ...]:
        return tuple(self._file(a.path, a.kind) for a in attachments)

    def _names(self, doc_path: str, names: list[str]) -> tuple[CardFile, ...]:
        folder = posixpath.dirname(doc_path)
        return tuple(self._file(posixpath.normpath(posixpath.join(folder, n))) for n in names)

    def _preview(self, preview: Preview, note: str = "") -> tuple[tuple[CardText, ...], str]:
        return (CardText(preview.text),) if preview.text else (), " ".join(
            x for x in (preview.note, note) if x
        )

    # --- calendars --------------------------------------------------------------------
    def slot(self, cal: ActivityCalendar, slot: Slot, preview: Preview, doc_path: str) -> Card:
        b = self.book
        column = next((b.t(c.name) for c in cal.columns if c.id == slot.column), slot.column or "")
        texts, note = self._preview(preview)
        return Card(
            slot.at,
            b.t(slot.name),
            (
                ("重复", str(b.repeat(slot.repeat).striptags()) if slot.repeat else "每天"),
                ("形式", b.label("form", slot.form)),
                ("发送", b.role(slot.sender)),
                ("栏目", column),
                (
                    "素材包",
                    b.t(b.project.packs[slot.pack].title)
                    if slot.pack is not None and slot.pack in b.project.packs
                    else slot.pack or "",
                ),
                ("指标", self._metric(slot.metric)),
            ),
            texts,
            self._names(doc_path, slot.attachments),
            note,
            "slot",
        )

    def event(
        self, event: WeeklyEvent, preview: Preview, announce: Preview | None, doc_path: str
    ) -> list[Card]:
        b = self.book
        day = b.label("weekday", event.weekday)
        texts, note = self._preview(preview)
        found = [
            Card(
                f"{day} {event.at}",
                b.t(event.name),
                (
                    ("类型", b.label("event", event.kind)),
                    ("主持", b.role(event.sender)),
                    ("指标", self._metric(event.metric)),
                ),
                texts,
                self._names(doc_path, event.attachments),
                note,
                "event",
            )
        ]
        if announce is not None and event.announce is not None:
            texts, note = self._preview(announce)
            found.append(
                Card(
                    b.offset(event.announce_at) if event.announce_at else "活动前",
                    f"预告：{b.t(event.name)}",
                    (("发送", b.role(event.sender)),),
                    texts,
                    self._names(doc_path, event.announce.attachments),
                    note,
                    "announcement",
                    f"相对{day} {event.at}",
                )
            )
        return found

    def game(self, game: Game, preview: Preview, doc_path: str) -> Card:
        b = self.book
        when = " · ".join(
            x for x in (str(b.repeat(game.repeat).striptags()) if game.repeat else "", game.at or "按需") if x
        )
        texts, note = self._preview(preview)
        return Card(
            when,
            b.t(game.name),
            (("主持", b.role(game.sender)), ("指标", self._metric(game.metric))),
            texts,
            self._names(doc_path, game.attachments),
            note,
            "game",
        )

    def reply(self, reply: KeywordReply, preview: Preview, doc_path: str) -> Card:
        texts, note = self._preview(preview)
        return Card(
            "关键词",
            "、".join(reply.keywords),
            (("渠道", self.book.label("channel", "auto_reply")),),
            texts,
            self._names(doc_path, reply.attachments),
            note,
            "reply",
        )

    # --- scripts and packs -------------------------------------------------------------
    def step(self, step: Step, preview: Preview, doc_path: str) -> Card:
        b = self.book
        texts, note = self._preview(preview)
        return Card(
            b.offset(step.at),
            b.t(step.name),
            (
                ("渠道", b.label("channel", step.channel)),
                ("发送", b.role(step.sender)),
                ("用途", b.label("purpose", step.purpose)),
                ("指标", self._metric(step.metric)),
            ),
            texts,
            self._names(doc_path, step.attachments),
            note,
            "step",
        )

    def launch(
        self, pack: MaterialPack, step: TimelineStep, moment: dt.datetime, preview: Preview, doc_path: str
    ) -> Card:
        b = self.book
        materials = {m.id: m for m in pack.materials}
        files = list(self._names(doc_path, step.attachments))
        for material_id in step.materials:
            material = materials.get(material_id)
            if material is not None and material.file is not None:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), material.file))
                files.append(self._file(path, material.kind))
            elif material is not None and material.url is not None:
                files.append(CardFile(b.t(material.title), material.url))
        texts, note = self._preview(preview)
        titles = "、".join(b.t(materials[m].title) if m in materials else m for m in step.materials)
        return Card(
            moment.strftime("%m-%d %H:%M"),
            b.label("phase", step.phase),
            (
                ("渠道", b.label("channel", step.channel)),
                ("发送", b.role(step.sender)),
                ("素材", titles),
                ("指标", self._metric(step.metric)),
            ),
            texts,
            tuple(files),
            note,
            step.phase,
            f"上线 {b.offset(step.at)}" if step.at[:1] in "+-" else b.offset(step.at),
        )

    # --- dated messages ----------------------------------------------------------------
    def entry(self, entry: Entry, tick_prefix: str = "") -> Card:
        """A dated message with each group's own text; a tick box per text when
        `tick_prefix` is given (kept in localStorage under the messages' ids)."""
        b = self.book
        texts = tuple(
            CardText(v.text, tuple(v.groups), f"{tick_prefix}{v.ids[0]}" if tick_prefix else "",
                     "、".join(v.names))
            for v in entry.variants
        )
        return Card(
            entry.clock,
            entry.title,
            (
                ("渠道", b.label("channel", entry.channel)),
                ("发送", entry.sender),
                ("来源", b.label("item", entry.item)),
            ),
            texts,
            self.files(entry.attachments),
            "",
            entry.item,
        )
