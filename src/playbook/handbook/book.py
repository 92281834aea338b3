"""What page templates see of the playbook: the project plus look-ups (role, metric and
class names), text in the handbook's languages, where each document's page lives and links
between pages. Every method returns plain values or escaped `Markup`."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from playbook.handbook import labels
from playbook.handbook.escape import html, link, md
from playbook.models.base import MetricTarget
from playbook.models.playbook import GroupType, Layer
from playbook.models.project import Project
from playbook.models.rules import GroupRules
from playbook.models.types import text_in
from playbook.scope import describe

PAGE_FOLDERS = {
    "layer": "layers", "group_type": "group-types", "rules": "rules", "script": "scripts",
    "calendar": "calendars", "pack": "packs", "operator": "operators",
}
"""Kind of page -> its folder in the handbook."""

SECOND_LOCALE = "en"
"""Shown under the default language wherever the content has it."""


class Book:
    """The project as page templates read it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.playbook = project.playbook
        self.locale = project.playbook.locales[0]
        self._roles = {r.id: r for r in project.playbook.roles}
        self._metrics = {m.id: m for m in project.playbook.metrics}
        self._classes = {f"{d.id}:{v.id}": f"{text_in(d.name, self.locale, self.locale)}："
                                           f"{text_in(v.name, self.locale, self.locale)}"
                         for d in project.playbook.classification.dimensions for v in d.values}
        self.layers: list[Layer] = sorted(project.playbook.layers, key=lambda layer: layer.rank)
        self.group_types: list[GroupType] = list(project.playbook.group_types)
        self.operators = {o.id: o for o in project.playbook.operators}

    # --- text -------------------------------------------------------------------------
    def t(self, value: str | dict[str, str] | None) -> str:
        """A text in the handbook's language (the playbook's first locale)."""
        return "" if value is None else text_in(value, self.locale, self.locale)

    def en(self, value: str | dict[str, str] | None) -> str:
        """The English version of a text, when it has one and it is not the main language."""
        if isinstance(value, dict) and self.locale != SECOND_LOCALE:
            return value.get(SECOND_LOCALE, "")
        return ""

    def both(self, value: str | dict[str, str] | None) -> Markup:
        """A text in the main language, with its English version on a line below."""
        main, second = md(self.t(value)), self.en(value)
        if not second:
            return main
        # the space keeps the search index from running the two languages together
        return main + Markup(' <br><span class="pb-en" lang="en">') + md(second) + Markup("</span>")

    # --- labels -----------------------------------------------------------------------
    def label(self, kind: str, value: str | None) -> str:
        """The display label of an enum value (`group_message` -> 群消息) in the handbook's
        language; see `labels.LABELS` for the kinds."""
        return labels.label(kind, value, self.locale)

    def labels(self, kind: str, values: Iterable[str]) -> list[str]:
        return [self.label(kind, v) for v in values]

    def repeat(self, rule: str | None) -> Markup:
        """A recurrence in words (每周一、三、五); a rule it cannot say is shown as code."""
        if rule is None:
            return Markup("")
        words = labels.recurrence(rule)
        return md(words) if words is not None else Markup("<code>") + html(rule) + Markup("</code>")

    def offset(self, text: str | None) -> str:
        """An offset in words (`D-1 20:00` -> 前一天 20:00)."""
        return labels.offset(text)

    def duration(self, text: str | None) -> str:
        """A duration in words (`3d` -> 3 天)."""
        return labels.offset(f"+{text}").removesuffix("后") if text else ""

    def scope(self, scope: Any, linker: Any = None) -> Markup:
        """Who a document applies to, by display name (linked when `linker` is given):
        group types, layers and roster groups, then what narrows them (classes, fields, tags);
        所有群 when it names none."""
        names: list[Any] = []
        for type_id in scope.all_types:
            t = self.group_type(type_id)
            title = self.t(t.name) if t is not None else type_id
            known = linker is not None and t is not None
            names.append(linker("group_type", type_id, title) if known else title)
        for layer_id in scope.layers:
            layer = self.layer(layer_id)
            title = self.t(layer.name) if layer is not None else layer_id
            known = linker is not None and layer is not None
            names.append(linker("layer", layer_id, title) if known else title)
        groups = self.project.groups
        names += [groups[g].name if g in groups else g for g in scope.groups]
        named = joined(names) if names else Markup("所有群")
        only = describe(scope.model_copy(update={"types": [], "group_types": [], "layers": [], "groups": []}))
        return named + Markup("（仅限 ") + md(only) + Markup("）") if only != "all groups" else named

    def reward_name(self, chain: list[tuple[str, GroupRules]], reward_id: str | None) -> str:
        """The name of a reward a rule set of `chain` declares (its id when none does)."""
        if reward_id is None:
            return ""
        found = next((r for _, doc in chain for r in doc.rewards if r.id == reward_id), None)
        return self.t(found.name) if found is not None else reward_id

    def operator_name(self, operator_id: str) -> str:
        op = self.operators.get(operator_id)
        return op.name if op is not None else operator_id

    # --- look-ups ---------------------------------------------------------------------
    def role(self, role_id: str | None) -> str:
        """The name of a role (its id when it is not declared)."""
        if role_id is None:
            return ""
        role = self._roles.get(role_id)
        return self.t(role.name) if role is not None else role_id

    def metric_name(self, metric_id: str) -> str:
        metric = self._metrics.get(metric_id)
        return self.t(metric.name) if metric is not None else metric_id

    def metric(self, target: MetricTarget | None) -> str:
        """A metric with its target, e.g. `跳失率 · ≤ 40%`."""
        if target is None:
            return ""
        name = self.metric_name(target.metric)
        return f"{name} · {target.target}" if target.target else name

    def unit(self, metric_id: str) -> str:
        metric = self._metrics.get(metric_id)
        return (metric.unit or "") if metric is not None else ""

    def class_name(self, ref: str) -> str:
        """A `dimension:value` class as `身份类型：实体店主`."""
        return self._classes.get(ref, ref)

    def class_names(self, refs: Iterable[str]) -> list[str]:
        return [self.class_name(r) for r in refs]

    def layer(self, layer_id: str | None) -> Layer | None:
        return next((layer for layer in self.layers if layer.id == layer_id), None)

    def group_type(self, type_id: str) -> GroupType | None:
        return next((t for t in self.group_types if t.id == type_id), None)

    def types_in_layer(self, layer_id: str) -> list[GroupType]:
        return [t for t in self.group_types if t.layer == layer_id]

    def rule_chain(self, rules_id: str) -> list[tuple[str, GroupRules]]:
        """The rule set and the sets it extends, the most basic first (stops at a cycle)."""
        chain: list[tuple[str, GroupRules]] = []
        current: str | None = rules_id
        while current is not None and current in self.project.rules \
                and current not in [c for c, _ in chain]:
            chain.append((current, self.project.rules[current]))
            current = self.project.rules[current].extends
        return chain[::-1]

    def sorted_docs(self, table: str) -> list[tuple[str, Any]]:
        """(id, document) of `rules`, `scripts`, `calendars` or `packs`, by id."""
        docs = getattr(self.project, table)
        return [(doc_id, docs[doc_id]) for doc_id in sorted(docs)]


def page_path(kind: str, ident: str) -> str:
    """Where the page of a document (or layer, group type, operator) lives in the docs."""
    return f"{PAGE_FOLDERS[kind]}/{ident}.md"


class Linker:
    """Links from one page to others, relative to it (the strict build checks each)."""

    def __init__(self, here: str) -> None:
        self.here = here

    def rel(self, target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(self.here) or ".")

    def __call__(self, kind: str, ident: str, title: Any = None) -> Markup:
        """A link to the page of `kind` `ident`, titled `title` (default: the id)."""
        return link(ident if title is None else title, self.rel(page_path(kind, ident)))

    def to(self, target: str, title: Any) -> Markup:
        """A link to a docs file by its path from the docs root."""
        return link(title, self.rel(target))

    def url(self, target: str) -> str:
        """The built URL of a docs page, relative to this page (for raw HTML links)."""
        rel = self.rel(target)
        return rel[:-3] + ".html" if rel.endswith(".md") else rel


def joined(values: Iterable[Any], sep: str = "、") -> Markup:
    """Escaped values joined with a separator (Markup values kept as they are)."""
    return Markup(sep).join(md(v) for v in values)
