"""Phone screenshots of the shipped playbook's handbook for docs/handbook.md.

    python3 docs/screenshots.py                # build, capture, write docs/img/*.png
    python3 docs/screenshots.py --out /tmp/x   # elsewhere, e.g. to compare before committing

Builds the handbook of this repository's playbook for a fixed date into a temporary folder
(so the pictures change only when the playbook or the handbook does), opens each page from
the file system in Debian's headless Chromium at 390×844 through Playwright, and saves the
first screen from a chosen element down. Not a test: pictures for readers, refreshed by hand.
Lives beside the pages that show them, not in `scripts/`, which holds the playbook's
onboarding scripts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--font-render-hinting=none"]
PHONE = 390, 844
"""Width and height of the screen, in CSS pixels."""
DAY = "2026-12-06"
"""The build date: the winter laundry-pods launch day, so the operator's day is a busy one."""


@dataclass(frozen=True)
class Shot:
    """One picture: the page, the element scrolled to the top of the screen, the file name."""

    page: str
    top: str
    name: str


SHOTS = (
    Shot("operators/lin-xiao.html", "article h1", "phone-operator-day.png"),
    Shot("calendars/weekly-community.html", "article h1", "phone-calendar.png"),
    Shot("packs/winter-laundry-pods.html", ".pb-launch-line", "phone-pack.png"),
)


def build(site: Path, day: str) -> None:
    """The shipped playbook's handbook for `day`, into `site`."""
    sys.path.insert(0, str(REPO / "src"))
    from playbook.cli import main

    if main(["build", str(REPO), "--date", day, "--out", str(site), "--quiet"]) != 0:
        raise SystemExit("the handbook did not build; run `playbook build .` to see why")


def capture(site: Path, out: Path) -> list[Path]:
    """Each shot as a PNG in `out`: one phone screen (390×844 CSS pixels, scale 1)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, is_mobile=True,
                                          device_scale_factor=1, locale="zh-CN", color_scheme="light")
            tab = context.new_page()
            for shot in SHOTS:
                tab.goto((site / shot.page).as_uri())
                tab.wait_for_load_state("load")
                # the header stays on screen (as a reader sees it); the element sits just below it
                tab.evaluate("""selector => {
                  const header = document.querySelector('.md-header');
                  const element = document.querySelector(selector);
                  const below = header ? header.getBoundingClientRect().height : 0;
                  window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - below - 12);
                }""", shot.top)
                path = out / shot.name
                tab.screenshot(path=str(path), animations="disabled", caret="hide")
                written.append(path)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img", help="default: docs/img")
    parser.add_argument("--date", default=DAY, help=f"the build date (default {DAY})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="playbook-shots-") as work:
        site = Path(work) / "site"
        build(site, args.date)
        for path in capture(site, args.out):
            print(f"{path}: {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
