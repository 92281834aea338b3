"""Outputs honour the umask like any build tool (issue 14): 0644 files and 0755 folders under
umask 022, 0640/0750 under 027, for the handbook's site, bundles, scaffolded playbooks and
single files; never tempfile's 0600/0700, which a web server running as another user cannot
read."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli
from playbook.writer import write_bytes, write_tree

DAY = "2026-11-23"


@pytest.fixture(params=[0o022, 0o027], ids=["umask-022", "umask-027"])
def mask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def modes(folder: Path) -> set[tuple[str, int]]:
    """(kind, permission bits) of the folder and of everything under it."""
    found = {("dir", stat.S_IMODE(folder.stat().st_mode))}
    for path in folder.rglob("*"):
        found.add(("dir" if path.is_dir() else "file", stat.S_IMODE(path.stat().st_mode)))
    return found


def expected(mask: int) -> set[tuple[str, int]]:
    return {("dir", {0o022: 0o755, 0o027: 0o750}[mask]), ("file", {0o022: 0o644, 0o027: 0o640}[mask])}


def test_a_single_file(mask: int, tmp_path: Path) -> None:
    write_bytes(tmp_path / "out.txt", b"x")
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == {0o022: 0o644, 0o027: 0o640}[mask]


def test_an_output_folder(mask: int, tmp_path: Path) -> None:
    write_tree(tmp_path / "bundle", {"a.txt": b"a", "sub/b.txt": b"b"}, "bundle")
    assert modes(tmp_path / "bundle") == expected(mask)


def test_the_handbook_site(mask: int, make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({})
    code, _, err = run_cli("build", root, "--date", DAY, "--quiet")
    assert code == 0, err
    assert modes(root / "site") == expected(mask)


def test_an_export(mask: int, make_playbook: MakePlaybook, run_cli: RunCli, tmp_path: Path) -> None:
    root = make_playbook({})
    code, _, err = run_cli("export", root, "--from", DAY, "--to", DAY, "--out", tmp_path / "bundle")
    assert code == 0, err
    assert modes(tmp_path / "bundle") == expected(mask)


def test_a_scaffolded_playbook(mask: int, tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli("init", tmp_path / "shop")
    assert code == 0, err
    assert modes(tmp_path / "shop") == expected(mask)
