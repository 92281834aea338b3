"""What every exporter receives: the selected messages and reply sets of one range, with the
project for names. An exporter is a pure function from a `Selection` to its files, given as
(relative path, content) pairs one at a time, so a large bundle can go to disk file by file, and
a large file's content in pieces, so it can go to disk piece by piece."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from playbook.messages.compose import Message
from playbook.messages.media import MediaFile
from playbook.messages.replies import ReplySet
from playbook.models.project import Project
from playbook.models.types import text_in
from playbook.writer import Content


@dataclass(frozen=True)
class Filters:
    """Which messages a bundle keeps; an empty tuple keeps all."""

    groups: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()

    def keeps(self, group: str, operator: str, platform: str, locale: str) -> bool:
        return all(not wanted or value in wanted for value, wanted in (
            (group, self.groups), (operator, self.operators), (platform, self.platforms),
            (locale, self.locales)))

    def as_dict(self) -> dict[str, list[str]]:
        return {"groups": sorted(self.groups), "operators": sorted(self.operators),
                "platforms": sorted(self.platforms), "locales": sorted(self.locales)}


@dataclass(frozen=True)
class Selection:
    """The content of one bundle."""

    project: Project
    start: dt.date
    end: dt.date
    filters: Filters
    messages: tuple[Message, ...]
    replies: tuple[ReplySet, ...]
    dtstamp: dt.datetime = field(default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    """The DTSTAMP of every calendar event (see `exporters.ics`)."""
    media: tuple[MediaFile, ...] = ()
    """The files copied into the bundle's `media/` folder (see `messages.media`)."""

    def text(self, value: str | dict[str, str], locale: str | None = None) -> str:
        default = self.project.playbook.locales[0]
        return text_in(value, locale or default, default)

    @property
    def title(self) -> str:
        return self.text(self.project.playbook.title)

    @functools.cached_property
    def _operators(self) -> dict[str, str]:
        return {o.id: o.name for o in self.project.playbook.operators}

    @functools.cached_property
    def _roles(self) -> dict[str, str | dict[str, str]]:
        return {r.id: r.name for r in self.project.playbook.roles}

    def operator_name(self, operator_id: str) -> str:
        return self._operators.get(operator_id, operator_id)

    def role_name(self, role_id: str | None, locale: str | None = None) -> str:
        """A role's name in `locale`; looked up once per message in every format, so the names
        are indexed once per bundle."""
        if role_id is None:
            return ""
        name = self._roles.get(role_id)
        return self.text(name, locale) if name is not None else role_id

    def source_file(self, kind: str, doc_id: str) -> str:
        return self.project.paths.get((kind, doc_id), "")


Exporter = Callable[[Selection], Iterable[tuple[str, Content]]]
"""A format: the selection -> its files as (relative POSIX path, content) pairs; a large file's
content comes in pieces (see `writer.Content`), made as the writer asks for them."""

PIECE_BYTES = 1 << 20
"""About how large a piece `gathered` hands on: large enough that writing and hashing cost
nothing per piece, small enough that holding one costs nothing either."""


def gathered(parts: Iterable[bytes], size: int = PIECE_BYTES) -> Iterator[bytes]:
    """The small `parts` (a record, a row) joined into pieces of about `size` bytes, in order."""
    batch: list[bytes] = []
    held = 0
    for part in parts:
        batch.append(part)
        held += len(part)
        if held >= size:
            yield b"".join(batch)
            batch, held = [], 0
    if batch:
        yield b"".join(batch)


def whole(content: Content) -> bytes:
    """A file's content as one `bytes` (its pieces joined), for a caller that keeps it."""
    return content if isinstance(content, bytes) else b"".join(content)


def zone_name(moment: dt.datetime) -> str:
    """The IANA name of an aware moment's zone (`Asia/Shanghai`), else its UTC offset."""
    key: Any = getattr(moment.tzinfo, "key", None)
    return str(key) if key else moment.strftime("%z")


__all__ = ["Content", "Exporter", "Filters", "Selection", "gathered", "whole", "zone_name"]
