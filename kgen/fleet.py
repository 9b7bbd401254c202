"""Render many profiles at once, sharing parsed parents and, if asked, several processes."""

from __future__ import annotations

import os
from pathlib import Path

from kgen.errors import KgenError, Problem
from kgen.render import RenderedFile

MANAGED_TARGETS = ("eks", "gke", "aks")


def _summary(result: object) -> str:
    from kgen.render import RenderResult

    assert isinstance(result, RenderResult)
    plan = result.plan
    unavailable = [f.title for f in plan.features if f.state == "unavailable"]
    line = f"{result.profile.name}: Kubernetes {plan.version}, {len(result.files)} files"
    if unavailable:
        line += f"; not available in {plan.version}: {', '.join(unavailable)}"
    rendered_targets = sorted({item.path.split("/")[1] for item in result.files})
    managed = [t for t in rendered_targets if t in MANAGED_TARGETS]
    if managed:
        from kgen.targets.managed import not_controllable

        counts = ", ".join(f"{len(not_controllable(plan, t))} on {t}" for t in managed)
        line += f"; settings not controllable: {counts} (see REPORT.md)"
    return line


def _render_chunk(args: tuple[list[str], list[str] | None, str | None, str]) -> tuple[list[RenderedFile], list[str], list[Problem]]:
    references, targets, version, cwd = args
    from kgen.profile import ProfileLoader
    from kgen.render import render_profile

    loader = ProfileLoader(Path(cwd))
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


def render_many(references: list[str], targets: list[str] | None, version: str | None, jobs: int = 1) -> tuple[list[RenderedFile], list[str]]:
    """Every file of every profile, or KgenError listing every profile's problems (nothing is written)."""
    workers = jobs or os.cpu_count() or 1
    workers = max(1, min(workers, len(references)))
    cwd = str(Path.cwd())
    if workers == 1:
        files, summaries, problems = _render_chunk((references, targets, version, cwd))
    else:
        import multiprocessing

        chunks = [references[i::workers] for i in range(workers)]
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(workers) as pool:
            results = pool.map(_render_chunk, [(chunk, targets, version, cwd) for chunk in chunks])
        files, summaries, problems = [], [], []
        for chunk_files, chunk_summaries, chunk_problems in results:
            files.extend(chunk_files)
            summaries.extend(chunk_summaries)
            problems.extend(chunk_problems)
    if problems:
        raise KgenError(problems=problems)
    seen: dict[str, str] = {}
    for item in files:
        name = item.path.split("/", 1)[0]
        if item.path in seen:
            raise KgenError(f"two profiles render to the same output folder {name!r}: give them different names")
        seen[item.path] = name
    files.sort(key=lambda f: f.path)
    summaries.sort()
    return files, summaries
