"""Posting cues (issue 16, items 2 and 4): beside every text the run sheet and the CSV say the
route, the form and what to attach, who receives a private message, and the materials' copy
texts; replies.md gathers the texts that answer events. Expected texts come from the shipped
playbook's YAML, read through the models."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from playbook.bundle.export import Bundle, build_bundle
from playbook.models.project import Project
from playbook.models.types import text_in

MONDAY, SUNDAY = dt.date(2026, 11, 30), dt.date(2026, 12, 6)


@pytest.fixture(scope="module")
def week(shipped: Project) -> Bundle:
    bundle = build_bundle(shipped, MONDAY, SUNDAY, operators=("lin-xiao",))
    assert bundle.diagnostics == []
    return bundle


def block(sheet: str, message_id: str) -> str:
    """The run sheet's block of one message: from its group heading to the next heading."""
    at = sheet.index(f"id `{message_id}`")
    start = sheet.rindex("\n### ", 0, at) + 1
    ends = [i for i in (sheet.find("\n### ", at), sheet.find("\n## ", at)) if i != -1]
    return sheet[start:min(ends) if ends else len(sheet)]


def test_a_private_message_names_its_recipient(week: Bundle) -> None:
    [m] = [m for m in week.messages if m.item_id == "feedback-ask" and m.group == "camp-03"]
    assert m.channel == "private_message"
    text = block(week.files["md/lin-xiao/2026-12-02.md"].decode(), m.id)
    assert text.splitlines()[2:6] == [
        f"- from 社群运营（群管理员） (`operator`) · private_message · programme_step `feedback-ask` · "
        f"id `{m.id}` · stage `weak`",
        "- route `manual`: post it by hand",
        "- form `text`",
        "- to: private message to each member in the programme, one by one"]
    row = next(r for r in csv.DictReader(io.StringIO(week.files["messages.csv"].decode("utf-8-sig")))
               if r["id"] == m.id)
    assert row["recipient"] == "private message to each member in the programme, one by one"


def test_a_launch_step_carries_its_pictures_and_its_copy_text(week: Bundle, shipped: Project) -> None:
    pack = shipped.packs["winter-laundry-pods"]
    [step] = [s for s in pack.timeline if s.id == "warm-up"]
    copies = [text_in(m.text, "zh-CN", "zh-CN") for mid in step.materials
              for m in pack.materials if m.id == mid and m.text is not None]
    assert len(copies) == 1
    [m] = [m for m in week.messages if m.item_id == "warm-up" and m.group == "cw-middle-01"]
    assert m.copies == tuple(copies)
    text = block(week.files["md/lin-xiao/2026-12-05.md"].decode(), m.id)
    assert f"copy text 1 of 1 (转发文案), to forward as it is:\n\n```text\n{copies[0]}\n```" in text
    assert "- form `image` · attach 1 image" in text
    row = next(r for r in csv.DictReader(io.StringIO(week.files["messages.csv"].decode("utf-8-sig")))
               if r["id"] == m.id)
    assert (row["form"], row["attach"], row["copies"]) == ("image", "1 image", copies[0])
    assert row["media"] == m.attachments[0].bundle_path and row["media"].startswith("media/")


def test_a_picture_slot_without_a_file_says_to_prepare_one(week: Bundle, shipped: Project) -> None:
    slot = next(s for c in shipped.calendars.values() for s in c.daily
                if s.form == "image" and not s.attachments)
    m = next(m for m in week.messages if m.item_id == slot.id)
    text = block(week.files[f"md/lin-xiao/{m.at.date()}.md"].decode(), m.id)
    assert "- form `image` · prepare the image yourself: the playbook attaches no file" in text


def test_replies_md_lists_faq_announcement_and_escalation_per_group_type(week: Bundle,
                                                                         shipped: Project) -> None:
    doc = week.files["replies.md"].decode()
    assert "## 中层官方群 (`middle-official`) · `wecom_customer_group`" in doc
    faq = next(s for sc in shipped.scripts.values() for s in sc.steps if s.faq)
    first = faq.faq[0]
    assert (f"**Q:** {text_in(first.question, 'zh-CN', 'zh-CN')}\n\n```text\n"
            f"{text_in(first.answer, 'zh-CN', 'zh-CN')}\n```") in doc
    rules = shipped.rules["base-rules"]
    rung = rules.escalation[2]
    assert rung.message is not None
    assert (f"### Escalation (`base-rules`): violation 3 · mute (24h) by 社群运营（群管理员）\n\n```text\n"
            f"{text_in(rung.message, 'zh-CN', 'zh-CN')}\n```") in doc
    assert rules.announcement is not None
    assert text_in(rules.announcement.intro, "zh-CN", "zh-CN") in doc
    assert "Placeholders: `%NICKNAME%` stands for `member.nickname`" in doc
