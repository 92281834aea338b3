"""`playbook build`'s shortcut (`playbook.handbook.unchanged`): a build whose inputs and site did
not change since the last one answers "up to date" without checking or rendering; anything
it read changing, the site being replaced, a forged entry or the flags that bring other files
in make it a full build."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import MakePlaybook, RunCli, cache_on
from playbook import cache

DAY = "2026-11-23"
UP_TO_DATE = f": handbook up to date (0 of {{}} pages written, as of {DAY})\n"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The shortcut on (conftest turns every cache off), a user key of this test's own."""
    cache_on(monkeypatch, tmp_path_factory, DAY, "1764000000")


@pytest.fixture
def built(make_playbook: MakePlaybook, run_cli: RunCli) -> tuple[Path, int]:
    """A playbook with a non-document file beside its documents, built once: (root, pages)."""
    root = make_playbook({"media/poster.txt": "海报 v1\n"})
    code, out, err = run_cli("build", root)
    assert code == 0, err
    assert ": handbook built (" in out
    pages = int(out.split("(", 1)[1].split(" ", 1)[0])
    assert (root / ".playbook" / "cache" / cache.BUILD_FILE).is_file()
    return root, pages


def test_an_unchanged_rebuild_checks_nothing(built: tuple[Path, int], run_cli: RunCli,
                                             checks: list[Path]) -> None:
    root, pages = built
    site = root / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*")}
    code, out, err = run_cli("build", root)
    assert (code, err) == (0, "")
    assert out == f"{root / 'site'}" + UP_TO_DATE.format(pages)
    assert checks == [], "the shortcut loads and checks nothing"
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*")} == before
    assert run_cli("build", root, "--quiet") == (0, "", "")


@pytest.mark.parametrize("edit", ["document", "other file", "template", "new file"])
def test_any_input_changing_means_a_full_build(built: tuple[Path, int], run_cli: RunCli,
                                               checks: list[Path], edit: str) -> None:
    root, _ = built
    if edit == "document":
        (root / "playbook.yaml").write_text((root / "playbook.yaml").read_text("utf-8") + "# 注释\n", "utf-8")
    elif edit == "other file":  # media are copied into the site: their bytes count, not only their names
        (root / "media" / "poster.txt").write_text("海报 v2\n", "utf-8")
    elif edit == "template":
        (root / "templates").mkdir()
        (root / "templates" / "footer.md.j2").write_text("页脚\n", "utf-8")
    else:
        (root / "media" / "extra.txt").write_text("新\n", "utf-8")
    code, out, err = run_cli("build", root)
    assert code == 0, err
    assert checks == [root]
    assert "handbook built" in out or "handbook up to date" in out
    again = run_cli("build", root)
    assert again[0] == 0 and checks == [root], "the new inputs are remembered"


def test_a_different_day_or_epoch_is_a_full_build(built: tuple[Path, int], run_cli: RunCli,
                                                  checks: list[Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = built
    assert run_cli("build", root, "--date", "2026-11-24")[0] == 0
    assert checks == [root]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000001")
    assert run_cli("build", root, "--date", "2026-11-24")[0] == 0
    assert checks == [root, root]


@pytest.mark.parametrize("flag", ["--force", "PLAYBOOK_NO_CACHE"])
def test_force_and_no_cache_always_build(built: tuple[Path, int], run_cli: RunCli, checks: list[Path],
                                         monkeypatch: pytest.MonkeyPatch, flag: str) -> None:
    root, pages = built
    if flag == "--force":
        code, out, _ = run_cli("build", root, "--force")
        assert out.endswith(f"handbook built ({pages} pages, 0 written, as of {DAY})\n")
    else:
        monkeypatch.setenv(cache.DISABLE_VARIABLE, "1")
        code, out, _ = run_cli("build", root)
        assert out.endswith(UP_TO_DATE.format(pages)), "the workspace comparison still spares MkDocs"
    assert code == 0 and checks == [root]


def test_a_replaced_site_is_rebuilt(built: tuple[Path, int], run_cli: RunCli, checks: list[Path]) -> None:
    root, pages = built
    shutil.rmtree(root / "site")
    code, out, err = run_cli("build", root)
    assert code == 0, err
    assert f"handbook built ({pages} pages, 0 written" in out
    assert checks == [root]
    assert (root / "site" / "index.html").is_file()


def test_another_output_folder_is_its_own_build(built: tuple[Path, int], run_cli: RunCli,
                                                checks: list[Path], tmp_path: Path) -> None:
    root, _ = built
    code, out, _ = run_cli("build", root, "--out", tmp_path / "elsewhere")
    assert code == 0 and "handbook built" in out and checks == [root]
    code, out, _ = run_cli("build", root)
    assert code == 0 and checks == [root, root], "the default site's stamp was replaced"


@pytest.mark.parametrize("damage", ["forged body", "unsigned", "truncated", "not json"])
def test_a_forged_or_damaged_entry_is_a_miss(built: tuple[Path, int], run_cli: RunCli,
                                             checks: list[Path], damage: str) -> None:
    root, _ = built
    entry = root / ".playbook" / "cache" / cache.BUILD_FILE
    signature, body = entry.read_text("utf-8").split("\n", 1)
    fields = json.loads(body)
    if damage == "forged body":  # a pull request claiming more pages under the same signature
        text = signature + "\n" + json.dumps({**fields, "pages": 999})
    elif damage == "unsigned":
        text = "0" * 64 + "\n" + body
    elif damage == "truncated":
        text = signature + "\n" + body[:-5]
    else:
        text = signature + "\n{["
    entry.write_text(text, "utf-8")
    code, out, err = run_cli("build", root)
    assert code == 0, err
    assert checks == [root]
    assert "999" not in out


def test_a_build_whose_inputs_changed_while_it_ran_is_not_remembered(
        built: tuple[Path, int], run_cli: RunCli, checks: list[Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from playbook import pipeline

    root, _ = built
    poster = root / "media" / "poster.txt"
    poster.write_text("海报 v2\n", "utf-8")
    real = pipeline.check  # the `checks` fixture's counting one

    def edited_meanwhile(where: Path, config: object = None, memory: object = None) -> pipeline.Checked:
        done = real(where, None, memory)  # type: ignore[arg-type]
        poster.write_text("海报 v3\n", "utf-8")  # after the key was taken, before the site is made
        return done

    monkeypatch.setattr(pipeline, "check", edited_meanwhile)
    assert run_cli("build", root)[0] == 0
    poster.write_text("海报 v2\n", "utf-8")  # back to what the key saw: the site does not hold it
    monkeypatch.setattr(pipeline, "check", real)
    checks.clear()
    assert run_cli("build", root)[0] == 0
    assert checks == [root], "a build that read other bytes than its key saw was not remembered"


def test_ledger_and_metrics_builds_never_take_the_shortcut(built: tuple[Path, int], run_cli: RunCli,
                                                          checks: list[Path], tmp_path: Path) -> None:
    root, _ = built
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("date,group,members,messages\n", "utf-8")
    run_cli("build", root, "--metrics", metrics)
    assert checks == [root], "a --metrics build reads a file outside the key"
    # a --ledger build needs a real send ledger to get this far; the decision is the key's
    from playbook.handbook import unchanged

    plain = argparse.Namespace(root=root, force=False, metrics=None, ledger=None)
    day = dt.date(2026, 11, 23)
    assert unchanged.key(plain, day, root / "site") is not None
    ledger = argparse.Namespace(root=root, force=False, metrics=None, ledger=tmp_path / "ledger.sqlite")
    assert unchanged.key(ledger, day, root / "site") is None
