"""The WeCom HTTP client of `playbook send` (urllib only): access token, media upload, posting.

After WeCom's server API documentation (developer.work.weixin.qq.com): every answer is JSON
with `errcode` (0 for success) and `errmsg`. `GET /cgi-bin/gettoken?corpid=&corpsecret=` gives
`access_token` and `expires_in` (seconds); 40014 (invalid token) and 42001 (expired token) ask
for a new one. -1 (system busy) and 45009 (frequency limit, also a robot's 20 a minute) are
retried with backoff, a bounded number of times. `POST /cgi-bin/media/upload?type=` and
`POST /cgi-bin/webhook/upload_media?key=&type=file` take a multipart `media` file and answer
`media_id`, valid three days.

Nothing this module raises or returns carries a secret: the corp secret, tokens and robot keys
are cut out of every URL and message (`redact`).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

from playbook.delivery.ledger import Ledger
from playbook.delivery.wecom_payloads import ROBOT_PER_MINUTE

DEFAULT_API = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = frozenset({40014, 42001})
RETRY_ERRORS = frozenset({-1, 45009})
ATTEMPTS = 4
"""Calls per request at most (the first and three retries), waiting 1, 2, then 4 s between."""
TIMEOUT = 15.0
TOKEN_MARGIN = 60.0
"""Seconds before its stated expiry that a token stops being used, so none expires mid-call."""
_SECRET_QUERY = re.compile(r"((?:access_token|corpsecret|key)=)[^&\s\"']+", re.IGNORECASE)


def wait(seconds: float) -> None:
    """How a run waits between retries and for a robot's minute (tests replace it)."""
    time.sleep(seconds)


def _secret_hash(corp_id: str, secret: str) -> str:
    """What the ledger keys a cached token by beside the corp id: a hash, never the secret, and
    a rotated secret hashes differently, so its predecessor's token is not reused."""
    return hashlib.sha256(f"{corp_id}\0{secret}".encode()).hexdigest()


class DeliveryError(Exception):
    """A call that did not succeed: WeCom's errcode and errmsg, or a network failure (errcode
    None). `unsure` when the request may have reached WeCom (a timeout after sending)."""

    def __init__(self, message: str, errcode: int | None = None, unsure: bool = False) -> None:
        super().__init__(message)
        self.errcode = errcode
        self.unsure = unsure


class Client:
    """One run's connection to WeCom (or a server with its contract, in the tests)."""

    def __init__(self, base: str, corp_id: str | None, corp_secret: str | None,
                 robot_keys: dict[str, str], ledger: Ledger, *,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None, timeout: float = TIMEOUT) -> None:
        self.base = base.rstrip("/")
        self.corp_id, self.corp_secret = corp_id, corp_secret
        self.robot_keys = robot_keys
        self.ledger = ledger
        self.clock, self.sleep = clock or time.time, sleep or wait
        self.timeout = timeout
        self._token: tuple[str, float] | None = None
        self.secrets = [s for s in (corp_secret, *robot_keys.values()) if s]

    def redact(self, text: str) -> str:
        """`text` with every secret and token replaced by `***`."""
        text = _SECRET_QUERY.sub(r"\1***", text)
        for secret in [*self.secrets, *([self._token[0]] if self._token else [])]:
            text = text.replace(secret, "***")
        return text

    # -- HTTP ------------------------------------------------------------------------------
    def _request(self, path: str, query: dict[str, str], body: bytes | None,
                 content_type: str = "application/json") -> dict[str, Any]:
        url = f"{self.base}/cgi-bin/{path}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
        if body is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = json.loads(answer.read(1024 * 1024))
        except urllib.error.HTTPError as err:
            raise DeliveryError(self.redact(f"{path}: HTTP {err.code}"), unsure=True) from None
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            # refused or unknown host: nothing was sent; anything else (a timeout, a reset, a
            # garbled answer) may have reached WeCom
            sent = not isinstance(reason, (ConnectionRefusedError, socket.gaierror))
            raise DeliveryError(self.redact(f"{path}: network error: {reason}"), unsure=sent) from None
        if not isinstance(data, dict):
            raise DeliveryError(f"{path}: the answer is not a JSON object", unsure=True)
        return data

    def call(self, path: str, query: dict[str, str], body: dict[str, Any] | None = None, *,
             token: bool = True, raw: bytes | None = None, content_type: str = "application/json",
             retry_unsure: bool = False) -> dict[str, Any]:
        """One API call with its retries; the answer when `errcode` is 0, else DeliveryError.
        A call that may have been delivered is retried only when `retry_unsure` (reads)."""
        data = raw if raw is not None else (None if body is None else
                                            json.dumps(body, ensure_ascii=False).encode("utf-8"))
        refreshed = False
        for attempt in range(ATTEMPTS):
            params = {**query, "access_token": self.token()} if token else dict(query)
            try:
                answer = self._request(path, params, data, content_type)
            except DeliveryError as err:
                if (err.unsure and not retry_unsure) or attempt == ATTEMPTS - 1:
                    raise
                self.sleep(2 ** attempt)
                continue
            code = int(answer.get("errcode", 0) or 0)
            if code == 0:
                return answer
            message = self.redact(f"{path}: errcode {code}: {answer.get('errmsg', '')}")
            if token and code in TOKEN_ERRORS and not refreshed:
                self._drop_token()
                refreshed = True
                continue
            if code in RETRY_ERRORS and attempt < ATTEMPTS - 1:
                self.sleep(2 ** attempt)
                continue
            raise DeliveryError(message, code)
        raise DeliveryError(f"{path}: gave up after {ATTEMPTS} attempts")

    def token(self) -> str:
        """The access token: this run's, else the one the ledger keeps for this corp and secret,
        else a new one from `gettoken`, kept (in the ledger too) until a minute before it expires."""
        if self._token is not None and self.clock() < self._token[1]:
            return self._token[0]
        if not self.corp_id or not self.corp_secret:
            raise DeliveryError("WECOM_CORP_ID and WECOM_CORP_SECRET are needed for company group sends")
        secret_hash = _secret_hash(self.corp_id, self.corp_secret)
        self._token = self.ledger.cached_token(self.corp_id, secret_hash, self.clock())
        if self._token is not None:
            return self._token[0]
        answer = self.call("gettoken", {"corpid": self.corp_id, "corpsecret": self.corp_secret},
                           token=False, retry_unsure=True)
        value = str(answer["access_token"])
        self._token = (value, self.clock() + float(answer.get("expires_in", 7200)) - TOKEN_MARGIN)
        self.ledger.remember_token(self.corp_id, secret_hash, *self._token)
        return value

    def _drop_token(self) -> None:
        """Forget a token WeCom refused, here and in the ledger, so the next call fetches one."""
        if self._token is not None and self.corp_id:
            self.ledger.forget_token(self.corp_id, self._token[0])
        self._token = None

    # -- media -----------------------------------------------------------------------------
    def upload(self, scope: str, sha256: str, name: str, kind: str, data: bytes) -> str:
        """The media id of a file, uploaded once and reused while WeCom keeps it. `scope` is
        `corp` (media/upload) or `robot:<name>` (webhook/upload_media)."""
        known = self.ledger.media_id(scope, sha256)
        if known is not None:
            return known
        boundary = uuid.uuid4().hex
        safe_name = re.sub(r'["\r\n\\]', "_", name) or "file"
        raw = (f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="{safe_name}"; '
               f'filelength={len(data)}\r\nContent-Type: application/octet-stream\r\n\r\n').encode() \
            + data + f"\r\n--{boundary}--\r\n".encode()
        ctype = f"multipart/form-data; boundary={boundary}"
        if scope == "corp":
            answer = self.call("media/upload", {"type": kind}, raw=raw, content_type=ctype,
                               retry_unsure=True)
        else:
            key = self.robot_keys[scope.removeprefix("robot:")]
            answer = self.call("webhook/upload_media", {"key": key, "type": "file"}, raw=raw,
                               content_type=ctype, token=False, retry_unsure=True)
        media_id = str(answer["media_id"])
        self.ledger.remember_media(scope, sha256, media_id)
        return media_id

    # -- posting ---------------------------------------------------------------------------
    def group_send(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("externalcontact/add_msg_template", {}, body)

    def robot_send(self, robot: str, body: dict[str, Any]) -> dict[str, Any]:
        """Post one robot message, first waiting while the robot has posted 20 in the last
        minute (counted in the ledger, so across runs)."""
        while True:
            now = self.clock()
            recent = self.ledger.robot_posts_since(robot, now - 60)
            if len(recent) < ROBOT_PER_MINUTE:
                break
            self.sleep(recent[-ROBOT_PER_MINUTE] + 60 - now)
        answer = self.call("webhook/send", {"key": self.robot_keys[robot]}, body, token=False)
        self.ledger.robot_posted(robot, self.clock())
        return answer


__all__ = ["DEFAULT_API", "Client", "DeliveryError"]
