"""A bundle: the messages and reply sets of a date range, filtered, and every file of the
chosen formats plus `replies.json` and `manifest.json`. By default the files are kept in
memory (the handbook embeds an operator's week, tests compare bytes); `playbook export` passes
a `Sink` that writes each file into its stage as it is made, so a bundle of hundreds of
megabytes is never held whole."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Protocol

from playbook import forked
from playbook.account_posts import by_account
from playbook.diagnostics import Diagnostic, Severity
from playbook.exporters import EXPORTERS, Filters, Selection, replies_md
from playbook.exporters import manifest as manifest_file
from playbook.exporters import replies as replies_file
from playbook.exporters.base import Content, whole
from playbook.messages.compose import MEDIA_CODE, MEDIA_NAME, Composer, Message, one_per_place
from playbook.messages.media import CopyFailed, copies, media_of
from playbook.messages.replies import ReplySet, reply_sets
from playbook.models.project import Project
from playbook.schedule import expand
from playbook.scope import platform_of
from playbook.source import Span
from playbook.writer import FolderSink

FORMATS = ("json", "csv", "xlsx", "md", "ics", "wecom")
"""Every format `--format` accepts, in the order files are built."""
DEFAULT_FORMATS = ("json", "csv", "xlsx", "md", "ics")
"""What a bundle holds unless `--format` says otherwise (WeCom payloads are asked for)."""

class Sink(Protocol):
    """Where `build_bundle` puts each file as soon as it is made (e.g. `writer.FolderSink`)."""

    listing: dict[str, tuple[str, int]]
    """Each file put so far -> its SHA-256 and size (what the manifest lists)."""

    def put(self, name: str, data: Content) -> None:
        """Take the file `name`, whole or in pieces (consumed before `put` returns)."""


class MemorySink:
    """Keeps the files (the default), each joined into one `bytes`."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.listing: dict[str, tuple[str, int]] = {}

    def put(self, name: str, data: Content) -> None:
        if name in self.files:
            raise ValueError(f"output path {name!r} comes twice")
        self.files[name] = kept = whole(data)
        self.listing[name] = manifest_file.entry(kept)


Progress = Callable[[str], None]
"""Told the name of each step as it finishes (the command draws a progress bar from it)."""


@dataclass(frozen=True)
class Bundle:
    """The files of a bundle (relative POSIX path -> content; empty when they went to a `Sink`
    of the caller's) and what stopped or marred it."""

    files: dict[str, bytes]
    diagnostics: list[Diagnostic]
    messages: list[Message] = field(default_factory=list)
    replies: list[ReplySet] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        return bool(self.diagnostics)


def unknown_filters(project: Project, filters: Filters) -> list[str]:
    """A sentence for each filter value that names nothing in the playbook."""
    known = {
        "group": (filters.groups, set(project.groups)),
        "operator": (filters.operators, {g.operator for g in project.groups.values()}
                     | {o.id for o in project.playbook.operators}),
        "platform": (filters.platforms, {p for g in project.groups if (p := platform_of(project, g))}),
        "locale": (filters.locales, {g.locale for g in project.groups.values() if g.locale}
                   | set(project.playbook.locales)),
    }
    return [f"--{what} {value}: no such {what} in this playbook (known: {', '.join(sorted(names))})"
            for what, (given, names) in known.items() for value in given if value not in names]


def selected_groups(composer: Composer, filters: Filters) -> list[str]:
    project = composer.project
    return [g for g in sorted(project.groups)
            if filters.keeps(g, project.groups[g].operator, composer.platform(g), composer.locale_of(g))]


def dtstamp_for(start: dt.date) -> dt.datetime:
    """The calendars' DTSTAMP: SOURCE_DATE_EPOCH when set (reproducible builds), else 00:00 UTC
    of the range's first day; never the current time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.combine(start, dt.time(), dt.UTC)


def build_bundle(project: Project, start: dt.date, end: dt.date, *, groups: Iterable[str] = (),
                 operators: Iterable[str] = (), platforms: Iterable[str] = (),
                 locales: Iterable[str] = (), formats: Iterable[str] = DEFAULT_FORMATS,
                 commit: str | None = None, dirty: bool | None = None,
                 progress: Progress | None = None,
                 composed: Sequence[Message] | None = None, sink: Sink | None = None) -> Bundle:
    """Every file of the bundle for `start`..`end` (both included). With any diagnostic (a
    message that does not render, a missing attachment) `files` is empty: no half-bundle.

    `composed`: the range's messages already rendered (as `compose` gives them, for every
    group), so a caller building several bundles of one range (the handbook, one per
    operator) expands and renders the schedule once; they are only filtered here.

    `sink`: where the files go, one at a time (default: kept in `Bundle.files`). Nothing is put
    when a message fails to render.

    `commit`, `dirty`: the playbook's git commit and whether its files differ from it (the
    manifest records both; see `git_commit`, `git_dirty`)."""
    wanted = tuple(f for f in FORMATS if f in set(formats))
    filters = Filters(tuple(groups), tuple(operators), tuple(platforms), tuple(locales))
    composer = Composer(project)
    keep = set(selected_groups(composer, filters))
    if composed is None:
        messages = composer.messages(by_account(project, (s for s in expand(project, start, end)
                                                          if s.group in keep)))
    else:  # an account's post (no group) is kept with any group it stands for
        messages = [m for m in composed if m.group in keep or not keep.isdisjoint(m.groups)]
    replies = reply_sets(composer, sorted(keep), start, end)
    tell = progress or (lambda _step: None)
    tell("compose")
    if composer.diagnostics:
        return Bundle({}, one_per_place(composer.diagnostics), messages, replies)
    media = media_of(chain((a for m in messages for a in m.attachments),
                           (a for s in replies for r in s.replies for a in r.attachments)))
    sel = Selection(project, start, end, filters, tuple(messages), tuple(replies), dtstamp_for(start),
                    tuple(media))
    into = sink if sink is not None else MemorySink()
    for copied in copies(project, media):
        if isinstance(copied, CopyFailed):
            problem = Diagnostic(Span(copied.path), Severity.ERROR, MEDIA_CODE, MEDIA_NAME,
                                 f"attachment {copied.path}: {copied.reason}")
            return Bundle({}, [problem], messages, replies)
        into.put(*copied)
    # the reply files first: the formats' caches (the calendars' texts) stay filled after them
    for path, data in chain(replies_file.export(sel), replies_md.export(sel)):
        into.put(path, data)
    here, there = _shares(wanted, len(messages), into)
    if not there and forked.busy():
        # a child is at work beside this process (an export's lint rules): write the formats
        # that stay here first, and look again, since that child may be done by then
        _put_formats(sel, tuple(f for f in wanted if f not in CHILD_FORMATS), into, tell)
        later = tuple(f for f in wanted if f in CHILD_FORMATS)
        here, there = _shares(later, len(messages), into, (later[:1], later[1:]))
    _write_formats(sel, here, there, into, tell)
    into.put(manifest_file.FILE, manifest_file.manifest(sel, dict(into.listing), wanted, commit, dirty))
    tell("manifest")
    return Bundle(into.files if isinstance(into, MemorySink) else {}, [], messages, replies)


CHILD_FORMATS = ("xlsx", "ics")
"""The formats a forked child writes while this process writes the others, in a large export:
about half of the time (json, csv and md here; the spreadsheet and the calendars there). While
the lint rules still run in a child beside the export, the others are written first, and then,
if that child is done, the spreadsheet here and the calendars in a child."""
MIN_SPLIT_MESSAGES = 5000
"""Below this many messages every format is written here (a fork would cost more than it saves)."""


Shares = tuple[tuple[str, ...], tuple[str, ...]]
"""(the formats written in this process, those written by a forked child)."""


def _shares(wanted: tuple[str, ...], messages: int, into: Sink, split: Shares | None = None) -> Shares:
    """(the formats written in this process, those written by a forked child): `split`, by
    default the others here and `CHILD_FORMATS` there. Only files going to a folder are split
    (`writer.FolderSink`), never ones kept in memory, which a child could not hand back; and
    only while no other child is at work beside this process (`forked.processes`)."""
    if not isinstance(into, FolderSink) or forked.processes(messages, MIN_SPLIT_MESSAGES) == 1:
        return wanted, ()
    here, there = split or (tuple(f for f in wanted if f not in CHILD_FORMATS),
                            tuple(f for f in wanted if f in CHILD_FORMATS))
    return (here, there) if here and there else (wanted, ())


def _write_formats(sel: Selection, here: tuple[str, ...], there: tuple[str, ...], into: Sink,
                   tell: Progress) -> None:
    """Write `here` in this process and `there` in a forked child at the same time; all of them
    here if the child fails, as in one process."""
    if not there:
        _put_formats(sel, here, into, tell)
        return
    before = set(into.listing)
    _, theirs = forked.in_two(lambda: _put_formats(sel, here, into, tell),
                              lambda: {name: entry for name, entry in
                                       _put_formats(sel, there, into, None).listing.items()
                                       if name not in before})
    if theirs is None:  # the child failed: its formats are made here, as in one process
        _put_formats(sel, there, into, tell)
    else:
        into.listing.update(theirs)
        for name in there:
            tell(name)


def _put_formats(sel: Selection, formats: tuple[str, ...], into: Sink, tell: Progress | None) -> Sink:
    for name in formats:
        for path, data in EXPORTERS[name](sel):
            into.put(path, data)
        if tell is not None:
            tell(name)
    return into


def steps(formats: Iterable[str]) -> int:
    """How many times `build_bundle` calls `progress` for these formats."""
    return 2 + len([f for f in FORMATS if f in set(formats)])


def _git(root: Path, *args: str) -> str | None:
    """The output of a git command run in `root`; None without git, outside a repository or
    when the command fails."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run([git, "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_commit(root: Path) -> str | None:
    """The commit checked out in `root`'s repository; None without git or outside a repository.
    Whether the playbook differs from it is `git_dirty`'s answer."""
    commit = (_git(root, "rev-parse", "--verify", "-q", "HEAD") or "").strip()
    return commit or None


def git_dirty(root: Path) -> bool | None:
    """Whether the playbook's files (under `root` only, untracked ones included) have changes
    not committed; None without git or outside a repository."""
    status = _git(root, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return None if status is None else bool(status.strip())


__all__ = ["FORMATS", "Bundle", "build_bundle", "dtstamp_for", "git_commit", "git_dirty",
           "unknown_filters"]
