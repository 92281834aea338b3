"""Compliance (PB7xx): wording that mainland-China advertising law forbids, allowlist entries
that do not say why, and personal data (phone numbers, ID numbers) written into content.

The claims are data (data/advertising_terms.yaml, each family with its article of the
Advertising Law), matched in context by `lint/advertising.py`; a playbook lets a phrase through
under `settings.advertising_allow`, with a reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from pydantic import BaseModel

from playbook.diagnostics import Severity
from playbook.lint.advertising import claims_in
from playbook.lint.messages import Body, Message, contents
from playbook.lint.registry import Finding, rule
from playbook.models.packs import MaterialPack
from playbook.models.project import Project
from playbook.source import join


def _snippet(text: str, start: int, length: int, around: int = 6) -> str:
    left, right = max(0, start - around), min(len(text), start + length + around)
    return ("…" if left else "") + text[left:right].replace("\n", " ") + ("…" if right < len(text) else "")


def _pack_copy(pack: MaterialPack) -> Iterator[tuple[str, str | dict[str, str]]]:
    """(pointer, text) of a pack's copy: pitch, selling points, materials, summary note."""
    pitch = pack.pitch
    for i, point in enumerate(pitch.selling_points):
        yield f"/pitch/selling_points/{i}", point
    for name in ("brand", "endorsement", "sharer_profit", "top_reward", "gameplay"):
        yield f"/pitch/{name}", getattr(pitch, name)
    for i, material in enumerate(pack.materials):
        yield f"/materials/{i}/title", material.title
        if material.text is not None:
            yield f"/materials/{i}/text", material.text
    if pack.review.summary is not None:
        yield "/review/summary", pack.review.summary


def _copy_texts(project: Project) -> Iterator[tuple[str, str, str]]:
    """(pack id, pointer, text) of every piece of pack copy."""
    for pack_id, pack in sorted(project.packs.items()):
        for ptr, value in _pack_copy(pack):
            texts = {ptr: value} if isinstance(value, str) else {join(ptr, k): v for k, v in value.items()}
            for where, text in texts.items():
                yield pack_id, where, text


def _positionings(message: Message, types: Mapping[str, str]) -> frozenset[str]:
    """The positionings of the group types a message reaches (empty: reaches none known);
    `types` maps each group type id to its positioning."""
    found: set[str] = set()
    for audience in message.audiences:
        if audience.group_type is not None:
            found.add(audience.group_type.positioning)
        elif audience.group is not None and audience.group.type in types:
            found.add(types[audience.group.type])
    return frozenset(found)


def _message_texts(project: Project) -> Iterator[tuple[str, Body, frozenset[str]]]:
    found = contents(project)
    types = {t.id: t.positioning for t in project.playbook.group_types}
    for message in found.messages:
        positionings = _positionings(message, types)
        for body in message.bodies:
            text = found.sample_text(message, body)
            if text is None:
                text = body.source
            if text is not None:
                yield text, body, positionings


def allow_help(phrase: str) -> str:
    """The help line: what to write instead, and the exact YAML that allows the phrase (flow
    style, since a help line is one line)."""
    allow = {"settings": {"advertising_allow": [{"term": phrase, "reason": "…"}]}}
    entry = yaml.safe_dump(allow, allow_unicode=True, default_flow_style=True, sort_keys=False,
                           width=1000).strip()[1:-1]
    return ("state a checkable fact instead; if it is not a claim here, allow it in playbook.yaml "
            f"with a reason: `{entry}` (add the entry to advertising_allow if the list exists)")


@rule("PB701", "absolute-advertising-claim", per_document=True)
def absolute_claim(project: Project) -> Iterator[Finding]:
    """A message (as rendered) or a pack's copy makes a claim the Advertising Law forbids.

    Four families, each with its article (data/advertising_terms.yaml): absolute claims
    (art. 9: 最佳, 全网最低, 第一品牌, 国家级, 顶级, 首选, 100%…), medical or health claims
    (art. 16–17: 治愈, 根治, 无副作用, 药到病除…), guaranteed returns (art. 25: 保本, 稳赚,
    无风险, 高收益…) and guaranteed education results (art. 24: 保过, 包过, 100%通过…).
    Terms are matched as words in context: 最 and 第一 are fine when the next word states
    time, order or a limit (最近到货, 最晚 22 点, 最低起批 5 箱, 第一单, 第一次), but
    销量第一名 is a ranking. Every occurrence is reported. Messages reaching only
    `team_management` groups (staff, not customers) are not advertising and are not checked;
    pack copy (pitch, selling points, materials, summary note) always is.

    Why: a group post that sells is advertising; fines start at 200,000 CNY. A phrase that
    only looks like a claim is allowed in playbook.yaml, with a reason:

        settings:
          advertising_allow:
            - term: 第一手
              reason: 货源说明，不是排名

    Fails: `selling_points: [全网销量第一]`. Passes: `selling_points: [上月售出 3 万盒]`.
    """
    allowed = tuple(a.term for a in project.playbook.settings.advertising_allow)
    texts: list[tuple[str, Body | tuple[str, str, str], frozenset[str]]] = [
        (text, ("MaterialPack", pack_id, where), frozenset())
        for pack_id, where, text in _copy_texts(project)]
    for text, at, positionings in [*_message_texts(project), *texts]:
        for claim in claims_in(text, allowed):
            if positionings and positionings <= claim.family.not_in:
                continue
            body = at if isinstance(at, Body) else None
            span = at.span if isinstance(at, Body) else project.span(*at)
            where = f" (rendered from templates/{body.template})" if body and body.template else ""
            yield Finding(span, f"{claim.family.claim} '{claim.text}' in "
                          f"'{_snippet(text, claim.start, len(claim.text))}'{where} "
                          f"({claim.family.article})",
                          help=allow_help(claim.text))


@rule("PB702", "allowlist-without-justification", Severity.WARNING, per_document=True)
def allowlist_without_reason(project: Project) -> Iterator[Finding]:
    """An entry of `settings.advertising_allow` gives no reason.

    Why: the allowlist switches off a legal check; a reviewer (and compliance) must see why
    the phrase is not a claim.

    Fails: `- term: 第一步`. Passes: `- {term: 第一步, reason: 步骤序号,不是排名}`.
    """
    pb = project.playbook
    for i, entry in enumerate(pb.settings.advertising_allow):
        if not (entry.reason or "").strip():
            yield Finding(project.span("Playbook", pb.id, f"/settings/advertising_allow/{i}/term"),
                          f"allowed advertising phrase '{entry.term}' has no reason",
                          help="add `reason:` saying why it is not an absolute claim")


# Each pattern starts with what it consumes and looks behind after it (`1(?<!\d1)` is `1` not
# preceded by a digit, as `(?<!\d)1` is): a pattern opening with a lookbehind makes `re` try
# it at every position, one opening with a literal or a class lets it skip ahead to candidates.
# Same matches at the same places, four times faster over a week of L's documents.
MOBILE = re.compile(r"1(?<!\d1)[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
"""A mainland mobile number, 11 digits starting 13–19, optionally written 3-4-4."""
RESIDENT_ID = re.compile(r"\d(?<!\d\d)\d{16}[\dXx](?!\d)")
"""An 18-character resident identity number (GB 11643-1999)."""
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
SKIPPED_FIELDS = frozenset({"sku", "url"})
"""Codes and links, not content people read."""


def valid_resident_id(number: str) -> bool:
    """The ISO 7064 MOD 11-2 check character matches and the birth date exists."""
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def personal_data_in(text: str) -> Iterator[str]:
    """A masked description of each phone or ID number in `text`, in order."""
    found: list[tuple[int, str]] = []
    for match in MOBILE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        found.append((match.start(), f"mobile phone number {digits[:3]}****{digits[-4:]}"))
    for match in RESIDENT_ID.finditer(text):
        if valid_resident_id(match.group()):
            found.append((match.start(), f"resident ID number {match.group()[:3]}{'*' * 11}"
                                         f"{match.group()[-4:]}"))
    for _start, what in sorted(found):
        yield what


def _strings(obj: Any, ptr: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            if name not in SKIPPED_FIELDS:
                yield from _strings(getattr(obj, name), join(ptr, info.alias or name))
    elif isinstance(obj, str):
        yield ptr, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _strings(value, join(ptr, key))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _strings(item, join(ptr, i))


def _may_hold_personal_data(doc: BaseModel) -> bool:
    """A quick look at the whole document as JSON: each string stands in it verbatim between
    quotes (digits, spaces and hyphens are never escaped), so a number found in no string is
    not in the JSON either. Most documents are cleared here without walking their fields."""
    try:
        dumped = doc.model_dump_json(warnings=False)
    except ValueError:  # a field that does not serialise: walk the fields instead
        return True
    return bool(MOBILE.search(dumped) or RESIDENT_ID.search(dumped))


@rule("PB703", "personal-data-in-content", per_document=True)
def personal_data(project: Project) -> Iterator[Finding]:
    """A document or message template contains a mobile phone or resident ID number.

    Mainland mobile numbers (11 digits from 13 to 19, not part of a longer number) and
    18-character resident ID numbers with a valid check character and birth date.

    Why: the playbook is shared, reviewed and published as a handbook; personal data in it
    breaks the Personal Information Protection Law and leaks with every copy. Point to a
    role (`联系群主`) or a contact card instead.

    Fails: `answer: 有问题请拨打 13812345678`. Passes: `answer: 有问题请私信群主`.
    """
    for kind, doc_id, doc in project.documents():
        if not _may_hold_personal_data(doc):
            continue
        for ptr, text in _strings(doc, ""):
            for what in personal_data_in(text):
                yield Finding(project.span(kind, doc_id, ptr), f"{what} in content",
                              help="remove it; refer to a role or a contact card instead")
    seen: set[tuple[tuple[str, str], str]] = set()
    for message in contents(project).messages:
        for body in message.bodies:
            if body.template is None or body.source is None or (body.owner, body.ptr) in seen:
                continue
            seen.add((body.owner, body.ptr))
            for what in personal_data_in(body.source):
                yield Finding(body.span, f"{what} in templates/{body.template}",
                              help="remove it; refer to a role or a contact card instead")
