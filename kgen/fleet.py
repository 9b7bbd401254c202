"""Render many profiles at once, sharing parsed parents and, if asked, several processes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kgen.errors import KgenError, Problem
from kgen.render import RenderedFile
from kgen.startup import resume_collection
from kgen.target_registry import DISTRIBUTION_TARGETS, MANAGED_TARGETS

if TYPE_CHECKING:
    from kgen.profile import ProfileLoader

from kgen.knowledge.versions import is_preview


def _summary(result: object) -> str:
    from kgen.render import RenderResult

    assert isinstance(result, RenderResult)
    plan = result.plan
    unavailable = [f.title for f in plan.features if f.state == "unavailable"]
    line = f"{result.profile.name}: Kubernetes {plan.version}, {len(result.files)} files"
    if is_preview(plan.version):
        line += " (preview version: facts from a development snapshot)"
    if unavailable:
        line += f"; not available in {plan.version}: {', '.join(unavailable)}"
    rendered_targets = sorted({item.path.split("/")[1] for item in result.files})
    managed = [t for t in rendered_targets if t in MANAGED_TARGETS or t in DISTRIBUTION_TARGETS]
    if managed:
        from kgen.targets import not_controllable

        counts = ", ".join(f"{len(not_controllable(plan, t))} on {t}" for t in managed)
        line += f"; settings not controllable: {counts} (see REPORT.md)"
    # Warnings stay with their profile's line (summaries are sorted); REPORT.md repeats them as notes.
    return "\n".join([line, *(warning.format() for warning in result.profile.warnings)])


_LOADERS: dict[str, ProfileLoader] = {}


def _loader(cwd: str) -> ProfileLoader:
    """One loader per process and call: each shared parent profile is read once, whatever the chunks."""
    from kgen.profile import ProfileLoader

    if cwd not in _LOADERS:
        _LOADERS[cwd] = ProfileLoader(Path(cwd))
    return _LOADERS[cwd]


def _render_chunk(
    args: tuple[list[str], list[str] | None, str | None, str],
) -> tuple[list[RenderedFile], list[str], list[Problem]]:
    references, targets, version, cwd = args
    from kgen.render import render_profile

    loader = _loader(cwd)
    files: list[RenderedFile] = []
    summaries: list[str] = []
    problems: list[Problem] = []
    for reference in references:
        try:
            result = render_profile(loader.load(reference, version), targets)
        except KgenError as error:
            problems.extend(error.problems)
            continue
        files.extend(result.files)
        summaries.append(_summary(result))
    return files, summaries, problems


def render_many(
    references: list[str], targets: list[str] | None, version: str | None, jobs: int = 1
) -> tuple[list[RenderedFile], list[str]]:
    """Every file of every profile, or KgenError listing every profile's problems (nothing is written)."""
    _LOADERS.clear()  # a loader caches files: share it within this call only, never across calls
    workers = jobs or os.cpu_count() or 1
    workers = max(1, min(workers, len(references)))
    cwd = str(Path.cwd())
    # The first profile is rendered alone: start-up (modules, knowledge, templates, the shared
    # parents) ends with it, so collection resumes before the rest, and forked workers start
    # with all of it loaded.
    files, summaries, problems = _render_chunk((references[:1], targets, version, cwd))
    rest = references[1:]
    if rest:
        resume_collection()
    if workers == 1:
        if rest:
            more_files, more_summaries, more_problems = _render_chunk((rest, targets, version, cwd))
            files.extend(more_files)
            summaries.extend(more_summaries)
            problems.extend(more_problems)
    else:
        import multiprocessing

        # Small chunks send results back as they are made: a worker's memory stays flat.
        size = max(1, min(16, len(rest) // (workers * 4)))
        chunks = [(rest[i : i + size], targets, version, cwd) for i in range(0, len(rest), size)]
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(workers) as pool:
            for chunk_files, chunk_summaries, chunk_problems in pool.imap(_render_chunk, chunks):
                files.extend(chunk_files)
                summaries.extend(chunk_summaries)
                problems.extend(chunk_problems)
    if problems:
        raise KgenError(problems=problems)
    seen: set[str] = set()
    for item in files:
        if item.path in seen:
            name = item.path.split("/", 1)[0]
            raise KgenError(f"two profiles render to the same output folder {name!r}: give them different names")
        seen.add(item.path)
    files.sort(key=lambda f: f.path)
    summaries.sort()
    return files, summaries
