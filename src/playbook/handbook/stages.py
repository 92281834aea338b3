"""Each group's stage on the handbook's day and when the next begins, for the group-type and
operator pages (the same `stage_on` the schedule and the agenda use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from playbook.handbook.book import Book
from playbook.lifecycle.stages import stage_on
from playbook.models.playbook import Group


def stage_cells(book: Book, groups: Iterable[Group], day: dt.date) -> dict[str, tuple[str, str]]:
    """Group id -> (its stage on `day`, when the next stage begins), in the handbook's words."""
    cells = {}
    for group in groups:
        found = stage_on(book.project, group, day)
        if found is None:
            cells[group.id] = ("未开群" if group.opened > day else "—", "—")
            continue
        name = f"{book.t(found.stage.name)}（{book.label('stage_kind', found.stage.kind)}）"
        if found.overdue:
            following = f"{found.end.isoformat() if found.end else ''} 已到期，待决定（保留、合并或解散）"
        elif found.next_transition is not None:
            following = found.next_transition.isoformat()
        elif found.end is not None:
            following = f"最后阶段，至 {found.end.isoformat()}"
        else:
            following = "不定期"
        cells[group.id] = (name, following)
    return cells
