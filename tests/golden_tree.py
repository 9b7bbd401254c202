"""Compare a rendered tree with its golden copy, or rewrite the golden copy."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path


def tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def compare(actual: dict[str, str], golden_dir: Path, update: bool) -> None:
    """Assert that ``actual`` (relative path -> text) equals the files under ``golden_dir``."""
    if update:
        if golden_dir.exists():
            shutil.rmtree(golden_dir)
        for rel, text in actual.items():
            path = golden_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        return
    expected = {rel: data.decode("utf-8") for rel, data in tree(golden_dir).items()}
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(rel for rel in set(actual) & set(expected) if actual[rel] != expected[rel])
    if not (missing or extra or changed):
        return
    report = [f"rendered output differs from {golden_dir} (run pytest --update-golden and review the diff)"]
    report += [f"missing: {rel}" for rel in missing]
    report += [f"extra: {rel}" for rel in extra]
    for rel in changed[:5]:
        report.extend(
            difflib.unified_diff(
                expected[rel].splitlines(), actual[rel].splitlines(), f"golden/{rel}", f"rendered/{rel}", lineterm=""
            )
        )
    raise AssertionError("\n".join(report))
