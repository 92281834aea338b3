"""The delivery results on the operator pages (`playbook build --ledger PATH`): per message in
one of the operator's groups, how it went out and what WeCom says each group got (sent, not a
friend, already received another group send, not sent yet) as `send --status --refresh` last
fetched it, or why it failed.

Opt-in, so a build from the playbook alone stays byte-identical: without `--ledger` the pages
are untouched. The section is appended to each operator page, so the page template needs no
change. Every text from the ledger (ids, WeCom's errmsg) goes through `markdown_inline` or
`code_span`.
"""

from __future__ import annotations

import dataclasses

from playbook.delivery.ledger_view import LedgerRow
from playbook.handbook.book import page_path
from playbook.handbook.pages import Handbook
from playbook.inert import code_span, markdown_inline
from playbook.models.project import Project

HEADING = "## 企业微信发送结果"
STATE_WORDS = {"planned": "待发", "posting": "发送中", "posted": "已发出", "failed": "失败",
               "unknown": "不确定是否发出"}
KIND_WORDS = {"wecom-group-send": "企业群发", "wecom-robot": "群机器人"}
RESULT_WORDS = {0: "成员还没确认发送", 1: "已送达", 2: "未送达：客户不是好友",
                3: "未送达：客户已收到其他群发"}
"""`get_groupmsg_send_result` status -> the words operators read."""


def _result(project: Project, row: LedgerRow) -> str:
    """What WeCom says this row's group got, or why there is nothing to say."""
    if row.state == "failed":
        reason = f"errcode {row.errcode}: {row.errmsg or ''}" if row.errcode is not None else row.errmsg or ""
        return markdown_inline(reason.strip()) or "–"
    if row.kind != "wecom-group-send" or row.state != "posted":
        return "–"
    chat = project.groups[row.group].chat_id if row.group in project.groups else None
    found = [status for chat_id, status in row.results if chat_id == chat]
    if not found:
        return "还没拉取（`playbook send --status --refresh`）"
    return RESULT_WORDS.get(found[0], f"状态 {found[0]}")


def status_markdown(project: Project, rows: list[LedgerRow], operator: str) -> str:
    """The section for one operator: a table of the ledger rows in the operator's groups."""
    groups = {g.id: g for g in project.groups.values() if g.operator == operator}
    mine = [r for r in rows if r.group in groups]
    lines = ["", HEADING, "",
             "来自发送台账（`playbook build --ledger`）：每条由企业微信发出的消息、发送方式、状态，"
             "以及企业群发在各群的结果（`playbook send --status --refresh` 拉取）。", ""]
    if not mine:
        return "\n".join([*lines, "台账里还没有这位运营的群的发送记录。", ""])
    lines += ["| 时间 | 群 | 消息 | 方式 | 状态 | 结果 |", "| --- | --- | --- | --- | --- | --- |"]
    for r in mine:
        when = markdown_inline(r.due[:16].replace("T", " "))
        group = f"{markdown_inline(groups[r.group].name)} {code_span(r.group)}"
        lines.append(f"| {when} | {group} | {code_span(r.message)} | "
                     f"{KIND_WORDS.get(r.kind, markdown_inline(r.kind))} | "
                     f"{STATE_WORDS.get(r.state, markdown_inline(r.state))} | {_result(project, r)} |")
    return "\n".join([*lines, ""])


def with_delivery(handbook: Handbook, project: Project, rows: list[LedgerRow]) -> Handbook:
    """`handbook` with the delivery section at the end of every operator page."""
    pages = dict(handbook.pages)
    for op in project.playbook.operators:
        path = page_path("operator", op.id)
        if path in pages:
            pages[path] = pages[path].rstrip("\n") + "\n" + status_markdown(project, rows, op.id)
    return dataclasses.replace(handbook, pages=pages)


__all__ = ["status_markdown", "with_delivery"]
