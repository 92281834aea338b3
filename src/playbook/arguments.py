"""Command-line arguments every command spells the same way: the playbook folder and dates, and
the range every date from the command line or the environment must lie in."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

EARLIEST = dt.date(1980, 1, 1)
LATEST = dt.date(2099, 12, 31)
"""The supported dates (`--date`, `--from`, `--to`, PLAYBOOK_TODAY, SOURCE_DATE_EPOCH). 1980 is
the first year a zip or gzip timestamp and SOURCE_DATE_EPOCH tools accept; 2099 keeps a gzip
header (seconds in 32 bits, up to 2106) valid and leaves years of room for the offsets and
recurrences computed from a date, so no arithmetic around an accepted date can overflow."""
SUPPORTED = f"{EARLIEST.isoformat()} .. {LATEST.isoformat()}"


def add_root(parser: argparse.ArgumentParser) -> None:
    """The optional ROOT positional: the playbook folder, default the current one."""
    parser.add_argument("root", nargs="?", default=".", type=Path,
                        help="the playbook folder (holds playbook.yaml); default: .")


def add_root_alias(parser: argparse.ArgumentParser) -> None:
    """The old `--root ROOT` option of `diff`, `new` and `roster`, kept working but hidden from
    --help: every command now takes the playbook folder as the positional ROOT."""
    parser.add_argument("--root", dest="root_option", type=Path, default=None, help=argparse.SUPPRESS)


def merge_root_alias(args: argparse.Namespace) -> None:
    """Move a deprecated `--root` into `args.root`; naming two different folders is a usage
    error. Quietly: scripts that read stderr keep working until the option is removed (README
    lists it as deprecated)."""
    from playbook.errors import UsageError  # here: importing this module stays standard-library only

    chosen = getattr(args, "root_option", None)
    if chosen is None:
        return
    given = getattr(args, "root", None)
    if given is not None and given != Path(".") and given != chosen:
        raise UsageError(f"two playbook folders given: ROOT {given} and --root {chosen}")
    args.root, args.root_option = chosen, None


def out_of_range(day: dt.date) -> str | None:
    """Why `day` cannot be used (outside `EARLIEST`..`LATEST`), or None."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day.isoformat()} is outside the supported dates {SUPPORTED}"


def date(text: str) -> dt.date:
    """An argparse type for YYYY-MM-DD within the supported dates."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD") from None
    problem = out_of_range(day)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return day


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH (whole seconds since 1970, UTC) when set, checked: not an integer or
    outside the supported dates is a usage error, never a traceback deep in a build. None when
    the variable is unset or empty."""
    from playbook.errors import UsageError  # here: importing this module stays standard-library only

    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise UsageError(f"SOURCE_DATE_EPOCH={text!r} is not a number of seconds since 1970-01-01")
    low = int(dt.datetime.combine(EARLIEST, dt.time(), dt.UTC).timestamp())
    high = int(dt.datetime.combine(LATEST, dt.time.max, dt.UTC).timestamp())
    if len(text) > len(str(high)) or not low <= int(text) <= high:  # long: int() would refuse it
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise UsageError(f"SOURCE_DATE_EPOCH={shown} is outside the supported dates {SUPPORTED} "
                         f"({low} .. {high})")
    return int(text)
