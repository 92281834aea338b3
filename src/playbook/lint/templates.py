"""Template contracts (PB2xx): every message is valid Jinja2 that uses only the variables and
filters its place provides, renders with realistic sample values, and writes personalisation
as variables rather than one platform's placeholder.

Templates are read with Jinja2's parser and walked as a syntax tree (names, attribute and
item look-ups, filters and tests), never matched with regular expressions.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import yaml

from playbook.lint.analysis import ENV, Analysis, Reference, analyse
from playbook.lint.group_fields import field_gaps
from playbook.lint.messages import Body, Message, contents, occurrences
from playbook.lint.registry import Finding, per_project, rule
from playbook.models.project import Project
from playbook.platforms import defaults
from playbook.render import VARIABLES, RenderLimitExceeded, allowed_variables, contract_tree, roots
from playbook.suggest import did_you_mean

BUILTINS = "https://jinja.palletsprojects.com/en/stable/templates/#builtin-"


def _suffix(body: Body, line: int | None) -> str:
    """Where inside the text: only worth saying for templates and multi-line text."""
    if body.template is not None:
        return f" ({body.where(line)})"
    if line is not None and body.source is not None and "\n" in body.source.strip():
        return f" ({body.where(line)})"
    return ""


def _bodies(project: Project) -> Iterator[tuple[Message, Body, Analysis]]:
    for message in contents(project).messages:
        for body in message.bodies:
            if body.source is not None:
                yield message, body, analyse(body.source)


def _outside_contract(message: Message, ref: Reference) -> tuple[str, ...] | None:
    """The shortest part of `ref.path` the place's context does not provide, if any."""
    node = contract_tree(message.place)
    for i, part in enumerate(ref.path):
        if i > 0 and not node:
            return None  # below a plain value (a text's methods): rendering checks those
        if part not in node:
            return ref.path[:i + 1]
        node = node[part]
    return None


def contract_violations(message: Message, analysis: Analysis) -> Iterator[tuple[tuple[str, ...], Reference]]:
    """(the part not provided, the reference) for each path outside the contract, once per
    missing root or attribute."""
    seen: set[tuple[str, ...]] = set()
    for ref in analysis.references:
        bad = _outside_contract(message, ref)
        if bad is not None and bad not in seen and bad[:1] not in seen:
            seen.add(bad)
            yield bad, ref


@rule("PB201", "undefined-template-variable", per_document=True)
def undefined_variable(project: Project) -> Iterator[Finding]:
    """A message uses a variable (or attribute) its place's render context does not provide.

    Why: rendering fails, or, in a tool that fills blanks, members read an empty gap. Each
    message gets `group` (id, name, type), `operator.name`, `playbook.title` and `date`;
    on_join script steps and keyword replies add `member.nickname`; launch-timeline steps and
    daily slots with a `pack` add `pack` (title, product: name, brand, price, sharer_profit);
    weekly events and their announcements add `event.name`.

    Fails: `text: 早安 {{ member.nickname }}` in a daily slot (no member there), or
    `{{ group.nmae }}`.
    Passes: `text: 早安,{{ group.name }}的朋友们!`.
    """
    for message, body, analysis in _bodies(project):
        allowed = [v.path for v in allowed_variables(message.place)]
        for bad, ref in contract_violations(message, analysis):
            if bad[0] in VARIABLES and bad[0] not in roots(message.place):
                yield Finding(body.span, f"template variable '{'.'.join(ref.path)}' is not available in "
                              f"{message.place.name}{_suffix(body, ref.line)}",
                              help="available here: " + ", ".join(allowed))
            else:
                dotted = ".".join(bad)
                yield Finding(body.span, f"undefined template variable '{dotted}'{_suffix(body, ref.line)}",
                              help=did_you_mean(dotted, allowed) or "available here: " + ", ".join(allowed))


@rule("PB202", "unknown-template-filter", per_document=True)
def unknown_filter(project: Project) -> Iterator[Finding]:
    """A message uses a Jinja2 filter (or test) that does not exist.

    Why: the message cannot be rendered at all.

    Fails: `{{ pack.product.price | currency }}`. Passes: `{{ "%.2f" | format(pack.product.price) }}`
    or `{{ pack.product.price | round(2) }}`.
    """
    for _message, body, analysis in _bodies(project):
        for what, name, line in analysis.unknown:
            known = ENV.filters if what == "filter" else ENV.tests
            yield Finding(body.span, f"unknown template {what} '{name}'{_suffix(body, line)}",
                          help=did_you_mean(name, known)
                          or f"see Jinja2's built-in {what}s: {BUILTINS}{what}s")


@rule("PB203", "template-syntax-error", per_document=True)
def syntax_error(project: Project) -> Iterator[Finding]:
    """A message is not valid Jinja2.

    Why: the message cannot be rendered at all. Typical slips: an unclosed `{{`, a stray
    `}}`, an `{% if %}` without `{% endif %}`. The line inside the text is given.

    Fails: `text: 欢迎 {{ member.nickname }` . Passes: `text: 欢迎 {{ member.nickname }}`.
    """
    for _message, body, analysis in _bodies(project):
        if analysis.syntax_error is not None:
            text, line = analysis.syntax_error
            yield Finding(body.span, f"template syntax error: {text}{_suffix(body, line)}")


def _clean(message: Message, analysis: Analysis) -> bool:
    return (analysis.syntax_error is None and not analysis.unknown
            and next(contract_violations(message, analysis), None) is None)


@rule("PB204", "template-render-failure", per_document=True)
def render_failure(project: Project) -> Iterator[Finding]:
    """A message fails when rendered with realistic sample values.

    The sample: nickname 小王, the first roster group the message reaches, its pack's
    product. Only messages that pass PB201–PB203 are rendered.

    Why: it would fail on the day it is sent. Typical causes: arithmetic on text, a division
    by zero, an `{% include %}` of a missing file, or an unsafe attribute such as `__class__`
    (the sandbox refuses it).

    Fails: `{{ pack.product.name + 1 }}`. Passes: `{{ pack.product.price + 1 }}`.
    """
    for _message, body, err in _render_errors(project):
        if err is None:
            yield Finding(body.span, f"template cannot be loaded: {body.error}")
        elif not isinstance(err, RenderLimitExceeded):
            yield Finding(body.span, f"rendering with the sample context fails: "
                          f"{type(err).__name__}: {err}{_suffix(body, _error_line(err))}")


@rule("PB206", "template-render-limit", per_document=True)
def render_limit(project: Project) -> Iterator[Finding]:
    """A message goes past a render limit when rendered with realistic sample values.

    Every render is bounded, so that no text in a pull request can hang CI or exhaust its
    memory: at most 64 KiB of output, 100,000 loop iterations, calls and filters together,
    1 MiB for any one value it makes (8 MiB for all of them) and 2 seconds. Widths and
    repetitions (`center`, `indent`, `format`, `"{:>N}".format`, `"%*s"`, `*`) and `replace`,
    `join` or `translate` results are refused before they run when they would pass the value
    limit. The message names the limit and its number.

    Why: the text would fail the same way in every export. Typical causes: loops nested over
    large ranges, a width typed with too many digits.

    Fails: `{% for a in range(1000) %}{% for b in range(1000) %}x{% endfor %}{% endfor %}`.
    Passes: `{% for step in range(3) %}{{ loop.index }}. …{% endfor %}`.
    """
    for _message, body, err in _render_errors(project):
        if isinstance(err, RenderLimitExceeded):
            yield Finding(body.span, f"{err}{_suffix(body, _error_line(err))}")


@per_project  # PB204 and PB206 read it: one pass over every body
def _render_errors(project: Project) -> list[tuple[Message, Body, Exception | None]]:
    """(message, body, error) for every body that fails to render with the sample context;
    the error is None when its template file cannot be loaded. Only messages that pass
    PB201–PB203 are rendered."""
    found = contents(project)
    failing: list[tuple[Message, Body, Exception | None]] = []
    for message in found.messages:
        for body in message.bodies:
            if body.source is None:
                failing.append((message, body, None))
                continue
            if not _clean(message, analyse(body.source)) or field_gaps(project, message, body):
                continue  # PB201-PB203 and PB208/PB209 report these
            try:
                found.render(message, body)
            except Exception as err:  # any error a template raises is the finding
                failing.append((message, body, err))
    return failing


def _error_line(err: BaseException) -> int | None:
    """The template line Jinja2 put into the traceback, when it did."""
    line = None
    tb = err.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name == "<template>" or name.startswith("templates/"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@cache
def _scrm_placeholders() -> dict[str, tuple[str, ...]]:
    text = resources.files("playbook").joinpath("data/scrm_placeholders.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    return {meaning: tuple(tokens) for meaning, tokens in raw["placeholders"].items()}


PLACEHOLDER_VARIABLES = {"nickname": "member.nickname", "group_name": "group.name"}
"""What to write instead of a placeholder, by what the placeholder stands for."""


def known_placeholders(project: Project) -> dict[str, str]:
    """Placeholder token -> what it stands for: every platform's (with the playbook's
    overrides) and the SCRM spellings."""
    found: dict[str, str] = {}
    for limits in [*defaults().values(), *project.platforms.values()]:
        for meaning, token in limits.placeholders:
            found[token] = meaning
    for meaning, tokens in _scrm_placeholders().items():
        for token in tokens:
            found[token] = meaning
    return found


@rule("PB205", "hard-coded-platform-placeholder", per_document=True)
def hard_coded_placeholder(project: Project) -> Iterator[Finding]:
    """A message writes a platform placeholder (`%NICKNAME%`, `#客户昵称#`) instead of a variable.

    The placeholders are the platforms' own (data/platforms.yaml) and the SCRM tools'
    spellings (data/scrm_placeholders.yaml).

    Why: only that one tool replaces it; pasted by a person or sent by any other tool, members
    read the raw placeholder. Write the variable and let the export translate it.

    Fails: `text: 欢迎 %NICKNAME% 入群`. Passes: `text: 欢迎 {{ member.nickname }} 入群`.
    """
    placeholders = known_placeholders(project)
    for _message, body, _analysis in _bodies(project):
        assert body.source is not None
        for start, token in occurrences(body.source, placeholders):
            line = body.source.count("\n", 0, start) + 1
            variable = PLACEHOLDER_VARIABLES.get(placeholders[token])
            yield Finding(body.span, f"hard-coded platform placeholder '{token}'{_suffix(body, line)}",
                          help=f"write {{{{ {variable} }}}} instead" if variable
                          else "write the matching render variable instead")


__all__ = ["Analysis", "analyse", "known_placeholders"]
