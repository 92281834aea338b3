"""Incremental `playbook validate` (`playbook.incremental`): after an edit, the result equals a
check from scratch, line for line, while only what the edit can change is checked again.

Two kinds of test. The rules' declarations (`per_document`, `reads`) are checked against every
lint case, the shipped playbook and the examples: a rule that reads a kind it does not declare
raises, and a per-document rule must find, one document at a time, exactly what it finds in
the whole playbook. Then whole runs: from the state of the clean lint base, every lint case's
edit is validated incrementally and compared with `validate --no-cache`, and back again.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from conftest import RunCli, cache_on
from playbook import cache, incremental
from playbook.incremental import Memory
from playbook.lint import references, schedules
from playbook.lint.registry import EVERY_KIND, RULES, Finding, forget
from playbook.loader import load_tree
from playbook.models.project import TABLES, Project
from playbook.schedule import broadcasts
from playbook.source import SourceMap
from playbook.validate import validate_tree

REPO = Path(__file__).parent.parent
LINT = Path(__file__).parent / "lint"
TODAY = "2026-11-23"
CASES = sorted(c / v for c in LINT.iterdir() if c.name.startswith("PB") for v in ("fail", "pass"))
STATE = Path(".playbook") / "cache" / incremental.STATE_FILE


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache_on(monkeypatch, tmp_path_factory, TODAY)


def overlay(case: Path, root: Path) -> None:
    """Put a lint case's files over the playbook at `root` (as tests/test_lint_cases.py does)."""
    shutil.copytree(case, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt"))


def base_copy(tmp_path: Path) -> Path:
    root = tmp_path / "playbook"
    shutil.copytree(LINT / "_base", root)
    return root


# -- the declarations ---------------------------------------------------------------------------

class Undeclared(BaseException):
    """A rule touched a kind of document it does not declare (not an Exception, so that no
    rule's own `except` can swallow it)."""


class Forbidden(Mapping[str, Any]):
    """A table a rule has not declared it reads: any look raises."""

    def __getitem__(self, key: str) -> NoReturn:
        raise Undeclared(key)

    def __iter__(self) -> Iterator[str]:
        raise Undeclared("iterated")

    def __len__(self) -> int:
        raise Undeclared("counted")


def corpora() -> list[tuple[str, Path]]:
    found = [("shipped", REPO)]
    found += [(f"examples/{p.name}", p) for p in sorted((REPO / "examples").iterdir())
              if (p / "playbook.yaml").is_file()]
    return found + [(f"{case.parent.name}/{case.name}", case) for case in CASES]


def project_of(name: str, where: Path, tmp_path: Path) -> Project:
    if name.startswith("PB"):
        root = base_copy(tmp_path)
        overlay(where, root)
    else:
        root = where
    result = validate_tree(load_tree(root))
    project = result.project or result.partial
    assert project is not None, name
    return project


def found(project: Project, code: str) -> Counter[tuple[object, ...]]:
    forget()
    try:
        return Counter((f.span, f.message, f.help, f.related) for f in RULES[code].check(project))
    finally:
        forget()


def only(project: Project, keep: set[tuple[str, str]]) -> Project:
    return dataclasses.replace(project, **{  # type: ignore[arg-type]
        table: {i: d for i, d in getattr(project, table).items() if (kind, i) in keep}
        for kind, table in TABLES.items()})


def with_copies(project: Project) -> Project:
    """The project with a copy of every document beside it (id `<id>-copy`, its own path): a
    rule that sums or compares across documents (sends per day, clashes) finds something new
    in a document once its copy is there, which a per-document rule must not."""
    tables: dict[str, dict[str, Any]] = {}
    paths, sources = dict(project.paths), dict(project.sources)
    for kind, table in TABLES.items():
        tables[table] = dict(getattr(project, table))
        for doc_id, doc in getattr(project, table).items():
            path = project.paths[(kind, doc_id)]
            twin = f"{path}.copy.yaml"
            source = project.sources[path]
            source.value("")  # positions found, so they can be copied
            moved = {p: dataclasses.replace(s, path=twin) for p, s in source.values.items()}
            sources[twin] = SourceMap(twin, moved, {p: dataclasses.replace(s, path=twin)
                                                    for p, s in source.keys.items()})
            tables[table][f"{doc_id}-copy"] = doc.model_copy(update={"id": f"{doc_id}-copy"})
            paths[(kind, f"{doc_id}-copy")] = twin
    return dataclasses.replace(project, paths=paths, sources=sources, **tables)  # type: ignore[arg-type]


def per_document_problems(project: Project, code: str) -> list[str]:
    """How `code` breaks its per-document declaration in `project`: a document checked with
    only itself (and what it shows) beside the context must give exactly its findings in the
    whole playbook, and nothing placed in another document."""
    documents = [(kind, doc_id) for kind, doc_id, _ in project.documents() if kind in TABLES]
    whole = found(project, code)
    context = found(only(project, set()), code)
    union = Counter(context)
    wrong = []
    for document in documents:
        path = project.paths[document]
        shown = {d for d in incremental.dependents(project, *document) if d in project.paths}
        companions = {project.paths[d] for d in shown} - {path}
        for item, n in found(only(project, {document} | shown), code).items():
            where = item[0].path  # type: ignore[attr-defined]
            if where == path:
                union[item] += n
            elif where not in companions and context[item] < n:
                wrong.append(f"{code} checking {path} reported at {item[0]}")
    if union != whole:
        differ = sorted(map(str, (union - whole) + (whole - union)))[:2]
        wrong.append(f"{code}: one document at a time differs: {differ}")
    return wrong


class Shown:
    """A document, or a part of it, that shows a rule only the fields `spec` names (a field's
    own spec, if any, says what its items show): what a rule that reads `through` a view of
    the documents may look at. Any other field raises `Undeclared`."""

    def __init__(self, model: Any, spec: Mapping[str, Any]) -> None:
        self._model, self._spec = model, spec

    def __getattr__(self, name: str) -> Any:
        if name not in self._spec:
            raise Undeclared(f"{type(self._model).__name__}.{name}")
        value, inner = getattr(self._model, name), self._spec[name]
        if inner is None:
            return value
        return [Shown(item, inner) for item in value] if isinstance(value, list) else Shown(value, inner)


ROUTES = {"routes": None, **{name: {"routes": None} for name in incremental.ROUTED_LISTS}}
"""What a rule read `through_schedule` may see of a document besides `lint.schedules.planned`."""
REFERENCES = {"id": None, "extends": None, "columns": {"id": None}, "daily": {"column": None},
              "materials": {"id": None}, "rewards": {"id": None},
              **{name: {"reward": None} for name in ("encouraged", "forbidden", "required")}}
"""What a rule read `through_references` may see of a document besides the references
(`lint.references.referenced` shows the same)."""


def shown(project: Project, code: str, spec: Mapping[str, Any]) -> Project:
    """The project with the documents of the kinds `code` reads shown through `spec`, and the
    others hidden."""
    return dataclasses.replace(project, **{  # type: ignore[arg-type]
        table: {i: Shown(d, spec) for i, d in getattr(project, table).items()} if kind in RULES[code].reads
        else Forbidden() for kind, table in TABLES.items()})


def through_schedule_problems(project: Project, code: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How `code` breaks its `through_schedule` declaration: with the schedule worked out from
    the real documents but the documents themselves shown as `RoutesOnly`, it must find what
    it finds in the real project."""
    windows = schedules.horizon(project)
    sent = {window: broadcasts(project, *window) for window in windows}
    masked = shown(project, code, ROUTES)
    with monkeypatch.context() as patched:
        patched.setattr(schedules, "horizon", lambda _: windows)
        patched.setattr(schedules, "broadcasts", lambda _, first, last, *__: sent[(first, last)])
        try:
            seen = found(masked, code)
        except Undeclared as err:
            return [f"{code} reads more than the schedule and the routes ({err})"]
    return [] if seen == found(project, code) else [f"{code} finds otherwise through the schedule alone"]


class RoutedOnly:
    """A scheduled document that shows a rule only its routes, its dated items' routes and the
    text of those items a group robot may post (`incremental.routed`)."""

    def __init__(self, document: Any) -> None:
        self._document = document

    def __getattr__(self, name: str) -> Any:
        own = getattr(self._document, "routes", None)
        if name == "routes":
            return own
        if name not in incremental.ROUTED_LISTS:
            raise Undeclared(f"{type(self._document).__name__}.{name}")
        items = []
        for item in getattr(self._document, name):
            robot = "wecom_robot" in (getattr(item, "routes", None) or own or ())
            items.append(Shown(item, {"routes": None, **({"text": None} if robot else {})}))
        return items


def through_routes_problems(project: Project, code: str) -> list[str]:
    """How `code` breaks its `through_routes` declaration: shown the documents as `RoutedOnly`,
    it must find what it finds in the real project."""
    masked = dataclasses.replace(project, **{  # type: ignore[arg-type]
        table: {i: RoutedOnly(d) for i, d in getattr(project, table).items()} if kind in RULES[code].reads
        else Forbidden() for kind, table in TABLES.items()})
    try:
        seen = found(masked, code)
    except Undeclared as err:
        return [f"{code} reads more than the routes and the routed texts ({err})"]
    return [] if seen == found(project, code) else [f"{code} finds otherwise through the routes alone"]


def through_references_problems(project: Project, code: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How `code` breaks its `through_references` declaration: with the references collected
    from the real documents but the documents shown through `REFERENCES`, it must find what
    it finds in the real project."""
    collected = references._collect(project)
    masked = shown(project, code, REFERENCES)
    with monkeypatch.context() as patched:
        patched.setattr(references, "_collect", lambda _: collected)
        try:
            seen = found(masked, code)
        except Undeclared as err:
            return [f"{code} reads more than the references and what they name ({err})"]
    return [] if seen == found(project, code) else [f"{code} finds otherwise through the references alone"]


def counted(findings: Any) -> Counter[tuple[object, ...]]:
    return Counter((f.span, f.message, f.help, f.related) for f in findings)


def by_part_problems(project: Project, code: str) -> list[str]:
    """How `code` breaks its `by_part` declaration: each connected part of the scheduled
    documents, checked alone within the whole project's horizon, must give exactly the
    findings the whole project has there; and `linked` must find each part from any of its
    documents."""
    window = tuple(schedules.horizon(project))
    parts: dict[int, set[tuple[str, str]]] = {}
    for key, number in schedules.connected(project).items():
        parts.setdefault(number, set()).add(key)
    scopes = incremental._scopes(project)
    union: Counter[tuple[object, ...]] = Counter()
    wrong = []
    for keys in parts.values():
        union += found(dataclasses.replace(only(project, keys), horizon=window), code)
        if schedules.linked(project, [min(keys)], scopes) != keys:
            wrong.append(f"linked() does not find the part of {min(keys)}")
    if union != found(project, code):
        wrong.append(f"{code}: part by part differs from the whole")
    return wrong


def by_operator_problems(project: Project, code: str) -> list[str]:
    """How `code` breaks its `by_operator` declaration: its findings gathered from the parts
    must be its findings, and each operator's part, computed from only the documents that post
    to Moments in the operator's groups (on that channel), must be the part computed from all."""
    parts_of = RULES[code].by_operator
    assert parts_of is not None
    compute, gather = parts_of
    forget()
    parts = compute(project, None)
    same = counted(gather(project, parts, None)) == found(project, code)
    wrong = [] if same else [f"{code}: gathered from its parts differs from the whole"]
    window = tuple(schedules.horizon(project))
    scopes = incremental._scopes(project)
    for operator in sorted({group.operator for group in project.groups.values()}):
        groups = {g for g, group in project.groups.items() if group.operator == operator}
        keys = {key for key, reached in scopes.items()
                if reached & groups and incremental._posts_moments(getattr(project, TABLES[key[0]])[key[1]])}
        forget()
        part = dataclasses.replace(only(project, keys), horizon=window, channels=incremental.MOMENTS)
        if list(compute(part, frozenset({operator})).get(operator, [])) != list(parts.get(operator, [])):
            wrong.append(f"{code}: the part of operator {operator} differs when computed alone")
    forget()
    return wrong


@pytest.mark.parametrize(("name", "where"), corpora(), ids=[n for n, _ in corpora()])
def test_every_rule_keeps_to_its_declaration(name: str, where: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_of(name, where, tmp_path)
    doubled = with_copies(project)
    wrong = []
    for code, rule in sorted(RULES.items()):
        if rule.per_document:
            wrong += per_document_problems(project, code) + per_document_problems(doubled, code)
        elif rule.through_schedule:
            wrong += through_schedule_problems(project, code, monkeypatch)
            wrong += by_part_problems(project, code) if rule.by_part else []
            wrong += by_operator_problems(project, code) if rule.by_operator else []
        elif rule.through_references:
            wrong += through_references_problems(project, code, monkeypatch)
        elif rule.through_routes:
            wrong += through_routes_problems(project, code)
        elif rule.reads != EVERY_KIND:
            hidden = {table: Forbidden() for kind, table in TABLES.items() if kind not in rule.reads}
            try:
                found(dataclasses.replace(project, **hidden), code)
            except Undeclared as err:
                wrong.append(f"{code} reads an undeclared kind ({err})")
    assert wrong == []


def test_the_declarations_leave_the_expensive_rules_reusable() -> None:
    """What the benchmark's edit (a group-rules file) relies on: the template, length and
    personal-data rules are per document, and the schedule rules do not read group rules."""
    assert all(RULES[c].per_document for c in ("PB201", "PB204", "PB206", "PB301", "PB703"))
    assert all("GroupRules" not in RULES[c].reads for c in ("PB401", "PB402", "PB403", "PB408", "PB421"))
    assert all(RULES[c].through_schedule for c in ("PB401", "PB402", "PB403", "PB406", "PB408", "PB421"))


# -- whole runs ---------------------------------------------------------------------------------

@pytest.fixture
def reran(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The lint codes each incremental run checked again, on the whole playbook or (a rule kept
    in parts) on the parts the edit touched."""
    runs: list[list[str]] = []
    real = Memory.lint

    def spying(self: Memory, project: Project, codes: Any) -> dict[str, list[Finding]]:
        result = real(self, project, codes)
        runs.append(sorted(self.rerun + self.in_parts))
        PARTS.append(self.in_parts)
        return result

    PARTS.clear()
    monkeypatch.setattr(Memory, "lint", spying)
    return runs


PARTS: list[list[str]] = []
"""The lint codes each incremental run (spied on by `reran`) checked on parts only."""


def touch(path: Path) -> None:
    """An edit that changes nothing but the bytes: a comment at the end."""
    path.write_text(path.read_text("utf-8") + "# an edit\n", "utf-8")


def primed(run_cli: RunCli, root: Path) -> None:
    """Leave the state of a check of `root` (the first check of a playbook keeps none)."""
    run_cli("validate", root)
    run_cli("validate", "--fail-level", "warning", root)  # another key: a miss, which keeps it
    assert (root / STATE).is_file()


def test_the_first_check_keeps_no_state_a_later_one_does(tmp_path: Path, run_cli: RunCli,
                                                         reran: list[list[str]]) -> None:
    """A fresh clone checked once (CI) does not pay for keeping the state; an editor's
    second check does, and its third reuses it."""
    root = base_copy(tmp_path)
    run_cli("validate", root)
    assert (root / ".playbook" / "cache" / "validate.json").is_file() and not (root / STATE).exists()
    assert reran == []  # not even looked for
    rules = root / "rules" / "base.yaml"
    rules.write_text(rules.read_text("utf-8") + "# an edit\n", "utf-8")
    same_as_from_scratch(run_cli, root)
    assert (root / STATE).is_file() and set(reran[0]) == set(RULES)  # nothing to reuse yet
    rules.write_text(rules.read_text("utf-8") + "# another\n", "utf-8")
    same_as_from_scratch(run_cli, root)
    assert set(reran[1]) < set(RULES)


def same_as_from_scratch(run_cli: RunCli, root: Path) -> tuple[int, str, str]:
    incremental_run = run_cli("validate", root)
    assert incremental_run == run_cli("validate", "--no-cache", root)
    return incremental_run


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}-{c.name}" for c in CASES])
def test_each_lint_case_edit_gives_the_result_of_a_check_from_scratch(
        case: Path, tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    root = base_copy(tmp_path)
    primed(run_cli, root)  # the state of the clean base
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".playbook" not in p.parts}
    overlay(case, root)
    same_as_from_scratch(run_cli, root)
    for path in root.rglob("*"):  # and back: the case's files removed or restored
        if path.is_file() and ".playbook" not in path.parts and path not in before:
            path.unlink()
    for path, data in before.items():
        path.write_bytes(data)
    assert same_as_from_scratch(run_cli, root)[1].endswith("no problems.\n")
    assert len(reran) == 3  # the base, the edit, and back


def test_an_edit_of_one_rules_file_reuses_the_rules_that_cannot_see_it(
        tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    root = base_copy(tmp_path)
    primed(run_cli, root)
    rules = root / "rules" / "base.yaml"
    rules.write_text(rules.read_text("utf-8") + "# an edit\n", "utf-8")
    same_as_from_scratch(run_cli, root)
    checked_again = set(reran[1])  # reran[0]: the first run, from scratch
    assert checked_again, "rules reading group rules are checked again"
    assert all("GroupRules" in RULES[c].reads and not RULES[c].per_document for c in checked_again)
    assert not checked_again & {"PB201", "PB301", "PB401", "PB703"}


def test_a_calendar_is_checked_again_when_a_pack_it_shows_changes(tmp_path: Path, run_cli: RunCli) -> None:
    """A calendar slot renders the pack it names (`{{ pack.product.name }}`): a longer product
    name makes the calendar's message too long (PB301), though the calendar did not change."""
    root = base_copy(tmp_path)
    overlay(LINT / "PB701" / "pass", root)  # the base, with a slot that shows the pack's product
    playbook = root / "playbook.yaml"
    playbook.write_text(playbook.read_text("utf-8").replace(
        "  - id: wechat_group\n", "  - id: wechat_group\n    message_max_bytes: 2000\n", 1), "utf-8")
    first = same_as_from_scratch(run_cli, root)
    assert " PB301 " not in first[1]
    pack = root / "packs" / "demo-pack" / "pack.yaml"
    text = pack.read_text("utf-8")
    assert "name: 红枣枸杞茶" in text
    pack.write_text(text.replace("name: 红枣枸杞茶", "name: " + "红枣枸杞茶" * 300, 1), "utf-8")
    second = same_as_from_scratch(run_cli, root)
    assert "calendars/daily.yaml" in second[1] and " PB301 " in second[1]
    calendar = root / "calendars" / "daily.yaml"  # now the calendar alone: it is checked with its pack
    calendar.write_text(calendar.read_text("utf-8").replace('at: "08:30"', 'at: "08:40"', 1), "utf-8")
    third = same_as_from_scratch(run_cli, root)
    assert third == second  # the same findings: the calendar still shows the long name


SCHEDULE_RULES = {code for code, rule in RULES.items() if rule.through_schedule}


def test_an_edit_the_schedule_does_not_show_reuses_the_schedule_rules(
        tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    """A pack's title, a member-triggered script or a moved line leave the schedule as it was:
    the schedule rules keep their findings, unless one stands where the lines moved."""
    root = base_copy(tmp_path)
    overlay(LINT / "PB401" / "fail", root)  # a clash: the finding in the pack, its note in the calendar
    primed(run_cli, root)
    pack, calendar = root / "packs" / "demo-pack" / "pack.yaml", root / "calendars" / "daily.yaml"
    clash = "packs/demo-pack/pack.yaml:44:9: error PB401 launch step 'first-report'"

    def edit(path: Path, old: str, new: str) -> tuple[int, str, str]:
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), "utf-8")
        return same_as_from_scratch(run_cli, root)

    assert clash in edit(pack, "title: 示例爆品", "title: 示例好品")[1]
    assert not set(reran[-1]) & SCHEDULE_RULES
    edit(root / "scripts" / "join.yaml", "\n", "\n# a line that moves every position below it\n")
    assert not set(reran[-1]) & SCHEDULE_RULES  # nothing of theirs stands in the script
    moved = edit(pack, "\n", "\n# the same here, above the clash\n")
    assert clash.replace(":44:", ":45:") in moved[1] and "PB401" in reran[-1]
    edit(calendar, "\n", "\n# and in the calendar, where its note stands\n")
    assert "PB401" in reran[-1]
    assert " PB401 " not in edit(pack, "at: +1h", "at: +1h5m")[1]  # the schedule itself changed
    assert set(reran[-1]) >= SCHEDULE_RULES
    assert set(PARTS[-1]) == {c for c in SCHEDULE_RULES if RULES[c].by_part or RULES[c].by_operator}
    assert " PB401 " in edit(pack, "at: +1h5m", "at: +1h")[1] and "PB401" in PARTS[-1]  # and back


def test_an_edit_that_leaves_the_references_reuses_the_reference_rules(
        tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    """A text or a time changes no reference and no id one resolves to: the reference rules
    keep their findings; a new reward, column or material is what they must see."""
    root = base_copy(tmp_path)
    primed(run_cli, root)
    rules, calendar = root / "rules" / "base.yaml", root / "calendars" / "daily.yaml"
    reference_rules = {code for code, rule in RULES.items() if rule.through_references}

    def edit(path: Path, old: str, new: str) -> str:
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), "utf-8")
        return same_as_from_scratch(run_cli, root)[1]

    edit(rules, "text: 禁止发广告", "text: 禁止发任何广告")
    assert reran[-1] and not set(reran[-1]) & reference_rules
    edit(calendar, 'at: "08:30"', 'at: "08:40"')
    assert not set(reran[-1]) & reference_rules
    criteria = "    criteria: 每周反馈最多的成员\n"
    reward = "  - id: monthly-star\n    name: 月度之星\n    criteria: 每月\n"
    unearned = edit(rules, criteria, criteria + reward)
    assert "PB115 reward 'monthly-star' is never earned" in unearned and "PB115" in reran[-1]
    column = "  - id: store-review\n    name: 门店点评\n    description: 店主点评\n"
    unposted = edit(calendar, "columns:\n", "columns:\n" + column)
    assert "PB115 column 'store-review' is never posted" in unposted and "PB115" in reran[-1]


def test_an_edit_of_a_text_no_robot_posts_leaves_the_route_rule_alone(
        tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    """PB307 reads the routes and the texts a group robot may post: another slot's text (sent by
    company group send) does not run it again; shortening the robot's text does, and its
    finding goes."""
    root = base_copy(tmp_path)
    overlay(LINT / "PB307" / "fail", root)
    primed(run_cli, root)
    calendar = root / "calendars" / "daily.yaml"
    text = calendar.read_text("utf-8")
    calendar.write_text(text.replace("text: 早安,", "text: 大家早安,", 1), "utf-8")
    assert " PB307 text is 2,100 bytes" in same_as_from_scratch(run_cli, root)[1]
    assert "PB307" not in reran[-1]
    calendar.write_text(calendar.read_text("utf-8").replace("长" * 100, "", 1), "utf-8")
    assert " PB307 text is" not in same_as_from_scratch(run_cli, root)[1] and "PB307" in reran[-1]


def test_the_schedule_rules_run_again_when_the_horizon_moves(
        tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    """A pack that reaches no open group sends nothing, yet its timeline widens the horizon the
    schedule rules look at: lengthening it changes what they find in the calendar."""
    root = base_copy(tmp_path)
    playbook = root / "playbook.yaml"
    playbook.write_text(playbook.read_text("utf-8").replace("groups:\n", (
        "groups:\n  - id: g-late\n    name: 晚开的群\n    type: late-official\n    operator: op-a\n"
        "    opened: 2027-05-01\n"), 1).replace("operators:\n", (
        "  - id: late-official\n    name: 晚开官方群\n    positioning: shopping_guide\n"
        "    purpose: 晚些开的群\n    layer: middle\n    platform: wecom_customer_group\n"
        "    target_size: 180\noperators:\n"), 1) + "settings:\n  max_pushes_per_day: 1\n", "utf-8")
    late = root / "packs" / "late-pack" / "pack.yaml"
    late.parent.mkdir()
    text = (root / "packs" / "demo-pack" / "pack.yaml").read_text("utf-8")
    late.write_text(text.replace("id: demo-pack", "id: late-pack").replace(
        '"2026-12-03 10:00"', '"2027-03-01 10:00"').replace("[middle-official]", "[late-official]").replace(
        "review:", "  - id: wrap-up\n    phase: closing_review\n    at: +1d\n    sender: assistant\n"
        "    text: 收尾。\nreview:"), "utf-8")
    primed(run_cli, root)
    before = same_as_from_scratch(run_cli, root)[1]
    assert " PB402 " in before
    late.write_text(late.read_text("utf-8").replace("at: +1d\n", "at: +2d\n"), "utf-8")
    after = same_as_from_scratch(run_cli, root)[1]
    assert "PB402" in reran[-1] and after != before  # one more day of the calendar is looked at


def test_a_check_from_scratch_keeps_the_operators_parts(
        tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    """The state a whole check keeps holds PB421's per-operator parts, so the first edit after
    it that moves a Moments post counts again only that post's operators, with the result of a
    check from scratch."""
    root = base_copy(tmp_path)
    overlay(LINT / "PB421" / "fail", root)
    primed(run_cli, root)
    assert set(reran[-1]) == set(RULES)  # the state primed holds a check of everything
    state = incremental._load(root)
    assert state is not None and state.rules["PB421"].parts is not None
    assert state.rules["PB421"].parts["op-a"], "op-a has days out of range"
    calendar = root / "calendars" / "daily.yaml"
    text = calendar.read_text("utf-8")
    assert "channel: moments_post" in text
    calendar.write_text(text.replace('at: "08:30"', 'at: "08:35"', 1), "utf-8")
    assert " PB421 " in same_as_from_scratch(run_cli, root)[1]
    assert "PB421" in PARTS[-1]


def test_the_state_is_the_same_made_in_one_process_or_two(
        tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no state to start from, the state-keeping check reads and validates every file, in
    two processes on a large playbook (`validate.checked_files`): each file's kept outcome, and
    what the next edit prints, are those of one process."""
    import os
    import pickle

    from playbook import forked, validate

    pids = tmp_path / "pids"  # each process that validates a file, from the child too
    real = validate.validate_file

    def validating(loaded: Any) -> Any:
        with pids.open("a", encoding="ascii") as log:
            log.write(f"{os.getpid()}\n")
        return real(loaded)

    monkeypatch.setattr(validate, "validate_file", validating)
    made: dict[str, dict[str, Any]] = {}
    printed: dict[str, tuple[int, str, str]] = {}
    for processes in ("1", "2"):
        monkeypatch.setenv(forked.VARIABLE, processes)
        root = base_copy(tmp_path / processes)
        overlay(LINT / "PB421" / "fail", root)
        run_cli("validate", root)  # a first check keeps no state
        pids.unlink(missing_ok=True)
        run_cli("validate", "--fail-level", "warning", root)  # this one makes it, from scratch
        assert len(set(pids.read_text("ascii").split())) == int(processes)
        state = incremental._load(root)
        assert state is not None
        made[processes] = {rel: pickle.loads(kept[1]) for rel, kept in state.files.items()}
        calendar = root / "calendars" / "daily.yaml"
        calendar.write_text(calendar.read_text("utf-8").replace('at: "08:30"', 'at: "08:35"', 1), "utf-8")
        printed[processes] = same_as_from_scratch(run_cli, root)
    assert made["1"] == made["2"] and len(made["1"]) >= 4  # some validated in each process
    assert printed["1"] == printed["2"] and " PB421 " in printed["1"][1]


def test_a_forged_state_is_not_used(tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    root = base_copy(tmp_path)
    primed(run_cli, root)
    state = root / STATE
    tag, _, body = state.read_bytes().partition(b"\n")
    state.write_bytes(tag + b"\n" + body[:-1] + bytes([body[-1] ^ 1]))  # one bit of the body
    touch(root / "rules" / "base.yaml")
    same_as_from_scratch(run_cli, root)
    assert set(reran[1]) == set(RULES)  # nothing was reused: every rule ran
    assert incremental._load(root) is not None  # and a sound state was stored again


def test_a_state_of_another_tool_is_not_used(tmp_path: Path, run_cli: RunCli, reran: list[list[str]],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = base_copy(tmp_path)
    primed(run_cli, root)
    monkeypatch.setattr(cache, "_tool_digest", "another version")
    touch(root / "rules" / "base.yaml")
    same_as_from_scratch(run_cli, root)
    assert set(reran[1]) == set(RULES)


def test_a_broken_file_then_its_fix(tmp_path: Path, run_cli: RunCli) -> None:
    """The editor's path: a save with a typo (the file does not validate), then the fix."""
    root = base_copy(tmp_path)
    primed(run_cli, root)
    script = root / "scripts" / "join.yaml"
    good = script.read_text("utf-8")
    script.write_text(good.replace("steps:", "stepz:", 1), "utf-8")
    broken = same_as_from_scratch(run_cli, root)
    assert broken[0] == 1 and " PB020 " in broken[1]
    script.write_text(good, "utf-8")
    assert same_as_from_scratch(run_cli, root)[1].endswith("no problems.\n")


def test_a_planted_huge_state_is_not_used(tmp_path: Path, run_cli: RunCli, reran: list[list[str]]) -> None:
    """A pull request can force-add a file at the state's place; one far larger than any state of
    this playbook could be is skipped by its size, before a byte of it is read or hashed."""
    root = base_copy(tmp_path)
    primed(run_cli, root)
    size = (root / STATE).stat().st_size
    assert cache.load_blob(root, incremental.STATE_FILE, size) is not None
    assert cache.load_blob(root, incremental.STATE_FILE, size - 1) is None  # too large: skipped
    assert incremental._largest_state(cache.inputs(root)) < 300 * 1024 * 1024
    with (root / STATE).open("r+b") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: no disk is used
    rules = root / "rules" / "base.yaml"
    rules.write_text(rules.read_text("utf-8") + "# x\n", "utf-8")
    same_as_from_scratch(run_cli, root)
    assert len(reran) == 2 and set(reran[-1]) == set(RULES)  # nothing reused
    assert incremental._load(root) is not None  # a sound state replaced it


def test_build_export_and_agenda_reuse_the_state_with_the_same_results(
        tmp_path: Path, run_cli: RunCli, reran: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands that check the playbook before their work use the last check's state too
    (`incremental.checked`): the bundle is byte-identical, and a broken edit stops them with the
    diagnostics a check from scratch prints."""
    root = base_copy(tmp_path)
    primed(run_cli, root)
    touch(root / "rules" / "base.yaml")
    week = ("--from", "2026-11-23", "--to", "2026-11-29", "--quiet")
    assert run_cli("export", root, *week, "--out", tmp_path / "kept")[0] == 0
    assert set(reran[-1]) < set(RULES), "the export's check reused the state"
    agenda = run_cli("agenda", root)
    script = root / "scripts" / "join.yaml"
    script.write_text(script.read_text("utf-8").replace("steps:", "stepz:", 1), "utf-8")
    stopped = run_cli("build", root)
    monkeypatch.setenv(cache.DISABLE_VARIABLE, "1")
    assert run_cli("build", root) == stopped and stopped[0] == 1 and " PB020 " in stopped[2]
    script.write_text(script.read_text("utf-8").replace("stepz:", "steps:", 1), "utf-8")
    assert run_cli("export", root, *week, "--out", tmp_path / "fresh")[0] == 0
    assert tree(tmp_path / "kept") == tree(tmp_path / "fresh")
    assert run_cli("agenda", root) == agenda


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
