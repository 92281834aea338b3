"""Mutation run: copy the shipped playbook, inject one kind of fault, expect its code.

Each injection first asserts that the text it edits is present, so a change to the shipped
content makes this test fail loudly instead of passing vacuously.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from playbook import lint
from playbook.loader import load_tree
from playbook.validate import validate_tree

REPO = Path(__file__).resolve().parents[1]
PLAYBOOK_PARTS = ["playbook.yaml", "roster.yaml", "rules", "scripts", "calendars", "packs", "templates"]


def replace_once(path: str, old: str, new: str) -> Callable[[Path], None]:
    def inject(root: Path) -> None:
        text = (root / path).read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path}; update the mutation"
        (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    return inject


def append(path: str, extra: str) -> Callable[[Path], None]:
    def inject(root: Path) -> None:
        assert (root / path).is_file()
        with open(root / path, "a", encoding="utf-8") as handle:
            handle.write(extra)
    return inject


def delete_first_image(root: Path) -> None:
    images = sorted((root / "packs").rglob("*.png"))
    assert images
    images[0].unlink()


MUTATIONS: list[tuple[str, str, Callable[[Path], None]]] = [
    ("unknown operator", "PB104", replace_once("roster.yaml", "operator: lin-xiao", "operator: lin-xiaoo")),
    ("unknown sender role", "PB103",
     replace_once("scripts/join-ceremony.yaml", "sender: operator", "sender: operater")),
    ("two slots in the same minute", "PB401",
     replace_once("calendars/daily-promotion.yaml", 'at: "09:30"', 'at: "08:30"')),
    ("send in quiet hours", "PB403",
     replace_once("calendars/daily-promotion.yaml", 'at: "08:30"', 'at: "23:30"')),
    ("escalation goes backwards", "PB501",
     replace_once("rules/base.yaml", "action: warning", "action: removal")),
    ("absolute advertising claim", "PB701", append("templates/messages/welcome.j2", "\n全网最低价!\n")),
    ("undefined template variable", "PB201", append("templates/messages/welcome.j2", "{{ group.nmae }}\n")),
    ("personal data", "PB703", append("templates/messages/welcome.j2", "\n客服 13812345678\n")),
    ("message too long for WeCom", "PB301", append("templates/messages/welcome.j2", "好" * 1500)),
    ("missing media file", "PB033", delete_first_image),
    ("unknown key", "PB020", replace_once("rules/base.yaml", "escalation:", "escalaton:")),
    ("bad clock time", "PB024",
     replace_once("calendars/daily-promotion.yaml", 'at: "12:30"', 'at: "24:30"')),
]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-11-23")


def codes_after(inject: Callable[[Path], None], tmp_path: Path) -> set[str]:
    root = tmp_path / "pb"
    root.mkdir()
    for part in PLAYBOOK_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copyfile(source, root / part)
    inject(root)
    result = validate_tree(load_tree(root))
    found = list(result.diagnostics)
    if result.project is not None:
        found += lint.run(result.project)
    return {d.code for d in found}


def test_unmutated_copy_is_clean(tmp_path: Path) -> None:
    assert codes_after(lambda root: None, tmp_path) == set()


@pytest.mark.parametrize(("label", "code", "inject"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_injected_fault_is_caught(label: str, code: str, inject: Callable[[Path], None],
                                  tmp_path: Path) -> None:
    assert code in codes_after(inject, tmp_path), label
