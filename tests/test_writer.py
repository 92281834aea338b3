"""The writer: whole output folders are swapped in only when complete; working folders are
synchronised file by file, touching only what changed and deleting only what they wrote; an
interrupted write leaves the previous file as it was."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from playbook import writer
from playbook.errors import UsageError
from playbook.writer import (
    FolderSink,
    Synced,
    safe_folder,
    staged_tree,
    sync_tree,
    write_bytes,
    write_tree,
)

MARKER = ".playbook-output"


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_write_tree_replaces_the_folder_exactly_and_marks_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.txt": b"one", "sub/b.txt": b"two"}, "bundle")
    write_tree(out, {"c.txt": b"three"}, "bundle")
    assert listing(out) == [MARKER, "c.txt"]
    assert (out / "c.txt").read_bytes() == b"three"
    assert json.loads((out / MARKER).read_text("utf-8")) == {"generator": "playbook", "kind": "bundle"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no stage or lock file left behind"


def test_a_failure_inside_the_stage_keeps_the_previous_tree(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_tree(out, {"index.html": b"old"}, "site")
    with pytest.raises(RuntimeError), staged_tree(out, "site") as stage:
        (stage / "index.html").write_bytes(b"half")
        raise RuntimeError("build failed")
    assert (out / "index.html").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_failed_second_rename_puts_the_previous_tree_back(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    write_tree(out, {"index.html": b"old"}, "site")
    real_replace = os.replace

    def fail_on_the_stage(src: Any, dst: Any) -> None:
        if Path(src).name.startswith(".site.new-"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_the_stage)
    with pytest.raises(OSError, match="No space left"):
        write_tree(out, {"index.html": b"new"}, "site")
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_write_tree_refuses_paths_leaving_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"keep.txt": b"kept"}, "bundle")
    with pytest.raises(ValueError, match="leaves the output folder"):
        write_tree(out, {"../escape.txt": b"x"}, "bundle")
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


def test_a_rename_that_fails_leaves_the_old_file_byte_identical(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "messages.json"
    path.write_bytes(b'{"old": true}\n')

    def interrupted(src: Any, dst: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes(path, b'{"new": true}\n')
    assert path.read_bytes() == b'{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["messages.json"], "the temp file is removed"


def test_a_data_write_that_fails_midway_leaves_the_old_file_byte_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "messages.csv"
    path.write_bytes(b"id,text\r\n1,old\r\n")
    real_fdopen = os.fdopen

    class DiskFull:
        def __init__(self, fd: int, mode: str) -> None:
            self.handle = real_fdopen(fd, mode)

        def __enter__(self) -> DiskFull:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[:3])  # part of it reaches the temp file, then the disk is full
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", DiskFull)
    with pytest.raises(OSError, match="No space left"):
        write_bytes(path, b"id,text\r\n1,new\r\n")
    assert path.read_bytes() == b"id,text\r\n1,old\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["messages.csv"]


def test_write_bytes_replaces_a_link_instead_of_writing_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not yours")
    (tmp_path / "work").mkdir()
    link = tmp_path / "work" / "page.md"
    link.symlink_to(outside)
    assert write_bytes(link, b"generated") is True
    assert outside.read_bytes() == b"not yours"
    assert not link.is_symlink() and link.read_bytes() == b"generated"


def test_sync_tree_writes_what_changed_and_removes_only_what_it_wrote(tmp_path: Path) -> None:
    work = tmp_path / "work"
    first = sync_tree(work, {"docs/a.md": b"a", "docs/old/b.md": b"b", "mkdocs.yml": b"x"}, ["docs"])
    assert first.written == ["docs/a.md", "docs/old/b.md", "mkdocs.yml"] and first.removed == []
    (work / "notes.txt").write_bytes(b"mine")
    (work / "docs" / "mine.md").write_bytes(b"put here by hand")
    (work / "site").mkdir()
    (work / "site" / "index.html").write_bytes(b"bare build")
    kept = (work / "docs" / "a.md").stat().st_mtime_ns
    second = sync_tree(work, {"docs/a.md": b"a", "docs/c.md": b"c", "mkdocs.yml": b"y"}, ["docs"])
    assert second.written == ["docs/c.md", "mkdocs.yml"] and second.removed == ["docs/old/b.md"]
    assert listing(work) == [MARKER, "docs/a.md", "docs/c.md", "docs/mine.md", "mkdocs.yml",
                             "notes.txt", "site/index.html"]
    assert (work / "docs" / "mine.md").read_bytes() == b"put here by hand"
    assert not (work / "docs" / "old").exists(), "emptied folders go too"
    assert (work / "docs" / "a.md").stat().st_mtime_ns == kept
    assert sync_tree(work, {"docs/a.md": b"a", "docs/c.md": b"c", "mkdocs.yml": b"y"}, ["docs"]) == \
        Synced([], [])


def test_sync_tree_never_deletes_outside_its_owned_folders_even_when_listed(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "precious.txt").write_bytes(b"keep")
    (work / "notes.txt").write_bytes(b"keep too")
    forged = {"generator": "playbook", "kind": "workspace",
              "files": ["../precious.txt", "notes.txt", "docs/../notes.txt"]}
    (work / MARKER).write_text(json.dumps(forged), encoding="utf-8")
    assert sync_tree(work, {"docs/a.md": b"a"}, ["docs"]) == Synced(["docs/a.md"], [])
    assert (tmp_path / "precious.txt").read_bytes() == b"keep"
    assert (work / "notes.txt").read_bytes() == b"keep too"


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


def test_safe_folder_creates_the_working_folder(tmp_path: Path) -> None:
    assert safe_folder(tmp_path, ".playbook/handbook") == tmp_path / ".playbook" / "handbook"
    assert (tmp_path / ".playbook" / "handbook").is_dir()


@pytest.mark.parametrize("linked", [".playbook", ".playbook/handbook"])
def test_safe_folder_refuses_a_link_on_the_way(tmp_path: Path, linked: str) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    (root / linked).parent.mkdir(parents=True, exist_ok=True)
    (root / linked).symlink_to(outside, target_is_directory=True)
    with pytest.raises(UsageError) as caught:
        safe_folder(root, ".playbook/handbook")
    assert str(caught.value) == (f"{root / linked} is a symbolic link; playbook keeps its working "
                                 "files only in real folders inside the playbook (remove the link)")
    assert list(outside.iterdir()) == []


def test_safe_folder_refuses_a_file_on_the_way(tmp_path: Path) -> None:
    (tmp_path / ".playbook").write_bytes(b"a file")
    with pytest.raises(UsageError) as caught:
        safe_folder(tmp_path, ".playbook/cache")
    assert str(caught.value) == (f"{tmp_path / '.playbook'} is not a folder; playbook keeps its "
                                 "working files there (remove it)")
    assert (tmp_path / ".playbook").read_bytes() == b"a file"


# -- written from the survivors of a mutation run of writer.py (benchmarks/MUTATION.md) -----------


def test_a_failed_rename_of_a_first_output_leaves_nothing_behind(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OSError, match="No space left"):
        write_tree(tmp_path / "site", {"index.html": b"new"}, "site")
    assert list(tmp_path.iterdir()) == []


def test_the_old_tree_is_put_aside_beside_the_target_under_a_hidden_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    write_tree(out, {"index.html": b"old"}, "site")
    moves: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def record(src: Any, dst: Any) -> None:
        moves.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", record)
    write_tree(out, {"index.html": b"new"}, "site")
    (aside_from, aside), (stage, into) = moves
    assert (aside_from, into) == (out, out)
    assert aside.parent == tmp_path and aside.name.startswith(".site.old-")
    assert stage.parent == tmp_path and stage.name.startswith(".site.new-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_write_tree_creates_nested_folders_and_refuses_the_playbook_itself(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_tree(out, {"a/b/c.txt": b"deep", "top.txt": b"top"}, "site")
    assert listing(out) == [MARKER, "a/b/c.txt", "top.txt"]
    assert (out / "a" / "b" / "c.txt").read_bytes() == b"deep"
    (tmp_path / "playbook.yaml").write_bytes(b"x")
    with pytest.raises(UsageError, match="playbook folder itself"):
        write_tree(tmp_path, {"index.html": b"x"}, "site", root=tmp_path)
    with pytest.raises(UsageError, match="contains the playbook folder"):
        write_tree(tmp_path, {"index.html": b"x"}, "site", root=tmp_path / "sub")
    assert (tmp_path / "playbook.yaml").read_bytes() == b"x"


def test_write_bytes_writes_through_a_hidden_temporary_file_beside_the_target(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []
    real_replace = os.replace

    def record(src: Any, dst: Any) -> None:
        seen.append(Path(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", record)
    assert write_bytes(tmp_path / "out.txt", b"new") is True
    [tmp] = seen
    assert tmp.parent == tmp_path and tmp.name.startswith(".out.txt.") and tmp.name.endswith(".tmp")


def test_safe_folder_refuses_a_parent_step_and_an_absolute_path(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    for rel in ("a/../b", "../outside", "/etc/playbook"):
        with pytest.raises(ValueError, match=f"working folder '{rel}' must be a plain relative path"):
            safe_folder(root, rel)
    assert not (root / "b").exists() and not (tmp_path / "outside").exists()


def test_sync_tree_lists_old_and_new_files_before_writing(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    sync_tree(work, {"own/a.md": b"a"}, ["own"])
    real_write = writer.write_bytes

    def fail_on_c(path: Path, data: bytes) -> bool:
        if path.name == "c.md":
            raise OSError(28, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(writer, "write_bytes", fail_on_c)
    with pytest.raises(OSError):
        sync_tree(work, {"own/b.md": b"b", "own/c.md": b"c"}, ["own"])
    marker = json.loads((work / MARKER).read_text(encoding="utf-8"))
    assert (marker["kind"], marker["files"]) == ("workspace", ["own/a.md", "own/b.md", "own/c.md"])
    monkeypatch.undo()
    assert sync_tree(work, {}, ["own"]) == Synced([], ["own/a.md", "own/b.md"])


def test_sync_tree_goes_on_past_what_it_must_not_remove_and_keeps_the_owned_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (tmp_path / "elsewhere.md").write_bytes(b"not ours")
    sync_tree(work, {"a.md": b"top", "own/b.md": b"b", "own/c.md": b"c", "own/d.md": b"d",
                     "own/sub/e.md": b"e"}, ["own"])
    (work / "own" / "b.md").unlink()  # removed by hand
    (work / "own" / "c.md").unlink()
    (work / "own" / "c.md").symlink_to(tmp_path / "elsewhere.md")  # replaced by someone's link
    assert sync_tree(work, {}, ["own"]) == Synced([], ["own/d.md", "own/sub/e.md"])
    assert (work / "a.md").read_bytes() == b"top", "not under an owned folder"
    assert (work / "own" / "c.md").is_symlink() and (tmp_path / "elsewhere.md").read_bytes() == b"not ours"
    assert not (work / "own" / "sub").exists() and (work / "own").is_dir()


def test_sync_tree_keeps_an_owned_folder_it_emptied(tmp_path: Path) -> None:
    work = tmp_path / "work"
    sync_tree(work, {"own/sub/a.md": b"a"}, ["own"])
    assert sync_tree(work, {}, ["own"]) == Synced([], ["own/sub/a.md"])
    assert sorted(p.name for p in work.iterdir()) == [MARKER, "own"] and list((work / "own").iterdir()) == []
