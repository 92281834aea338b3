"""`playbook build --metrics` end to end (issue 17 item 6): the real command, the shipped
example's metrics.csv and a real MkDocs build, then the lifecycle page as a reader gets it in
site/: the keep, merge and disband decisions, linked from the navigation, and a group name
carrying markup shown as text. One build, shared by the module."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from playbook.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "b2b-shopping-guide"
PLAIN, HOSTILE = "微商选款 01 群", "微商<img src=x onerror=alert(1)>选款 01 群"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's handbook with its lifecycle page; one group renamed with markup in it (the
    metrics file finds that group by its chat_id)."""
    root = tmp_path_factory.mktemp("b2b") / "playbook"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".playbook", "site"))
    roster = root / "roster.yaml"
    text = roster.read_text("utf-8")
    assert PLAIN in text
    roster.write_text(text.replace(PLAIN, HOSTILE), "utf-8")
    out = root.parent / "site"
    assert main(["build", str(root), "--date", "2026-12-31", "--metrics", str(root / "metrics.csv"),
                 "--out", str(out)]) == 0
    return out


def rows(page: str) -> dict[str, str]:
    """Each table row of the page by group id (the code span in its first cell)."""
    found: dict[str, str] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        group = re.search(r"<code>([a-z0-9-]+)</code>", row)
        if group:
            found[group.group(1)] = row
    return found


def test_the_lifecycle_page_shows_each_decision(site: Path) -> None:
    page = (site / "lifecycle.html").read_text("utf-8")
    found = rows(page)
    # on the file's last day, the decisions `playbook audit` gives (tests/test_audit.py)
    assert sorted(found) == ["cd-store-01", "gz-store-01", "hz-store-01", "micro-01",
                             "online-east-01", "store-koc-01"]
    decision = {g: re.search(r"<strong>(.*?)</strong>", row).group(1)  # type: ignore[union-attr]
                for g, row in found.items()}
    assert decision["micro-01"] == "disband"
    assert decision["store-koc-01"].startswith("merge")
    assert decision["gz-store-01"] == "keep"
    assert '<svg class="pb-trend"' in found["gz-store-01"]


def test_a_group_name_with_markup_is_shown_as_text(site: Path) -> None:
    page = (site / "lifecycle.html").read_text("utf-8")
    assert "微商&lt;img src=x onerror=alert(1)&gt;选款 01 群" in rows(page)["micro-01"]
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page


def test_the_navigation_links_the_lifecycle_page(site: Path) -> None:
    home = (site / "index.html").read_text("utf-8")
    link = re.search(r'<a href="(lifecycle\.html)"[^>]*>\s*(?:<span[^>]*>\s*)?生命周期', home)
    assert link is not None
    assert (site / link.group(1)).is_file()
