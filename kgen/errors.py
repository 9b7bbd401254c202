"""Errors kgen reports to its users, and the exit statuses they map to.

A ``KgenError`` is a user problem: it prints as one line per problem and no traceback.
Anything else that escapes is a bug in kgen and keeps its traceback.
"""

import re
from functools import cache
from typing import NamedTuple

EXIT_OK = 0
EXIT_PROBLEMS = 1  # invalid input, or a check found problems
EXIT_USAGE = 2  # the command line itself is wrong
EXIT_DRIFT = 3  # render --check: files on disk differ from a fresh render
EXIT_UPGRADE_BREAKS = 4  # upgrade-check: the old config would be rejected by the new version
EXIT_NODE_DRIFT = 5  # verify: the node differs from what the profile renders
EXIT_BUG = 70  # an unexpected exception: a bug in kgen (EX_SOFTWARE)

# Characters that would break a problem's one line or change how a terminal shows it: C0 and C1
# controls, DEL, line and paragraph separators, and the bidirectional overrides and isolates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_LONGEST_FILE = 300


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (\\n, \\x1b, \\u202e): one inert line."""
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class Problem(NamedTuple):
    """One thing wrong with one input, located as precisely as kgen knows."""

    message: str
    file: str = ""
    line: int = 0  # 1-based; 0 = unknown
    column: int = 0  # 1-based; 0 = unknown
    path: str = ""  # dotted path inside the document
    rule: str = ""  # short tag naming the check, e.g. "schema", "gates"
    severity: str = "error"

    def format(self) -> str:
        """One line, whatever the file name, path or message hold: control characters are escaped."""
        where = printable(self.file) or "kgen"
        if len(where) > _LONGEST_FILE:  # a path the OS refused for its length: its start says enough
            where = where[:_LONGEST_FILE] + "..."
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: "
        if self.path:
            text += f"{printable(self.path)}: "
        text += printable(self.message)
        if self.rule:
            text += f" [{self.rule}]"
        return text


class KgenError(Exception):
    """A problem with the user's input or environment; reported without a traceback."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str = "", problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems or [])
        if message and not self.problems:
            self.problems = [Problem(message)]
        super().__init__(message or "\n".join(p.format() for p in self.problems))

    def lines(self) -> list[str]:
        return [p.format() for p in self.problems]


class UsageError(KgenError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = EXIT_USAGE


class DriftError(KgenError):
    """Rendered output on disk differs from a fresh render."""

    exit_code = EXIT_DRIFT


class UpgradeBreaksError(KgenError):
    """The configuration rendered for the old version would be rejected by the new one."""

    exit_code = EXIT_UPGRADE_BREAKS


class InternalError(RuntimeError):
    """kgen produced something it cannot stand behind (a bug): keeps its traceback."""


@cache
def _secrets_in_text() -> re.Pattern[str]:
    """Secret material inside longer text (a message, a flag line, a traceback): PEM private keys,
    kubeadm bootstrap tokens, and base64 of 40 or more characters mixing digits, upper- and lower-case
    letters (so that long node paths and gate names stay readable). Compiled on first use: most runs
    never redact anything."""
    return re.compile(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:.*?-----END [A-Z ]*PRIVATE KEY-----|.*)"
        r"|(?<![a-z0-9])[a-z0-9]{6}\.[a-z0-9]{16}(?![a-z0-9])"
        r"|(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])[A-Za-z0-9+/]{40,}={0,2}",
        re.DOTALL,
    )


def redact_secrets(text: str) -> str:
    """``text`` with everything that looks like secret material replaced by ``<redacted>``."""
    return _secrets_in_text().sub("<redacted>", text)
