"""The two playbooks a diff compares, taken from git: a revision is written into a temporary
folder from git's objects (no checkout, no worktree), the working tree is used as it is.

The files come from `git ls-tree -r -z` and their bytes from one `git cat-file --batch`, not
from `git archive`: an archive obeys the revision's own ``.gitattributes``, so a pull request
could hide a changed file from the diff with ``export-ignore`` or rewrite it with
``export-subst``; the tree and its blobs are exactly what was committed. What is written
follows the rules of the file-access layer (`playbook.files`):

* a symbolic link (mode 120000) is recreated as a link, so the check that reads the folder
  refuses one leading out of the playbook (PB037) exactly as in a working tree, and never
  reads through it; links are made last and never inside another link;
* a submodule (mode 160000) has no files in this repository and is skipped;
* a blob larger than `MAX_BLOB_BYTES` (the largest file any check reads) is not fetched: an
  empty file of its size stands in, which every reader refuses by its size (PB005), so a
  revision with huge blobs costs neither the memory nor the disk of their content;
* a path with an empty, ``.`` or ``..`` component (a crafted tree) is skipped, so nothing is
  written outside the temporary folder.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from playbook.errors import UsageError
from playbook.files import MAX_MEDIA_BYTES

MAX_BLOB_BYTES = MAX_MEDIA_BYTES
"""A larger blob is written as a placeholder of its size, not fetched (see the module text)."""
MAX_LINK_BYTES = 4096
"""A symbolic link whose target is longer than this (PATH_MAX) is skipped."""
_CHUNK = 1 << 20

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
    commit = git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    listed = subprocess.run(["git", "cat-file", "-e", f"{commit}:{prefix}playbook.yaml"],
                            cwd=top, capture_output=True, check=False)
    if listed.returncode != 0:
        return None
    entries = _tree(top, commit, prefix)
    folder = dest / rel
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(top, entries, dest)
    except OSError as err:
        raise UsageError(f"cannot write revision {rev} to a temporary folder: {err.strerror}") from None
    return folder


@dataclass(frozen=True)
class TreeEntry:
    """One entry of `git ls-tree -r -l`: a file, a link or a submodule at `path`."""

    mode: str
    kind: str
    sha: str
    size: int
    path: str


def _tree(top: Path, commit: str, prefix: str) -> list[TreeEntry]:
    """Every entry under `prefix` at `commit`, with sizes, exactly as committed."""
    args = ["git", "ls-tree", "-r", "-z", "-l", "--full-tree", commit]
    done = subprocess.run([*args, "--", prefix] if prefix else args, cwd=top, capture_output=True,
                          check=False)
    if done.returncode != 0:
        raise UsageError(f"git ls-tree {commit}: {done.stderr.decode('utf-8', 'replace').strip()}")
    entries = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha, size = meta.decode("ascii", "replace").split()
        path = os.fsdecode(raw_path)
        if not path.startswith(prefix) or not _safe(path):
            continue
        entries.append(TreeEntry(mode, kind, sha, int(size) if size.isdigit() else 0, path))
    return entries


def _safe(path: str) -> bool:
    parts = path.split("/")
    return not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _write(top: Path, entries: list[TreeEntry], dest: Path) -> None:
    """Write the blobs, then the links (so no file is ever written through one)."""
    files = [e for e in entries if e.kind == "blob" and e.mode in ("100644", "100755")]
    links = [e for e in entries if e.kind == "blob" and e.mode == "120000" and e.size <= MAX_LINK_BYTES]
    if not files and not links:
        return
    with subprocess.Popen(["git", "cat-file", "--batch"], cwd=top, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as batch:
        stdin, stdout = batch.stdin, batch.stdout
        if stdin is None or stdout is None:  # never: both are pipes
            raise UsageError("git cat-file: no pipe")
        try:
            for entry in files:
                out = _new_file(dest / entry.path)
                if out is None:
                    continue
                with out:
                    if entry.size > MAX_BLOB_BYTES:
                        out.truncate(entry.size)  # a placeholder of the size; nothing is fetched
                    else:
                        _blob(stdin, stdout, entry, out)
            real_dest = os.path.realpath(dest)
            for entry in links:
                target = bytearray()
                _blob(stdin, stdout, entry, target)
                _link(dest, real_dest, entry.path, os.fsdecode(bytes(target)))
        finally:
            stdin.close()


def _new_file(path: Path) -> IO[bytes] | None:
    """A new file opened for writing, or None when a crafted tree names the path twice, or a
    file where a folder must be: the first entry wins."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "xb")
    except (FileExistsError, IsADirectoryError, NotADirectoryError):
        return None


def _link(dest: Path, real_dest: str, rel: str, target: str) -> None:
    """Recreate a committed symbolic link, unless its folder is itself a link (nothing is made
    through one) or the path is taken."""
    path = dest / rel
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return
    if os.path.realpath(path.parent) != os.path.join(real_dest, *rel.split("/")[:-1]):
        return
    try:
        os.symlink(target, path)
    except (FileExistsError, ValueError):  # a path named twice; a NUL in the target
        return


def _blob(stdin: IO[bytes], stdout: IO[bytes], entry: TreeEntry, out: IO[bytes] | bytearray) -> None:
    """Ask `git cat-file --batch` for one blob and copy its bytes to `out`, a chunk at a time."""
    stdin.write(entry.sha.encode("ascii") + b"\n")
    stdin.flush()
    header = stdout.readline().split()
    if len(header) != 3 or header[1] != b"blob":
        raise UsageError(f"git cat-file: cannot read '{entry.path}' ({entry.sha})")
    remaining = int(header[2])
    while remaining:
        chunk = stdout.read(min(_CHUNK, remaining))
        if not chunk:
            raise UsageError(f"git cat-file: '{entry.path}' ended early")
        if isinstance(out, bytearray):
            out += chunk
        else:
            out.write(chunk)
        remaining -= len(chunk)
    stdout.read(1)  # the newline after the content
