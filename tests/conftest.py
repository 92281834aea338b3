"""Shared fixtures: throw-away playbook folders and an in-process `playbook` command."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from golden import pytest_terminal_summary  # noqa: F401  (lists refreshed golden files)
from playbook.cli import main
from playbook.models.project import Project
from playbook.pipeline import check
from wecom_server import WeComServer, serving

Files = Mapping[str, str | bytes]
MakePlaybook = Callable[[Files], Path]
RunCli = Callable[..., tuple[int, str, str]]

# Line numbers of this text are relied on by a few tests: keep it stable.
_VALID_PLAYBOOK = """\
apiVersion: playbook/v1
kind: Playbook
id: demo
version: 1.0.0
title: 示例手册
owner: ops-team
platforms:
  - id: wechat_group
roles:
  - id: official
    kind: official
    name: 官方小助手
group_types:
  - id: middle-official
    name: 中层官方群
    positioning: welfare
    purpose: Daily offers for members.
    platform: wechat_group
    target_size: 200
"""


def valid_playbook_yaml(extra: str = "") -> str:
    """A minimal valid playbook.yaml (19 lines), with `extra` top-level YAML appended."""
    return _VALID_PLAYBOOK + extra


def document_header(kind: str, doc_id: str = "base") -> str:
    """The six header lines every document starts with; a test's own lines start at line 7."""
    return (f"apiVersion: playbook/v1\nkind: {kind}\nid: {doc_id}\nversion: 1.0.0\n"
            f"title: 测试文档\nowner: ops-team\n")


@pytest.fixture(autouse=True)
def _no_result_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test checks for real: a `validate` answered from `playbook.cache` would hide what the
    test is about and leave entries in the shipped example. tests/test_cache.py turns it back on."""
    monkeypatch.setenv("PLAYBOOK_NO_CACHE", "1")


def cache_on(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, today: str,
             source_date_epoch: str | None = None) -> None:
    """Turn the caches back on for a test (`_no_result_cache` turns them off), with a user key of
    the test's own, a fixed day and no CI annotations."""
    monkeypatch.setenv("PLAYBOOK_TODAY", today)
    if source_date_epoch is not None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", source_date_epoch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
    monkeypatch.delenv("PLAYBOOK_NO_CACHE", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture(autouse=True)
def _paths_as_recorded(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reporters print paths as the diagnostics hold them (relative to the playbook), so a test
    of a playbook in a temporary folder reads `rules/base.yaml`, not `../../tmp/…/rules/base.yaml`.
    Tests marked `cwd_paths` (tests/test_reporter_paths.py) see the real paths from the CWD."""
    if request.node.get_closest_marker("cwd_paths") is None:
        from playbook.reporters.places import Places

        monkeypatch.setattr(Places, "of", classmethod(lambda cls, root, cwd=None: cls()))


@pytest.fixture
def make_playbook(tmp_path: Path) -> MakePlaybook:
    """Factory: write `files` (relative path -> text or raw bytes) into a fresh folder.

    A valid playbook.yaml is added unless `files` names one, so a test only writes the
    file it breaks. Text is written as UTF-8 bytes exactly (no newline translation).
    """
    counter = 0

    def make(files: Files) -> Path:
        nonlocal counter
        counter += 1
        root = tmp_path / f"playbook-{counter}"
        root.mkdir()
        everything: dict[str, str | bytes] = {"playbook.yaml": valid_playbook_yaml()}
        everything.update(files)
        for rel, content in everything.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return root

    return make


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run `playbook ARGS…` in-process: (exit code, stdout, stderr). argparse exits count too."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        try:
            code = main([str(a) for a in args])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every root the real check ran on (a `validate` answered from its cache runs none). In one
    process, so that the check `build` runs in a child (`forked.apart`) is counted here."""
    from playbook import forked, pipeline
    from playbook.incremental import Memory
    from playbook.lint.config import LintConfig

    monkeypatch.setenv(forked.VARIABLE, "1")
    ran: list[Path] = []
    real = pipeline.check

    def counting(root: Path, config: LintConfig | None = None,
                 memory: Memory | None = None) -> pipeline.Checked:
        ran.append(root)
        return real(root, config, memory)

    monkeypatch.setattr(pipeline, "check", counting)
    return ran


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[WeComServer]:
    """The local WeCom server (tests/wecom_server.py) on 127.0.0.1, with the environment
    `playbook send` reads pointed at it, for the delivery tests."""
    with serving(monkeypatch.setenv, lambda name: monkeypatch.delenv(name, raising=False),
                 time.time) as running:
        yield running


@pytest.fixture(scope="session")
def shipped() -> Project:
    """The shipped playbook (this repository), checked once for the run: it must be clean. The
    Project is frozen, so the tests that read it share one."""
    checked = check(Path(__file__).resolve().parents[1])
    assert checked.project is not None and not checked.failing
    return checked.project
