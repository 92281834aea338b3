"""The file-access layer when the tree changes under it or the system call fails (issue 19).

Written from the mutants of `files.py` that only a race or an OS failure reaches: a component
swapped for a link or a FIFO between the check and the open, and `open`, `read`, `readlink`
or `listdir` failing after every check passed (the tests run as root, where permissions stop
nothing, so the failures are injected). The faults go through a stand-in for the `os` module
as `playbook.files` sees it, so nothing else in the process is touched. Each expected refusal
(path, reason, code) is written out by hand.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from playbook import files as files_module
from playbook.files import FileRefused, PlaybookFiles


class FaultyOs:
    """`os` as `playbook.files` calls it, with chosen functions replaced."""

    def __init__(self, **replaced: Callable[..., Any]) -> None:
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        return self._replaced.get(name, getattr(os, name))


def fails(err: int, message: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise OSError(err, message)
    return call


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """b.yaml, a.yaml -> b.yaml, c.yaml -> b.yaml, folder d/ with x.yaml, dl -> d."""
    (tmp_path / "b.yaml").write_bytes(b"b: 1\n")
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "c.yaml").symlink_to("b.yaml")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.yaml").write_bytes(b"x: 1\n")
    (tmp_path / "dl").symlink_to("d")
    return tmp_path


def refused(call: Callable[[], object]) -> tuple[str, str, str]:
    with pytest.raises(FileRefused) as caught:
        call()
    return caught.value.rel, caught.value.reason, caught.value.code


def with_os(monkeypatch: pytest.MonkeyPatch, **replaced: Callable[..., Any]) -> None:
    monkeypatch.setattr(files_module, "os", FaultyOs(**replaced))


def test_a_file_swapped_for_a_link_after_its_links_were_resolved_is_refused(root: Path) -> None:
    access = PlaybookFiles(root)
    access._resolve = lambda rel: ["c.yaml"]  # type: ignore[method-assign]  # c.yaml was a file then
    assert refused(lambda: access.read_bytes("a.yaml")) == ("a.yaml", "changed while it was read", "PB039")


def test_a_folder_swapped_for_a_link_after_its_links_were_resolved_is_refused(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Linux reports a link opened with O_DIRECTORY|O_NOFOLLOW as ENOTDIR, other systems as ELOOP
    def open_(path: Any, flags: int, *args: Any, dir_fd: int | None = None) -> int:
        if path == "dl":
            raise OSError(errno.ELOOP, "Too many levels of symbolic links")
        return os.open(path, flags, *args, dir_fd=dir_fd)
    with_os(monkeypatch, open=open_)
    access = PlaybookFiles(root)
    access._resolve = lambda rel: ["dl", "x.yaml"]  # type: ignore[method-assign]  # dl was a folder then
    assert refused(lambda: access.read_bytes("a.yaml")) == ("a.yaml", "changed while it was read", "PB039")
    assert refused(lambda: access.list_dir("e/f")) == ("e/f", "changed while it was read", "PB039")


def test_a_file_removed_after_its_links_were_resolved_is_missing(root: Path) -> None:
    access = PlaybookFiles(root)
    access._resolve = lambda rel: ["gone.yaml"]  # type: ignore[method-assign]
    assert access.kind("a.yaml") == "missing"


@pytest.mark.parametrize(("err", "reason", "code"), [
    (errno.ELOOP, "changed while it was read", "PB039"),
    (errno.EACCES, "permission denied", "PB039"),
    (errno.ENOENT, "it does not exist", "PB033"),
    (errno.EIO, "input/output error", "PB039"),
])
def test_a_file_whose_open_fails_after_the_checks_is_refused_with_the_reason(
        root: Path, monkeypatch: pytest.MonkeyPatch, err: int, reason: str, code: str) -> None:
    def open_(path: Any, flags: int, *args: Any, dir_fd: int | None = None) -> int:
        if path == "x.yaml":
            raise OSError(err, "Input/output error")
        return os.open(path, flags, *args, dir_fd=dir_fd)
    with_os(monkeypatch, open=open_)
    assert refused(lambda: PlaybookFiles(root).read_bytes("d/x.yaml")) == ("d/x.yaml", reason, code)


def test_a_file_that_is_no_longer_regular_once_open_is_refused(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fstat(fd: int) -> os.stat_result:
        real = os.fstat(fd)
        return os.stat_result((stat.S_IFIFO | 0o644, *tuple(real)[1:]))
    with_os(monkeypatch, fstat=fstat)
    assert refused(lambda: PlaybookFiles(root).read_bytes("b.yaml")) == (
        "b.yaml", "changed while it was read", "PB039")


def test_a_file_whose_read_fails_is_refused_with_the_reason(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_os(monkeypatch, read=fails(errno.EIO, "Input/output error"))
    assert refused(lambda: PlaybookFiles(root).read_bytes("d/x.yaml")) == (
        "d/x.yaml", "input/output error", "PB039")


def test_a_link_whose_target_cannot_be_read_is_refused_with_the_reason(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_os(monkeypatch, readlink=fails(errno.EACCES, "Permission denied"))
    assert refused(lambda: PlaybookFiles(root).read_bytes("a.yaml")) == (
        "a.yaml", "permission denied", "PB039")
    assert refused(lambda: PlaybookFiles(root).resolve("dl/x.yaml")) == (
        "dl/x.yaml", "permission denied", "PB039")


def test_a_folder_whose_listing_fails_is_refused_with_the_reason(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_os(monkeypatch, listdir=fails(errno.EACCES, "Permission denied"))
    assert refused(lambda: PlaybookFiles(root).list_dir("d")) == ("d", "permission denied", "PB039")


def test_a_folder_whose_scan_fails_is_reported_by_walk(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_os(monkeypatch, scandir=fails(errno.EIO, "Input/output error"))
    found, problems = PlaybookFiles(root).walk("d")
    assert found == []
    assert [(p.rel, p.reason, p.code) for p in problems] == [
        ("d", "cannot be listed: input/output error", "PB039")]


def test_a_refusal_reads_as_a_sentence_about_its_path() -> None:
    # the exception's own text, for a caller that prints it: the path is the subject
    assert str(FileRefused("rules/x.yaml", "it does not exist", "PB033")) == "'rules/x.yaml' does not exist"
    assert str(FileRefused("d", "is a folder, not a file", "PB039")) == "'d' is a folder, not a file"
