"""Lint configuration: `[tool.playbook]` in the playbook's pyproject.toml, then command-line flags.

    [tool.playbook]
    select = ["PB1", "PB3"]          # code prefixes to run (default: all)
    ignore = ["PB115"]               # code prefixes to skip
    fail-level = "error"             # "error" or "warning": what makes the exit code 1
    [tool.playbook.severity]
    PB601 = "error"                  # per-rule severity: error, warning, info or off
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from playbook.diagnostics import Severity

SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


class ConfigError(Exception):
    """The configuration cannot be used (exit 2)."""


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity | None] = field(default_factory=dict)
    fail_level: Severity = Severity.ERROR

    def enabled(self, code: str) -> bool:
        if self.severity.get(code, Severity.INFO) is None:
            return False
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code) or default

    def with_flags(self, select: list[str] | None, ignore: list[str] | None,
                   fail_level: str | None) -> LintConfig:
        config = self
        if select:
            config = replace(config, select=tuple(_codes(select, "--select")))
        if ignore:
            config = replace(config, ignore=config.ignore + tuple(_codes(ignore, "--ignore")))
        if fail_level:
            config = replace(config, fail_level=_level(fail_level, "--fail-level"))
        return config


def _codes(values: Any, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where} must be a list of code prefixes such as \"PB1\" or \"PB401\"")
    result = []
    for value in values:
        for part in value.split(","):
            part = part.strip().upper()
            if not part.startswith("PB"):
                raise ConfigError(f"{where}: '{part}' is not a code prefix such as PB1 or PB401")
            result.append(part)
    return result


def _level(value: Any, where: str) -> Severity:
    if value not in ("error", "warning"):
        raise ConfigError(f"{where} must be \"error\" or \"warning\", not {value!r}")
    return SEVERITIES[value]


_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)")


def _toml_position(message: str, text: str) -> str:
    """LINE:COL of a tomllib error, from its message (Python 3.11 has no attributes for it)."""
    match = _TOML_AT.search(message)
    if match and match.group(1):
        return f"{match.group(1)}:{match.group(2)}"
    lines = text.split("\n")
    return f"{len(lines)}:{len(lines[-1]) + 1}"


def load_config(root: Path) -> LintConfig:
    """Read `[tool.playbook]` from ROOT/pyproject.toml when there is one (through the
    file-access layer: a link out of the playbook or a FIFO is refused, not followed)."""
    from playbook.files import FileRefused, PlaybookFiles

    access = PlaybookFiles(root)
    path = root / "pyproject.toml"
    if access.kind("pyproject.toml") == "missing":
        return LintConfig()
    try:
        text = access.read_text("pyproject.toml")
        table = tomllib.loads(text).get("tool", {}).get("playbook", {})
    except FileRefused as err:
        raise ConfigError(f"{path}:1:1: {err.reason}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}:{_toml_position(str(err), text)}: invalid TOML: "
                          f"{_TOML_AT.sub('', str(err))}") from None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.playbook] must be a table")
    where = f"{path} [tool.playbook]"
    unknown = sorted(set(table) - {"select", "ignore", "severity", "fail-level"})
    if unknown:
        raise ConfigError(f"{where}: unknown setting '{unknown[0]}'")
    severity: dict[str, Severity | None] = {}
    for code, level in table.get("severity", {}).items():
        if level == "off":
            severity[code.upper()] = None
        elif level in SEVERITIES:
            severity[code.upper()] = SEVERITIES[level]
        else:
            raise ConfigError(f"{where}.severity.{code}: use error, warning, info or off")
    return LintConfig(
        select=tuple(_codes(table.get("select", []), f"{where}.select")),
        ignore=tuple(_codes(table.get("ignore", []), f"{where}.ignore")),
        severity=severity,
        fail_level=_level(table.get("fail-level", "error"), f"{where}.fail-level"),
    )
