"""The writer: whole output folders are swapped in only when complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.writer import staged_tree, write_tree


def test_write_tree_replaces_the_folder_exactly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.txt": b"one", "sub/b.txt": b"two"})
    write_tree(out, {"c.txt": b"three"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["c.txt"]
    assert (out / "c.txt").read_bytes() == b"three"
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging folders left behind"


def test_a_failure_inside_the_stage_keeps_the_previous_tree(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_tree(out, {"index.html": b"old"})
    with pytest.raises(RuntimeError), staged_tree(out) as stage:
        (stage / "index.html").write_bytes(b"half")
        raise RuntimeError("build failed")
    assert (out / "index.html").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_write_tree_refuses_paths_leaving_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"keep.txt": b"kept"})
    with pytest.raises(ValueError, match="leaves the output folder"):
        write_tree(out, {"../escape.txt": b"x"})
    assert not (tmp_path / "escape.txt").exists()
    assert (out / "keep.txt").read_bytes() == b"kept"
