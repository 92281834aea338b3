"""`playbook send` against a local server with WeCom's contract (tests/wecom_server.py): a day
posted, a token expiring mid-run, 45009 then success, a run killed mid-call and restarted
(every message posted exactly once, counted at the server), a robot's 21st message in a minute
waiting on an injected clock, two runs at once, and no secret ever printed."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from playbook.cli import main
from playbook.delivery import client as client_module
from playbook.delivery.client import Client
from playbook.delivery.ledger import Ledger
from wecom_playbook import FILES, IMAGE, export_bundle
from wecom_server import CORP_ID, CORP_SECRET, ROBOT_KEYS, WeComServer

SECRETS = (CORP_SECRET, *ROBOT_KEYS.values())
IMAGE_SHA = "dd1c32e2c49d519c23e12df3601150c280b2cc1dd9d8c75b9555686d9713f008"


@pytest.fixture
def bundle(tmp_path: Path, make_playbook) -> Path:  # type: ignore[no-untyped-def]
    return export_bundle(make_playbook(FILES), tmp_path / "bundle", "2026-12-07")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits a run asks for, recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(client_module, "wait", asked.append)
    return asked


def rows(ledger: Path) -> dict[str, str]:
    """Each message's state in the ledger."""
    book = Ledger.open(ledger)
    try:
        return {r.message: r.state for r in book.all()}
    finally:
        book.close()


def send(bundle: Path, ledger: Path, now: str, *extra: str) -> int:
    return main(["send", str(bundle), "--ledger", str(ledger), "--now", now, *extra])


def test_dry_run_prints_what_it_would_post_and_why_others_wait(bundle: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert send(bundle, ledger, "2026-12-07 09:10") == 0
    assert capsys.readouterr().out.splitlines() == [
        "would post       2026-12-07 09:00 company group send -> shop-2 [wecom/2026-12-07/AnnaW-0900-2.json]",
        "would post       2026-12-07 09:00 company group send -> shop-1 [wecom/2026-12-07/AnnaW-0900.json]",
        "would post       2026-12-07 09:00 robot -> shop-3 [wecom/2026-12-07/robot-shop-3-0900.json]",
        "manual           2026-12-07 09:00 shop-4 [m6c7b75cade3a2fb7]: group shop-4 has no chat_id; "
        "group shop-4 has no robot",
        "manual           2026-12-07 09:00 shop-5 [m0fb2b9d5132bb517]: operator ben has no wecom_userid; "
        "group shop-5 has no robot",
        "3 due, 2 not yet due, 2 manual now",
    ]
    assert not ledger.exists()


def test_late_messages_are_reported_not_posted(bundle: Path, tmp_path: Path, server: WeComServer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert send(bundle, tmp_path / "l.sqlite", "2026-12-07 09:31", "--post") == 0
    out = capsys.readouterr().out
    assert "skip (late)      2026-12-07 09:00 robot -> shop-3 [wecom/2026-12-07/robot-shop-3-0900.json]: " \
           "late by 31m (grace 30m)" in out
    assert server.state.received == []


def test_posting_a_day_posts_each_message_once(bundle: Path, tmp_path: Path, server: WeComServer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.sqlite"
    for now in ("2026-12-07 09:10", "2026-12-07 09:20", "2026-12-07 12:05", "2026-12-07 20:00"):
        assert send(bundle, ledger, now, "--post") == 0
    state = server.state
    assert state.chats_posted() == ["wrTESTshop0001", "wrTESTshop0002"]
    image_attachment = {"msgtype": "image", "image": {"media_id": "media-1"}}
    assert [t["attachments"] for t in state.templates] == [[image_attachment]] * 2
    uploads = [r for r in state.received if r.path == "media/upload"]
    assert len(uploads) == 1 and uploads[0].query["type"] == "image"  # uploaded once, by hash
    kinds = [(robot, body["msgtype"]) for robot, body in state.robot_messages]
    assert kinds == [("deals-bot", "text"), ("deals-bot", "image"), ("deals-bot", "text"),
                     ("deals-bot", "text")]
    image = state.robot_messages[1][1]["image"]
    assert image == {"base64": base64.b64encode(IMAGE).decode(), "md5": hashlib.md5(IMAGE).hexdigest()}
    assert [r.path for r in state.received].count("gettoken") == 1  # only the first run had company sends due
    book = Ledger.open(ledger)
    every = book.all()
    book.close()
    assert sorted({r.state for r in every}) == ["posted"]
    assert {r.msgid for r in every if r.kind == "wecom-group-send"} == {"msgGROUP0001", "msgGROUP0002"}
    out = capsys.readouterr().out
    assert "skip (posted)    2026-12-07 09:00 company group send -> shop-1 " \
           "[wecom/2026-12-07/AnnaW-0900.json]: already posted (msgid msgGROUP000" in out


def test_a_token_expiring_mid_run_is_fetched_again(bundle: Path, tmp_path: Path, server: WeComServer) -> None:
    server.state.expire_tokens_after = 2  # the upload works, then every token expires (42001)
    assert send(bundle, tmp_path / "l.sqlite", "2026-12-07 09:10", "--post") == 0
    paths = [r.path for r in server.state.received if not r.path.startswith("webhook/")]
    assert paths == ["gettoken", "media/upload", "externalcontact/add_msg_template",
                     "externalcontact/add_msg_template", "gettoken", "externalcontact/add_msg_template"]
    assert server.state.chats_posted() == ["wrTESTshop0001", "wrTESTshop0002"]


def test_45009_then_success_waits_and_posts_once(bundle: Path, tmp_path: Path, server: WeComServer,
                                                  waits: list[float]) -> None:
    server.state.group_errors = [45009, -1]
    assert send(bundle, tmp_path / "l.sqlite", "2026-12-07 09:10", "--post") == 0
    assert waits == [1, 2]  # backoff 1 s, then 2 s
    assert server.state.chats_posted() == ["wrTESTshop0001", "wrTESTshop0002"]


def test_a_4xxxx_error_fails_that_message_with_a_clear_line(bundle: Path, tmp_path: Path, server: WeComServer,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    server.state.group_errors = [40058]
    assert send(bundle, tmp_path / "l.sqlite", "2026-12-07 09:10", "--post") == 1
    out = capsys.readouterr().out
    assert "failed           2026-12-07 09:00 -> shop-2 [wecom/2026-12-07/AnnaW-0900-2.json]: " \
           "externalcontact/add_msg_template: errcode 40058: invalid parameter" in out
    assert server.state.chats_posted() == ["wrTESTshop0001"]
    capsys.readouterr()
    assert send(bundle, tmp_path / "l.sqlite", "2026-12-07 09:15", "--post") == 1  # not retried
    assert "skip (failed)" in capsys.readouterr().out
    assert server.state.chats_posted() == ["wrTESTshop0001"]


def _child(bundle: Path, ledger: Path, server: WeComServer, now: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PLAYBOOK_WECOM_API": server.base, "WECOM_CORP_ID": CORP_ID,
           "WECOM_CORP_SECRET": CORP_SECRET, "WECOM_ROBOT_DEALS_BOT": ROBOT_KEYS["deals-bot"]}
    return subprocess.Popen([sys.executable, "-m", "playbook", "send", str(bundle), "--ledger", str(ledger),
                             "--now", now, "--post"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_a_run_killed_mid_call_is_reconciled_and_nothing_posts_twice(
        bundle: Path, tmp_path: Path, server: WeComServer, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "l.sqlite"
    server.state.hang_on_group_send = 2  # WeCom creates the 2nd send; its answer never comes
    child = _child(bundle, ledger, server, "2026-12-07 09:10")
    assert server.state.hung.wait(60), child.communicate()
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    server.state.release.set()
    assert server.state.chats_posted() == ["wrTESTshop0001", "wrTESTshop0002"]
    assert rows(ledger)[_message(bundle, "AnnaW-0900.json")] == "posting"
    assert send(bundle, ledger, "2026-12-07 09:10", "--post") == 0
    out = capsys.readouterr().out
    killed = _message(bundle, "AnnaW-0900.json")
    assert f"reconciled {killed} [wecom/2026-12-07/AnnaW-0900.json]: posted" in out
    assert server.state.chats_posted() == ["wrTESTshop0001", "wrTESTshop0002"]  # each once
    assert [body["msgtype"] for _robot, body in server.state.robot_messages] == ["text", "image"]
    assert set(rows(ledger).values()) == {"posted"}


def _message(bundle: Path, name: str) -> str:
    import json

    data = json.loads((bundle / "wecom/2026-12-07" / name).read_text(encoding="utf-8"))
    return str(data["messages"][0])


def test_two_runs_at_once_post_each_message_once(bundle: Path, tmp_path: Path, server: WeComServer) -> None:
    ledger = tmp_path / "l.sqlite"
    children = [_child(bundle, ledger, server, "2026-12-07 09:10") for _ in range(2)]
    outputs = [c.communicate(timeout=120) for c in children]
    assert [c.returncode for c in children] == [0, 0], outputs
    assert server.state.chats_posted() == ["wrTESTshop0001", "wrTESTshop0002"]
    assert [body["msgtype"] for _robot, body in server.state.robot_messages] == ["text", "image"]
    for out, err in outputs:
        assert not any(secret.encode() in out + err for secret in SECRETS)


def test_a_robots_21st_message_in_a_minute_waits(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        now[0] += seconds

    with WeComServer(lambda: now[0]) as server:
        ledger = Ledger.open(tmp_path / "l.sqlite", clock=lambda: now[0])
        client = Client(server.base, None, None, dict(ROBOT_KEYS), ledger, clock=lambda: now[0], sleep=sleep)
        for n in range(21):
            client.robot_send("deals-bot", {"msgtype": "text", "text": {"content": f"#{n}"}})
            now[0] += 1
        ledger.close()
    assert asked == [40.0]  # 20 sent at t=0..19; the 21st at t=20 waits until t=60
    assert len(server.state.robot_messages) == 21
    assert [r.path for r in server.state.received].count("webhook/send") == 21  # never refused


def test_missing_secrets_are_a_usage_error(bundle: Path, tmp_path: Path, server: WeComServer,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WECOM_CORP_SECRET")
    monkeypatch.delenv("WECOM_ROBOT_DEALS_BOT")
    assert send(bundle, tmp_path / "l.sqlite", "2026-12-07 09:10", "--post") == 2
    assert capsys.readouterr().err == (
        "playbook: error: --post needs these environment variables: WECOM_CORP_SECRET, "
        "WECOM_ROBOT_DEALS_BOT (robot deals-bot)\n")
    assert server.state.received == []


def test_no_secret_is_ever_printed(bundle: Path, tmp_path: Path, server: WeComServer,
                                   monkeypatch: pytest.MonkeyPatch, waits: list[float],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WECOM_ROBOT_DEALS_BOT", "wrong-" + ROBOT_KEYS["deals-bot"])
    monkeypatch.setenv("WECOM_CORP_SECRET", "wrong-" + CORP_SECRET)
    assert send(bundle, tmp_path / "l.sqlite", "2026-12-07 09:10", "--post") == 1
    monkeypatch.setenv("PLAYBOOK_WECOM_API", "http://127.0.0.1:9")  # nothing listens: refused
    assert send(bundle, tmp_path / "m.sqlite", "2026-12-07 09:10", "--post", "--retry-unknown") == 1
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "gettoken: errcode 40001: invalid credential" in text
    assert "webhook/send: errcode 93000: invalid webhook url" in text
    assert "network error" in text
    assert waits == [1, 2, 4] * 3  # refused: each of the 3 payloads retried with backoff, then failed
    assert not any(secret in text for secret in SECRETS)


def test_status_and_refresh_show_each_groups_result(bundle: Path, tmp_path: Path, server: WeComServer,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "l.sqlite"
    assert send(bundle, ledger, "2026-12-07 09:10", "--post") == 0
    capsys.readouterr()
    assert main(["send", str(bundle), "--ledger", str(ledger), "--status", "--refresh"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "0 planned, 0 posting, 3 posted, 0 failed, 0 unknown",
        "msgGROUP0001: 1 sent", "msgGROUP0002: 1 sent"]


def test_a_linked_ledger_folder_is_refused(bundle: Path, tmp_path: Path, server: WeComServer,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / ".playbook").symlink_to(elsewhere)
    assert main(["send", str(bundle), "--root", str(root), "--now", "2026-12-07 09:10", "--post"]) == 2
    assert "is a symbolic link" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []
    assert server.state.received == []


def test_a_bundle_without_payloads_is_a_usage_error(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", str(tmp_path), "--now", "2026-12-07 09:10"]) == 2
    assert capsys.readouterr().err == (
        f"playbook: error: {tmp_path}: no wecom/index.json (it does not exist); export the bundle "
        "with `wecom` among its formats, e.g. --format json,csv,md,ics,wecom\n")


def test_bad_now_and_grace_are_usage_errors(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", str(bundle), "--now", "tomorrow"]) == 2
    assert capsys.readouterr().err == "playbook: error: 'tomorrow' is not a time; write 'YYYY-MM-DD HH:MM'\n"
    with pytest.raises(SystemExit) as stop:
        main(["send", str(bundle), "--grace", "soon"])
    assert stop.value.code == 2
    assert "'soon' is not a duration; write e.g. 30m, 1h or 1h30m" in capsys.readouterr().err


def test_a_claim_that_never_reached_wecom_is_reconciled_and_posted(
        bundle: Path, tmp_path: Path, server: WeComServer, capsys: pytest.CaptureFixture[str]) -> None:
    ledger_path = tmp_path / "l.sqlite"
    first = _message(bundle, "AnnaW-0900.json")
    book = Ledger.open(ledger_path)  # a run that died after its claim, before its call
    assert book.claim("wecom/2026-12-07/AnnaW-0900.json", "wecom-group-send", "2026-12-07T09:00:00+08:00",
                      [(first, "shop-1")], owner="deadrun")
    book.close()
    assert send(bundle, ledger_path, "2026-12-07 09:10", "--post") == 0
    assert f"reconciled {first} [wecom/2026-12-07/AnnaW-0900.json]: planned" in capsys.readouterr().out
    assert [r.path for r in server.state.received].count("externalcontact/get_groupmsg_list_v2") == 1
    assert server.state.chats_posted() == ["wrTESTshop0001", "wrTESTshop0002"]
    assert set(rows(ledger_path).values()) == {"posted"}


def test_a_robot_message_left_posting_stays_unknown_until_retry(
        bundle: Path, tmp_path: Path, server: WeComServer, capsys: pytest.CaptureFixture[str]) -> None:
    ledger_path = tmp_path / "l.sqlite"
    robot = _message(bundle, "robot-shop-3-0900.json")
    book = Ledger.open(ledger_path)
    assert book.claim("wecom/2026-12-07/robot-shop-3-0900.json", "wecom-robot", "2026-12-07T09:00:00+08:00",
                      [(robot, "shop-3")], owner="deadrun")
    book.close()
    assert send(bundle, ledger_path, "2026-12-07 09:10", "--post") == 1
    out = capsys.readouterr().out
    assert f"reconciled {robot} [wecom/2026-12-07/robot-shop-3-0900.json]: unknown" in out
    assert "skip (unknown)   2026-12-07 09:00 robot -> shop-3 [wecom/2026-12-07/robot-shop-3-0900.json]: " \
           "may have been posted; check the group, then --retry-unknown" in out
    assert server.state.robot_messages == []
    assert send(bundle, ledger_path, "2026-12-07 09:12", "--post", "--retry-unknown") == 0
    assert [body["msgtype"] for _robot, body in server.state.robot_messages] == ["text", "image"]
