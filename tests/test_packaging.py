"""Issue 18, item 8: what pyproject.toml declares. The distribution has a name of its own
(`playbook` on PyPI is another project), every third-party module the tool imports is declared,
floors are real (icalendar 7.0 re-reads escaped text right, Jinja2 3.1.6 closes sandbox
escapes), and the minimum-versions job pins exactly those floors."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

import playbook

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
MODULE_TO_DISTRIBUTION = {  # import name -> distribution name, where they differ
    "yaml": "pyyaml", "jinja2": "jinja2", "markupsafe": "markupsafe", "dateutil": "python-dateutil",
    "chinese_calendar": "chinesecalendar", "material": "mkdocs-material", "ruamel": "ruamel.yaml",
    "pydantic_core": "pydantic",  # pinned exactly by pydantic, whose errors it describes
}


def _runtime() -> dict[str, Requirement]:
    return {Requirement(text).name.lower(): Requirement(text) for text in PROJECT["dependencies"]}


def _imported_modules() -> set[str]:
    found = set()
    for path in (REPO / "src" / "playbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "playbook"}


def test_distribution_name_is_not_pypis_playbook() -> None:
    assert PROJECT["name"] == playbook.DISTRIBUTION == "community-playbook"
    assert PROJECT["scripts"] == {"playbook": "playbook.cli:command"}
    assert playbook.__version__ == PROJECT["version"]


def test_every_imported_module_is_a_declared_dependency() -> None:
    declared = set(_runtime())
    missing = {m for m in _imported_modules() if MODULE_TO_DISTRIBUTION.get(m, m) not in declared}
    assert missing == set()


def test_jsonschema_is_a_test_dependency_only() -> None:
    assert "jsonschema" not in _runtime() and "jsonschema" not in _imported_modules()
    assert any(Requirement(t).name == "jsonschema" for t in PROJECT["optional-dependencies"]["test"])


def test_floors_that_were_wrong() -> None:
    runtime = _runtime()
    assert str(runtime["icalendar"].specifier) == ">=7.0"  # 6.x re-reads an escaped "\\," wrongly
    assert str(runtime["jinja2"].specifier) == ">=3.1.6"  # sandbox escapes closed in 3.1.5/3.1.6
    assert str(runtime["markupsafe"].specifier) == ">=2.1"


def test_minimum_versions_constraints_pin_each_floor() -> None:
    done = subprocess.run([sys.executable, str(REPO / ".ci" / "floors.py")], capture_output=True,
                          text=True, check=True)
    pins = done.stdout.splitlines()
    assert len(pins) == len(PROJECT["dependencies"])
    assert {"pydantic==2.11", "icalendar==7.0", "Jinja2==3.1.6", "MarkupSafe==2.1", "mkdocs-material==9.7",
            "ruamel.yaml==0.18.5", "semver==3.0"} <= set(pins)
    assert all(pin.count("==") == 1 for pin in pins)
