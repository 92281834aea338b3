"""The template environment handbook pages render in: the project's one sandbox class
(`render.MessageEnvironment`, StrictUndefined), with Markdown escaping on every output and
two template folders, the playbook's `templates/handbook/` first, then the defaults shipped
in this package. A playbook overrides a page by adding a file of the same name."""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, TemplateError, TemplateSyntaxError

from playbook.diagnostics import Diagnostic, Severity
from playbook.files import FileRefused, NotUtf8, PlaybookFiles
from playbook.handbook import escape
from playbook.lint.overrides import OVERRIDES, override_names
from playbook.models.project import Project
from playbook.render import MessageEnvironment, TemplateFolder
from playbook.render_bounds import PAGE_LIMITS, RenderLimitExceeded
from playbook.source import Span

DEFAULT_TEMPLATES = Path(__file__).parent / "templates"
"""The page templates shipped with the tool."""
SHIPPED = "(shipped)"
"""How the shipped templates are named in errors."""


def page_environment(root: Path) -> MessageEnvironment:
    """The sandbox for the pages of the playbook under `root`."""
    loader = ChoiceLoader([TemplateFolder(PlaybookFiles(root), OVERRIDES),
                           TemplateFolder(PlaybookFiles(DEFAULT_TEMPLATES), "", label=SHIPPED)])
    env = MessageEnvironment(loader=loader, finalize=escape.finalize, limits=PAGE_LIMITS)
    env.add_filters(md=escape.md, cell=escape.cell, fence=escape.fence)
    return env


def override_problems(project: Project) -> list[Diagnostic]:
    """Override files the build cannot use, at their own path: not UTF-8 (PB006, at the first
    bad byte), a link out of the playbook (PB037), a FIFO or device (PB038), unreadable (PB039).
    Each would otherwise be skipped silently and the shipped page used instead."""
    names, refused = override_names(project)
    found = [err.diagnostic(Span(err.rel, 1, 1)) for err in refused]
    for name in names:
        try:
            project.access.read_text(f"{OVERRIDES}/{name}")
        except NotUtf8 as err:
            line = err.raw.count(b"\n", 0, err.offset) + 1
            col = err.offset - (err.raw.rfind(b"\n", 0, err.offset) + 1) + 1
            found.append(err.diagnostic(Span(err.rel, line, col)))
        except FileRefused as err:
            found.append(err.diagnostic(Span(err.rel, 1, 1)))
    return found


def template_error(err: TemplateError) -> Diagnostic:
    """A page template that failed while the handbook was rendered, as a diagnostic at the
    template's own file and line: PB206 for a render limit, PB207 for anything else."""
    span = Span(err.filename or OVERRIDES, err.lineno or 1, 1) if isinstance(err, TemplateSyntaxError) \
        else _template_frame(err)
    if isinstance(err, RenderLimitExceeded):
        return Diagnostic(span, Severity.ERROR, "PB206", "template-render-limit", str(err))
    text = f"template syntax error: {err.message}" if isinstance(err, TemplateSyntaxError) \
        else f"rendering the page fails: {type(err).__name__}: {err}"
    return Diagnostic(span, Severity.ERROR, "PB207", "handbook-template-error", text)


def _template_frame(err: BaseException) -> Span:
    """The innermost page-template line in the error's traceback (Jinja2 rewrites the frames to
    the template's file and line); the override folder when there is none."""
    span = Span(OVERRIDES, 1, 1)
    tb = err.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith((OVERRIDES + "/", SHIPPED + "/")):
            span = Span(name, tb.tb_lineno, 1)
        tb = tb.tb_next
    return span
