"""Which text of a message a group gets: its own, or one of its `variants`.

A group gets the first variant whose `when` selector reaches it. Otherwise, among the
variants without `when`, the one picked by a stable hash: SHA-256 of
`<message id>/<group id>` (the message id is the item's id: the slot, event, game or step id
that bundles show as `item_id`), read as a big-endian number, modulo how many there are. The
same playbook gives every group the same variant on every run and every machine; adding a
group changes nothing for the others. Without such variants the group gets the message's own
text (the validator makes sure there is one).
"""

from __future__ import annotations

import hashlib

from playbook.models.base import MessageContent, Variant
from playbook.models.project import Project
from playbook.scope import reaches


def pick(message_id: str, group_id: str, count: int) -> int:
    """The index (0 ≤ index < count) the stable hash gives a group among `count` variants."""
    digest = hashlib.sha256(f"{message_id}/{group_id}".encode()).digest()
    return int.from_bytes(digest, "big") % count


def variant_for(project: Project, content: MessageContent, message_id: str,
                group_id: str) -> Variant | None:
    """The variant `group_id` gets of a message; None when it gets the message's own text."""
    if not content.variants:
        return None
    shared = []
    for variant in content.variants:
        if variant.when is None:
            shared.append(variant)
        elif reaches(project, variant.when, group_id):
            return variant
    return shared[pick(message_id, group_id, len(shared))] if shared else None


__all__ = ["pick", "variant_for"]
