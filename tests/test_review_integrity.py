"""Review integrity (issue 13, class 6 and the cache/diff parts of classes 1 and 3): a validate
cache entry a pull request forges is not believed, the cache key never blocks on a FIFO nor
reads through a link out of the playbook, the cache folder is never used through a link, and
`diff` sees every committed file exactly (no `.gitattributes` tricks) with links in revisions
refused like links in a working tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RunCli
from playbook import cache, cache_secret
from playbook.review import revisions

LINT = Path(__file__).parent / "lint"
TODAY = "2026-11-23"
BROKEN = "error PB201 undefined template variable 'weather'"
"""What the broken playbook below really has (a template reading an undefined variable)."""
OPTIONS = {"select": None, "ignore": None, "fail_level": None}
"""The options `playbook validate` keys its entry with when no flag is given."""
PB037 = ("{rel}:1:1: error PB037 '{rel}' is a symbolic link leading outside the playbook folder\n"
         "  help: playbooks hold their files themselves; copy the file into the playbook instead of "
         "linking it\n")
PB038 = ("{rel}:1:1: error PB038 '{rel}' is a FIFO (named pipe), not a regular file\n"
         "  help: only regular files and folders belong in a playbook; remove it\n")


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The cache on, with a user cache folder of the test's own."""
    monkeypatch.setenv("PLAYBOOK_TODAY", TODAY)
    monkeypatch.delenv(cache.DISABLE_VARIABLE, raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    user_cache = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
    return user_cache


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The clean lint base plus a template that reads an undefined variable (PB201 errors)."""
    target = tmp_path / "pb"
    shutil.copytree(LINT / "_base", target)
    shutil.copytree(LINT / "PB201" / "fail", target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("expected.txt"))
    return target


def entry(root: Path) -> Path:
    return root / ".playbook" / "cache" / "validate.json"


def all_clear_body(key: str) -> bytes:
    """An entry body claiming that the playbook checked clean."""
    return json.dumps({"format": cache.FORMAT, "key": key, "files_checked": 6, "exit_code": 0,
                       "diagnostics": []}).encode()


def forge(root: Path, signature: str, body: bytes) -> None:
    entry(root).parent.mkdir(parents=True, exist_ok=True)
    entry(root).write_bytes(signature.encode() + b"\n" + body)


# -- the cache cannot be forged ------------------------------------------------------------


FORGERIES = {
    "a wrong signature": lambda body: "0" * 64,
    "signed with another user's key": lambda body: cache_secret.tag(b"k" * cache_secret.KEY_BYTES, body),
    "no signature (an entry of format 1)": None,
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=FORGERIES.keys())
def test_a_forged_all_clear_entry_is_ignored_and_the_playbook_checked(
        broken: Path, run_cli: RunCli, checks: list[Path], forgery: str) -> None:
    wanted = cache.key(broken, OPTIONS)
    assert wanted is not None
    body = all_clear_body(wanted)
    sign = FORGERIES[forgery]
    if sign is None:
        entry(broken).parent.mkdir(parents=True)
        entry(broken).write_bytes(json.dumps({**json.loads(body), "format": 1}).encode())
    else:
        forge(broken, sign(body), body)
    code, out, err = run_cli("validate", broken)
    assert (code, err) == (1, "")
    assert BROKEN in out
    assert "All clear" not in out
    assert checks == [broken]
    assert run_cli("validate", broken) == (code, out, err)  # the real result replaced the forgery
    assert checks == [broken]


def test_a_genuine_entry_still_hits(broken: Path, run_cli: RunCli, checks: list[Path]) -> None:
    first = run_cli("validate", broken)
    assert first[0] == 1 and BROKEN in first[1]
    assert run_cli("validate", broken) == first
    assert checks == [broken]


def test_the_signature_covers_every_byte(broken: Path, run_cli: RunCli, checks: list[Path]) -> None:
    first = run_cli("validate", broken)
    signature, body = entry(broken).read_bytes().split(b"\n", 1)
    stored = json.loads(body)
    stored.update(exit_code=0, diagnostics=[])
    forge(broken, signature.decode(), json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode())
    assert run_cli("validate", broken) == first
    assert checks == [broken, broken]


def test_the_user_key_is_private_and_outside_the_playbook(broken: Path, run_cli: RunCli,
                                                          environment: Path) -> None:
    _, out, err = run_cli("validate", broken)
    key_file = environment / "playbook" / "key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert oct(key_file.parent.stat().st_mode & 0o777) == "0o700"
    secret = key_file.read_bytes()
    assert len(secret) == 32
    assert secret.hex() not in out + err + entry(broken).read_text(encoding="utf-8")
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["key"]  # no temporary left


def test_the_key_is_kept_and_reused(broken: Path, run_cli: RunCli, environment: Path) -> None:
    run_cli("validate", broken)
    secret = (environment / "playbook" / "key").read_bytes()
    cache_secret._known.clear()  # as a new process would
    run_cli("validate", broken, "--ignore", "PB201")
    assert (environment / "playbook" / "key").read_bytes() == secret


def test_home_from_the_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_secret.key_path() == tmp_path / "home" / ".cache" / "playbook" / "key"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG spec says
    assert cache_secret.key_path() == tmp_path / "home" / ".cache" / "playbook" / "key"


def _no_cache_and_correct(root: Path, run_cli: RunCli, checks: list[Path]) -> None:
    """Two runs both check for real, print the real findings and store nothing."""
    first = run_cli("validate", root)
    assert (first[0], first[2]) == (1, "") and BROKEN in first[1]
    assert run_cli("validate", root) == first
    assert checks == [root, root]
    assert not entry(root).exists()


def test_a_key_readable_by_others_is_not_trusted(broken: Path, run_cli: RunCli, checks: list[Path],
                                                 environment: Path) -> None:
    key_file = environment / "playbook" / "key"
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(b"k" * 32)
    key_file.chmod(0o644)  # as git checks out a committed file
    _no_cache_and_correct(broken, run_cli, checks)
    assert key_file.read_bytes() == b"k" * 32


def test_a_key_inside_the_playbook_is_not_trusted(broken: Path, run_cli: RunCli, checks: list[Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = broken / ".cache" / "playbook" / "key"
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(b"k" * 32)
    key_file.chmod(0o600)  # a checkout made under umask 077
    monkeypatch.setenv("XDG_CACHE_HOME", str(broken / ".cache"))
    wanted = cache.key(broken, OPTIONS)
    assert wanted is None
    _no_cache_and_correct(broken, run_cli, checks)


def test_no_key_can_be_made_means_no_cache(broken: Path, run_cli: RunCli, checks: list[Path],
                                           environment: Path) -> None:
    environment.write_text("a file where the cache folder should be\n", encoding="utf-8")
    _no_cache_and_correct(broken, run_cli, checks)


def test_a_key_that_is_a_link_is_not_trusted(broken: Path, run_cli: RunCli, checks: list[Path],
                                             environment: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere-key"
    real.write_bytes(b"k" * 32)
    real.chmod(0o600)
    (environment / "playbook").mkdir(parents=True)
    (environment / "playbook" / "key").symlink_to(real)
    _no_cache_and_correct(broken, run_cli, checks)


# -- the cache folder is never used through a link ----------------------------------------


@pytest.mark.parametrize("linked", [".playbook", ".playbook/cache"])
def test_a_linked_cache_folder_is_neither_read_nor_written(
        broken: Path, run_cli: RunCli, checks: list[Path], tmp_path: Path, linked: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (broken / linked).parent.mkdir(parents=True, exist_ok=True)
    (broken / linked).symlink_to(outside, target_is_directory=True)
    first = run_cli("validate", broken)
    assert (first[0], first[2]) == (1, "") and BROKEN in first[1]
    assert run_cli("validate", broken) == first
    assert checks == [broken, broken]
    assert list(outside.iterdir()) == []


def test_a_linked_entry_is_not_read(broken: Path, run_cli: RunCli, checks: list[Path],
                                    tmp_path: Path) -> None:
    run_cli("validate", broken)
    genuine = tmp_path / "genuine.json"
    entry(broken).rename(genuine)
    entry(broken).symlink_to(genuine)
    first = run_cli("validate", broken)
    assert BROKEN in first[1]
    assert checks == [broken, broken]
    assert not entry(broken).is_symlink()  # replaced by a file of its own


def _validate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`playbook validate` in a child process; the timeout only keeps a hang from hanging CI. It
    runs in the playbook folder, so paths are printed from there (`rules/x.yaml`)."""
    return subprocess.run([sys.executable, "-m", "playbook", "validate", str(root), *args], cwd=root,
                          capture_output=True, text=True, check=False, timeout=60, env=dict(os.environ))


def test_an_entry_that_is_a_fifo_does_not_block(broken: Path) -> None:
    entry(broken).parent.mkdir(parents=True)
    os.mkfifo(entry(broken))
    done = _validate(broken)
    assert (done.returncode, done.stderr) == (1, "") and BROKEN in done.stdout


# -- the cache key reads nothing it should not --------------------------------------------


@pytest.mark.parametrize("rel", ["rules/x.yaml", "templates/messages/x.j2", "calendars/deep/x.yml",
                                 "packs/demo-pack/images/x.png"])
def test_a_fifo_in_the_playbook_does_not_hang_validate(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "pb"
    shutil.copytree(LINT / "_base", root)
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / rel)
    expected = PB038.format(rel=rel) if rel.startswith(("rules/", "calendars/")) else ""
    summary = ("Found 1 error in 5 files checked.\n" if expected
               else "All clear: 5 files checked, no problems.\n")
    for _ in ("a miss", "a hit"):
        done = _validate(root)
        assert (done.returncode, done.stdout, done.stderr) == (1 if expected else 0, expected + summary, "")
    assert entry(root).is_file()


def test_a_template_linked_outside_is_not_read_for_the_key(tmp_path: Path) -> None:
    root = tmp_path / "pb"
    shutil.copytree(LINT / "_base", root)
    secret = tmp_path / "secret.j2"
    secret.write_text("first\n", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "t.j2").symlink_to(secret)
    before = cache.key(root, OPTIONS)
    assert before is not None
    secret.write_text("second\n", encoding="utf-8")
    assert cache.key(root, OPTIONS) == before
    (root / "templates" / "t.j2").unlink()
    (root / "templates" / "t.j2").symlink_to(tmp_path / "other.j2")
    assert cache.key(root, OPTIONS) != before  # where a link leads is in the key


def test_a_fifo_behind_a_link_does_not_hang_validate(tmp_path: Path) -> None:
    root = tmp_path / "pb"
    shutil.copytree(LINT / "_base", root)
    os.mkfifo(tmp_path / "pipe")
    (root / "rules" / "x.yaml").symlink_to(tmp_path / "pipe")
    done = _validate(root)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout == PB037.format(rel="rules/x.yaml") + "Found 1 error in 5 files checked.\n"


# -- diff reads revisions exactly as committed --------------------------------------------


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                               "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the lint base playbook in `ops/`, committed and tagged `base`."""
    root = tmp_path / "repo"
    shutil.copytree(LINT / "_base", root / "ops")
    _git(root, "init", "-q", "-b", "main")
    return root


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    _git(repo, "tag", message)


RULES = "ops/rules/base.yaml"
CHANGED_RULES = (("version: 1.0.0", "version: 1.1.0"), ("text: 禁止发广告", "text: 禁止发广告和外链"))


def _change_rules(repo: Path) -> None:
    text = (repo / RULES).read_text(encoding="utf-8")
    for old, new in CHANGED_RULES:
        assert old in text
        text = text.replace(old, new)
    (repo / RULES).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("attributes", ["rules/** export-ignore\n", "ops/rules export-ignore\n",
                                        "*.yaml export-ignore\n"])
def test_export_ignore_does_not_hide_a_changed_file(repo: Path, run_cli: RunCli, attributes: str) -> None:
    where = repo / "ops" if attributes.startswith(("rules", "*")) else repo
    (where / ".gitattributes").write_text(attributes, encoding="utf-8")
    _commit(repo, "base")
    _change_rules(repo)
    _commit(repo, "head")
    code, out, err = run_cli("diff", "base", "head", "--root", repo / "ops", "--days", "1")
    assert (code, err) == (0, "")
    assert "rule set base-rules (rules/base.yaml): changed, version 1.0.0 → 1.1.0\n" in out
    assert "      forbidden › no-ads › text: 禁止发广告 → 禁止发广告和外链\n" in out


def test_export_subst_does_not_rewrite_a_committed_file(repo: Path, run_cli: RunCli) -> None:
    (repo / "ops" / ".gitattributes").write_text("*.yaml export-subst\n", encoding="utf-8")
    text = (repo / RULES).read_text(encoding="utf-8")
    text = text.replace("text: 禁止发广告", "text: 禁止发广告 $Format:%H$")
    (repo / RULES).write_text(text, encoding="utf-8")
    _commit(repo, "base")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "head")
    code, out, err = run_cli("diff", "base", "HEAD", "--root", repo / "ops", "--days", "1")
    assert (code, err) == (0, "")
    assert "  no document changed\n" in out  # both sides keep the literal $Format:%H$


def test_links_out_of_the_playbook_in_revisions_are_refused_not_followed(
        repo: Path, run_cli: RunCli, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: OUTSIDE-SECRET-TEXT\n", encoding="utf-8")
    (repo / "ops/rules/x.yaml").symlink_to(outside)
    (repo / "ops/rules/y.yaml").symlink_to("../../../outside.yaml")
    _commit(repo, "base")
    _change_rules(repo)
    _commit(repo, "head")
    code, out, err = run_cli("diff", "base", "head", "--root", repo / "ops", "--days", "1")
    assert (code, out) == (1, "")
    assert err == ("playbook: the base revision base does not validate:\n"
                   + PB037.format(rel="rules/x.yaml") + PB037.format(rel="rules/y.yaml")
                   + "Found 2 errors in 5 files checked.\n"
                   "playbook: the diff stopped: fix the errors above; nothing was written\n")
    assert "OUTSIDE-SECRET-TEXT" not in out + err


def test_extract_writes_blobs_links_and_skips_submodules(repo: Path, tmp_path: Path) -> None:
    (repo / "ops/packs/demo-pack/images/alias.png").symlink_to("main.png")
    _commit(repo, "base")
    commit = _git(repo, "rev-parse", "HEAD")
    _git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},ops/vendor")
    _git(repo, "commit", "-q", "-m", "submodule")
    folder = revisions.extract(repo / "ops", "HEAD", tmp_path / "out")
    assert folder == tmp_path / "out" / "ops"
    alias = folder / "packs/demo-pack/images/alias.png"
    assert alias.is_symlink() and os.readlink(alias) == "main.png"
    assert not (folder / "vendor").exists()
    assert (folder / "rules/base.yaml").read_bytes() == (repo / RULES).read_bytes()
    listed = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    assert listed == sorted(p.relative_to(repo / "ops").as_posix() for p in (repo / "ops").rglob("*"))


def test_a_blob_past_the_bound_is_a_placeholder_of_its_size(repo: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "ops/packs/demo-pack/images/big.png").write_bytes(b"\x89PNG" + b"x" * 4096)
    _commit(repo, "base")
    monkeypatch.setattr(revisions, "MAX_BLOB_BYTES", 4096)  # above every other file of the playbook
    folder = revisions.extract(repo / "ops", "base", tmp_path / "out")
    assert folder is not None
    assert (folder / "packs/demo-pack/images/big.png").read_bytes() == bytes(4100)
    assert (folder / "playbook.yaml").read_bytes() == (repo / "ops/playbook.yaml").read_bytes()


def test_a_document_past_the_loader_limit_in_a_revision_is_pb005(repo: Path, run_cli: RunCli) -> None:
    _commit(repo, "base")
    (repo / "ops/rules/big.yaml").write_text("# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    _commit(repo, "head")
    code, out, err = run_cli("diff", "base", "head", "--root", repo / "ops", "--days", "1")
    assert (code, out) == (1, "")
    assert err == ("rules/big.yaml:1:1: error PB005 file is larger than 1024 KiB; "
                   "split it into smaller documents\n"
                   "Found 1 error in 6 files checked.\n"
                   "playbook: the diff stopped: fix the errors above; nothing was written\n")
