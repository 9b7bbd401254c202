"""Reading a node's files below a root folder, without ever leaving it.

``kgen verify`` and ``kgen import`` read a node as it is: on the node itself (root ``/``) or a copy of
its files in a folder. Node paths are absolute paths as the node sees them. A symbolic link is
followed as the node would follow it (an absolute target is a node path, so it stays below the
root), except that a relative target that climbs above the root is refused: with a copied tree
that would read the machine kgen runs on. Only regular files of bounded size are read, and what
cannot be read is a per-file problem, never an exception that stops the run.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import yaml

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_LINK_HOPS = 40
# Values after aliases are expanded: a document of nested aliases stays small, while a real manifest
# of MAX_FILE_BYTES (even one of 100,000 flags) still loads.
MAX_YAML_VALUES = 1_000_000


class ReadProblem(NamedTuple):
    node_path: str
    message: str


class NodeText(NamedTuple):
    node_path: str  # as asked for
    text: str


class NodeTree:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _resolve(self, node_path: str) -> Path | ReadProblem:
        """The real path of ``node_path`` below the root, following links as the node would."""
        pending = list(PurePosixPath(node_path).parts[1:]) if node_path.startswith("/") else None
        if pending is None:
            return ReadProblem(node_path, "not an absolute node path")
        resolved: list[str] = []
        followed: list[str] = []  # link targets, in the order they were followed
        rest_after_link = -1  # len(pending) once the last link's target is resolved
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if not resolved:
                    return ReadProblem(node_path, "path climbs above the root; not read")
                resolved.pop()
                continue
            here = self.root.joinpath(*resolved, part)
            try:
                info = here.lstat()
            except FileNotFoundError:
                if len(pending) >= rest_after_link >= 0:  # a link on the node that leads nowhere below the root
                    return ReadProblem(node_path, f"symbolic link to {followed[-1]!r} leads to nothing below the root")
                return ReadProblem(node_path, "not found")
            except OSError as error:
                return ReadProblem(node_path, _os_message(error))
            if stat.S_ISLNK(info.st_mode):
                if len(followed) >= MAX_LINK_HOPS:
                    return ReadProblem(node_path, "too many levels of symbolic links")
                try:
                    target = str(here.readlink())
                except OSError as error:
                    return ReadProblem(node_path, _os_message(error))
                followed.append(target)
                if target.startswith("/"):
                    resolved = []
                    rest_after_link = len(pending)
                    pending = [*PurePosixPath(target).parts[1:], *pending]
                else:
                    climb = len(resolved)
                    for step in PurePosixPath(target).parts:
                        climb += -1 if step == ".." else (0 if step == "." else 1)
                        if climb < 0:
                            return ReadProblem(node_path, f"symbolic link to {target!r} points outside the root; not followed")
                    rest_after_link = len(pending)
                    pending = list(PurePosixPath(target).parts) + pending
                continue
            resolved.append(part)
        return self.root.joinpath(*resolved)

    def is_masked(self, node_path: str) -> bool:
        """Whether the node path is a symbolic link to /dev/null: systemd's way of masking a unit or drop-in."""
        parent = self._resolve(str(PurePosixPath(node_path).parent))
        if not isinstance(parent, Path):
            return False
        try:
            return str((parent / PurePosixPath(node_path).name).readlink()) == "/dev/null"
        except OSError:
            return False

    def exists(self, node_path: str) -> bool:
        return isinstance(self._resolve(node_path), Path)

    def read(self, node_path: str) -> NodeText | ReadProblem:
        """A regular file's text (UTF-8), or why it could not be read."""
        real = self._resolve(node_path)
        if isinstance(real, ReadProblem):
            return real
        try:
            handle = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            return ReadProblem(node_path, _os_message(error))
        try:
            info = os.fstat(handle)
            if stat.S_ISDIR(info.st_mode):
                return ReadProblem(node_path, "is a directory, not a file")
            if not stat.S_ISREG(info.st_mode):
                return ReadProblem(node_path, "is not a regular file; not read")
            if info.st_size > MAX_FILE_BYTES:
                return ReadProblem(node_path, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not read")
            with os.fdopen(handle, "rb", closefd=False) as stream:
                raw = stream.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            return ReadProblem(node_path, _os_message(error))
        finally:
            os.close(handle)
        try:
            return NodeText(node_path, raw.decode("utf-8"))
        except UnicodeDecodeError:
            return ReadProblem(node_path, "is not UTF-8 text")

    def list_dir(self, node_path: str) -> list[str] | ReadProblem:
        """Names in a node directory, sorted; a missing directory is an empty list."""
        real = self._resolve(node_path)
        if isinstance(real, ReadProblem):
            return [] if real.message == "not found" else real
        try:
            return sorted(entry.name for entry in os.scandir(real))
        except NotADirectoryError:
            return ReadProblem(node_path, "is not a directory")
        except OSError as error:
            return ReadProblem(node_path, _os_message(error))


def _os_message(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ELOOP:
        return "is a symbolic link; not followed"
    return (error.strerror or str(error)).lower()


def _expanded_size(node: yaml.Node, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise yaml.YAMLError(f"more than {MAX_YAML_VALUES} values once aliases are expanded")
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _expanded_size(key, budget)
            _expanded_size(value, budget)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _expanded_size(item, budget)


def load_yaml(text: str) -> list[Any] | str:
    """Every document of a node's YAML (or JSON) file, aliases expanded within bounds; or why not."""
    try:
        loader = yaml.SafeLoader(text)  # _expanded_size bounds what aliases expand to
        documents: list[Any] = []
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                _expanded_size(node, [MAX_YAML_VALUES])
                documents.append(loader.construct_document(node))
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        return f"not valid YAML{where}: {problem}"
    except RecursionError:
        return "not read: nested too deeply"
    except (ValueError, TypeError, OverflowError) as error:
        return f"not valid YAML: {type(error).__name__}"
    return [doc for doc in documents if doc is not None]
