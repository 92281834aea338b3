"""`playbook validate --base REF`: the version-bump check (PB801) of `playbook diff`, run against
a git revision inside `validate`, so that a pre-commit hook or a CI step that only validates
still catches a document changed under the version operators already know."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playbook.diagnostics import Diagnostic
from playbook.models.project import Project


def bump_problems(root: Path, base_rev: str, head: Project) -> list[Diagnostic]:
    """PB801 for every document of `head` (the playbook at `root`) changed since `base_rev`
    without a version bump. A base without a playbook at `root` has nothing to compare; a base
    that does not validate cannot be compared, which is said on stderr (the check is skipped,
    the head's own findings still count)."""
    from playbook.pipeline import check
    from playbook.review.documents import document_changes, version_problems
    from playbook.review.revisions import extract

    with tempfile.TemporaryDirectory(prefix="playbook-base-") as scratch:
        base_root = extract(root, base_rev, Path(scratch) / "base")
        if base_root is None:
            return []
        base = check(base_root)
    if base.project is None:
        print(f"playbook: the base revision {base_rev} does not validate; the version-bump check "
              "(PB801) was skipped", file=sys.stderr)
        return []
    return version_problems(document_changes(base.project, head), head)
