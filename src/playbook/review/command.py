"""Command-line entry points of this feature (registered by `playbook.cli`)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this feature's subcommands; each sets `run=<function(args) -> exit code>`."""
