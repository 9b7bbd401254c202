"""The plan's types: what the planner decides and what targets read.

The plan is target-independent. Every setting names the component it belongs to, the profile key
it came from, the references that justify it (CIS control, KEP, CVE) and, where a version rule
changed the outcome, that rule. Targets only lay the plan out in their own formats.
"""

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from kgen.profile import Profile


CONTROL_PLANE = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")

HEALTH_PATHS = ("/healthz", "/readyz", "/livez")

# The configuration file kind each node component reads its config fields from.
COMPONENT_CONFIG_KINDS = {"kubelet": "KubeletConfiguration", "kube-proxy": "KubeProxyConfiguration"}

ENCRYPTION_KEY_PLACEHOLDER = "KGEN_ENCRYPTION_KEY_FROM_NODE"


class Reason(NamedTuple):
    """Why a setting is rendered."""

    origin: str  # the profile key, dotted
    refs: tuple[str, ...] = ()  # CIS ids, KEPs, CVEs
    why: str = ""
    rule: str = ""  # the version rule that applied, if any

    def short(self) -> str:
        """A stable one-line comment: references first, then the profile key."""
        parts = list(self.refs)
        parts.append(f"from {self.origin}")
        if self.rule:
            parts.append(self.rule)
        return "; ".join(parts)


class Setting(NamedTuple):
    component: str  # kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kubelet, kube-proxy
    key: str  # a flag name (without --) or a dotted config field
    value: Any
    reason: Reason
    is_flag: bool = True


class NodeFile(NamedTuple):
    """A configuration file a component reads from its node, with the flag that points at it."""

    node_path: str
    document: dict[str, Any]
    reason: Reason
    component: str = "kube-apiserver"
    comments: Mapping[tuple[str | int, ...], str] = MappingProxyType({})
    secret_placeholders: Mapping[str, str] = MappingProxyType({})  # placeholder -> node key file


class ClusterObject(NamedTuple):
    """An API object to apply to the running cluster (kubectl apply)."""

    name: str
    document: dict[str, Any]
    reason: Reason


class Note(NamedTuple):
    text: str
    origin: str = ""
    refs: tuple[str, ...] = ()


class FeatureStatus(NamedTuple):
    """What became of one security feature for this profile and version."""

    knob: str
    title: str
    kep: int
    wanted: bool
    state: str  # rendered | built-in | on-by-default | unavailable | off
    detail: str
    origin: str = ""  # the profile key that asks for (or would ask for) the feature


class Plan:
    """Everything decided for one profile and version; the planner fills it in, targets read it.

    A plain class: a dataclass costs about half a millisecond to define at every start.
    """

    def __init__(self, profile: "Profile", version: str) -> None:
        self.profile = profile
        self.version = version
        self.settings: list[Setting] = []
        self.files: list[NodeFile] = []
        self.cluster_objects: list[ClusterObject] = []
        self.notes: list[Note] = []
        self.requirements: list[str] = []
        self.features: list[FeatureStatus] = []
        self.mounts: list[tuple[str, bool]] = []  # (node dir, writable) for kube-apiserver
        self.kubeadm_gates: dict[str, bool] = {}  # kubeadm's own gates, checked for the version

    def flags(self, component: str) -> list[Setting]:
        return sorted((s for s in self.settings if s.component == component and s.is_flag), key=lambda s: s.key)

    def fields(self, component: str) -> list[Setting]:
        return [s for s in self.settings if s.component == component and not s.is_flag]

    def flag_value(self, component: str, name: str) -> Any:
        for setting in self.settings:
            if setting.component == component and setting.is_flag and setting.key == name:
                return setting.value
        return None

    def config(self, component: str) -> dict[str, Any]:
        """The component's config fields as a nested mapping, in the order they were decided."""
        return nested_fields(self.fields(component))

    def config_comments(self, component: str) -> dict[tuple[str | int, ...], str]:
        return {tuple(s.key.split(".")): s.reason.short() for s in self.fields(component)}

    def need(self, *requirement_ids: str) -> None:
        for requirement in requirement_ids:
            if requirement not in self.requirements:
                self.requirements.append(requirement)

    def add(self, component: str, key: str, value: Any, reason: Reason, *, is_flag: bool = True) -> None:
        if value is None:
            return
        if is_flag:
            value = flag_text(value)
        self.settings.append(Setting(component, key, value, reason, is_flag))


def flag_text(value: Any) -> str:
    """A flag value as a command line takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def put_nested(document: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Set ``document[path[0]][path[1]]...`` to ``value``, making the mappings on the way."""
    node = document
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def nested_fields(fields: Iterable[Setting]) -> dict[str, Any]:
    """Dotted config fields as the nested document a component reads, in the order given."""
    result: dict[str, Any] = {}
    for setting in fields:
        put_nested(result, setting.key.split("."), setting.value)
    return result
