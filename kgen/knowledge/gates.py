"""Feature gates per Kubernetes version (kgen/data/feature-gates.jsonl) and kubeadm's own gates."""

import functools
from typing import Any, NamedTuple

from kgen.knowledge._data import load, load_rows, parse_row
from kgen.knowledge.versions import check_version

COMPONENTS: tuple[str, ...] = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
)


class GateState(NamedTuple):
    """A gate in one release: stage is alpha | beta | ga | deprecated."""

    stage: str
    default: bool
    locked: bool


def _states(raw: dict[str, Any]) -> dict[str, GateState | None]:
    return {
        version: None if state is None else GateState(state["stage"], state["default"], state["locked"])
        for version, state in raw.items()
    }


class Gate(NamedTuple):
    """A Kubernetes feature gate across versions, with where it has an effect and what it needs."""

    name: str
    kep: int | None
    components: tuple[str, ...]
    components_known: bool
    removed_in: str | None
    removal_evidence: str | None
    depends_on: tuple[str, ...]
    origin: str
    by_version: dict[str, GateState | None]  # use state() and states()
    runtime_config_by_version: dict[str, tuple[str, ...]]  # use runtime_config()

    def state(self, version: str) -> GateState | None:
        """The gate in that release, or None when the release does not know the name."""
        return self.by_version.get(check_version(version))

    def runtime_config(self, version: str) -> tuple[str, ...]:
        """kube-apiserver --runtime-config entries the feature needs in that release (empty if none)."""
        return self.runtime_config_by_version.get(check_version(version), ())

    def states(self) -> dict[str, GateState | None]:
        """Version -> state for every version kgen knows (None where the release lacks the gate)."""
        return dict(self.by_version)

    def introduced_in(self) -> str | None:
        """First known version with a state (None if the gate exists in no known version)."""
        for version, state in self.by_version.items():
            if state is not None:
                return version
        return None


def _gate_rows() -> dict[str, str]:
    """Gate name -> its row, unparsed: a render asks for a handful of the few hundred."""
    return load_rows("feature-gates.jsonl")[1]


@functools.cache
def _built(name: str) -> Gate | None:
    """One gate, parsed and built on first use."""
    row = _gate_rows().get(name)
    if row is None:
        return None
    entry = parse_row(row)
    return Gate(
        name=name,
        kep=entry["kep"],
        components=tuple(entry["components"]),
        components_known=entry["componentsKnown"],
        removed_in=entry["removedIn"],
        removal_evidence=entry["removalEvidence"],
        depends_on=tuple(entry["dependsOn"]),
        origin=entry["origin"],
        by_version=_states(entry["states"]),
        runtime_config_by_version={v: tuple(items) for v, items in entry["runtimeConfig"].items()},
    )


def all_gates() -> dict[str, Gate]:
    """Every gate kgen knows of, in any version."""
    return {name: gate for name in _gate_rows() if (gate := _built(name)) is not None}


def gate(name: str) -> Gate | None:
    return _built(name)


def gates_in(version: str) -> dict[str, GateState]:
    """Gate name -> state for every gate the release knows, sorted by name."""
    version = check_version(version)
    found = {}
    for name, found_gate in sorted(all_gates().items()):
        state = found_gate.state(version)
        if state is not None:
            found[name] = state
    return found


def nearest_gate_names(name: str, limit: int = 3) -> list[str]:
    """Known gate names close to a misspelt one, best first (for "did you mean")."""
    import difflib

    names = list(_gate_rows())
    close = difflib.get_close_matches(name, names, n=limit, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        close = [lowered[n] for n in difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.6)]
    return close


class KubeadmGate(NamedTuple):
    """A kubeadm-only gate (ClusterConfiguration.featureGates); never passed to kube components."""

    name: str
    removed_in: str | None
    evidence: str | None
    by_version: dict[str, GateState | None]  # use state()

    def state(self, version: str) -> GateState | None:
        return self.by_version.get(check_version(version))


@functools.cache
def _kubeadm_gates() -> dict[str, KubeadmGate]:
    raw = load("kubeadm-gates.json")["gates"]
    return {
        name: KubeadmGate(name, entry["removedIn"], entry["evidence"], _states(entry["states"])) for name, entry in raw.items()
    }


def kubeadm_gate_names() -> list[str]:
    """Every kubeadm gate kgen knows of, in any version, sorted."""
    return sorted(_kubeadm_gates())


def kubeadm_gate(name: str) -> KubeadmGate | None:
    return _kubeadm_gates().get(name)


def kubeadm_gates_in(version: str) -> dict[str, GateState]:
    version = check_version(version)
    found = {}
    for name in sorted(_kubeadm_gates()):
        state = _kubeadm_gates()[name].state(version)
        if state is not None:
            found[name] = state
    return found
