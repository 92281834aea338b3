"""WeCom payloads (`export --format wecom`): every file validates against the shipped schema,
the bodies have WeCom's documented shape, and what the API would refuse is named exactly."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from playbook.cli import main
from playbook.delivery.routes import robot_variable
from playbook.delivery.wecom_payloads import (
    group_send_body,
    group_send_problems,
    robot_bodies,
    robot_problems,
)
from playbook.messages.compose import Attachment
from wecom_playbook import FILES

SCHEMA_DIR = Path(__file__).parent.parent / "schema"
SHA = "dd1c32e2c49d519c23e12df3601150c280b2cc1dd9d8c75b9555686d9713f008"


@pytest.fixture
def wecom(tmp_path: Path, make_playbook) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / "bundle"
    assert main(["export", str(make_playbook(FILES)), "--from", "2026-12-07", "--to", "2026-12-07",
                 "--out", str(out), "--format", "wecom", "--quiet"]) == 0
    return out / "wecom"


def test_every_payload_validates_against_the_shipped_schema(wecom: Path) -> None:
    files = sorted(wecom.glob("2026-12-07/*.json"))
    assert [f.name for f in files] == ["AnnaW-0900-2.json", "AnnaW-0900.json", "robot-shop-3-0900.json",
                                       "robot-shop-3-1200.json", "robot-shop-3-2000.json"]
    for f in files:
        payload = json.loads(f.read_text(encoding="utf-8"))
        schema = json.loads((SCHEMA_DIR / f"{payload['kind']}.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(payload, schema, format_checker=jsonschema.FormatChecker())


def test_a_company_group_send_has_the_documented_shape(wecom: Path) -> None:
    payload = json.loads((wecom / "2026-12-07/AnnaW-0900.json").read_text(encoding="utf-8"))
    assert payload["requests"] == [{
        "chat_type": "group", "sender": "AnnaW", "chat_id_list": ["wrTESTshop0001"], "allow_select": False,
        "text": {"content": "早上好，一群！今天是 2026-12-07。"},
        "attachments": [{"msgtype": "image", "image": {"media_id": f"media:sha256:{SHA}"}}]}]
    assert payload["media"] == [{"sha256": SHA, "bundle_path": f"media/{SHA}.png", "kind": "image",
                                 "name": "deal.png"}]
    robot = json.loads((wecom / "2026-12-07/robot-shop-3-0900.json").read_text(encoding="utf-8"))
    assert robot["robot"] == "deals-bot"
    assert robot["requests"] == [
        {"msgtype": "text", "text": {"content": "早上好，三群！今天是 2026-12-07。"}},
        {"msgtype": "image", "image": {"base64": f"media:sha256:{SHA}", "md5": f"media:sha256:{SHA}"}}]


def test_the_index_lists_every_manual_message_with_its_reason(wecom: Path) -> None:
    index = json.loads((wecom / "index.json").read_text(encoding="utf-8"))
    reasons = {(m["group"], m["at"][11:16]): m["reason"] for m in index["manual"]}
    assert reasons[("shop-4", "09:00")] == "group shop-4 has no chat_id; group shop-4 has no robot"
    assert reasons[("shop-5", "09:00")] == "operator ben has no wecom_userid; group shop-5 has no robot"
    assert reasons[("shop-1", "10:00")] == "sent by a koc, not the operator"
    assert len(index["manual"]) + sum(len(p["messages"]) for p in index["payloads"]) == 20


def test_what_wecom_would_refuse_is_named() -> None:
    image = Attachment("a.png", "0" * 64, "image")
    body = group_send_body("AnnaW", ["wrTESTshop0001"], "字" * 1334, [image] * 10)
    assert group_send_problems(body) == [
        "text is 4,002 bytes; a company group send takes at most 4,000",
        "10 attachments; a company group send takes at most 9"]
    assert group_send_problems(group_send_body("AnnaW", ["wrTESTshop0001"], "", [])) == [
        "nothing to send: no text and no attachment"]
    assert robot_problems(robot_bodies("字" * 683, [])) == [
        "text is 2,049 bytes; a group robot takes at most 2,048"]
    assert robot_problems(robot_bodies("字" * 682, [image])) == []
    assert robot_problems([]) == ["nothing to send: no text and no attachment"]


def test_robot_variables_are_shell_names() -> None:
    assert robot_variable("deals-bot") == "WECOM_ROBOT_DEALS_BOT"
    assert robot_variable("福利播报机器人") == "WECOM_ROBOT_E7A68FE588A9E692ADE68AA5E69CBAE599A8E4BABA"
    # a name mixing Chinese and digits must not fold to WECOM_ROBOT____2_ for every such robot
    assert robot_variable("福利2群") == "WECOM_ROBOT_E7A68FE588A932E7BEA4"
    assert robot_variable("抢购2群") == "WECOM_ROBOT_E68AA2E8B4AD32E7BEA4"
