"""`replies.md`: the texts that answer events rather than a clock, readable by the person who
sets up the bot or answers by hand: per group type and platform, the welcome and other
triggered replies, keyword replies, newcomer FAQ answers, the group announcement and the
escalation texts. replies.json holds the same replies per group for tools.

Within a section, a reply whose text is the same in every group is shown once; one that
differs (it names the group, say) is shown per group. Texts sit in fences (`runsheet.fence`)
and names are inert Markdown, as in the run sheets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from playbook import inert
from playbook.exporters.base import Selection
from playbook.exporters.runsheet import fence
from playbook.messages.replies import Reply, ReplySet
from playbook.models.rules import GroupRules
from playbook.scope import groups_in

FILE = "replies.md"
TRIGGER_TITLES = {
    "before_group": "Before the group opens", "on_join": "When a member joins",
    "funnel": "When a lead adds the account", "member_joined": "Programme from a member's join",
    "keyword": "Keyword replies",
}
LISTS = ("required", "forbidden", "encouraged", "rewards")


def _fenced(text: str) -> list[str]:
    body = inert.printable(text)
    mark = fence(body)
    return [f"{mark}text", body, mark, ""]


def _reply_lines(replies: list[tuple[ReplySet, Reply]], sel: Selection) -> list[str]:
    md, code = inert.markdown_inline, inert.code_span
    first = replies[0][1]
    when = f"keywords {', '.join(code(k) for k in first.keywords)}" if first.keywords \
        else f"at {code(first.offset or '+0m')}"
    who = sel.role_name(first.sender, replies[0][0].locale) or "the bot"
    lines = [f"#### {code(first.item_id)} · {when} · {first.channel} · from {md(who)}", ""]
    for a in first.attachments:
        lines.append(f"- attach {code(a.path)} ({a.media_kind})")
    if first.attachments:
        lines.append("")
    texts = {r.text for _, r in replies}
    if len(texts) == 1:
        return lines + _fenced(first.text)
    for s, r in replies:
        lines += [f"In {md(s.group_name)} ({code(s.group)}):", "", *_fenced(r.text)]
    return lines


def _rule_chain(sel: Selection, rules_id: str) -> list[GroupRules]:
    """A rule set and the sets it extends, the most basic first (stops at a cycle)."""
    chain: list[tuple[str, GroupRules]] = []
    current: str | None = rules_id
    while current is not None and current in sel.project.rules and current not in [c for c, _ in chain]:
        chain.append((current, sel.project.rules[current]))
        current = sel.project.rules[current].extends
    return [r for _, r in chain[::-1]]


def _announcement(chain: list[GroupRules], sel: Selection, locale: str) -> str:
    ann = chain[-1].announcement
    assert ann is not None
    lines = [sel.text(ann.intro, locale), ""]
    for part in ann.include:
        items = [f"{sel.text(r.name, locale)} ({sel.text(r.criteria, locale)})" if part == "rewards"
                 else sel.text(r.text, locale) for doc in chain for r in getattr(doc, part)]
        if items:
            lines += [f"{part.capitalize()}:", *(f"{n}. {t}" for n, t in enumerate(items, start=1)), ""]
    if ann.outro is not None:
        lines.append(sel.text(ann.outro, locale))
    return "\n".join(lines).strip()


def _standing(sel: Selection, groups: set[str], locale: str) -> list[str]:
    """FAQ answers, announcements and escalation texts of the documents reaching `groups`."""
    md, code = inert.markdown_inline, inert.code_span
    lines: list[str] = []
    for sid, script in sorted(sel.project.scripts.items()):
        if not groups & set(groups_in(sel.project, script.applies_to)):
            continue
        for step in script.steps:
            if step.faq:
                lines += [f"### FAQ: {md(sel.text(step.name, locale))} ({code(sid)} / {code(step.id)})", ""]
                for q in step.faq:
                    lines += [f"**Q:** {md(sel.text(q.question, locale))}", "",
                              *_fenced(sel.text(q.answer, locale))]
    for rid, rules in sorted(sel.project.rules.items()):
        if not groups & set(groups_in(sel.project, rules.applies_to)):
            continue
        if rules.announcement is not None:
            lines += [f"### Group announcement ({code(rid)})", "",
                      *_fenced(_announcement(_rule_chain(sel, rid), sel, locale))]
        for rung in rules.escalation:
            if rung.message is None:
                continue
            extra = f" ({rung.duration})" if rung.duration else ""
            lines += [f"### Escalation ({code(rid)}): violation {rung.after} · {rung.action}{extra} "
                      f"by {md(sel.role_name(rung.enforcer, locale))}", "",
                      *_fenced(sel.text(rung.message, locale))]
    return lines


def document(sel: Selection) -> str:
    md, code = inert.markdown_inline, inert.code_span
    sections: dict[tuple[str, str], list[ReplySet]] = defaultdict(list)
    for s in sel.replies:
        sections[(sel.project.groups[s.group].type, s.platform)].append(s)
    lines = [f"# {md(sel.title)} · replies and standing texts", "",
             "What answers an event rather than a clock (a member joining, a keyword, a violation), "
             "per group type and platform. Tools read the same replies per group in replies.json.", ""]
    if not sections:
        lines += ["_(no group open in this range)_", ""]
    types = {t.id: t for t in sel.project.playbook.group_types}
    for (type_id, platform), sets in sorted(sections.items()):
        locale = sets[0].locale
        name = sel.text(types[type_id].name, locale) if type_id in types else type_id
        lines += [f"## {md(name)} ({code(type_id)}) · {code(platform)}", "",
                  "Groups: " + ", ".join(f"{md(s.group_name)} ({code(s.group)})" for s in sets), ""]
        placeholders = dict(p for s in sets for p in s.placeholders)
        if placeholders:
            lines += ["Placeholders: " + ", ".join(f"{code(t)} stands for {code(m)}"
                                                   for t, m in sorted(placeholders.items())), ""]
        by_item: dict[tuple[str, object], list[tuple[ReplySet, Reply]]] = defaultdict(list)
        for s in sets:
            for r in s.replies:
                by_item[(r.trigger, r.source)].append((s, r))
        trigger = ""
        for (this, _), replies in by_item.items():
            if this != trigger:
                trigger = this
                lines += [f"### {TRIGGER_TITLES.get(this, this)}", ""]
            lines += _reply_lines(replies, sel)
        lines += _standing(sel, {s.group for s in sets}, locale)
    return "\n".join(lines).rstrip("\n") + "\n"


def export(sel: Selection) -> Iterator[tuple[str, bytes]]:
    yield FILE, document(sel).encode("utf-8")


__all__ = ["FILE", "document", "export"]
