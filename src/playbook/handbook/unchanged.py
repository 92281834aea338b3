"""`playbook build`'s shortcut when nothing changed: answer "up to date" without loading,
checking or rendering anything.

A build whose site is current still spent most of a cold build's front half finding that out:
it loaded and linted the playbook and rendered every page, only to see that the workspace
came out the same (`handbook.compile.build_site`). This module keys a successful build on
everything it read, the way `playbook.cache` keys a `validate` result: the tool, the date the
handbook is built for, its SOURCE_DATE_EPOCH and output folder, the bytes of every document
and template and of every other file in the playbook (media are copied into the site). The
entry, `ROOT/.playbook/cache/build.json`, is signed with this user's key, so one committed
to a pull request is a miss.

The key says the *inputs* are those of the last build; the site's stamp
(`handbook.site.up_to_date`) says the *site* is still the one that build swapped in (same
folder, inode and modification time, same tool versions). Both must hold. Anything else is a
full build: `--force`, `--metrics` and `--ledger` (their files change without the playbook
changing), `PLAYBOOK_NO_CACHE`, an entry that does not verify, or inputs that cannot be read
reliably.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from playbook import cache
from playbook.handbook import site

if TYPE_CHECKING:  # the compiler is not imported to answer "up to date"
    from playbook.handbook.compile import SiteReport

__all__ = ["key", "pages_if_current", "remember"]

KIND = "handbook-build/1"
"""What the entry keys; bump it when what a build depends on changes shape."""


def key(args: argparse.Namespace, day: dt.date, target: Path) -> str | None:
    """The key of this build, or None when the shortcut does not apply to it."""
    if (args.force or getattr(args, "metrics", None) is not None or args.ledger is not None
            or cache.disabled(False)):
        return None
    options = {"kind": KIND, "day": day.isoformat(), "source_date_epoch": site.source_epoch(day),
               "target": str(target.absolute())}
    return cache.key(args.root, options, every_file=True)


def pages_if_current(root: Path, wanted: str, target: Path, day: dt.date) -> int | None:
    """The number of pages of the site at `target` when it is the one the last build made from
    inputs with key `wanted` and is still in place; None otherwise."""
    entry = cache.load_signed(root, cache.BUILD_FILE, wanted)
    if entry is None:
        return None
    inputs, pages = entry.get("inputs"), entry.get("pages")
    if not isinstance(inputs, str) or not isinstance(pages, int) or isinstance(pages, bool):
        return None
    return pages if site.up_to_date(root, inputs, target, day) else None


def remember(root: Path, wanted: str, done: SiteReport, args: argparse.Namespace, day: dt.date,
             target: Path) -> bool:
    """Record the successful build `done` under `wanted`, when its inputs did not change while it
    ran (the key computed again must be the same)."""
    if key(args, day, target) != wanted:
        return False
    return cache.store_signed(root, cache.BUILD_FILE, wanted, {"inputs": done.inputs, "pages": done.pages})
