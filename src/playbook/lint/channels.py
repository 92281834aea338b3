"""Channels beyond the group: how many Moments posts each operator's account makes a day,
against the platform's posts-per-day range (PB421; shipped platform data: 2-3 a day). What an
account's post may read is `playbook.lint.account_reads` (PB423)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from playbook.diagnostics import Severity
from playbook.lint.registry import SCHEDULED, Finding, rule
from playbook.lint.schedules import planned
from playbook.models.project import Project
from playbook.platforms import PlatformLimits, defaults
from playbook.schedule import Source


def _limits(project: Project) -> PlatformLimits:
    return project.platforms.get("moments") or defaults()["moments"]


@rule("PB421", "moments-posts-per-day", Severity.WARNING, reads=SCHEDULED, through_schedule=True)
def moments_posts_per_day(project: Project) -> Iterator[Finding]:
    """An operator's account posts more Moments a day than the platform data allows (3 by
    default), or, on a day its calendar posts to Moments at all, fewer than the least (2).

    Why: the seeds keep a personal account's Moments at 2-3 posts a day: more and friends
    mute the account, fewer and it looks abandoned. A Moments post goes out once per account,
    however many of the operator's groups the item reaches. The range is platform data
    (`posts_per_day_min`, `posts_per_day_max` of `moments`), overridable in playbook.yaml.

    Fails: four `channel: moments_post` slots a day in one calendar.
    Passes: two or three.
    """
    limits = _limits(project)
    low, high = limits.posts_per_day_min, limits.posts_per_day_max
    # A post is (moment, source), numbered once: each is counted for every operator it posts for
    numbered: dict[tuple[dt.datetime, Source], int] = {}
    operators_of: dict[tuple[str, ...], list[str]] = {}  # broadcasts share their groups tuples
    posts: dict[tuple[str, dt.date], dict[int, None]] = {}
    for b in planned(project):
        if b.channel != "moments_post":
            continue
        number = numbered.setdefault((b.at, b.source), len(numbered))
        operators = operators_of.get(b.groups)
        if operators is None:
            operators = list(dict.fromkeys(project.groups[g].operator for g in b.groups))
            operators_of[b.groups] = operators
        day = b.at.date()
        for operator in operators:
            posts.setdefault((operator, day), {})[number] = None
    post = list(numbered)
    too_many: dict[Source, list[tuple[str, dt.date, int]]] = {}
    too_few: dict[Source, list[tuple[str, dt.date, int]]] = {}
    for (operator, day), found in sorted(posts.items()):
        ordered = sorted(post[n] for n in found)
        if high is not None and len(ordered) > high:
            too_many.setdefault(ordered[high][1], []).append((operator, day, len(ordered)))
        slots = [s for _, s in ordered if s.kind == "ActivityCalendar"]
        if low is not None and slots and len(ordered) < low:
            too_few.setdefault(slots[0], []).append((operator, day, len(ordered)))
    for source, days in sorted(too_many.items()):
        operator, day, count = days[0]
        yield Finding(project.span(source.kind, source.doc_id, source.pointer),
                      f"operator '{operator}' posts {count} times on Moments on {day} (at most "
                      f"{high} a day){_more(days)}", help="move a post to another day or channel")
    for source, days in sorted(too_few.items()):
        operator, day, count = days[0]
        yield Finding(project.span(source.kind, source.doc_id, source.pointer),
                      f"operator '{operator}' posts only {count} time{'s' if count != 1 else ''} "
                      f"on Moments on {day} (at least {low} a day){_more(days)}",
                      help="add a Moments slot, or lower posts_per_day_min for moments in playbook.yaml")


def _more(days: list[tuple[str, dt.date, int]]) -> str:
    return f" (and {len(days) - 1} more day{'s' if len(days) > 2 else ''})" if len(days) > 1 else ""
