"""`python -m playbook` is the same as the `playbook` command."""

from playbook.cli import command

command()
