"""The whole handbook of one playbook as of one day: the week's messages composed, the pages
rendered, the pack media collected, then the kept workspace brought up to date and, unless the
site already is, the site built and swapped in atomically."""

from __future__ import annotations

import datetime as dt
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
from playbook.writer import copy_output, safe_folder, staged_tree, sync_tree


@dataclass(frozen=True)
class Compiled:
    handbook: Handbook
    media: dict[str, bytes]
    """docs path -> bytes of each pack's media file."""
    diagnostics: list[Diagnostic]
    """Messages of the week that did not render (the build stops on them)."""
    bundles: dict[str, bytes]
    """site path -> bytes of each operator's bundle of the week (`bundles/<operator>/…`)."""


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
                     messages: list[Message]) -> dict[str, bytes]:
    """Each operator's bundle of the week, under `bundles/<operator>/`, from the week's
    messages as composed for the pages."""
    files: dict[str, bytes] = {}
    for op in sorted(o.id for o in project.playbook.operators):
        bundle = build_bundle(project, monday, sunday, operators=(op,), formats=BUNDLE_FORMATS,
                              composed=messages)
        files.update({f"bundles/{op}/{name}": data for name, data in bundle.files.items()})
    return files


def compile_handbook(project: Project, day: dt.date, progress: Progress = QUIET) -> Compiled:
    """Pages, media and bundles of the handbook of `project` on `day` (its week runs
    Monday–Sunday)."""
    monday, sunday = week_of(day)
    composed = compose(project, monday, sunday)
    bundles = {} if composed.diagnostics else operator_bundles(project, monday, sunday, composed.messages)
    downloads: dict[str, list[str]] = {}
    for path in bundles:
        op, _, name = path.removeprefix("bundles/").partition("/")
        downloads.setdefault(op, []).append(name)
    return Compiled(compile_pages(project, day, composed.messages, downloads, progress), media_files(project),
                    composed.diagnostics, bundles)


def build_site(project: Project, compiled: Compiled, day: dt.date, target: Path, *,
               force: bool = False, progress: Progress = QUIET) -> SiteReport:
    """Bring the workspace `ROOT/.playbook/handbook` up to date, then, unless `target` already
    holds the site built from exactly these files (or `force`), build the site into a stage
    and swap it in for `target`; on any failure `target` is left as it was.

    The bundles do not go through MkDocs (they are copied beside the pages), so they are not
    written to the workspace, but they are part of what the stamp says the site was made of."""
    pb = project.playbook
    default = pb.locales[0]
    workspace = safe_folder(project.root, site.WORKSPACE)  # no link in the playbook redirects it
    files = site.workspace_tree(compiled.handbook, compiled.media, text_in(pb.title, default, default),
                                text_in(pb.description, default, default) if pb.description else "",
                                workspace)
    synced = sync_tree(workspace, files, site.OWNED)
    pages = {f"docs/{path}" for path in compiled.handbook.pages}
    written = len(pages.intersection(synced.written))
    inputs = site.digest({**files, **compiled.bundles})
    if not (force or synced.written or synced.removed) and site.up_to_date(project.root, inputs, target, day):
        return SiteReport(len(pages), 0, built=False, inputs=inputs)
    changed = None if force else rebuild.changed_pages(project.root, files, target, day)
    with staged_tree(target, site.KIND, root=project.root) as stage:
        if changed is not None and copy_output(target, stage):
            progress.step(f"MkDocs is building the site ({len(changed)} of {len(pages)} pages changed)")
            site.build(workspace / site.CONFIG, day, stage, changed)
        else:
            progress.step(f"MkDocs is building the site ({len(pages)} pages)")
            site.build(workspace / site.CONFIG, day, stage)
        for name, data in sorted(compiled.bundles.items()):  # beside the pages, not through MkDocs
            path = stage / PurePosixPath(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    site.record_build(workspace, inputs, target, day)
    rebuild.remember(project.root, inputs, files)
    return SiteReport(len(pages), written, built=True, inputs=inputs)
