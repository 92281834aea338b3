"""The handbook: golden Markdown pages of the shipped playbook, escaping of playbook text,
atomic and byte-identical builds, search segmentation, overrides and the commands."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli, document_header
from golden import assert_golden_tree
from playbook.handbook.compile import compile_handbook
from playbook.handbook.escape import fence, md
from playbook.handbook.serve import prepare
from playbook.pipeline import check

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "handbook"
DAY = "2026-11-23"

HOSTILE_RULES = document_header("GroupRules", "base-rules").replace(
    "title: 测试文档", 'title: "规则 </title><script>alert(1)</script>"') + """\
forbidden:
  - id: no-script
    text: "<script>alert(1)</script> 不发广告"
  - id: no-link
    text: "[click](javascript:alert(1)) | *star* {: onclick=alert(1)}"
escalation:
  - action: reminder
    after: 1
    enforcer: official
announcement:
  intro: "# 欢迎 <img src=x onerror=alert(1)>"
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped playbook's handbook, built once for this module."""
    from playbook.cli import main

    out = tmp_path_factory.mktemp("shipped") / "site"
    assert main(["build", str(REPO), "--date", DAY, "--out", str(out)]) == 0
    return out


def test_golden_pages_of_the_shipped_playbook() -> None:
    checked = check(REPO)
    assert checked.project is not None and not checked.failing
    pages = compile_handbook(checked.project, dt.date.fromisoformat(DAY)).handbook.pages
    assert_golden_tree(GOLDEN, pages)


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "[click](javascript:alert(1))", "# heading", "- item", "1. first",
    "a | b", "*em* _em_ `code`", "{: onclick=alert(1)}", "!!! note", "line one\n=====",
    "<http://example.com>", "&lt;already&gt;", "![img](x.png)", "\x02wzxhzdk:0\x03",
])
def test_md_escaping_leaves_only_text(text: str) -> None:
    import markdown

    rendered = markdown.markdown(f"| h |\n| - |\n| {md(text)} |\n\npara {md(text)}\n\n{md(text)}",
                                 extensions=["tables", "admonition", "toc"])
    body = re.sub(r"</?(table|thead|tbody|tr|th|td|p|br)( [^>]*)?/?>", "", rendered)
    assert "<" not in body.replace("&lt;", ""), rendered
    assert 'href="javascript:' not in rendered


def test_fence_cannot_be_closed_by_its_text() -> None:
    block = fence("a\n```\n<b>x</b>\n````")
    assert block.startswith("`````text\n") and block.endswith("\n`````")


def test_hostile_rule_text_is_shown_as_text(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": HOSTILE_RULES})
    code, _, err = run_cli("build", root, "--date", DAY)
    assert code == 0, err
    html = (root / "site" / "rules" / "base-rules.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[click](javascript:alert(1))" in html
    every_page = "".join(p.read_text("utf-8") for p in (root / "site").rglob("*.html"))
    for bad in ("<script>alert", 'href="javascript:', "<img src=x", "onclick=alert(1)>", "<em>star"):
        assert bad not in every_page


def test_built_site_has_every_section(shipped_site: Path) -> None:
    for page in ("index.html", "layers/top.html", "group-types/middle-official.html", "rules/base-rules.html",
                 "scripts/app-to-group-funnel.html", "calendars/weekly-community.html",
                 "packs/winter-laundry-pods.html", "operators/lin-xiao.html", "reference/lint-rules.html",
                 "reference/fields.html", "reference/changelog.html",
                 "packs/winter-laundry-pods/images/main.png",
                 "bundles/lin-xiao/ics/lin-xiao.ics", "bundles/lin-xiao/md/lin-xiao/2026-11-23.md"):
        assert (shipped_site / page).is_file(), page
    home = (shipped_site / "index.html").read_text("utf-8")
    assert '<html lang="zh"' in home and "pb-pyramid" in home


def test_site_fetches_nothing_from_the_network(shipped_site: Path) -> None:
    for page in shipped_site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', text), page
        assert "fonts.googleapis" not in text


def test_search_index_segments_chinese_words(shipped_site: Path) -> None:
    index = json.loads((shipped_site / "search" / "search_index.json").read_text("utf-8"))
    assert index["config"]["lang"] == ["zh", "en"]
    assert "\\u200b" in index["config"]["separator"]
    rules = " ".join(d["text"] for d in index["docs"] if d["location"].startswith("rules/base-rules.html"))
    assert "\u200b广告\u200b" in rules


def test_two_builds_are_byte_identical(shipped_site: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, run_cli: RunCli) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    code, _, err = run_cli("build", REPO, "--date", DAY, "--out", tmp_path / "again")
    assert code == 0, err
    assert tree(tmp_path / "again") == tree(shipped_site)
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_failed_validation_keeps_the_previous_site(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({})
    assert run_cli("build", root, "--date", DAY)[0] == 0
    before = tree(root / "site")
    (root / "playbook.yaml").write_text((root / "playbook.yaml").read_text() + "unknown_key: 1\n")
    code, _, err = run_cli("build", root, "--date", DAY)
    assert code == 1 and "PB020" in err and "nothing was written" in err
    assert tree(root / "site") == before


@pytest.mark.parametrize("tamper", ["changed", "unreadable"])
def test_a_bundle_changed_between_the_two_processes_stops_the_build(
        tamper: str, tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operators' bundles reach the site through the workspace (the child that compiled them
    wrote them there): each is copied only with the hash the child recorded."""
    import shutil

    from playbook.handbook import compile as compile_module

    root = tmp_path / "playbook"
    shutil.copytree(Path(__file__).parent / "lint" / "_base", root)
    assert run_cli("build", root, "--date", DAY)[0] == 0
    before = tree(root / "site")
    assert any(name.startswith("bundles/") for name in before)
    real = compile_module.read_output

    def tampered(path: Path) -> bytes:
        if tamper == "unreadable":
            raise OSError(f"{path} is not a regular file")
        return real(path) + b"!"

    monkeypatch.setattr(compile_module, "read_output", tampered)
    code, _, err = run_cli("build", root, "--date", DAY, "--force")
    assert code == 1, err
    assert ("changed in the workspace" if tamper == "changed" else "is not a regular file") in err
    assert tree(root / "site") == before


def test_broken_link_in_an_override_fails_and_keeps_the_site(make_playbook: MakePlaybook,
                                                            run_cli: RunCli) -> None:
    root = make_playbook({})
    assert run_cli("build", root, "--date", DAY)[0] == 0
    before = tree(root / "site")
    (root / "templates" / "handbook").mkdir(parents=True)
    (root / "templates" / "handbook" / "home.md.j2").write_text("# Home\n\n[gone](missing.md)\n")
    code, _, err = run_cli("build", root, "--date", DAY)
    assert code == 1
    assert "missing.md" in err and "Traceback" not in err and "left as it was" in err
    assert tree(root / "site") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site.")]
    again = run_cli("build", root, "--date", DAY)  # the workspace holds the bad page now
    assert again[0] == 1 and "missing.md" in again[2], "a failed build is never taken as up to date"
    assert tree(root / "site") == before


def test_a_playbook_template_overrides_a_page(make_playbook: MakePlaybook) -> None:
    root = make_playbook({"templates/handbook/home.md.j2":
                          "# {{ book.t(book.playbook.title) }}\n\nOur own home: {{ '<b>' }}\n"})
    checked = check(root)
    assert checked.project is not None
    page = compile_handbook(checked.project, dt.date(2026, 11, 23)).handbook.pages["index.md"]
    assert page == "# 示例手册\n\nOur own home: &lt;b&gt;\n"


def test_an_override_cannot_escape_the_sandbox(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"templates/handbook/home.md.j2": "{{ book.__class__.__mro__ }}\n"})
    code, _, err = run_cli("build", root, "--date", DAY)
    assert code == 1 and ("SecurityError" in err or "UndefinedError" in err)
    assert "Traceback" not in err and not (root / "site").exists()


def test_bad_date_is_a_usage_error(run_cli: RunCli) -> None:
    code, _, err = run_cli("build", REPO, "--date", "2026-13-01")
    assert code == 2 and "YYYY-MM-DD" in err


def test_not_a_playbook(tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli("build", tmp_path)
    assert code == 2 and "no playbook found" in err


def test_serve_parser_and_workspace(tmp_path: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli("serve", "--help")
    assert code == 0 and "--dev-addr" in out
    assert prepare(REPO, dt.date(2026, 11, 23), tmp_path)
    assert (tmp_path / "docs" / "index.md").is_file()
    assert "regenerate.py" in (tmp_path / "mkdocs.yml").read_text("utf-8")


@pytest.mark.parametrize("example", sorted(p.name for p in (REPO / "examples").iterdir() if p.is_dir()))
def test_examples_build(example: str, tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli("build", REPO / "examples" / example, "--date", DAY, "--out", tmp_path / "site")
    assert code == 0, err
    assert (tmp_path / "site" / "index.html").is_file()


RULES = document_header("GroupRules", "base-rules") + """\
forbidden:
  - id: no-ads
    text: 不发广告
escalation:
  - action: reminder
    after: 1
    enforcer: official
announcement:
  intro: 欢迎入群
"""
WORKSPACE = Path(".playbook") / "handbook"
BUILT = re.compile(r": handbook built \((\d+) pages, (\d+) written, as of 2026-11-23\)\n")
UP_TO_DATE = re.compile(r": handbook up to date \(0 of (\d+) pages written, as of 2026-11-23\)\n")


def written(out: str) -> tuple[int, int]:
    """(pages, pages written) of a `playbook build` that ran MkDocs."""
    found = BUILT.search(out)
    assert found, out
    return int(found[1]), int(found[2])


def identity(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of a folder and of everything in it."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in [folder, *sorted(folder.rglob("*"))]}


def test_the_workspace_is_kept_and_bare_mkdocs_builds_the_same_pages(
        make_playbook: MakePlaybook, run_cli: RunCli, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = make_playbook({"rules/base.yaml": RULES})
    code, out, err = run_cli("build", root, "--date", DAY)
    assert code == 0, err
    pages, count = written(out)
    workspace = root / WORKSPACE
    assert count == pages == len(list((workspace / "docs").rglob("*.md"))) > 5
    bare = tmp_path / "bare"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(workspace / "mkdocs.yml"),
                           "-d", str(bare)], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    ours = {k: v for k, v in tree(root / "site").items() if k.endswith(".html")}
    assert "rules/base-rules.html" in ours
    assert {k: v for k, v in tree(bare).items() if k.endswith(".html")} == ours


def test_an_unchanged_rebuild_writes_nothing(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES})
    assert run_cli("build", root, "--date", DAY)[0] == 0
    site_before, workspace_before = identity(root / "site"), identity(root / WORKSPACE)
    code, out, err = run_cli("build", root, "--date", DAY)
    assert code == 0, err
    found = UP_TO_DATE.search(out)
    assert found and int(found[1]) == len(list((root / WORKSPACE / "docs").rglob("*.md"))), out
    assert identity(root / "site") == site_before
    assert identity(root / WORKSPACE) == workspace_before


def test_changing_a_rule_title_rewrites_only_the_pages_that_show_it(
        make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES})
    day = dt.date.fromisoformat(DAY)
    assert run_cli("build", root, "--date", DAY)[0] == 0

    def pages() -> dict[str, str]:
        checked = check(root)
        assert checked.project is not None
        return compile_handbook(checked.project, day).handbook.pages

    before, docs = pages(), identity(root / WORKSPACE / "docs")
    rules = root / "rules" / "base.yaml"
    rules.write_text(RULES.replace("title: 测试文档", "title: 新的群规标题"), "utf-8")
    changed = {path for path, text in pages().items() if before[path] != text}
    code, out, err = run_cli("build", root, "--date", DAY)
    assert code == 0, err
    total, count = written(out)
    assert 0 < count == len(changed) < total
    after = identity(root / WORKSPACE / "docs")
    assert {p for p in after if after[p] != docs[p] and p.endswith(".md")} == changed
    assert "新的群规标题" in (root / "site" / "rules" / "base-rules.html").read_text("utf-8")


def test_pages_no_longer_generated_leave_the_workspace(make_playbook: MakePlaybook, run_cli: RunCli) -> None:
    root = make_playbook({"rules/base.yaml": RULES})
    code, out, _ = run_cli("build", root, "--date", DAY)
    pages = written(out)[0]
    assert (root / WORKSPACE / "docs" / "rules" / "base-rules.md").is_file()
    (root / "rules" / "base.yaml").unlink()
    code, out, err = run_cli("build", root, "--date", DAY)
    assert code == 0, err
    assert written(out)[0] == pages - 1
    assert not (root / WORKSPACE / "docs" / "rules").exists()
    assert not (root / "site" / "rules" / "base-rules.html").exists()


@pytest.mark.parametrize("change", ["--force", "deleted site", "other --out", "SOURCE_DATE_EPOCH",
                                    "replaced site"])
def test_what_makes_an_unchanged_playbook_rebuild(change: str, make_playbook: MakePlaybook, run_cli: RunCli,
                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = make_playbook({})
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert run_cli("build", root, "--date", DAY)[0] == 0
    site, args = root / "site", ["build", root, "--date", DAY]
    if change == "--force":
        args.append("--force")
    elif change == "deleted site":
        shutil.rmtree(site)
    elif change == "other --out":
        site = tmp_path / "elsewhere"
        args += ["--out", site]
    elif change == "SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    else:
        shutil.rmtree(site)
        site.mkdir()
    inode = site.stat().st_ino if site.exists() else None
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert written(out) == (len(list((root / WORKSPACE / "docs").rglob("*.md"))), 0)
    assert (site / "index.html").is_file() and site.stat().st_ino != inode
    again = run_cli(*args if change != "--force" else args[:-1])
    assert UP_TO_DATE.search(again[1]), again


def test_the_command_module_imports_only_the_standard_library() -> None:
    import subprocess
    import sys

    probe = ("import sys, playbook.handbook.command\n"
             "print(*sorted(m for m in sys.modules if m.startswith(('playbook', 'jinja2', 'yaml'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["playbook", "playbook.arguments", "playbook.handbook",
                                   "playbook.handbook.command"]


def _enum_values() -> set[str]:
    """Every value of every Literal enum the document models declare (not the kind/apiVersion)."""
    import typing

    from playbook.models import base, calendars, packs, playbook, rules, scripts

    found: set[str] = set()
    for module in (base, calendars, packs, playbook, rules, scripts):
        for value in vars(module).values():
            if typing.get_origin(value) is typing.Literal:
                found.update(a for a in typing.get_args(value) if isinstance(a, str))
    return found


def _prose(html: str) -> str:
    """A page's visible prose: without code, pre, scripts, the search index, English lines and
    the markup itself."""
    html = re.sub(r"<(code|pre|script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<span class="pb-en" lang="en">.*?</span>', " ", html, flags=re.S)
    html = re.sub(r"<head>.*?</head>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_raw_enum_value_or_rrule_outside_code(shipped_site: Path) -> None:
    enums = {v for v in _enum_values() if "_" in v}  # multi-word values cannot be ordinary English
    assert {"group_message", "wecom_customer_group", "team_management", "warm_up"} <= enums
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(sorted(map(re.escape, enums))) + r")(?![\w-])")
    for page in sorted(shipped_site.rglob("*.html")):
        if page.parts[-2] == "reference":  # the field and lint references document the values
            continue
        prose = _prose(page.read_text("utf-8"))
        assert "FREQ=" not in prose, page
        assert not pattern.findall(prose), (page, sorted(set(pattern.findall(prose))))


def test_the_lint_reference_prints_placeholders_literally(shipped_site: Path) -> None:
    html = (shipped_site / "reference" / "lint-rules.html").read_text("utf-8")
    assert "packs/&lt;id&gt;/pack.yaml" in html
    assert "<id>" not in html


def test_previews_show_placeholders_not_sample_values(shipped_site: Path) -> None:
    html = (shipped_site / "scripts" / "join-ceremony.html").read_text("utf-8")
    assert ('欢迎 <span class="pb-var">〔成员昵称〕</span> 加入「<span class="pb-var">〔群名〕</span>」！'
            in html)
    for page in ("scripts/join-ceremony.html", "calendars/weekly-community.html",
                 "calendars/daily-promotion.html"):
        assert "小王" not in (shipped_site / page).read_text("utf-8"), page


def test_search_works_from_the_file_system_without_the_network(shipped_site: Path) -> None:
    script = (shipped_site / "search" / "search_index.js").read_text("utf-8")
    assert script.startswith("var __index = {")
    home = (shipped_site / "index.html").read_text("utf-8")
    assert '<script src="assets/iframe-worker.js"></script>' in home and "unpkg" not in home
    worker = next((shipped_site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    assert "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e" in worker.read_text("utf-8"), \
        "the theme's query splitter changed: check site.QUERY_SEGMENTS against the new theme"
    assert "return[t&&k(t.title)===k(pbQuery)?1:0,v]" in worker.read_text("utf-8"), \
        "the theme's search worker changed: check site.TITLE_FIRST against the new theme"
    index = json.loads((shipped_site / "search" / "search_index.json").read_text("utf-8"))
    titles = {d["location"]: d["title"] for d in index["docs"]}
    assert titles["rules/base-rules.html"] == "悦享汇基础群规"  # one word: a query equal to it matches it
    rules = next(d["text"] for d in index["docs"] if d["location"] == "rules/base-rules.html")
    assert "继承。 Used as-is" in rules.replace("\u200b", ""), "snippets keep Chinese and English apart"


def test_a_split_section_shows_a_page_only_its_own_sub_section(
        shipped_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli) -> None:
    """Issue 20: with sections cut at 4 pages, the 6 scripts go in their 4 triggers, and a script's
    page lists the scripts of its own trigger and one link per other trigger; the search index
    is the same as with the whole sections."""
    from playbook.handbook import nav

    monkeypatch.setattr(nav, "LIMIT", 4)
    root = tmp_path / "playbook"  # a copy: the build keeps its workspace in the playbook
    root.mkdir()
    for name in ("playbook.yaml", "roster.yaml"):
        shutil.copyfile(REPO / name, root / name)
    for name in ("rules", "scripts", "calendars", "packs", "templates"):
        shutil.copytree(REPO / name, root / name)
    code, _, err = run_cli("build", root, "--date", DAY, "--out", tmp_path / "site")
    assert code == 0, err
    page = (tmp_path / "site" / "scripts" / "core-join.html").read_text("utf-8")
    sidebar = page[page.index("md-nav--primary"):page.index("md-sidebar--secondary")]
    listed = set(re.findall(r'href="([\w-]+)\.html"', sidebar))
    # 成员入群: core-join, join-ceremony (whole); 按天课程: camp-7day, new-member-path (its first only)
    assert listed == {"core-join", "join-ceremony", "before-group", "camp-7day", "app-to-group-funnel"}
    assert "md-nav__item--pruned" in sidebar
    assert ((tmp_path / "site" / "search" / "search_index.json").read_bytes()
            == (shipped_site / "search" / "search_index.json").read_bytes())


def test_the_inputs_digest_follows_every_name_and_hash_in_any_order() -> None:
    """The stamp's digest of the workspace (`site.digest`) is made from the manifest's hashes,
    so each file's bytes are read once per build: a renamed file or changed bytes change it,
    the order the files come in does not."""
    from playbook.handbook import rebuild, site

    files = {"docs/index.md": b"# home\n", "bundles/op-01/week.ics": b"BEGIN:VCALENDAR\r\n"}
    hashes = rebuild.manifest(files)
    first = site.digest(hashes)
    assert site.digest(dict(reversed(list(hashes.items())))) == first
    assert site.digest(rebuild.manifest({**files, "docs/index.md": b"# home!\n"})) != first
    renamed = {"docs/other.md" if k == "docs/index.md" else k: v for k, v in files.items()}
    assert site.digest(rebuild.manifest(renamed)) != first
    assert site.digest({"a": "bc"}) != site.digest({"ab": "c"})  # names and hashes kept apart
