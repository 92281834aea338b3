"""`playbook build --ledger PATH` (issue 16): the operator pages show, from a `send` ledger read
read-only, how each WeCom message went out and what each group got; a build without it is
byte-identical to one before; a ledger that is missing, a link, a FIFO or not a ledger stops
the build at once with a usage error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from playbook.cli import main
from playbook.delivery.ledger import Ledger
from playbook.delivery.ledger_view import read_ledger
from playbook.handbook.delivery_status import status_markdown
from playbook.pipeline import check
from wecom_playbook import FILES

DUE = "2026-12-07T09:00:00+08:00"
HOSTILE = "<script>alert(1)</script> | *bold* [x](http://e.example)"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The delivery tests' WeCom playbook (tests/wecom_playbook.py), written once."""
    folder = tmp_path_factory.mktemp("wecom")
    for rel, content in FILES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger as `send --post` and `send --status --refresh` leave it: two company group
    sends posted (results fetched for both: sent, not a friend), one posted without results yet,
    a robot message failed with an errmsg full of markup, one left unknown."""
    path = tmp_path_factory.mktemp("ledger") / "ledger.sqlite"
    book = Ledger.open(path)
    rows = [("mAAAA000000000001", "shop-1", "wecom-group-send", "posted", "msgGROUP0001"),
            ("mAAAA000000000002", "shop-2", "wecom-group-send", "posted", "msgGROUP0002"),
            ("mAAAA000000000003", "shop-5", "wecom-group-send", "posted", "msgGROUP0003"),
            ("mAAAA000000000004", "shop-3", "wecom-robot", "failed", None),
            ("mAAAA000000000005", "shop-1", "wecom-group-send", "unknown", None)]
    for message, group, kind, state, msgid in rows:
        assert book.claim(f"wecom/{message}.json", kind, DUE, [(message, group)], owner="run1")
        book.finish([message], state, msgid=msgid, errcode=40058 if state == "failed" else None,
                    errmsg=HOSTILE if state == "failed" else None)
    book.store_results("msgGROUP0001", [("wrTESTshop0001", 1, 1_796_000_000)])
    book.store_results("msgGROUP0002", [("wrTESTshop0002", 2, 1_796_000_000)])
    book.close()
    return path


def test_each_operator_gets_a_table_of_their_groups(root: Path, ledger: Path) -> None:
    project = check(root).project
    assert project is not None
    rows = read_ledger(ledger)
    anna = status_markdown(project, rows, "anna").splitlines()
    table = anna[anna.index("| 时间 | 群 | 消息 | 方式 | 状态 | 结果 |") + 2:]
    assert table == [
        "| 2026-12-07 09:00 | 一群 `shop-1` | `mAAAA000000000001` | 企业群发 | 已发出 | 已送达 |",
        "| 2026-12-07 09:00 | 一群 `shop-1` | `mAAAA000000000005` | 企业群发 | 不确定是否发出 | – |",
        "| 2026-12-07 09:00 | 二群 `shop-2` | `mAAAA000000000002` | 企业群发 | 已发出 | "
        "未送达：客户不是好友 |",
        "| 2026-12-07 09:00 | 三群 `shop-3` | `mAAAA000000000004` | 群机器人 | 失败 | errcode 40058: "
        "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*bold\\* \\[x\\](http://e.example) |"]
    ben = status_markdown(project, rows, "ben").splitlines()
    assert ben[-1] == ("| 2026-12-07 09:00 | 五群 `shop-5` | `mAAAA000000000003` | 企业群发 | 已发出 | "
                       "还没拉取（`playbook send --status --refresh`） |")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_site_shows_it_only_when_asked(root: Path, ledger: Path, tmp_path: Path) -> None:
    before = ledger.read_bytes(), os.stat(ledger).st_mtime_ns
    sites = {name: tmp_path / name for name in ("plain", "with", "plain-again")}
    for name, out in sites.items():
        extra = ["--ledger", str(ledger)] if name == "with" else []
        assert main(["build", str(root), "--date", "2026-12-07", "--out", str(out), "--force",
                     "--quiet", *extra]) == 0
    plain, shown = tree(sites["plain"]), tree(sites["with"])
    assert plain == tree(sites["plain-again"])
    assert "企业微信发送结果" not in plain["operators/anna.html"].decode()
    page = shown["operators/anna.html"].decode()
    assert "企业微信发送结果" in page and "未送达：客户不是好友" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    changed = {p for p in plain if plain[p] != shown.get(p)}
    assert changed == {"operators/anna.html", "operators/ben.html", "search/search_index.json",
                       "search/search_index.js"}  # the pages, and the search index of their words
    assert (ledger.read_bytes(), os.stat(ledger).st_mtime_ns) == before  # read only


def test_a_bad_ledger_stops_the_build_at_once(root: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fifo, link, other = tmp_path / "fifo", tmp_path / "link.sqlite", tmp_path / "notes.sqlite"
    os.mkfifo(fifo)
    link.symlink_to(tmp_path / "elsewhere.sqlite")
    other.write_bytes(b"not a database at all, only text" * 64)
    for given in (tmp_path / "missing.sqlite", fifo, link, other):
        assert main(["build", str(root), "--out", str(tmp_path / "site"), "--ledger", str(given)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"playbook: error: --ledger {tmp_path / 'missing.sqlite'}: no such file; `playbook send "
        "--post` creates the ledger",
        f"playbook: error: --ledger {fifo}: not a regular file",
        f"playbook: error: --ledger {link}: is a symbolic link; name the ledger file itself",
        f"playbook: error: --ledger {other}: not a playbook send ledger (file is not a database)"]
    assert not (tmp_path / "site").exists()
