"""The one way golden files are compared and refreshed (tests/golden/).

A golden test passes only when the output equals the committed file. `PLAYBOOK_UPDATE_GOLDEN=1`
(exactly `1`; any other value compares) rewrites the files that differ, and the test then
FAILS with `golden refreshed: <path>`, so a refresh run is never green by accident: review the
diff, commit it, run again. With `CI` set a refresh is refused outright (the test errors and
nothing is written): CI must judge the committed goldens, never regenerate them. The run's
terminal summary lists every file rewritten (`pytest_terminal_summary` below; tests/conftest.py
re-exports it, a stand-alone run loads it with `-p golden`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

REFRESH = "PLAYBOOK_UPDATE_GOLDEN"
REFRESHED: list[str] = []
"""Golden files rewritten during this run, for the terminal summary."""


def refreshing() -> bool:
    """True when this run rewrites goldens; refused (the test fails) when CI is set."""
    if os.environ.get(REFRESH) != "1":
        return False
    if os.environ.get("CI"):
        pytest.fail(f"{REFRESH}=1 is refused when CI is set: goldens are refreshed locally and "
                    "reviewed as diffs", pytrace=False)
    return True


def _show(path: Path) -> str:
    try:
        return path.relative_to(Path(__file__).parent.parent).as_posix()
    except ValueError:
        return str(path)


def _data(actual: str | bytes) -> bytes:
    return actual.encode("utf-8") if isinstance(actual, str) else actual


def assert_golden(path: Path, actual: str | bytes) -> None:
    """`actual` (text is compared as UTF-8) must equal the golden file at `path`."""
    data = _data(actual)
    if refreshing():
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            REFRESHED.append(_show(path))
            pytest.fail(f"golden refreshed: {_show(path)}", pytrace=False)
        return
    if not path.is_file():
        pytest.fail(f"golden file {_show(path)} is missing; {REFRESH}=1 writes it", pytrace=False)
    expected = path.read_bytes()
    if isinstance(actual, str):
        assert actual == expected.decode("utf-8"), f"{_show(path)} differs ({REFRESH}=1 refreshes it)"
    else:
        assert data == expected, f"{_show(path)} differs ({REFRESH}=1 refreshes it)"


def assert_golden_tree(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """`files` (relative POSIX path -> content) must be exactly the files under `folder`: none
    missing, none extra, each equal. A refresh also deletes the golden files no longer made."""
    on_disk = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
    if refreshing():
        changed = []
        for name in sorted(set(on_disk) - set(files)):
            on_disk[name].unlink()
            changed.append(_show(on_disk[name]) + " (removed)")
        for name, content in sorted(files.items()):
            path = folder / name
            if not path.is_file() or path.read_bytes() != _data(content):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_data(content))
                changed.append(_show(path))
        if changed:
            REFRESHED.extend(changed)
            pytest.fail("golden refreshed: " + ", ".join(changed), pytrace=False)
        return
    assert sorted(files) == sorted(on_disk), f"files added or removed under {_show(folder)} ({REFRESH}=1)"
    for name, content in files.items():
        path = on_disk[name]
        expected = path.read_text(encoding="utf-8") if isinstance(content, str) else path.read_bytes()
        assert content == expected, f"{_show(path)} differs ({REFRESH}=1 refreshes it)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After a refresh run: which golden files were rewritten (the run is red; review them)."""
    if REFRESHED:
        terminalreporter.section("golden files rewritten")
        for name in REFRESHED:
            terminalreporter.write_line(name)
        terminalreporter.write_line(f"{len(REFRESHED)} rewritten: review `git diff tests/golden`, commit, "
                                    f"and run again without {REFRESH}")


__all__ = ["assert_golden", "assert_golden_tree", "pytest_terminal_summary", "refreshing"]
