"""`manifest.json`: what the bundle is (playbook, version, git commit, range, filters), how
much it holds, and the SHA-256 of every other file, so a receiver can check it is complete."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping

from playbook.exporters.base import Selection
from playbook.exporters.json_messages import dumps, header

FILE = "manifest.json"


def manifest(sel: Selection, files: Mapping[str, bytes], formats: tuple[str, ...],
             commit: str | None) -> bytes:
    items = Counter(m.item for m in sel.messages)
    body = {
        **header(sel),
        "commit": commit,
        "formats": list(formats),
        "counts": {
            "messages": len(sel.messages),
            "groups": len({m.group for m in sel.messages}),
            "operators": len({m.operator for m in sel.messages}),
            "reply_sets": len(sel.replies),
            "replies": sum(len(s.replies) for s in sel.replies),
            "by_item": dict(sorted(items.items())),
        },
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                  for name, data in sorted(files.items())},
    }
    return dumps(body)


__all__ = ["FILE", "manifest"]
