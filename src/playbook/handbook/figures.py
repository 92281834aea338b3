"""The handbook's figures as plain HTML blocks (styled by handbook.css, no scripts): the
layer pyramid, the funnel, the weekly grid and a launch's timeline. Every text is HTML-escaped here; the
Markdown renderer passes a block-level HTML element through untouched."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from playbook.handbook.escape import html, url_path


@dataclass(frozen=True)
class Tier:
    """One level of the pyramid: its label, a line under it and the page it links to."""

    label: str
    note: str
    href: str


def pyramid(tiers: Sequence[Tier]) -> Markup:
    """The layers top first, each narrower than the one below it."""
    count = max(len(tiers), 1)
    rows = []
    for i, tier in enumerate(tiers):
        width = round(40 + 60 * (i + 1) / count) if count > 1 else 100
        rows.append(f'<a class="pb-tier" style="width:{width}%" href="{url_path(tier.href)}">'
                    f'<strong>{html(tier.label)}</strong><span>{html(tier.note)}</span></a>')
    return Markup('<div class="pb-figure pb-pyramid" role="figure" aria-label="pyramid">'
                  + "".join(rows) + "</div>")


@dataclass(frozen=True)
class FunnelStep:
    """One step of a funnel: its name and the metric that watches it."""

    label: str
    metric: str


def funnel(steps: Sequence[FunnelStep]) -> Markup:
    """The steps top first, each narrower than the one before."""
    count = max(len(steps), 1)
    rows = []
    for i, step in enumerate(steps):
        width = round(100 - 55 * i / max(count - 1, 1)) if count > 1 else 100
        rows.append(f'<div class="pb-stage" style="width:{width}%"><strong>{html(step.label)}</strong>'
                    f'<span>{html(step.metric)}</span></div>')
    return Markup('<div class="pb-figure pb-funnel" role="figure" aria-label="funnel">'
                  + "".join(rows) + "</div>")


@dataclass(frozen=True)
class GridEntry:
    """What happens at one time on one weekday."""

    label: str
    kind: str
    """A CSS-friendly kind: slot, event, announcement, game."""


def week_grid(days: Sequence[str], times: Sequence[str],
              cells: dict[tuple[str, int], list[GridEntry]]) -> Markup:
    """A weekday × time table; `cells[(time, weekday index)]` lists what happens then. It
    scrolls inside its own box on a narrow screen."""
    head = "".join(f"<th>{html(d)}</th>" for d in days)
    body = []
    for time in times:
        tds = []
        for day in range(len(days)):
            items = cells.get((time, day), [])
            tds.append("<td>" + "".join(f'<span class="pb-entry pb-{html(e.kind)}">{html(e.label)}</span>'
                                        for e in items) + "</td>")
        body.append(f"<tr><th>{html(time)}</th>{''.join(tds)}</tr>")
    return Markup('<div class="pb-figure pb-week"><table class="pb-week-grid"><thead><tr><th></th>'
                  f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


@dataclass(frozen=True)
class LaunchMark:
    """One step of a launch on its timeline: when it goes out, its phase in words, how far
    from the launch, and what is posted with it."""

    when: str
    label: str
    offset: str
    note: str
    phase: str
    """The phase id, only for the colour of its dot (reduced to a CSS-safe class)."""


def launch_line(marks: Sequence[LaunchMark]) -> Markup:
    """A launch at a glance, top to bottom (warm-up → launch → battle reports → closing): a
    vertical line with one dot per step, coloured by phase, above the step's message cards.
    A list, so it wraps on a phone and prints as plain lines."""
    if not marks:
        return Markup("")
    rows = []
    for mark in marks:
        phase = re.sub(r"[^a-z0-9_-]", "", mark.phase.lower())
        extra = "".join(f'<span class="pb-mark-{part}">{html(text)}</span>'
                        for part, text in (("offset", mark.offset), ("note", mark.note)) if text)
        rows.append(f'<li class="pb-mark{" pb-" + phase if phase else ""}"><span class="pb-mark-when">'
                    f"{html(mark.when)}</span><strong>{html(mark.label)}</strong>{extra}</li>")
    return Markup('<div class="pb-figure pb-launch-line" role="figure" aria-label="上线时间线"><ol>'
                  + "".join(rows) + "</ol></div>")
