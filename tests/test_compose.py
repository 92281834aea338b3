"""Composing: every dated send of the schedule rendered for its group, with hashed
attachments and its source; render failures as diagnostics at the message's place."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from bundle_playbook import FILES
from conftest import MakePlaybook
from playbook.account_posts import by_account
from playbook.loader import load_tree
from playbook.messages.compose import Attachment, Composed, Message, compose
from playbook.models.project import Project
from playbook.schedule import expand
from playbook.validate import validate_tree

REPO = Path(__file__).resolve().parents[1]
MONDAY, SUNDAY = dt.date(2026, 11, 30), dt.date(2026, 12, 6)


def test_the_contract_the_handbook_relies_on() -> None:
    assert [f.name for f in dataclasses.fields(Attachment)] == ["path", "sha256", "kind", "size"]
    assert [f.name for f in dataclasses.fields(Message)] == [
        "id", "group", "group_name", "operator", "platform", "locale", "at", "channel", "sender", "text",
        "attachments", "source", "item", "item_id", "variant", "reached_by", "route", "form", "copies",
        "stage", "groups"]
    assert [f.name for f in dataclasses.fields(Composed)] == ["messages", "diagnostics"]


def test_every_send_of_the_week_becomes_one_rendered_message(shipped: Project) -> None:
    project = shipped
    composed = compose(project, MONDAY, SUNDAY)
    sends = by_account(project, expand(project, MONDAY, SUNDAY))  # one Moments post per account
    assert composed.diagnostics == []
    assert [m.id for m in composed.messages] == [s.id for s in sends]
    assert compose(project, MONDAY, SUNDAY) == composed  # same inputs, same ids and texts
    for m, s in zip(composed.messages, sends, strict=True):
        assert (m.at, m.channel, m.sender, m.source, m.item, m.item_id) == (
            s.at, s.channel, s.sender, s.source, s.item, s.item_id)
        assert m.at.tzinfo is not None and m.text and "{{" not in m.text and "{%" not in m.text
        if s.account:  # posted on the operator's Moments: no group, the account named instead
            operator = project.groups[s.group].operator
            assert (m.group, m.operator, m.platform, m.groups) == ("", operator, "moments", s.groups)
            assert s.account == operator and m.group_name.startswith("朋友圈（")
            continue
        assert m.group == s.group
        group = project.groups[m.group]
        assert (m.group_name, m.operator, m.platform, m.locale) == (
            group.name, group.operator, "wecom_customer_group", "zh-CN")
    greeting = next(m for m in composed.messages if m.item_id == "morning-greeting")
    assert greeting.group_name in greeting.text and greeting.at.date().isoformat() in greeting.text


def test_launch_steps_carry_their_materials_hashed(shipped: Project) -> None:
    composed = compose(shipped, dt.date(2026, 12, 6), dt.date(2026, 12, 6))
    launch = next(m for m in composed.messages if m.item_id == "launch")
    files = [a for a in launch.attachments if a.sha256]
    assert files and all(a.path.startswith("packs/winter-laundry-pods/") for a in files)
    for a in files:
        assert a.sha256 == hashlib.sha256((REPO / a.path).read_bytes()).hexdigest()
    hosted = [a for a in launch.attachments if not a.sha256]
    assert [a.kind for a in hosted] == ["video"] and hosted[0].path.startswith("https://")


def test_a_failing_template_is_one_diagnostic_at_its_text(make_playbook: MakePlaybook) -> None:
    cal = FILES["calendars/daily.yaml"]
    assert isinstance(cal, str)
    cal = cal.replace("offline:", "  - {id: odd, at: '12:00', name: Odd, sender: host,\n"
                      "     text: \"{{ group.name | int(strict) }}\"}\noffline:")
    root = make_playbook({**FILES, "calendars/daily.yaml": cal})
    project = validate_tree(load_tree(root)).project
    assert project is not None
    composed = compose(project, dt.date(2026, 10, 26), dt.date(2026, 10, 28))
    [problem] = composed.diagnostics  # one per place, not one per group and day
    assert str(problem).startswith(
        "calendars/daily.yaml:11:12: error PB204 rendering for group 'club-1' on 2026-10-26 fails: ")
    assert {m.item_id for m in composed.messages} == {"morning"}  # the failing message is left out


def test_a_missing_attachment_is_reported_not_hashed(make_playbook: MakePlaybook) -> None:
    root = make_playbook(FILES)
    project = validate_tree(load_tree(root)).project
    assert project is not None
    (root / "packs/night/images/main.png").unlink()  # gone between validation and export
    composed = compose(project, dt.date(2026, 10, 29), dt.date(2026, 10, 29))
    assert [(d.code, d.span.path) for d in composed.diagnostics] == [("PB033", "packs/night/pack.yaml")]
    launch = next(m for m in composed.messages if m.item_id == "launch")
    assert launch.attachments == ()
