"""The validate result cache: a hit prints exactly what a fresh check printed and exits the
same way, anything the result depends on changing is a miss, and a damaged or unwritable
cache never stops a run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import MakePlaybook, RunCli, cache_on, document_header
from playbook import cache, cache_secret, pipeline
from playbook.diagnostics import Diagnostic, Related, Severity
from playbook.incremental import Memory
from playbook.lint.config import LintConfig
from playbook.loader import discover, index_files
from playbook.source import Span

LINT = Path(__file__).parent / "lint"
REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"
FORMATS = ("text", "json", "github", "sarif")
DUPLICATE_KEY = document_header("GroupRules") + "forbidden: []\nforbidden: []\n"  # PB002 at 8:1
HEAVY = ("pydantic", "jinja2", "mkdocs", "yaml", "ruamel", "playbook.models", "playbook.lint",
         "playbook.loader", "playbook.pipeline", "playbook.validate")
IMPORT_PROBE = (
    "import sys\n"
    "from playbook.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"heavy = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))\n"
    "print('imported:', ' '.join(heavy) or 'nothing heavy', file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)
"""Runs `playbook ARGS…`, then says on stderr which heavy modules it imported."""


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache_on(monkeypatch, tmp_path_factory, TODAY)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The clean lint base plus a failing template (PB201 errors, via templates/) and an expired
    calendar (a PB407 warning, which depends on today)."""
    target = tmp_path / "pb"
    shutil.copytree(LINT / "_base", target)
    for case in (LINT / "PB201" / "fail", LINT / "PB407" / "fail"):
        shutil.copytree(case, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt"))
    return target


def entry(root: Path) -> Path:
    return root / ".playbook" / "cache" / "validate.json"


def stored_fields(root: Path) -> dict[str, Any]:
    """The JSON body of the entry (after its signature line)."""
    signature, body = entry(root).read_text(encoding="utf-8").split("\n", 1)
    assert len(signature) == 64
    fields: dict[str, Any] = json.loads(body)
    return fields


def test_a_hit_prints_exactly_what_a_fresh_check_printed_in_every_format(
        root: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = {fmt: run_cli("validate", root, "--format", fmt, "--no-cache") for fmt in FORMATS}
    assert not entry(root).exists()
    code, out, _ = fresh["text"]
    assert code == 1
    assert "error PB201 undefined template variable 'weather'" in out
    assert ("calendars/spring.yaml:11:8: warning PB407 calendar 'spring' ended on 2026-03-31; "
            "nothing in it is posted any more") in out
    assert run_cli("validate", root) == fresh["text"]
    assert entry(root).is_file()

    def no_check(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cache hit must not check again")

    monkeypatch.setattr(pipeline, "check", no_check)
    for fmt in FORMATS:
        assert run_cli("validate", root, "--format", fmt) == fresh[fmt], fmt


def test_a_hit_keeps_help_and_related_places(make_playbook: MakePlaybook, run_cli: RunCli,
                                             checks: list[Path]) -> None:
    root = make_playbook({"rules/base.yaml": DUPLICATE_KEY})
    cold = run_cli("validate", root)
    assert cold[0] == 1
    assert "rules/base.yaml:8:1: error PB002 duplicate key 'forbidden'\n" in cold[1]
    assert "  rules/base.yaml:7:1: note: 'forbidden' first defined here\n" in cold[1]
    assert "  help: " in cold[1]
    fresh_json = run_cli("validate", root, "--format", "json", "--no-cache")
    assert run_cli("validate", root) == cold
    assert run_cli("validate", root, "--format", "json") == fresh_json
    assert checks == [root, root]


@pytest.mark.parametrize(("flags", "summary"), [
    ([], "Found 2 warnings in 1 file checked."),
    (["--ignore", "PB115"], "All clear: 1 file checked, no problems."),
])
def test_a_passing_playbook_hits_with_exit_0(make_playbook: MakePlaybook, run_cli: RunCli,
                                            checks: list[Path], flags: list[str], summary: str) -> None:
    root = make_playbook({})
    first = run_cli("validate", root, *flags)
    assert first[0] == 0 and first[1].endswith(f"{summary}\n")
    assert run_cli("validate", root, *flags) == first
    assert checks == [root]


def test_the_entry_is_one_json_file_in_a_folder_that_ignores_itself(root: Path, run_cli: RunCli) -> None:
    run_cli("validate", root)
    assert sorted(p.name for p in (root / ".playbook" / "cache").iterdir()) == [".gitignore", "validate.json"]
    assert (root / ".playbook" / "cache" / ".gitignore").read_text(encoding="utf-8").endswith("\n*\n")
    stored = stored_fields(root)
    assert (stored["format"], stored["files_checked"], stored["exit_code"]) == (cache.FORMAT, 6, 1)
    assert len(stored["key"]) == 64


def _edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


def _write(rel: str, content: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")
    return change


def _remove(rel: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / rel).unlink()
    return change


def _link_outside(rel: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        outside = root.parent / "outside.png"
        shutil.copyfile(root / rel, outside)
        (root / rel).unlink()
        (root / rel).symlink_to(outside)
    return change


CHANGES = {
    "playbook.yaml": _edit("playbook.yaml", "title: 规则测试用基础剧本", "title: 规则测试用剧本"),
    "a calendar": _edit("calendars/spring.yaml", "end: 2026-03-31", "end: 2026-03-30"),
    "a pack": _edit("packs/demo-pack/pack.yaml", "file: images/main.png", "file: images/main2.png"),
    "a new document": _write("rules/extra.yml", document_header("GroupRules", "extra")),
    "a template": _edit("templates/messages/sale.j2", "{{ pack.title }}", "{{ event.name }}"),
    "a hidden template": _write("templates/messages/.partial.j2", "{{ weather }}\n"),
    "a removed media file": _remove("packs/demo-pack/images/main.png"),
    "an added file": _write("packs/demo-pack/images/extra.png", "png"),
    "a media file linked outside": _link_outside("packs/demo-pack/images/main.png"),
    "the config": _write("pyproject.toml", '[tool.playbook]\nignore = ["PB407"]\n'),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_to_what_the_check_reads_is_a_miss(root: Path, run_cli: RunCli, checks: list[Path],
                                                   change: Callable[[Path], None]) -> None:
    run_cli("validate", root)
    change(root)
    changed = run_cli("validate", root)
    assert checks == [root, root]
    assert run_cli("validate", root, "--no-cache") == changed
    assert run_cli("validate", root) == changed  # and the new result is stored
    assert len(checks) == 3


def test_a_changed_config_is_a_miss(root: Path, run_cli: RunCli, checks: list[Path]) -> None:
    (root / "pyproject.toml").write_text('[tool.playbook]\nignore = ["PB407"]\n', encoding="utf-8")
    assert "PB407" not in run_cli("validate", root)[1]
    (root / "pyproject.toml").write_text('[tool.playbook]\nignore = ["PB201"]\n', encoding="utf-8")
    code, out, _ = run_cli("validate", root)
    assert (code, "PB201" in out, "PB407" in out) == (0, False, True)
    assert len(checks) == 2


FLAGS = [["--ignore", "PB407"], ["--select", "PB2"], ["--fail-level", "warning"], ["--ignore", "PB2"]]


def test_other_flags_are_a_miss(root: Path, run_cli: RunCli, checks: list[Path]) -> None:
    run_cli("validate", root)
    results = []
    for flags in FLAGS:
        before = len(checks)
        results.append(run_cli("validate", root, *flags))
        assert len(checks) == before + 1, flags
        assert run_cli("validate", root, *flags, "--no-cache") == results[-1]
    assert [code for code, _, _ in results] == [1, 1, 1, 0]
    assert run_cli("validate", root, *FLAGS[-1]) == results[-1]  # the latest entry is kept
    assert len(checks) == 1 + 2 * len(FLAGS)


def test_another_today_is_a_miss(root: Path, run_cli: RunCli, checks: list[Path],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert "PB407" in run_cli("validate", root)[1]
    monkeypatch.setenv("PLAYBOOK_TODAY", "2026-02-01")  # more than 30 days before the end
    assert "PB407" not in run_cli("validate", root)[1]
    assert len(checks) == 2


def test_the_date_of_today_is_in_the_key(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLAYBOOK_TODAY")
    unset = cache.key(root, {})
    monkeypatch.setenv("PLAYBOOK_TODAY", "")
    assert cache.key(root, {}) == unset  # empty means unset, as in schedule.today
    monkeypatch.setenv("PLAYBOOK_TODAY", "2020-01-01")
    assert cache.key(root, {}) != unset


UNRELATED = {
    "the handbook output": "site/index.html",
    "a hidden folder": ".git/HEAD",
    "an example": "examples/other/playbook.yaml",
    "a hidden file": "calendars/.spring.yaml.swp",
}


@pytest.mark.parametrize("rel", UNRELATED.values(), ids=UNRELATED.keys())
def test_files_the_loader_skips_are_not_in_the_key(root: Path, run_cli: RunCli, checks: list[Path],
                                                   rel: str) -> None:
    first = run_cli("validate", root)
    _write(rel, "anything\n")(root)
    assert run_cli("validate", root) == first
    assert checks == [root]


def test_the_tool_itself_is_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "playbook"
    (package / "lint").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "lint" / "rule.py").write_text("LIMIT = 1\n", encoding="utf-8")
    (package / "__pycache__").mkdir()
    monkeypatch.setattr("playbook.__file__", str(package / "__init__.py"))

    def toolchain() -> str:
        monkeypatch.setattr(cache, "_tool_digest", None)
        return cache._toolchain()

    before = toolchain()
    assert toolchain() == before
    (package / "__pycache__" / "rule.cpython-311.pyc").write_bytes(b"compiled")
    assert toolchain() == before
    (package / "lint" / "rule.py").write_text("LIMIT = 2\n", encoding="utf-8")
    edited = toolchain()
    assert edited != before
    (package / "data.yaml").write_text("terms: []\n", encoding="utf-8")
    assert toolchain() not in (before, edited)


def test_the_installed_versions_are_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-packages"
    (site / "playbook-0.1.0.dist-info").mkdir(parents=True)
    (site / "pydantic-2.7.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])

    def toolchain() -> str:
        monkeypatch.setattr(cache, "_tool_digest", None)
        return cache._toolchain()

    before = toolchain()
    (site / "pydantic-2.7.0.dist-info").rename(site / "pydantic-2.8.0.dist-info")
    upgraded = toolchain()
    assert upgraded != before
    (site / "playbook-0.1.0.dist-info").rename(site / "playbook-0.2.0.dist-info")
    assert toolchain() not in (before, upgraded)


def test_no_cache_flag_neither_reads_nor_writes(root: Path, run_cli: RunCli, checks: list[Path]) -> None:
    first = run_cli("validate", root, "--no-cache")
    assert not (root / ".playbook").exists()
    run_cli("validate", root)
    assert run_cli("validate", root, "--no-cache") == first
    assert len(checks) == 3


@pytest.mark.parametrize(("value", "used"), [("1", False), ("true", False), ("0", True), ("", True)])
def test_playbook_no_cache_variable(root: Path, run_cli: RunCli, checks: list[Path],
                                    monkeypatch: pytest.MonkeyPatch, value: str, used: bool) -> None:
    monkeypatch.setenv(cache.DISABLE_VARIABLE, value)
    run_cli("validate", root)
    run_cli("validate", root)
    assert entry(root).exists() is used
    assert len(checks) == (1 if used else 2)


DAMAGE = {
    "not json": b"\x00\xff garbage",
    "empty": b"",
    "a list": b"[]",
    "another format": json.dumps({"format": 0}).encode(),
    "wrong types": None,  # the real entry with its diagnostics replaced by a string
    "a bad severity": None,
}


@pytest.mark.parametrize("damage", DAMAGE, ids=DAMAGE.keys())
def test_a_damaged_entry_is_a_miss_and_is_replaced(root: Path, run_cli: RunCli, checks: list[Path],
                                                   damage: str) -> None:
    first = run_cli("validate", root)
    data = DAMAGE[damage]
    if data is None:
        stored = stored_fields(root)
        if damage == "wrong types":
            stored["diagnostics"] = "PB201"
        else:
            stored["diagnostics"][0]["severity"] = 7
        body = json.dumps(stored).encode()
        secret = cache_secret.key_path()
        assert secret is not None
        # signed with the user's key, so the damage is found by the checks of the fields
        data = cache_secret.tag(secret.read_bytes(), body).encode() + b"\n" + body
    entry(root).write_bytes(data)
    assert run_cli("validate", root) == first
    assert run_cli("validate", root) == first
    assert len(checks) == 2
    assert stored_fields(root)["format"] == cache.FORMAT


def test_an_unwritable_cache_folder_is_skipped(root: Path, run_cli: RunCli, checks: list[Path]) -> None:
    (root / ".playbook").write_text("not a folder\n", encoding="utf-8")
    first = run_cli("validate", root)
    assert first[0] == 1 and first[2] == ""
    assert run_cli("validate", root) == first
    assert len(checks) == 2


def test_an_entry_that_is_a_folder_is_a_miss(root: Path, run_cli: RunCli, checks: list[Path]) -> None:
    entry(root).mkdir(parents=True)
    first = run_cli("validate", root)
    assert first[0] == 1 and first[2] == ""
    assert run_cli("validate", root) == first
    assert len(checks) == 2


def test_failed_runs_are_not_stored(root: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "pyproject.toml").write_text("[tool.playbook]\nfail-level = 'never'\n", encoding="utf-8")
    assert run_cli("validate", root)[0] == 2
    assert not entry(root).exists()
    (root / "pyproject.toml").unlink()
    assert run_cli("validate", root, "--select", "X1")[0] == 2
    monkeypatch.setenv("PLAYBOOK_TODAY", "someday")
    code, out, err = run_cli("validate", root)
    assert (code, out) == (2, "")
    assert err == "playbook: error: PLAYBOOK_TODAY='someday' is not a date; write YYYY-MM-DD\n"
    assert not entry(root).exists()
    assert run_cli("validate", root) == (code, out, err)


def test_a_file_changed_during_the_check_is_not_stored(root: Path, run_cli: RunCli,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.check

    def check_then_edit(target: Path, config: LintConfig | None = None,
                        memory: Memory | None = None) -> pipeline.Checked:
        checked = real(target, config, memory)
        _edit("calendars/spring.yaml", "end: 2026-03-31", "end: 2026-03-30")(target)
        return checked

    monkeypatch.setattr(pipeline, "check", check_then_edit)
    assert run_cli("validate", root)[0] == 1
    assert not entry(root).exists()
    assert not (root / ".playbook" / "cache" / "validate-state.pickle").exists()  # nor the state


def test_entries_round_trip_every_field(tmp_path: Path) -> None:
    stored = cache.Entry(
        diagnostics=[
            Diagnostic(Span("rules/a.yaml", 3, 9), Severity.WARNING, "PB002", "duplicate-key", "两次 'x'",
                       help="keep one", related=(Related(Span("rules/a.yaml", 1, 1), "first"),
                                                 Related(Span("b.yaml"), "second"))),
            Diagnostic(Span("c.yaml", 2, 2), Severity.INFO, "PB901", "n", "m"),
        ],
        files_checked=7, exit_code=1)
    assert cache.store(tmp_path, "k" * 64, stored)
    assert cache.load(tmp_path, "k" * 64) == stored
    assert cache.load(tmp_path, "j" * 64) is None


def test_a_missing_or_non_playbook_root_is_reported_as_before(tmp_path: Path, run_cli: RunCli) -> None:
    missing = tmp_path / "nowhere"
    assert run_cli("validate", missing) == (2, "", f"playbook: error: {missing} is not a folder\n")
    assert not (tmp_path / ".playbook").exists()


def tricky_tree(root: Path) -> None:
    files = [
        "playbook.yaml", "roster.yaml", "rules/a.yaml", "rules/b.yml", "rules/notes.txt",
        "rules/site/inside-site.yaml", "rules/examples/x.yaml", "rules/.hidden/x.yaml", "rules/.x.yaml",
        "rules/__pycache__/y.yaml", "scripts/deep/er/s.yaml", "calendars/c.YAML",
        "packs/p/pack.yaml", "packs/p/images/a.png", "packs/site/pack.yaml", "packs/.h/pack.yaml",
        "packs/nopack/readme.md", "packs/q/.hidden.png", "site/index.html", "examples/e/playbook.yaml",
        "node_modules/m/x.js", "templates/t.j2", "templates/.h.j2", "templates/site/s.j2",
        "pyproject.toml", ".git/HEAD",
    ]
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel, encoding="utf-8")
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir()
    (outside / "o.png").write_text("o", encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "r.yaml").write_text("r", encoding="utf-8")
    (root / "packs/p/images/out.png").symlink_to(outside / "o.png")
    (root / "packs/p/images/in.png").symlink_to(root / "packs/p/images/a.png")
    (root / "packs/p/images/broken.png").symlink_to(root / "nothing")
    (root / "packs/p/linked").symlink_to(root / "packs/p/images", target_is_directory=True)
    (root / "rules/linked").symlink_to(outside / "folder", target_is_directory=True)
    (root / "scripts/out.yaml").symlink_to(outside / "o.png")
    (root / "packs/r").symlink_to(root / "packs/p", target_is_directory=True)


@pytest.mark.parametrize("where", ["tricky", "repository", "example"])
def test_the_inputs_are_what_the_loader_sees(tmp_path: Path, where: str) -> None:
    if where == "tricky":
        root = tmp_path / "pb"
        root.mkdir()
        tricky_tree(root)
    else:
        root = REPO if where == "repository" else sorted((REPO / "examples").iterdir())[0]
    found = cache.inputs(root)
    assert found.documents == [rel for rel, _ in discover(root)]
    assert found.indexed == set(index_files(root))
    if where == "tricky":
        assert found.templates == ["templates/.h.j2", "templates/site/s.j2", "templates/t.j2"]
        assert found.links == {
            "packs/p/images/broken.png": "nothing",
            "packs/p/images/in.png": "packs/p/images/a.png",
            "packs/p/images/out.png": str((tmp_path / "pb-outside" / "o.png").resolve()),
            "packs/p/linked": "packs/p/images",
            "packs/r": "packs/p",
            "rules/linked": str((tmp_path / "pb-outside" / "folder").resolve()),
            "scripts/out.yaml": str((tmp_path / "pb-outside" / "o.png").resolve()),
        }


def test_a_file_name_that_is_not_utf8_is_in_the_key(root: Path) -> None:
    before = cache.key(root, {})
    assert before is not None
    (root / os.fsdecode(b"packs/demo-pack/images/\xff.png")).write_bytes(b"png")
    assert cache.key(root, {}) not in (None, before)


def test_retargeting_a_link_is_a_miss(tmp_path: Path) -> None:
    root = tmp_path / "pb"
    root.mkdir()
    tricky_tree(root)
    before = cache.key(root, {})
    (root / "packs/p/linked").unlink()
    (root / "packs/p/linked").symlink_to(root / "templates", target_is_directory=True)
    assert cache.key(root, {}) != before


def _probe(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != cache.DISABLE_VARIABLE}
    return subprocess.run([sys.executable, "-c", IMPORT_PROBE, "validate", str(root), *args],
                          capture_output=True, text=True, check=False, env=env)


def test_a_hit_imports_no_models_rules_or_template_engine(root: Path) -> None:
    cold = _probe(root, "--format", "json")
    assert cold.returncode == 1
    assert "pydantic" in cold.stderr and "playbook.lint" in cold.stderr
    warm = _probe(root, "--format", "json")
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    assert warm.stderr == "imported: nothing heavy\n"
