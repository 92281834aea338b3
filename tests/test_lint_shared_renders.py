"""The template rules render a text once per set of values it reads, shared between messages
that repeat it (issue 20). Sharing must not hand one message another's date, pack or event."""

from __future__ import annotations

from bundle_playbook import FILES
from conftest import MakePlaybook
from playbook.lint.messages import contents
from playbook.loader import load_tree
from playbook.validate import validate_tree

LATER = """\
apiVersion: playbook/v1
kind: ActivityCalendar
id: {id}
version: 1.0.0
title: Later
owner: ops
valid: {{start: {start}}}
daily:
  - {{id: dated, at: "10:00", name: Dated, sender: host, text: "Day {{{{ date }}}}"}}
"""


def test_the_same_text_in_two_documents_renders_with_each_ones_values(make_playbook: MakePlaybook) -> None:
    pack = FILES["packs/night/pack.yaml"]
    assert isinstance(pack, str)
    other = pack.replace("id: night", "id: dawn").replace("name: Tea", "name: Coffee")
    root = make_playbook({**FILES, "calendars/a.yaml": LATER.format(id="a", start="2026-10-05"),
                          "calendars/b.yaml": LATER.format(id="b", start="2026-10-06"),
                          "packs/dawn/pack.yaml": other,
                          "packs/dawn/images/main.png": FILES["packs/night/images/main.png"]})
    project = validate_tree(load_tree(root)).project
    assert project is not None
    found = contents(project)
    rendered = {(m.doc_id, m.ptr): found.render(m, m.bodies[0]) for m in found.messages
                if m.bodies and m.ptr in ("/daily/0", "/timeline/1")}
    assert rendered[("a", "/daily/0")] == "Day 2026-10-05"
    assert rendered[("b", "/daily/0")] == "Day 2026-10-06"
    assert rendered[("night", "/timeline/1")] == "Report: Tea"
    assert rendered[("dawn", "/timeline/1")] == "Report: Coffee"
