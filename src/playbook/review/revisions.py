"""The two playbooks a diff compares, taken from git: a revision is extracted into a
temporary folder with `git archive` (no checkout, no worktree), the working tree is used as
it is. Extraction uses tarfile's `data` filter, so an archive cannot write outside its folder.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from playbook.errors import UsageError

DEFAULT_BRANCHES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")
"""Where the default branch is looked for, first match wins."""


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return its output; a failure is a usage problem (exit 2)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed; `playbook diff` compares git revisions") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout.decode("utf-8", "replace").strip()


def _exists(cwd: Path, rev: str) -> bool:
    done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                          cwd=cwd, capture_output=True, check=False)
    return done.returncode == 0


def default_base(root: Path) -> str:
    """The merge base of HEAD with the default branch (what a pull request is compared to)."""
    for branch in DEFAULT_BRANCHES:
        if _exists(root, branch):
            return git(root, "merge-base", "HEAD", branch)
    raise UsageError("no default branch found (looked for " + ", ".join(DEFAULT_BRANCHES)
                     + "); name the base revision: `playbook diff BASE`")


def short(root: Path, rev: str) -> str:
    """A revision as a reader knows it: `main (3f2a1c9)`, or the short hash alone."""
    sha = git(root, "rev-parse", "--short", f"{rev}^{{commit}}")
    return sha if sha.startswith(rev) or rev.startswith(sha) else f"{rev} ({sha})"


def extract(root: Path, rev: str, dest: Path) -> Path | None:
    """Write the playbook folder `root` as it was at `rev` under `dest`; return the folder,
    or None when the revision has no playbook there (a pull request that adds it)."""
    top = Path(git(root, "rev-parse", "--show-toplevel")).resolve()
    rel = root.resolve().relative_to(top).as_posix()
    prefix = "" if rel == "." else rel + "/"
    if not _exists(root, rev):
        raise UsageError(f"unknown revision '{rev}'")
    listed = subprocess.run(["git", "cat-file", "-e", f"{rev}:{prefix}playbook.yaml"],
                            cwd=top, capture_output=True, check=False)
    if listed.returncode != 0:
        return None
    archive = subprocess.run(["git", "archive", "--format=tar", rev, "--", rel],
                             cwd=top, capture_output=True, check=False)
    if archive.returncode != 0:
        raise UsageError(f"git archive {rev}: {archive.stderr.decode('utf-8', 'replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest / rel
