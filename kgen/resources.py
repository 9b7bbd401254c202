"""Where kgen's bundled files are: inside the installed package, or beside it in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def bundled_dir(name: str) -> Path:
    """The bundled ``templates`` or ``profiles`` folder."""
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"kgen's bundled {name}/ folder is missing from {_PACKAGE_DIR}")


def bundled_profiles() -> dict[str, Path]:
    """Bundled profile name -> file."""
    return {path.stem: path for path in sorted(bundled_dir("profiles").glob("*.yaml"))}
