"""The template environment handbook pages render in: the project's one sandbox class
(`render.MessageEnvironment`, StrictUndefined), with Markdown escaping on every output and
two template folders, the playbook's `templates/handbook/` first, then the defaults shipped
in this package. A playbook overrides a page by adding a file of the same name."""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader

from playbook.files import PlaybookFiles
from playbook.handbook import escape
from playbook.render import TEMPLATES_FOLDER, MessageEnvironment, TemplateFolder
from playbook.render_bounds import PAGE_LIMITS

DEFAULT_TEMPLATES = Path(__file__).parent / "templates"
"""The page templates shipped with the tool."""
SHIPPED = "(shipped)"
"""How the shipped templates are named in errors."""
OVERRIDE_FOLDER = "handbook"
"""Under the playbook's templates/: page templates that replace the shipped ones."""


def page_environment(root: Path) -> MessageEnvironment:
    """The sandbox for the pages of the playbook under `root`."""
    loader = ChoiceLoader([TemplateFolder(PlaybookFiles(root), f"{TEMPLATES_FOLDER}/{OVERRIDE_FOLDER}"),
                           TemplateFolder(PlaybookFiles(DEFAULT_TEMPLATES), "", label=SHIPPED)])
    env = MessageEnvironment(loader=loader, finalize=escape.finalize, limits=PAGE_LIMITS)
    env.filters.update(md=escape.md, cell=escape.cell, fence=escape.fence)
    return env
