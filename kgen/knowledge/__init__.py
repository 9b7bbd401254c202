"""kgen's version knowledge: feature gates, flags, apiVersions and config fields per Kubernetes release.

Everything comes from the generated files in kgen/data (see scripts/update-knowledge); each file is
read lazily, once. Importing this package costs only the standard library.
"""

from kgen.knowledge.config import api_version, api_version_served, api_versions_served, field_exists, field_since
from kgen.knowledge.flags import Flag, flag, flag_exists
from kgen.knowledge.gates import (
    COMPONENTS,
    Gate,
    GateState,
    KubeadmGate,
    gate,
    gates_in,
    kubeadm_gate,
    kubeadm_gate_names,
    kubeadm_gates_in,
    nearest_gate_names,
)
from kgen.knowledge.versions import (
    DEFAULT_VERSION,
    PREVIEW_VERSIONS,
    SUPPORTED_VERSIONS,
    check_version,
)

__all__ = [
    "COMPONENTS",
    "DEFAULT_VERSION",
    "PREVIEW_VERSIONS",
    "SUPPORTED_VERSIONS",
    "Flag",
    "Gate",
    "GateState",
    "KubeadmGate",
    "api_version",
    "api_version_served",
    "api_versions_served",
    "check_version",
    "field_exists",
    "field_since",
    "flag",
    "flag_exists",
    "gate",
    "gates_in",
    "kubeadm_gate",
    "kubeadm_gate_names",
    "kubeadm_gates_in",
    "nearest_gate_names",
]
