"""Print a pip constraints file that pins every runtime dependency of pyproject.toml to its
declared floor (`pydantic>=2.7,<3` -> `pydantic==2.7`), for the minimum-versions job
(.ci/minimum): the floors are a promise, and only installing them shows they hold."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement


def floors(pyproject: Path) -> list[str]:
    """`name==floor` for every runtime dependency with a lower bound, in declaration order."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for text in project["dependencies"]:
        requirement = Requirement(text)
        lows = [spec.version for spec in requirement.specifier if spec.operator in (">=", "==", "~=")]
        if lows:
            pins.append(f"{requirement.name}=={lows[0]}")
    return pins


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    sys.stdout.write("".join(f"{pin}\n" for pin in floors(root / "pyproject.toml")))
