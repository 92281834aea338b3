"""The messages.json exporter's pieces, called directly (issue 19).

tests/test_export.py reads the shipped week's messages.json through a module-scoped bundle,
which mutmut maps to one test only, so most of its assertions never meet a mutant of
`exporters.json_messages`. These call `attachment_record`, `message_record`, `header`, `dumps`,
`export` and `schema_text` on one or two hand-made values each; every expected value is written
out by hand (times in Europe/Berlin, where 2026-10-29 is CET, UTC+1), and the bytes are read
back with `json.loads` where the layout is not the point.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import playbook
from playbook.exporters import json_messages as jm
from playbook.exporters.base import Filters, Selection, whole
from playbook.messages.compose import Attachment, Message
from playbook.models.project import Project
from playbook.schedule import Source
from sample_message import sample_message
from test_render_mutants import berlin  # noqa: F401  (the module-scoped project fixture)

AT = dt.datetime(2026, 10, 29, 9, 5, tzinfo=ZoneInfo("Europe/Berlin"))
SHA = "0123456789abcdef" * 4
PICTURE = Attachment(path="packs/night/images/Main.PNG", sha256=SHA, kind="material", size=2048)
HOSTED = Attachment(path="https://cdn.example.com/clip", sha256="", kind="video")


def message(**changed: object) -> Message:
    return sample_message(AT, **changed)


def selection(project: Project, *messages: Message, filters: Filters | None = None) -> Selection:
    return Selection(project, dt.date(2026, 10, 28), dt.date(2026, 10, 30), filters or Filters(),
                     messages, ())


# -- attachments -----------------------------------------------------------------------------

def test_a_local_attachment_names_its_copy_by_digest_and_its_kind_by_suffix() -> None:
    assert jm.attachment_record(PICTURE) == {
        "path": "packs/night/images/Main.PNG", "bundle_path": f"media/{SHA}.png", "sha256": SHA,
        "size": 2048, "kind": "image"}


@pytest.mark.parametrize(("kind", "sent_as"), [("video", "video"), ("image", "image"),
                                                ("interactive", "file")])
def test_hosted_media_has_no_copy_no_digest_no_size(kind: str, sent_as: str) -> None:
    assert jm.attachment_record(dataclasses.replace(HOSTED, kind=kind)) == {
        "path": "https://cdn.example.com/clip", "bundle_path": "", "sha256": "", "size": None,
        "kind": sent_as}


# -- one message -----------------------------------------------------------------------------

def test_a_group_message_record_holds_every_field(berlin: Project) -> None:  # noqa: F811
    m = message(attachments=(PICTURE, HOSTED), variant="v2", reached_by="types: club",
                route="wecom_group_send", form="image", copies=("Forward me", "And me"), stage="strong")
    assert jm.message_record(m, selection(berlin, m)) == {
        "id": "m0123456789abcdef", "group": "club-1", "group_name": "Club One", "operator": "anna",
        "platform": "wechat_group", "locale": "en", "at": "2026-10-29T09:05:00+01:00",
        "time_zone": "Europe/Berlin", "date": "2026-10-29", "time": "09:05",
        "channel": "group_message", "sender": "host", "text": "Good morning, Club One!",
        "attachments": [
            {"path": "packs/night/images/Main.PNG", "bundle_path": f"media/{SHA}.png", "sha256": SHA,
             "size": 2048, "kind": "image"},
            {"path": "https://cdn.example.com/clip", "bundle_path": "", "sha256": "", "size": None,
             "kind": "video"}],
        "source": {"kind": "ActivityCalendar", "doc_id": "daily", "pointer": "/daily/0",
                   "file": "calendars/daily.yaml"},
        "item": "slot", "item_id": "morning", "variant": "v2", "reached_by": "types: club",
        "route": "wecom_group_send", "form": "image", "recipient": "",
        "copies": ["Forward me", "And me"], "stage": "strong"}


def test_a_private_message_names_its_recipient_and_a_fixed_offset_its_offset(
        berlin: Project) -> None:  # noqa: F811
    late = dt.datetime(2026, 10, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    m = message(channel="private_message", sender=None, at=late, item="programme_step",
                source=Source("OnboardingScript", "join", "/steps/1"))
    record = jm.message_record(m, selection(berlin, m))
    assert {key: record[key] for key in ("at", "time_zone", "date", "time", "sender", "recipient",
                                         "source", "copies", "attachments", "variant", "stage")} == {
        "at": "2026-10-30T23:30:00+08:00", "time_zone": "+0800", "date": "2026-10-30",
        "time": "23:30", "sender": None,
        "recipient": "private message to the member who just joined, one by one",
        "source": {"kind": "OnboardingScript", "doc_id": "join", "pointer": "/steps/1",
                   "file": "scripts/join.yaml"},
        "copies": [], "attachments": [], "variant": "", "stage": ""}


def test_a_source_the_project_does_not_hold_has_no_file(berlin: Project) -> None:  # noqa: F811
    m = message(source=Source("ActivityCalendar", "gone", "/daily/0"))
    assert jm.message_record(m, selection(berlin, m))["source"]["file"] == ""


# -- the header ------------------------------------------------------------------------------

def test_the_header_names_format_tool_playbook_range_and_sorted_filters(
        berlin: Project) -> None:  # noqa: F811
    filters = Filters(groups=("shop-1", "club-1"), operators=("ben",), platforms=(),
                      locales=("zh-CN", "en"))
    assert jm.header(selection(berlin, filters=filters)) == {
        "format": 2, "generator": f"playbook {playbook.__version__}",
        "playbook": {"id": "berlin-club", "title": "Berlin club", "version": "2.1.0"},
        "range": {"from": "2026-10-28", "to": "2026-10-30"},
        "filters": {"groups": ["club-1", "shop-1"], "operators": ["ben"], "platforms": [],
                    "locales": ["en", "zh-CN"]}}


# -- the layout ------------------------------------------------------------------------------

def test_dumps_indents_plain_values_and_writes_one_compact_record_per_line() -> None:
    value: dict[str, Any] = {"a": 1, "名": {"x": [1, "中"]},
                             "m": iter([{"k": 1, "l": "é"}, {"k": 2}]), "e": iter([]), "z": []}
    assert jm.dumps(value) == (
        '{\n'
        '  "a": 1,\n'
        '  "名": {\n'
        '    "x": [\n'
        '      1,\n'
        '      "中"\n'
        '    ]\n'
        '  },\n'
        '  "m": [\n'
        '    {"k": 1, "l": "é"},\n'
        '    {"k": 2}\n'
        '  ],\n'
        '  "e": [],\n'
        '  "z": []\n'
        '}\n').encode()


def test_dumps_of_one_record_and_of_nothing() -> None:
    assert jm.dumps({"m": iter([{"t": "a\nb"}])}) == b'{\n  "m": [\n    {"t": "a\\nb"}\n  ]\n}\n'
    assert jm.dumps({}) == b"{\n}\n"


def test_export_writes_messages_json_that_reads_back_as_header_and_records(
        berlin: Project) -> None:  # noqa: F811
    one, two = message(), message(id="m00000000000000ff", group="shop-1", group_name="商店一群",
                                  operator="ben", locale="zh-CN", text="早上好")
    files = list(jm.export(selection(berlin, one, two)))
    assert [name for name, _ in files] == ["messages.json"]
    data = whole(files[0][1])
    assert "商店一群".encode() in data  # readable Chinese, not \u escapes
    assert data.count(b"\n    {") == 2  # one line per record
    parsed = json.loads(data)
    assert list(parsed) == ["format", "generator", "playbook", "range", "filters", "messages"]
    assert parsed["format"] == 2
    assert parsed["range"] == {"from": "2026-10-28", "to": "2026-10-30"}
    assert [(r["id"], r["group"], r["text"]) for r in parsed["messages"]] == [
        ("m0123456789abcdef", "club-1", "Good morning, Club One!"),
        ("m00000000000000ff", "shop-1", "早上好")]


def test_export_of_no_message_writes_an_empty_list(berlin: Project) -> None:  # noqa: F811
    (name, pieces), = jm.export(selection(berlin))
    assert name == "messages.json"
    data = whole(pieces)
    assert data.endswith(b'"messages": []\n}\n')
    assert json.loads(data)["messages"] == []


def test_the_schema_text_is_the_schema_indented_by_two_with_readable_text() -> None:
    text = jm.schema_text()
    assert text.startswith('{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",\n')
    assert text.endswith("\n}\n")
    assert "mini_program_card, poll, …" in text
    assert json.loads(text) == jm.BUNDLE_SCHEMA
