"""Two processes for one job (`playbook.forked`), and loading a large playbook with them
(`validate.load_and_validate`): the result is the same as in one process, whatever the child does."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from playbook import forked, validate
from playbook.loader import LoadedFile
from playbook.validate import Checked, load_and_validate
from test_lint_workers import no_children_left

REPO = Path(__file__).resolve().parents[1]
LINT = Path(__file__).parent / "lint"


def test_both_parts_come_back() -> None:
    parent = os.getpid()
    here, there = forked.in_two(lambda: ("here", os.getpid()), lambda: ("there", os.getpid()))
    assert here == ("here", parent)
    assert there is not None and there[0] == "there" and there[1] != parent
    assert no_children_left()


def test_a_child_done_first_exits_while_the_parent_still_works() -> None:
    """The child's result is read while the parent's part runs: a child with a result larger
    than a pipe holds (64 KiB) exits without waiting for the parent, and gives its memory back."""
    big = "x" * (4 << 20)

    def mine() -> bool:
        # the child is gone (reaped by nobody yet: a zombie) before the parent's part ends
        for _ in range(2000):
            children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
            if children and all(_state(int(pid)) == "Z" for pid in children):
                return True
            os.sched_yield()
            time.sleep(0.005)
        return False

    exited_early, there = forked.in_two(mine, lambda: big)
    assert exited_early
    assert there == big
    assert no_children_left()


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_one_process_while_a_child_is_at_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """While a child of `in_two` works beside this process, `processes` says one (both cores are
    busy), whatever the size; once the child is done, two again."""
    monkeypatch.setenv(forked.VARIABLE, "2")
    go_read, go_write = os.pipe()

    def mine() -> tuple[bool, int]:
        seen = forked.busy(), forked.processes(10**6)
        os.write(go_write, b"x")  # only now may the child finish
        return seen

    def theirs() -> bytes:
        return os.read(go_read, 1)

    (was_busy, during), there = forked.in_two(mine, theirs)
    assert (was_busy, during, there) == (True, 1, b"x")
    assert not forked.busy() and forked.processes(10**6) == 2
    os.close(go_read)
    os.close(go_write)
    assert no_children_left()


@pytest.mark.parametrize("failure", ["raises", "dies", "unpicklable"])
def test_a_failing_child_gives_none(failure: str) -> None:
    def theirs() -> object:
        if failure == "raises":
            raise RuntimeError("a bug")
        if failure == "dies":
            os._exit(3)
        return lambda: None  # a lambda cannot be pickled

    assert forked.in_two(lambda: 1, theirs) == (1, None)
    assert no_children_left()


def test_a_failing_parent_stops_the_child() -> None:
    def mine() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        forked.in_two(mine, lambda: __import__("time").sleep(30))
    assert no_children_left()


def outcome(root: Path, processes: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[object]]:
    monkeypatch.setenv(forked.VARIABLE, processes)
    result = load_and_validate(root)
    project = result.project or result.partial
    every = [] if project is None else project.documents()
    documents = [(kind, doc_id, doc.model_dump()) for kind, doc_id, doc in every]
    spans = [str(project.span(kind, doc_id)) for kind, doc_id, _ in every] if project is not None else []
    return [str(d) for d in result.diagnostics], [*documents, *spans, result.files_checked]


@pytest.mark.parametrize("root", [REPO, *sorted(p for p in (REPO / "examples").iterdir() if p.is_dir())],
                         ids=lambda p: p.name)
def test_loading_in_two_processes_gives_what_one_gives(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert outcome(root, "2", monkeypatch) == outcome(root, "1", monkeypatch)


def test_broken_files_are_reported_the_same_from_the_child(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Every other file goes to the child: break several in a row so both processes meet some."""
    root = tmp_path / "playbook"
    root.mkdir()
    (root / "playbook.yaml").write_bytes((LINT / "_base" / "playbook.yaml").read_bytes())
    for i in range(6):
        (root / "rules").mkdir(exist_ok=True)
        (root / "rules" / f"r{i}.yaml").write_text(
            f"apiVersion: playbook/v1\nkind: GroupRules\nid: r{i}\nversion: 1.0.0\ntitle: t\nowner: op-a\n"
            + ("forbiden: []\n" if i % 3 else "key: [unclosed\n"), "utf-8")
    one = outcome(root, "1", monkeypatch)
    assert len(one[0]) == 6
    assert outcome(root, "2", monkeypatch) == one


@pytest.mark.parametrize("failure", ["dies", "garbage"])
def test_a_failing_child_is_replaced_by_the_parent(failure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = outcome(REPO, "1", monkeypatch)
    parent = os.getpid()
    real = validate.validate_file

    def failing(loaded: LoadedFile) -> Checked:
        if os.getpid() != parent and failure == "dies":
            os._exit(3)
        return real(loaded)

    monkeypatch.setattr(validate, "validate_file", failing)
    if failure == "garbage":
        monkeypatch.setattr(forked.pickle, "dumps", lambda obj, protocol=None: b"not a pickle")
    assert outcome(REPO, "2", monkeypatch) == expected
    assert no_children_left()


def test_apart_runs_in_a_child_and_replays_its_output(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    parent = os.getpid()

    def work() -> int:
        print("to stdout")
        print("to stderr", file=sys.stderr)
        return os.getpid()

    assert forked.apart(work) != parent
    assert capsys.readouterr() == ("to stdout\n", "to stderr\n")
    assert no_children_left()


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_apart_does_the_work_here_when_the_child_fails(failure: str) -> None:
    parent = os.getpid()
    ran: list[int] = []

    def work() -> int:
        ran.append(os.getpid())
        if os.getpid() != parent:
            if failure == "dies":
                os._exit(3)
            raise RuntimeError("a bug in the child")
        return 7

    assert forked.apart(work) == 7
    assert ran == [parent]  # the child's attempt is not in this process's list
    assert no_children_left()


def test_apart_in_one_process_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(forked.VARIABLE, "1")
    assert forked.apart(os.getpid) == os.getpid()
