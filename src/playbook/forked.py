"""Two processes for one job: the parent does its part while a forked child does the other and
sends its result back, pickled, through a pipe.

Used where a large playbook's work splits into independent halves: loading and validating the
files (`playbook.validate.load_and_validate`), running the lint rules (`playbook.lint.workers`).
The child shares everything loaded so far, copy-on-write, and never returns into the caller: it
exits once its result is sent. If it fails in any way (killed, out of memory, an exception, a
result that cannot be pickled or arrives cut short) the caller gets None for its part and does
that part itself, so a failure surfaces exactly as it would in one process.

One process is used where a fork cannot help or is not available: below `MIN_DOCUMENTS`
documents (the fork and the pickling cost more than they save), a platform without `os.fork`,
or `PLAYBOOK_LINT_PROCESSES=1`.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import threading
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")

MIN_DOCUMENTS = 300
"""Below this many documents everything runs in one process."""
VARIABLE = "PLAYBOOK_LINT_PROCESSES"
"""1: always one process; 2: two whenever `os.fork` exists, whatever the size (for tests)."""


def processes(documents: int, minimum: int = MIN_DOCUMENTS) -> int:
    """How many processes share the work on a playbook of `documents` documents. One while a
    child of `in_two` is still at work beside this process: both cores are busy already (an
    export makes its files while the lint rules run in a child), and a third process would only
    take memory."""
    if _one_process() or busy():
        return 1
    if os.environ.get(VARIABLE, "") == "2":
        return 2
    return 2 if documents >= minimum else 1


def _one_process() -> bool:
    """One process is asked for (`PLAYBOOK_LINT_PROCESSES=1`) or there is no `os.fork`."""
    return os.environ.get(VARIABLE, "") == "1" or not hasattr(os, "fork")


def in_two(mine: Callable[[], A], theirs: Callable[[], B]) -> tuple[A, B | None]:
    """(`mine()`, run here, and `theirs()`, run in a forked child at the same time); None in
    place of the child's result when it did not arrive whole."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do its part, send it, never return into the caller
        os.close(read_end)
        status = 0
        try:
            payload = pickle.dumps(theirs(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:  # any failure: the parent does this part itself
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    reaped = False
    # The child's result is read while `mine()` runs, so a child done first can exit at once
    # and give its memory back; otherwise it would wait, blocked on a full pipe, for the parent.
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_end, chunks), daemon=True)
    reader.start()
    _readers.append(reader)
    try:
        done = mine()
        reader.join()  # the child finishes writing before it exits
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        if not reaped:  # leaving on an exception (a bug, Ctrl-C): stop the child too
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            reader.join()
        _readers.remove(reader)
    data = b"".join(chunks)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        return done, None
    try:
        received: B = pickle.loads(data)  # our own child's bytes, through our own pipe
    except Exception:  # a truncated payload
        return done, None
    return done, received


_readers: list[threading.Thread] = []
"""The threads reading the result of each child `in_two` started here; one still alive means its
child is still at work."""


def busy() -> bool:
    """Whether a child forked by `in_two` in this process is still at work."""
    return any(reader.is_alive() for reader in _readers)


def _drain(read_end: int, chunks: list[bytes]) -> None:
    """Read the pipe from the child until it is closed (the child exited or was killed)."""
    with os.fdopen(read_end, "rb") as pipe:
        while chunk := pipe.read(1 << 20):
            chunks.append(chunk)


def apart(work: Callable[[], A]) -> A:
    """`work()` run in a forked child, so that the memory it takes is given back when the child
    exits, and this process stays as small as it was (`playbook build` checks and compiles the
    playbook in a child, then runs MkDocs here). What the child writes to `sys.stdout` and
    `sys.stderr` is written here after it, so a caller sees the same output either way (a
    stream object taken before, like a progress line, writes directly). In this process when
    one process is asked for (`PLAYBOOK_LINT_PROCESSES=1`) or there is no `os.fork`, and again
    here when the child fails: an exception surfaces exactly as it would without a child."""
    if _one_process():
        return work()

    def captured() -> tuple[A, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            result = work()
        return result, out.getvalue(), err.getvalue()

    _, got = in_two(lambda: None, captured)
    if got is None:
        return work()
    result, out, err = got
    sys.stdout.write(out)
    sys.stderr.write(err)
    return result
