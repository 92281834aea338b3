"""The registry of lint rules. A rule is a small function that takes the `Project` and yields
findings; it never knows its own severity (configuration decides, from its default).

Each rule's docstring is its user documentation: what it finds, why it matters, and a
failing and a passing example. `playbook rules --explain CODE` prints it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from playbook.diagnostics import Related, Severity
from playbook.models.project import Project
from playbook.source import Span


@dataclass(frozen=True)
class Finding:
    """One problem a rule found."""

    span: Span
    message: str
    help: str | None = None
    related: tuple[Related, ...] = ()


Check = Callable[[Project], Iterable[Finding]]
OperatorParts = tuple[Callable[[Project, "frozenset[str] | None"], dict[str, list[Any]]],
                      Callable[[Project, Mapping[str, Sequence[Any]], Any], Iterable[Finding]]]
"""(the parts of all operators, or of some; the findings gathered from parts, or those of some
sources only): `Rule.by_operator`. A part is a sequence of tuples whose second item is the
source (`schedule.Source`) its finding stands at."""
T = TypeVar("T")


_CACHES: list[dict[int, tuple[Project, object]]] = []


def per_project(compute: Callable[[Project], T]) -> Callable[[Project], T]:
    """Cache `compute` for the project being linted, so several rules share one pass.

    Keeps only the latest project: a lint run works on one project at a time, and `forget`
    empties every such cache when it ends.
    """
    cache: dict[int, tuple[Project, T]] = {}
    _CACHES.append(cache)  # type: ignore[arg-type]

    @functools.wraps(compute)
    def cached(project: Project) -> T:
        hit = cache.get(id(project))
        if hit is None or hit[0] is not project:
            cache.clear()
            hit = (project, compute(project))
            cache[id(project)] = hit
        return hit[1]

    return cached


def forget() -> None:
    """Drop what the rules shared during a lint run: on a large playbook it is a third of the
    memory, and a build or an export that follows needs none of it."""
    for cache in _CACHES:
        cache.clear()


GROUP_RULES = frozenset({"GroupRules"})
SCRIPTS = frozenset({"OnboardingScript"})
CALENDARS = frozenset({"ActivityCalendar"})
PACKS = frozenset({"MaterialPack"})
SCHEDULED = SCRIPTS | CALENDARS | PACKS
"""The kinds whose items are dated sends: what the schedule rules expand."""
EVERY_KIND = GROUP_RULES | SCHEDULED
"""What a rule reads unless it says otherwise (playbook.yaml and roster.yaml are always read)."""
NOTHING = frozenset[str]()
"""A rule that reads only playbook.yaml and roster.yaml."""


@dataclass(frozen=True)
class Rule:
    """A registered rule: stable code, kebab-case name of the bad pattern, default severity, and
    what its findings depend on, which lets `playbook validate` reuse them after an edit
    (`playbook.incremental`):

    * `per_document`: every finding is about one document (and placed in it), and depends only
      on that document and the context: playbook.yaml, roster.yaml, templates/, the config and
      the file list (plus, for a calendar, the packs its slots name: `incremental.dependents`).
      Such a rule is run again only on the documents that changed.
    * otherwise `reads`: the kinds of document (besides the context) the rule looks at; it is
      run again, on the whole playbook, when a document of one of them changed.
    * `through_schedule` (with `reads` within `SCHEDULED`): the rule sees those documents only
      through what they schedule (`lint.schedules.planned`), their items' and their own
      `routes`, and the positions in them. An edit that leaves all three as they were (a
      pack's title, a member-triggered step's time) does not run it again.
    * `by_part` (with `through_schedule`): each of the rule's findings stands in one connected
      part of the scheduled documents (`lint.schedules.connected`) and depends only on that
      part, so after an edit that moves sends the rule is run again on the parts the edit
      touches, not on the whole playbook.
    * `by_operator` (with `through_schedule`): the rule's findings are gathered
      (`by_operator[1]`) from per-operator parts (`by_operator[0]`, which can compute the parts
      of some operators only), so after an edit only the parts of the operators it touches are
      computed again.
    * `through_routes` (with `reads` within `SCHEDULED`): the rule sees those documents only
      through their own and their items' `routes` and the text of the items a group robot may
      post (`incremental.routed`), and the positions in them.
    * `through_references`: the rule sees the four kinds of document only through the
      references they make and the ids they define for references to resolve to
      (`lint.references.referenced`), and the positions in them. An edit that leaves those as
      they were (a text, a time) does not run it again.

    tests/test_incremental.py holds every rule to what it declares."""

    code: str
    name: str
    severity: Severity
    check: Check
    per_document: bool = False
    reads: frozenset[str] = EVERY_KIND
    through_schedule: bool = False
    through_references: bool = False
    through_routes: bool = False
    by_part: bool = False
    by_operator: OperatorParts | None = None

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[:3] + "xx", "other")


FAMILIES = {
    "PB1xx": "references",
    "PB2xx": "template contracts",
    "PB3xx": "platform limits",
    "PB4xx": "schedules",
    "PB5xx": "rules and roles",
    "PB6xx": "capacity",
    "PB7xx": "compliance",
    "PB9xx": "suppressions",
}

RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity = Severity.ERROR, *, per_document: bool = False,
         reads: frozenset[str] = EVERY_KIND, through_schedule: bool = False,
         through_references: bool = False, through_routes: bool = False, by_part: bool = False,
         by_operator: OperatorParts | None = None) -> Callable[[Check], Check]:
    """Register a rule (see `Rule` for `per_document`, `reads` and the ways it may read
    `through`). Codes are never reused; a duplicate is a programming error."""
    if (through_schedule or through_routes) and not reads <= SCHEDULED:
        raise ValueError(f"lint code {code}: only scheduled kinds can be read through the schedule")
    if (by_part or by_operator) and not through_schedule:
        raise ValueError(f"lint code {code}: only a rule read through the schedule is kept in parts")

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"lint code {code} registered twice")
        RULES[code] = Rule(code, name, severity, check, per_document, reads, through_schedule,
                           through_references, through_routes, by_part, by_operator)
        return check

    return register
