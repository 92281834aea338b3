"""Validation: loaded files -> a frozen `Project`, or the full list of what is wrong.

Every file is checked, and every problem in it reported, before anything is given up on.
pydantic errors are mapped to stable codes (PB02x) and to the exact key or value they
concern, with a "did you mean" where a close match exists.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from playbook import forked
from playbook.codes import diagnostic
from playbook.diagnostics import Diagnostic, Related
from playbook.files import FileRefused, PlaybookFiles
from playbook.loader import LoadedFile, Tree, index, load_file, scan
from playbook.models import API_VERSION, KINDS, Document
from playbook.models.base import MessageContent
from playbook.models.packs import Material, MaterialPack
from playbook.models.playbook import Group, Playbook, Roster
from playbook.models.project import Project
from playbook.models.versions import VERSIONS
from playbook.platforms import effective
from playbook.source import SourceMap, Span, join
from playbook.suggest import closest, did_you_mean
from playbook.walk import models_in

_CODE_BY_TYPE = {
    "extra_forbidden": "PB020",
    "missing": "PB021",
    "literal_error": "PB023",
    "enum": "PB023",
    "clock_time": "PB024",
    "date": "PB025",
    "time_zone": "PB026",
    "offset": "PB027",
    "rrule": "PB028",
    "semver": "PB029",
    "duplicate_item_id": "PB034",
}
_EXPECTED = {
    "string_type": "text", "text": "text",
    "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "list_type": "a list", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping",
}


@dataclass
class Validated:
    """The outcome: a project when nothing is wrong enough to stop, and every diagnostic."""

    project: Project | None
    diagnostics: list[Diagnostic]
    files_checked: int
    partial: Project | None = None
    """When some documents are broken but playbook.yaml (and roster.yaml) are sound: the project
    of every document that validated, so lint can still check those in the same run."""
    broken_kinds: frozenset[str] = frozenset()
    """The kinds of the documents left out of `partial`."""


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _pointer(loc: tuple[int | str, ...]) -> str:
    ptr = ""
    for part in loc:
        ptr = join(ptr, part)
    return ptr


def _location(loc: tuple[int | str, ...]) -> str:
    """('steps', 0, 'at') -> 'steps[0].at', as an editor reads it."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that holds the mapping at `loc`, for suggesting key names."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
        elif isinstance(part, int):
            args = getattr(current, "__args__", ())
            current = args[0] if args else None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        meta = getattr(annotation, "__metadata__", None)
        if meta is not None:  # Annotated[X, ...]
            annotation = annotation.__origin__
            continue
        args = getattr(annotation, "__args__", None)
        origin = getattr(annotation, "__origin__", None)
        if args and origin is not list and origin is not dict:  # X | None
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                return models[0]
        return annotation


def _error_diagnostic(error: ErrorDetails, model: type[Document], source: SourceMap) -> Diagnostic:
    loc = tuple(error["loc"])
    kind = error["type"]
    ptr = _pointer(loc)
    where = _location(loc)
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        allowed = sorted(f.alias or n for n, f in parent.model_fields.items()) if parent else []
        hint = did_you_mean(key, allowed)
        if hint is None and allowed:
            hint = "allowed keys here: " + ", ".join(allowed)
        return diagnostic("PB020", source.key(ptr), f"unknown key '{key}'", help=hint)
    if kind == "missing":
        return diagnostic("PB021", source.value(_pointer(loc[:-1])),
                          f"missing required key '{loc[-1]}'")
    if kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        shown = ", ".join(choices)
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else None
        return diagnostic("PB023", source.value(ptr),
                          f"{where}: {_describe(value)} is not one of: {shown}", help=hint)
    if kind in _EXPECTED:
        return diagnostic("PB022", source.value(ptr),
                          f"{where} should be {_EXPECTED[kind]}, not {_describe(value)}")
    if kind == "duplicate_item_id":
        ctx = error.get("ctx", {})
        first = source.value(join(join(ptr, ctx["first"]), "id"))
        return diagnostic("PB034", source.value(join(join(ptr, ctx["index"]), "id")),
                          f"{where}: the id '{ctx['id']}' is used twice in this list",
                          related=(Related(first, f"'{ctx['id']}' first used here"),))
    code = _CODE_BY_TYPE.get(kind, "PB030")
    message = error["msg"].removeprefix("Value error, ")
    if kind in ("too_short", "too_long"):
        message = message.replace(" after validation", "")
    return diagnostic(code, source.value(ptr), f"{where}: {message}")


def _check_header(loaded: LoadedFile, data: dict[str, Any]) -> list[Diagnostic]:
    src = loaded.source
    problems = []
    version = data.get("apiVersion")
    if version is None:
        problems.append(diagnostic("PB021", src.value(""), "missing required key 'apiVersion'",
                                   help=f"add `apiVersion: {API_VERSION}`"))
    elif isinstance(version, list | dict):
        problems.append(diagnostic("PB022", src.value("/apiVersion"),
                                   f"apiVersion should be text, not {_describe(version)}",
                                   help=f"write `apiVersion: {API_VERSION}`"))
    elif version != API_VERSION:
        problems.append(diagnostic(
            "PB013", src.value("/apiVersion"), f"unknown apiVersion '{version}'",
            help=f"run `playbook migrate` to rewrite it to `{API_VERSION}`" if version in VERSIONS
            else f"this tool reads `{API_VERSION}`"))
    kind = data.get("kind")
    if kind is None:
        problems.append(diagnostic("PB012", src.value(""), "missing required key 'kind'",
                                   help=f"this file should say `kind: {loaded.expected_kind}`"))
    elif isinstance(kind, list | dict):  # not a name at all (and not hashable: no lookup)
        problems.append(diagnostic("PB022", src.value("/kind"), f"kind should be text, not {_describe(kind)}",
                                   help=f"this file should say `kind: {loaded.expected_kind}`"))
    elif kind not in KINDS:
        problems.append(diagnostic(
            "PB014", src.value("/kind"), f"unknown kind '{kind}'",
            help=did_you_mean(str(kind), list(KINDS)) or "kinds: " + ", ".join(KINDS)))
    elif kind != loaded.expected_kind:
        problems.append(diagnostic(
            "PB015", src.value("/kind"),
            f"a {kind} document cannot live at {loaded.path}; this place holds "
            f"{loaded.expected_kind} documents"))
    return problems


def _under(ptr: str, roots: set[str]) -> bool:
    return any(ptr == root or ptr.startswith(root + "/") for root in roots)


Checked = tuple[Document | None, list[Diagnostic]]
"""One file's outcome: its document when sound, and its problems (loader's and model's)."""


def validate_file(loaded: LoadedFile) -> Checked:
    """Check one file (its outcome depends on nothing else). Loader problems and model problems
    are reported together; a model error at a value the loader refused (a forbidden tag, say)
    is left out as noise."""
    problems = list(loaded.diagnostics)
    if loaded.data is None:
        return None, problems
    header = _check_header(loaded, loaded.data)
    if header:
        return None, problems + header
    model = KINDS[loaded.expected_kind]
    try:
        doc = model.model_validate(loaded.data)
    except ValidationError as err:
        for error in err.errors():
            if not _under(_pointer(tuple(error["loc"])), loaded.poisoned):
                problems.append(_error_diagnostic(error, model, loaded.source))
        return None, problems
    return (None if problems else doc), problems


def _check_path(base: str, target: str, where: str, source: SourceMap, tree: Tree,
                what: str) -> Diagnostic | None:
    resolved = posixpath.normpath(posixpath.join(base, target))
    if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
        return diagnostic("PB032", source.value(where),
                          f"{what} '{target}' points outside the playbook folder")
    if resolved not in tree.files:
        refusal = _refusal(resolved, tree.refused)
        if refusal is not None:
            return refusal.diagnostic(source.value(where), what)
        return diagnostic("PB033", source.value(where),
                          f"{what} '{target}' does not exist (looked for {resolved})",
                          help=_similar_file(target, resolved, tree.files))
    return None


def _similar_file(target: str, resolved: str, files: frozenset[str]) -> str | None:
    """Did-you-mean for a missing file: the closest name among the files of its folder
    (`price_ladder.png` finds `price-ladder.png`), written as the reference was."""
    folder, name = posixpath.split(resolved)
    names = [posixpath.basename(f) for f in files if posixpath.dirname(f) == folder]
    close = closest(name, names)
    if close is None:
        return None
    return f"did you mean '{target[: len(target) - len(posixpath.basename(target))]}{close}'?"


def _refusal(resolved: str, refused: Mapping[str, FileRefused]) -> FileRefused | None:
    """Why the file-access layer refused `resolved` or a folder on its way, if it did."""
    parts = resolved.split("/")
    for end in range(len(parts), 0, -1):
        found = refused.get("/".join(parts[:end]))
        if found is not None:
            return found
    return None


def _check_paths(path: str, doc: Document, source: SourceMap, tree: Tree) -> list[Diagnostic]:
    """Attachments and media resolve against the document's folder; templates against templates/."""
    folder = posixpath.dirname(path)
    found = []
    for ptr, node in models_in(doc):
        checks: list[tuple[str, str, str, str]] = []
        if isinstance(node, MessageContent):
            checks += [(folder, a, join(join(ptr, "attachments"), i), "attachment")
                       for i, a in enumerate(node.attachments)]
            if node.template is not None:
                checks.append(("templates", node.template, join(ptr, "template"), "template"))
        if isinstance(node, Material) and node.file is not None:
            checks.append((folder, node.file, join(ptr, "file"), "media file"))
        for base, target, where, what in checks:
            problem = _check_path(base, target, where, source, tree, what)
            if problem:
                found.append(problem)
    return found


def load_and_validate(root: Path) -> Validated:
    """`validate_tree(load_tree(root))`, on a large playbook in two processes (`checked_files`).
    Everything across files is done here."""
    access = PlaybookFiles(root)
    found = scan(access)
    checked = checked_files(access, found.documents)
    files, refused = index(access)
    tree = Tree(root, [loaded for loaded, _ in checked], files, access=access, refused=refused,
                problems=found.problems)
    return validate_tree(tree, {loaded.path: outcome for loaded, outcome in checked})


def checked_files(access: PlaybookFiles, documents: Sequence[tuple[str, str]]
                  ) -> list[tuple[LoadedFile, Checked]]:
    """Each of `documents` (path, kind) loaded and validated, in order; when they are many, in
    two processes (`playbook.forked`): the child loads and validates every other file while this
    process does the rest, and sends its files back, validated."""

    def check(part: Sequence[tuple[str, str]]) -> list[tuple[LoadedFile, Checked]]:
        done = []
        for rel, kind in part:
            loaded = load_file(access, rel, kind)
            outcome = validate_file(loaded)
            loaded.data = None  # validated: only the document is used from here on
            done.append((loaded, outcome))
        return done

    if forked.processes(len(documents)) < 2:
        return check(documents)
    for kind in sorted({kind for _, kind in documents} & KINDS.keys()):
        KINDS[kind].model_rebuild()  # built once, here, rather than in each process (`defer_build`)
    mine, theirs = documents[0::2], documents[1::2]
    here, there = forked.in_two(lambda: check(mine), lambda: check(theirs))
    sent = there if isinstance(there, list) and len(there) == len(theirs) else check(theirs)
    return [pair for pairs in itertools.zip_longest(here, sent) for pair in pairs if pair is not None]


def validate_tree(tree: Tree, known: Mapping[str, Checked] | None = None,
                  paths_checked: dict[str, list[Diagnostic]] | None = None) -> Validated:
    """Validate every loaded document and assemble the project when all is well.

    For `playbook.incremental`: `known` gives the outcome of files already checked (path ->
    outcome), which are not checked again; `paths_checked` (path -> problems) holds the problems
    of each document's attachment, media and template paths, as far as they are known (valid
    while the file list is the same), and receives those found here. Everything else across
    files is always checked."""
    problems: list[Diagnostic] = list(tree.problems)
    valid: list[tuple[LoadedFile, Document]] = []
    broken: set[str] = set()
    known = known or {}
    for loaded in tree.documents:
        outcome = known.get(loaded.path)
        doc, found = outcome if outcome is not None else validate_file(loaded)
        problems += found
        if doc is not None:
            valid.append((loaded, doc))
        else:
            broken.add(loaded.expected_kind)

    first: dict[tuple[str, str], LoadedFile] = {}
    unique: list[tuple[LoadedFile, Document]] = []
    for loaded, doc in valid:
        key = (loaded.expected_kind, doc.id)
        if key in first:
            other = first[key]
            problems.append(diagnostic(
                "PB031", loaded.source.value("/id"),
                f"{loaded.expected_kind} id '{doc.id}' is already used by {other.path}",
                related=(Related(other.source.value("/id"), f"'{doc.id}' first defined here"),)))
            continue
        first[key] = loaded
        unique.append((loaded, doc))
        checked = paths_checked.get(loaded.path) if paths_checked is not None else None
        if checked is None:
            checked = _check_paths(loaded.path, doc, loaded.source, tree)
            if paths_checked is not None:
                paths_checked[loaded.path] = checked
        problems += checked
        if isinstance(doc, MaterialPack) and loaded.path != f"packs/{doc.id}/pack.yaml":
            problems.append(diagnostic(
                "PB015", loaded.source.value("/id"),
                f"pack '{doc.id}' must live in packs/{doc.id}/pack.yaml, not {loaded.path}"))

    project = _assemble(tree, unique, problems)
    if not problems:
        return Validated(project, problems, len(tree.documents))
    # Lint the sound documents too (issue 18: every problem in one run), unless what all of them
    # hang on is broken: playbook.yaml, roster.yaml, or a file the loader could not even list.
    sound = not tree.problems and not broken & {"Playbook", "Roster"}
    return Validated(None, problems, len(tree.documents), partial=project if sound else None,
                     broken_kinds=frozenset(broken))


def _assemble(tree: Tree, docs: list[tuple[LoadedFile, Document]],
              problems: list[Diagnostic]) -> Project | None:
    """The project of the documents in `docs`, even when other problems were found (the caller
    decides what it may be used for); None without a playbook.yaml or with the groups in two places."""
    by_kind: dict[str, dict[str, Document]] = {kind: {} for kind in KINDS}
    paths: dict[tuple[str, str], str] = {}
    for loaded, doc in docs:
        by_kind[loaded.expected_kind][doc.id] = doc
        paths[(loaded.expected_kind, doc.id)] = loaded.path
    playbooks = list(by_kind["Playbook"].values())
    if not playbooks:
        return None
    playbook = playbooks[0]
    assert isinstance(playbook, Playbook)
    groups: list[Group] = list(playbook.groups)
    home: tuple[str, str] = ("Playbook", playbook.id)
    roster_doc: Roster | None = None
    for roster in by_kind["Roster"].values():
        assert isinstance(roster, Roster)
        if groups:
            problems.append(diagnostic(
                "PB035", Span("roster.yaml"),
                "groups are listed both in playbook.yaml and in roster.yaml"))
            return None
        groups = list(roster.groups)
        home, roster_doc = ("Roster", roster.id), roster
    return Project(
        root=tree.root,
        playbook=playbook,
        groups={g.id: g for g in groups},
        rules=by_kind["GroupRules"],  # type: ignore[arg-type]
        scripts=by_kind["OnboardingScript"],  # type: ignore[arg-type]
        calendars=by_kind["ActivityCalendar"],  # type: ignore[arg-type]
        packs=by_kind["MaterialPack"],  # type: ignore[arg-type]
        paths=paths,
        sources={loaded.path: loaded.source for loaded, _ in docs},
        suppressions={loaded.path: tuple(loaded.suppressions) for loaded, _ in docs
                      if loaded.suppressions},
        files=tree.files,
        platforms=effective(playbook),
        group_home=home,
        roster_document=roster_doc,
    )
