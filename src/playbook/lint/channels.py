"""Channels beyond the group: how many Moments posts each operator's account makes a day,
against the platform's posts-per-day range (PB421; shipped platform data: 2-3 a day). What an
account's post may read is `playbook.lint.account_reads` (PB423)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence

from playbook.diagnostics import Severity
from playbook.lint.registry import SCHEDULED, Finding, rule
from playbook.lint.schedules import planned
from playbook.models.project import Project
from playbook.platforms import PlatformLimits, defaults
from playbook.schedule import Source


def _limits(project: Project) -> PlatformLimits:
    return project.platforms.get("moments") or defaults()["moments"]


Day = tuple[str, Source, dt.date, int]
"""An operator's day out of range: "many" or "few", the post it is reported at, the day and
how many posts the operator makes on it."""


def moments_days(project: Project, operators: frozenset[str] | None = None) -> dict[str, list[Day]]:
    """Operator -> their days with too many or too few Moments posts, in day order (of
    `operators` only, when given: their posts come from the sends to their own groups)."""
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
        found_operators = operators_of.get(b.groups)
        if found_operators is None:
            found_operators = [o for o in dict.fromkeys(project.groups[g].operator for g in b.groups)
                               if operators is None or o in operators]
            operators_of[b.groups] = found_operators
        day = b.at.date()
        for operator in found_operators:
            posts.setdefault((operator, day), {})[number] = None
    post = list(numbered)
    days: dict[str, list[Day]] = {}
    for (operator, day), found in sorted(posts.items()):
        ordered = sorted(post[n] for n in found)
        if high is not None and len(ordered) > high:
            days.setdefault(operator, []).append(("many", ordered[high][1], day, len(ordered)))
        slots = [s for _, s in ordered if s.kind == "ActivityCalendar"]
        if low is not None and slots and len(ordered) < low:
            days.setdefault(operator, []).append(("few", slots[0], day, len(ordered)))
    return days


def moments_findings(project: Project, days_of: Mapping[str, Sequence[Day]],
                     only: Collection[Source] | None = None) -> Iterator[Finding]:
    """PB421's findings from each operator's days out of range: one per post reported at, with
    the first operator and day it is reported for and how many more (at the posts `only`, when
    given)."""
    limits = _limits(project)
    low, high = limits.posts_per_day_min, limits.posts_per_day_max
    too_many: dict[Source, list[tuple[str, dt.date, int]]] = {}
    too_few: dict[Source, list[tuple[str, dt.date, int]]] = {}
    for operator in sorted(days_of):
        for which, source, day, count in days_of[operator]:
            if only is not None and source not in only:
                continue
            (too_many if which == "many" else too_few).setdefault(source, []).append((operator, day, count))
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


@rule("PB421", "moments-posts-per-day", Severity.WARNING, reads=SCHEDULED, through_schedule=True,
      by_operator=(moments_days, moments_findings))
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
    yield from moments_findings(project, moments_days(project))


def _more(days: list[tuple[str, dt.date, int]]) -> str:
    return f" (and {len(days) - 1} more day{'s' if len(days) > 2 else ''})" if len(days) > 1 else ""
