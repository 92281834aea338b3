"""The shipped playbooks (the repository root and examples/*) validate clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.is_dir())


def test_three_example_playbooks_are_shipped() -> None:
    assert [p.name for p in EXAMPLES] == ["b2b-shopping-guide", "knowledge-payment", "pharmacy-vip"]


@pytest.mark.parametrize("root", [REPO, *EXAMPLES], ids=lambda p: p.name)
def test_shipped_playbook_validates_clean(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(root)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("All clear")
