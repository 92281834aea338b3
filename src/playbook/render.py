"""The one Jinja2 sandbox of the project, and the contract of what a message may use.

Messages are plain text posted into chats, so autoescaping is off (the handbook escapes HTML
when it builds pages). Every message renders in `MessageEnvironment`: an immutable sandbox
with `StrictUndefined`, so a misspelt variable fails instead of posting an empty gap, and a
template loader that only sees the playbook's `templates/` folder.

The render context is a contract kept as data (`VARIABLES`, `EXTRA_ROOTS`): every message
gets the base variables, and where a message sits (document kind, model class, script
trigger, a slot's pack) adds `member`, `pack` or `event`. The lint rules check templates
against it; the schedule and the handbook render with it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, Template, TemplateNotFound

from playbook.files import MAX_FILE_BYTES, FileRefused, PlaybookFiles
from playbook.models.base import MessageContent, Variant
from playbook.models.calendars import WeeklyEvent
from playbook.models.packs import MaterialPack
from playbook.models.playbook import Group, GroupType, Playbook
from playbook.models.project import Project
from playbook.models.types import text_in
from playbook.render_bounds import MESSAGE_LIMITS, RenderLimitExceeded, RenderLimits
from playbook.sandbox import BoundedSandbox

TEMPLATES_FOLDER = "templates"


@dataclass(frozen=True)
class Variable:
    """One value the render context offers a message."""

    path: str
    meaning: str


VARIABLES: dict[str, tuple[Variable, ...]] = {
    "group": (Variable("group.id", "the group's id in the roster, e.g. sh-middle-01"),
              Variable("group.name", "the group's name as members see it"),
              Variable("group.type", "the id of the group's type, e.g. middle-official"),
              Variable("group.fields", "the group's values of the fields playbook.yaml declares "
                                       "(`group_fields`), e.g. group.fields.city")),
    "operator": (Variable("operator.name", "the name of the operator who runs the group"),),
    "playbook": (Variable("playbook.title", "the playbook's title"),),
    "date": (Variable("date", "the day the message goes out, as YYYY-MM-DD"),),
    "member": (Variable("member.nickname", "the nickname of the member who joined or asked"),),
    "pack": (Variable("pack.title", "the material pack's title"),
             Variable("pack.product.name", "the product's name"),
             Variable("pack.product.brand", "the product's brand"),
             Variable("pack.product.price", "the price to buyers, a number"),
             Variable("pack.product.sharer_profit", "what a sharer earns per sale, a number")),
    "event": (Variable("event.name", "the weekly event's name"),),
}
"""Every variable a message can use, by root name."""

BASE_ROOTS = ("group", "operator", "playbook", "date")
"""Available to every message."""

EXTRA_ROOTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("OnboardingScript", "Step"): (),  # + member when the trigger is on_join
    ("ActivityCalendar", "Slot"): (),  # + pack when the slot names a pack
    ("ActivityCalendar", "WeeklyEvent"): ("event",),
    ("ActivityCalendar", "MessageContent"): ("event",),  # a weekly event's `announce`
    ("ActivityCalendar", "Game"): (),
    ("ActivityCalendar", "KeywordReply"): ("member",),
    ("MaterialPack", "TimelineStep"): ("pack",),
}
"""What a message's place adds to the base variables: (document kind, model class) -> roots."""

MEMBER_TRIGGERS = frozenset({"on_join"})
"""Script triggers whose steps address the member who triggered them."""

PLACE_NAMES: dict[tuple[str, str], str] = {
    ("OnboardingScript", "Step"): "a script step",
    ("ActivityCalendar", "Slot"): "a daily slot",
    ("ActivityCalendar", "WeeklyEvent"): "a weekly event",
    ("ActivityCalendar", "MessageContent"): "a weekly event's announcement",
    ("ActivityCalendar", "Game"): "a game",
    ("ActivityCalendar", "KeywordReply"): "a keyword reply",
    ("MaterialPack", "TimelineStep"): "a launch-timeline step",
}

SAMPLE_NICKNAME = "小王"
SAMPLE_DAY = dt.date(2026, 1, 5)
SAMPLE_GROUP = {"id": "sample-group", "name": "示例群", "type": "sample-type"}
SAMPLE_OPERATOR = "运营小安"
SAMPLE_PRODUCT = {"name": "示例商品", "brand": "示例品牌", "price": 39.9, "sharer_profit": 8.0}
SAMPLE_EVENT = "本周活动"


@dataclass(frozen=True)
class Place:
    """Where a message sits: its document kind, its model class and, for scripts, the trigger."""

    kind: str
    model: str
    trigger: str | None = None
    pack: bool = False
    """A daily slot that posts a material pack."""

    @property
    def name(self) -> str:
        base = PLACE_NAMES.get((self.kind, self.model), "a message")
        if self.trigger:
            return f"{base} (trigger: {self.trigger})"
        return f"{base} with a pack" if self.pack else base


def place_of(kind: str, model: MessageContent, trigger: str | None = None) -> Place:
    """The place of a message, from its document kind, its model and its script's trigger."""
    return Place(kind, type(model).__name__, trigger if kind == "OnboardingScript" else None,
                 pack=getattr(model, "pack", None) is not None)


def roots(place: Place) -> tuple[str, ...]:
    """The root variables a message at `place` may use."""
    extra = list(EXTRA_ROOTS.get((place.kind, place.model), ()))
    if place.trigger in MEMBER_TRIGGERS:
        extra.append("member")
    if place.pack:
        extra.append("pack")
    return BASE_ROOTS + tuple(dict.fromkeys(extra))


def allowed_variables(place: Place) -> tuple[Variable, ...]:
    """Every variable a message at `place` may use."""
    return tuple(v for root in roots(place) for v in VARIABLES[root])


ContractTree = dict[str, "ContractTree"]
"""Attribute name -> what lies below it; an empty mapping is a plain value (text or number)."""


@functools.lru_cache(maxsize=256)  # a handful of places; asked once per message text
def contract_tree(place: Place) -> ContractTree:
    """The allowed variables as a tree, for checking attribute paths such as `pack.product.name`.
    Shared between callers: read it, never change it."""
    tree: ContractTree = {}
    for variable in allowed_variables(place):
        node = tree
        for part in variable.path.split("."):
            node = node.setdefault(part, {})
    return tree


def sample_context(project: Project, place: Place, *, group: Group | None = None,
                   group_type: GroupType | None = None, pack: MaterialPack | None = None,
                   event: WeeklyEvent | None = None, day: dt.date | None = None) -> dict[str, Any]:
    """Realistic values for the variables a message at `place` may use (only those): the
    roster group's when given, else a sample group of `group_type` (or of no type)."""
    pb = project.playbook
    default = pb.locales[0]
    locale = group.locale if group is not None and group.locale else default
    operators = _operator_names(pb)
    values: dict[str, Any] = {
        "group": ({"id": group.id, "name": group.name, "type": group.type, "fields": group_fields(group)}
                  if group is not None else
                  {**_sample_group(group_type, locale, default), "fields": sample_fields(project, locale)}),
        "operator": {"name": operators.get(group.operator, SAMPLE_OPERATOR) if group is not None
                     else SAMPLE_OPERATOR},
        "playbook": {"title": text_in(pb.title, locale, default)},
        "date": (day or SAMPLE_DAY).isoformat(),
        "member": {"nickname": SAMPLE_NICKNAME},
        "pack": _pack_values(pack, locale, default),
        "event": {"name": text_in(event.name, locale, default) if event is not None else SAMPLE_EVENT},
    }
    return {root: values[root] for root in roots(place)}


_NAMES: list[tuple[Playbook, dict[str, str]]] = []


def _operator_names(pb: Playbook) -> dict[str, str]:
    """Operator id -> name for the latest playbook: asked for every message rendered, and
    rebuilding it cost more than some renders."""
    if not _NAMES or _NAMES[0][0] is not pb:
        _NAMES[:] = [(pb, {o.id: o.name for o in pb.operators})]
    return _NAMES[0][1]


def group_fields(group: Group) -> dict[str, Any]:
    """A group's field values as templates read them (dates as YYYY-MM-DD)."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in group.fields.items()}


def sample_fields(project: Project, locale: str) -> dict[str, Any]:
    """A plausible value for each declared group field, for previews without a real group."""
    default = project.playbook.locales[0]
    samples: dict[str, Any] = {"number": 1, "date": SAMPLE_DAY.isoformat(), "url": "https://example.com/"}
    return {f.id: f.values[0] if f.type == "enum" else samples.get(f.type, text_in(f.name, locale, default))
            for f in project.playbook.group_fields}


def _sample_group(group_type: GroupType | None, locale: str, default: str) -> dict[str, str]:
    if group_type is None:
        return dict(SAMPLE_GROUP)
    return {"id": f"{group_type.id}-01", "name": text_in(group_type.name, locale, default),
            "type": group_type.id}


def _pack_values(pack: MaterialPack | None, locale: str, default: str) -> dict[str, Any]:
    if pack is None:
        return {"title": "示例爆品", "product": dict(SAMPLE_PRODUCT)}
    p = pack.product
    return {"title": text_in(pack.title, locale, default),
            "product": {"name": text_in(p.name, locale, default), "brand": text_in(p.brand, locale, default),
                        "price": p.price, "sharer_profit": p.sharer_profit}}


class TemplateOutsideFolder(TemplateNotFound):
    """A template name that would leave its folder (`../`, an absolute path, a link)."""


class TemplateUnreadable(TemplateNotFound):
    """A template the file-access layer refuses (a FIFO, a link out of the playbook, no
    permission, not UTF-8, too large); `refused` says why, with its PB code."""

    def __init__(self, name: str, refused: FileRefused) -> None:
        super().__init__(name, f"cannot read template '{refused.rel}': {refused.reason}")
        self.refused = refused


class TemplateFolder(BaseLoader):
    """Loads templates from one folder of a playbook, through the file-access layer, and
    nothing outside that folder: no `..`, no absolute or Windows path, no link that leads out
    of it (links out of the playbook are refused by `PlaybookFiles` itself)."""

    def __init__(self, files: PlaybookFiles, folder: str = TEMPLATES_FOLDER,
                 label: str | None = None) -> None:
        self.files = files
        self.folder = folder.strip("/")
        self.label = label or self.folder
        """How template file names are shown in errors (the playbook-relative folder)."""

    def resolve(self, name: str) -> str:
        """The playbook-relative path of `name`; `TemplateOutsideFolder` when it points outside
        the folder, `TemplateNotFound` when it is not there."""
        pure = PurePosixPath(name)
        if "\\" in name or pure.is_absolute() or ".." in pure.parts or ":" in name or "\x00" in name:
            raise TemplateOutsideFolder(name, f"template '{name}' points outside {self.label}/")
        rel = f"{self.folder}/{pure.as_posix()}" if self.folder else pure.as_posix()
        try:
            real = self.files.resolve(rel)
        except FileRefused as err:
            if err.code == "PB033":
                raise TemplateNotFound(name, f"template '{name}' does not exist in {self.label}/") from None
            if err.code in ("PB032", "PB037"):
                raise TemplateOutsideFolder(name, f"template '{name}' leads outside {self.label}/") from None
            raise TemplateUnreadable(name, err) from None
        if self.folder and not real.startswith(self.folder + "/"):
            raise TemplateOutsideFolder(name, f"template '{name}' leads outside {self.label}/")
        return rel

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        rel = self.resolve(template)
        try:
            text = self.files.read_text(rel, MAX_FILE_BYTES)
        except FileRefused as err:
            if err.code == "PB033":
                missing = f"template '{template}' does not exist in {self.label}/"
                raise TemplateNotFound(template, missing) from None
            raise TemplateUnreadable(template, err) from None
        return text, f"{self.label}/{template}", lambda: True


class MessageEnvironment(BoundedSandbox):
    """The sandbox every message renders in: no attribute escapes (`__class__`, `mro`, …), no
    changes to the values it is given, undefined variables fail, no HTML escaping, and every
    render bounded in output, loops, values and time (`playbook.render_bounds`)."""

    def __init__(self, templates: PlaybookFiles | None = None, *, loader: BaseLoader | None = None,
                 finalize: Callable[[Any], Any] | None = None, limits: RenderLimits = MESSAGE_LIMITS) -> None:
        # `templates` is the playbook whose templates/ folder `template:` and `{% include %}`
        # read; `loader` replaces it (the handbook stacks two folders); `finalize`
        # post-processes every `{{ … }}` output (the handbook escapes Markdown there).
        super().__init__(undefined=StrictUndefined, autoescape=False, auto_reload=False,
                         loader=loader or (TemplateFolder(templates) if templates is not None else None),
                         finalize=finalize, limits=limits)

    def from_string(self, source: str | Any, globals: MutableMapping[str, Any] | None = None,
                    template_class: type[Template] | None = None) -> Template:
        """Compile inline text once per environment: a playbook repeats the same text across
        thousands of groups, and compiling dominates rendering."""
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        compiled: dict[str, Template] = self.__dict__.setdefault("_compiled", {})
        template = compiled.get(source)
        if template is None:
            template = compiled[source] = super().from_string(source)
        return template

    def message(self, content: MessageContent | Variant, locale: str, fallback: str) -> Template | None:
        """The template of a message (its file, or its text in `locale`); None without a body."""
        if content.template is not None:
            return self.get_template(content.template)
        if content.text is None:
            return None
        return self.from_string(text_in(content.text, locale, fallback))


def environment_for(project: Project) -> MessageEnvironment:
    """The sandbox for one playbook, its loader rooted at ROOT/templates."""
    return MessageEnvironment(project.access)


def render(source: str | Template, context: Mapping[str, Any],
           env: MessageEnvironment | None = None) -> str:
    """Render inline text (compiled in `env`, or a plain sandbox) or a template from `env`."""
    template = source if isinstance(source, Template) else (env or MessageEnvironment()).from_string(source)
    return template.render(context)


__all__ = [
    "VARIABLES", "MessageEnvironment", "Place", "RenderLimitExceeded", "TemplateFolder",
    "TemplateOutsideFolder", "TemplateUnreadable", "Variable",
    "allowed_variables", "contract_tree", "environment_for", "group_fields", "place_of", "render",
    "roots", "sample_context", "sample_fields",
]
