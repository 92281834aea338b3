"""Text variants (issue 15 item 6): each group gets one variant of a message, by `when` or by a
stable hash that is the same on every run and machine; bundles say which; each variant is
checked like any text."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli, document_header, valid_playbook_yaml
from playbook.messages.compose import compose
from playbook.models.project import Project
from playbook.pipeline import check
from playbook.variants import pick

REPO = Path(__file__).resolve().parents[1]
DAY = dt.date(2026, 11, 30)

# sha256 of "<message id>/<group id>", written down from `printf %s … | sha256sum` (not from
# this code): the first 16 hex digits and the index among two variants (the number mod 2)
PINNED = [
    ("good-night", "east-middle-01", "578eae1ea5f0e3cf", 1),
    ("good-night", "south-middle-01", "26457c9bba58459c", 1),
    ("good-night", "welfare-01", "78ab3915b161eef9", 0),
    ("hello", "g-01", "f4e26a07cabe13fd", 0),
    ("hello", "g-02", "6028bdcb922c15e2", 0),
    ("hello", "g-03", "ed513be4c71e7cf3", 1),
]


@pytest.mark.parametrize(("message", "group", "digest", "index"), PINNED)
def test_the_hash_is_the_documented_one_and_stable(message: str, group: str, digest: str, index: int) -> None:
    assert hashlib.sha256(f"{message}/{group}".encode()).hexdigest()[:16] == digest
    assert pick(message, group, 2) == index


def test_three_variants_take_the_number_mod_three() -> None:
    number = int(hashlib.sha256(b"hello/g-03").hexdigest(), 16)
    assert pick("hello", "g-03", 3) == number % 3


ROSTER = document_header("Roster", "roster") + """groups:
  - {id: g-01, name: 一群, type: middle-official, operator: op-a, opened: 2026-11-02, classes: [region:east]}
  - {id: g-02, name: 二群, type: middle-official, operator: op-a, opened: 2026-11-02, classes: [region:south]}
  - {id: g-03, name: 三群, type: middle-official, operator: op-a, opened: 2026-11-02, classes: [region:east]}
"""
PLAYBOOK = valid_playbook_yaml("""classification:
  dimensions:
    - id: region
      name: 地区
      values: [{id: east, name: 华东}, {id: south, name: 华南}]
operators:
  - {id: op-a, name: 小安}
""")


def calendar(body: str) -> dict[str, str]:
    """A calendar whose one slot `hello` (line 12) ends with `body` (from line 16 on)."""
    return {"calendars/daily.yaml": document_header("ActivityCalendar", "daily") + """applies_to:
  types: [middle-official]
valid:
  start: 2026-11-01
daily:
  - id: hello
    at: "09:00"
    name: 早安
    sender: official
""" + body, "roster.yaml": ROSTER, "playbook.yaml": PLAYBOOK}


AB = """    variants:
      - id: a
        text: 早安 A {{ group.name }}
      - id: b
        text: 早安 B {{ group.name }}
"""


def composed(root: Path) -> list[tuple[str, str, str]]:
    checked = check(root)
    assert isinstance(checked.project, Project), [str(d) for d in checked.diagnostics]
    assert [d.code for d in checked.diagnostics if d.code != "PB115"] == []
    return [(m.group, m.variant, m.text) for m in compose(checked.project, DAY, DAY).messages]


def test_shared_variants_follow_the_hash(make_playbook: MakePlaybook) -> None:
    assert composed(make_playbook(calendar(AB))) == [
        ("g-01", "a", "早安 A 一群"), ("g-02", "a", "早安 A 二群"), ("g-03", "b", "早安 B 三群")]


def test_a_when_variant_wins_and_the_others_share_the_rest(make_playbook: MakePlaybook) -> None:
    body = AB + ("      - id: south\n        when: {classes: [region:south]}\n"
                 "        text: 早安华南 {{ group.name }}\n")
    assert composed(make_playbook(calendar(body))) == [
        ("g-01", "a", "早安 A 一群"), ("g-02", "south", "早安华南 二群"), ("g-03", "b", "早安 B 三群")]


def test_with_only_when_variants_the_others_get_the_own_text(make_playbook: MakePlaybook) -> None:
    body = ("    text: 早安 {{ group.name }}\n    variants:\n      - id: south\n"
            "        when: {classes: [region:south]}\n        text: 早安华南\n")
    assert composed(make_playbook(calendar(body))) == [
        ("g-01", "", "早安 一群"), ("g-02", "south", "早安华南"), ("g-03", "", "早安 三群")]


def test_the_bundle_has_a_variant_field_and_column(make_playbook: MakePlaybook, run_cli: RunCli,
                                                   tmp_path: Path) -> None:
    root = make_playbook(calendar(AB))
    out = tmp_path / "bundle"
    day = DAY.isoformat()
    code, _out, err = run_cli("export", root, "--from", day, "--to", day, "--out", out)
    assert code == 0, err
    records = json.loads((out / "messages.json").read_text(encoding="utf-8"))["messages"]
    assert [(m["group"], m["variant"], m["reached_by"]) for m in records] == [
        ("g-01", "a", "types: middle-official"), ("g-02", "a", "types: middle-official"),
        ("g-03", "b", "types: middle-official")]
    rows = list(csv.DictReader(io.StringIO((out / "messages.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["group_id"], r["variant"]) for r in rows] == [("g-01", "a"), ("g-02", "a"), ("g-03", "b")]


@pytest.mark.parametrize(("body", "expected"), [
    ("    text: 早安\n" + AB,
     "calendars/daily.yaml:12:5: error PB030 daily[0]: with variants that have no `when`, the message's own "
     "text is never sent: make it a variant"),
    ("    variants:\n      - id: south\n        when: {classes: [region:south]}\n        text: 早安华南\n",
     "calendars/daily.yaml:12:5: error PB030 daily[0]: every variant has `when`: give the message a `text` "
     "(or a variant without `when`) for the other groups"),
    ("    variants:\n      - id: a\n        text: 早安\n        template: messages/a.j2\n",
     "calendars/daily.yaml:17:9: error PB030 daily[0].variants[0]: a variant needs either `text` or "
     "`template`"),
    ("    variants:\n      - {id: a, text: 早安}\n      - {id: a, text: 晚安}\n",
     "calendars/daily.yaml:18:14: error PB034 daily[0].variants: the id 'a' is used twice in this list"),
])
def test_variants_that_cannot_work_are_refused(make_playbook: MakePlaybook, body: str, expected: str) -> None:
    root = make_playbook(calendar(body))
    assert [str(d) for d in check(root).diagnostics] == [expected]


def test_each_variant_is_checked_like_any_text(make_playbook: MakePlaybook) -> None:
    body = AB.replace("早安 B {{ group.name }}", "早安 B {{ group.nmae }}")
    assert [str(d) for d in check(make_playbook(calendar(body))).diagnostics if d.code == "PB201"] == [
        "calendars/daily.yaml:20:15: error PB201 undefined template variable 'group.nmae'"]


def test_a_when_that_reaches_no_group_is_a_warning(make_playbook: MakePlaybook) -> None:
    body = ("    text: 早安\n    variants:\n      - id: north\n        when: {groups: [g-09]}\n"
            "        text: 早安华北\n")
    found = [str(d) for d in check(make_playbook(calendar(body))).diagnostics if d.code in ("PB105", "PB122")]
    assert found == [
        "calendars/daily.yaml:19:9: warning PB122 this selector (groups: g-09) reaches no group in the "
        "roster",
        "calendars/daily.yaml:19:25: error PB105 unknown group 'g-09'"]


def test_the_shipped_ab_pair_is_the_same_on_every_run() -> None:
    checked = check(REPO)
    assert checked.project is not None
    messages = compose(checked.project, DAY, DAY).messages
    got = {m.group: m.variant for m in messages if m.item_id == "good-night"}
    assert (got["east-middle-01"], got["south-middle-01"], got["welfare-01"]) == ("b", "b", "a")
