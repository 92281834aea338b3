"""The handbook's lifecycle page (`playbook build --metrics FILE`): groups by stage, each
group's decision with its rule and numbers, and a small trend figure of its active share.

The page is added to an already compiled handbook, so the rest of the build is unchanged when
no metrics file is given. Every text from the playbook or the file goes through `markdown_inline`
or `html_inline`; the figure holds numbers only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

from playbook.handbook.compile import Compiled
from playbook.handbook.pages import Handbook
from playbook.inert import code_span, markdown_inline
from playbook.lifecycle.audit import Audit, GroupAudit, stage_label
from playbook.lifecycle.report import DECISION_WORDS, target_text
from playbook.models.project import Project

PAGE = "lifecycle.md"
TITLE = "生命周期"
SECTION = "运营"
_WIDTH, _HEIGHT = 120, 28
_KINDS = ("strong", "daily", "weak")


def trend_svg(found: GroupAudit) -> str:
    """Active members as a share of members over the last days: a polyline, gaps left open."""
    shares = [None if m is None or a is None or m == 0 else 100 * a / m for _, m, a in found.trend]
    known = [s for s in shares if s is not None]
    if not known:
        return "–"
    top = max(max(known), 1.0)
    step = _WIDTH / max(len(shares) - 1, 1)
    runs: list[list[str]] = [[]]
    for i, share in enumerate(shares):
        if share is None:
            runs.append([])
            continue
        runs[-1].append(f"{i * step:.1f},{_HEIGHT - 2 - (_HEIGHT - 4) * share / top:.1f}")
    lines = "".join(f'<polyline points="{" ".join(r)}" fill="none" stroke="currentColor" '
                    'stroke-width="1.5"/>' for r in runs if r)
    last = f"{known[-1]:.1f}%"
    return (f'<svg class="pb-trend" width="{_WIDTH}" height="{_HEIGHT}" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
            f'role="img" aria-label="活跃占比 {last}">{lines}</svg> {last}')


def lifecycle_markdown(project: Project, audit: Audit) -> str:
    """The page's Markdown."""
    lines = [f"# {TITLE}", "",
             f"按 {markdown_inline(audit.path)} 中截至 {audit.day.isoformat()} 的每日数据评估每个群："
             "所处阶段、目标完成情况，以及按阶段退出规则得出的建议"
             "（保留、进入下一阶段、合并、迁移活跃成员、解散）。", ""]
    by_stage: dict[str, list[GroupAudit]] = {}
    order: dict[str, int] = {}
    for found in audit.groups:
        label = stage_label(project, found)
        by_stage.setdefault(label, []).append(found)
        order[label] = _KINDS.index(found.stage.stage.kind) if found.stage else len(_KINDS)
    for label in sorted(by_stage, key=lambda name: (order[name], name)):  # strong, daily, weak, none
        lines += [f"## {markdown_inline(label)}", "",
                  "| 群 | 建议 | 依据 | 目标 | 近 30 天活跃占比 |", "| --- | --- | --- | --- | --- |"]
        for found in by_stage[label]:
            d = found.decision
            into = f" → {d.into}" if d.into else ""
            basis = "<br>".join(markdown_inline(t) for t in (d.rule, d.reason) if t) or "–"
            targets = "<br>".join(markdown_inline(target_text(t)) for t in found.targets) or "–"
            lines.append(f"| {markdown_inline(found.group.name)} <br>{code_span(found.group.id)} | "
                         f"**{markdown_inline(DECISION_WORDS[d.action] + into)}** | {basis} | {targets} | "
                         f"{trend_svg(found)} |")
        lines.append("")
    return "\n".join(lines)


def with_lifecycle(handbook: Handbook, project: Project, audit: Audit) -> Handbook:
    """`handbook` with the lifecycle page added to the 运营 section (made when missing)."""
    pages = {**handbook.pages, PAGE: lifecycle_markdown(project, audit)}
    nav = [(section, list(items)) for section, items in handbook.nav]
    for section, items in nav:
        if section == SECTION:
            items.append((TITLE, PAGE))
            break
    else:
        nav.append((SECTION, [(TITLE, PAGE)]))
    return dataclasses.replace(handbook, pages=pages, nav=nav)


def audited(compiled: Compiled, project: Project, path: Path, day: dt.date) -> Compiled | int:
    """`compiled` with the lifecycle page from the metrics file at `path`, audited on `day` (or
    the file's last day when it ends earlier); an exit code when the file cannot be read. Rows
    that cannot be used are reported on stderr and left out, as `playbook audit` does."""
    from playbook.lifecycle.audit import audit_day, needed_figures, run_audit
    from playbook.lifecycle.metrics import MetricsRefused, read_metrics
    from playbook.pipeline import EXIT_USAGE
    from playbook.reporters import REPORTERS

    try:
        metrics = read_metrics(path, project, needed_figures(project))
    except MetricsRefused as refused:
        sys.stderr.write(REPORTERS["text"]([refused.diagnostic], 1))
        print("playbook: the build stopped: the metrics file cannot be read; nothing was written",
              file=sys.stderr)
        return EXIT_USAGE
    if metrics.problems:
        sys.stderr.write(REPORTERS["text"](metrics.problems, 1))
    last = audit_day(metrics, None)
    on = min(day, last) if last is not None else day
    handbook = with_lifecycle(compiled.handbook, project, run_audit(project, metrics, on))
    return dataclasses.replace(compiled, handbook=handbook)
