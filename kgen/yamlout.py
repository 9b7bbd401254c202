"""The one YAML writer of kgen.

Every rendered value goes through ``dump``. It writes block-style YAML in the key order it is
given (Kubernetes' own order, never sorted), never wraps lines, and can put a short comment
beside any value. Strings are quoted whenever some YAML parser could read them as something
else: YAML 1.1 booleans such as ``y``/``no``/``on`` (go-yaml v2, PyYAML), YAML 1.2 numbers
such as ``0o14``, scientific notation such as ``1e3``, timestamps, nulls, and anything with
characters that have a meaning in YAML syntax. Multi-line strings use literal blocks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import yaml

Path = tuple[str | int, ...]
Comments = Mapping[Path, str]

# Strings a YAML 1.1 or 1.2 parser would resolve to a non-string value.
_IMPLICIT = re.compile(
    r"""^(?:
      y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    | ~|null|Null|NULL
    | [-+]?0b[01_]+
    | [-+]?0o?[0-7_]+
    | [-+]?0x[0-9a-fA-F_]+
    | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
    | [-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
    | [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
    | =|<<
    )$""",
    re.VERBOSE,
)
# Characters allowed in an unquoted (plain) scalar; deliberately narrower than YAML permits.
_PLAIN = re.compile(r"^[A-Za-z0-9/_.][A-Za-z0-9 _./@%+=,:()*-]*$")
# Characters written escaped: C0 controls other than tab and LF, DEL and the C1 controls, the line
# and paragraph separators, surrogates, the byte order mark and the non-characters U+FFFE/U+FFFF.
# Listed as they are: the negated class of the characters that may stand unescaped costs
# milliseconds to compile at every start.
_UNSAFE_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"}


# Ansible's own YAML resolver is PyYAML's: the one that decides what a tagged scalar becomes.
_RESOLVER = yaml.resolver.Resolver()
# Characters that can begin a Jinja construct or an Ansible template header.
_TEMPLATE_CHARS = frozenset("{}%#")


class UnsafeString(str):
    """A string to be tagged ``!unsafe`` so that Ansible never evaluates it as a template."""

    __slots__ = ()


def _needs_quotes(text: str) -> bool:
    return not _PLAIN.match(text) or bool(_IMPLICIT.match(text)) or ": " in text or " #" in text or text.endswith((":", " "))


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _UNSAFE_CHAR.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _literal_block(text: str, indent: int) -> list[str] | None:
    """Lines of a ``|`` block for a multi-line string, or None when a block cannot hold it exactly."""
    if _UNSAFE_CHAR.search(text) or "\r" in text or text.startswith((" ", "\n", "\t")):
        return None
    if text.endswith("\n\n"):
        return None
    header = "|" if text.endswith("\n") else "|-"
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    if any(line != line.rstrip(" \t") for line in lines):
        return None
    pad = " " * indent
    return [header] + [pad + line if line else "" for line in lines]


def scalar(value: Any) -> str:
    """The YAML text of one scalar on a single line."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        prefix = "!unsafe " if isinstance(value, UnsafeString) else ""
        if "\n" in value or "\r" in value or "\t" in value or _UNSAFE_CHAR.search(value):
            return prefix + _double_quoted(value)
        if not value or _needs_quotes(value):
            if "'" in value and '"' not in value and "\\" not in value:
                return prefix + _double_quoted(value)
            return prefix + "'" + value.replace("'", "''") + "'"
        return prefix + value
    raise TypeError(f"cannot write {type(value).__name__} as YAML: {value!r}")


def _comment(comments: Comments | None, path: Path) -> str:
    if not comments:
        return ""
    text = comments.get(path)
    if not text:
        return ""
    return "  # " + " ".join(text.split())


def _value_lines(prefix: str, value: Any, indent: int, path: Path, comments: Comments | None) -> list[str]:
    """Lines for ``prefix`` (a key or ``-`` marker already indented) followed by ``value``."""
    note = _comment(comments, path)
    if isinstance(value, Mapping):
        if not value:
            return [f"{prefix} {{}}{note}"]
        return [prefix + note, *_mapping(value, indent + 2, path, comments)]
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            return [f"{prefix} []{note}"]
        return [prefix + note, *_sequence(value, indent, path, comments)]
    if isinstance(value, str) and "\n" in value:
        block = _literal_block(value, indent + 2)
        if block is not None:
            tag = "!unsafe " if isinstance(value, UnsafeString) else ""
            return [f"{prefix} {tag}{block[0]}{note}", *block[1:]]
    return [f"{prefix} {scalar(value)}{note}"]


def _mapping(data: Mapping[Any, Any], indent: int, path: Path, comments: Comments | None) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for key, value in data.items():
        if not isinstance(key, str | int):
            raise TypeError(f"cannot write a {type(key).__name__} mapping key as YAML")
        lines.extend(_value_lines(f"{pad}{scalar(key)}:", value, indent, (*path, key), comments))
    return lines


def _sequence(items: Sequence[Any], indent: int, path: Path, comments: Comments | None) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for index, item in enumerate(items):
        item_path = (*path, index)
        is_nested = isinstance(item, Mapping | list | tuple)
        if is_nested and item:
            nested = (
                _mapping(item, indent + 2, item_path, comments)
                if isinstance(item, Mapping)
                else _sequence(item, indent + 2, item_path, comments)
            )
            first = nested[0]
            lines.append(pad + "- " + first[indent + 2 :])
            lines.extend(nested[1:])
        else:
            lines.extend(_value_lines(f"{pad}-", item, indent, item_path, comments))
    return lines


def dump(data: Mapping[Any, Any] | Sequence[Any], comments: Comments | None = None) -> str:
    """One YAML document (without ``---``) for a mapping or a sequence, ending in one newline."""
    if isinstance(data, Mapping):
        lines = _mapping(data, 0, (), comments) if data else ["{}"]
    elif isinstance(data, Sequence) and not isinstance(data, str):
        lines = _sequence(data, 0, (), comments) if data else ["[]"]
    else:
        lines = [scalar(data)]
    return "\n".join(lines) + "\n"


def unsafe(value: Any, evaluated: Collection[Path] = (), path: Path = ()) -> Any:
    """Every string at any depth tagged ``!unsafe``, so that Ansible never evaluates it as a template.

    Ansible evaluates more than ``{{``/``{%``: it strips ``{# #}`` comments and reads a leading ``#jinja2:``
    line as new delimiters, so no test of the text can tell a string is inert; only the tag makes it so.
    ``evaluated`` lists the paths of values the role is meant to evaluate (its own expressions), left untagged.
    Mapping keys stay as they are: Ansible does not template them, and kgen's keys are field and flag names.
    """
    if isinstance(value, Mapping):
        return {key: unsafe(item, evaluated, (*path, key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [unsafe(item, evaluated, (*path, index)) for index, item in enumerate(value)]
    if isinstance(value, str) and path not in evaluated and not read_as_other_type(value):
        return UnsafeString(value)
    return value


def read_as_other_type(text: str) -> bool:
    """True for text that ansible-core 2.19 would not read back as a string under ``!unsafe``.

    2.19 resolves a tagged scalar as if it were plain, quotes or not: ``!unsafe 'false'`` loads as a boolean,
    ``!unsafe '1.30'`` as 1.3, ``!unsafe ''`` as null. Such text (booleans, numbers, nulls, timestamps) holds no
    character that starts a template, so it stays untagged and quoted; text with a template character is
    always tagged.
    """
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag != "tag:yaml.org,2002:str" and not _TEMPLATE_CHARS.intersection(text)
