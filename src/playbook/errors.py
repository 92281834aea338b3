"""The one error every layer may raise for a problem with how a command was called or with the
files and settings around it (not with the playbook's content): exit code 2, no traceback."""

from __future__ import annotations


class UsageError(Exception):
    """A problem with how the command was called or with the files around it (exit 2)."""
