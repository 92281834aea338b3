"""Handbook page overrides (PB207): `templates/handbook/*.j2` come from a pull request, so they
are checked like any other untrusted input before a build renders them.

What the handbook's escaping cannot cover is the override's own literal text: Jinja2 writes it
out as it is, and the page is Markdown, which passes raw HTML through. So literal HTML is held
to inert tags and attributes, and a link or `href`/`src` taken from a value must go through
`url_path` (which percent-encodes a `javascript:` scheme away); values themselves are escaped
for HTML and Markdown by the page environment's `finalize`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from jinja2 import TemplateSyntaxError, nodes

from playbook.files import FileRefused
from playbook.lint.analysis import ENV
from playbook.lint.registry import Finding, rule
from playbook.models.project import Project
from playbook.source import Span

OVERRIDES = "templates/handbook"
"""The playbook folder whose templates replace the handbook's shipped page templates."""

SAFE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
"""Tags an override may write: text structure only (no script, style, frame, form, svg, …)."""
SAFE_ATTRIBUTES = frozenset({"alt", "align", "class", "colspan", "download", "height", "href", "id",
                             "lang", "open", "rowspan", "src", "title", "width"})
URL_ATTRIBUTES = frozenset({"href", "src"})
SAFE_SCHEMES = ("https:", "http:", "mailto:")
URL_FUNCTIONS = frozenset({"url_path"})
"""Page helpers whose result is safe as a link destination."""
MARK, END = "\ue000", "\ue001"
"""Around the number of a `{{ … }}` while the literal text is read as HTML (private-use characters)."""

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_MD_LINK = re.compile(r"\]\(\s*<?([^)>]*)")
_MD_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S*)", re.MULTILINE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")
"""Browsers drop tabs, newlines and controls inside a URL: `jav\tascript:` is `javascript:`."""
_MARKED = re.compile("^" + MARK + r"(\d+)" + END)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    near: str = ""
    """Text on that line the problem starts at (for the column)."""


def override_names(project: Project) -> tuple[list[str], list[FileRefused]]:
    """The override templates (names relative to templates/handbook/) and the files refused."""
    if not project.access.is_dir(OVERRIDES):
        return [], []
    files, refused = project.access.walk(OVERRIDES)
    return [f[len(OVERRIDES) + 1:] for f in files], refused


def _references(tree: nodes.Template) -> Iterator[tuple[str, int]]:
    """(template name, line) of every `extends`, `include`, `import` and `from … import`."""
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        target = getattr(node, "template", None)
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            yield target.value, node.lineno
        elif isinstance(target, nodes.List | nodes.Tuple):
            for item in target.items:
                if isinstance(item, nodes.Const) and isinstance(item.value, str):
                    yield item.value, node.lineno


def _path(start: str, goal: str, graph: dict[str, list[tuple[str, int]]]) -> list[str] | None:
    """The chain of overrides from `start` to `goal` through their references, if there is one."""
    stack: list[list[str]] = [[start]]
    seen = {start}
    while stack:
        path = stack.pop()
        if path[-1] == goal:
            return path
        for target, _line in graph.get(path[-1], []):
            if target not in seen:
                seen.add(target)
                stack.append([*path, target])
    return None


class _LiteralHtml(HTMLParser):
    """Reads an override's literal text (each value replaced by a numbered mark) and notes
    unsafe HTML."""

    def __init__(self, calls: list[bool]) -> None:
        super().__init__(convert_charrefs=True)
        self.calls = calls
        self.problems: list[tuple[int, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag not in SAFE_TAGS:
            self.problems.append((line, f"<{tag}> is not allowed in a page override (only text "
                                        "structure such as <br>, <a>, <table>)", f"<{tag}"))
            return
        for name, value in attrs:
            if name not in SAFE_ATTRIBUTES:
                self.problems.append((line, f"attribute '{name}' on <{tag}> is not allowed in a page "
                                            "override", name))
            elif name in URL_ATTRIBUTES and value is not None:
                problem = url_problem(value, self.calls)
                if problem:
                    self.problems.append((line, f"{name} of <{tag}> {problem}", name))

    handle_startendtag = handle_starttag

    def handle_decl(self, decl: str) -> None:
        self.problems.append((self.getpos()[0], "an HTML declaration is not allowed in a page override",
                              "<!"))

    def handle_pi(self, data: str) -> None:
        self.handle_decl(data)


def url_problem(value: str, calls: list[bool]) -> str | None:
    """Why a link destination written in an override is unsafe, or None. `calls[i]` says
    whether the i-th value of the text is a `url_path(…)` call."""
    value = _INVISIBLE.sub("", value)
    mark = _MARKED.match(value)
    if mark is not None:
        if not calls[int(mark.group(1))]:
            return "takes a value directly; write it as {{ url_path(…) }}"
        return None
    if _SCHEME.match(value) and not value.lower().startswith(SAFE_SCHEMES):
        return f"uses the scheme '{value.split(':', 1)[0]}:'; only https, http and mailto links are allowed"
    return None


def _marked(output: nodes.Output, first: int) -> tuple[str, list[bool]]:
    """The literal text of an output with its values replaced by numbered marks (from `first`),
    and for each value whether it is a `url_path(…)` call."""
    parts: list[str] = []
    calls: list[bool] = []
    for child in output.nodes:
        if isinstance(child, nodes.TemplateData):
            parts.append(child.data)
        else:
            parts.append(f"{MARK}{first + len(calls)}{END}")
            calls.append(isinstance(child, nodes.Call) and isinstance(child.node, nodes.Name)
                         and child.node.name in URL_FUNCTIONS)
    return "".join(parts), calls


def check_source(source: str) -> list[Problem]:
    """The problems of one override's text: syntax, unsafe HTML and Markdown links."""
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as err:
        return [Problem(err.lineno, f"template syntax error: {err.message}")]
    problems: list[Problem] = []
    for output in tree.find_all(nodes.Output):
        text, calls = _marked(output, 0)
        parser = _LiteralHtml(calls)
        parser.feed(text)
        parser.close()
        problems += [Problem(output.lineno + line - 1, message, near)
                     for line, message, near in parser.problems]
        for match in [*_MD_LINK.finditer(text), *_MD_REFERENCE.finditer(text)]:
            problem = url_problem(match.group(1), calls)
            if problem:
                problems.append(Problem(output.lineno + text.count("\n", 0, match.start()),
                                        f"a Markdown link {problem}", match.group(0)[:2]))
    return problems


def references(source: str) -> list[tuple[str, int]]:
    try:
        return list(_references(ENV.parse(source)))
    except TemplateSyntaxError:
        return []


def _column(source: str, line: int, needle: str) -> int:
    lines = source.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    at = text.lower().find(needle.lower()) if needle else -1
    return at + 1 if at >= 0 else len(text) - len(text.lstrip()) + 1


@rule("PB207", "handbook-template-error", per_document=True)
def handbook_template_error(project: Project) -> Iterator[Finding]:
    """A handbook page override (`templates/handbook/*.j2`) cannot be used safely.

    Overrides come from a pull request like any other file, so a build refuses one that does
    not parse, that extends, includes or imports itself (directly or through other overrides),
    or whose literal text writes HTML beyond text structure: no `<script>`, `<style>`,
    `<iframe>`, forms or `on…` attributes, no link with a scheme other than https, http or
    mailto, and a link or `href`/`src` that takes a value must write it as
    `{{ url_path(value) }}`. Values (`{{ … }}`) are always escaped for HTML and Markdown.

    Why: the handbook is published; one template could otherwise run script in every
    operator's browser, or stop every build with a RecursionError.

    Fails: `{% extends "home.md.j2" %}` in templates/handbook/home.md.j2, or
    `<script>alert(1)</script>`. Passes: `# {{ book.title }}` followed by `<br>`.
    """
    names, _refused = override_names(project)  # refused files: reported by the build (PB006, PB03x)
    sources: dict[str, str] = {}
    for name in names:
        try:
            sources[name] = project.access.read_text(f"{OVERRIDES}/{name}")
        except FileRefused:
            continue
    graph = {name: references(source) for name, source in sources.items()}
    for name, source in sorted(sources.items()):
        path = f"{OVERRIDES}/{name}"
        for problem in check_source(source):
            where = Span(path, problem.line, _column(source, problem.line, problem.near))
            yield Finding(where, problem.message)
        for target, line in graph[name]:
            chain = _path(target, name, graph)
            if chain is None:
                continue
            how = "extends or includes itself" if len(chain) == 1 else "leads back to itself"
            yield Finding(Span(path, line, _column(source, line, target)),
                          f"'{name}' {how}: {' -> '.join([name, *chain])}",
                          help="an override cannot build on the shipped page of the same name: copy its text")


__all__ = ["OVERRIDES", "check_source", "override_names", "references"]
