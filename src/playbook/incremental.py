"""Incremental `playbook validate`: after an edit, check again only what the edit can change.

A validate run that finds its result cache stale (`playbook.cache`: some file changed) still
has the previous run's work at hand, kept in ``ROOT/.playbook/cache/validate-state.pickle``:

* each document file's outcome (its source map, suppressions, validated document and
  problems), under a hash of its path, kind and bytes. A file whose hash is unchanged is not
  read into YAML or validated again; everything across files (duplicate ids, paths,
  assembling the project) is always done again, and costs little;
* each lint rule's findings, reused as the rule declares it may be (`lint.registry.Rule`):
  a rule that reads whole kinds of documents is run again, on the whole playbook, when a
  document of one of those kinds changed, was added or was removed; a per-document rule is
  run only on the documents that changed (a calendar also counts as changed when a pack its
  slots name did: `dependents`), and its findings in every other document are reused. A rule
  that reads its kinds `through_schedule` or `through_references` keeps its findings, though
  such a document changed, when every changed one shows it the same as before (schedules the
  same sends with the same routes, each expanded alone within the same horizon; makes the
  same references and defines the same ids for them), its old form taken from the state
  beside its new one, and none of the rule's findings stands in one whose positions moved.
  When the changed documents do move sends, a schedule rule declared `by_part` runs again on
  the documents linked to them (`schedules.linked`) and keeps its findings elsewhere, and one
  declared `by_operator` counts again only the operators whose posts they touch (each
  operator's part is kept in the state).

The lint part is reused only while the context is the same: the tool, today, playbook.yaml,
roster.yaml, templates/, the config, the file list and the refused paths
(`cache.context_digest`); a change there checks everything again. The result is the same,
diagnostic for diagnostic and in the same order, as a run from scratch: tests/test_incremental.py
compares the two after edits of every lint case, and holds every rule to its declaration.

The state is a pickle, the fastest way to keep 4,000 validated documents (loading it takes a
fifth of loading the YAML). Unpickling runs code, so it is only read when the HMAC tag it was
stored with verifies under this user's cache key (`playbook.cache_secret`), like every cache
entry; a forged, damaged or foreign state is ignored and the playbook is checked from scratch.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from playbook import cache, lint
from playbook.diagnostics import Diagnostic
from playbook.files import FileRefused, PlaybookFiles
from playbook.lint.references import referenced
from playbook.lint.registry import RULES, SCHEDULED, Finding, OperatorParts, Rule, forget
from playbook.lint.schedules import Window, horizon, linked, scope_of, windows_of
from playbook.loader import ROOT_FILES, LoadedFile, Tree, index, scan
from playbook.models.base import Document
from playbook.models.calendars import ActivityCalendar
from playbook.models.project import TABLES, Project
from playbook.schedule import Broadcast, broadcasts
from playbook.scope import groups_in
from playbook.source import SourceMap, Suppression
from playbook.validate import Checked, Validated, checked_files, validate_tree

if TYPE_CHECKING:
    from playbook.pipeline import Checked as CheckResult

STATE_FILE = "validate-state.pickle"
PROTOCOL = pickle.HIGHEST_PROTOCOL
FORMAT = 2
"""The layout of the state; bump it when the stored classes change."""
T = TypeVar("T")


@dataclass(frozen=True)
class FileState:
    """One document file as the last run checked it, but for its source map. Both are kept
    pickled on their own, under the digest of the file's path, expected kind and bytes, so an
    unchanged file's bytes are kept as they are; the source map is unpickled only when a
    problem in the file is reported (`_lazy_source`)."""

    suppressions: tuple[Suppression, ...]
    outcome: Checked


@dataclass(frozen=True)
class RuleState:
    """One rule's findings in the last run, and what they depended on."""

    findings: tuple[Finding, ...] = ()
    """A rule that reads whole kinds: all its findings."""
    reads_digest: str = ""
    """... and the digest of the documents of those kinds they were found in."""
    by_document: Mapping[str, tuple[str, tuple[Finding, ...]]] = field(default_factory=dict)
    """A per-document rule: document path -> (its key, `document_key`, and its findings)."""
    elsewhere: tuple[Finding, ...] = ()
    """A per-document rule's findings placed outside every document (from the context alone)."""
    parts: Mapping[str, tuple[Any, ...]] | None = None
    """A rule kept `by_operator`: each operator's part, when the rule's last run computed them."""


@dataclass(frozen=True)
class Shown:
    """How the changed documents of some kinds show a rule what it reads through a view,
    against the last run."""

    same: bool = False
    """They show it the same: the rule's findings hold (but where positions `moved`)."""
    moved: frozenset[str] = frozenset()
    partial: bool = False
    """None came, went or changed its id, and (for the schedule) the horizon is the same: a rule
    kept in parts can be run on the parts their sends touch."""
    changed: frozenset[tuple[str, str]] = frozenset()
    before: Project | None = None
    """The project with the changed documents as they were."""
    sends: tuple[tuple[Broadcast, ...], ...] = ()
    """Each changed document's sends, as they were and as they are."""


@dataclass
class State:
    """What a validate run keeps for the next one."""

    tool: str
    files: dict[str, tuple[str, bytes, bytes]] = field(default_factory=dict)
    """path -> (digest of its path, kind and bytes; its `FileState` and its `SourceMap`, pickled)."""
    listing: str = ""
    """Digest of the file list and the refused paths, which the path checks depend on."""
    paths: dict[str, list[Diagnostic]] = field(default_factory=dict)
    """path -> the problems of its attachment, media and template paths."""
    context: str = ""
    rules: dict[str, RuleState] = field(default_factory=dict)
    horizon: tuple[Window, ...] | None = None
    """The schedule rules' horizon, when the run worked it out (it holds while the context and
    every scheduled document's windows do)."""


class Memory:
    """One incremental validate run: the previous state (when there is a sound one), what the
    files hold now, and the state this run leaves."""

    def __init__(self, root: Path, found: cache.Inputs) -> None:
        self.root = root
        self.found = found
        self.previous: State | None = None
        self.state = State(cache.tool_digest())
        self.state.context = cache.context_digest(found, tuple(ROOT_FILES))
        self.digests: dict[str, str] = {}
        """path -> digest of every document file the loader found."""
        self.fresh: dict[str, tuple[str, FileState, SourceMap]] = {}
        """The files this run read and validated (digest, state, source map), to be pickled if
        the state is stored."""
        self.kinds: dict[str, str] = {}
        """path -> the kind of every document file the loader found."""
        self.rerun: list[str] = []
        """The lint codes this run ran on the whole playbook (for tests)."""
        self._alike: dict[tuple[frozenset[str], str], Shown] = {}
        self._horizon: tuple[Window, ...] | None = None
        """The whole project's horizon, once worked out."""
        self._linked: set[tuple[str, str]] | None = None
        """The documents in the parts the edit touched (`schedules.linked`), once worked out."""
        self._parts: dict[frozenset[tuple[str, str]], Project] = {}
        self._scopes: dict[tuple[str, str], set[str]] | None = None
        self.in_parts: list[str] = []
        """The lint codes this run ran on some parts of the playbook (for tests)."""

    # -- load and validate ------------------------------------------------------------------

    def validate(self) -> Validated:
        """`validate_tree(load_tree(root))`, reading and validating only the files that changed."""
        collecting = gc.isenabled()
        gc.disable()  # what is unpickled all stays alive: no collection can free any of it
        try:
            return self._validate()
        finally:
            if collecting:
                gc.enable()

    def _validate(self) -> Validated:
        self.previous = _load(self.root, _largest_state(self.found))
        access = PlaybookFiles(self.root)
        discovered = scan(access)
        before = self.previous.files if self.previous and self.previous.tool == self.state.tool else {}
        documents: list[LoadedFile | None] = []
        known: dict[str, Checked] = {}
        changed: list[tuple[str, str]] = []  # read and validated below, together
        for rel, kind in discovered.documents:
            content = self.found.content.get(rel)
            digest = _file_digest(rel, kind, content) if content is not None else ""
            self.digests[rel] = digest
            self.kinds[rel] = kind
            kept = before.get(rel)
            if digest and kept is not None and kept[0] == digest:
                state = _file_state(kept[1])
                if state is not None:
                    documents.append(LoadedFile(rel, kind, None, _lazy_source(rel, kept[2]),
                                                suppressions=list(state.suppressions)))
                    known[rel] = state.outcome
                    self.state.files[rel] = kept
                    continue
            changed.append((rel, kind))
            documents.append(None)
        places = iter([n for n, loaded in enumerate(documents) if loaded is None])
        for loaded, outcome in checked_files(access, changed):  # in two processes when many
            documents[next(places)] = loaded
            known[loaded.path] = outcome
            if self.digests[loaded.path]:
                self.fresh[loaded.path] = (self.digests[loaded.path],
                                           FileState(tuple(loaded.suppressions), outcome), loaded.source)
        if self.found.odd or self.found.links:
            files, refused = index(access)  # what is refused, and why, is the loader's to say
        else:  # only plain files and folders: the key's walk listed exactly what the loader would
            files, refused = frozenset(self.found.indexed), {}
        self.state.listing = _listing_digest(files, refused)
        paths: dict[str, list[Diagnostic]] = {}
        if self.previous is not None and self.previous.listing == self.state.listing:
            paths = {rel: found for rel, found in self.previous.paths.items() if rel in self.state.files}
        tree = Tree(self.root, [loaded for loaded in documents if loaded is not None], files, access=access,
                    refused=refused, problems=discovered.problems)
        result = validate_tree(tree, known, paths)
        self.state.paths = paths
        return result

    # -- lint -------------------------------------------------------------------------------

    def lint(self, project: Project, codes: Sequence[str]) -> dict[str, list[Finding]]:
        """Each rule's findings in `project`, as `lint.findings` gives them, reusing the last
        run's where the rule's declaration says they cannot have changed."""
        before = self.previous.rules if self.previous and self.previous.context == self.state.context else {}
        paths = _document_paths(project)
        if not all(self.digests.get(path) for path in paths.values()):
            before = {}  # a document whose bytes could not be hashed: nothing can be told unchanged
        keys = {path: document_key(project, kind, doc_id, self.digests)
                for (kind, doc_id), path in paths.items()}
        by_kind = _kind_digests(paths, self.digests)
        found: dict[str, list[Finding]] = {}
        whole: list[str] = []
        in_parts: list[str] = []
        """Rules kept by part whose parts the edit touched: run on those parts only."""
        parts: dict[str, Mapping[str, tuple[Any, ...]] | None] = {}
        reads_digests: dict[str, str] = {}
        for code in codes:
            rule = RULES[code]
            if rule.per_document:
                continue
            reads_digests[code] = _reads_digest(rule.reads, by_kind)
            kept = before.get(code)
            if kept is not None and (kept.reads_digest == reads_digests[code]
                                     or self._seen_alike(project, rule, kept)):
                found[code] = list(kept.findings)
                parts[code] = kept.parts
            elif kept is not None and (rule.by_part or rule.by_operator) and self._moved_sends(project, rule):
                in_parts.append(code)
            else:
                whole.append(code)
        per_document = [code for code in codes if RULES[code].per_document]
        fresh = [code for code in per_document if code not in before]
        known = [code for code in per_document if code in before]
        changed = {path for path, key in keys.items()
                   if any(before[code].by_document.get(path, ("",))[0] != key for code in known)}
        whole += fresh
        if known and changed:
            checked = {k for k, path in paths.items() if path in changed}
            shown = {other for k in checked for other in dependents(project, *k) if other in paths}
            part = _restricted(project, checked | shown)
            partial = lint.findings(part, known, processes=False)
            companions = {paths[k] for k in shown - checked}
            partial = {code: [f for f in items if f.span.path not in companions]  # kept below
                       for code, items in partial.items()}
        else:
            partial = {code: [] for code in known}
        for code in known:
            merged = _merge(before[code], partial[code], changed, keys)
            if merged is None:  # a finding placed in a document it was not checking: check anew
                whole.append(code)
            else:
                found[code] = merged
        everything = len(whole) == len(codes)
        forget()  # the rules kept in parts share the parts' expansion (`_part`) among them
        try:
            for code in sorted(in_parts):
                redone = self._in_parts(project, RULES[code], before[code])
                if redone is None:
                    whole.append(code)
                else:
                    found[code], parts[code] = redone
        finally:
            forget()
            self._parts.clear()
        if whole:  # a rerun of some rules is as fast in one process as in two, or faster
            counted: dict[str, dict[str, tuple[Any, ...]]] = {}  # a rule kept by operator: its parts
            found.update(lint.findings(project, sorted(whole), processes=everything, parts=counted))
            parts.update(counted)
        self.rerun = sorted(whole)
        self.state.horizon = self._horizon
        if self._horizon is None and before and self.previous is not None and not any(
                self.previous.files.get(rel, ("",))[0] != self.digests[rel]
                for rel, kind in self.kinds.items() if kind in SCHEDULED):
            self.state.horizon = self.previous.horizon  # no scheduled document changed: it holds
        self.in_parts = sorted(code for code in in_parts if code not in whole)
        for code in codes:
            rule = RULES[code]
            if rule.per_document:
                self.state.rules[code] = _per_document_state(found[code], keys)
            else:
                self.state.rules[code] = RuleState(tuple(found[code]), reads_digests[code],
                                                   parts=parts.get(code))
        return found

    def _moved_sends(self, project: Project, rule: Rule) -> bool:
        """Whether the documents of `rule`'s kinds changed only by moving sends: none came or
        went or changed its id, and the horizon is the same (so a rule kept in parts can be run
        on the parts the moved sends touch)."""
        return self._compared(project, rule.reads, "schedule").partial

    def _in_parts(self, project: Project, rule: Rule, kept: RuleState
                  ) -> tuple[list[Finding], Mapping[str, tuple[Any, ...]] | None] | None:
        """A rule kept `by_part` or `by_operator` whose documents only moved sends
        (`_moved_sends`), run again on the parts of the playbook the changed documents' sends
        touch (before or after the edit), with its findings (or parts) elsewhere kept: (its
        findings, its parts); None when it must run on the whole playbook."""
        shown = self._compared(project, rule.reads, "schedule")
        if rule.by_operator is not None:
            return None if kept.parts is None else self._by_operator(project, rule.by_operator, kept, shown)
        kept_parts = self._by_part(project, rule, kept, shown)
        return None if kept_parts is None else (kept_parts, None)

    def _by_part(self, project: Project, rule: Rule, kept: RuleState, shown: Shown) -> list[Finding] | None:
        assert shown.before is not None
        if self._linked is None:
            then = {key: _reach(shown.before, key) for key in shown.changed}
            self._linked = linked(project, shown.changed, self._scopes_of(project), then)
        affected = self._linked  # the parts the changed documents are in, before or after the edit
        paths = {project.paths[key] for key in affected}
        fresh = list(rule.check(self._part(project, affected)))
        if any(f.span.path not in paths for f in fresh):
            return None  # cannot happen for a rule true to `by_part`; be safe
        return [f for f in kept.findings if f.span.path not in paths] + fresh

    def _by_operator(self, project: Project, parts_of: OperatorParts, kept: RuleState,
                     shown: Shown) -> tuple[list[Finding], Mapping[str, tuple[Any, ...]]]:
        compute, gather = parts_of
        assert kept.parts is not None
        operators = frozenset(project.groups[group].operator for sends in shown.sends
                              for b in sends if b.channel in MOMENTS for group in b.groups)
        computed = {operator: items for operator, items in kept.parts.items() if operator not in operators}
        if operators:
            groups = {g for g, group in project.groups.items() if group.operator in operators}
            reaching = {key for key, scope in self._scopes_of(project).items()
                        if scope & groups and _posts_moments(_table(project, key)[key[1]])}
            counted = dataclasses.replace(self._part(project, reaching), channels=MOMENTS)
            fresh = compute(counted, operators)
            computed.update((operator, tuple(items)) for operator, items in fresh.items())
        # Found again: the findings at the posts the touched operators' parts name, before or
        # now, and every finding in a changed document (its positions may have moved); the others
        # are kept, which spares finding their positions (each a file's YAML parsed again).
        touched = {entry[1] for operator in operators
                   for entry in (*kept.parts.get(operator, ()), *computed.get(operator, ()))}
        inside = {entry[1] for entries in computed.values() for entry in entries
                  if (entry[1].kind, entry[1].doc_id) in shown.changed}
        changed_paths = {project.paths[key] for key in shown.changed}
        stale = set(gather(project, kept.parts, {s for s in touched
                                                 if (s.kind, s.doc_id) not in shown.changed}))
        findings = [f for f in kept.findings if f.span.path not in changed_paths and f not in stale]
        return findings + list(gather(project, computed, touched | inside)), computed

    def _scopes_of(self, project: Project) -> dict[tuple[str, str], set[str]]:
        if self._scopes is None:
            self._scopes = _scopes(project)
        return self._scopes

    def _part(self, project: Project, keys: set[tuple[str, str]]) -> Project:
        """The project with only the documents `keys` in its tables, expanded within the whole
        project's horizon (one project per set of documents, so that the rules run on it share
        its expansion)."""
        if self._horizon is None:
            self._horizon = tuple(horizon(project))
        key = frozenset(keys)
        if key not in self._parts:
            self._parts[key] = dataclasses.replace(_restricted(project, keys), horizon=self._horizon)
        return self._parts[key]

    def _seen_alike(self, project: Project, rule: Rule, kept: RuleState) -> bool:
        """Whether a rule that reads `through_schedule` or `through_references` sees what it saw
        in the last run: the documents of its kinds that changed show it the same as before,
        and none of its findings stands in one of them whose positions moved."""
        through = ("schedule" if rule.through_schedule else "references" if rule.through_references
                   else "routes" if rule.through_routes else "")
        if not through:
            return False
        shown = self._compared(project, rule.reads, through)
        return shown.same and not any(span.path in shown.moved for finding in kept.findings
                                      for span in (finding.span, *(r.span for r in finding.related)))

    def _compared(self, project: Project, kinds: frozenset[str], through: str) -> Shown:
        key = (kinds, through)
        if key not in self._alike:
            self._alike[key] = self._compare(project, kinds, through)
        return self._alike[key]

    def _compare(self, project: Project, kinds: frozenset[str], through: str) -> Shown:
        """How every changed document of `kinds` shows its schedule or its references `through`
        compared with the last run (`Shown`)."""
        assert self.previous is not None  # only asked when the last run's rules are reused
        files = self.previous.files
        ids = {path: key for key, path in project.paths.items()}
        changed = sorted(rel for rel, kind in self.kinds.items()
                         if kind in kinds and files.get(rel, ("",))[0] != self.digests[rel])
        old_docs: dict[tuple[str, str], Document] = {}
        for rel in changed:
            state = _file_state(files[rel][1]) if rel in files and self.digests[rel] else None
            key = ids.get(rel)
            old = state.outcome[0] if state is not None else None
            if key is None or old is None or old.id != key[1] or type(old).__name__ != key[0]:
                return Shown()  # a document came or went, or changed its id
            old_docs[key] = old
        if not old_docs:
            return Shown(same=True, partial=True)
        before = _replaced(project, old_docs)
        keys = list(old_docs)
        sends: tuple[tuple[Broadcast, ...], ...] = ()
        if through in ("references", "routes"):
            view = referenced if through == "references" else routed
            if not all(view(before, *key) == view(project, *key) for key in keys):
                return Shown()
        else:
            if any(windows_of(before, _table(before, key)[key[1]])
                   != windows_of(project, _table(project, key)[key[1]]) for key in keys):
                return Shown()  # the horizon moved: every document's sends within it may differ
            if self._horizon is None:  # the last run's, while every document's windows are the same
                kept = self.previous.horizon if kinds >= SCHEDULED else None
                self._horizon = kept if kept is not None else tuple(horizon(project))
            pairs = [(_scheduled(before, key, self._horizon), _scheduled(project, key, self._horizon))
                     for key in keys]
            sends = tuple(b for pair in pairs for b in (pair[0][0], pair[1][0]))
            if any(old != new for old, new in pairs):
                return Shown(partial=True, changed=frozenset(keys), before=before, sends=sends)
        moved = frozenset(rel for rel in changed if not _same_positions(files[rel][2], project.sources[rel]))
        return Shown(same=True, moved=moved, partial=True, changed=frozenset(keys), before=before,
                     sends=sends)

    # -- keeping ----------------------------------------------------------------------------

    def keep(self, wanted: str) -> bool:
        """Store the state unless a file changed while the playbook was checked: the key of the
        inputs computed again must still be `wanted`, as it was before the check."""
        return cache.key(self.root, FOR_OTHER_COMMANDS) == wanted and self.store()

    def store(self) -> bool:
        """Keep this run's state for the next one (signed; False when it cannot be kept)."""
        try:
            for rel, (digest, state, source) in self.fresh.items():
                self.state.files[rel] = (digest, pickle.dumps(state, PROTOCOL),
                                         pickle.dumps(source, PROTOCOL))
            body = pickle.dumps((FORMAT, self.state), PROTOCOL)
        except (pickle.PicklingError, RecursionError, TypeError):
            return False
        return cache.store_blob(self.root, STATE_FILE, body)


def _largest_state(found: cache.Inputs) -> int:
    """The largest state worth reading for these files: a state holds each document about three
    times over (its source, its model, its source map), so a far larger one is not this tool's
    (a file planted in the cache folder) and is not even read."""
    return 16 * 1024 * 1024 + 8 * sum(len(data) for data in found.content.values())


FOR_OTHER_COMMANDS: dict[str, object] = {"command": "check"}
"""The options of the inputs' key when a command other than validate checks the playbook."""


def recall(root: Path) -> tuple[Memory, str] | None:
    """For `build`, `export` and `agenda`, which check the playbook before their work: the state
    of the last check, to reuse as `validate` does (with the key to `keep` the new one under),
    when the cache is on and the playbook was checked here before; None otherwise."""
    if cache.disabled(False) or not cache.checked_before(root):
        return None
    wanted, found = cache.key_and_inputs(root, FOR_OTHER_COMMANDS)
    if wanted is None or found is None:
        return None
    return Memory(root, found), wanted


def checked(root: Path) -> CheckResult:
    """`pipeline.check(root)`, reusing the last check's state where it holds (`recall`) and
    keeping this one's."""
    return checked_beside(root, None)[0]


def checked_beside(root: Path, work: Callable[[Project], T] | None) -> tuple[CheckResult, T | None]:
    """`checked`, with `work(project)` done meanwhile when the check runs from scratch
    (`pipeline.check_beside`); with the last check's state, the check reuses it instead and the
    second value is None (as it is without `work`)."""
    from playbook.pipeline import check, check_beside

    recalled = recall(root)
    if recalled is None:
        return check_beside(root, work) if work is not None else (check(root), None)
    memory, wanted = recalled
    result = check(root, memory=memory)
    memory.keep(wanted)
    return result, None


def _load(root: Path, limit: int = cache.MAX_BLOB_BYTES) -> State | None:
    body = cache.load_blob(root, STATE_FILE, limit)
    if body is None:
        return None
    try:
        stored = pickle.loads(body)  # signed by this user's own key: written by `Memory.store`
    except Exception:  # an old layout, a class that moved: start afresh
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == FORMAT
            and isinstance(stored[1], State)):
        return None
    return stored[1]


def _file_state(blob: bytes) -> FileState | None:
    try:
        state = pickle.loads(blob)  # a part of the signed state
    except Exception:
        return None
    return state if isinstance(state, FileState) else None


def _lazy_source(path: str, blob: bytes) -> SourceMap:
    """A source map that is unpickled from `blob` the first time a position is asked of it
    (through the map's own deferral, `SourceMap.locate`): most files report nothing."""
    return SourceMap(path, locate=functools.partial(_restore_source, blob))


def _restore_source(blob: bytes, target: SourceMap) -> None:
    try:
        stored = pickle.loads(blob)  # a part of the signed state
    except Exception:  # cannot happen for a state this tool wrote; positions fall back to the file
        return
    if isinstance(stored, SourceMap):  # its positions may still be deferred too
        located = stored.located()
        target.values, target.keys = located.values, located.keys


def _listing_digest(files: frozenset[str], refused: Mapping[str, FileRefused]) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for rel in sorted(files):
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
    for rel, why in sorted(refused.items()):
        digest.update(f"{rel}\0{why.code}\0{why.reason}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _file_digest(rel: str, kind: str, content: bytes) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for part in (rel.encode("utf-8", "surrogateescape"), kind.encode(), content):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _document_paths(project: Project) -> dict[tuple[str, str], str]:
    """(kind, id) -> path of every document in the project's tables."""
    return {(kind, doc_id): project.paths[(kind, doc_id)]
            for kind, table in TABLES.items() for doc_id in getattr(project, table)}


def dependents(project: Project, kind: str, doc_id: str) -> list[tuple[str, str]]:
    """The documents whose content a per-document rule shows with this one's: a calendar's
    slots render the pack they name (`lint.messages`)."""
    if kind != "ActivityCalendar":
        return []
    calendar = project.calendars[doc_id]
    assert isinstance(calendar, ActivityCalendar)
    return sorted({("MaterialPack", slot.pack) for slot in calendar.daily if slot.pack})


def document_key(project: Project, kind: str, doc_id: str, digests: Mapping[str, str]) -> str:
    """What a per-document rule's findings in one document depend on besides the context: its
    own bytes, and those of the documents it shows (`dependents`), present or not."""
    parts = [digests.get(project.paths[(kind, doc_id)], "")]
    for other in dependents(project, kind, doc_id):
        path = project.paths.get(other)
        parts.append(f"{other[0]}/{other[1]}=" + (digests.get(path, "") if path is not None else "absent"))
    if len(parts) == 1:
        return parts[0]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()


def _kind_digests(paths: Mapping[tuple[str, str], str], digests: Mapping[str, str]) -> dict[str, str]:
    """Kind -> digest of the paths and bytes of the project's documents of that kind."""
    by_kind: dict[str, Any] = {kind: hashlib.blake2b(digest_size=20) for kind in TABLES}
    for (kind, _), path in sorted(paths.items(), key=lambda item: item[1]):
        by_kind[kind].update(f"{path}\0{digests.get(path, '')}\n".encode("utf-8", "surrogateescape"))
    return {kind: digest.hexdigest() for kind, digest in by_kind.items()}


def _reads_digest(kinds: frozenset[str], by_kind: Mapping[str, str]) -> str:
    """Of the documents of `kinds` in the project: their paths and bytes."""
    return "/".join(by_kind[kind] for kind in TABLES if kind in kinds)


def _restricted(project: Project, keep: set[tuple[str, str]]) -> Project:
    """The project with only the documents `keep` in its tables; playbook.yaml, roster.yaml
    and everything else as they are. A per-document rule run on it checks those documents;
    `keep` holds what they show (`dependents`) too, whose own findings are not used."""
    def kept(kind: str, table: Mapping[str, T]) -> dict[str, T]:
        return {doc_id: doc for doc_id, doc in table.items() if (kind, doc_id) in keep}

    return dataclasses.replace(
        project, rules=kept("GroupRules", project.rules), scripts=kept("OnboardingScript", project.scripts),
        calendars=kept("ActivityCalendar", project.calendars), packs=kept("MaterialPack", project.packs))


MOMENTS = frozenset({"moments_post"})
"""The channel of the sends a rule kept `by_operator` (PB421) counts."""


def _scopes(project: Project) -> dict[tuple[str, str], set[str]]:
    """(kind, id) of each calendar, script and pack -> the groups it can send to."""
    return {key: _reach(project, key) for key in _document_paths(project) if key[0] != "GroupRules"}


def _reach(project: Project, key: tuple[str, str]) -> set[str]:
    """The groups the calendar, script or pack `key` can send to."""
    return set(groups_in(project, scope_of(_table(project, key)[key[1]])))


def routed(project: Project, kind: str, doc_id: str) -> tuple[object, ...]:
    """What one calendar, script or pack shows a rule that reads it `through_routes`: its own
    routes, and each dated item's routes and, when those (or the document's) let a group robot
    post it, its text."""
    document: Any = getattr(project, TABLES[kind])[doc_id]
    own = getattr(document, "routes", None)
    items: list[tuple[object, object]] = []
    for name in ROUTED_LISTS:
        for item in getattr(document, name, ()):
            routes = getattr(item, "routes", None)
            robot = "wecom_robot" in (routes or own or ())
            items.append((routes, getattr(item, "text", None) if robot else None))
    return own, tuple(items)


def _posts_moments(document: Any) -> bool:
    """Whether any item of a calendar, script or pack posts to Moments."""
    return any(getattr(item, "channel", None) in MOMENTS for name in ROUTED_LISTS
               for item in getattr(document, name, ()))


def _replaced(project: Project, documents: Mapping[tuple[str, str], Document]) -> Project:
    """The project with `documents` (kind, id -> document) in its tables instead of its own."""
    tables: dict[str, Any] = {}
    for (kind, doc_id), document in documents.items():
        table = TABLES[kind]
        tables.setdefault(table, dict(getattr(project, table)))[doc_id] = document
    return dataclasses.replace(project, **tables)


ROUTED_LISTS = ("daily", "weekly", "games", "steps", "timeline")
"""The lists of dated items whose `routes` the schedule rules read (`lint.routes`)."""


def _scheduled(project: Project, key: tuple[str, str], windows: Sequence[Window]
               ) -> tuple[tuple[Broadcast, ...], tuple[object, ...]]:
    """What one document shows a rule read `through_schedule`: its sends within `windows`, in
    the order `lint.schedules.planned` lists them, and its own and its items' routes."""
    alone = _restricted(project, {key})
    document = _table(alone, key)[key[1]]
    routes = [getattr(document, "routes", None)]
    routes += [getattr(item, "routes", None) for name in ROUTED_LISTS for item in getattr(document, name, ())]
    return tuple(b for first, last in windows for b in broadcasts(alone, first, last)), tuple(routes)


def _table(project: Project, key: tuple[str, str]) -> Mapping[str, Any]:
    """The table of `project` that holds documents of the kind of `key`."""
    table: Mapping[str, Any] = getattr(project, TABLES[key[0]])
    return table


def _same_positions(blob: bytes, now: SourceMap) -> bool:
    """Whether a file's positions (values and keys) are where its last run's source map had them."""
    try:
        stored = pickle.loads(blob)  # a part of the signed state
    except Exception:
        return False
    if not isinstance(stored, SourceMap):
        return False
    before, after = stored.located(), now.located()
    return before.values == after.values and before.keys == after.keys


def _merge(kept: RuleState, partial: list[Finding], changed: set[str],
           keys: Mapping[str, str]) -> list[Finding] | None:
    """A per-document rule's findings: the fresh ones of the changed documents (and, when some
    changed and the rule ran, of the context), the kept ones of the others. None when a fresh
    finding sits in a document that did not change, which the rule's declaration rules out."""
    merged: list[Finding] = []
    for finding in partial:
        path = finding.span.path
        if path in keys and path not in changed:
            return None
        merged.append(finding)
    if not changed:  # the rule did not run: the context's findings are the kept ones
        merged += kept.elsewhere
    for path in keys:
        if path not in changed:
            merged += kept.by_document[path][1]
    return merged


def _per_document_state(findings: list[Finding], keys: Mapping[str, str]) -> RuleState:
    by_document: dict[str, list[Finding]] = {path: [] for path in keys}
    elsewhere: list[Finding] = []
    for finding in findings:
        by_document.get(finding.span.path, elsewhere).append(finding)
    return RuleState(by_document={path: (keys[path], tuple(items)) for path, items in by_document.items()},
                     elsewhere=tuple(elsewhere))
