"""The file-access layer: links out of the root, special files, unlistable folders and size
limits, both in `PlaybookFiles` itself and as the diagnostics a user sees."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from conftest import MakePlaybook, RunCli, document_header
from playbook.files import FileRefused, NotUtf8, PlaybookFiles, _os_reason, _special
from playbook.source import Span

SECRET = "TOP-SECRET-OUTSIDE-THE-PLAYBOOK"
RULES = document_header("GroupRules") + "forbidden:\n  - id: ads\n    text: 禁止广告\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside every playbook, holding a secret that must never be read."""
    path = tmp_path / "outside" / "secret.yaml"
    path.parent.mkdir()
    path.write_text(f"# {SECRET}\n" + RULES, encoding="utf-8")
    return path


def refusal(access: PlaybookFiles, rel: str) -> tuple[str, str]:
    with pytest.raises(FileRefused) as caught:
        access.read_bytes(rel)
    return caught.value.code, caught.value.reason


def test_reads_a_regular_file_and_follows_a_link_that_stays_inside(make_playbook: MakePlaybook) -> None:
    root = make_playbook({"packs/a/images/x.png": b"\x89PNG-bytes"})
    (root / "shared").mkdir()
    (root / "shared" / "x.png").symlink_to("../packs/a/images/x.png")
    (root / "alias").symlink_to(root / "packs")  # absolute, but inside
    access = PlaybookFiles(root)
    assert access.read_bytes("shared/x.png") == b"\x89PNG-bytes"
    assert access.read_bytes("alias/a/images/x.png") == b"\x89PNG-bytes"
    assert access.kind("alias") == "dir"
    assert access.resolve("shared/x.png") == "packs/a/images/x.png"


def test_links_out_of_the_root_are_refused_absolute_relative_and_through_folders(
        make_playbook: MakePlaybook, outside: Path) -> None:
    root = make_playbook({})
    (root / "rules").mkdir()
    (root / "rules" / "abs.yaml").symlink_to(outside)
    (root / "rules" / "rel.yaml").symlink_to(os.path.relpath(outside, root / "rules"))
    (root / "linked").symlink_to(outside.parent)
    (root / "loop").symlink_to("loop")
    access = PlaybookFiles(root)
    out = (("PB037", "is a symbolic link leading outside the playbook folder"))
    assert refusal(access, "rules/abs.yaml") == out
    assert refusal(access, "rules/rel.yaml") == out
    assert refusal(access, "linked/secret.yaml") == out
    assert refusal(access, "loop") == ("PB037", "is a symbolic link loop")
    assert access.kind("rules/abs.yaml") == "link-out"
    assert access.kind("linked") == "link-out"


def test_special_files_are_refused_without_being_opened(make_playbook: MakePlaybook) -> None:
    root = make_playbook({})
    os.mkfifo(root / "pipe.yaml")  # opening it for reading would block forever
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(root / "sock"))
        access = PlaybookFiles(root)
        assert refusal(access, "pipe.yaml") == ("PB038", "is a FIFO (named pipe), not a regular file")
        assert refusal(access, "sock") == ("PB038", "is a socket, not a regular file")
        assert access.kind("pipe.yaml") == "special"
    finally:
        server.close()


def test_paths_out_of_the_root_missing_files_and_the_size_bound(make_playbook: MakePlaybook) -> None:
    root = make_playbook({"big.txt": b"x" * 101})
    access = PlaybookFiles(root)
    assert refusal(access, "../etc/passwd") == ("PB032", "points outside the playbook folder")
    assert refusal(access, "/etc/passwd") == ("PB032", "points outside the playbook folder")
    assert refusal(access, "nothing/here.png") == ("PB033", "it does not exist")
    with pytest.raises(FileRefused) as caught:
        access.read_bytes("big.txt", limit=100)
    assert (caught.value.code, caught.value.reason) == ("PB005", "is larger than 100 bytes")
    assert access.read_bytes("big.txt", limit=101) == b"x" * 101


def test_walk_lists_regular_files_and_reports_what_it_refused(make_playbook: MakePlaybook,
                                                             outside: Path) -> None:
    root = make_playbook({"rules/a.yaml": RULES, "rules/.hidden.yaml": RULES})
    (root / "rules" / "out.yaml").symlink_to(outside)
    os.mkfifo(root / "rules" / "pipe.yaml")
    files, problems = PlaybookFiles(root).walk("rules")
    assert files == ["rules/a.yaml"]
    assert sorted((p.rel, p.code) for p in problems) == [("rules/out.yaml", "PB037"),
                                                         ("rules/pipe.yaml", "PB038")]


def test_a_symlinked_document_is_pb037_and_its_text_is_published_nowhere(
        make_playbook: MakePlaybook, run_cli: RunCli, outside: Path, tmp_path: Path) -> None:
    root = make_playbook({})
    (root / "rules").mkdir()
    (root / "rules" / "x.yaml").symlink_to(outside)
    code, out, err = run_cli("validate", root)
    assert code == 1
    assert out.splitlines()[:2] == [
        "rules/x.yaml:1:1: error PB037 'rules/x.yaml' is a symbolic link leading outside the "
        "playbook folder",
        "  help: playbooks hold their files themselves; copy the file into the playbook instead of "
        "linking it"]
    assert SECRET not in out + err
    code, out, err = run_cli("build", root, "--out", tmp_path / "site")
    assert code == 1 and SECRET not in out + err
    assert not (tmp_path / "site").exists()


def test_a_symlinked_pack_folder_and_a_fifo_document_are_reported(
        make_playbook: MakePlaybook, run_cli: RunCli, outside: Path) -> None:
    root = make_playbook({})
    (root / "packs").mkdir()
    (root / "packs" / "evil").symlink_to(outside.parent)
    (root / "scripts").mkdir()
    os.mkfifo(root / "scripts" / "join.yaml")
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert [line for line in out.splitlines() if not line.startswith(" ")][:2] == [
        "packs/evil:1:1: error PB037 'packs/evil' is a symbolic link leading outside the playbook folder",
        "scripts/join.yaml:1:1: error PB038 'scripts/join.yaml' is a FIFO (named pipe), not a regular file",
    ]


def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped playbook's documents, media and templates."""
    repo = Path(__file__).resolve().parent.parent
    root = tmp_path / "shipped"
    for name in ("rules", "scripts", "calendars", "packs", "templates"):
        shutil.copytree(repo / name, root / name)
    for name in ("playbook.yaml", "roster.yaml"):
        shutil.copy(repo / name, root / name)
    return root


def test_a_reference_to_a_refused_file_is_reported_where_it_is_referenced(
        tmp_path: Path, run_cli: RunCli, outside: Path) -> None:
    root = shipped_copy(tmp_path)
    nut = root / "packs" / "new-year-nut-box" / "images" / "main.png"
    pods = root / "packs" / "winter-laundry-pods" / "images" / "main.png"
    template = root / "templates" / "messages" / "battle-report.j2"
    for path in (nut, pods, template):
        path.unlink()
    nut.symlink_to(outside)
    os.mkfifo(pods)
    template.symlink_to(outside)
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert [line for line in out.splitlines() if not line.startswith(" ")] == [
        "packs/new-year-nut-box/pack.yaml:63:11: error PB037 cannot read media file "
        "'packs/new-year-nut-box/images/main.png': is a symbolic link leading outside the playbook folder",
        "packs/new-year-nut-box/pack.yaml:122:15: error PB037 cannot read template "
        "'templates/messages/battle-report.j2': is a symbolic link leading outside the playbook folder",
        "packs/winter-laundry-pods/pack.yaml:63:11: error PB038 cannot read media file "
        "'packs/winter-laundry-pods/images/main.png': is a FIFO (named pipe), not a regular file",
        "packs/winter-laundry-pods/pack.yaml:122:15: error PB037 cannot read template "
        "'templates/messages/battle-report.j2': is a symbolic link leading outside the playbook folder",
        "Found 4 errors in 16 files checked.",
    ]
    assert SECRET not in out


def test_a_folder_that_cannot_be_listed_is_an_error_not_a_silent_skip(
        make_playbook: MakePlaybook, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_playbook({"rules/base.yaml": RULES, "rules/private/more.yaml": RULES})
    real_scandir = os.scandir
    private = os.stat(root / "rules" / "private")

    def scandir(path: Any) -> Any:
        # the tests run as root in CI, where chmod 000 does not stop a listing: refuse it here
        if isinstance(path, int) and os.fstat(path).st_ino == private.st_ino:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, _ = run_cli("validate", root)
    assert code == 1
    assert out.splitlines()[0] == ("rules/private:1:1: error PB039 'rules/private' cannot be listed: "
                                   "permission denied")


def test_migrate_refuses_a_link_out_and_rewrites_an_inside_link_at_its_target(
        make_playbook: MakePlaybook, run_cli: RunCli, outside: Path) -> None:
    old = RULES.replace("playbook/v1", "playbook/v1alpha1")
    root = make_playbook({"rules/base.yaml": old})
    (root / "rules" / "out.yaml").symlink_to(outside)
    before = outside.read_bytes()
    code, _, err = run_cli("migrate", root)
    assert code == 1
    assert "rules/out.yaml:1:1: error PB037" in err
    assert (root / "rules" / "out.yaml").is_symlink() and outside.read_bytes() == before

    (root / "rules" / "out.yaml").unlink()
    (root / "rules" / "same.yaml").symlink_to("base.yaml")
    code, out, err = run_cli("migrate", root)
    assert code == 0, err
    assert out.count("rules/") == 1, out  # the link and its target are one document, migrated once
    assert (root / "rules" / "same.yaml").is_symlink(), "the link stays a link"
    assert "apiVersion: playbook/v1\n" in (root / "rules" / "base.yaml").read_text("utf-8")


def test_migrate_prints_its_problems_through_the_escaping_text_reporter(
        make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    # YAML forbids control characters in the text, but a file name may hold an escape sequence
    root = make_playbook({"rules/\x1b[2Kbase.yaml": RULES + "bad: [\n"})
    code, _, err = run_cli("migrate", root)
    assert code == 1
    assert "\x1b" not in err
    assert err.startswith("rules/\\x1b[2Kbase.yaml:")
    assert err.splitlines()[-1] == "playbook: migrate stopped: fix the errors above; nothing was written"


# -- each refusal names the path, the reason and the code (written from the survivors of a
# mutation run of files.py, benchmarks/MUTATION.md) ---------------------------------------------


def refused(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str, str, str]:
    """(rel, reason, code, message) of the `FileRefused` that `call(*args)` raises."""
    with pytest.raises(FileRefused) as caught:
        call(*args, **kwargs)
    return caught.value.rel, caught.value.reason, caught.value.code, str(caught.value)


def test_a_refusal_carries_the_path_it_was_asked_for(tmp_path: Path, outside: Path) -> None:
    root = tmp_path / "root"
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "a.yaml").write_bytes(b"x" * 11)
    (root / "rules" / "out.yaml").symlink_to(outside)
    (root / "up").symlink_to("../outside")
    (root / "alias").symlink_to("rules")
    access = PlaybookFiles(root)
    assert refused(access.read_bytes, "rules/a.yaml", limit=10) == (
        "rules/a.yaml", "is larger than 10 bytes", "PB005", "'rules/a.yaml' is larger than 10 bytes")
    assert refused(access.read_bytes, "rules") == (
        "rules", "is a folder, not a file", "PB039", "'rules' is a folder, not a file")
    assert refused(access.read_bytes, "") == (
        "", "is a folder, not a file", "PB039", "'' is a folder, not a file")
    assert refused(access.read_bytes, "alias") == (
        "alias", "is a folder, not a file", "PB039", "'alias' is a folder, not a file")
    assert refused(access.read_bytes, "rules/out.yaml")[:3] == (
        "rules/out.yaml", "is a symbolic link leading outside the playbook folder", "PB037")
    assert refused(access.read_bytes, "up/secret.yaml")[:3] == (
        "up/secret.yaml", "is a symbolic link leading outside the playbook folder", "PB037")
    assert refused(access.read_bytes, "alias/none.yaml")[:3] == (
        "alias/none.yaml", "it does not exist", "PB033")
    assert refused(access.read_bytes, "rules\\a.yaml")[:3] == (
        "rules\\a.yaml", "points outside the playbook folder", "PB032")
    assert refused(access.read_bytes, "rules/a\x00.yaml")[:3] == (
        "rules/a\x00.yaml", "points outside the playbook folder", "PB032")
    assert refused(access.list_dir, "rules/a.yaml")[:3] == ("rules/a.yaml", "is not a folder", "PB039")
    assert refused(access.read_bytes, "rules/none.yaml")[:3] == (
        "rules/none.yaml", "it does not exist", "PB033")
    assert refused(access.read_bytes, "none/a.yaml")[:3] == ("none/a.yaml", "it does not exist", "PB033")
    os.mkfifo(root / "rules" / "pipe.yaml")
    assert refused(access.read_bytes, "rules/pipe.yaml")[:3] == (
        "rules/pipe.yaml", "is a FIFO (named pipe), not a regular file", "PB038")


def test_the_size_bound_is_named_in_the_unit_it_was_set_in(tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(b"\0" * (1024 * 1024 + 1))
    access = PlaybookFiles(tmp_path)
    said = {limit: refused(access.read_bytes, "big.bin", limit=limit)[1]
            for limit in (1024 * 1024, 3 * 1024, 2049, 1024 * 1024 - 1024)}
    assert said == {1024 * 1024: "is larger than 1 MiB", 3 * 1024: "is larger than 3 KiB",
                    2049: "is larger than 2049 bytes", 1024 * 1024 - 1024: "is larger than 1023 KiB"}
    assert refused(access.read_text, "big.bin", limit=2049)[1:3] == ("is larger than 2049 bytes", "PB005")


def test_a_file_read_in_several_chunks_comes_back_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * (6 * 1024 + 3)  # about 1.5 MiB: two reads of at most 1 MiB
    (tmp_path / "video.bin").write_bytes(data)
    assert PlaybookFiles(tmp_path).read_bytes("video.bin", limit=2 * 1024 * 1024) == data


def test_a_file_that_grows_past_the_bound_while_it_is_read_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "grows.bin"
    path.write_bytes(b"small")
    real_open = os.open

    def open_after_growing(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if name == "grows.bin":  # after its size was checked, before it is read
            path.write_bytes(b"g" * (3 * 1024 * 1024))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_after_growing)
    assert refused(PlaybookFiles(tmp_path).read_bytes, "grows.bin", limit=2 * 1024 * 1024)[:3] == (
        "grows.bin", "is larger than 2 MiB", "PB005")


def test_read_text_drops_a_bom_and_names_the_first_byte_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfabc")
    (tmp_path / "latin.yaml").write_bytes(b"ok: caf\xe9\n")
    access = PlaybookFiles(tmp_path)
    assert access.read_text("bom.yaml") == "abc"
    with pytest.raises(NotUtf8) as caught:
        access.read_text("latin.yaml")
    err = caught.value
    assert (err.rel, err.reason, err.code, err.offset, err.raw) == (
        "latin.yaml", "it is not UTF-8 (byte 0xe9)", "PB006", 7, b"ok: caf\xe9\n")


def test_a_chain_of_forty_links_is_followed_and_a_forty_first_is_a_loop(tmp_path: Path) -> None:
    (tmp_path / "target.txt").write_bytes(b"end")
    (tmp_path / "l40").symlink_to("target.txt")
    for n in range(39, 0, -1):
        (tmp_path / f"l{n}").symlink_to(f"l{n + 1}")
    (tmp_path / "l0").symlink_to("l1")
    access = PlaybookFiles(tmp_path)
    assert access.read_bytes("l1") == b"end"  # 40 links
    assert refused(access.read_bytes, "l0")[:3] == ("l0", "is a symbolic link loop", "PB037")


def test_resolve_drops_dot_components_and_follows_a_link_to_the_root_itself(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yaml").write_bytes(b"a")
    (tmp_path / "rules" / "same.yaml").symlink_to("./a.yaml")
    (tmp_path / "top").symlink_to(tmp_path)  # absolute, and exactly the root
    access = PlaybookFiles(tmp_path)
    assert access.resolve("./rules/./a.yaml") == "rules/a.yaml"
    assert access.resolve("rules/same.yaml") == "rules/a.yaml"
    assert access.resolve("top/rules/a.yaml") == "rules/a.yaml"
    assert access.read_bytes("top/rules/a.yaml") == b"a"


def test_kind_is_file_dir_and_is_dir_answer_for_each_kind(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yaml").write_bytes(b"a")
    access = PlaybookFiles(tmp_path)
    assert [access.kind(p) for p in ("rules", "rules/a.yaml", "none", "../x", "/etc")] == [
        "dir", "file", "missing", "link-out", "link-out"]
    asked = ("rules", "rules/a.yaml", "none")
    assert [access.is_dir(p) for p in asked] == [True, False, False]
    assert [access.is_file(p) for p in asked] == [False, True, False]


def test_list_dir_and_walk_default_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.yaml").write_bytes(b"x")
    (tmp_path / "a.yaml").write_bytes(b"a")
    access = PlaybookFiles(tmp_path)
    assert access.list_dir() == ["a.yaml", "b"]
    assert access.walk() == (["a.yaml", "b/x.yaml"], [])


def test_walk_lists_an_inside_link_to_a_file_and_never_walks_through_a_linked_folder(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yaml").write_bytes(b"a")
    (tmp_path / "rules" / "b.yaml").symlink_to("a.yaml")
    (tmp_path / "alias").symlink_to("rules")
    assert PlaybookFiles(tmp_path).walk() == (["rules/a.yaml", "rules/b.yaml"], [])


def test_walk_reports_a_folder_it_cannot_open(tmp_path: Path) -> None:
    files, problems = PlaybookFiles(tmp_path).walk("none")
    assert files == []
    assert [(p.rel, p.reason, p.code) for p in problems] == [
        ("none", "cannot be listed: it does not exist", "PB033")]


def test_os_errors_become_reasons_in_words() -> None:
    assert [_os_reason(err) for err in (
        OSError(errno.ENOENT, "No such file"), OSError(errno.ENOTDIR, "Not a directory"),
        OSError(errno.EACCES, "Permission denied"), OSError(errno.EPERM, "Operation not permitted"),
        OSError(errno.ELOOP, "Too many levels"), OSError(errno.EIO, "Input/output error"), OSError())] == [
        ("it does not exist", "PB033"), ("it does not exist", "PB033"),
        ("permission denied", "PB039"), ("permission denied", "PB039"),
        ("it is a symbolic link loop", "PB037"), ("input/output error", "PB039"), ("oserror", "PB039")]


def test_special_files_are_named_by_their_kind() -> None:
    assert [_special(mode) for mode in (stat.S_IFIFO, stat.S_IFSOCK, stat.S_IFCHR, stat.S_IFBLK, 0)] == [
        "a FIFO (named pipe)", "a socket", "a device", "a device", "not a regular file"]


def test_a_refusal_reported_elsewhere_names_what_was_read() -> None:
    refusal = FileRefused("packs/a/x.png", "it does not exist", "PB033")
    assert refusal.diagnostic(Span("packs/a/pack.yaml", 3, 5)).message == (
        "cannot read file 'packs/a/x.png': it does not exist")
    assert refusal.diagnostic(Span("packs/a/x.png")).message == "'packs/a/x.png' does not exist"


def test_a_link_whose_target_cannot_be_examined_is_unreadable_and_reported_by_walk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.yaml").write_bytes(b"a")
    (tmp_path / "rules" / "l.yaml").symlink_to("../locked/a.yaml")
    real_lstat = os.lstat

    def lstat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        # the tests run as root in CI, where chmod 000 stops nothing: refuse the target here
        if str(path) == str(tmp_path / "locked" / "a.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    access = PlaybookFiles(tmp_path)
    assert access.kind("rules/l.yaml") == "unreadable"
    files, problems = access.walk("rules")
    assert files == []
    assert [(p.rel, p.reason, p.code) for p in problems] == [("rules/l.yaml", "cannot be read", "PB039")]
