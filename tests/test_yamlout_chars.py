"""The YAML writer escapes exactly the characters outside its printable set, at every code point."""

from __future__ import annotations

from kgen.yamlout import _UNSAFE_CHAR, scalar

# The characters that may stand unescaped in a double-quoted or literal scalar.
PRINTABLE = [
    (0x09, 0x0A),
    (0x20, 0x7E),
    (0xA0, 0x2027),
    (0x202A, 0xD7FF),
    (0xE000, 0xFEFE),
    (0xFF00, 0xFFFD),
    (0x10000, 0x10FFFF),
]


def _printable(code: int) -> bool:
    return any(low <= code <= high for low, high in PRINTABLE)


def test_unsafe_characters_are_the_complement_of_the_printable_set() -> None:
    wrong = [hex(code) for code in range(0x110000) if bool(_UNSAFE_CHAR.match(chr(code))) == _printable(code)]
    assert wrong == []


def test_unsafe_characters_are_written_escaped() -> None:
    assert scalar("a\u2028b") == '"a\\u2028b"'
    assert scalar("a\x85b") == '"a\\x85b"'
    assert scalar("a\ufeffb") == '"a\\ufeffb"'
    assert scalar("a\U0001f600b") == "'a\U0001f600b'"  # printable: quoted, not escaped
