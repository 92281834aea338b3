"""Posting one payload exactly once, reconciling what a dead run left `posting`, and fetching
per-group results of company group sends.

Order for each payload: claim it in the ledger (`posting`, committed), upload its media, then
call WeCom; the answer moves it to `posted` or `failed`. A call that may have reached WeCom
without an answer (a timeout) leaves it `unknown`, never retried blindly.

Reconciling a company group send uses `POST /cgi-bin/externalcontact/get_groupmsg_list_v2`
(`chat_type: group`, `start_time`/`end_time` in Unix seconds, `creator`, `filter_type: 0` for
company sends; answers `group_msg_list` of `{msgid, creator, text: {content}, create_time}`):
found, the message is posted with that msgid; absent, WeCom never created it and it may be
posted. A robot message has no such list: it stays `unknown` until `--retry-unknown`.
Results come from `POST /cgi-bin/externalcontact/get_groupmsg_send_result` (`msgid`, `userid`),
whose `send_list` gives each `chat_id` a `status`: 0 not sent yet, 1 sent, 2 not a friend,
3 already received another group send.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from playbook.delivery.client import Client, DeliveryError
from playbook.delivery.ledger import Delivery, Ledger
from playbook.delivery.ledger_view import RESULT_STATUS
from playbook.delivery.outbox import Entry, Outbox
from playbook.delivery.wecom_payloads import GROUP_SEND_KIND, MEDIA_PREFIX, ROBOT_IMAGE_MAX_BYTES
from playbook.files import MAX_MEDIA_BYTES, FileRefused


def post(client: Client, ledger: Ledger, box: Outbox, entry: Entry, owner: str,
         retry_unknown: bool) -> tuple[str, str]:
    """Post `entry` if this run can claim it: (state, detail) afterwards, e.g. ("posted", msgid)."""
    pairs = list(zip(entry.messages, entry.groups, strict=False))
    if not ledger.claim(entry.file, entry.kind, entry.at.isoformat(), pairs, owner, retry_unknown):
        return "skipped", "claimed by another run"
    payload = box.payload(entry)
    done = min((d.steps_done for m in entry.messages if (d := ledger.get(m)) is not None), default=0)
    try:
        msgid = _call(client, ledger, box, entry, payload, done)
    except DeliveryError as err:
        state = "unknown" if err.unsure else "failed"
        ledger.finish(entry.messages, state, errcode=err.errcode, errmsg=str(err))
        return state, str(err)
    ledger.finish(entry.messages, "posted", msgid=msgid)
    return "posted", msgid or ""


def _call(client: Client, ledger: Ledger, box: Outbox, entry: Entry, payload: dict[str, Any],
          done: int) -> str | None:
    media = {m["sha256"]: m for m in payload["media"]}
    if entry.kind == GROUP_SEND_KIND:
        body = _resolve(payload["requests"][0], lambda ref: _upload(client, box, media, ref, "corp"))
        answer = client.group_send(body)
        return str(answer.get("msgid", "")) or None
    robot = str(payload["robot"])
    for step, request in enumerate(payload["requests"]):
        if step < done:
            continue
        if request["msgtype"] == "image":
            request = _image(box, media, request)
        else:
            request = _resolve(request, lambda ref: _upload(client, box, media, ref, f"robot:{robot}"))
        client.robot_send(robot, request)
        ledger.step_done(entry.messages, step + 1)
    return None


def _resolve(value: Any, upload: Any) -> Any:
    """`value` with every `media:sha256:<hex>` string replaced by an uploaded media id."""
    if isinstance(value, dict):
        return {k: _resolve(v, upload) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, upload) for v in value]
    if isinstance(value, str) and value.startswith(MEDIA_PREFIX):
        return upload(value.removeprefix(MEDIA_PREFIX))
    return value


def _bytes(box: Outbox, media: dict[str, dict[str, str]], sha256: str) -> bytes:
    item = media.get(sha256)
    if item is None:
        raise DeliveryError(f"media {sha256} is not listed in the payload")
    try:
        data = box.files.read_bytes(item["bundle_path"], MAX_MEDIA_BYTES)
    except FileRefused as err:
        raise DeliveryError(f"{item['bundle_path']} {err.reason} (the bundle must hold its media)") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DeliveryError(f"{item['bundle_path']} does not match its SHA-256")
    return data


def _upload(client: Client, box: Outbox, media: dict[str, dict[str, str]], sha256: str,
            scope: str) -> str:
    known = client.ledger.media_id(scope, sha256)
    if known is not None:
        return known
    item = media.get(sha256, {})
    kind = item.get("kind", "file")
    kind = kind if kind in ("image", "video") else "file"
    return client.upload(scope, sha256, item.get("name", "file"), kind, _bytes(box, media, sha256))


def _image(box: Outbox, media: dict[str, dict[str, str]], request: dict[str, Any]) -> dict[str, Any]:
    sha256 = str(request["image"]["base64"]).removeprefix(MEDIA_PREFIX)
    data = _bytes(box, media, sha256)
    if len(data) > ROBOT_IMAGE_MAX_BYTES:
        raise DeliveryError(f"image is {len(data):,} bytes; a group robot takes at most "
                            f"{ROBOT_IMAGE_MAX_BYTES:,}")
    return {"msgtype": "image", "image": {"base64": base64.b64encode(data).decode("ascii"),
                                          "md5": hashlib.md5(data).hexdigest()}}


def reconcile(client: Client, ledger: Ledger, box: Outbox, row: Delivery, now: float) -> str:
    """Settle a row a dead run left `posting`; returns its new state."""
    entry = next((e for e in box.entries if e.file == row.payload), None)
    if row.kind != GROUP_SEND_KIND or entry is None:
        ledger.finish([row.message], "unknown", errmsg="the run posting it died; no list to check")
        return "unknown"
    payload = box.payload(entry)
    body = payload["requests"][0]
    found = _find_group_send(client, body, int((row.claimed or now) - 60), int(now) + 60)
    if found is None:
        ledger.finish(entry.messages, "planned")
        return "planned"
    ledger.finish(entry.messages, "posted", msgid=found)
    return "posted"


def _find_group_send(client: Client, body: dict[str, Any], start: int, end: int) -> str | None:
    cursor = ""
    text = body.get("text", {}).get("content", "")
    for _page in range(100):
        answer = client.call("externalcontact/get_groupmsg_list_v2", {}, {
            "chat_type": "group", "start_time": start, "end_time": end, "creator": body["sender"],
            "filter_type": 0, "limit": 100, "cursor": cursor}, retry_unsure=True)
        for item in answer.get("group_msg_list", []):
            if item.get("creator") == body["sender"] and item.get("text", {}).get("content", "") == text:
                return str(item["msgid"])
        cursor = str(answer.get("next_cursor") or "")
        if not cursor:
            return None
    return None


def refresh(client: Client, ledger: Ledger, msgid: str, sender: str) -> list[tuple[str, int, int | None]]:
    """Fetch and store each group's result of a company group send."""
    results: list[tuple[str, int, int | None]] = []
    cursor = ""
    for _page in range(100):
        answer = client.call("externalcontact/get_groupmsg_send_result", {},
                             {"msgid": msgid, "userid": sender, "limit": 1000, "cursor": cursor},
                             retry_unsure=True)
        results += [(str(r.get("chat_id", "")), int(r.get("status", 0)), r.get("send_time"))
                    for r in answer.get("send_list", [])]
        cursor = str(answer.get("next_cursor") or "")
        if not cursor:
            break
    ledger.store_results(msgid, results)
    return results


__all__ = ["RESULT_STATUS", "post", "reconcile", "refresh"]
