"""The audit as text, CSV, JSON or Markdown: a dict from format name to a small function.

Every name and number that came from the playbook or the metrics file is untrusted, so each
format escapes it with `playbook.inert` for where it is printed: one terminal line, a
spreadsheet cell that cannot start a formula, a JSON string, a Markdown table cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from playbook.inert import csv_row, json_document, markdown_inline, terminal
from playbook.lifecycle.audit import Audit, GroupAudit, TargetCheck, shown, stage_label
from playbook.models.project import Project

DECISION_WORDS = {"keep": "keep", "next_stage": "next stage", "merge": "merge",
                  "move_members": "move active members", "disband": "disband"}
CSV_HEADERS = ("group", "name", "type", "stage", "stage_start", "stage_end", "days", "last_day",
               "decision", "into", "rule", "reason", "targets")


def target_text(check: TargetCheck) -> str:
    """`activity-rate 12.5 ≥ 60 over 7d: not met`."""
    t = check.target
    bounds = " and ".join(b for b in (f"≥ {t.at_least:g}" if t.at_least is not None else "",
                                      f"≤ {t.at_most:g}" if t.at_most is not None else "") if b)
    window = f" over {t.window}" if t.window else ""
    if check.value is None:
        return f"{check.metric} ? {bounds}{window}: unknown ({check.why_unknown})"
    return f"{check.metric} {shown(check.value)} {bounds}{window}: {'met' if check.met else 'not met'}"


def decision_text(found: GroupAudit) -> str:
    d = found.decision
    into = f" → {d.into}" if d.into else ""
    return f"{DECISION_WORDS[d.action]}{into}"


def _summary(audit: Audit) -> dict[str, int]:
    counts = {name: 0 for name in DECISION_WORDS}
    for found in audit.groups:
        counts[found.decision.action] += 1
    return counts


def text(project: Project, audit: Audit) -> str:
    lines = [terminal(f"audit of {audit.path} on {audit.day.isoformat()}: {len(audit.groups)} groups")]
    for found in audit.groups:
        g, d = found.group, found.decision
        lines.append("")
        lines.append(terminal(f"{g.id}  {g.name}  [{g.type}]  stage: {stage_label(project, found)}"))
        lines.append(terminal(f"  figures: {found.days} day(s)"
                              + (f", last {found.last_day.isoformat()}" if found.last_day else "")))
        lines += [terminal(f"  target: {target_text(t)}") for t in found.targets]
        lines.append(terminal(f"  decision: {decision_text(found)}"))
        if d.rule:
            lines.append(terminal(f"  rule: {d.rule}"))
        if d.reason:
            lines.append(terminal(f"  because: {d.reason}"))
    counts = _summary(audit)
    lines += ["", ", ".join(f"{n} {DECISION_WORDS[k]}" for k, n in counts.items() if n) or "no groups"]
    return "\n".join(lines) + "\n"


def _row(project: Project, found: GroupAudit) -> list[str]:
    g, d, s = found.group, found.decision, found.stage
    return [g.id, g.name, g.type, stage_label(project, found) if s else "",
            s.start.isoformat() if s else "", s.end.isoformat() if s and s.end else "",
            str(found.days), found.last_day.isoformat() if found.last_day else "",
            d.action, d.into or "", d.rule, d.reason, "; ".join(target_text(t) for t in found.targets)]


def csv_text(project: Project, audit: Audit) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for found in audit.groups:
        writer.writerow(csv_row(_row(project, found)))
    return "\ufeff" + out.getvalue()  # with a BOM, Excel opens the Chinese names as UTF-8


def as_data(project: Project, audit: Audit) -> dict[str, Any]:
    """The audit as plain values (JSON); also what the handbook page reads."""
    groups = []
    for found in audit.groups:
        s, d = found.stage, found.decision
        groups.append({
            "group": found.group.id, "name": found.group.name, "type": found.group.type,
            "stage": None if s is None else {
                "id": s.stage.id, "kind": s.stage.kind, "label": stage_label(project, found),
                "start": s.start.isoformat(), "end": s.end.isoformat() if s.end else None,
                "overdue": s.overdue},
            "days": found.days, "last_day": found.last_day.isoformat() if found.last_day else None,
            "targets": [{"metric": t.metric, "value": t.value, "met": t.met,
                         "at_least": t.target.at_least, "at_most": t.target.at_most,
                         "window": t.target.window, "unknown": t.why_unknown or None}
                        for t in found.targets],
            "decision": {"action": d.action, "into": d.into, "rule": d.rule, "reason": d.reason},
        })
    return {"date": audit.day.isoformat(), "file": audit.path, "summary": _summary(audit), "groups": groups}


def json_text(project: Project, audit: Audit) -> str:
    return json_document(json.dumps(as_data(project, audit), ensure_ascii=False, indent=2)) + "\n"


def _cell(value: str) -> str:
    return markdown_inline(value) if value else "–"


def markdown(project: Project, audit: Audit) -> str:
    lines = [f"# Audit of {markdown_inline(audit.path)} on {audit.day.isoformat()}", "",
             "| group | stage | decision | rule | because | targets |",
             "| --- | --- | --- | --- | --- | --- |"]
    for found in audit.groups:
        d = found.decision
        lines.append("| " + " | ".join([
            f"{_cell(found.group.id)} {_cell(found.group.name)}", _cell(stage_label(project, found)),
            f"**{_cell(decision_text(found))}**", _cell(d.rule), _cell(d.reason),
            "<br>".join(markdown_inline(target_text(t)) for t in found.targets) or "–"]) + " |")
    counts = _summary(audit)
    lines += ["", ", ".join(f"{n} {DECISION_WORDS[k]}" for k, n in counts.items() if n) or "no groups"]
    return "\n".join(lines) + "\n"


REPORTS: dict[str, Callable[[Project, Audit], str]] = {
    "text": text, "csv": csv_text, "json": json_text, "markdown": markdown,
}
