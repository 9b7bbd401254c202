"""Decide what to render: turn a validated profile into settings, each with its reason.

The plan is target-independent. Every setting names the component it belongs to, the profile key
it came from, the references that justify it (CIS control, KEP, CVE) and, where a version rule
changed the outcome, that rule. Targets only lay the plan out in their own formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from kgen import knowledge
from kgen.errors import KgenError, Problem
from kgen.knowledge.versions import is_preview, version_key
from kgen.profile import Profile

CONTROL_PLANE = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
HEALTH_PATHS = ("/healthz", "/readyz", "/livez")
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

    def __init__(self, profile: Profile, version: str) -> None:
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
        result: dict[str, Any] = {}
        for setting in self.fields(component):
            node = result
            parts = setting.key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = setting.value
        return result

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


def _data(name: str) -> Any:
    """A hand-kept table (written in scripts/knowledge/<name>.yaml, generated into kgen/data/<name>.json)."""
    from kgen.knowledge._data import load

    return load(f"{name}.json")["table"]


def settings_table() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = _data("settings")
    return data


def features_table() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = _data("features")
    return data


def requirements_table() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = _data("requirements")
    return data


def audit_policies() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = _data("audit-policies")
    return data


class _Lookup(dict[str, Any]):
    """Lets format strings say {cluster.pkiDir}."""

    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.profile = profile

    def __missing__(self, key: str) -> Any:
        return _Dotted(self.profile.data.get(key))


class _Dotted:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __getattr__(self, name: str) -> Any:
        if isinstance(self.value, dict):
            inner = self.value.get(name)
            return inner if not isinstance(inner, dict) else _Dotted(inner)
        raise AttributeError(name)


def _truthy(profile: Profile, dotted: str | None) -> bool:
    return True if dotted is None else bool(profile.get(dotted))


def _apply_table(plan: Plan) -> None:
    profile = plan.profile
    lookup = _Lookup(profile)
    for component, entries in settings_table().items():
        for entry in entries:
            if not _truthy(profile, entry.get("when")):
                continue
            if "unless" in entry and _truthy(profile, entry["unless"]):
                continue
            origin = entry.get("from") or entry.get("when") or "kgen defaults"
            value = profile.get(entry["from"]) if "from" in entry else entry["value"].format_map(lookup)
            if isinstance(value, list) and not value:
                continue
            reason = Reason(origin, tuple(entry.get("refs", ())), entry.get("why", ""))
            if "flag" in entry:
                plan.add(component, entry["flag"], value, reason)
            else:
                plan.add(component, entry["field"], value, reason, is_flag=False)


# --- API server authentication -------------------------------------------------------------------


def _gate_usable(plan: Plan, name: str) -> tuple[str, str]:
    """(verdict, detail) for one gate in this version under the profile's policy.

    Verdicts: 'built-in' (graduated, gate removed), 'on' (on by default), 'request' (kgen turns it
    on), 'unavailable'.
    """
    gate = knowledge.gate(name)
    version = plan.version
    features = plan.profile.data["features"]
    if gate is None:
        return (
            "unavailable",
            f"the {name} gate exists in no Kubernetes release kgen knows (up to {knowledge.PREVIEW_VERSIONS[-1]})",
        )
    state = gate.state(version)
    if state is None:
        if gate.removed_in and version_key(gate.removed_in) <= version_key(version):
            return "built-in", f"built in: {name} graduated and its gate was removed in {gate.removed_in}"
        return "unavailable", f"{name} does not exist in {version}"
    if state.default:
        stage = state.stage.upper() if state.stage == "ga" else state.stage
        locked = " and locked" if state.locked else ""
        return "on", f"{name} is {stage}{locked}, on by default in {version}"
    if state.locked:
        return "unavailable", f"{name} is locked off in {version}"
    if state.stage == "alpha" and not features["allowAlpha"]:
        return "unavailable", f"{name} is alpha in {version}; set features.allowAlpha to use it"
    if state.stage == "beta" and not features["allowBetaOffByDefault"]:
        return "unavailable", f"{name} is beta but off by default in {version}; set features.allowBetaOffByDefault to use it"
    if state.stage == "deprecated":
        return "unavailable", f"{name} is deprecated in {version}"
    return "request", f"{name} is {state.stage}, off by default in {version}: kgen turns it on"


_READY = frozenset({"built-in", "on"})


def _ready_state(verdicts: set[str]) -> str:
    """The feature state for gates that need nothing rendered."""
    return "built-in" if verdicts == {"built-in"} else "on-by-default"


class _Planner:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.data = profile.data
        self.plan = Plan(profile, profile.version)
        self.gate_requests: list[Any] = []
        self.config_dir = self.data["cluster"]["configDir"]
        self._gate_refs: dict[str, tuple[str, ...]] = {}

    def problem(self, path: str, message: str, rule: str = "profile") -> Problem:
        """A problem located at the profile key that caused it (through extends)."""
        origin = self.profile.origin(path)
        if origin is None:
            return Problem(message, self.profile.chain[0], path=path, rule=rule)
        return Problem(message, origin.file, origin.line, origin.column, path, rule)

    # Features -----------------------------------------------------------------------------------
    def feature(self, knob: str, wanted: bool, origin: str) -> bool:
        """Record what becomes of a security feature; True when it is usable in this version."""
        spec = features_table()[knob]
        title, kep = spec["title"], int(spec["kep"])
        outcomes = [(name, *_gate_usable(self.plan, name)) for name in spec["gates"]]
        verdicts = {verdict for _, verdict, _ in outcomes}
        if not wanted:
            # Not asked for, but a feature that is on by default (or built in) is on all the same: say so.
            if verdicts <= _READY:
                state = _ready_state(verdicts)
                detail = "; ".join(d for _, _, d in outcomes) + " (the profile does not ask for it; nothing to render)"
            else:
                state, detail = "off", "not asked for by the profile"
            self.plan.features.append(FeatureStatus(knob, title, kep, False, state, detail, origin))
            return False
        blocked = [detail for _, verdict, detail in outcomes if verdict == "unavailable"]
        if blocked:
            detail = "; ".join(blocked)
            self.plan.features.append(FeatureStatus(knob, title, kep, True, "unavailable", detail, origin))
            self.plan.notes.append(Note(f"{title} (KEP-{kep}) is not rendered: {detail}", origin, (f"KEP-{kep}",)))
            return False
        to_request = [name for name, verdict, _ in outcomes if verdict == "request"]
        for name in to_request:
            self.request_gate(name, True, origin, f"{title} (KEP-{kep})", refs=(f"KEP-{kep}",))
        state = "rendered" if to_request else _ready_state(verdicts)
        detail = "; ".join(detail for _, _, detail in outcomes)
        if spec.get("note"):
            detail += ". " + spec["note"]
        self.plan.features.append(FeatureStatus(knob, title, kep, True, state, detail, origin))
        self.plan.need(*spec.get("requirements", ()))
        for component, flags in spec.get("flags", {}).items():
            for flag_name, value in flags.items():
                self.plan.add(component, flag_name, value, Reason(origin, (f"KEP-{kep}",), title))
        return True

    def request_gate(
        self, name: str, enabled: bool, origin: str, why: str, refs: tuple[str, ...] = (), explicit: bool = False
    ) -> None:
        from kgen.knowledge.gates_engine import GateRequest

        self.gate_requests.append(GateRequest(name=name, enabled=enabled, origin=origin, reason=why, optional=not explicit))
        self._gate_refs[name] = refs

    # Sections -----------------------------------------------------------------------------------
    def run(self) -> Plan:
        self._gate_refs = {}
        if is_preview(self.plan.version):
            self.plan.notes.append(
                Note(
                    f"Kubernetes {self.plan.version} is a preview: its facts come from a development snapshot and may change "
                    "before the release",
                    "kubernetesVersion",
                )
            )
        _apply_table(self.plan)
        self.authentication()
        self.authorization()
        self.admission()
        self.audit()
        self.encryption()
        self.security_features()
        self.explicit_gates()
        self.resolve_gates()
        self.kubeadm_feature_gates()
        self.kubeadm_join()
        return self.plan

    def node_file(self, name: str) -> str:
        return f"{self.config_dir}/{name}"

    def authentication(self) -> None:
        plan, data = self.plan, self.data
        anonymous = data["anonymousAccess"]
        mode = anonymous["mode"]
        jwt = data["authentication"]["jwt"]
        wants_conditions = mode in ("health", "paths")
        endpoints_ok = self.feature("anonymousEndpoints", wants_conditions, "anonymousAccess.mode")
        document: dict[str, Any] = {}
        reason_refs: tuple[str, ...] = ()
        if wants_conditions and endpoints_ok:
            paths = list(HEALTH_PATHS) + [p for p in anonymous["paths"] if mode == "paths" and p not in HEALTH_PATHS]
            document["anonymous"] = {"enabled": True, "conditions": [{"path": p} for p in paths]}
            reason_refs = ("KEP-4633", "CIS 1.2.1")
        elif wants_conditions:
            plan.notes.append(
                Note(
                    "anonymous access stays at the API server default (anonymous requests reach the authorizer; RBAC grants "
                    "them only the health, version and cluster-info endpoints)",
                    "anonymousAccess.mode",
                    ("KEP-4633", "CIS 1.2.1"),
                )
            )
        elif mode == "none":
            if jwt and self._structured_authn_ok():
                document["anonymous"] = {"enabled": False}
            else:
                plan.add(
                    "kube-apiserver",
                    "anonymous-auth",
                    False,
                    Reason("anonymousAccess.mode", ("CIS 1.2.1",), "reject unauthenticated requests"),
                )
            plan.notes.append(
                Note(
                    "anonymousAccess.mode none also rejects unauthenticated health probes: load balancers and kubelet probes "
                    "of kube-apiserver need credentials, and kubeadm's /livez probes fail (kubernetes/kubeadm#798)",
                    "anonymousAccess.mode",
                    ("CIS 1.2.1",),
                )
            )
        if jwt:
            document["jwt"] = [self._jwt(entry) for entry in jwt]
            reason_refs = (*reason_refs, "KEP-3331")
        if not document:
            return
        if not self._structured_authn_ok():
            raise KgenError(
                problems=[
                    self.problem("authentication", f"structured authentication configuration is not available in {plan.version}")
                ]
            )
        full = {
            "apiVersion": knowledge.api_version("AuthenticationConfiguration", plan.version),
            "kind": "AuthenticationConfiguration",
            **document,
        }
        path = self.node_file("authentication-config.yaml")
        reason = Reason(
            "anonymousAccess" if "anonymous" in document else "authentication.jwt",
            reason_refs,
            "structured authentication: anonymous access limited to listed paths, external JWT issuers",
        )
        plan.files.append(NodeFile(path, full, reason))
        plan.add("kube-apiserver", "authentication-config", path, reason)

    def _structured_authn_ok(self) -> bool:
        verdict, _ = _gate_usable(self.plan, "StructuredAuthenticationConfiguration")
        return verdict in _READY

    def _jwt(self, entry: dict[str, Any]) -> dict[str, Any]:
        issuer: dict[str, Any] = {"url": entry["issuer"], "audiences": list(entry["audiences"])}
        if len(entry["audiences"]) > 1:
            issuer["audienceMatchPolicy"] = "MatchAny"
        if entry.get("certificateAuthority"):
            issuer["certificateAuthority"] = entry["certificateAuthority"]
        mappings: dict[str, Any] = {"username": {"claim": entry["usernameClaim"], "prefix": entry["usernamePrefix"]}}
        if entry["groupsClaim"]:
            mappings["groups"] = {"claim": entry["groupsClaim"], "prefix": entry["groupsPrefix"]}
        return {"issuer": issuer, "claimMappings": mappings}

    def authorization(self) -> None:
        plan, data = self.plan, self.data
        authz = data["authorization"]
        webhook = authz["webhook"]
        if authz["style"] == "flags" and not webhook:
            plan.add(
                "kube-apiserver",
                "authorization-mode",
                "Node,RBAC",
                Reason(
                    "authorization.style", ("CIS 1.2.6", "CIS 1.2.7", "CIS 1.2.8"), "Node authorizer then RBAC; never AlwaysAllow"
                ),
            )
            return
        authorizers: list[dict[str, Any]] = [{"type": "Node", "name": "node"}, {"type": "RBAC", "name": "rbac"}]
        if webhook:
            config: dict[str, Any] = {
                "timeout": webhook["timeout"],
                "subjectAccessReviewVersion": "v1",
                "matchConditionSubjectAccessReviewVersion": "v1",
                "failurePolicy": webhook["failurePolicy"],
                "authorizedTTL": "5m",
                "unauthorizedTTL": "30s",
                "connectionInfo": {"type": "KubeConfigFile", "kubeConfigFile": webhook["kubeConfigFile"]},
            }
            if webhook["matchConditions"]:
                config["matchConditions"] = [{"expression": e} for e in webhook["matchConditions"]]
            authorizers.append({"type": "Webhook", "name": webhook["name"], "webhook": config})
            self.mount_file_dir(webhook["kubeConfigFile"])
        document = {
            "apiVersion": knowledge.api_version("AuthorizationConfiguration", plan.version),
            "kind": "AuthorizationConfiguration",
            "authorizers": authorizers,
        }
        path = self.node_file("authorization-config.yaml")
        reason = Reason(
            "authorization", ("KEP-3221",), "structured authorization: Node, RBAC" + (", then the webhook" if webhook else "")
        )
        plan.files.append(NodeFile(path, document, reason))
        plan.add("kube-apiserver", "authorization-config", path, reason)
        plan.notes.append(
            Note(
                "--authorization-config replaces --authorization-mode; kube-bench's literal checks 1.2.6-1.2.8 look for the "
                "flag and report FAIL although the authorizer chain is Node then RBAC",
                "authorization.style",
                ("CIS 1.2.6", "CIS 1.2.7", "CIS 1.2.8"),
            )
        )

    def mount_file_dir(self, node_path: str) -> None:
        directory = node_path.rsplit("/", 1)[0] or "/"
        if (directory, False) not in self.plan.mounts and directory != self.config_dir:
            self.plan.mounts.append((directory, False))

    def admission(self) -> None:
        plan, data = self.plan, self.data
        admission = data["admission"]
        plugins = ["NodeRestriction", "PodSecurity"]
        refs = ["CIS 1.2.14"]
        if admission["eventRateLimit"]["enabled"]:
            plugins.append("EventRateLimit")
            refs.append("CIS 1.2.9")
        if admission["alwaysPullImages"]:
            plugins.append("AlwaysPullImages")
            refs.append("CIS 1.2.11")
        if admission["denyServiceExternalIPs"]:
            plugins.append("DenyServiceExternalIPs")
            refs += ["CIS 1.2.3", "CVE-2020-8554"]
        plan.add(
            "kube-apiserver",
            "enable-admission-plugins",
            plugins,
            Reason("admission", tuple(refs), "admission plugins a hardened cluster runs"),
        )
        pss = admission["podSecurity"]
        pod_security = {
            "apiVersion": knowledge.api_version("PodSecurityConfiguration", plan.version),
            "kind": "PodSecurityConfiguration",
            "defaults": {
                "enforce": pss["enforce"],
                "enforce-version": pss["version"],
                "audit": pss["audit"],
                "audit-version": pss["version"],
                "warn": pss["warn"],
                "warn-version": pss["version"],
            },
            "exemptions": {
                "usernames": list(pss["exemptUsernames"]),
                "runtimeClasses": list(pss["exemptRuntimeClasses"]),
                "namespaces": list(pss["exemptNamespaces"]),
            },
        }
        configured: list[dict[str, Any]] = [{"name": "PodSecurity", "configuration": pod_security}]
        if admission["eventRateLimit"]["enabled"]:
            limits = [dict(limit) for limit in admission["eventRateLimit"]["limits"]]
            configured.append(
                {
                    "name": "EventRateLimit",
                    "configuration": {
                        "apiVersion": knowledge.api_version("Configuration.eventratelimit.admission.k8s.io", plan.version),
                        "kind": "Configuration",
                        "limits": limits,
                    },
                }
            )
        document = {
            "apiVersion": knowledge.api_version("AdmissionConfiguration", plan.version),
            "kind": "AdmissionConfiguration",
            "plugins": configured,
        }
        path = self.node_file("admission-config.yaml")
        reason = Reason("admission", ("CIS 1.2.9", "KEP-2579"), "Pod Security Admission defaults and EventRateLimit limits")
        plan.files.append(NodeFile(path, document, reason))
        plan.add("kube-apiserver", "admission-control-config-file", path, reason)

    def audit(self) -> None:
        plan, audit = self.plan, self.data["audit"]
        if not audit["enabled"]:
            plan.notes.append(
                Note("audit logging is off: CIS 1.2.16-1.2.19 and 3.2.1 are not met", "audit.enabled", ("CIS 1.2.16",))
            )
            return
        policy = {
            "apiVersion": knowledge.api_version("Policy", plan.version),
            "kind": "Policy",
            "omitStages": ["RequestReceived"],
            "rules": audit_policies()[audit["policy"]],
        }
        path = self.node_file("audit-policy.yaml")
        reason = Reason("audit.policy", ("CIS 3.2.1", "CIS 3.2.2"), f"audit policy preset '{audit['policy']}'")
        plan.files.append(NodeFile(path, policy, reason))
        plan.add("kube-apiserver", "audit-policy-file", path, reason)
        plan.add(
            "kube-apiserver",
            "audit-log-path",
            audit["logPath"],
            Reason("audit.logPath", ("CIS 1.2.16",), "where the audit log is written"),
        )
        plan.add(
            "kube-apiserver",
            "audit-log-maxage",
            audit["maxAge"],
            Reason("audit.maxAge", ("CIS 1.2.17",), "days to keep audit logs"),
        )
        plan.add(
            "kube-apiserver",
            "audit-log-maxbackup",
            audit["maxBackup"],
            Reason("audit.maxBackup", ("CIS 1.2.18",), "rotated audit files kept"),
        )
        plan.add(
            "kube-apiserver",
            "audit-log-maxsize",
            audit["maxSize"],
            Reason("audit.maxSize", ("CIS 1.2.19",), "MB before rotation"),
        )
        plan.mounts.append((audit["logPath"].rsplit("/", 1)[0], True))
        plan.need("audit-log-dir")

    def encryption(self) -> None:
        plan, enc = self.plan, self.data["encryption"]
        if not enc["enabled"]:
            plan.notes.append(
                Note("encryption at rest is off: CIS 1.2.27 and 1.2.28 are not met", "encryption.enabled", ("CIS 1.2.27",))
            )
            return
        provider = enc["provider"]
        placeholders: dict[str, str] = {}
        if provider == "kms":
            kms = enc["kms"]
            first: dict[str, Any] = {
                "kms": {"apiVersion": "v2", "name": kms["name"], "endpoint": kms["endpoint"], "timeout": kms["timeout"]}
            }
            plan.need("kms-plugin")
        else:
            first = {provider: {"keys": [{"name": "key1", "secret": ENCRYPTION_KEY_PLACEHOLDER}]}}
            placeholders[ENCRYPTION_KEY_PLACEHOLDER] = enc["keyFile"]
            plan.need("encryption-key-file")
        document = {
            "apiVersion": knowledge.api_version("EncryptionConfiguration", plan.version),
            "kind": "EncryptionConfiguration",
            "resources": [{"resources": list(enc["resources"]), "providers": [first, {"identity": {}}]}],
        }
        path = self.node_file("encryption-config.yaml")
        refs = ("CIS 1.2.27", "CIS 1.2.28")
        reason = Reason(
            "encryption.provider",
            refs,
            f"encrypt {', '.join(enc['resources'])} in etcd with {provider}; identity last so existing data stays readable",
        )
        plan.files.append(NodeFile(path, document, reason, secret_placeholders=placeholders))
        plan.add("kube-apiserver", "encryption-provider-config", path, reason)
        if provider == "aescbc":
            plan.notes.append(
                Note(
                    "aescbc is accepted by CIS 1.2.28 but upstream no longer recommends it; prefer kms or secretbox",
                    "encryption.provider",
                    ("CIS 1.2.28",),
                )
            )

    def security_features(self) -> None:
        features = self.data["features"]
        plan = self.plan
        self.feature("boundServiceAccountTokens", True, "authentication.serviceAccounts")
        for knob in (
            "sidecarContainers",
            "recursiveReadOnlyMounts",
            "authorizeWithSelectors",
            "orderedNamespaceDeletion",
            "constrainedImpersonation",
            "csiServiceAccountTokenSecrets",
            "podCertificates",
        ):
            self.feature(knob, features[knob]["enabled"], f"features.{knob}.enabled")
        if (
            self.feature(
                "kubeletServingCertValidation",
                features["kubeletServingCertValidation"]["enabled"],
                "features.kubeletServingCertValidation.enabled",
            )
            and not self.data["apiServer"]["verifyKubeletCertificates"]
        ):
            raise KgenError(
                problems=[
                    self.problem("features.kubeletServingCertValidation", "needs apiServer.verifyKubeletCertificates: true")
                ]
            )

        users = features["userNamespaces"]
        if self.feature("userNamespaces", users["enabled"], "features.userNamespaces.enabled"):
            if users["idsPerPod"] % 65536:
                raise KgenError(
                    problems=[self.problem("features.userNamespaces.idsPerPod", "must be a multiple of 65536", "schema")]
                )
            if knowledge.field_exists("KubeletConfiguration", "userNamespaces.idsPerPod", plan.version):
                plan.add(
                    "kubelet",
                    "userNamespaces.idsPerPod",
                    users["idsPerPod"],
                    Reason("features.userNamespaces.idsPerPod", ("KEP-127",), "host IDs given to each pod's user namespace"),
                    is_flag=False,
                )
            self.feature("userNamespacesHostNetwork", users["hostNetwork"], "features.userNamespaces.hostNetwork")
        elif users["hostNetwork"]:
            plan.notes.append(
                Note(
                    "hostNetwork user namespaces need features.userNamespaces.enabled",
                    "features.userNamespaces.hostNetwork",
                    ("KEP-5607",),
                )
            )

        pulls = features["imagePullCredentialVerification"]
        policy = pulls["policy"]
        if pulls["allowlist"] and policy != "NeverVerifyAllowlistedImages":
            raise KgenError(
                problems=[
                    self.problem(
                        "features.imagePullCredentialVerification.allowlist",
                        "an allowlist only applies with policy NeverVerifyAllowlistedImages",
                        "schema",
                    )
                ]
            )
        if self.feature("imagePullCredentialVerification", policy is not None, "features.imagePullCredentialVerification.policy"):
            if not knowledge.field_exists("KubeletConfiguration", "imagePullCredentialsVerificationPolicy", plan.version):
                since = knowledge.field_since("KubeletConfiguration", "imagePullCredentialsVerificationPolicy")
                plan.notes.append(
                    Note(
                        f"imagePullCredentialsVerificationPolicy exists from {since}",
                        "features.imagePullCredentialVerification.policy",
                        ("KEP-2535",),
                    )
                )
            else:
                reason = Reason(
                    "features.imagePullCredentialVerification.policy",
                    ("KEP-2535",),
                    "state the policy explicitly: the upstream default NeverVerifyPreloadedImages exempts preloaded images",
                )
                plan.add("kubelet", "imagePullCredentialsVerificationPolicy", policy, reason, is_flag=False)
                if pulls["allowlist"]:
                    plan.add(
                        "kubelet",
                        "preloadedImagesVerificationAllowlist",
                        list(pulls["allowlist"]),
                        Reason(
                            "features.imagePullCredentialVerification.allowlist", ("KEP-2535",), "images exempt from verification"
                        ),
                        is_flag=False,
                    )

        volumes = features["imageVolumes"]
        if self.feature("imageVolumes", volumes["enabled"], "features.imageVolumes.enabled"):
            self.image_volume_policy(volumes["allowedRegistries"])

    def image_volume_policy(self, registries: list[str]) -> None:
        if not registries:
            self.plan.notes.append(
                Note(
                    "image volumes are on with no registry restriction; list features.imageVolumes.allowedRegistries",
                    "features.imageVolumes.allowedRegistries",
                    ("KEP-4639",),
                )
            )
            return
        allowed = ", ".join("'" + r + "'" for r in registries)
        expression = (
            "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.image) || "
            f"[{allowed}].exists(r, r.endsWith('/*') ? v.image.reference.startsWith(r.substring(0, r.size() - 1)) : "
            "(v.image.reference == r || v.image.reference.startsWith(r + ':') || v.image.reference.startsWith(r + '@'))))"
        )
        name = "kgen-image-volume-registries"
        reason = Reason(
            "features.imageVolumes.allowedRegistries",
            ("KEP-4639",),
            "image volumes may only mount images from the allowed registries",
        )
        policy = {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": name},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {
                    "resourceRules": [
                        {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}
                    ]
                },
                "validations": [
                    {
                        "expression": expression,
                        "message": "image volumes must reference an allowed registry: " + ", ".join(registries),
                    }
                ],
            },
        }
        binding = {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": name},
            "spec": {"policyName": name, "validationActions": ["Deny"]},
        }
        self.plan.cluster_objects.append(ClusterObject(name, policy, reason))
        self.plan.cluster_objects.append(ClusterObject(name + "-binding", binding, reason))

    def explicit_gates(self) -> None:
        for name, enabled in sorted(self.data["features"]["gates"].items()):
            self.request_gate(name, enabled, f"features.gates.{name}", "explicit override in the profile", explicit=True)

    def resolve_gates(self) -> None:
        from kgen.knowledge.gates_engine import resolve_feature_gates

        plan, features = self.plan, self.data["features"]
        result = resolve_feature_gates(
            self.gate_requests, plan.version, features["allowAlpha"], features["allowBetaOffByDefault"]
        )
        if result.errors:
            raise KgenError(problems=[self.problem(e.origin, e.message, "gates") for e in result.errors])
        for note in result.notes:
            plan.notes.append(Note(note.message, note.origin))
        for component, gates in result.per_component.items():
            if not gates:
                continue
            decisions = [d for d in result.decisions if component in d.components]
            origins = sorted({d.origin for d in decisions})
            refs = tuple(sorted({ref for d in decisions for ref in self._gate_refs.get(d.gate, ())}))
            reason = Reason(", ".join(origins), refs, "feature gates that differ from the default in " + plan.version)
            if component == "kubelet":
                for gate_name, value in gates.items():
                    plan.add(
                        "kubelet",
                        f"featureGates.{gate_name}",
                        value,
                        Reason(
                            next((d.origin for d in decisions if d.gate == gate_name), reason.origin),
                            self._gate_refs.get(gate_name, ()),
                            "feature gate differs from the default",
                        ),
                        is_flag=False,
                    )
            elif component == "kube-proxy":
                for gate_name, value in gates.items():
                    plan.add("kube-proxy", f"featureGates.{gate_name}", value, reason, is_flag=False)
            else:
                text = ",".join(f"{name}={'true' if value else 'false'}" for name, value in gates.items())
                plan.add(component, "feature-gates", text, reason)
        if result.runtime_config:
            why = "; ".join(sorted({f"{item.gate} ({item.reason})" for item in result.runtime_config}))
            refs = tuple(sorted({ref for item in result.runtime_config for ref in self._gate_refs.get(item.gate, ())}))
            origin = ", ".join(sorted({item.origin for item in result.runtime_config}))
            plan.add(
                "kube-apiserver",
                "runtime-config",
                result.runtime_config_value(),
                Reason(origin, refs, "API versions the enabled features serve: " + why),
            )

    def kubeadm_feature_gates(self) -> None:
        """kubeadm's own gates: kubeadm rejects unknown and removed keys, and a locked gate set against its default."""
        problems = []
        for name, value in sorted(self.data["kubeadm"]["featureGates"].items()):
            path = f"kubeadm.featureGates.{name}"
            found = knowledge.kubeadm_gate(name)
            state = found.state(self.plan.version) if found else None
            if found is None:
                hint = " (it is a component gate: put it under features.gates)" if knowledge.gate(name) else ""
                known = ", ".join(sorted(knowledge.kubeadm_gates_in(self.plan.version)))
                problems.append(
                    self.problem(
                        path, f"unknown kubeadm feature gate {name}{hint}; kubeadm {self.plan.version} knows: {known}", "gates"
                    )
                )
            elif state is None:
                when = f"was removed in {found.removed_in}" if found.removed_in else f"does not exist in {self.plan.version}"
                problems.append(self.problem(path, f"kubeadm feature gate {name} {when}", "gates"))
            elif state.locked and value != state.default:
                problems.append(
                    self.problem(
                        path,
                        f"kubeadm feature gate {name} is locked to {str(state.default).lower()} in {self.plan.version}",
                        "gates",
                    )
                )
            elif value == state.default:
                self.plan.notes.append(
                    Note(
                        f"kubeadm feature gate {name} is already {str(value).lower()} by default in {self.plan.version}: "
                        "not rendered",
                        path,
                    )
                )
            else:
                self.plan.kubeadm_gates[name] = value
        if problems:
            raise KgenError(problems=problems)

    def kubeadm_join(self) -> None:
        if self.data["anonymousAccess"]["mode"] != "unrestricted":
            self.plan.need("join-file-discovery", "role-join-file-discovery")
        if self.data["kubelet"]["serverTLSBootstrap"]:
            self.plan.need("kubelet-serving-csr-approver")
        if self.data["kubelet"]["protectKernelDefaults"]:
            self.plan.need("kubelet-kernel-defaults")


def build_plan(profile: Profile) -> Plan:
    """Every setting, file and note for this profile at its Kubernetes version."""
    return _Planner(profile).run()
