"""The loader's edges, diagnostic by diagnostic (issue 19, item 5).

Written from the mutants of `loader.py` that survived test_loader and test_bad_input: the
PB006 wording for a UTF-16, a GBK and an unknown encoding (position, byte, guess, help), a
local tag named as written, `.yml` documents, `load_file` given a folder path, and every
reason discovery gives for a path it cannot use where a document may be (a FIFO, a link out
of the playbook, a folder where a file belongs, a folder that cannot be listed). Each expected
diagnostic is written out by hand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from playbook.files import FileRefused, PlaybookFiles
from playbook.loader import decode, discover, index_files, load_file, load_text, load_tree, scan

HELP = "re-save the file as UTF-8, e.g. `iconv -f GB18030 -t UTF-8`"


@pytest.mark.parametrize(("raw", "where", "byte", "guess"), [
    (b"\xff\xfei\x00d\x00", "1:1", "ff", "; it looks like UTF-16"),
    (b"\xfe\xff\x00i\x00d", "1:1", "fe", "; it looks like UTF-16"),
    ("名字: 张三\n".encode("gb18030"), "1:1", "c3", "; it looks like GBK/GB18030"),
    ("ok: 1\n名: ".encode() + b"\x80\n", "2:4", "80", ""),
])
def test_a_file_that_is_not_utf8_says_where_which_byte_and_what_it_looks_like(
        raw: bytes, where: str, byte: str, guess: str) -> None:
    text, [found] = decode(raw, "rules/a.yaml")
    assert text is None
    assert str(found) == (f"rules/a.yaml:{where}: error PB006 file is not UTF-8 (byte 0x{byte}){guess}; "
                          "playbook files must be UTF-8")
    assert found.help == HELP


def test_a_bom_is_dropped_and_utf8_is_kept() -> None:
    assert decode("\ufeffid: 群".encode(), "a.yaml") == ("id: 群", [])


def test_a_local_tag_is_named_as_written() -> None:
    loaded = load_text("kind: GroupRules\nid: !secret x\n", "rules/a.yaml", "GroupRules")
    assert [str(d) for d in loaded.diagnostics] == [
        "rules/a.yaml:2:5: error PB003 tag '!secret' is not allowed; it was not executed"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yml").write_text("kind: GroupRules\n", encoding="utf-8")
    (tmp_path / "rules" / "b.yaml").write_text("kind: GroupRules\n", encoding="utf-8")
    (tmp_path / "rules" / "c.txt").write_text("not a document\n", encoding="utf-8")
    return tmp_path


def test_yml_and_yaml_files_are_documents_and_nothing_else(tree: Path) -> None:
    assert discover(tree) == [("rules/a.yml", "GroupRules"), ("rules/b.yaml", "GroupRules")]


def test_load_file_takes_a_folder_path_or_the_file_layer(tree: Path) -> None:
    assert load_file(tree, "rules/a.yml", "GroupRules").data == {"kind": "GroupRules"}
    assert load_file(PlaybookFiles(tree), "rules/b.yaml", "GroupRules").data == {"kind": "GroupRules"}


def test_discovery_says_why_each_place_of_a_document_cannot_be_used(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "playbook.yaml")
    (tmp_path / "roster.yaml").symlink_to(sys.executable)
    os.mkfifo(tmp_path / "rules")
    (tmp_path / "scripts").mkdir()
    os.mkfifo(tmp_path / "scripts" / "s.yaml")
    (tmp_path / "calendars").write_text("a file where a folder belongs\n", encoding="utf-8")
    (tmp_path / "packs" / "night").mkdir(parents=True)
    os.mkfifo(tmp_path / "packs" / "night" / "pack.yaml")
    (tmp_path / "packs" / "away").symlink_to(Path(sys.executable).parent)
    found = scan(PlaybookFiles(tmp_path))
    assert found.documents == []
    out = "is a symbolic link leading outside the playbook folder"
    assert [str(d) for d in found.problems] == [
        "playbook.yaml:1:1: error PB038 'playbook.yaml' is a FIFO (named pipe), not a regular file",
        f"roster.yaml:1:1: error PB037 'roster.yaml' {out}",
        "rules:1:1: error PB038 'rules' is a FIFO (named pipe), not a regular file",
        "scripts/s.yaml:1:1: error PB038 'scripts/s.yaml' is a FIFO (named pipe), not a regular file",
        "calendars:1:1: error PB039 'calendars' cannot be read",
        f"packs/away:1:1: error PB037 'packs/away' {out}",
        "packs/night/pack.yaml:1:1: error PB038 'packs/night/pack.yaml' is a FIFO (named pipe), "
        "not a regular file",
    ]


def test_a_folder_where_a_file_belongs_is_listed_to_say_why(tmp_path: Path) -> None:
    (tmp_path / "playbook.yaml").mkdir()
    (tmp_path / "roster.yaml").mkdir()
    access = PlaybookFiles(tmp_path)
    listed = access.list_dir

    def list_dir(rel: str = "") -> list[str]:
        if rel == "roster.yaml":
            raise FileRefused(rel, "permission denied", "PB039")
        return listed(rel)

    access.list_dir = list_dir  # type: ignore[method-assign]
    assert [str(d) for d in scan(access).problems] == [
        "playbook.yaml:1:1: error PB039 'playbook.yaml' cannot be read",
        "roster.yaml:1:1: error PB039 'roster.yaml' cannot be listed: permission denied",
    ]


def test_packs_skip_hidden_entries_loose_files_and_folders_without_a_pack(tmp_path: Path) -> None:
    for folder in ("scripts", "calendars"):  # no rules/: the other folders are still read
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.yaml").write_text("id: x\n", encoding="utf-8")
    for pack in (".hidden", "a-draft", "night"):
        (tmp_path / "packs" / pack).mkdir(parents=True)
    (tmp_path / "packs" / ".hidden" / "pack.yaml").write_text("id: h\n", encoding="utf-8")
    (tmp_path / "packs" / "night" / "pack.yaml").write_text("id: n\n", encoding="utf-8")
    (tmp_path / "packs" / "README.md").write_text("notes\n", encoding="utf-8")
    found = scan(PlaybookFiles(tmp_path))
    assert found.documents == [("calendars/x.yaml", "ActivityCalendar"),
                               ("packs/night/pack.yaml", "MaterialPack"),
                               ("scripts/x.yaml", "OnboardingScript")]
    assert found.problems == []


def test_packs_that_are_not_a_folder_or_cannot_be_listed_are_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "packs")
    assert [str(d) for d in scan(PlaybookFiles(tmp_path)).problems] == [
        "packs:1:1: error PB038 'packs' is a FIFO (named pipe), not a regular file"]
    (tmp_path / "packs").unlink()
    (tmp_path / "packs" / "night").mkdir(parents=True)
    access = PlaybookFiles(tmp_path)

    def list_dir(rel: str = "") -> list[str]:
        raise FileRefused(rel, "permission denied", "PB039")

    access.list_dir = list_dir  # type: ignore[method-assign]
    found = scan(access)
    assert (found.documents, [str(d) for d in found.problems]) == (
        [], ["packs:1:1: error PB039 'packs' permission denied"])


@pytest.mark.parametrize("text", ["x: " + "[" * 66 + "]" * 66 + "\n",
                                  "x: " + "{a: " * 66 + "1" + "}" * 66 + "\n"])
def test_a_document_nested_past_64_levels_is_refused_at_level_65(text: str) -> None:
    loaded = load_text(text, "rules/a.yaml", "GroupRules")
    # the document's mapping is level 0, so the 65th bracket (after 64 of 1 or 4 characters,
    # from column 4) opens level 65, the first past the limit
    col = 4 + 64 * (1 if text[3] == "[" else 4)
    assert [str(d) for d in loaded.diagnostics] == [
        f"rules/a.yaml:1:{col}: error PB011 nested more than 64 levels deep"]


def test_the_tree_keeps_its_file_layer_its_refusals_and_its_problems(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"png")
    for skipped in ("site", "examples", "node_modules"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.png").write_bytes(b"png")
    os.mkfifo(tmp_path / "media" / "pipe.png")
    os.mkfifo(tmp_path / "roster.yaml")
    tree = load_tree(tmp_path)
    assert isinstance(tree.access, PlaybookFiles) and tree.access.root == tmp_path.resolve()
    assert tree.files == index_files(tmp_path) == frozenset({"media/a.png"})
    assert {rel: (err.code, err.reason) for rel, err in tree.refused.items()} == {
        "media/pipe.png": ("PB038", "is a FIFO (named pipe), not a regular file"),
        "roster.yaml": ("PB038", "is a FIFO (named pipe), not a regular file")}
    assert [str(d) for d in tree.problems] == [
        "roster.yaml:1:1: error PB038 'roster.yaml' is a FIFO (named pipe), not a regular file"]
