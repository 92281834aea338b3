"""Message cards: how the handbook shows anything an operator posts (calendar slots and
events, launch steps, script steps, an operator's day). A card says when, what, who sends
it, where and in which form, the files that go with it, and holds the exact text in a code
block, which the theme gives a copy button and which wraps instead of scrolling sideways.

Cards are raw HTML on one line (line breaks in the text become `&#10;`), so the Markdown
renderer passes them through untouched and blank lines in a message cannot end the block.
Every text is HTML-escaped here. A preview's variables arrive as `placeholder` markers and
become visible chips (〔成员昵称〕), so a preview is never mistaken for a real message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from playbook.handbook.escape import html, url_path

OPEN, CLOSE = "\ue000", "\ue001"
"""Private-use characters around a variable's name in a preview's rendered text."""
_MARKER = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")


def placeholder(name: str) -> str:
    """The marker a preview renders in place of the variable `name` (e.g. 成员昵称)."""
    return f"{OPEN}{name}{CLOSE}"


@dataclass(frozen=True)
class CardText:
    """One exact text of a card and the groups that get it (none for a preview)."""

    text: str
    groups: tuple[str, ...] = ()
    tick: str = ""
    """The key its tick box keeps in the browser's localStorage; no tick box when empty."""
    variant: str = ""
    """Which of the item's text variants this is (`variants[].id`), when it has variants."""


@dataclass(frozen=True)
class CardFile:
    """A file that goes with a message: a thumbnail when it is a picture in the site."""

    name: str
    href: str = ""
    """Its URL relative to the page; empty when the site does not carry it."""
    image: bool = False


@dataclass(frozen=True)
class Card:
    """One thing to post."""

    when: str
    title: str
    facts: tuple[tuple[str, str], ...] = ()
    """(label, value) pairs: 渠道, 形式, 发送, 指标 …; empty values are left out."""
    texts: tuple[CardText, ...] = ()
    files: tuple[CardFile, ...] = ()
    note: str = ""
    """A line under the title, e.g. that the text is shown with sample values."""
    kind: str = ""
    """A CSS-friendly kind (a launch phase, `slot`, `event` …) for the card's accent."""
    secondary: str = ""
    """A second line of the header, e.g. the offset from the launch."""


def _code(text: str) -> str:
    body = _MARKER.sub(lambda m: f'<span class="pb-var">〔{m.group(1)}〕</span>', str(html(text)))
    return body.replace("\r\n", "\n").replace("\n", "&#10;")


def _text(item: CardText) -> str:
    head = ""
    if item.groups or item.tick or item.variant:
        tick = (
            (
                f'<label class="pb-tick"><input type="checkbox" data-pb-tick="{html(item.tick)}">'
                "<span>已发</span></label>"
            )
            if item.tick
            else ""
        )
        groups = "、".join(str(html(g)) for g in item.groups)
        name = f'<span class="pb-variant-name">文案 {html(item.variant)}</span>' if item.variant else ""
        head = f'<div class="pb-variant-head"><span class="pb-groups">{groups}</span>{name}{tick}</div>'
    body = (
        f"<pre><code>{_code(item.text)}</code></pre>"
        if item.text
        else '<p class="pb-empty">（没有文字，只发附件或按提示操作）</p>'
    )
    return f'<div class="pb-variant">{head}{body}</div>'


def _file(item: CardFile) -> str:
    name = html(item.name)
    if item.href and item.image:
        return (
            f'<a class="pb-thumb" href="{url_path(item.href)}"><img src="{url_path(item.href)}" '
            f'alt="{name}" loading="lazy"><span>{name}</span></a>'
        )
    if item.href:
        return f'<a class="pb-file" href="{url_path(item.href)}">{name}</a>'
    return f'<span class="pb-file">{name}</span>'


def card(item: Card) -> str:
    """One card as HTML (escaped)."""
    kind = re.sub(r"[^a-z0-9_-]", "", item.kind.lower())
    facts = "".join(f"<li><span>{html(k)}</span> {html(v)}</li>" for k, v in item.facts if v)
    parts = [
        f'<div class="pb-card{" pb-" + kind if kind else ""}">',
        f'<div class="pb-card-head"><span class="pb-when">{html(item.when)}</span>'
        f'<strong class="pb-title">{html(item.title)}</strong></div>',
    ]
    if item.secondary:
        parts.append(f'<div class="pb-secondary">{html(item.secondary)}</div>')
    if facts:
        parts.append(f'<ul class="pb-facts">{facts}</ul>')
    if item.note:
        parts.append(f'<p class="pb-note">{html(item.note)}</p>')
    parts += [_text(t) for t in item.texts]
    if item.files:
        parts.append('<div class="pb-files">' + "".join(_file(f) for f in item.files) + "</div>")
    parts.append("</div>")
    return "".join(parts)


def cards(items: Sequence[Card], *, timeline: bool = False) -> Markup:
    """Cards stacked on a phone and in columns on a desktop; a vertical timeline when
    `timeline` (a launch: warm-up → launch → battle reports → closing)."""
    if not items:
        return Markup("")
    kind = "pb-timeline" if timeline else "pb-cards"
    return Markup(f'<div class="{kind}">' + "".join(card(i) for i in items) + "</div>")


__all__ = ["Card", "CardFile", "CardText", "card", "cards", "placeholder"]
