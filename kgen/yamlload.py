"""Safe YAML reading with a source map.

kgen reads profiles and users' configuration files with this module only. It refuses what a
configuration file never needs and an attacker could use: aliases (the "billion laughs"), very
deep nesting, huge files, duplicate keys, several documents where one is expected, and bytes that
are not UTF-8. Every value's position is kept, so problems can be reported as ``file:line:col``.
"""

import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from kgen.errors import KgenError, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 200_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null"))
_TAG_NAMES = {
    "tag:yaml.org,2002:int": "an integer (!!int)",
    "tag:yaml.org,2002:float": "a number (!!float)",
    "tag:yaml.org,2002:bool": "true or false (!!bool)",
    "tag:yaml.org,2002:null": "null (!!null)",
    "tag:yaml.org,2002:str": "a string (!!str)",
}

Location = tuple[int, int]  # 1-based line and column


class Document(NamedTuple):
    """One parsed YAML document and where each of its values stands in the file."""

    data: Any
    file: str
    locations: dict[tuple[str | int, ...], Location]

    def where(self, path: tuple[str | int, ...]) -> Location:
        """The position of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return self.locations.get((), (1, 1))


class _Builder:
    """Turns a composed node graph into plain Python data, recording positions."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.locations: dict[tuple[str | int, ...], Location] = {}
        self.seen: set[int] = set()
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, message: str) -> KgenError:
        mark = node.start_mark
        return KgenError(problems=[Problem(message, self.file, mark.line + 1, mark.column + 1, rule="yaml")])

    def build(self, node: yaml.Node, path: tuple[str | int, ...], depth: int) -> Any:
        if id(node) in self.seen:
            raise self.fail(node, "YAML aliases (*name) are not allowed here; write the value out")
        self.seen.add(id(node))
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"document has more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"document is nested more than {MAX_DEPTH} levels deep")
        self.locations.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "YAML merge keys (<<) are not allowed here")
                key = self.build_scalar_key(key_node)
                if key is None:
                    raise self.fail(key_node, "mapping keys must not be empty (null)")
                if key in result:
                    raise self.fail(key_node, f"duplicate key {key!r}")
                mark = key_node.start_mark
                self.locations[(*path, key)] = (mark.line + 1, mark.column + 1)
                result[key] = self.build(value_node, (*path, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.build_scalar(node)

    def build_scalar_key(self, node: yaml.Node) -> str | int | None:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "mapping keys must be plain values")
        key = self.build_scalar(node)
        if isinstance(key, bool) or not (isinstance(key, str | int) or key is None):
            raise self.fail(node, f"mapping key {node.value!r} is not a string")
        return key

    def build_scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates stay text: kgen never wants a datetime
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, f"YAML tag {node.tag} is not allowed here")
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError):
            # The value is not quoted: it may be secret material under a wrong tag.
            raise self.fail(node, f"value cannot be read as {_TAG_NAMES.get(node.tag, node.tag)}") from None


def _decode(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise KgenError(problems=[Problem(f"file is larger than {MAX_BYTES // 1024} KiB", file, rule="yaml")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise KgenError(
            problems=[Problem(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", file, line, column, rule="yaml")]
        ) from None


def _compose_all(text: str, file: str) -> list[yaml.Node]:
    try:
        return list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}: {message}"
        raise KgenError(problems=[Problem(f"malformed YAML: {message}", file, line, column, rule="yaml")]) from None
    except yaml.reader.ReaderError as exc:
        # Raised for control characters before any YAML structure exists: locate it ourselves.
        line = text[: exc.position].count("\n") + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        message = f"malformed YAML: control character {character} is not allowed"
        raise KgenError(problems=[Problem(message, file, line, column, rule="yaml")]) from None
    except UnicodeError:
        raise KgenError(problems=[Problem("text is not valid Unicode (lone surrogate)", file, rule="yaml")]) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise KgenError(problems=[Problem(f"malformed YAML: {message}", file, rule="yaml")]) from None
    except RecursionError:
        raise KgenError(problems=[Problem("YAML nested too deeply", file, rule="yaml")]) from None


def parse_documents(raw: bytes | str, file: str) -> list[Document]:
    """Every document of a YAML stream, each with its source map."""
    text = _decode(raw, file) if isinstance(raw, bytes) else raw
    if len(text) > MAX_BYTES:
        raise KgenError(problems=[Problem(f"file is larger than {MAX_BYTES // 1024} KiB", file, rule="yaml")])
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise KgenError(problems=[Problem("file contains a NUL byte", file, line, rule="yaml")])
    documents = []
    for node in _compose_all(text, file):
        builder = _Builder(file)
        data = builder.build(node, (), 0)
        documents.append(Document(data, file, builder.locations))
    return documents


def parse_mapping(raw: bytes | str, file: str, what: str = "document") -> Document:
    """Exactly one YAML document, which must be a mapping."""
    documents = [doc for doc in parse_documents(raw, file) if doc.data is not None]
    if not documents:
        raise KgenError(problems=[Problem(f"{what} is empty", file, rule="yaml")])
    if len(documents) > 1:
        line = documents[1].where(())[0]
        raise KgenError(problems=[Problem(f"expected one YAML document, found {len(documents)}", file, line, rule="yaml")])
    document = documents[0]
    if not isinstance(document.data, dict):
        kind = "a list" if isinstance(document.data, list) else "a single value"
        line, column = document.where(())
        raise KgenError(
            problems=[Problem(f"{what} must be a mapping of keys to values, not {kind}", file, line, column, rule="yaml")]
        )
    return document


def read_file(path: Path, display: str | None = None) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; anything else (a folder, a FIFO, a device) is refused.

    The file is opened without blocking and checked before reading, so that a FIFO or /dev/zero
    named as input neither hangs nor fills memory; at most MAX_BYTES + 1 bytes are read.
    """
    name = display or str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise KgenError(problems=[Problem("no such file", name)]) from None
    except IsADirectoryError:
        raise KgenError(problems=[Problem("is a directory, not a file", name)]) from None
    except PermissionError:
        raise KgenError(problems=[Problem("permission denied", name)]) from None
    except (OSError, ValueError) as exc:
        raise KgenError(problems=[Problem(f"cannot read: {_reason(exc)}", name)]) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise KgenError(problems=[Problem("is a directory, not a file", name)])
        if not stat.S_ISREG(info.st_mode):
            raise KgenError(problems=[Problem("is not a regular file (a FIFO, socket or device is never read)", name)])
        if info.st_size > MAX_BYTES:
            raise KgenError(problems=[Problem(f"file is larger than {MAX_BYTES // 1024} KiB", name, rule="yaml")])
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(descriptor, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:  # it grew while being read
            raise KgenError(problems=[Problem(f"file is larger than {MAX_BYTES // 1024} KiB", name, rule="yaml")])
        return b"".join(chunks)
    except OSError as exc:
        raise KgenError(problems=[Problem(f"cannot read: {_reason(exc)}", name)]) from None
    finally:
        os.close(descriptor)


def _reason(exc: OSError | ValueError) -> str:
    if isinstance(exc, ValueError):
        return "the path contains a NUL byte" if "null" in str(exc) else "not a usable path"
    return exc.strerror or "not a usable path"
