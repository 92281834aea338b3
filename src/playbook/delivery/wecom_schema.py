"""JSON Schemas of the payload files `playbook export --format wecom` writes
(`schema/wecom-group-send.schema.json`, `schema/wecom-robot.schema.json`): the envelope
(moment, messages, groups, media to upload) and, under `requests`, the request bodies in the
shape WeCom documents (see `wecom_payloads` for the sources and limits)."""

from __future__ import annotations

import json
from typing import Any

from playbook.delivery.wecom_payloads import (
    GROUP_ATTACHMENTS_MAX,
    GROUP_CHATS_MAX,
    GROUP_SEND_ENDPOINT,
    GROUP_SEND_KIND,
    MEDIA_PREFIX,
    ROBOT_ENDPOINT,
    ROBOT_KIND,
    ROBOT_NEWS_MAX_ARTICLES,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_REF = {"type": "string", "minLength": 1,
        "description": f"A WeCom media id, or `{MEDIA_PREFIX}<hex>` until `playbook send` uploads it."}
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}


def _obj(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required,
            "properties": properties}


def _attachment(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return _obj(["msgtype", kind], {"msgtype": {"const": kind}, kind: body})


_GROUP_ATTACHMENT = {"oneOf": [
    _attachment("image", {"type": "object", "additionalProperties": False, "minProperties": 1,
                          "properties": {"media_id": _REF, "pic_url": {"type": "string"}}}),
    _attachment("link", _obj(["title", "url"], {"title": {"type": "string", "minLength": 1},
                                                "url": {"type": "string", "minLength": 1},
                                                "picurl": {"type": "string"},
                                                "desc": {"type": "string"}})),
    _attachment("miniprogram", _obj(["title", "pic_media_id", "appid", "page"], {
        "title": {"type": "string"}, "pic_media_id": _REF, "appid": {"type": "string"},
        "page": {"type": "string"}})),
    _attachment("video", _obj(["media_id"], {"media_id": _REF})),
    _attachment("file", _obj(["media_id"], {"media_id": _REF})),
]}
_GROUP_BODY = {
    **_obj(["chat_type", "sender", "chat_id_list"], {
        "chat_type": {"const": "group"},
        "sender": {"type": "string", "minLength": 1, "description": "The sending member's userid."},
        "chat_id_list": {**_STRINGS, "maxItems": GROUP_CHATS_MAX},
        "allow_select": {"type": "boolean"},
        "text": _obj(["content"], {"content": {"type": "string", "minLength": 1}}),
        "attachments": {"type": "array", "items": _GROUP_ATTACHMENT, "maxItems": GROUP_ATTACHMENTS_MAX},
    }),
    "anyOf": [{"required": ["text"]}, {"required": ["attachments"]}],
    "description": f"The body of POST /cgi-bin/{GROUP_SEND_ENDPOINT}.",
}
_ROBOT_BODY = {"oneOf": [
    _attachment("text", _obj(["content"], {"content": {"type": "string", "minLength": 1},
                                           "mentioned_list": {"type": "array", "items": {"type": "string"}},
                                           "mentioned_mobile_list": {"type": "array",
                                                                     "items": {"type": "string"}}})),
    _attachment("markdown", _obj(["content"], {"content": {"type": "string", "minLength": 1}})),
    _attachment("image", _obj(["base64", "md5"], {"base64": {"type": "string", "minLength": 1},
                                                  "md5": {"type": "string", "minLength": 1}})),
    _attachment("news", _obj(["articles"], {"articles": {
        "type": "array", "minItems": 1, "maxItems": ROBOT_NEWS_MAX_ARTICLES,
        "items": _obj(["title", "url"], {"title": {"type": "string", "minLength": 1},
                                         "url": {"type": "string", "minLength": 1},
                                         "description": {"type": "string"},
                                         "picurl": {"type": "string"}})}})),
    _attachment("file", _obj(["media_id"], {"media_id": _REF})),
], "description": f"The body of POST /cgi-bin/{ROBOT_ENDPOINT}?key=KEY."}
_MEDIA = _obj(["sha256", "bundle_path", "kind", "name"], {
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "bundle_path": {"type": "string", "pattern": "^media/[0-9a-f]{64}(\\.[A-Za-z0-9]+)?$"},
    "kind": {"type": "string"}, "name": {"type": "string"}})


def _envelope(kind: str, endpoint: str, who: str, body: dict[str, Any], title: str,
              max_requests: int | None) -> dict[str, Any]:
    requests: dict[str, Any] = {"type": "array", "items": {"$ref": "#/$defs/Request"}, "minItems": 1}
    if max_requests is not None:
        requests["maxItems"] = max_requests
    return {
        "$schema": DIALECT, "$id": f"urn:playbook:schema:v1:{kind}", "title": title,
        **_obj(["kind", "endpoint", "at", "messages", "groups", who, "requests", "media", "problems"], {
            "kind": {"const": kind}, "endpoint": {"const": endpoint},
            "at": {"type": "string", "format": "date-time", "description": "When it is due."},
            "messages": {**_STRINGS, "description": "The ids (messages.json) it posts."},
            "groups": {**_STRINGS, "description": "The roster groups it reaches."},
            who: {"type": ["string", "null"]},
            "requests": requests,
            "media": {"type": "array", "items": {"$ref": "#/$defs/Media"}},
            "problems": {"type": "array", "items": {"type": "string"},
                         "description": "What WeCom would refuse; `send` skips such a payload."},
        }),
        "$defs": {"Media": _MEDIA, "Request": body},
    }


GROUP_SEND_SCHEMA = _envelope(GROUP_SEND_KIND, GROUP_SEND_ENDPOINT, "sender", _GROUP_BODY,
                              "WeCom company group send (export --format wecom)", 1)
ROBOT_SCHEMA = _envelope(ROBOT_KIND, ROBOT_ENDPOINT, "robot", _ROBOT_BODY,
                         "WeCom group robot message (export --format wecom)", None)
SCHEMAS = {f"{GROUP_SEND_KIND}.schema.json": GROUP_SEND_SCHEMA, f"{ROBOT_KIND}.schema.json": ROBOT_SCHEMA}


def schema_texts() -> dict[str, str]:
    """file name -> published schema text (written and drift-checked by `playbook schema`)."""
    return {name: json.dumps(s, ensure_ascii=False, indent=2) + "\n" for name, s in SCHEMAS.items()}


__all__ = ["GROUP_SEND_SCHEMA", "ROBOT_SCHEMA", "SCHEMAS", "schema_texts"]
