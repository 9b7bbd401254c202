"""Write rendered files atomically, or compare them with what is on disk.

Each ``<out>/<profile>/<target>/`` folder is replaced as a whole: the new tree is written to a
temporary folder beside it and swapped in with renames, so an interrupted run leaves the previous
output intact and files a profile no longer renders do not linger. A folder whose content is
already identical is left untouched. A profile's changed target folders are swapped together:
a failure leaves all of them old.

Nothing is written, read or removed through a symbolic link below the output folder: a link at
``<profile>``, ``<profile>/<target>`` or inside a target folder is refused, and ``--check``
reports it. The output folder itself may be a link. One render at a time writes into an output
folder: each holds ``<out>/.kgen.lock`` while it writes (and removes it when done), and a second
waits for it (see LOCK_WAIT_SECONDS). Temporary ``.kgen-new-*``/``.kgen-old-*`` folders that an interrupted render
left are removed by the next render (under the lock, so they cannot belong to a live one) and
reported by ``--check``.
"""

import errno
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from kgen.errors import DriftError, KgenError, Problem, UsageError
from kgen.render import RenderedFile

LOCK_NAME = ".kgen.lock"
LOCK_WAIT_SECONDS = 120.0  # a fleet of thousands of profiles writes in well under a minute
_LEFTOVER = re.compile(r"^\.kgen-(new|old)-")


class WriteReport(NamedTuple):
    written: list[str]  # target folders replaced
    unchanged: list[str]
    cleaned: list[str]  # leftovers of an interrupted render, removed


class DriftReport(NamedTuple):
    stale: list[str]
    missing: list[str]
    unexpected: list[str]
    leftovers: list[str]
    problems: list[Problem]  # links, non-folders, kgen's own inputs on the way

    @property
    def clean(self) -> bool:
        return not (self.stale or self.missing or self.unexpected or self.leftovers or self.problems)


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


def _forbidden_places() -> list[Path]:
    """kgen's own inputs, which no output folder may contain, replace or sit inside (links resolved)."""
    from kgen.resources import bundled_dir

    places = [bundled_dir("profiles").resolve(), bundled_dir("templates").resolve()]
    places += [(Path.cwd() / name).resolve() for name in ("profiles", "templates")]
    return places


def check_output_dir(out: Path | str) -> Path:
    """The resolved output folder, or UsageError/KgenError if kgen must not write there."""
    if not str(out).strip():
        raise UsageError(problems=[Problem("the output folder (-o/--output) must not be empty", "kgen", rule="output")])
    try:
        resolved = Path(out).resolve()
        exists_as_other = resolved.exists() and not resolved.is_dir()
    except (OSError, ValueError, RuntimeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a usable path"
        raise KgenError(problems=[Problem(f"output folder: {reason}", _shown(str(out)), rule="output")]) from None
    if exists_as_other:
        raise KgenError(problems=[Problem("output path exists and is not a directory", str(out))])
    for place in _forbidden_places():
        if resolved == place or resolved.is_relative_to(place):
            raise KgenError(problems=[Problem(f"refusing to write output inside {place}", str(out))])
    return resolved


def _shown(text: str) -> str:
    """A path as printed in a problem line: control characters escaped, long ones shortened."""
    shown = text.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 200 else shown[:200] + "..."


def _link_problem(out: Path | str, rel: str) -> Problem:
    return Problem(
        "is a symbolic link: kgen never writes through links below the output folder; remove it and render again",
        f"{out}/{rel}",
        rule="output",
    )


def _layout_problems(out: Path | str, root: Path, groups: dict[str, dict[str, RenderedFile]]) -> list[Problem]:
    """Links, non-folders and kgen's own inputs on the way to every target folder; nothing is followed."""
    problems: list[Problem] = []
    places = _forbidden_places()
    folders = sorted({key.split("/")[0] for key in groups} | set(groups))
    for rel in folders:
        folder = root / rel
        for place in places:
            if folder == place or folder.is_relative_to(place) or place.is_relative_to(folder):
                problems.append(Problem(f"refusing to replace {place} (kgen's own input)", f"{out}/{rel}", rule="output"))
        try:
            mode = os.lstat(folder).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue  # made when written; a file on the way is reported then
        if stat.S_ISLNK(mode):
            problems.append(_link_problem(out, rel))
        elif not stat.S_ISDIR(mode):
            problems.append(Problem("exists and is not a directory", f"{out}/{rel}", rule="output"))
        elif rel in groups:
            problems.extend(_link_problem(out, f"{rel}/{inner}") for inner in _existing_files(folder).links)
    return problems


def _leftovers(root: Path, groups: dict[str, dict[str, RenderedFile]]) -> list[str]:
    """Temporary folders an interrupted render left in the profile folders rendered now ('profile/name')."""
    found: list[str] = []
    for profile in sorted({key.split("/")[0] for key in groups}):
        folder = root / profile
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                continue
            names = sorted(entry.name for entry in folder.iterdir())
        except OSError:
            continue
        found += [f"{profile}/{name}" for name in names if _LEFTOVER.match(name)]
    return found


@contextmanager
def _locked(root: Path, out: Path | str, *, shared: bool) -> Iterator[None]:
    """Hold ``<out>/.kgen.lock`` for a whole write (exclusive) or comparison (shared, only if it exists).

    A second render into the same folder waits up to LOCK_WAIT_SECONDS for the first to finish,
    then fails; it never interleaves its target folders with the first's. The writer removes the
    lock file before releasing it, so that nothing of kgen's stays in the output folder; a waiter
    that then holds a removed file's lock tries again with a fresh one.
    """
    import fcntl

    path = root / LOCK_NAME
    flags = os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_RDONLY if shared else os.O_RDWR | os.O_CREAT)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            descriptor = os.open(path, flags, 0o644)
        except (FileNotFoundError, NotADirectoryError):
            if not shared:
                raise
            yield  # --check writes nothing, not even a lock: no render is writing here now
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise KgenError(problems=[_link_problem(out, LOCK_NAME)]) from None
            raise
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise KgenError(problems=[Problem("is not a regular file", f"{out}/{LOCK_NAME}", rule="output")])
            _wait_for_lock(descriptor, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, deadline, out)
            if _same_file(descriptor, path):
                try:
                    yield
                finally:
                    if not shared:
                        path.unlink(missing_ok=True)
                return
        finally:
            os.close(descriptor)


def _wait_for_lock(descriptor: int, mode: int, deadline: float, out: Path | str) -> None:
    import fcntl

    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                message = (
                    f"another kgen render has been writing here for over {LOCK_WAIT_SECONDS:g} s; try again when it has finished"
                )
                raise KgenError(problems=[Problem(message, f"{out}/{LOCK_NAME}", rule="output")]) from None
            time.sleep(0.05)


def _same_file(descriptor: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``descriptor`` (a finished render removes its lock)."""
    try:
        on_disk = os.lstat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)


class _Listing(NamedTuple):
    files: dict[str, Path]  # relative path -> regular file (or other non-folder entry)
    links: list[str]  # relative paths of symbolic links, never followed


def _existing_files(folder: Path) -> _Listing:
    """Every entry under ``folder`` that is not a folder; symbolic links are listed apart, not followed."""
    listing = _Listing({}, [])
    if not folder.is_symlink() and folder.is_dir():
        _scan(str(folder), "", listing)
    return listing


def _scan(directory: str, prefix: str, listing: _Listing) -> None:
    # os.scandir knows each entry's type without a stat call: a fleet's --check reads many folders
    try:
        with os.scandir(directory) as entries:
            listed = list(entries)
    except (PermissionError, FileNotFoundError, NotADirectoryError):
        # Unreadable, or gone: a render holding the lock may be swapping this folder while an unlocked
        # first look (write_tree's pre-check, or --check with no lock file) walks it.
        return
    for entry in listed:
        if entry.is_symlink():
            listing.links.append(prefix + entry.name)
        elif entry.is_dir(follow_symlinks=False):
            _scan(entry.path, f"{prefix}{entry.name}/", listing)
        else:
            listing.files[prefix + entry.name] = Path(entry.path)


def _matches(path: Path, item: RenderedFile) -> bool:
    """Whether ``path`` is a regular file holding exactly the rendered bytes; links and devices never match."""
    wanted = item.content.encode("utf-8")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(wanted):
            return False
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(len(wanted) + 1) == wanted
    except OSError:
        return False
    finally:
        os.close(descriptor)


def _same(folder: Path, wanted: dict[str, RenderedFile]) -> bool:
    existing = _existing_files(folder)
    if existing.links:
        return False
    return set(existing.files) == set(wanted) and all(_matches(existing.files[rel], item) for rel, item in wanted.items())


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


def _remove(path: Path) -> None:
    """Remove a leftover or replaced folder; a link is removed itself, never what it points to."""
    if path.is_symlink() or not path.is_dir():
        path.unlink()
    else:
        shutil.rmtree(path)


def _replace_profile(root: Path, profile: str, changed: dict[str, dict[str, RenderedFile]]) -> None:
    """Swap in every changed target folder of one profile, or none of them.

    All new folders are written first; only then are they renamed into place, and a failed rename
    puts back every folder already swapped. A crash between the renames (a few system calls) can
    leave ``.kgen-old-*`` folders behind, which the next render removes and ``--check`` reports.
    """
    parent = root / profile
    made_parent = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    stagings: dict[str, Path] = {}
    swapped: list[tuple[Path, Path, Path | None]] = []  # (folder, staging, old)
    done = False
    try:
        for target in sorted(changed):
            stagings[target] = Path(tempfile.mkdtemp(prefix=f".kgen-new-{target}-", dir=parent))
            _write_staging(stagings[target], changed[target])
        try:
            for target in sorted(changed):
                folder = parent / target
                old = None
                if os.path.lexists(folder):
                    old = parent / f".kgen-old-{target}-{os.getpid()}"
                    folder.rename(old)
                swapped.append((folder, stagings[target], old))
                stagings[target].rename(folder)
        except OSError:
            for folder, staging, old in reversed(swapped):  # put the previous output back before reporting
                if not os.path.lexists(staging) and os.path.lexists(folder):
                    folder.rename(staging)
                if old is not None and os.path.lexists(old):
                    old.rename(folder)
            raise
        for _folder, _staging, old in swapped:
            if old is not None:
                _remove(old)
        done = True
    finally:
        for staging in stagings.values():
            if os.path.lexists(staging):
                shutil.rmtree(staging, ignore_errors=True)
        if made_parent and not done:
            with suppress(OSError):
                parent.rmdir()  # a profile folder this render made stays only if it was filled


def write_tree(out: Path | str, files: list[RenderedFile]) -> WriteReport:
    """Write every target folder, each profile's all at once, under ``<out>/.kgen.lock``."""
    root = check_output_dir(out)
    report = WriteReport([], [], [])
    groups = _group(files)
    problems = _layout_problems(out, root, groups)  # before anything, even the lock, is written
    if problems:
        raise KgenError(problems=problems)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _locked(root, out, shared=False):
            problems = _layout_problems(out, root, groups)  # again: another render may have changed it
            if problems:
                raise KgenError(problems=problems)
            for leftover in _leftovers(root, groups):
                _remove(root / leftover)
                report.cleaned.append(leftover)
            by_profile: dict[str, dict[str, dict[str, RenderedFile]]] = {}
            for key in sorted(groups):
                if _same(root / key, groups[key]):
                    report.unchanged.append(key)
                else:
                    profile, target = key.split("/")
                    by_profile.setdefault(profile, {})[target] = groups[key]
            for profile, changed in sorted(by_profile.items()):
                _replace_profile(root, profile, changed)
                report.written.extend(f"{profile}/{target}" for target in sorted(changed))
    except PermissionError as exc:
        raise KgenError(problems=[Problem(f"cannot write: permission denied ({exc.filename})", str(out))]) from None
    except OSError as exc:
        raise KgenError(problems=[Problem(f"cannot write: {exc.strerror} ({exc.filename})", str(out))]) from None
    return report


def check_tree(out: Path | str, files: list[RenderedFile]) -> DriftReport:
    """Compare a fresh render with the output folder, reading nothing through a link and writing nothing."""
    root = check_output_dir(out)
    report = DriftReport([], [], [], [], [])
    groups = _group(files)
    with _locked(root, out, shared=True):
        report.problems.extend(_layout_problems(out, root, groups))
        report.leftovers.extend(_leftovers(root, groups))
        for key, wanted in sorted(groups.items()):
            if (root / key).is_symlink() or (root / key.split("/")[0]).is_symlink():
                continue
            existing = _existing_files(root / key)
            for rel in sorted(set(wanted) | set(existing.files)):
                name = f"{key}/{rel}"
                if rel in existing.links:
                    continue
                if rel not in existing.files:
                    report.missing.append(name)
                elif rel not in wanted:
                    report.unexpected.append(name)
                elif not _matches(existing.files[rel], wanted[rel]):
                    report.stale.append(name)
    return report


def raise_on_drift(out: Path | str, report: DriftReport) -> None:
    if report.clean:
        return
    problems = [Problem("differs from a fresh render (stale)", f"{out}/{p}", rule="drift") for p in report.stale]
    problems += [Problem("is missing: run kgen render", f"{out}/{p}", rule="drift") for p in report.missing]
    problems += [Problem("is not rendered by the profile (unexpected)", f"{out}/{p}", rule="drift") for p in report.unexpected]
    problems += [
        Problem("is left from an interrupted render: run kgen render to remove it", f"{out}/{p}", rule="drift")
        for p in report.leftovers
    ]
    problems += report.problems
    raise DriftError(problems=problems)
