"""The output guard (issue 13, item 4): `--out` of `export` and `build` replaces only a missing
path, an empty folder or a folder playbook made before; never the playbook, a folder holding it,
a file, a link or a place reached through a link in the playbook. Each refusal is exit 2 with
one line naming the path, and leaves every file as it was. Stages of a killed run are cleaned
up; a second run into a locked target fails cleanly."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bundle_playbook import FILES
from conftest import MakePlaybook, RunCli
from playbook.output_guard import OutputRefused
from playbook.writer import staged_tree

DAY = "2026-10-26"
BUNDLE_MARKER = '{"generator": "playbook", "kind": "bundle"}\n'
SITE_MARKER = '{"generator": "playbook", "kind": "site"}\n'


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder`, hidden ones included: file bytes, 'dir', or a link's target."""
    found: dict[str, bytes | str] = {}
    for top, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = path.read_bytes()
    return found


@pytest.fixture
def world(make_playbook: MakePlaybook, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A playbook with a git folder, inside a parent folder holding other data: (root, parent)."""
    root = make_playbook(FILES)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("my notes", encoding="utf-8")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7 mine")
    (tmp_path / "outside").mkdir()
    yield root, tmp_path


def refused(label: str, why: str) -> str:
    return f"playbook: error: {label}: {why}\n"


NOT_OURS = "the folder exists and was not made by playbook; choose an empty or new folder"


# --- export --------------------------------------------------------------------------------

def test_export_out_dot_in_the_playbook_is_refused(world: tuple[Path, Path], run_cli: RunCli,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root, parent = world
    before = snapshot(parent)
    monkeypatch.chdir(root)
    code, out, err = run_cli("export", ".", "--from", DAY, "--to", DAY, "--out", ".")
    assert (code, out, err) == (2, "", refused(
        "--out .", "it is the playbook folder itself; choose a folder for the output"))
    assert snapshot(parent) == before


@pytest.mark.parametrize(("given", "why"), [
    ("{parent}", "it contains the playbook folder {root}; choose a folder for the output"),
    ("{root}/rules/../..", "it contains the playbook folder {root}; choose a folder for the output"),
    ("{root}", "it is the playbook folder itself; choose a folder for the output"),
    ("{root}/calendars", NOT_OURS),
    ("{root}/.git", NOT_OURS),
    ("{parent}/notes", NOT_OURS),
    ("{parent}/report.pdf", "it is a file, not a folder; choose a folder for the output"),
    ("{root}/calendars/daily.yaml", "it is a file, not a folder; choose a folder for the output"),
    ("/", "it is the root of the file system"),
])
def test_export_refuses_what_it_did_not_make(world: tuple[Path, Path], run_cli: RunCli,
                                             given: str, why: str) -> None:
    root, parent = world
    before = snapshot(parent)
    target = given.format(root=root, parent=parent)
    code, out, err = run_cli("export", root, "--from", DAY, "--to", DAY, "--out", target)
    assert (code, out, err) == (2, "", refused(f"--out {target}", why.format(root=root)))
    assert snapshot(parent) == before


def test_export_refuses_a_link_and_a_path_through_a_link_in_the_playbook(
        world: tuple[Path, Path], run_cli: RunCli) -> None:
    root, parent = world
    (parent / "out-link").symlink_to(parent / "outside", target_is_directory=True)
    (root / "bundles").symlink_to(parent / "outside", target_is_directory=True)
    before = snapshot(parent)
    code, _, err = run_cli("export", root, "--from", DAY, "--to", DAY, "--out", parent / "out-link")
    assert (code, err) == (2, refused(f"--out {parent / 'out-link'}",
                                      "it is a symbolic link; choose the real folder"))
    target = root / "bundles" / "week"
    code, _, err = run_cli("export", root, "--from", DAY, "--to", DAY, "--out", target)
    assert (code, err) == (2, refused(
        f"--out {target}", f"it passes the symbolic link {root / 'bundles'} inside the playbook; "
                           "playbook writes only through real folders there"))
    assert snapshot(parent) == before


def test_export_does_not_replace_a_site(world: tuple[Path, Path], run_cli: RunCli) -> None:
    root, parent = world
    (parent / "site").mkdir()
    (parent / "site" / ".playbook-output").write_text(SITE_MARKER, encoding="utf-8")
    (parent / "site" / "index.html").write_text("<p>handbook</p>", encoding="utf-8")
    before = snapshot(parent)
    code, _, err = run_cli("export", root, "--from", DAY, "--to", DAY, "--out", parent / "site")
    assert (code, err) == (2, refused(f"--out {parent / 'site'}", "the folder holds a playbook site, "
                                                                  "not a bundle; choose another folder"))
    assert snapshot(parent) == before


def test_export_writes_a_new_or_empty_folder_and_replaces_its_own(world: tuple[Path, Path],
                                                                  run_cli: RunCli) -> None:
    root, parent = world
    (parent / "empty").mkdir()
    for target in (parent / "new" / "week", parent / "empty", parent / "new" / "week"):
        code, _, err = run_cli("export", root, "--from", DAY, "--to", DAY, "--out", target, "--quiet")
        assert (code, err) == (0, "")
        assert (target / ".playbook-output").read_text("utf-8") == BUNDLE_MARKER
        assert (target / "manifest.json").is_file()
    assert sorted(p.name for p in (parent / "new").iterdir()) == ["week"], "no stage or lock left"


def test_a_bundle_from_before_markers_is_recognised_by_its_manifest(world: tuple[Path, Path],
                                                                     run_cli: RunCli) -> None:
    root, parent = world
    old = parent / "old-bundle"
    assert run_cli("export", root, "--from", DAY, "--to", DAY, "--out", old, "--quiet")[0] == 0
    (old / ".playbook-output").unlink()  # as an earlier version of playbook left it
    assert run_cli("export", root, "--from", DAY, "--to", DAY, "--out", old, "--quiet") == (0, "", "")
    assert (old / ".playbook-output").read_text("utf-8") == BUNDLE_MARKER
    (old / ".playbook-output").unlink()
    (old / "my-notes.txt").write_text("added by hand", encoding="utf-8")  # not in the manifest
    before = snapshot(parent)
    code, _, err = run_cli("export", root, "--from", DAY, "--to", DAY, "--out", old)
    assert (code, err) == (2, refused(f"--out {old}", NOT_OURS))
    assert snapshot(parent) == before


# --- build ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "why"), [
    ("{root}", "it is the playbook folder itself; choose a folder for the output"),
    ("{parent}", "it contains the playbook folder {root}; choose a folder for the output"),
    ("{parent}/notes", NOT_OURS),
    ("{parent}/report.pdf", "it is a file, not a folder; choose a folder for the output"),
])
def test_build_refuses_what_it_did_not_make(world: tuple[Path, Path], run_cli: RunCli,
                                            given: str, why: str) -> None:
    root, parent = world
    before = snapshot(parent)
    target = given.format(root=root, parent=parent)
    code, out, err = run_cli("build", root, "--date", DAY, "--out", target)
    assert (code, out, err) == (2, "", refused(f"--out {target}", why.format(root=root)))
    assert snapshot(parent) == before


def test_build_out_dot_is_refused(world: tuple[Path, Path], run_cli: RunCli,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root, parent = world
    before = snapshot(parent)
    monkeypatch.chdir(root)
    assert run_cli("build", "--date", DAY, "--out", ".") == (2, "", refused(
        "--out .", "it is the playbook folder itself; choose a folder for the output"))
    assert snapshot(parent) == before


def test_build_keeps_a_site_folder_it_did_not_make(world: tuple[Path, Path], run_cli: RunCli) -> None:
    root, parent = world
    (root / "site").mkdir()
    (root / "site" / "draft.md").write_text("someone's draft", encoding="utf-8")
    before = snapshot(parent)
    assert run_cli("build", root, "--date", DAY) == (2, "", refused(str(root / "site"), NOT_OURS))
    assert snapshot(parent) == before


def test_build_refuses_a_linked_site_folder(world: tuple[Path, Path], run_cli: RunCli) -> None:
    root, parent = world
    (root / "site").symlink_to(parent / "outside", target_is_directory=True)
    before = snapshot(parent)
    assert run_cli("build", root, "--date", DAY) == (2, "", refused(
        str(root / "site"), "it is a symbolic link; choose the real folder"))
    assert snapshot(parent) == before


@pytest.mark.parametrize("linked", [".playbook", ".playbook/handbook"])
def test_build_never_writes_through_a_linked_workspace(world: tuple[Path, Path], run_cli: RunCli,
                                                       linked: str) -> None:
    root, parent = world
    (root / linked).parent.mkdir(parents=True, exist_ok=True)
    (root / linked).symlink_to(parent / "outside", target_is_directory=True)
    (parent / "outside" / "keep.txt").write_text("outside the playbook", encoding="utf-8")
    before = snapshot(parent / "outside")
    code, out, err = run_cli("build", root, "--date", DAY, "--out", parent / "site")
    assert (code, out) == (2, "")
    assert err == (f"playbook: error: {root / linked} is a symbolic link; playbook keeps its working "
                   "files only in real folders inside the playbook (remove the link)\n")
    assert snapshot(parent / "outside") == before
    assert not (parent / "site").exists()


# --- stages and the lock ---------------------------------------------------------------------

def test_stages_a_killed_run_left_are_removed_and_others_kept(world: tuple[Path, Path],
                                                              run_cli: RunCli) -> None:
    root, parent = world
    out = parent / "bundle"
    stale_new, stale_old = parent / ".bundle.new-k1ll3d00", parent / ".bundle.old-k1ll3d01"
    stale_new.mkdir()
    (stale_new / ".playbook-output").write_text(BUNDLE_MARKER, encoding="utf-8")
    (stale_new / "messages.json").write_text("half", encoding="utf-8")
    stale_old.mkdir()  # killed right after mkdtemp: empty
    not_ours = parent / ".bundle.new-n0tours0"
    not_ours.mkdir()
    (not_ours / "data.txt").write_text("someone else's", encoding="utf-8")
    other_target = parent / ".other.new-k1ll3d02"
    other_target.mkdir()
    assert run_cli("export", root, "--from", DAY, "--to", DAY, "--out", out, "--quiet") == (0, "", "")
    assert sorted(p.name for p in parent.iterdir() if p.name.startswith(".")) == [
        ".bundle.new-n0tours0", ".other.new-k1ll3d02"]
    assert (not_ours / "data.txt").read_text("utf-8") == "someone else's"


def test_a_run_killed_between_its_renames_gets_the_previous_output_back(tmp_path: Path) -> None:
    aside = tmp_path / ".site.old-k1ll3d00"  # where the killed run had moved the old site
    aside.mkdir()
    (aside / ".playbook-output").write_text(SITE_MARKER, encoding="utf-8")
    (aside / "index.html").write_bytes(b"the previous site")
    with pytest.raises(RuntimeError), staged_tree(tmp_path / "site", "site") as stage:
        (stage / "index.html").write_bytes(b"half")
        raise RuntimeError("this build fails too")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (tmp_path / "site" / "index.html").read_bytes() == b"the previous site"


def test_a_second_export_into_a_locked_folder_fails_cleanly(world: tuple[Path, Path],
                                                            run_cli: RunCli) -> None:
    root, parent = world
    out = parent / "bundle"
    assert run_cli("export", root, "--from", DAY, "--to", DAY, "--out", out, "--quiet")[0] == 0
    before = snapshot(parent)
    lock = parent / ".bundle.lock"
    with open(lock, "w") as held:  # another run is writing `out`
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run([sys.executable, "-m", "playbook", "export", str(root), "--from", DAY,
                               "--to", DAY, "--out", str(out)], capture_output=True, text=True,
                              env={**os.environ, "PLAYBOOK_NO_CACHE": "1"})
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == refused(f"--out {out}", "another playbook run is writing it; try again "
                                                      f"when that one has finished (lock: {lock})")
        assert snapshot(parent) == {**before, ".bundle.lock": b""}
    lock.unlink()
    assert run_cli("export", root, "--from", DAY, "--to", DAY, "--out", out, "--quiet") == (0, "", "")
    assert not lock.exists(), "the lock file goes with the run"
    assert json.loads((out / ".playbook-output").read_text("utf-8"))["kind"] == "bundle"


def test_a_lock_file_left_by_a_killed_run_does_not_block_the_next(tmp_path: Path) -> None:
    (tmp_path / ".site.lock").write_bytes(b"")  # killed while holding it: nobody holds it now
    with staged_tree(tmp_path / "site", "site") as stage:
        (stage / "index.html").write_bytes(b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (tmp_path / "site" / "index.html").read_bytes() == b"new"


def test_a_linked_lock_file_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.txt").write_bytes(b"precious")
    (tmp_path / ".site.lock").symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(OutputRefused) as caught, staged_tree(tmp_path / "site", "site"):
        pass
    assert str(caught.value).startswith(f"{tmp_path / 'site'}: cannot create the lock file "
                                        f"{tmp_path / '.site.lock'}: ")
    assert (tmp_path / "elsewhere.txt").read_bytes() == b"precious"
    assert not (tmp_path / "site").exists()
