"""`messages.json`: every message of the bundle, for a bot or an SCRM import, and the JSON
Schema it follows (published as `schema/bundle.schema.json` by `playbook schema`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from playbook import __version__
from playbook.exporters.base import Content, Selection, gathered, zone_name
from playbook.messages.compose import Attachment, Message
from playbook.messages.cues import recipient
from playbook.models.routes import ROUTES

FILE = "messages.json"
BUNDLE_FORMAT = 2
"""The version of the messages.json layout; raised when a field changes meaning or goes away.
2: ids gained their `m` prefix, attachments' `kind` is image/video/file (+ bundle_path, size),
messages gained route, form, recipient and copies."""

_ID = {"type": "string", "pattern": "^m[0-9a-f]{16}$"}
_DATE = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_STRINGS = {"type": "array", "items": {"type": "string"}}

BUNDLE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:playbook:schema:v1:bundle",
    "title": "Message bundle (messages.json)",
    "description": "Every dated message of a playbook in a date range, as `playbook export` "
                   "writes it: which text goes to which group at what time, from which role, "
                   "with which attachments, and where it is defined.",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "generator", "playbook", "range", "filters", "messages"],
    "properties": {
        "format": {"const": BUNDLE_FORMAT, "description": "The layout version of this file."},
        "generator": {"type": "string", "description": "The tool and version that wrote it."},
        "playbook": {
            "type": "object", "additionalProperties": False, "required": ["id", "title", "version"],
            "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                           "version": {"type": "string"}},
        },
        "range": {
            "type": "object", "additionalProperties": False, "required": ["from", "to"],
            "properties": {"from": _DATE, "to": _DATE},
            "description": "First and last day exported, both included.",
        },
        "filters": {
            "type": "object", "additionalProperties": False,
            "required": ["groups", "operators", "platforms", "locales"],
            "properties": {"groups": _STRINGS, "operators": _STRINGS, "platforms": _STRINGS,
                           "locales": _STRINGS},
            "description": "The filters the export was run with; an empty list keeps everything.",
        },
        "messages": {"type": "array", "items": {"$ref": "#/$defs/Message"}},
    },
    "$defs": {
        "Attachment": {
            "type": "object", "additionalProperties": False,
            "required": ["path", "bundle_path", "sha256", "size", "kind"],
            "properties": {
                "path": {"type": "string", "minLength": 1,
                         "description": "POSIX path relative to the playbook root, or the https "
                                        "URL of media hosted elsewhere."},
                "bundle_path": {"type": "string", "pattern": "^(media/[0-9a-f]{64}(\\.[a-z0-9]+)?)?$",
                                "description": "The copy inside the bundle, named by its SHA-256; "
                                               "empty for hosted media."},
                "sha256": {"type": "string", "pattern": "^([0-9a-f]{64})?$",
                           "description": "SHA-256 of the file; empty for hosted media."},
                "size": {"type": ["integer", "null"], "minimum": 0,
                         "description": "Bytes; null for hosted media."},
                "kind": {"enum": ["image", "video", "file"],
                         "description": "How it is sent: an image, a video or any other file."},
            },
        },
        "Message": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "group", "group_name", "operator", "platform", "locale", "at",
                         "time_zone", "date", "time", "channel", "sender", "text", "attachments",
                         "source", "item", "item_id", "variant", "reached_by", "route", "form",
                         "recipient", "copies", "stage"],
            "properties": {
                "id": {**_ID, "description": "Stable: the same group, moment and source give the same id."},
                "group": {"type": "string", "description": "The roster group's id."},
                "group_name": {"type": "string"},
                "operator": {"type": "string", "description": "The id of the operator who owns the group."},
                "platform": {"type": "string"},
                "locale": {"type": "string"},
                "at": {"type": "string", "format": "date-time",
                       "description": "When to send, ISO 8601 with the UTC offset."},
                "time_zone": {"type": "string", "description": "The IANA zone `at` is written in."},
                "date": {**_DATE, "description": "The local day of `at`."},
                "time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$",
                         "description": "The local clock time of `at`."},
                "channel": {"type": "string"},
                "sender": {"type": ["string", "null"],
                           "description": "The sending role; null for a back-office entry."},
                "text": {"type": "string", "description": "The rendered message, ready to post."},
                "attachments": {"type": "array", "items": {"$ref": "#/$defs/Attachment"}},
                "source": {
                    "type": "object", "additionalProperties": False,
                    "required": ["kind", "doc_id", "pointer", "file"],
                    "properties": {"kind": {"type": "string"}, "doc_id": {"type": "string"},
                                   "pointer": {"type": "string"}, "file": {"type": "string"}},
                    "description": "The document and JSON pointer that define this message.",
                },
                "item": {"enum": ["slot", "weekly_event", "announcement", "game", "programme_step",
                                  "launch_step", "offline", "preparation_step"]},
                "item_id": {"type": "string"},
                "variant": {"type": "string", "description": "The id of the variant this group got; "
                                                             "empty for the message's own text."},
                "reached_by": {"type": "string",
                               "description": "The selectors that put the message on this group, "
                                              "e.g. `types: middle-official & classes: region:east`."},
                "stage": {"type": "string",
                          "description": "The group's lifecycle stage on the send's day: the "
                                         "stage's id, else its kind (strong, daily, weak); empty "
                                         "without a lifecycle."},
                "route": {"enum": list(ROUTES),
                          "description": "How it goes out: a WeCom company group send, the "
                                         "group robot, or by hand from the run sheet."},
                "form": {"type": "string",
                         "description": "The form of the post: text, image, video, poster, link, "
                                        "mini_program_card, poll, … (a slot's `form`)."},
                "recipient": {"type": "string",
                              "description": "Who receives it when it is not the group chat "
                                             "itself (a private message's member); empty for a "
                                             "group message."},
                "copies": {**_STRINGS, "description": "Copy texts of the materials a launch "
                                                      "step posts, to forward as they are."},
            },
        },
    },
}


def attachment_record(a: Attachment) -> dict[str, Any]:
    return {"path": a.path, "bundle_path": a.bundle_path, "sha256": a.sha256, "size": a.size,
            "kind": a.media_kind}


def message_record(m: Message, sel: Selection) -> dict[str, Any]:
    """One message as messages.json writes it."""
    return {
        "id": m.id, "group": m.group, "group_name": m.group_name, "operator": m.operator,
        "platform": m.platform, "locale": m.locale, "at": m.at.isoformat(),
        "time_zone": zone_name(m.at), "date": m.at.date().isoformat(), "time": m.at.strftime("%H:%M"),
        "channel": m.channel, "sender": m.sender, "text": m.text,
        "attachments": [attachment_record(a) for a in m.attachments],
        "source": {"kind": m.source.kind, "doc_id": m.source.doc_id, "pointer": m.source.pointer,
                   "file": sel.source_file(m.source.kind, m.source.doc_id)},
        "item": m.item, "item_id": m.item_id, "variant": m.variant, "reached_by": m.reached_by,
        "route": m.route, "form": m.form, "recipient": recipient(sel.project, m),
        "copies": list(m.copies), "stage": m.stage,
    }


def header(sel: Selection) -> dict[str, Any]:
    """The fields messages.json and replies.json share."""
    pb = sel.project.playbook
    return {
        "format": BUNDLE_FORMAT, "generator": f"playbook {__version__}",
        "playbook": {"id": pb.id, "title": sel.title, "version": pb.version},
        "range": {"from": sel.start.isoformat(), "to": sel.end.isoformat()},
        "filters": sel.filters.as_dict(),
    }


def dumps(value: dict[str, Any]) -> bytes:
    """JSON as every bundle file writes it (see `pieces`), whole."""
    return b"".join(pieces(value))


def pieces(value: dict[str, Any]) -> Iterator[bytes]:
    """JSON as every bundle file writes it: UTF-8, readable Chinese, two-space indent, except
    that a list of records (a top-level value given as an iterator: messages, reply sets) is
    written one compact record per line; in pieces of about a megabyte, made as they are
    asked for, so a list of records is never held encoded whole.

    One record per line keeps a diff of two bundles, `grep` and line-based tools meaningful,
    and lets the C encoder do the work: indenting a week of 2,000 groups (80,000 messages)
    with `json.dumps(indent=2)` took ~3 s and 500 MB of intermediate strings."""
    return gathered(_parts(value))


def _parts(value: dict[str, Any]) -> Iterator[bytes]:
    yield b"{"
    for n, (key, item) in enumerate(value.items()):
        yield f"{',' if n else ''}\n  {json.dumps(key, ensure_ascii=False)}: ".encode()
        if isinstance(item, Iterator):
            lead = b"[\n    "
            for record in item:
                yield lead
                yield json.dumps(record, ensure_ascii=False, separators=(", ", ": ")).encode()
                lead = b",\n    "
            yield b"[]" if lead == b"[\n    " else b"\n  ]"
        else:
            yield json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ").encode()
    yield b"\n}\n"


def export(sel: Selection) -> Iterator[tuple[str, Content]]:
    body = {**header(sel), "messages": (message_record(m, sel) for m in sel.messages)}
    yield FILE, pieces(body)


def schema_text() -> str:
    """The published schema file's text."""
    return json.dumps(BUNDLE_SCHEMA, ensure_ascii=False, indent=2) + "\n"


__all__ = ["BUNDLE_SCHEMA", "FILE", "dumps", "export", "header", "message_record", "pieces", "schema_text"]
