"""The result cache of `playbook validate`: a second run over unchanged files prints the stored
diagnostics instead of loading, validating and linting everything again.

One entry per playbook, in ``ROOT/.playbook/cache/validate.json``. It is used only when its key
matches; the key is a BLAKE2b hash of everything the result depends on:

* the tool: the Python version, the content of every file of the installed ``playbook``
  package (so editing the tool invalidates), and the names of the installed distributions
  (``playbook-0.1.0.dist-info``…: the version of the tool and of every dependency, whose
  upgrade can change a message);
* the run: the ``--select``/``--ignore``/``--fail-level`` flags as given, and the day the
  date-dependent rules use as today (``PLAYBOOK_TODAY`` when set, as ``schedule.today``);
* the playbook: the path and content of every document the loader would load, of every file
  under ``templates/`` (messages include them), of ``pyproject.toml`` (the lint config), the
  path of every file the loader indexes (media and attachments are checked for existence
  only), and where each symbolic link among them leads.

Which files the loader sees is mirrored here rather than asked of `playbook.loader`: importing
the loader (and PyYAML) and resolving every path would cost more than the whole cached run.
tests/test_cache.py checks that the two agree.

Problems with the cache never stop a run: an unreadable, corrupt or foreign entry is a miss,
and a folder that cannot be written to is simply not cached. Failed runs (exit code 2: bad
config, bad flags) are never stored, so they are reported again every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import playbook
from playbook.diagnostics import Diagnostic, Related, Severity
from playbook.source import Span

CACHE_FOLDER = Path(".playbook") / "cache"
"""Where, under a playbook root, cache entries live (a hidden folder: the loader skips it)."""
VALIDATE_FILE = "validate.json"
FORMAT = 1
"""The layout of an entry; bump it when the stored fields change."""
DISABLE_VARIABLE = "PLAYBOOK_NO_CACHE"
"""Set to anything but "" or "0" to turn the cache off (as `--no-cache` does)."""

# What the loader reads; kept equal to playbook.loader by tests/test_cache.py.
ROOT_FILES = ("playbook.yaml", "roster.yaml")
DOCUMENT_FOLDERS = ("rules", "scripts", "calendars")
DOCUMENT_SUFFIXES = (".yaml", ".yml")
PACKS_FOLDER = "packs"
PACK_FILE = "pack.yaml"
SKIPPED_DIRS = frozenset({"site", "node_modules", "__pycache__", "examples"})
TEMPLATES_FOLDER = "templates"
CONFIG_FILE = "pyproject.toml"


@dataclass(frozen=True)
class Entry:
    """A stored result: what `validate` printed from, and how it exited."""

    diagnostics: list[Diagnostic]
    files_checked: int
    exit_code: int


@dataclass
class Inputs:
    """The files under a playbook root that a validate result depends on."""

    documents: list[str] = field(default_factory=list)
    """What `loader.discover` returns (relative POSIX paths, sorted): content matters."""
    indexed: set[str] = field(default_factory=set)
    """What `loader.index_files` returns: only that each exists matters."""
    templates: list[str] = field(default_factory=list)
    """Every file under templates/, hidden ones included: content matters."""
    links: dict[str, str] = field(default_factory=dict)
    """Each symbolic link met -> where it resolves (relative to the root, or absolute outside it)."""


def disabled(no_cache_flag: bool) -> bool:
    """Whether this run must neither read nor write the cache."""
    return no_cache_flag or os.environ.get(DISABLE_VARIABLE, "") not in ("", "0")


def today_text() -> str:
    """The day the date-dependent rules use, as `playbook.schedule.today` picks it. Kept raw when
    PLAYBOOK_TODAY is set: an invalid value fails the run, and failed runs are not stored."""
    return os.environ.get("PLAYBOOK_TODAY") or dt.date.today().isoformat()


def entry_path(root: Path) -> Path:
    """Where the validate entry of the playbook at `root` is kept."""
    return root / CACHE_FOLDER / VALIDATE_FILE


def key(root: Path, options: Mapping[str, Any]) -> str | None:
    """The cache key of validating `root` with `options` (JSON-serialisable command settings);
    None when the inputs cannot be read reliably (then nothing is cached)."""
    try:
        digest = hashlib.blake2b(digest_size=32)
        _add(digest, f"playbook-validate-cache/{FORMAT}".encode())
        _add(digest, _toolchain().encode())
        settings = {"options": dict(options), "today": today_text()}
        _add(digest, json.dumps(settings, sort_keys=True, default=str).encode())
        found = inputs(root)
        base = str(root)
        for section, names in (("documents", found.documents), ("templates", found.templates)):
            _add(digest, section.encode())
            for rel in names:
                _add(digest, _bytes(rel))
                _add_file(digest, os.path.join(base, rel))
        _add(digest, CONFIG_FILE.encode())
        config = os.path.join(base, CONFIG_FILE)
        if os.path.isfile(config):
            _add_file(digest, config)
        else:
            _add(digest, b"absent")
        _add(digest, _bytes("\0".join(sorted(found.indexed))))
        _add(digest, json.dumps(found.links, sort_keys=True).encode())
        return digest.hexdigest()
    except (OSError, ValueError):
        return None


def load(root: Path, wanted: str) -> Entry | None:
    """The stored entry when its key is `wanted`; None on any mismatch or damage."""
    try:
        stored = json.loads(entry_path(root).read_bytes())
        if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get("key") != wanted:
            return None
        return Entry(
            diagnostics=[_diagnostic(d) for d in stored["diagnostics"]],
            files_checked=_int(stored["files_checked"]),
            exit_code=_int(stored["exit_code"]),
        )
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def store(root: Path, wanted: str, entry: Entry) -> bool:
    """Keep `entry` under key `wanted` (replacing the previous one). False when the folder cannot
    be written: a cache is an optimisation, so that is not an error."""
    from playbook.writer import write_text  # only a miss writes

    payload = {
        "format": FORMAT,
        "key": wanted,
        "files_checked": entry.files_checked,
        "exit_code": entry.exit_code,
        "diagnostics": [_plain(d) for d in entry.diagnostics],
    }
    folder = root / CACHE_FOLDER
    try:
        # the folder ignores itself, so a playbook repository never commits its cache
        write_text(folder / ".gitignore", "# Created by `playbook validate`; safe to delete.\n*\n")
        write_text(folder / VALIDATE_FILE, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    except OSError:
        return False
    return True


def inputs(root: Path) -> Inputs:
    """Mirror `loader.discover`, `loader.index_files` and the template loader: which files under
    `root` a validate run reads or checks for."""
    found = Inputs()
    base = str(root)
    real_root = os.path.realpath(root)
    for name in ROOT_FILES:
        if os.path.isfile(os.path.join(base, name)):
            found.documents.append(name)
    for folder in DOCUMENT_FOLDERS:
        for rel, _ in _files(base, folder, hidden=False, skip=frozenset(), links=found.links,
                             real_root=real_root):
            if rel.endswith(DOCUMENT_SUFFIXES):
                found.documents.append(rel)
    packs = os.path.join(base, PACKS_FOLDER)
    if os.path.isdir(packs):
        for pack in sorted(os.scandir(packs), key=lambda e: e.name):
            if pack.is_dir() and not pack.name.startswith(".") \
                    and os.path.isfile(os.path.join(pack.path, PACK_FILE)):
                found.documents.append(f"{PACKS_FOLDER}/{pack.name}/{PACK_FILE}")
    found.documents.sort()
    for rel, inside in _files(base, "", hidden=False, skip=SKIPPED_DIRS, links=found.links,
                              real_root=real_root):
        if inside:
            found.indexed.add(rel)
    found.templates = [rel for rel, _ in _files(base, TEMPLATES_FOLDER, hidden=True, skip=frozenset(),
                                                links=found.links, real_root=real_root)]
    return found


def _files(base: str, rel_top: str, *, hidden: bool, skip: frozenset[str], links: dict[str, str],
           real_root: str) -> Iterator[tuple[str, bool]]:
    """Every non-folder under base/rel_top as (relative POSIX path, stays inside the root), sorted,
    as `os.walk` sees them: linked folders are listed, not entered; unreadable folders are skipped.
    Each link met is recorded in `links`."""
    top = os.path.join(base, rel_top) if rel_top else base
    try:
        with os.scandir(top) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if not hidden and entry.name.startswith("."):
            continue
        rel = f"{rel_top}/{entry.name}" if rel_top else entry.name
        linked = entry.is_symlink()
        target = os.path.realpath(entry.path) if linked else ""
        if linked:
            links[rel] = _relative(target, real_root)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not linked and entry.name not in skip:
                yield from _files(base, rel, hidden=hidden, skip=skip, links=links, real_root=real_root)
        else:
            yield rel, not linked or target.startswith(real_root + os.sep)


def _relative(target: str, real_root: str) -> str:
    if target.startswith(real_root + os.sep):
        return Path(os.path.relpath(target, real_root)).as_posix()
    return target


def _bytes(name: str) -> bytes:
    """A file name as bytes, also when it is not valid UTF-8 (os.scandir keeps such bytes as
    surrogates)."""
    return name.encode("utf-8", "surrogateescape")


def _add(digest: Any, data: bytes) -> None:
    """Feed one length-prefixed field, so that no two different inputs run together alike."""
    digest.update(len(data).to_bytes(8, "little"))
    digest.update(data)


def _add_file(digest: Any, path: str | Path) -> None:
    """Feed a file's bytes; for an unreadable file, its error (the loader reports that)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        _add(digest, f"unreadable {err.errno}".encode())
        return
    _add(digest, b"content")
    _add(digest, data)


_tool_digest: str | None = None


def _toolchain() -> str:
    """What identifies the checking code: Python, the package files, the installed distributions
    (their names carry the versions, so `playbook.__version__` and its slow metadata lookup are
    not needed). Computed once per process."""
    global _tool_digest
    if _tool_digest is None:
        digest = hashlib.blake2b(digest_size=32)
        _add(digest, sys.version.encode())
        package = Path(playbook.__file__).parent
        for dirpath, dirnames, filenames in os.walk(package):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                path = Path(dirpath, name)
                _add(digest, _bytes(path.relative_to(package).as_posix()))
                _add_file(digest, path)
        for entry in sys.path:
            if os.path.basename(entry) in ("site-packages", "dist-packages") and os.path.isdir(entry):
                _add(digest, _bytes("\0".join(sorted(
                    n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info"))))))
        _tool_digest = digest.hexdigest()
    return _tool_digest


def _plain(d: Diagnostic) -> dict[str, Any]:
    return {
        "span": [d.span.path, d.span.line, d.span.col],
        "severity": int(d.severity),
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "help": d.help,
        "related": [[r.span.path, r.span.line, r.span.col, r.message] for r in d.related],
    }


def _diagnostic(item: dict[str, Any]) -> Diagnostic:
    path, line, col = item["span"]
    return Diagnostic(
        span=Span(_str(path), _int(line), _int(col)),
        severity=Severity(_int(item["severity"])),
        code=_str(item["code"]),
        name=_str(item["name"]),
        message=_str(item["message"]),
        help=None if item["help"] is None else _str(item["help"]),
        related=tuple(Related(Span(_str(p), _int(ln), _int(c)), _str(m)) for p, ln, c, m in item["related"]),
    )


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected a whole number, found {type(value).__name__}")
    return value
