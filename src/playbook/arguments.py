"""Command-line arguments every command spells the same way: the playbook folder and dates."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path


def add_root(parser: argparse.ArgumentParser) -> None:
    """The optional ROOT positional: the playbook folder, default the current one."""
    parser.add_argument("root", nargs="?", default=".", type=Path,
                        help="the playbook folder (holds playbook.yaml); default: .")


def date(text: str) -> dt.date:
    """An argparse type for YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD") from None
