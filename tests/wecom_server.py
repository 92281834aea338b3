"""A local server with the documented contract of the WeCom endpoints `playbook send` uses, for
the tests: `gettoken`, `media/upload`, `externalcontact/add_msg_template`,
`externalcontact/get_groupmsg_list_v2`, `externalcontact/get_groupmsg_send_result`,
`webhook/send` and `webhook/upload_media`, with their error codes (40014 invalid token, 42001
expired token, 45009 frequency limit, -1 busy, 40058 invalid parameter, 40007 invalid media id,
93000 invalid webhook key) and a robot's limit of 20 messages a minute. It binds 127.0.0.1 on a
free port and records every request it answers.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CORP_ID, CORP_SECRET = "wwTESTCORP", "s3cr3t-corp-VALUE-1234"
ROBOT_KEYS = {"deals-bot": "robot-key-ABCDEF-987654"}


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class WeComState:
    """What the server knows and does; tests set the knobs, then read `received`."""

    clock: Callable[[], float]
    received: list[Received] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)
    token_lifetime: float = 7200
    corp_secrets: tuple[str, ...] = (CORP_SECRET,)
    """The secrets gettoken accepts for CORP_ID (a test adds one to rotate the secret)."""
    expire_tokens_after: int | None = None
    """After this many successful calls, every token issued so far expires (42001)."""
    group_errors: list[int] = field(default_factory=list)
    """errcodes answered to the next add_msg_template calls, one each, before success."""
    hang_on_group_send: int | None = None
    """The nth add_msg_template (1-based) is created, then the answer waits for `release`."""
    hung: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    templates: list[dict[str, Any]] = field(default_factory=list)
    robot_posts: dict[str, list[float]] = field(default_factory=dict)
    robot_messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def chats_posted(self) -> list[str]:
        return sorted(c for t in self.templates for c in t["chat_id_list"])


def _ok(**extra: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **extra}


def _error(code: int, message: str) -> dict[str, Any]:
    return {"errcode": code, "errmsg": message}


class _Handler(BaseHTTPRequestHandler):
    state: WeComState

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        size = int(self.headers.get("Content-Length", "0"))
        self._answer(self.rfile.read(size))

    def _answer(self, raw: bytes) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = url.path.removeprefix("/cgi-bin/")
        query = dict(urllib.parse.parse_qsl(url.query))
        ctype = self.headers.get("Content-Type", "")
        body: Any = raw
        if raw and ctype.startswith("application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                return self._send(_error(47001, "data format error"))
        with self.state.lock:
            self.state.received.append(Received(path, query, body))
        answer = self._route(path, query, body, ctype)
        self._send(answer)

    def _send(self, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client died waiting (the kill test)
            self.wfile.write(data)

    def _token_problem(self, query: dict[str, str]) -> dict[str, Any] | None:
        s = self.state
        token = query.get("access_token")
        if token not in s.tokens:
            return _error(40014, "invalid access_token")
        if s.clock() >= s.tokens[token]:
            return _error(42001, "access_token expired")
        return None

    def _route(self, path: str, query: dict[str, str], body: Any, ctype: str) -> dict[str, Any]:
        s = self.state
        if path == "gettoken":
            if query.get("corpid") != CORP_ID or query.get("corpsecret") not in s.corp_secrets:
                return _error(40001, "invalid credential")
            with s.lock:
                token = f"token-{len(s.tokens) + 1}-XYZ"
                s.tokens[token] = s.clock() + s.token_lifetime
            return _ok(access_token=token, expires_in=int(s.token_lifetime))
        if path.startswith("webhook/"):
            return self._robot(path, query, body, ctype)
        problem = self._token_problem(query)
        if problem is not None:
            return problem
        with s.lock:
            s.calls += 1
            if s.expire_tokens_after is not None and s.calls >= s.expire_tokens_after:
                s.tokens = {t: 0.0 for t in s.tokens}
                s.expire_tokens_after = None
        if path == "media/upload":
            return self._upload(body, ctype, query.get("type", ""))
        if path == "externalcontact/add_msg_template":
            return self._group_send(body)
        if path == "externalcontact/get_groupmsg_list_v2":
            found = [{"msgid": t["msgid"], "creator": t["sender"], "create_type": 0,
                      "text": t.get("text", {}), "create_time": t["create_time"]}
                     for t in s.templates if t["sender"] == body.get("creator")
                     and body["start_time"] <= t["create_time"] <= body["end_time"]]
            return _ok(next_cursor="", group_msg_list=found)
        if path == "externalcontact/get_groupmsg_send_result":
            template = next((t for t in s.templates if t["msgid"] == body.get("msgid")), None)
            if template is None:
                return _error(41063, "msgid not found")
            return _ok(next_cursor="", send_list=[
                {"chat_id": c, "userid": template["sender"], "status": 1 if i == 0 else 2,
                 "send_time": template["create_time"]} for i, c in enumerate(template["chat_id_list"])])
        return _error(40058, f"unknown path {path}")

    def _upload(self, body: Any, ctype: str, kind: str) -> dict[str, Any]:
        if "multipart/form-data" not in ctype or b'name="media"' not in body:
            return _error(40058, "media field missing")
        with self.state.lock:
            media_id = f"media-{len(self.state.media) + 1}"
            self.state.media[media_id] = body
        return _ok(type=kind, media_id=media_id, created_at=str(int(self.state.clock())))

    def _group_send(self, body: dict[str, Any]) -> dict[str, Any]:
        s = self.state
        if body.get("chat_type") != "group" or not body.get("sender") or not body.get("chat_id_list"):
            return _error(40058, "chat_type, sender and chat_id_list are required")
        text = body.get("text", {}).get("content", "")
        if len(text.encode()) > 4000 or len(body.get("attachments", [])) > 9:
            return _error(40058, "content too long or too many attachments")
        for a in body.get("attachments", []):
            media_id = a.get(a["msgtype"], {}).get("media_id")
            if media_id is not None and media_id not in s.media:
                return _error(40007, "invalid media_id")
        with s.lock:
            if s.group_errors:
                code = s.group_errors.pop(0)
                return _error(code, {-1: "system busy", 45009: "api freq out of limit"}.get(
                    code, "invalid parameter"))
            template = {**body, "msgid": f"msgGROUP{len(s.templates) + 1:04d}",
                        "create_time": int(s.clock())}
            s.templates.append(template)
            hang = s.hang_on_group_send == len(s.templates)
        if hang:
            s.hung.set()
            s.release.wait(60)
        return _ok(fail_list=[], msgid=template["msgid"])

    def _robot(self, path: str, query: dict[str, str], body: Any, ctype: str) -> dict[str, Any]:
        s = self.state
        robot = next((r for r, k in ROBOT_KEYS.items() if k == query.get("key")), None)
        if robot is None:
            return _error(93000, "invalid webhook url")
        if path == "webhook/upload_media":
            return self._upload(body, ctype, "file")
        if path != "webhook/send":
            return _error(40058, f"unknown path {path}")
        kind = body.get("msgtype")
        limit = {"text": 2048, "markdown": 4096}.get(kind)
        if limit is not None and len(body[kind]["content"].encode()) > limit:
            return _error(40058, "content exceeds max length")
        with s.lock:
            now = s.clock()
            recent = [t for t in s.robot_posts.get(robot, []) if t > now - 60]
            if len(recent) >= 20:
                return _error(45009, "api freq out of limit")
            s.robot_posts[robot] = [*recent, now]
            s.robot_messages.append((robot, body))
        return _ok()


class WeComServer:
    """The server in a thread: `with WeComServer(clock) as server: server.base ...`."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.state = WeComState(clock)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> WeComServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def serving(setenv: Callable[[str, str], None], delenv: Callable[[str], None],
            clock: Callable[[], float]) -> Iterator[WeComServer]:
    """A running server, with the environment `playbook send` reads (API base, corp id and
    secret, the demo robot's key) pointed at it and no fixed clock."""
    with WeComServer(clock) as running:
        setenv("PLAYBOOK_WECOM_API", running.base)
        setenv("WECOM_CORP_ID", CORP_ID)
        setenv("WECOM_CORP_SECRET", CORP_SECRET)
        setenv("WECOM_ROBOT_DEALS_BOT", ROBOT_KEYS["deals-bot"])
        delenv("PLAYBOOK_NOW")
        yield running
