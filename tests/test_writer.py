"""The writer: whole output folders are swapped in only when complete; working folders are
synchronised file by file, touching only what changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from playbook.writer import FolderSink, Synced, staged_tree, sync_tree, write_bytes, write_tree


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


def test_write_bytes_leaves_an_unchanged_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.bin"
    assert write_bytes(path, b"\x00one") is True
    before = path.stat()
    assert write_bytes(path, b"\x00one") is False
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert write_bytes(path, b"two") is True
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.bin"], "no temp file left behind"


def test_sync_tree_writes_what_changed_and_removes_only_in_owned_folders(tmp_path: Path) -> None:
    work = tmp_path / "work"
    first = sync_tree(work, {"docs/a.md": b"a", "docs/old/b.md": b"b", "mkdocs.yml": b"x"}, ["docs"])
    assert first.written == ["docs/a.md", "docs/old/b.md", "mkdocs.yml"] and first.removed == []
    (work / "notes.txt").write_bytes(b"mine")
    (work / "site").mkdir()
    (work / "site" / "index.html").write_bytes(b"bare build")
    kept = (work / "docs" / "a.md").stat().st_mtime_ns
    second = sync_tree(work, {"docs/a.md": b"a", "docs/c.md": b"c", "mkdocs.yml": b"y"}, ["docs"])
    assert second.written == ["docs/c.md", "mkdocs.yml"] and second.removed == ["docs/old/b.md"]
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()) == [
        "docs/a.md", "docs/c.md", "mkdocs.yml", "notes.txt", "site/index.html"]
    assert not (work / "docs" / "old").exists(), "emptied folders go too"
    assert (work / "docs" / "a.md").stat().st_mtime_ns == kept
    assert sync_tree(work, {"docs/a.md": b"a", "docs/c.md": b"c", "mkdocs.yml": b"y"}, ["docs"]) == \
        Synced([], [])


def test_sync_tree_refuses_paths_leaving_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="leaves the output folder"):
        sync_tree(tmp_path / "work", {"../escape.txt": b"x"}, [])
    assert not (tmp_path / "escape.txt").exists()


def test_folder_sink_writes_each_file_lists_its_hash_and_refuses_escapes_and_repeats(tmp_path: Path) -> None:
    sink = FolderSink(tmp_path)
    sink.put("a/b.txt", b"hello")
    assert (tmp_path / "a/b.txt").read_bytes() == b"hello"
    assert sink.listing == {"a/b.txt": (hashlib.sha256(b"hello").hexdigest(), 5)}
    with pytest.raises(ValueError, match="comes twice"):
        sink.put("a/b.txt", b"again")
    with pytest.raises(ValueError, match="leaves the output folder"):
        sink.put("../outside.txt", b"x")
    assert not (tmp_path.parent / "outside.txt").exists()
    assert (tmp_path / "a/b.txt").read_bytes() == b"hello"
