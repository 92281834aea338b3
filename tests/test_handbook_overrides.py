"""Handbook page overrides (templates/handbook/*.j2) are untrusted templates: each bad one named
in issue 13 stops the build with a diagnostic at the override's own path, line and column,
exit 1, and nothing written; none can put live script into the site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli
from playbook.handbook.escape import md

DAY = "2026-11-23"
HOME = "templates/handbook/home.md.j2"


def build(run_cli: RunCli, root: Path) -> tuple[int, list[str]]:
    code, _, err = run_cli("build", root, "--date", DAY)
    assert "Traceback" not in err
    return code, err.splitlines()


def nothing_written(root: Path) -> bool:
    return not (root / "site").exists() and not (root / ".playbook" / "handbook").exists()


@pytest.mark.parametrize("files, expected", [
    ({HOME: '{% extends "home.md.j2" %}\n'},
     "templates/handbook/home.md.j2:1:13: error PB207 'home.md.j2' extends or includes itself: "
     "home.md.j2 -> home.md.j2"),
    ({HOME: "# Home\n\n{% include 'parts.md.j2' %}\n",
      "templates/handbook/parts.md.j2": "{% include 'home.md.j2' %}"},
     "templates/handbook/home.md.j2:3:13: error PB207 'home.md.j2' leads back to itself: "
     "home.md.j2 -> parts.md.j2 -> home.md.j2"),
    ({HOME: "# Home\n\n{% for x in book.layers %}\n{{ x.id }\n{% endfor %}\n"},
     "templates/handbook/home.md.j2:4:1: error PB207 template syntax error: unexpected '}'"),
    ({HOME: "# Home\n\n  <script>alert(document.cookie)</script>\n"},
     "templates/handbook/home.md.j2:3:3: error PB207 <script> is not allowed in a page override "
     "(only text structure such as <br>, <a>, <table>)"),
    ({HOME: "# Home\n\n<img src=x onerror=alert(1)>\n"},
     "templates/handbook/home.md.j2:3:12: error PB207 attribute 'onerror' on <img> is not allowed in a page "
     "override"),
    ({HOME: "# Home\n\n[click](jav\tascript:alert(1))\n"},
     "templates/handbook/home.md.j2:3:7: error PB207 a Markdown link uses the scheme 'javascript:'; "
     "only https, http and mailto links are allowed"),
    ({HOME: "# Home\n\n<a href='{{ book.t(book.playbook.title) }}'>home</a>\n"},
     "templates/handbook/home.md.j2:3:4: error PB207 href of <a> takes a value directly; "
     "write it as {{ url_path(…) }}"),
])
def test_a_bad_override_stops_the_build_at_its_line(files: dict[str, str], expected: str,
                                                     make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook(files)
    code, lines = build(run_cli, root)
    assert code == 1
    assert expected in lines
    assert nothing_written(root)


def test_a_non_utf8_override_is_pb006_at_its_path(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({HOME: "# Home\n\n欢迎".encode("gb18030") + b"\n"})  # b"\xbb\xb6…"
    code, lines = build(run_cli, root)
    assert code == 1
    assert "templates/handbook/home.md.j2:3:1: error PB006 'templates/handbook/home.md.j2' is not UTF-8 " \
           "(byte 0xbb)" in lines
    assert nothing_written(root)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_override_is_refused_without_blocking(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({})
    (root / "templates" / "handbook").mkdir(parents=True)
    os.mkfifo(root / HOME)
    code, lines = build(run_cli, root)
    assert code == 1
    assert "templates/handbook/home.md.j2:1:1: error PB038 'templates/handbook/home.md.j2' is a FIFO " \
           "(named pipe), not a regular file" in lines
    assert nothing_written(root)


def test_an_override_linking_outside_is_refused(make_playbook: MakePlaybook, run_cli: RunCli,
                                                tmp_path: Path) -> None:
    secret = tmp_path / "secret.md.j2"
    secret.write_text("SECRET {{ 1 }}\n", encoding="utf-8")
    root = make_playbook({})
    (root / "templates" / "handbook").mkdir(parents=True)
    (root / HOME).symlink_to(secret)
    code, lines = build(run_cli, root)
    assert code == 1
    assert "templates/handbook/home.md.j2:1:1: error PB037 'templates/handbook/home.md.j2' is a symbolic " \
           "link leading outside the playbook folder" in lines
    assert nothing_written(root)


def test_an_override_failing_at_render_time_is_reported_at_its_line(make_playbook: MakePlaybook,
                                                                   run_cli: RunCli) -> None:
    root = make_playbook({HOME: "# Home\n\n{{ book.nothing.more }}\n"})
    code, lines = build(run_cli, root)
    assert code == 1
    assert "templates/handbook/home.md.j2:3:1: error PB207 rendering the page fails: UndefinedError: " \
           "'playbook.handbook.book.Book object' has no attribute 'nothing'" in lines
    assert nothing_written(root)


def test_an_override_past_a_render_limit_is_reported_at_its_line(make_playbook: MakePlaybook,
                                                                run_cli: RunCli) -> None:
    root = make_playbook({HOME: "# Home\n\n{% for a in range(100000) %}{% for b in range(100000) %}"
                                "{% endfor %}{% endfor %}\n"})
    code, lines = build(run_cli, root)
    assert code == 1
    assert "templates/handbook/home.md.j2:3:1: error PB206 render limit: more than 2,000,000 loop " \
           "iterations, calls and filters" in lines
    assert nothing_written(root)


def test_values_cannot_leave_an_attribute_quoted_either_way() -> None:
    assert md("x' onmouseover='alert(1)") == "x&#39; onmouseover=&#39;alert(1)"
    assert md('x" onmouseover="alert(1)') == "x&quot; onmouseover=&quot;alert(1)"


def test_a_safe_override_builds(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({HOME: "# {{ book.t(book.playbook.title) }}\n\n"
                                "{% for layer in book.layers %}{{ layer.id }}<br>{% endfor %}\n\n"
                                "[官网](https://example.com) "
                                "<a href=\"{{ url_path('index.md') }}\">首页</a>\n"})
    code, _, err = run_cli("build", root, "--date", DAY)
    assert code == 0, err
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://example.com">官网</a>' in page and ">首页</a>" in page
