"""The Kubernetes minor versions kgen renders for, and how a user-given version is normalised."""

from __future__ import annotations

import re

from kgen.errors import KgenError

SUPPORTED_VERSIONS: tuple[str, ...] = ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37")
PREVIEW_VERSIONS: tuple[str, ...] = ("1.38",)
ALL_VERSIONS: tuple[str, ...] = SUPPORTED_VERSIONS + PREVIEW_VERSIONS
DEFAULT_VERSION: str = SUPPORTED_VERSIONS[-1]

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?")


def version_key(version: str) -> tuple[int, int]:
    """Sort key for a normalised "major.minor" version."""
    major, minor = version.split(".")
    return int(major), int(minor)


def check_version(version: str) -> str:
    """Normalise "1.35", "v1.35" or "1.35.2" to "1.35"; raise KgenError if kgen does not know that minor."""
    match = _VERSION.fullmatch(str(version).strip())
    minor = f"{match.group(1)}.{match.group(2)}" if match else None
    if minor is None or minor not in ALL_VERSIONS:
        raise KgenError(
            f"Kubernetes version {version!r} is not supported; supported: {', '.join(SUPPORTED_VERSIONS)}"
            f" (preview: {', '.join(PREVIEW_VERSIONS)})"
        )
    return minor


def is_preview(version: str) -> bool:
    return check_version(version) in PREVIEW_VERSIONS
