"""The loader: find a playbook's files and load each YAML document safely, with positions.

Only this module reads playbook files. Each file is composed once by libyaml (PyYAML's C
parser) into a node tree, and the tree is turned into plain Python values here, not by a
YAML constructor, so that:

* no tag is ever constructed (``!!python/...`` is reported, never executed);
* aliases are counted and their expansion bounded;
* duplicate keys are reported with both places;
* plain scalars resolve by the YAML 1.2 core schema (:mod:`playbook.yaml_core`), as the
  JSON Schema tools that read the same files do: ``yes``/``on`` and ``1_000`` stay text,
  ``1e3`` is a float and ``0o17`` the integer 15;
* dates and clock times stay the strings the editor wrote (``09:00`` is never 540 and
  ``2026-11-22`` never a ``date``); the models parse them;
* every value and key gets a JSON pointer -> line/column entry in a :class:`SourceMap`.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from playbook.codes import diagnostic
from playbook.diagnostics import Diagnostic, Related
from playbook.files import MAX_FILE_BYTES as MAX_FILE_BYTES  # re-exported: the documented limit
from playbook.files import FileRefused, PlaybookFiles
from playbook.nesting import COMPOSE_LIMIT, too_deep
from playbook.source import SourceMap, Span, Suppression, find_suppressions, join
from playbook.yaml_core import CoreLoader, core_float, core_int
from playbook.yaml_hints import flow_key_hint, syntax_hint

MAX_ALIASES = 100
"""At most this many alias uses (``*name``) in one file (PB004)."""
MAX_NODES = 200_000
"""At most this many values in one file once aliases are expanded (PB004)."""
MAX_DEPTH = 64
"""At most this deep a nesting of mappings and lists (PB011)."""
MAX_NUMBER_DIGITS = 100
"""A number written with more digits than this is refused (PB030): no playbook value needs it,
and Python refuses to convert integers past 4,300 digits with a traceback."""

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_KEPT_AS_TEXT = {_TAG + "timestamp", _TAG + "str", "!"}
_UTF8_BOM = b"\xef\xbb\xbf"

DOCUMENT_FOLDERS = {
    "rules": "GroupRules",
    "scripts": "OnboardingScript",
    "calendars": "ActivityCalendar",
}
"""Folders whose every *.yaml / *.yml file is a document of the given kind."""
PACK_FILE = "pack.yaml"
ROOT_FILES = {"playbook.yaml": "Playbook", "roster.yaml": "Roster"}
_SKIPPED_DIRS = frozenset({"site", "node_modules", "__pycache__", "examples"})


@dataclass
class LoadedFile:
    """One file as loaded: its data (None when unusable), positions and problems."""

    path: str
    expected_kind: str
    data: dict[str, Any] | None
    source: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    """Inline `# playbook: ignore[...]` comments, for the lint layer."""
    poisoned: set[str] = field(default_factory=set)
    """Pointers whose value the loader refused and replaced; model errors there are noise."""


@dataclass
class Tree:
    """What the loader found under a playbook root."""

    root: Path
    documents: list[LoadedFile]
    files: frozenset[str]
    """Every regular file under the root (POSIX, relative), for media and template checks."""
    access: PlaybookFiles | None = None
    """The file-access layer the tree was read through (media and templates read through it too)."""
    refused: Mapping[str, FileRefused] = field(default_factory=dict)
    """Paths under the root the file-access layer refused (links out, special files, unlistable
    folders), so a reference to one says why instead of 'does not exist'."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Refused paths where a document may be: reported whether or not anything refers to them."""


class _AliasLimit(Exception):
    pass


class _HugeNumber(Exception):
    """A scalar that YAML reads as a number but is too long to be one a playbook means."""


class _Builder:
    """Turns one composed node tree into plain values plus a source map."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.source = SourceMap(path)
        self.diagnostics: list[Diagnostic] = []
        self.poisoned: set[str] = set()
        self._seen: set[int] = set()
        self._targets: set[int] = set()
        self._active: set[int] = set()
        self._aliases = 0
        self._nodes = 0
        self.text = ""
        """The file's text, for hints that quote the offending line."""

    def span(self, node: yaml.Node) -> Span:
        return Span(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def find_alias_targets(self, root: yaml.Node) -> None:
        """Mark the nodes that aliases point at: those reachable more than once.

        Walks the composed graph without expanding it (each node's children once).
        """
        reached: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in reached:
                self._targets.add(id(node))
                continue
            reached.add(id(node))
            if isinstance(node, yaml.MappingNode):
                stack.extend(v for pair in node.value for v in pair)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)

    def build(self, node: yaml.Node, ptr: str, depth: int = 0) -> Any:
        ident = id(node)
        if ident in self._active:
            self.diagnostics.append(diagnostic(
                "PB004", self.span(node), "recursive alias: a value contains itself"))
            raise _AliasLimit
        if ident in self._seen and ident in self._targets:
            # every use of an alias counts, nested ones included; the values inside an
            # expansion count towards MAX_NODES instead
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                self.diagnostics.append(diagnostic(
                    "PB004", self.span(node), f"more than {MAX_ALIASES} alias uses in one file"))
                raise _AliasLimit
        self._seen.add(ident)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            self.diagnostics.append(diagnostic(
                "PB004", self.span(node),
                f"aliases expand this file past {MAX_NODES} values; write the content out"))
            raise _AliasLimit
        if depth > MAX_DEPTH:
            self.diagnostics.append(diagnostic(
                "PB011", self.span(node), f"nested more than {MAX_DEPTH} levels deep"))
            self.poisoned.add(ptr)
            return None
        self.source.values.setdefault(ptr, self.span(node))
        if node.tag not in _PLAIN_TAGS and node.tag != "!":
            self.diagnostics.append(diagnostic(
                "PB003", self.span(node),
                f"tag '{_short_tag(node.tag)}' is not allowed; it was not executed",
                help="remove the tag: playbooks hold only plain text, numbers, lists and mappings"))
            self.poisoned.add(ptr)
            return None
        self._active.add(ident)
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, ptr, depth)
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, join(ptr, i), depth + 1) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.ScalarNode)
            try:
                return self._scalar(node)
            except _HugeNumber:
                self.diagnostics.append(diagnostic(
                    "PB030", self.span(node),
                    f"a number of {len(node.value)} characters is too long (at most {MAX_NUMBER_DIGITS})",
                    help="quote it if it is text, e.g. an id or a code"))
                self.poisoned.add(ptr)
                return None
        finally:
            self._active.discard(ident)

    def _mapping(self, node: yaml.MappingNode, ptr: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Span] = {}
        for key_node, value_node in node.value:
            key_span = self.span(key_node)
            if key_node.tag == _TAG + "merge":
                self.diagnostics.append(diagnostic(
                    "PB009", key_span, "merge key '<<' is not supported",
                    help="write the keys out, or use the document's `extends` field"))
                self.poisoned.add(ptr)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line = self.text.splitlines()[key_node.start_mark.line] if self.text else ""
                self.diagnostics.append(diagnostic(
                    "PB016", key_span, "a mapping key must be a plain string",
                    help=flow_key_hint(line)))
                self.poisoned.add(ptr)
                continue
            key = sys.intern(str(key_node.value))
            if key in first_seen:
                self.diagnostics.append(diagnostic(
                    "PB002", key_span, f"duplicate key '{key}'",
                    help="keep one of the two; YAML would silently drop the first",
                    related=(Related(first_seen[key], f"'{key}' first defined here"),)))
                continue
            first_seen[key] = key_span
            child = join(ptr, key)
            self.source.keys[child] = key_span
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        value: str = node.value
        tag = node.tag
        if tag in _KEPT_AS_TEXT:
            return sys.intern(value)
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":  # the core schema: true, True, TRUE, false, False, FALSE
            return value.lower() == "true"
        if len(value) > MAX_NUMBER_DIGITS:
            raise _HugeNumber
        if tag == _TAG + "int":
            digits = value.lstrip("+-")
            if len(digits) > 1 and digits[0] == "0" and digits[1] not in "xo":
                return value  # a leading zero is a code (0755, 021), not the number 755
            return core_int(value)
        return core_float(value)


_SCALARS = _Builder("")
_PLAIN_LIMIT = MAX_NODES // 2
"""Below this many characters a file cannot hold MAX_NODES values (each takes at least two),
so the fast path need not count them."""
_STR, _MAP, _SEQ, _MERGE = (_TAG + t for t in ("str", "map", "seq", "merge"))


_ANCHOR = re.compile(r"(?:^|[\s\[\]{},])&[^\s\[\]{},]", re.MULTILINE)
"""Where a YAML anchor could start: `&` right after a line start, a blank or a flow indicator
and followed by a name character. An `&` inside words ("Q&A", "R&D") cannot be one."""


class _Unusual(Exception):
    """The fast path met something the builder must report (a tag, a duplicate key...)."""


def _plain(node: yaml.Node, depth: int, seen: set[int]) -> Any:
    """The values of a node tree without aliases, as `_Builder.build` would make them, but
    without recording positions; raises `_Unusual` at anything the builder would report, and
    at a collection met twice (an alias the `_ANCHOR` test missed: never expand it here)."""
    cls = node.__class__
    if cls is yaml.ScalarNode:
        if node.tag == _STR:
            return sys.intern(node.value)
        if node.tag not in _PLAIN_TAGS and node.tag != "!":
            raise _Unusual
        try:
            return _SCALARS._scalar(node)  # type: ignore[arg-type]
        except _HugeNumber:
            raise _Unusual from None
    if depth >= MAX_DEPTH:
        raise _Unusual
    if id(node) in seen:
        raise _Unusual
    seen.add(id(node))
    if cls is yaml.MappingNode:
        if node.tag != _MAP:
            raise _Unusual
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag == _MERGE:
                raise _Unusual
            key = sys.intern(str(key_node.value))
            if key in result:
                raise _Unusual
            result[key] = _plain(value_node, depth + 1, seen)
        return result
    if node.tag != _SEQ:
        raise _Unusual
    return [_plain(item, depth + 1, seen) for item in node.value]


def _nodes(root: yaml.Node) -> int:
    """How many nodes a composed tree without aliases holds (what the builder would count)."""
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        count += 1
        if node.__class__ is yaml.MappingNode:
            stack.extend(v for pair in node.value for v in pair[1:])
        elif node.__class__ is yaml.SequenceNode:
            stack.extend(node.value)
    return count


def _locate(packed: bytes, source: SourceMap) -> None:
    """Fill a deferred source map: compose the text again (kept compressed meanwhile: most
    files never need it, and the loaded playbook is held by two processes) and record every
    position."""
    first = next(yaml.compose_all(zlib.decompress(packed).decode("utf-8"), Loader=CoreLoader))
    builder = _Builder(source.path)
    builder.source = source
    builder.find_alias_targets(first)
    with contextlib.suppress(_AliasLimit):
        builder.build(first, "")


def _position(text: str, offset: int, path: str) -> Span:
    """The line and column of a byte offset into the UTF-8 form of `text` (libyaml counts
    bytes)."""
    before = text.encode("utf-8")[:offset].decode("utf-8", errors="replace")
    offset = len(before)
    return Span(path, before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def decode(raw: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (a BOM is accepted); otherwise say where and what encoding it looks like."""
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM):]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        guess = ""
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            guess = "; it looks like UTF-16"
        else:
            try:
                raw.decode("gb18030")
                guess = "; it looks like GBK/GB18030"
            except UnicodeDecodeError:
                pass
        return None, [diagnostic(
            "PB006", Span(path, line, col),
            f"file is not UTF-8 (byte 0x{raw[err.start]:02x}){guess}; playbook files must be UTF-8",
            help="re-save the file as UTF-8, e.g. `iconv -f GB18030 -t UTF-8`")]


def load_text(text: str, path: str, expected_kind: str) -> LoadedFile:
    """Compose one YAML text into a document and its source map."""
    loaded = LoadedFile(path, expected_kind, None, SourceMap(path))
    if "playbook:" in text:
        loaded.suppressions = find_suppressions(path, text)
    deep = too_deep(text, path, MAX_DEPTH)
    if deep is not None:  # composing it would overflow the C stack: a crash, not an error
        loaded.diagnostics.append(diagnostic(
            "PB011", deep, f"nested more than {MAX_DEPTH} levels deep (and past {COMPOSE_LIMIT}: "
            "the file was not loaded)"))
        return loaded
    try:
        documents = yaml.compose_all(text, Loader=CoreLoader)
        first = next(documents, None)
        extra = next(documents, None)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        span = Span(path, mark.line + 1, mark.column + 1) if mark else Span(path)
        problem = err.problem or "invalid YAML"
        context = f" ({err.context})" if err.context else ""
        marks = (err.problem_mark, err.context_mark)
        hint = syntax_hint(text, tuple(m.line if m else None for m in marks), problem)
        loaded.diagnostics.append(diagnostic("PB001", span, f"{problem}{context}", help=hint))
        return loaded
    except yaml.reader.ReaderError as err:  # a character YAML forbids anywhere, comments included
        loaded.diagnostics.append(diagnostic(
            "PB001", _position(text, err.position, path),
            f"character U+{err.character:04X} is not allowed in YAML (control characters and "
            "noncharacters cannot appear in a playbook file, not even in a comment)"
            if isinstance(err.character, int) else str(err.reason),
            help="delete it; to write a tab or a line break in text, use a quoted string with \\t or \\n"))
        return loaded
    except RecursionError:
        loaded.diagnostics.append(diagnostic(
            "PB011", Span(path), "nesting is too deep to load safely"))
        return loaded
    if extra is not None:
        loaded.diagnostics.append(diagnostic(
            "PB008", Span(path, extra.start_mark.line + 1, extra.start_mark.column + 1),
            "a second YAML document starts here; one file holds one document"))
    if first is None:
        loaded.diagnostics.append(diagnostic("PB007", Span(path), "file is empty"))
        return loaded
    # no anchor, so no alias; `in` first, as the expression tries every position of the text
    if ("&" not in text or not _ANCHOR.search(text)) and (len(text) < _PLAIN_LIMIT
                                                         or _nodes(first) <= MAX_NODES):
        try:
            data = _plain(first, 0, set())
        except _Unusual:
            pass  # something to report: the builder below says what and where
        else:
            packed = zlib.compress(text.encode("utf-8"), 1)
            loaded.source = SourceMap(path, locate=functools.partial(_locate, packed))
            if not isinstance(data, dict):
                loaded.diagnostics.append(diagnostic(
                    "PB010", _Builder(path).span(first), "the document must be a mapping of keys to values"))
                data = None
            loaded.data = data
            return loaded
    builder = _Builder(path)
    builder.text = text
    builder.find_alias_targets(first)
    try:
        data = builder.build(first, "")
    except _AliasLimit:
        data = None
    loaded.source = builder.source
    loaded.diagnostics.extend(builder.diagnostics)
    loaded.poisoned = builder.poisoned
    if not isinstance(data, dict) and not builder.diagnostics:
        loaded.diagnostics.append(diagnostic(
            "PB010", builder.span(first), "the document must be a mapping of keys to values"))
        data = None
    loaded.data = data
    return loaded


def load_file(root: Path | PlaybookFiles, rel: str, expected_kind: str) -> LoadedFile:
    """Read one file under `root` (through the file-access layer) and load it."""
    access = root if isinstance(root, PlaybookFiles) else PlaybookFiles(root)
    empty = LoadedFile(rel, expected_kind, None, SourceMap(rel))
    try:
        raw = access.read_bytes(rel, MAX_FILE_BYTES)
    except FileRefused as err:
        if err.code == "PB005":
            empty.diagnostics.append(diagnostic(
                "PB005", Span(rel),
                f"file is larger than {MAX_FILE_BYTES // 1024} KiB; split it into smaller documents"))
        else:
            empty.diagnostics.append(err.diagnostic(Span(rel)))
        return empty
    text, problems = decode(raw, rel)
    if text is None:
        empty.diagnostics.extend(problems)
        return empty
    return load_text(text, rel, expected_kind)


@dataclass(frozen=True)
class Found:
    """What discovery found: the documents to load and the paths it had to refuse."""

    documents: list[tuple[str, str]]
    """(relative POSIX path, expected kind), sorted."""
    problems: list[Diagnostic]
    """A document-looking path that cannot be used, a folder that cannot be listed."""


def _is_document(rel: str) -> bool:
    return rel.endswith((".yaml", ".yml"))


def scan(access: PlaybookFiles) -> Found:
    """The document files of the playbook, and every refused path where a document may be."""
    found: list[tuple[str, str]] = []
    refused: list[FileRefused] = []
    for name, kind in ROOT_FILES.items():
        what = access.kind(name)
        if what == "file":
            found.append((name, kind))
        elif what != "missing":
            refused.append(_refusal(access, name))
    for folder, kind in DOCUMENT_FOLDERS.items():
        what = access.kind(folder)
        if what == "missing":
            continue
        if what != "dir":
            refused.append(_refusal(access, folder))
            continue
        files, problems = access.walk(folder)
        found += [(rel, kind) for rel in files if _is_document(rel)]
        refused += problems  # in a document folder, anything refused may be a document
    if access.kind("packs") == "dir":
        try:
            entries = access.list_dir("packs")
        except FileRefused as err:
            entries = []
            refused.append(err)
        for entry in entries:
            if entry.startswith("."):
                continue
            folder = f"packs/{entry}"
            what = access.kind(folder)
            if what == "file":
                continue
            pack_file = f"{folder}/{PACK_FILE}"
            if what != "dir":
                refused.append(_refusal(access, folder))
            elif (pack_kind := access.kind(pack_file)) == "file":
                found.append((pack_file, "MaterialPack"))
            elif pack_kind != "missing":
                refused.append(_refusal(access, pack_file))
    elif access.kind("packs") != "missing":
        refused.append(_refusal(access, "packs"))
    return Found(sorted(found), [err.diagnostic(Span(err.rel)) for err in refused])


def _refusal(access: PlaybookFiles, rel: str) -> FileRefused:
    """Why `rel` cannot be used (its kind is neither file nor folder, or it cannot be read)."""
    what = access.kind(rel)
    if what == "link-out":
        return FileRefused(rel, "is a symbolic link leading outside the playbook folder", "PB037")
    if what == "special":
        try:
            access.read_bytes(rel, 0)
        except FileRefused as err:
            return err
    if what == "dir":
        try:
            access.list_dir(rel)
        except FileRefused as err:
            return FileRefused(rel, f"cannot be listed: {err.reason}", err.code)
    return FileRefused(rel, "cannot be read", "PB039")


def discover(root: Path) -> list[tuple[str, str]]:
    """The document files under `root`, as (relative POSIX path, expected kind), sorted."""
    return scan(PlaybookFiles(root)).documents


def index(access: PlaybookFiles) -> tuple[frozenset[str], dict[str, FileRefused]]:
    """Every regular file under the root (skipping hidden and output folders) that the
    file-access layer accepts, and the refused paths with why, for reference checks."""
    files, problems = access.walk("", skip=_SKIPPED_DIRS)
    return frozenset(files), {p.rel: p for p in problems}


def index_files(root: Path) -> frozenset[str]:
    """Every regular file under `root` that stays inside it, skipping hidden and output folders."""
    return index(PlaybookFiles(root))[0]


def load_tree(root: Path) -> Tree:
    """Load every document under a playbook root."""
    access = PlaybookFiles(root)
    found = scan(access)
    documents = [load_file(access, rel, kind) for rel, kind in found.documents]
    files, refused = index(access)
    return Tree(root, documents, files, access=access, refused=refused, problems=found.problems)
