"""Reports about kgen's version knowledge that need no profile: `kgen gates`."""

from __future__ import annotations

import json
from typing import Any

from kgen.errors import UsageError

STAGES: tuple[str, ...] = ("alpha", "beta", "ga", "deprecated")
GATE_FORMATS: tuple[str, ...] = ("table", "json")


def check_format(output_format: str, allowed: tuple[str, ...]) -> str:
    """The output format, lower-cased; a UsageError naming the choices otherwise."""
    chosen = output_format.lower()
    if chosen not in allowed:
        raise UsageError(f"--format {output_format!r} is not one of: {', '.join(allowed)}")
    return chosen


def gates_report(version: str | None, component: str | None, stage: str | None, output_format: str) -> str:
    """Every feature gate of one Kubernetes release, optionally for one component or stage."""
    from kgen import knowledge
    from kgen.knowledge.gates_engine import list_gates

    chosen_format = check_format(output_format, GATE_FORMATS)
    release = knowledge.check_version(version) if version else knowledge.DEFAULT_VERSION
    if stage is not None and stage.lower() not in STAGES:
        raise UsageError(f"--stage {stage!r} is not one of: {', '.join(STAGES)}")
    if component is not None and component not in knowledge.COMPONENTS:
        import difflib

        close = difflib.get_close_matches(component, knowledge.COMPONENTS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(
            f"--component {component!r} is not a component with feature gates{hint} "
            f"(components: {', '.join(knowledge.COMPONENTS)})"
        )
    rows = list_gates(release, component, stage.lower() if stage else None)
    if chosen_format == "json":
        return json.dumps(rows, indent=2) + "\n"
    return _table(rows, release, component, stage)


def _table(rows: list[dict[str, Any]], release: str, component: str | None, stage: str | None) -> str:
    scope = [f"Kubernetes {release}"]
    if component:
        scope.append(f"component {component}")
    if stage:
        scope.append(f"stage {stage.lower()}")
    if not rows:
        return f"no feature gates for {', '.join(scope)}\n"
    header = ("GATE", "STAGE", "DEFAULT", "LOCKED", "KEP", "COMPONENTS")
    lines = [header]
    for row in rows:
        lines.append(
            (
                row["name"],
                row["stage"],
                "true" if row["default"] else "false",
                "yes" if row["locked"] else "",
                f"KEP-{row['kep']}" if row["kep"] else "",
                ",".join(_short(c) for c in row["components"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line[:-1], widths, strict=True)) + "  " + line[-1] for line in lines
    ]
    text.append("")
    text.append(
        f"{len(rows)} gates in {', '.join(scope)}; components: "
        "apiserver=kube-apiserver, kcm=kube-controller-manager, scheduler=kube-scheduler, proxy=kube-proxy"
    )
    return "\n".join(line.rstrip() for line in text) + "\n"


_SHORT = {
    "kube-apiserver": "apiserver",
    "kube-controller-manager": "kcm",
    "kube-scheduler": "scheduler",
    "kube-proxy": "proxy",
}


def _short(component: str) -> str:
    return _SHORT.get(component, component)
