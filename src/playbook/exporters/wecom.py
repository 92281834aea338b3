"""`--format wecom`: WeCom request bodies, ready for `playbook send` or any other poster.

`wecom/<date>/<sender>-<HHMM>.json` holds one company group send (one sender, one moment, the
customer groups that get the same content); `wecom/<date>/robot-<group>-<HHMM>.json` one group
robot message. `wecom/index.json` lists every payload and every message that stays manual, with
why, so nothing is silently dropped. Shapes: `playbook.delivery.wecom_schema`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from playbook.delivery.wecom_payloads import plan
from playbook.exporters.base import Selection
from playbook.exporters.json_messages import header

INDEX = "wecom/index.json"


def _json(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export(sel: Selection) -> Iterator[tuple[str, bytes]]:
    planned = plan(sel.project, sel.messages)
    for payload in planned.payloads:
        yield payload.file, _json(payload.record())
    index = {
        **header(sel),
        "time_zone": sel.project.playbook.time_zone,
        "payloads": [{"file": p.file, "kind": p.kind, "at": p.at.isoformat(),
                      "messages": list(p.messages), "groups": list(p.groups),
                      "problems": list(p.problems)} for p in planned.payloads],
        "manual": [{"message": m.message, "group": m.group, "at": m.at.isoformat(),
                    "reason": m.reason} for m in planned.manual],
    }
    yield INDEX, _json(index)


__all__ = ["INDEX", "export"]
