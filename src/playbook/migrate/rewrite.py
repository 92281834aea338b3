"""Rewrite one document's text from its apiVersion to a newer one, keeping comments, key
order, quoting and indentation (ruamel.yaml round-trip, used for this rewrite only).

The file is first loaded by `playbook.loader` with all its safety limits; a file it refuses
(bad YAML, a tag, too many aliases, duplicate keys) is reported and never rewritten.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from playbook.codes import diagnostic
from playbook.diagnostics import Diagnostic, Severity
from playbook.loader import load_text
from playbook.migrate.migrations import Migration, shift_comment, steps_between
from playbook.models.versions import CURRENT, VERSIONS

_BOM = "\ufeff"


@dataclass
class Migrated:
    """The outcome for one file: its new text (None when nothing changes) and what changed."""

    path: str
    source: str | None
    """The apiVersion the file was written for (None when it could not be read)."""
    text: str | None = None
    changes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def migrate_text(text: str, path: str, expected_kind: str, target: str = CURRENT) -> Migrated:
    """Migrate one file's text to `target`; see `Migrated`."""
    loaded = load_text(text, path, expected_kind)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors or loaded.data is None:
        return Migrated(path, None, diagnostics=errors)
    version = loaded.data.get("apiVersion")
    kind = loaded.data.get("kind", expected_kind)
    if not isinstance(version, str) or version not in VERSIONS:
        return Migrated(path, None, diagnostics=[diagnostic(
            "PB013", loaded.source.value("/apiVersion"), f"unknown apiVersion '{version}'",
            help=f"known versions: {', '.join(VERSIONS)}")])
    try:
        chain = steps_between(version, target)
    except ValueError as err:
        return Migrated(path, version, diagnostics=[diagnostic(
            "PB013", loaded.source.value("/apiVersion"), str(err))])
    if not chain:
        return Migrated(path, version)
    try:
        new_text, changes = _rewrite(text, str(kind), chain, target)
    except YAMLError as err:  # the safe loader accepted it, so this is a ruamel limitation
        return Migrated(path, version, diagnostics=[diagnostic(
            "PB001", loaded.source.value(""), f"cannot rewrite this file: {err}")])
    return Migrated(path, version, new_text, changes)


def _rewrite(text: str, kind: str, chain: list[Migration], target: str) -> tuple[str, list[str]]:
    bom = text.startswith(_BOM)
    body = text[len(_BOM):] if bom else text
    crlf = "\r\n" in body
    body = body.replace("\r\n", "\n")
    yaml = _round_trip(body)
    document = yaml.load(body)
    changes: list[str] = []
    for migration in chain:
        changes += migration.apply(document, kind)
    document["apiVersion"] = target
    shift_comment(document, "apiVersion", len(target) - len(chain[0].source))
    changes.insert(0, f"apiVersion: {chain[0].source} → {target}")
    out = io.StringIO()
    yaml.dump(document, out)
    result = out.getvalue()
    if crlf:
        result = result.replace("\n", "\r\n")
    return (_BOM if bom else "") + result, changes


def _round_trip(text: str) -> YAML:
    """A round-trip YAML (safe: no Python tags) set up to write the file as its author did."""
    _, sequence, offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    sequence = sequence or 2
    offset = offset or 0
    # the guess gives a list item's content indent and its dash's offset; a mapping inside
    # a mapping is indented by their difference (`  - id:` style: 4 and 2, so 2)
    mapping = sequence - offset if sequence > offset else sequence
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml
