"""`manifest.json`: what the bundle is (playbook, version, git commit and whether the playbook
had uncommitted changes, range, filters), how much it holds (messages per item and per route),
the media copied in (size, hash, where each came from), and the SHA-256 of every other file, so
a receiver can check it is complete."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping

from playbook.exporters.base import Selection
from playbook.exporters.json_messages import dumps, header
from playbook.messages.media import record

FILE = "manifest.json"


def entry(data: bytes) -> tuple[str, int]:
    """What the manifest lists of one file: its SHA-256 (hex) and its size in bytes."""
    return hashlib.sha256(data).hexdigest(), len(data)


def manifest(sel: Selection, listing: Mapping[str, tuple[str, int]], formats: tuple[str, ...],
             commit: str | None, dirty: bool | None = None) -> bytes:
    """The manifest of a bundle whose other files are `listing` (path -> `entry` of it).
    `dirty`: whether the playbook's files had uncommitted changes (None: not known, no git)."""
    items = Counter(m.item for m in sel.messages)
    routes = Counter(m.route for m in sel.messages)
    body = {
        **header(sel),
        "commit": commit,
        "dirty": dirty,
        "formats": list(formats),
        "counts": {
            "messages": len(sel.messages),
            "groups": len({m.group for m in sel.messages if m.group}),  # "": an account's post
            "operators": len({m.operator for m in sel.messages}),
            "reply_sets": len(sel.replies),
            "replies": sum(len(s.replies) for s in sel.replies),
            "by_item": dict(sorted(items.items())),
            "by_route": dict(sorted(routes.items())),
            "media": len(sel.media),
        },
        "media": [record(f) for f in sel.media],
        "files": {name: {"sha256": digest, "bytes": size}
                  for name, (digest, size) in sorted(listing.items())},
    }
    return dumps(body)


__all__ = ["FILE", "entry", "manifest"]
