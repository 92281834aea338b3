"""The handbook's navigation, bounded: a section too long to list whole is split into
sub-sections, so that with the theme's `navigation.prune` a page carries the section titles,
one link per sub-section and the entries of its own sub-section only, never every page.

Without this, every page of a large playbook listed all of its pages: on 2,000 groups a
section of 2,000 material packs made each page's HTML grow with the number of pages, MkDocs'
time and memory with its square, and a phone's drawer useless. Each section is split by what
an operator looks for in it (`Shelf`): material packs by launch month (launches are planned by
date), onboarding scripts by trigger (when the script runs), rules and calendars by the group
type they apply to (an operator runs groups of a type). A sub-section still too long is cut
into numbered parts in the same order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playbook.handbook.book import Book

LIMIT = 40
"""Most entries one list of the navigation shows: a section with more is split."""

Entry = tuple[str, str]
"""(title, docs path) of one page."""
NavItem = tuple[str, "str | list[Entry]"]
"""A page (title, path) or a sub-section (title, [(title, path)])."""


@dataclass(frozen=True)
class Shelf:
    """The sub-section a page goes in when its section is split: pages are ordered by `order`
    (stable, so equal keys keep the section's order) and grouped under `title`."""

    order: str = ""
    title: str = ""


def bounded(entries: list[tuple[str, str, Shelf]]) -> list[NavItem]:
    """The items of one section: its pages as they are when there are at most `LIMIT`, else
    sub-sections of at most `LIMIT` pages each, by shelf (a shelf with more cut into numbered
    parts of even size). With a page on no shelf or more than `LIMIT` shelves, the pages in
    their order cut into even runs, each titled by its first and last page."""
    if len(entries) <= LIMIT:
        return [(title, path) for title, path, _ in entries]
    shelves: dict[str, list[Entry]] = {}
    for title, path, shelf in sorted(entries, key=lambda entry: entry[2].order):
        shelves.setdefault(shelf.title, []).append((title, path))
    if len(shelves) > LIMIT or "" in shelves:
        return [(f"{run[0][0]} – {run[-1][0]}", run)
                for run in runs([(title, path) for title, path, _ in entries])]
    items: list[NavItem] = []
    for name, pages in shelves.items():
        parts = runs(pages)
        items += [(name if len(parts) == 1 else f"{name}（{n}/{len(parts)}）", part)
                  for n, part in enumerate(parts, start=1)]
    return items


def runs(pages: list[Entry]) -> list[list[Entry]]:
    """`pages` cut into the fewest runs of at most `LIMIT`, as even as can be (41 pages make
    runs of 21 and 20, not 40 and 1)."""
    count = -(-len(pages) // LIMIT)
    size, extra = divmod(len(pages), count)
    cut: list[list[Entry]] = []
    for n in range(count):
        start = n * size + min(n, extra)
        cut.append(pages[start:start + size + (n < extra)])
    return cut


def scope_types(book: Book, scope: Any) -> set[str]:
    """The group types a scope reaches: named, in a named layer, or of a named group."""
    if not (scope.all_types or scope.layers or scope.groups):
        return {t.id for t in book.group_types}
    found = set(scope.all_types) | {t.id for t in book.group_types if t.layer in scope.layers}
    return found | {book.project.groups[g].type for g in scope.groups if g in book.project.groups}


def type_shelf(book: Book, scope: Any) -> Shelf:
    """Rules and calendars: the one group type they apply to, else 多个群类型 (some types) or
    全部群类型 (every type) after the types, in the playbook's order of types."""
    reached = scope_types(book, scope)
    types = [t for t in book.group_types if t.id in reached]
    if len(types) == 1:
        return Shelf(f"{book.group_types.index(types[0]):04d}", book.t(types[0].name))
    if len(types) < len(book.group_types):
        return Shelf("9998", "多个群类型")
    return Shelf("9999", "全部群类型")


TRIGGERS = ("before_group", "on_join", "programme", "funnel")
"""Onboarding scripts' triggers in the schema's order."""


def trigger_shelf(book: Book, kind: str) -> Shelf:
    """Onboarding scripts: their trigger, in `TRIGGERS` order."""
    rank = TRIGGERS.index(kind) if kind in TRIGGERS else len(TRIGGERS)
    return Shelf(f"{rank:02d}{kind}", book.label("trigger", kind))


def launch_shelf(pack: Any) -> Shelf:
    """Material packs: the month of their launch, in launch order."""
    return Shelf(pack.launch.at.isoformat(), pack.launch.at.strftime("%Y-%m"))
