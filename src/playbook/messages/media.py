"""The media of a bundle: every file a message or reply attaches, copied in once under
`media/<sha256><suffix>`, so the bundle is self-contained (a run sheet links the copy, a
sender uploads it) and one poster posted in 40 groups is one file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from playbook.files import MAX_MEDIA_BYTES, FileRefused
from playbook.messages.compose import Attachment
from playbook.models.project import Project

FOLDER = "media"


@dataclass(frozen=True)
class MediaFile:
    """One copied file, as the manifest lists it."""

    bundle_path: str
    sha256: str
    size: int
    kind: str
    sources: tuple[str, ...]
    """The playbook paths it was copied from (one content may sit at several paths)."""


def media_of(attachments: Iterable[Attachment]) -> list[MediaFile]:
    """The distinct files among `attachments` (hosted media is not copied), by bundle path."""
    found: dict[str, tuple[Attachment, set[str]]] = {}
    for a in attachments:
        if a.bundle_path:
            found.setdefault(a.bundle_path, (a, set()))[1].add(a.path)
    return [MediaFile(path, a.sha256, a.size or 0, a.media_kind, tuple(sorted(paths)))
            for path, (a, paths) in sorted(found.items())]


@dataclass(frozen=True)
class CopyFailed:
    """A file that could not be copied: the playbook path and why."""

    path: str
    reason: str


def copies(project: Project, media: list[MediaFile]) -> Iterator[tuple[str, bytes] | CopyFailed]:
    """Each file's bytes under its bundle path, read again through the file-access layer; a
    file that changed or vanished since it was hashed gives a `CopyFailed` instead (the export
    must stop: the hash in messages.json would not match the copy)."""
    for f in media:
        try:
            data = project.access.read_bytes(f.sources[0], MAX_MEDIA_BYTES)
        except FileRefused as err:
            yield CopyFailed(f.sources[0], err.reason)
            continue
        if hashlib.sha256(data).hexdigest() != f.sha256:
            yield CopyFailed(f.sources[0], "changed while the bundle was made; export again")
            continue
        yield f.bundle_path, data


def record(f: MediaFile) -> dict[str, object]:
    """The manifest's entry of a media file."""
    return {"path": f.bundle_path, "sha256": f.sha256, "bytes": f.size, "kind": f.kind,
            "sources": list(f.sources)}


__all__ = ["FOLDER", "CopyFailed", "MediaFile", "copies", "media_of", "record"]
