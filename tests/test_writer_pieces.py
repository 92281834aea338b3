"""A file given to the writer in pieces: written as the pieces come, hashed as written (the
manifest's hash is that of the bytes on disk), atomic like a whole file, and left as it was
when the pieces stop half-way. The exporters of the large formats hand their files over in
pieces, which join to exactly the bytes they made whole before."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import RunCli
from playbook.exporters import EXPORTERS, csv_messages, json_messages, xlsx_messages
from playbook.exporters.base import Filters, Selection, gathered, whole
from playbook.models.project import Project
from playbook.writer import Content, FolderSink, Written, write_pieces
from sample_message import sample_message
from test_render_mutants import berlin  # noqa: F401  (the module-scoped project fixture)

REPO = Path(__file__).resolve().parents[1]
TEXT = "早上好 — good morning\n".encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pieces_of(content: Content) -> list[bytes]:
    """The pieces an exporter handed over (a whole file is one piece)."""
    return [content] if isinstance(content, bytes) else list(content)


def stopping(pieces: list[bytes], error: BaseException) -> Iterator[bytes]:
    """The pieces, then `error`: a run cut short half-way through a file."""
    yield from pieces
    raise error


def writer_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_write_pieces_writes_them_in_order_and_hashes_the_bytes_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "out" / "a.csv"
    written = write_pieces(path, iter([b"id,text\r\n", TEXT, b"", b"last"]))
    on_disk = path.read_bytes()
    assert on_disk == b"id,text\r\n" + TEXT + b"last"
    assert written == Written(True, digest(on_disk), len(on_disk))
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~writer_umask())
    assert os.listdir(path.parent) == ["a.csv"], "no temp file left"


def test_the_same_pieces_again_leave_the_file_and_its_mtime(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"{}\n")
    os.utime(path, (1_000_000_000, 1_000_000_000))
    assert write_pieces(path, [b"{", b"}\n"]) == Written(False, digest(b"{}\n"), 3)
    assert path.stat().st_mtime == 1_000_000_000
    assert os.listdir(tmp_path) == ["a.json"]
    assert write_pieces(path, [b"{", b"}\r\n"]).changed  # same start, one byte more
    assert path.read_bytes() == b"{}\r\n"
    assert write_pieces(path, [b"[]\n"]) == Written(True, digest(b"[]\n"), 3)  # same size, other bytes
    assert path.read_bytes() == b"[]\n"


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(28, "No space left on device")])
def test_pieces_that_stop_half_way_leave_the_old_file(tmp_path: Path, error: BaseException) -> None:
    path = tmp_path / "messages.csv"
    path.write_bytes(b"the last good file")
    with pytest.raises(type(error)):
        write_pieces(path, stopping([b"half of", b" a new file"], error))
    assert path.read_bytes() == b"the last good file"
    assert os.listdir(tmp_path) == ["messages.csv"], "the temp file is removed"


def test_a_link_at_the_path_is_replaced_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_bytes(b"keep")
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    assert write_pieces(link, [b"keep"]).changed, "a link is not a file holding the bytes"
    assert not link.is_symlink() and link.read_bytes() == b"keep"
    assert target.read_bytes() == b"keep"


def test_folder_sink_takes_pieces_and_lists_the_hash_of_the_file_read_back(tmp_path: Path) -> None:
    sink = FolderSink(tmp_path)
    sink.put("messages.json", (p for p in [b'{\n  "messages": [', b"]\n}\n"]))
    sink.put("whole.txt", b"whole")
    sink.put("empty.txt", iter([]))
    for name in ("messages.json", "whole.txt", "empty.txt"):
        data = (tmp_path / name).read_bytes()
        assert sink.listing[name] == (digest(data), len(data))
    assert (tmp_path / "messages.json").read_bytes() == b'{\n  "messages": []\n}\n'
    empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sink.listing["empty.txt"] == (empty_sha256, 0)
    with pytest.raises(ValueError, match="comes twice"):
        sink.put("whole.txt", iter([b"again"]))
    with pytest.raises(ValueError, match="leaves the output folder"):
        sink.put("../outside.txt", iter([b"x"]))
    assert not (tmp_path.parent / "outside.txt").exists()


def test_gathered_joins_small_parts_into_pieces_of_about_the_size() -> None:
    parts = [b"ab", b"cd", b"e", b"", b"fghij", b"k"]
    assert list(gathered(parts, size=4)) == [b"abcd", b"efghij", b"k"]
    assert list(gathered(parts, size=100)) == [b"abcdefghijk"]
    assert list(gathered([], size=4)) == []
    assert whole(iter([b"ab", b"c"])) == b"abc" and whole(b"abc") == b"abc"


# --- the exporters' pieces -----------------------------------------------------------------

AT = dt.datetime(2026, 10, 29, 9, 5, tzinfo=ZoneInfo("Europe/Berlin"))


def selection(project: Project, count: int) -> Selection:
    messages = tuple(sample_message(AT, id=f"m{n:016x}", text=f"第{n}条") for n in range(count))
    return Selection(project, AT.date(), AT.date(), Filters(), messages, ())


def test_messages_csv_comes_in_pieces_of_rows_with_one_byte_order_mark(
        berlin: Project, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(csv_messages, "ROWS_PER_PIECE", 2)
    [(name, content)] = list(csv_messages.export(selection(berlin, 5)))
    pieces = pieces_of(content)
    assert name == "messages.csv" and len(pieces) == 3  # rows 1-2, 3-4, 5 (the header in the first)
    assert pieces[0].startswith(b"\xef\xbb\xbfid,send_date,")
    assert [p.count(b"\r\n") for p in pieces] == [3, 2, 1]
    assert not any(p.startswith(b"\xef\xbb\xbf") for p in pieces[1:])
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"), newline="")))
    assert [r[14] for r in rows[1:]] == ["第0条", "第1条", "第2条", "第3条", "第4条"]


def test_messages_csv_of_a_multiple_of_the_piece_ends_without_an_empty_piece(
        berlin: Project, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(csv_messages, "ROWS_PER_PIECE", 2)
    [(_, content)] = list(csv_messages.export(selection(berlin, 4)))
    assert [p.count(b"\r\n") for p in pieces_of(content)] == [3, 2]


def test_messages_json_comes_in_pieces_that_join_to_the_records(berlin: Project) -> None:  # noqa: F811
    [(_, content)] = list(json_messages.export(selection(berlin, 3)))
    assert not isinstance(content, bytes)
    parsed = json.loads(whole(content))
    assert [m["text"] for m in parsed["messages"]] == ["第0条", "第1条", "第2条"]


def test_a_sheet_compressed_piece_by_piece_reads_back_whole(berlin: Project,  # noqa: F811
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_messages, "ROWS_PER_PIECE", 2)
    data = xlsx_messages.workbook(selection(berlin, 5))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        info = book.getinfo("xl/worksheets/sheet1.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.date_time == (1980, 1, 1, 0, 0, 0)
    assert sheet.count("<row ") == 6 and sheet.endswith("</sheetData></worksheet>")
    assert [f'<row r="{n}">' in sheet for n in range(1, 7)] == [True] * 6
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        shared = book.read("xl/sharedStrings.xml").decode("utf-8")
    unique = shared.count("<si>")
    assert f'count="{6 * 29}" uniqueCount="{unique}">' in shared and shared.endswith("</si></sst>")
    assert all(f">第{n}条</t>" in shared for n in range(5))
    assert 29 < unique < 6 * 29  # the header's names, then what the rows do not share


def test_messages_xlsx_is_handed_over_in_pieces_of_the_finished_zip(
        berlin: Project, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    sel = selection(berlin, 3)
    whole_book = xlsx_messages.workbook(sel)
    monkeypatch.setattr(xlsx_messages, "PIECE_BYTES", 1000)
    [(name, content)] = list(xlsx_messages.export(sel))
    pieces = pieces_of(content)
    assert name == "messages.xlsx" and len(pieces) == -(-len(whole_book) // 1000) > 1
    assert {len(p) for p in pieces[:-1]} == {1000}
    assert b"".join(pieces) == whole_book


def test_an_export_whose_pieces_stop_half_way_keeps_the_previous_bundle(
        run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "previous.txt").write_text("the last good bundle", encoding="utf-8")
    (out / ".playbook-output").write_text('{"generator": "playbook", "kind": "bundle"}\n', encoding="utf-8")

    def half_a_csv(sel: Selection) -> Iterator[tuple[str, Content]]:
        yield "messages.csv", stopping([b"id,text\r\n"], OSError(28, "No space left on device"))

    monkeypatch.setitem(EXPORTERS, "csv", half_a_csv)
    code, _, err = run_cli("export", REPO, "--from", "2026-11-30", "--to", "2026-11-30", "--out", out,
                           "--format", "csv", "--quiet")
    assert code == 2 and "No space left on device" in err
    assert sorted(p.name for p in out.iterdir()) == [".playbook-output", "previous.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]  # no stage left behind


def test_messages_csv_time_cells_keep_each_zone_and_each_repeated_hour(berlin: Project) -> None:  # noqa: F811
    """The cells of a moment are cached: two moments that compare equal (one instant in two zones,
    or the two 01:30s of a night leaving daylight saving time) must not share them."""
    shanghai = AT.astimezone(ZoneInfo("Asia/Shanghai"))  # the same instant: 16:05 +08:00
    new_york = ZoneInfo("America/New_York")
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=new_york)  # EDT, -04:00
    second = first.replace(fold=1)  # an hour later, EST, -05:00
    moments = (AT, shanghai, first, second)
    messages = tuple(sample_message(at, id=f"m{n:016x}") for n, at in enumerate(moments))
    sel = Selection(berlin, AT.date(), AT.date(), Filters(), messages, ())
    [(_, content)] = list(csv_messages.export(sel))
    rows = list(csv.reader(io.StringIO(whole(content).decode("utf-8-sig"), newline="")))
    assert [r[1:5] for r in rows[1:]] == [
        ["2026-10-29", "09:05", "Europe/Berlin", "2026-10-29T09:05:00+01:00"],
        ["2026-10-29", "16:05", "Asia/Shanghai", "2026-10-29T16:05:00+08:00"],
        ["2026-11-01", "01:30", "America/New_York", "2026-11-01T01:30:00-04:00"],
        ["2026-11-01", "01:30", "America/New_York", "2026-11-01T01:30:00-05:00"],
    ]


def test_write_pieces_makes_the_missing_folders_on_the_way(tmp_path: Path) -> None:
    path = tmp_path / "bundle" / "2026-11-30" / "messages.csv"
    assert write_pieces(path, [b"a,", b"b\r\n"]).changed
    assert path.read_bytes() == b"a,b\r\n"


def test_write_pieces_writes_a_hidden_temp_file_beside_the_path(tmp_path: Path) -> None:
    """The temp file lives in the target's folder (a rename never crosses file systems), named
    `.NAME.<random>.tmp` so that a listing or a glob for the output never picks it up."""
    path = tmp_path / "out" / "messages.json"
    seen: list[list[str]] = []

    def pieces() -> Iterator[bytes]:
        yield b"{"
        seen.append(sorted(os.listdir(path.parent)))
        yield b"}"

    write_pieces(path, pieces())
    [[name]] = seen
    assert name.startswith(".messages.json.") and name.endswith(".tmp")
    assert len(name) > len(".messages.json..tmp"), "a random part keeps two writers apart"
    assert sorted(os.listdir(path.parent)) == ["messages.json"]


def test_a_link_is_replaced_even_when_its_size_matches_the_pieces(tmp_path: Path) -> None:
    """`lstat` gives a link the size of the path it holds: a link whose size equals the new
    file's, to a file holding exactly the new bytes, is still a link and is replaced, never
    opened and taken for the output."""
    target = tmp_path / "target.txt"
    link = tmp_path / "out.txt"
    data = b"x" * len(str(target))  # the link's own size, as lstat reports it
    target.write_bytes(data)
    link.symlink_to(target)
    assert os.lstat(link).st_size == len(data)
    assert write_pieces(link, [data]).changed
    assert not link.is_symlink() and link.read_bytes() == data


def test_copy_output_copies_plain_trees_and_refuses_anything_else(tmp_path: Path) -> None:
    from playbook.writer import copy_output, read_output

    source, stage = tmp_path / "site", tmp_path / "stage"
    (source / "a" / "b").mkdir(parents=True)
    (source / "a" / "b" / "page.html").write_bytes(b"<p>1</p>")
    (source / "index.html").write_bytes(b"old index")
    (source / ".playbook-output").write_bytes(b"old marker")
    stage.mkdir()
    (stage / ".playbook-output").write_bytes(b"new marker")
    assert copy_output(source, stage)
    assert (stage / "a" / "b" / "page.html").read_bytes() == b"<p>1</p>"
    assert read_output(stage / "index.html") == b"old index"
    assert (stage / ".playbook-output").read_bytes() == b"new marker"  # the stage's own is kept
    (stage / "link.html").symlink_to(stage / "index.html")
    with pytest.raises(OSError):
        read_output(stage / "link.html")  # never followed
    os.mkfifo(source / "a" / "pipe")
    other = tmp_path / "other"
    other.mkdir()
    assert not copy_output(source, other)
    assert list(other.iterdir()) == []  # nothing copied
