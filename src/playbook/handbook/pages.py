"""Project -> the handbook's Markdown pages and navigation, each page rendered from its
template in the sandbox. Pure: nothing here reads or writes files except through the
template loader."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from playbook import __version__
from playbook.handbook import figures, postings, views
from playbook.handbook.book import Book, Linker, joined, page_path
from playbook.handbook.cards import cards
from playbook.handbook.environment import page_environment
from playbook.handbook.escape import Markup, external, fence, url_path
from playbook.handbook.nav import (
    NavItem,
    Shelf,
    bounded,
    launch_shelf,
    scope_types,
    trigger_shelf,
    type_shelf,
)
from playbook.handbook.progress import QUIET, Progress
from playbook.handbook.reference import models
from playbook.handbook.stages import stage_cells
from playbook.lifecycle.holidays import with_public_holidays
from playbook.lint import catalogue
from playbook.messages.compose import Message
from playbook.models.project import Project
from playbook.schedule import launch_moments
from playbook.scope import groups_in

SECTIONS = ("分层", "群类型", "群规", "入群流程", "活动日历", "爆品素材包", "运营", "参考")
"""Navigation sections, in order (the home page comes first, outside any section)."""


@dataclass(frozen=True)
class Page:
    """One handbook page: where it lives, its template, its nav title and section."""

    path: str
    template: str
    title: str
    section: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    shelf: Shelf = field(default_factory=Shelf)
    """Its sub-section when its section is too long to list whole (see `nav`)."""


@dataclass(frozen=True)
class Handbook:
    """The rendered pages (docs path -> Markdown) and the navigation that orders them."""

    pages: dict[str, str]
    nav: list[tuple[str, list[NavItem]]]
    """(section, [(title, path) or (sub-section, [(title, path)])]); the section '' holds the
    home page."""


def plan(book: Book, day: dt.date, messages: list[Message],
         downloads: Mapping[str, list[str]] | None = None) -> list[Page]:
    """Every page of the handbook with what its template needs."""
    project = book.project
    preview = views.Previewer(book)
    monday, sunday = views.week_of(day)
    entries = views.merged(book, messages)
    pages = [Page("index.md", "home.md.j2", "首页", "", {
        "day": day, "monday": monday, "sunday": sunday,
        "today": [e for e in entries if e.at.date() == day],
        "week": views.by_day(entries, monday),
    })]
    pages += [Page(page_path("layer", layer.id), "layer.md.j2", book.t(layer.name), "分层",
                   {"layer": layer}) for layer in book.layers]
    pages += [Page(page_path("group_type", t.id), "group-type.md.j2", book.t(t.name), "群类型", {
        "type": t, "groups": [g for g in project.groups.values() if g.type == t.id],
        "stages": stage_cells(book, (g for g in project.groups.values() if g.type == t.id), day),
        "rules": [i for i, r in book.sorted_docs("rules") if t.id in scope_types(book, r.applies_to)],
        "scripts": [i for i, s in book.sorted_docs("scripts") if t.id in scope_types(book, s.applies_to)],
        "calendars": [i for i, c in book.sorted_docs("calendars") if t.id in scope_types(book, c.applies_to)],
    }) for t in book.group_types]
    for rules_id, rules in book.sorted_docs("rules"):
        chain = book.rule_chain(rules_id)
        pages.append(Page(page_path("rules", rules_id), "rules.md.j2", book.t(rules.title), "群规", {
            "id": rules_id, "rules": rules, "chain": chain,
            "announcement": views.announcement(book, chain, book.locale),
            "announcement_en": views.announcement(book, chain, "en")
            if book.locale != "en" and views.has_locale(rules, "en") else "",
        }, type_shelf(book, rules.applies_to)))
    media = postings.media_paths(project)
    for script_id, script in book.sorted_docs("scripts"):
        sample = preview.sample_type(script.applies_to.group_types)
        here, doc = page_path("script", script_id), project.paths[("OnboardingScript", script_id)]
        post = postings.Poster(book, here, media)
        pages.append(Page(here, "script.md.j2", book.t(script.title), "入群流程", {
            "id": script_id, "script": script,
            "steps": [cards([post.step(s, preview("OnboardingScript", s, trigger=script.trigger.kind,
                                                  group_type=sample), doc)]) for s in script.steps],
        }, trigger_shelf(book, script.trigger.kind)))
    for cal_id, cal in book.sorted_docs("calendars"):
        cal = with_public_holidays(project, cal)  # the playbook's holidays it follows, shown as its own
        sample = preview.sample_type(cal.applies_to.group_types)
        here, doc = page_path("calendar", cal_id), project.paths[("ActivityCalendar", cal_id)]
        post = postings.Poster(book, here, media)
        first, _ = views.shown_week(cal, day)
        times, cells = views.week_cells(book, cal, first)
        daily = sorted(cal.daily, key=lambda slot: slot.at)
        pages.append(Page(here, "calendar.md.j2", book.t(cal.title), "活动日历", {
            "id": cal_id, "cal": cal, "week_start": first,
            "grid": figures.week_grid(views.day_labels(book, cal, first), times, cells),
            "daily": cards([post.slot(cal, s, preview("ActivityCalendar", s, group_type=sample,
                                                      pack=project.packs.get(s.pack or "")), doc)
                            for s in daily]),
            "weekly": [(e, cards(post.event(
                e, preview("ActivityCalendar", e, group_type=sample, event=e),
                preview("ActivityCalendar", e.announce, group_type=sample, event=e) if e.announce else None,
                doc)))
                for e in cal.weekly],
            "games": [(g, cards([post.game(g, preview("ActivityCalendar", g, group_type=sample), doc)]))
                      for g in cal.games],
            "replies": cards([post.reply(r, preview("ActivityCalendar", r, group_type=sample), doc)
                              for r in cal.keyword_replies]),
            "skipped": views.skipped_names(book, cal),
        }, type_shelf(book, cal.applies_to)))
    for pack_id, pack in book.sorted_docs("packs"):
        here, doc = page_path("pack", pack_id), project.paths[("MaterialPack", pack_id)]
        post = postings.Poster(book, here, media)
        moments = launch_moments(project, pack)
        steps = [post.launch(pack, s, m, preview("MaterialPack", s, pack=pack), doc)
                 for s, m in zip(pack.timeline, moments, strict=True)]
        pages.append(Page(here, "pack.md.j2", book.t(pack.title), "爆品素材包", {
            "id": pack_id, "pack": pack, "media_folder": f"{pack_id}",
            "source_folder": doc.rpartition("/")[0],
            "launch_line": figures.launch_line([figures.LaunchMark(
                c.when, c.title, c.secondary, dict(c.facts).get("素材", ""), c.kind) for c in steps]),
            "timeline": cards(steps, timeline=True),
            "audience": groups_in(project, pack.launch.audience),
        }, launch_shelf(pack)))
    by_operator: dict[str, list[Message]] = {}  # one pass: L has 60 operators and 100,000 messages
    for message in messages:
        by_operator.setdefault(message.operator, []).append(message)
    for op in book.operators.values():
        here = page_path("operator", op.id)
        post = postings.Poster(book, here, media)
        mine = views.merged(book, by_operator.get(op.id, []))
        runsheets = {name.rsplit("/", 1)[-1].removesuffix(".md"): href
                     for name, href in _downloads(op.id, downloads) if name.startswith("md/")}
        week = [(d, name, cards([post.entry(e, f"{op.id}:") for e in items]),
                 runsheets.get(d.isoformat(), "")) for d, name, items in views.by_day(mine, monday)]
        pages.append(Page(here, "operator.md.j2", op.name, "运营", {
            "operator": op, "groups": [g for g in project.groups.values() if g.operator == op.id],
            "stages": stage_cells(book, (g for g in project.groups.values() if g.operator == op.id), day),
            "monday": monday, "sunday": sunday, "day": day,
            "today": next((w for w in week if w[0] == day), None),
            "rest": [w for w in week if w[0] != day],
            "downloads": _downloads(op.id, downloads),
        }))
    pages += [
        Page("reference/lint-rules.md", "lint-rules.md.j2", "检查规则 Lint rules", "参考",
             {"rules_markdown": Markup(_demoted(catalogue.markdown()))}),
        Page("reference/fields.md", "fields.md.j2", "字段参考 Field reference", "参考",
             {"models": models(), "group_fields": project.playbook.group_fields}),
        Page("reference/changelog.md", "changelog.md.j2", "版本记录 Changelog", "参考",
             {"documents": project.documents(), "tool_version": __version__}),
    ]
    return pages


def _downloads(operator: str, downloads: Mapping[str, list[str]] | None) -> list[tuple[str, str]]:
    """(name, href from the operator's page) of the operator's run sheets and calendar."""
    return [(name, f"../bundles/{operator}/{name}") for name in (downloads or {}).get(operator, [])
            if name.startswith(("md/", "ics/")) and "/groups/" not in name]


def _demoted(text: str) -> str:
    """The lint reference without its own title (the page template gives one), its text
    literal: outside code spans, `<` and `&` are escaped, so PB015's `packs/<id>/pack.yaml`
    reads as written instead of `<id>` becoming an element (trusted text is escaped too)."""
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    parts = re.split(r"((`+)(?:(?!\n\n).)+?\2)", body, flags=re.S)
    kept = [part if n % 3 == 1 else part.replace("&", "&amp;").replace("<", "&lt;")
            for n, part in enumerate(parts) if n % 3 != 2]
    return "".join(kept)


def compile_pages(project: Project, day: dt.date, messages: list[Message],
                  downloads: Mapping[str, list[str]] | None = None, progress: Progress = QUIET) -> Handbook:
    """Render every page of the handbook of `project` as of `day`."""
    book = Book(project)
    env = page_environment(project.root)
    rendered: dict[str, str] = {}
    nav: dict[str, list[tuple[str, str, Shelf]]] = {"": []}
    nav.update({s: [] for s in SECTIONS})
    planned = plan(book, day, messages, downloads)
    for done, page in enumerate(planned, start=1):
        progress.pages(done, len(planned))
        linker = Linker(page.path)
        template = env.get_template(page.template)
        text = template.render(book=book, link=linker, joined=joined, fence=fence, url_path=url_path,
                               external=external, page=page, **page.context, **_figures(book, linker))
        rendered[page.path] = tidy(text)
        nav[page.section].append((page.title, page.path, page.shelf))
    return Handbook(rendered, [(s, bounded(items)) for s, items in nav.items() if items])


def tidy(text: str) -> str:
    """Runs of blank lines outside fenced code collapsed to one (templates leave many)."""
    lines: list[str] = []
    fence: str | None = None
    for line in text.strip().split("\n"):
        marker = re.match(r"^(`{3,})", line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = marker.group(1) if fence is None else None
        elif fence is None and not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line.rstrip() if fence is None else line)
    return "\n".join(lines) + "\n"


def _figures(book: Book, linker: Linker) -> dict[str, Callable[..., Any]]:
    def pyramid() -> Markup:
        return figures.pyramid([figures.Tier(book.t(layer.name), book.t(layer.goal),
                                             linker.url(page_path("layer", layer.id)))
                                for layer in book.layers])

    def funnel(steps: list[Any]) -> Markup:
        return figures.funnel([figures.FunnelStep(book.t(s.name), book.metric(s.metric)) for s in steps])

    return {"pyramid": pyramid, "funnel": funnel}
