"""Starter files: a new minimal playbook (`init`) and one new document from a template (`new`).

Templates are package data under `templates/`, filled with `@{name}` placeholders (the YAML
itself uses `$schema` and Jinja2's `{{ }}`, so neither delimiter is free). Every document
starts with the schema modeline, pointing at the playbook's own `schema/` folder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from playbook import __version__
from playbook.models.types import ID_PATTERN
from playbook.schema import SCHEMA_DIR, render_all

GITIGNORE = ("# build outputs of `playbook build` and `playbook export`\nsite/\nbundles/\n"
             "# working files: the validate cache and the handbook workspace\n.playbook/\n")


@dataclass(frozen=True)
class DocumentKind:
    """A kind `playbook new` can add: its template and where its file goes."""

    template: str
    folder: str
    """Where the file goes, with `{id}` for the document id."""

    def path(self, doc_id: str) -> str:
        return self.folder.format(id=doc_id)


NEW_KINDS: dict[str, DocumentKind] = {
    "rules": DocumentKind("rules.yaml", "rules/{id}.yaml"),
    "script": DocumentKind("script.yaml", "scripts/{id}.yaml"),
    "calendar": DocumentKind("calendar.yaml", "calendars/{id}.yaml"),
    "pack": DocumentKind("pack.yaml", "packs/{id}/pack.yaml"),
}


class _Placeholders(string.Template):
    delimiter = "@"


@dataclass(frozen=True)
class References:
    """Ids a new document points at, taken from the playbook it joins so it validates there."""

    sender_role: str = "official"
    operator_role: str = "operator"
    metric: str = "new-members"

    @classmethod
    def from_playbook(cls, data: dict[str, Any] | None) -> References:
        """The first official (else any) role, the first operator role and the first metric."""
        data = data or {}
        roles = [r for r in data.get("roles") or [] if isinstance(r, dict) and "id" in r]
        metrics = [m["id"] for m in data.get("metrics") or [] if isinstance(m, dict) and "id" in m]

        def role(kind: str) -> str | None:
            return next((str(r["id"]) for r in roles if r.get("kind") == kind), None)

        first_role = str(roles[0]["id"]) if roles else None
        return cls(
            sender_role=role("official") or first_role or cls.sender_role,
            operator_role=role("operator") or role("owner") or first_role or cls.operator_role,
            metric=str(metrics[0]) if metrics else cls.metric,
        )


def valid_id(doc_id: str) -> bool:
    return re.match(ID_PATTERN, doc_id) is not None


def slug(name: str) -> str:
    """A document id from a folder name: `My Shop` -> `my-shop` (`playbook` when nothing is left)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "playbook"


def _template(name: str) -> str:
    return files("playbook.scaffold").joinpath("templates", name).read_text(encoding="utf-8")


def _fill(name: str, **values: str) -> str:
    return _Placeholders(_template(name)).substitute(values)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def init_files(doc_id: str, title: str, today: dt.date) -> dict[str, str]:
    """Every file of a new minimal playbook (relative POSIX path -> text)."""
    result = {
        "playbook.yaml": _fill("playbook.yaml", id=doc_id, title=_quoted(title)),
        "roster.yaml": _fill("roster.yaml", today=today.isoformat()),
        "rules/base.yaml": new_document("rules", "base-rules", References(), today,
                                        title="基础群规")[1],
        "scripts/welcome.yaml": new_document("script", "welcome", References(), today,
                                             title="入群欢迎")[1],
        ".gitignore": GITIGNORE,
        ".pre-commit-config.yaml": _template("pre-commit-config.yaml"),
        ".github/workflows/playbook.yml": _fill("github-workflow.yaml", version=__version__),
    }
    result.update({f"{SCHEMA_DIR}/{name}": text for name, text in render_all().items()})
    return result


def new_document(kind: str, doc_id: str, refs: References, today: dt.date,
                 title: str | None = None) -> tuple[str, str]:
    """(path, text) of a new document of `kind` ("rules", "script", "calendar", "pack")."""
    spec = NEW_KINDS[kind]
    path = spec.path(doc_id)
    depth = path.count("/")
    launch = dt.datetime.combine(today + dt.timedelta(days=14), dt.time(10, 0))
    text = _fill(
        spec.template, id=doc_id, title=_quoted(title or doc_id), schema="../" * depth + SCHEMA_DIR + "/",
        today=today.isoformat(), launch=_quoted(launch.strftime("%Y-%m-%d %H:%M")),
        sender_role=refs.sender_role, operator_role=refs.operator_role, metric=refs.metric)
    return path, text
