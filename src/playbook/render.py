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
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, Template, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from playbook.loader import MAX_FILE_BYTES
from playbook.models.base import MessageContent
from playbook.models.calendars import WeeklyEvent
from playbook.models.packs import MaterialPack
from playbook.models.playbook import Group, GroupType
from playbook.models.project import Project
from playbook.models.types import text_in

TEMPLATES_FOLDER = "templates"
MAX_EXPONENT = 100
"""`a ** b` with |b| above this is refused: a message never needs it, and it can hang a run."""
MAX_REPEAT = 100_000
"""`'x' * n` (or a list) longer than this is refused, for the same reason."""


@dataclass(frozen=True)
class Variable:
    """One value the render context offers a message."""

    path: str
    meaning: str


VARIABLES: dict[str, tuple[Variable, ...]] = {
    "group": (Variable("group.id", "the group's id in the roster, e.g. sh-middle-01"),
              Variable("group.name", "the group's name as members see it"),
              Variable("group.type", "the id of the group's type, e.g. middle-official")),
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


def contract_tree(place: Place) -> ContractTree:
    """The allowed variables as a tree, for checking attribute paths such as `pack.product.name`."""
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
    operators = {o.id: o.name for o in pb.operators}
    values: dict[str, Any] = {
        "group": ({"id": group.id, "name": group.name, "type": group.type} if group is not None
                  else _sample_group(group_type, locale, default)),
        "operator": {"name": operators.get(group.operator, SAMPLE_OPERATOR) if group is not None
                     else SAMPLE_OPERATOR},
        "playbook": {"title": text_in(pb.title, locale, default)},
        "date": (day or SAMPLE_DAY).isoformat(),
        "member": {"nickname": SAMPLE_NICKNAME},
        "pack": _pack_values(pack, locale, default),
        "event": {"name": text_in(event.name, locale, default) if event is not None else SAMPLE_EVENT},
    }
    return {root: values[root] for root in roots(place)}


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
    """A template name that would leave the templates/ folder (`../`, an absolute path, a link)."""


class TemplateFolder(BaseLoader):
    """Loads message templates from one folder and nothing outside it.

    The accepted exception to "only the loader reads playbook files": Jinja2 needs a loader
    for `template:` files and `{% include %}`. It applies the loader's size limit.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def resolve(self, name: str) -> Path:
        """The file for `name`; `TemplateOutsideFolder` when it points outside the folder."""
        pure = PurePosixPath(name)
        if "\\" in name or pure.is_absolute() or ".." in pure.parts or ":" in name:
            raise TemplateOutsideFolder(name, f"template '{name}' points outside {TEMPLATES_FOLDER}/")
        path = (self.root / pure).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise TemplateOutsideFolder(name, f"template '{name}' leads outside {TEMPLATES_FOLDER}/")
        if not path.is_file():
            raise TemplateNotFound(name, f"template '{name}' does not exist in {TEMPLATES_FOLDER}/")
        return path

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.resolve(template)
        raw = path.read_bytes()
        if len(raw) > MAX_FILE_BYTES:
            raise TemplateNotFound(template, f"template '{template}' is larger than {MAX_FILE_BYTES} bytes")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateNotFound(template, f"template '{template}' is not UTF-8") from None
        return text, f"{TEMPLATES_FOLDER}/{template}", lambda: True


class MessageEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox every message renders in: no attribute escapes (`__class__`, `mro`, …), no
    changes to the values it is given, undefined variables fail, no HTML escaping, and no
    arithmetic that could hang or exhaust a run."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, templates: Path | None = None, *, loader: BaseLoader | None = None,
                 finalize: Callable[[Any], Any] | None = None) -> None:
        # `loader` replaces the templates/ folder loader (the handbook stacks two folders);
        # `finalize` post-processes every `{{ … }}` output (the handbook escapes Markdown there).
        super().__init__(undefined=StrictUndefined, autoescape=False, auto_reload=False,
                         loader=loader or (TemplateFolder(templates) if templates is not None else None),
                         finalize=finalize)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large for a message")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > MAX_REPEAT:
                    raise SecurityError(f"repeating to {len(seq) * times} items is too long for a message")
        return super().call_binop(context, operator, left, right)

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

    def message(self, content: MessageContent, locale: str, fallback: str) -> Template | None:
        """The template of a message (its file, or its text in `locale`); None without a body."""
        if content.template is not None:
            return self.get_template(content.template)
        if content.text is None:
            return None
        return self.from_string(text_in(content.text, locale, fallback))


def environment_for(project: Project) -> MessageEnvironment:
    """The sandbox for one playbook, its loader rooted at ROOT/templates."""
    return MessageEnvironment(project.root / TEMPLATES_FOLDER)


def render(source: str | Template, context: Mapping[str, Any],
           env: MessageEnvironment | None = None) -> str:
    """Render inline text (compiled in `env`, or a plain sandbox) or a template from `env`."""
    template = source if isinstance(source, Template) else (env or MessageEnvironment()).from_string(source)
    return template.render(context)


__all__ = [
    "VARIABLES", "MessageEnvironment", "Place", "TemplateFolder", "TemplateOutsideFolder", "Variable",
    "allowed_variables", "contract_tree", "environment_for", "place_of", "render", "roots",
    "sample_context",
]
