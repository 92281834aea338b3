"""The published schemas are the contract: they match the models, are valid 2020-12
schemas, accept every shipped document, and refuse what the models refuse."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from playbook.cli import main
from playbook.loader import discover, load_file
from playbook.models import KINDS
from playbook.schema import file_name, render_all

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "schema"
PLAYBOOK_ROOTS = [REPO, *sorted(p for p in (REPO / "examples").iterdir() if p.is_dir())]


def shipped_documents() -> list[tuple[Path, str, str]]:
    """(root, relative path, kind) of every document in the shipped playbooks."""
    return [(root, rel, kind) for root in PLAYBOOK_ROOTS for rel, kind in discover(root)]


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / file_name(kind)).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_schema_files_match_the_models() -> None:
    assert main(["schema", "--check", "--out", str(SCHEMA_DIR)]) == 0


def test_schema_check_reports_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(SCHEMA_DIR, tmp_path / "schema")
    stale = tmp_path / "schema" / "group-rules.schema.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace("forbidden", "forbade"), encoding="utf-8")
    assert main(["schema", "--check", "--out", str(tmp_path / "schema")]) == 1
    assert "group-rules.schema.json: out of date" in capsys.readouterr().out


def test_schema_command_writes_every_kind(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(render_all())
    # + bundle.schema.json (messages.json) and the two WeCom payload kinds (export --format wecom)
    assert len(render_all()) == len(KINDS) + 3
    published = {"bundle.schema.json", "wecom-group-send.schema.json", "wecom-robot.schema.json"}
    assert published <= set(render_all())


@pytest.mark.parametrize("kind", list(KINDS))
def test_schema_is_valid_2020_12_with_id_and_descriptions(kind: str) -> None:
    schema = json.loads((SCHEMA_DIR / file_name(kind)).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:playbook:schema:v1:")
    assert schema["properties"]["kind"]["const"] == kind
    described = [p for p in schema["properties"].values() if "description" in p]
    assert len(described) == len(schema["properties"])


def test_every_kind_has_shipped_documents() -> None:
    kinds = {kind for _, _, kind in shipped_documents()}
    assert kinds == set(KINDS)


@pytest.mark.parametrize(("root", "rel", "kind"), shipped_documents(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_shipped_document_valid_against_schema(root: Path, rel: str, kind: str) -> None:
    loaded = load_file(root, rel, kind)
    assert loaded.diagnostics == []
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(kind).iter_errors(loaded.data)]
    assert errors == []


@pytest.mark.parametrize(("root", "rel", "kind"), shipped_documents(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_shipped_document_has_schema_modeline(root: Path, rel: str, kind: str) -> None:
    first = (root / rel).read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    target = ((root / rel).parent / first.removeprefix(prefix)).resolve()
    assert target == (SCHEMA_DIR / file_name(kind)).resolve()


def test_check_jsonschema_accepts_every_shipped_document() -> None:
    """The peer tool, run as editors' CI would, agrees with our own validation."""
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is part of the [test] extra"
    by_kind: dict[str, list[str]] = {}
    for root, rel, kind in shipped_documents():
        by_kind.setdefault(kind, []).append(str(root / rel))
    for kind, paths in sorted(by_kind.items()):
        result = subprocess.run(
            [exe, "--schemafile", str(SCHEMA_DIR / file_name(kind)), *paths],
            capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


# Model and schema must refuse the same things. Each case edits a valid document.
MINIMAL_CALENDAR: dict[str, Any] = {
    "apiVersion": "playbook/v1", "kind": "ActivityCalendar", "id": "daily", "version": "1.0.0",
    "title": "每日", "owner": "ops", "valid": {"start": "2026-11-01"},
    "daily": [{"id": "morning", "at": "08:30", "name": "早安", "sender": "official", "text": "早"}],
    "weekly": [{"id": "meet", "name": "周会", "kind": "meeting", "weekday": "mon", "at": "20:00",
                "sender": "official", "announce": {"text": "明晚周会"}, "announce_at": "D-1 20:00"}],
}


def _set(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


PARITY_CASES = [
    ("clock 25:00", ("daily", 0, "at"), "25:00"),
    ("clock 8:30", ("daily", 0, "at"), "8:30"),
    ("date 2026-02-30", ("valid", "start"), "2026-02-30"),
    ("date as words", ("valid", "start"), "next monday"),
    ("offset", ("weekly", 0, "announce_at"), "yesterday"),
    ("weekday", ("weekly", 0, "weekday"), "monday"),
    ("semver", ("version",), "1.0"),
    ("id with capitals", ("id",), "Daily"),
    ("locale key", ("title",), {"chinese": "每日"}),
    ("empty text map", ("title",), {}),
    ("unknown key", ("colour",), "red"),
    ("api version", ("apiVersion",), "playbook/v2"),
    ("rrule freq", ("daily", 0, "repeat"), "FREQ=HOURLY"),
]


@pytest.mark.parametrize(("label", "path", "value"), PARITY_CASES, ids=[c[0] for c in PARITY_CASES])
def test_model_and_schema_refuse_the_same_value(label: str, path: tuple[str | int, ...], value: Any) -> None:
    model = KINDS["ActivityCalendar"]
    model.model_validate(MINIMAL_CALENDAR)
    assert validator("ActivityCalendar").is_valid(MINIMAL_CALENDAR)
    bad = _set(MINIMAL_CALENDAR, path, value)
    with pytest.raises(ValidationError):
        model.model_validate(bad)
    assert not validator("ActivityCalendar").is_valid(bad), label
