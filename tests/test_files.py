"""The file-access layer: links out of the root, special files, unlistable folders and size
limits, both in `PlaybookFiles` itself and as the diagnostics a user sees."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from conftest import MakePlaybook, RunCli, document_header
from playbook.files import FileRefused, PlaybookFiles

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
        "packs/new-year-nut-box/pack.yaml:117:15: error PB037 cannot read template "
        "'templates/messages/battle-report.j2': is a symbolic link leading outside the playbook folder",
        "packs/winter-laundry-pods/pack.yaml:63:11: error PB038 cannot read media file "
        "'packs/winter-laundry-pods/images/main.png': is a FIFO (named pipe), not a regular file",
        "packs/winter-laundry-pods/pack.yaml:117:15: error PB037 cannot read template "
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
