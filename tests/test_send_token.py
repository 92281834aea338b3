"""`playbook send` keeps WeCom's access token in the ledger between runs (issue 16): cron runs
it every minute, and each `gettoken` call spends quota. Checked against tests/wecom_server.py:
two runs share one token; an expired or refused cached token is replaced; a rotated secret gets
its own token; the ledger is readable by its owner only; neither the secret nor a token is ever
printed, and the secret itself is not stored."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from playbook.cli import main
from playbook.delivery.ledger import Ledger
from wecom_playbook import FILES, export_bundle
from wecom_server import CORP_ID, CORP_SECRET, ROBOT_KEYS, WeComServer

ROTATED = "n3w-secret-AFTER-rotation-5678"


@pytest.fixture
def bundle(tmp_path: Path, make_playbook) -> Path:  # type: ignore[no-untyped-def]
    """Two days, so each of two runs has company group sends due (one a day per group)."""
    return export_bundle(make_playbook(FILES), tmp_path / "bundle", "2026-12-08")


def send(bundle: Path, ledger: Path, now: str) -> int:
    return main(["send", str(bundle), "--ledger", str(ledger), "--now", now, "--post"])


def gettokens(server: WeComServer) -> list[str]:
    """The corp secret of each gettoken call, in order."""
    return [r.query["corpsecret"] for r in server.state.received if r.path == "gettoken"]


def tokens_used(server: WeComServer) -> list[str]:
    """The access token of each company group send, in order."""
    return [r.query["access_token"] for r in server.state.received
            if r.path == "externalcontact/add_msg_template"]


def test_two_runs_share_one_token(bundle: Path, tmp_path: Path, server: WeComServer) -> None:
    ledger = tmp_path / "l.sqlite"
    assert send(bundle, ledger, "2026-12-07 09:10") == 0
    assert send(bundle, ledger, "2026-12-08 09:10") == 0
    assert gettokens(server) == [CORP_SECRET]
    assert tokens_used(server) == ["token-1-XYZ"] * 4  # two sends a day, two days


def test_an_expired_cached_token_is_fetched_again(bundle: Path, tmp_path: Path, server: WeComServer) -> None:
    ledger = tmp_path / "l.sqlite"
    assert send(bundle, ledger, "2026-12-07 09:10") == 0
    with sqlite3.connect(ledger) as db:  # the kept token's time ran out between the runs
        db.execute("UPDATE access_tokens SET expires = 1000")
    assert send(bundle, ledger, "2026-12-08 09:10") == 0
    assert gettokens(server) == [CORP_SECRET, CORP_SECRET]
    assert tokens_used(server) == ["token-1-XYZ", "token-1-XYZ", "token-2-XYZ", "token-2-XYZ"]


def test_a_token_wecom_refuses_is_replaced_in_the_ledger(bundle: Path, tmp_path: Path,
                                                         server: WeComServer) -> None:
    ledger = tmp_path / "l.sqlite"
    assert send(bundle, ledger, "2026-12-07 09:10") == 0
    server.state.tokens = {t: 0.0 for t in server.state.tokens}  # WeCom expired it early: 42001
    assert send(bundle, ledger, "2026-12-08 09:10") == 0
    assert tokens_used(server) == ["token-1-XYZ", "token-1-XYZ", "token-1-XYZ", "token-2-XYZ",
                                   "token-2-XYZ"]
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT corp_id, token FROM access_tokens").fetchall() == [
            (CORP_ID, "token-2-XYZ")]


def test_a_rotated_secret_gets_a_new_token(bundle: Path, tmp_path: Path, server: WeComServer,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = tmp_path / "l.sqlite"
    assert send(bundle, ledger, "2026-12-07 09:10") == 0
    server.state.corp_secrets = (CORP_SECRET, ROTATED)
    monkeypatch.setenv("WECOM_CORP_SECRET", ROTATED)
    assert send(bundle, ledger, "2026-12-08 09:10") == 0
    assert gettokens(server) == [CORP_SECRET, ROTATED]
    assert tokens_used(server)[2:] == ["token-2-XYZ", "token-2-XYZ"]


def test_the_ledger_is_private_and_nothing_secret_is_printed(
        bundle: Path, tmp_path: Path, server: WeComServer, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "l.sqlite"
    assert send(bundle, ledger, "2026-12-07 09:10") == 0
    assert send(bundle, ledger, "2026-12-08 09:10") == 0
    assert main(["send", str(bundle), "--ledger", str(ledger), "--status", "--refresh"]) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert "posted" in printed
    for secret in (CORP_SECRET, "token-1-XYZ", *ROBOT_KEYS.values()):
        assert secret not in printed
    for path in (ledger, Path(f"{ledger}-wal"), Path(f"{ledger}-shm"), Path(f"{ledger}.lock")):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("l.sqlite*") if p.is_file())
    assert b"token-1-XYZ" in stored  # kept, so the test above can fail ...
    assert CORP_SECRET.encode() not in stored  # ... but the secret is never written


def test_an_older_readable_ledger_is_narrowed_to_its_owner(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    Ledger.open(ledger).close()
    os.chmod(ledger, 0o644)
    Ledger.open(ledger).close()
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600


def test_a_fifo_or_a_link_as_the_ledger_is_refused_without_blocking(
        bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo, link = tmp_path / "fifo.sqlite", tmp_path / "link.sqlite"
    os.mkfifo(fifo)
    link.symlink_to(tmp_path / "elsewhere.sqlite")
    assert send(bundle, fifo, "2026-12-07 09:10") == 2
    assert send(bundle, link, "2026-12-07 09:10") == 2
    assert capsys.readouterr().err.splitlines() == [
        f"playbook: error: {fifo} is not a regular file; give the ledger a file of its own",
        f"playbook: error: {link} is a symbolic link; name the ledger file itself"]
    assert not (tmp_path / "elsewhere.sqlite").exists()
