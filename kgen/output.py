"""Write rendered files atomically, or compare them with what is on disk.

Each ``<out>/<profile>/<target>/`` folder is replaced as a whole: the new tree is written to a
temporary folder beside it and swapped in with renames, so an interrupted run leaves the previous
output intact and files a profile no longer renders do not linger. A folder whose content is
already identical is left untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from kgen.errors import DriftError, KgenError, Problem
from kgen.render import RenderedFile


class WriteReport(NamedTuple):
    written: list[str]  # target folders replaced
    unchanged: list[str]


class DriftReport(NamedTuple):
    stale: list[str]
    missing: list[str]
    unexpected: list[str]

    @property
    def clean(self) -> bool:
        return not (self.stale or self.missing or self.unexpected)


_MANGLED = re.compile("[\x00-\x1f\\\\\x7f]")  # control characters and backslashes


def _check_relative(path: str) -> None:
    """Refuse a rendered path that could leave the output folder or that file systems mangle."""
    parts = path.split("/")
    bad = len(parts) < 3 or any(part in ("", ".", "..") for part in parts)
    if bad or _MANGLED.search(path):
        shown = path.encode("unicode_escape").decode("ascii")
        raise KgenError(
            problems=[
                Problem(
                    "rendered file path is not a plain relative path (node paths must not contain '..', '.', '//' "
                    "or control characters)",
                    shown,
                    rule="output",
                )
            ]
        )


def _group(files: Iterable[RenderedFile]) -> dict[str, dict[str, RenderedFile]]:
    """Target folder ('profile/target') -> relative path -> file."""
    groups: dict[str, dict[str, RenderedFile]] = {}
    for item in files:
        _check_relative(item.path)
        profile, target, rest = item.path.split("/", 2)
        groups.setdefault(f"{profile}/{target}", {})[rest] = item
    return groups


def check_output_dir(out: Path) -> Path:
    from kgen.resources import bundled_dir

    resolved = out.resolve()
    if resolved.exists() and not resolved.is_dir():
        raise KgenError(problems=[Problem("output path exists and is not a directory", str(out))])
    forbidden = [bundled_dir("profiles").resolve(), bundled_dir("templates").resolve()]
    forbidden += [Path.cwd().resolve() / name for name in ("profiles", "templates")]
    for place in forbidden:
        if resolved == place or resolved.is_relative_to(place):
            raise KgenError(problems=[Problem(f"refusing to write output inside {place}", str(out))])
    return resolved


def _existing_files(folder: Path) -> dict[str, Path]:
    """Relative path -> file for every file and symlink under ``folder`` (symlinks are not followed)."""
    found: dict[str, Path] = {}
    if folder.is_dir():
        _scan(str(folder), "", found)
    return found


def _scan(directory: str, prefix: str, found: dict[str, Path]) -> None:
    # os.scandir knows each entry's type without a stat call: a fleet's --check reads many folders
    try:
        with os.scandir(directory) as entries:
            listed = list(entries)
    except PermissionError:
        return
    for entry in listed:
        if entry.is_symlink() or entry.is_file():
            found[prefix + entry.name] = Path(entry.path)
        elif entry.is_dir():
            _scan(entry.path, f"{prefix}{entry.name}/", found)


def _matches(path: Path, item: RenderedFile) -> bool:
    """Whether the file on disk holds exactly the rendered bytes; one that cannot be read does not."""
    try:
        return path.read_bytes() == item.content.encode("utf-8")
    except OSError:
        return False


def _same(folder: Path, wanted: dict[str, RenderedFile]) -> bool:
    existing = _existing_files(folder)
    return set(existing) == set(wanted) and all(_matches(existing[rel], item) for rel, item in wanted.items())


def _write_staging(staging: Path, wanted: dict[str, RenderedFile]) -> None:
    """Write one target folder's files, making each folder once: creating files dominates a fleet."""
    folders: set[str] = set()
    for rel in wanted:
        folders.update(str(parent) for parent in PurePosixPath(rel).parents)
    folders.discard(".")
    for rel in sorted(folders):  # a parent sorts before its children
        (staging / rel).mkdir()
    for rel, item in sorted(wanted.items()):
        with (staging / rel).open("wb") as handle:
            handle.write(item.content.encode("utf-8"))
            os.fchmod(handle.fileno(), 0o755 if item.executable else 0o644)
    for rel in folders:
        (staging / rel).chmod(0o755)
    staging.chmod(0o755)


def write_tree(out: Path, files: list[RenderedFile]) -> WriteReport:
    root = check_output_dir(out)
    report = WriteReport([], [])
    groups = _group(files)
    try:
        root.mkdir(parents=True, exist_ok=True)
        for key in sorted(groups):
            wanted = groups[key]
            folder = root / key
            if _same(folder, wanted):
                report.unchanged.append(key)
                continue
            folder.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".kgen-new-", dir=folder.parent))
            try:
                _write_staging(staging, wanted)
                old = None
                if folder.exists():
                    old = folder.parent / f".kgen-old-{folder.name}-{os.getpid()}"
                    folder.rename(old)
                try:
                    staging.rename(folder)
                except OSError:
                    if old is not None:
                        old.rename(folder)  # put the previous output back before reporting
                    raise
                if old is not None:
                    shutil.rmtree(old)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
            report.written.append(key)
    except PermissionError as exc:
        raise KgenError(problems=[Problem(f"cannot write: permission denied ({exc.filename})", str(out))]) from None
    except OSError as exc:
        raise KgenError(problems=[Problem(f"cannot write: {exc.strerror} ({exc.filename})", str(out))]) from None
    return report


def check_tree(out: Path, files: list[RenderedFile]) -> DriftReport:
    root = out.resolve()
    report = DriftReport([], [], [])
    for key, wanted in sorted(_group(files).items()):
        existing = _existing_files(root / key)
        for rel in sorted(set(wanted) | set(existing)):
            name = f"{key}/{rel}"
            if rel not in existing:
                report.missing.append(name)
            elif rel not in wanted:
                report.unexpected.append(name)
            elif not _matches(existing[rel], wanted[rel]):
                report.stale.append(name)
    return report


def raise_on_drift(out: Path, report: DriftReport) -> None:
    if report.clean:
        return
    problems = [Problem("differs from a fresh render (stale)", f"{out}/{p}", rule="drift") for p in report.stale]
    problems += [Problem("is missing: run kgen render", f"{out}/{p}", rule="drift") for p in report.missing]
    problems += [Problem("is not rendered by the profile (unexpected)", f"{out}/{p}", rule="drift") for p in report.unexpected]
    raise DriftError(problems=problems)
