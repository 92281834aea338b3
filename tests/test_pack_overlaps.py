"""PB404's search for overlapping launches (`lint.schedules._overlapping`) compares only packs
that reach a common group; it must find exactly the pairs a comparison of every pair finds."""

from __future__ import annotations

import datetime as dt
import random
from itertools import combinations

import pytest

from playbook.lint.schedules import _overlapping


def every_pair(by_launch: list[str], spans: dict[str, tuple[dt.datetime, dt.datetime]],
               audiences: dict[str, set[str]]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in combinations(by_launch, 2)
            if spans[a][1] >= spans[b][0] and audiences[a] & audiences[b]]


@pytest.mark.parametrize("seed", range(40))
def test_the_pairs_are_those_of_every_pair_compared(seed: int) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    spans, audiences = {}, {}
    for n in range(rng.randrange(1, 60)):
        first = start + dt.timedelta(hours=rng.randrange(0, 96))
        spans[f"p{n}"] = (first, first + dt.timedelta(hours=rng.choice([0, 1, 5, 30])))
        audiences[f"p{n}"] = {f"g{rng.randrange(12)}" for _ in range(rng.randrange(0, 4))}
    by_launch = sorted(spans, key=lambda p: (spans[p][0], p))
    assert _overlapping(by_launch, spans, audiences) == every_pair(by_launch, spans, audiences)


def test_touching_timelines_overlap_and_separate_audiences_do_not() -> None:
    at = dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC)
    hours = [dt.timedelta(hours=n) for n in range(10)]
    spans = {"a": (at, at + hours[2]), "b": (at + hours[2], at + hours[3]), "c": (at, at + hours[9])}
    audiences = {"a": {"g1"}, "b": {"g1", "g2"}, "c": {"g3"}}
    assert _overlapping(["a", "c", "b"], spans, audiences) == [("a", "b")]
