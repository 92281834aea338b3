"""Clean ends (issue 13, item 8): dates and SOURCE_DATE_EPOCH outside the supported range, an
export range over a year and Ctrl-C each end in one line and a known exit code, never a
traceback, and leave the previous outputs byte-identical."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from bundle_playbook import FILES
from conftest import MakePlaybook, RunCli
from playbook.arguments import date, source_date_epoch
from playbook.errors import UsageError
from playbook.handbook import site
from playbook.writer import FolderSink

DAY = "2026-10-26"
RANGE = "1980-01-01 .. 2099-12-31"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def root(make_playbook: MakePlaybook) -> Path:
    return make_playbook(FILES)


# --- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("1980-01-01", "1980-01-01"), ("2099-12-31", "2099-12-31"),
])
def test_the_first_and_last_supported_dates_are_accepted(text: str, expected: str) -> None:
    assert date(text).isoformat() == expected


@pytest.mark.parametrize("text", ["0001-01-01", "1969-12-31", "1979-12-31", "2100-01-01", "9999-12-31"])
def test_a_date_outside_the_range_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        date(text)
    assert str(caught.value) == f"{text} is outside the supported dates {RANGE}"


@pytest.mark.parametrize("args", [
    ("build", "--date", "1969-12-31"),
    ("build", "--date", "9999-12-31"),
    ("export", "--from", "0001-01-01", "--to", "0001-01-02"),
    ("export", "--from", "9999-12-30", "--to", "9999-12-31"),
    ("agenda", "--date", "2100-01-01"),
])
def test_commands_give_a_usage_error_for_dates_outside_the_range(
        root: Path, run_cli: RunCli, tmp_path: Path, args: tuple[str, ...]) -> None:
    command, option, value = args[0], args[1], args[2]
    out_args = ["--out", tmp_path / "o"] if command != "agenda" else []
    code, out, err = run_cli(command, root, *args[1:], *out_args)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (f"playbook {command}: error: argument {option}: "
                                    f"{value} is outside the supported dates {RANGE}")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", [("validate",), ("agenda",), ("build", "--out", "{tmp}/site")])
def test_playbook_today_outside_the_range_is_a_usage_error(root: Path, run_cli: RunCli, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           command: tuple[str, ...]) -> None:
    monkeypatch.setenv("PLAYBOOK_TODAY", "0001-01-01")
    code, out, err = run_cli(command[0], root, *(c.format(tmp=tmp_path) for c in command[1:]))
    assert (code, out, err) == (2, "", "playbook: error: PLAYBOOK_TODAY=0001-01-01: 0001-01-01 is "
                                       f"outside the supported dates {RANGE}\n")
    assert not (tmp_path / "site").exists()


# --- SOURCE_DATE_EPOCH -----------------------------------------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    ("garbage", "SOURCE_DATE_EPOCH='garbage' is not a number of seconds since 1970-01-01"),
    ("-5", "SOURCE_DATE_EPOCH='-5' is not a number of seconds since 1970-01-01"),
    ("1.5e9", "SOURCE_DATE_EPOCH='1.5e9' is not a number of seconds since 1970-01-01"),
    ("315532799", f"SOURCE_DATE_EPOCH=315532799 is outside the supported dates {RANGE} "
                  "(315532800 .. 4102444799)"),
    ("4102444800", f"SOURCE_DATE_EPOCH=4102444800 is outside the supported dates {RANGE} "
                   "(315532800 .. 4102444799)"),
    ("9" * 5000, f"SOURCE_DATE_EPOCH={'9' * 40}… is outside the supported dates {RANGE} "
                 "(315532800 .. 4102444799)"),
])
@pytest.mark.parametrize("command", ["build", "export"])
def test_a_bad_source_date_epoch_is_a_usage_error(root: Path, run_cli: RunCli, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, value: str,
                                                  message: str, command: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    dates = ("--date", DAY) if command == "build" else ("--from", DAY, "--to", DAY)
    code, out, err = run_cli(command, root, *dates, "--out", tmp_path / "o")
    assert (code, out, err) == (2, "", f"playbook: error: {message}\n")
    assert not (tmp_path / "o").exists()
    assert not (root / ".playbook").exists()


@pytest.mark.parametrize(("value", "expected"), [
    ("315532800", 315532800), ("4102444799", 4102444799), (" 1700000000 ", 1700000000), ("", None),
])
def test_a_good_source_date_epoch_is_read(monkeypatch: pytest.MonkeyPatch, value: str,
                                          expected: int | None) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert source_date_epoch() == expected


def test_an_unset_source_date_epoch_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch() is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "x")
    with pytest.raises(UsageError):
        source_date_epoch()


# --- export range --------------------------------------------------------------------------

def test_an_export_over_366_days_needs_the_flag(root: Path, run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "o"
    code, stdout, err = run_cli("export", root, "--from", "2026-01-01", "--to", "2027-01-02", "--out", out)
    assert (code, stdout, err) == (2, "", "playbook: error: --from 2026-01-01 --to 2027-01-02 spans "
                                          "367 days, more than 366; pass --allow-long-range to export "
                                          "it anyway\n")
    assert not out.exists()
    code, _, err = run_cli("export", root, "--from", "2026-01-01", "--to", "2027-01-01", "--out", out,
                           "--format", "json", "--quiet")
    assert (code, err) == (0, ""), "366 days need no flag"
    code, _, err = run_cli("export", root, "--from", "2026-01-01", "--to", "2027-01-02", "--out", out,
                           "--format", "json", "--quiet", "--allow-long-range")
    assert (code, err) == (0, "")
    assert '"to": "2027-01-02"' in (out / "manifest.json").read_text("utf-8")


# --- Ctrl-C --------------------------------------------------------------------------------

def test_ctrl_c_during_an_export_keeps_the_previous_bundle(root: Path, run_cli: RunCli, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "bundle"
    assert run_cli("export", root, "--from", DAY, "--to", DAY, "--out", out, "--quiet")[0] == 0
    before = tree(out)
    real_put = FolderSink.put
    puts = 0

    def interrupted(self: FolderSink, name: str, data: bytes) -> None:
        nonlocal puts
        puts += 1
        if puts == 2:  # one file is already in the stage
            raise KeyboardInterrupt
        real_put(self, name, data)

    monkeypatch.setattr(FolderSink, "put", interrupted)
    assert run_cli("export", root, "--from", DAY, "--to", "2026-10-27", "--out", out) == (
        130, "", "playbook: interrupted\n")
    assert puts == 2
    assert tree(out) == before
    assert sorted(os.listdir(tmp_path)) == ["bundle", "playbook-1"], "no stage and no lock left"


def test_ctrl_c_during_a_build_keeps_the_previous_site(root: Path, run_cli: RunCli, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    code, _, err = run_cli("build", root, "--date", DAY, "--out", out)
    assert code == 0, err
    before = tree(out)

    def interrupted(config_file: Path, day: object, site_dir: Path) -> None:
        (site_dir / "index.html").write_bytes(b"half a site")
        raise KeyboardInterrupt

    monkeypatch.setattr(site, "build", interrupted)
    assert run_cli("build", root, "--date", "2026-10-27", "--out", out) == (
        130, "", "playbook: interrupted\n")
    assert tree(out) == before
    assert sorted(os.listdir(tmp_path)) == ["playbook-1", "site"], "no stage and no lock left"
