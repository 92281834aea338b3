"""The whole handbook of one playbook as of one day: the week's messages composed, the pages
rendered, the pack media collected, then the kept workspace brought up to date and, unless the
site already is, the site built and swapped in atomically."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from playbook.bundle.export import build_bundle
from playbook.diagnostics import Diagnostic
from playbook.files import MAX_MEDIA_BYTES, FileRefused
from playbook.handbook import rebuild, site
from playbook.handbook.pages import Handbook, compile_pages
from playbook.handbook.progress import QUIET, Progress
from playbook.handbook.views import week_of
from playbook.messages.compose import Message, compose
from playbook.models.project import Project
from playbook.models.types import text_in
from playbook.writer import copy_output, read_output, safe_folder, staged_tree, sync_tree, write_bytes


@dataclass(frozen=True)
class Compiled:
    handbook: Handbook
    media: dict[str, bytes]
    """docs path -> bytes of each pack's media file."""
    diagnostics: list[Diagnostic]
    """Messages of the week that did not render (the build stops on them)."""
    bundles: Mapping[str, bytes]
    """site path -> bytes of each operator's bundle of the week (`bundles/<operator>/…`), held
    `Packed`."""


class Packed(Mapping[str, bytes]):
    """Files held compressed, each given back whole when asked for. The operators' bundles stay
    in memory from compiling until the workspace is written, beside every page: on the L
    benchmark corpus 228 MB of run sheets and calendars, 10× less packed."""

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}

    def add(self, name: str, data: bytes) -> None:
        self._packed[name] = zlib.compress(data, 1)

    def __getitem__(self, name: str) -> bytes:
        return zlib.decompress(self._packed[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


@dataclass(frozen=True)
class SiteReport:
    """What `build_site` did."""

    pages: int
    """Pages of the handbook."""
    written: int
    """Pages whose Markdown changed in the workspace (rewritten there)."""
    built: bool
    """False when the site was already up to date and MkDocs did not run."""
    inputs: str
    """The digest of what the site was made from, as its stamp records it (`site.digest`)."""


def media_files(project: Project) -> dict[str, bytes]:
    """Each pack's media files at `packs/<pack id>/<file>` in the docs, read through the
    file-access layer. A file it refuses is skipped here: validation reported it."""
    found: dict[str, bytes] = {}
    for pack_id, pack in sorted(project.packs.items()):
        folder = PurePosixPath(project.paths[("MaterialPack", pack_id)]).parent
        for material in pack.materials:
            if material.file is None:
                continue
            rel = PurePosixPath(material.file)
            if rel.is_absolute() or ".." in rel.parts:
                continue
            try:
                found[f"packs/{pack_id}/{rel}"] = project.access.read_bytes(
                    (folder / rel).as_posix(), MAX_MEDIA_BYTES)
            except FileRefused:
                continue
    return found


BUNDLE_FORMATS = ("md", "ics")
"""What each operator can download from their page: the week's run sheets and calendars."""


def operator_bundles(project: Project, monday: dt.date, sunday: dt.date,
                     messages: list[Message]) -> Packed:
    """Each operator's bundle of the week, under `bundles/<operator>/`, from the week's
    messages as composed for the pages."""
    files = Packed()
    for op in sorted(o.id for o in project.playbook.operators):
        bundle = build_bundle(project, monday, sunday, operators=(op,), formats=BUNDLE_FORMATS,
                              composed=messages)
        for name, data in bundle.files.items():
            files.add(f"bundles/{op}/{name}", data)
    return files


def compile_handbook(project: Project, day: dt.date, progress: Progress = QUIET) -> Compiled:
    """Pages, media and bundles of the handbook of `project` on `day` (its week runs
    Monday–Sunday)."""
    monday, sunday = week_of(day)
    composed = compose(project, monday, sunday)
    bundles = Packed() if composed.diagnostics else operator_bundles(project, monday, sunday,
                                                                     composed.messages)
    downloads: dict[str, list[str]] = {}
    for path in bundles:
        op, _, name = path.removeprefix("bundles/").partition("/")
        downloads.setdefault(op, []).append(name)
    return Compiled(compile_pages(project, day, composed.messages, downloads, progress), media_files(project),
                    composed.diagnostics, bundles)


class _Beside(Mapping[str, bytes]):
    """Two mappings of files with no name in common, as one."""

    def __init__(self, first: Mapping[str, bytes], second: Mapping[str, bytes]) -> None:
        self.first, self.second = first, second

    def __getitem__(self, name: str) -> bytes:
        return self.first[name] if name in self.first else self.second[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.first
        yield from self.second

    def __len__(self) -> int:
        return len(self.first) + len(self.second)


@dataclass(frozen=True)
class SitePlan:
    """What `prepare_site` leaves for `make_site`: small, so that the two can run in different
    processes (`playbook build` builds the site in a process that never held the playbook)."""

    root: Path
    workspace: Path
    pages: int
    written: int
    inputs: str
    files: dict[str, str]
    """Each workspace file, the operators' bundles included -> its hash (`rebuild.manifest`)."""
    bundles: tuple[str, ...]
    """The workspace paths of the operators' bundles (`bundles/<operator>/…`), copied beside
    the pages."""
    up_to_date: bool
    """The site at the target is already the one these files make."""
    changed: frozenset[str] | None
    """The pages whose Markdown changed since the site in place was built, when only pages
    changed (`handbook.rebuild`); None to build from scratch."""


def prepare_site(project: Project, compiled: Compiled, day: dt.date, target: Path, *,
                 force: bool = False) -> SitePlan:
    """Bring the workspace `ROOT/.playbook/handbook` up to date (pages, theme overrides, mkdocs.yml,
    and the operators' bundles under bundles/, which MkDocs does not see) and tell whether
    `target` already holds the site they make, or which pages changed since it was built."""
    pb = project.playbook
    default = pb.locales[0]
    workspace = safe_folder(project.root, site.WORKSPACE)  # no link in the playbook redirects it
    tree = site.workspace_tree(compiled.handbook, compiled.media, text_in(pb.title, default, default),
                               text_in(pb.description, default, default) if pb.description else "",
                               workspace)
    files = _Beside(tree, compiled.bundles)  # not joined: the bundles are unpacked one at a time
    synced = sync_tree(workspace, files, site.OWNED)
    pages = {f"docs/{path}" for path in compiled.handbook.pages}
    hashes = rebuild.manifest(files)  # each file's bytes read once (a bundle unpacked once)
    inputs = site.digest(hashes)
    current = not (force or synced.written or synced.removed) and site.up_to_date(
        project.root, inputs, target, day)
    changed = None if force or current else rebuild.changed_pages(project.root, hashes, target, day)
    return SitePlan(project.root, workspace, len(pages), len(pages.intersection(synced.written)), inputs,
                    hashes, tuple(sorted(compiled.bundles)), current, changed)


def make_site(plan: SitePlan, day: dt.date, target: Path, *, progress: Progress = QUIET) -> SiteReport:
    """Unless the site is up to date, build it from the workspace into a stage, put the bundles
    beside the pages, and swap the stage in for `target`; on any failure `target` is left as it
    was. MkDocs renders only the changed pages when `plan.changed` says which."""
    if plan.up_to_date:
        return SiteReport(plan.pages, 0, built=False, inputs=plan.inputs)
    with staged_tree(target, site.KIND, root=plan.root) as stage:
        if plan.changed is not None and copy_output(target, stage):
            progress.step(f"MkDocs is building the site ({len(plan.changed)} of {plan.pages} pages changed)")
            site.build(plan.workspace / site.CONFIG, day, stage, plan.changed)
        else:
            progress.step(f"MkDocs is building the site ({plan.pages} pages)")
            site.build(plan.workspace / site.CONFIG, day, stage)
        for name in plan.bundles:  # beside the pages, not through MkDocs
            try:
                data = read_output(plan.workspace / PurePosixPath(name))
            except OSError as err:
                raise site.SiteBuildFailed([f"{name}: {err}"]) from None
            if rebuild.hashed(data) != plan.files[name]:
                raise site.SiteBuildFailed([f"{name} changed in the workspace while the site was built"])
            write_bytes(stage / PurePosixPath(name), data)
    site.record_build(plan.workspace, plan.inputs, target, day)
    rebuild.remember(plan.root, plan.inputs, plan.files)
    return SiteReport(plan.pages, plan.written, built=True, inputs=plan.inputs)


def build_site(project: Project, compiled: Compiled, day: dt.date, target: Path, *,
               force: bool = False, progress: Progress = QUIET) -> SiteReport:
    """`prepare_site`, then `make_site`, in this process."""
    return make_site(prepare_site(project, compiled, day, target, force=force), day, target,
                     progress=progress)
