"""Self-contained bundles (issue 16, item 1): every attached file is copied in once as
media/<sha256><suffix>, listed in the manifest with size and hash, linked from the run sheet;
the manifest says whether the playbook had uncommitted changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from bundle_playbook import FILES, IMAGE, PACK
from conftest import MakePlaybook
from playbook.bundle.export import build_bundle, git_dirty
from playbook.exporters.json_messages import BUNDLE_SCHEMA
from playbook.messages.compose import compose
from playbook.models.project import Project
from playbook.pipeline import check

SHA = hashlib.sha256(IMAGE).hexdigest()
LAUNCH_DAY = dt.date(2026, 10, 29)


def project_of(root: Path) -> Project:
    checked = check(root)
    assert checked.project is not None and not checked.failing, checked.diagnostics
    return checked.project


@pytest.fixture
def twice(make_playbook: MakePlaybook) -> Project:
    """The Berlin playbook whose launch also attaches the same picture under a second name."""
    pack = PACK.replace("materials: [{id: main, kind: image, title: Main, file: images/main.png}]",
                        "materials: [{id: main, kind: image, title: Main, file: images/main.png},\n"
                        "            {id: again, kind: image, title: Again, file: images/again.PNG}]")
    pack = pack.replace("materials: [main],", "materials: [main, again],")
    return project_of(make_playbook({**FILES, "packs/night/pack.yaml": pack,
                                     "packs/night/images/again.PNG": IMAGE}))


def test_one_copy_per_content_listed_in_the_manifest_and_linked_from_the_run_sheet(twice: Project) -> None:
    bundle = build_bundle(twice, LAUNCH_DAY, LAUNCH_DAY)
    assert bundle.diagnostics == []
    assert sorted(n for n in bundle.files if n.startswith("media/")) == [f"media/{SHA}.png"]
    assert bundle.files[f"media/{SHA}.png"] == IMAGE
    manifest = json.loads(bundle.files["manifest.json"])
    assert manifest["media"] == [{"path": f"media/{SHA}.png", "sha256": SHA, "bytes": len(IMAGE),
                                  "kind": "image",
                                  "sources": ["packs/night/images/again.PNG", "packs/night/images/main.png"]}]
    assert manifest["counts"]["media"] == 1
    assert manifest["files"][f"media/{SHA}.png"] == {"sha256": SHA, "bytes": len(IMAGE)}
    records = json.loads(bundle.files["messages.json"])
    jsonschema.validate(records, BUNDLE_SCHEMA)
    [launch] = [r for r in records["messages"] if r["item_id"] == "launch"]
    assert launch["attachments"] == [
        {"path": "packs/night/images/main.png", "bundle_path": f"media/{SHA}.png", "sha256": SHA,
         "size": len(IMAGE), "kind": "image"},
        {"path": "packs/night/images/again.PNG", "bundle_path": f"media/{SHA}.png", "sha256": SHA,
         "size": len(IMAGE), "kind": "image"}]
    assert launch["form"] == "image"
    sheet = bundle.files["md/ben/2026-10-29.md"].decode()
    assert (f"- attach [`packs/night/images/main.png`](../../media/{SHA}.png) (image, sha256 "
            f"`{SHA[:12]}…`)") in sheet
    assert "- form `image` · attach 2 images" in sheet


def test_a_file_changed_after_it_was_hashed_stops_the_bundle(make_playbook: MakePlaybook) -> None:
    root = make_playbook(FILES)
    project = project_of(root)
    composed = compose(project, LAUNCH_DAY, LAUNCH_DAY)  # hashes the picture
    (root / "packs/night/images/main.png").write_bytes(IMAGE + b" edited")
    bundle = build_bundle(project, LAUNCH_DAY, LAUNCH_DAY, composed=composed.messages)
    assert bundle.files == {}
    assert [str(d) for d in bundle.diagnostics] == [
        "packs/night/images/main.png:1:1: error PB033 attachment packs/night/images/main.png: changed "
        "while the bundle was made; export again"]


def test_a_file_gone_after_it_was_hashed_stops_the_bundle(make_playbook: MakePlaybook) -> None:
    root = make_playbook(FILES)
    project = project_of(root)
    composed = compose(project, LAUNCH_DAY, LAUNCH_DAY)
    (root / "packs/night/images/main.png").unlink()
    bundle = build_bundle(project, LAUNCH_DAY, LAUNCH_DAY, composed=composed.messages)
    assert bundle.files == {}
    assert [str(d) for d in bundle.diagnostics] == [
        "packs/night/images/main.png:1:1: error PB033 attachment packs/night/images/main.png: it does "
        "not exist"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com",
                    *args], check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_dirty_says_whether_the_playbook_folder_has_uncommitted_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    playbook = repo / "ops" / "playbook"
    playbook.mkdir(parents=True)
    assert git_dirty(playbook) is None  # not a repository
    (playbook / "playbook.yaml").write_text("id: x\n", encoding="utf-8")
    (repo / "notes.txt").write_text("outside the playbook\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    assert git_dirty(playbook) is False
    (repo / "notes.txt").write_text("changed outside the playbook folder\n", encoding="utf-8")
    assert git_dirty(playbook) is False  # only the playbook's own files count
    (playbook / "new.yaml").write_text("id: y\n", encoding="utf-8")
    assert git_dirty(playbook) is True  # an untracked file
    (playbook / "new.yaml").unlink()
    (playbook / "playbook.yaml").write_text("id: z\n", encoding="utf-8")
    assert git_dirty(playbook) is True  # a modified one
