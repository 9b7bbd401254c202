"""Target kubespray: one group_vars file in kubespray's own variable names.

Every variable name comes from kgen/data/platforms.json, where scripts/knowledge/platforms.py checked it
against kubespray's defaults. Settings kubespray templates itself are left to it; settings it cannot
express are listed in REPORT.md. Every string is tagged !unsafe (yamlout.unsafe), so Ansible evaluates none of them.
"""

from __future__ import annotations

import posixpath
import weakref
from dataclasses import dataclass, field
from typing import Any

from kgen import yamlout
from kgen.plan import Plan, Setting
from kgen.targets.common import OutputFile, cluster_objects_output, header_lines, render_template, report_output
from kgen.targets.coverage import Coverage
from kgen.targets.managed import Item, describe, item, platforms, weaker_than_platform

TARGET = "kubespray"
VARS_PATH = "group_vars/k8s_cluster/kgen-hardening.yml"
Comments = dict[tuple[str | int, ...], str]
GATE_VARIABLES = (
    "kube_feature_gates",
    "kube_apiserver_feature_gates",
    "kube_controller_feature_gates",
    "kube_scheduler_feature_gates",
    "kubelet_feature_gates",
    "kube_proxy_feature_gates",
)
NO_ACTION = "nothing to do"


def extra_args_variables() -> dict[str, str]:
    """Component -> the dictionary variable kubespray's kubeadm template writes into its extraArgs (platforms.json)."""
    return {entry["component"]: entry["variable"] for entry in platforms()["kubespray"]["extraArgsVariables"]}


@dataclass
class KubesprayVars:
    values: dict[str, Any] = field(default_factory=dict)
    comments: Comments = field(default_factory=dict)
    not_controllable: list[Item] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    dropped: list[Setting] = field(default_factory=list)  # the plan's settings behind not_controllable
    dropped_files: list[str] = field(default_factory=list)  # node paths of the plan's files kubespray cannot write

    def covered_lines(self) -> list[str]:
        """Covered settings grouped by the reason they need no variable."""
        groups: dict[str, list[str]] = {}
        for entry in self.covered:
            what, _, why = entry.partition(": ")
            groups.setdefault(why, []).append(what)
        lines = []
        for why, whats in groups.items():
            component = whats[0].split(" ", 1)[0]
            names = [w.split(" ", 1)[1] if w.startswith(component + " ") else w for w in whats]
            lines.append(f"{component} {', '.join(names)}: {why}")
        return lines


def _convert(value: Any, kind: str) -> Any:
    text = str(value)
    if kind == "bool":
        return value if isinstance(value, bool) else text == "true"
    if kind == "int":
        return int(value)
    if kind == "list":
        return list(value) if isinstance(value, list) else text.split(",")
    if kind == "gates":
        return (
            [f"{name}={'true' if on else 'false'}" for name, on in value.items()] if isinstance(value, dict) else text.split(",")
        )
    if kind == "webhook-mode":
        return text == "Webhook"
    return value


class _Builder:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.facts: dict[str, Any] = platforms()["kubespray"]
        self.out = KubesprayVars()
        # component -> the dictionary variable kubespray writes into its kubeadm extraArgs
        self.extra_args_variables: dict[str, str] = extra_args_variables()
        self.extra_args: dict[str, dict[str, str]] = {component: {} for component in self.extra_args_variables}
        self.structured: set[str] = {node_file.document.get("kind", "") for node_file in plan.files}

    def set(self, variable: str, value: Any, why: str, setting: Setting | None = None) -> None:
        values = self.out.values
        if variable in values and values[variable] != value:
            if setting is not None:
                self.refuse(
                    setting,
                    f"kubespray's {variable} serves several components and is already {values[variable]!r}",
                    "give the components the same value in the profile",
                )
            return
        values[variable] = value
        if why and (variable,) not in self.out.comments:
            self.out.comments[(variable,)] = why

    def refuse(self, setting: Setting, platform: str, action: str) -> None:
        self.out.not_controllable.append(item(describe(setting), setting.reason.origin, platform, action))
        self.out.dropped.append(setting)

    # Files ------------------------------------------------------------------------------------
    def files(self) -> None:
        plan = self.plan
        by_kind = {str(node_file.document.get("kind")): node_file for node_file in plan.files}
        authn = by_kind.pop("AuthenticationConfiguration", None)
        self.set(
            "kube_apiserver_use_authentication_config_file",
            authn is not None,
            authn.reason.short() if authn else "no structured authentication in this profile",
        )
        if authn:
            document = authn.document
            anonymous = document.get("anonymous") or {"enabled": True, "conditions": []}
            self.set("kube_apiserver_authentication_config_anonymous", dict(anonymous), authn.reason.short())
            self.set(
                "kube_apiserver_authentication_config_jwt",
                list(document.get("jwt", [])),
                "external JWT issuers (authentication.jwt)",
            )
        file_discovery = "join-file-discovery" in plan.requirements
        why = (
            self.facts["fileDiscovery"]
            if file_discovery
            else "anonymous access is unrestricted: bootstrap-token discovery keeps working"
        )
        self.set("remove_anonymous_access", file_discovery, why)
        self.set("kubeadm_use_file_discovery", file_discovery, why)
        authz = by_kind.pop("AuthorizationConfiguration", None)
        self.set(
            "kube_apiserver_use_authorization_config_file",
            authz is not None,
            authz.reason.short() if authz else "authorization by --authorization-mode (authorization_modes)",
        )
        if authz:
            self.set("kube_apiserver_authorization_config_authorizers", list(authz.document["authorizers"]), authz.reason.short())
        admission = by_kind.pop("AdmissionConfiguration", None)
        self.set(
            "kube_apiserver_admission_control_config_file", admission is not None, admission.reason.short() if admission else ""
        )
        if admission:
            self.admission(admission.document, admission.reason.short(), admission.reason.origin)
        audit = by_kind.pop("Policy", None)
        self.set("kubernetes_audit", audit is not None, audit.reason.short() if audit else "audit.enabled is false")
        if audit:
            self.set(
                "audit_policy_custom_rules",
                yamlout.dump(_folded_rules(audit.document)),
                audit.reason.short() + "; policy-level omitStages folded into each rule",
            )
        encryption = by_kind.pop("EncryptionConfiguration", None)
        self.encryption(
            encryption.document if encryption else None,
            encryption.reason.short() if encryption else "",
            encryption.reason.origin if encryption else "",
            encryption.node_path if encryption else "",
        )
        for kind, node_file in by_kind.items():
            self.out.dropped_files.append(node_file.node_path)
            self.out.not_controllable.append(
                item(
                    f"{kind} file {node_file.node_path}",
                    node_file.reason.origin,
                    "kubespray has no variable for this file",
                    "use the kubeadm target, or kubeadm_patches",
                )
            )

    def admission(self, document: dict[str, Any], why: str, origin: str) -> None:
        for plugin in document.get("plugins", []):
            name, config = plugin["name"], plugin.get("configuration", {})
            if name == "PodSecurity":
                defaults, exemptions = config["defaults"], config.get("exemptions", {})
                self.set("kube_pod_security_use_default", True, why)
                for mode in ("enforce", "audit", "warn"):
                    self.set(
                        f"kube_pod_security_default_{mode}",
                        defaults[mode],
                        f"Pod Security {mode} level (admission.podSecurity.{mode})",
                    )
                    self.set(
                        f"kube_pod_security_default_{mode}_version", defaults[f"{mode}-version"], "admission.podSecurity.version"
                    )
                self.set("kube_pod_security_exemptions_usernames", list(exemptions.get("usernames", [])), "")
                self.set("kube_pod_security_exemptions_runtime_class_names", list(exemptions.get("runtimeClasses", [])), "")
                self.set(
                    "kube_pod_security_exemptions_namespaces",
                    list(exemptions.get("namespaces", [])),
                    "admission.podSecurity.exemptNamespaces",
                )
            elif name == "EventRateLimit":
                limits: dict[str, Any] = {}
                for index, limit in enumerate(config.get("limits", []), start=1):
                    entry = {"type": limit["type"], "qps": limit["qps"], "burst": limit["burst"]}
                    if "cacheSize" in limit:
                        entry["cache_size"] = limit["cacheSize"]
                    limits[f"limit_{index}"] = entry
                self.set(
                    "kube_apiserver_admission_event_rate_limits",
                    limits,
                    "CIS 1.2.9; EventRateLimit limits (admission.eventRateLimit)",
                )
            else:
                self.out.not_controllable.append(
                    item(
                        f"admission plugin configuration {name}",
                        origin,
                        "kubespray configures only its own list of admission plugins",
                        "use the kubeadm target",
                    )
                )

    def encryption(self, document: dict[str, Any] | None, why: str, origin: str, node_path: str) -> None:
        if document is None:
            self.set("kube_encrypt_secret_data", False, "encryption.enabled is false")
            return
        resources = document["resources"][0]
        provider = next(iter(resources["providers"][0]))
        if provider not in self.facts["encryptionAlgorithms"]:
            self.set("kube_encrypt_secret_data", False, "kubespray cannot encrypt with " + provider + " (see REPORT.md)")
            self.out.dropped_files.append(node_path)
            self.out.not_controllable.append(
                item(
                    f"EncryptionConfiguration file {node_path} ({provider})",
                    origin,
                    "kubespray encrypts with a static key only (secretbox, aesgcm or aescbc); it has no KMS provider",
                    "choose encryption.provider secretbox for kubespray, or use the kubeadm target with the KMS v2 plugin",
                )
            )
            return
        self.set("kube_encrypt_secret_data", True, why + "; kubespray generates and keeps the key itself")
        self.set("kube_encryption_algorithm", provider, why)
        self.set("kube_encryption_resources", list(resources["resources"]), "encryption.resources")

    # Flags ------------------------------------------------------------------------------------
    def flags(self) -> None:
        facts = self.facts
        structured_flags = {flag for flags in facts["structuredFlags"].values() for flag in flags}
        conflicting = {
            flag
            for owner, flags in facts["conflictingFlags"].items()
            if self.plan.flag_value("kube-apiserver", owner)
            for flag in flags
        }
        for setting in self.plan.settings:
            if not setting.is_flag:
                continue
            component, key = setting.component, setting.key
            covered = facts["covered"].get(component, {})
            mapping = facts["flagVariables"].get(component, {})
            if key in covered or "*" in covered:
                self.out.covered.append(f"{component} --{key}: {covered.get(key) or covered['*']}")
            elif component == "kube-apiserver" and key in structured_flags:
                continue
            elif key in mapping:
                entry = mapping[key]
                self.set(entry["variable"], _convert(setting.value, entry["type"]), setting.reason.short(), setting)
            elif component in self.extra_args and key not in facts["templatedFlags"][component] and key not in conflicting:
                self.extra_args[component][key] = str(setting.value)
                self.out.comments[(self.extra_args_variables[component], key)] = setting.reason.short()
            else:
                self.refuse(setting, "kubespray writes this flag itself from its own variables", "use the kubeadm target")

    # Node components ---------------------------------------------------------------------------
    def kubelet(self) -> None:
        facts = self.facts
        mapping, covered = facts["kubeletVariables"], facts["kubeletCovered"]
        templated = set(facts["templatedKubeletFields"])
        gates: list[str] = []
        extra_tops: list[str] = []
        for setting in self.plan.fields("kubelet"):
            key = setting.key
            top = key.split(".", 1)[0]
            weaker = weaker_than_platform(setting, TARGET)
            if weaker is not None:
                self.out.not_controllable.append(weaker)
            elif top == "featureGates":
                gates.append(f"{key.split('.', 1)[1]}={'true' if setting.value else 'false'}")
            elif key in mapping:
                why = setting.reason.short()
                if key == "serverTLSBootstrap" and setting.value is True:
                    why = f"{why}; {facts['csrApprover']}"
                self.set(mapping[key]["variable"], _convert(setting.value, mapping[key]["type"]), why, setting)
            elif key in covered:
                if covered[key]["value"] is None or covered[key]["value"] == setting.value:
                    self.out.covered.append(f"kubelet {key}: {covered[key]['text']}")
                else:
                    self.refuse(setting, covered[key]["text"], "use the kubeadm target")
            elif top in templated:
                self.refuse(
                    setting,
                    f"kubespray's kubelet template writes {top} itself and has no variable for this value",
                    "add a kubeadm_patches entry for target kubeletconfiguration",
                )
            elif top not in extra_tops:
                extra_tops.append(top)
        config = self.plan.config("kubelet")
        extra = {top: config[top] for top in extra_tops}
        self.set("kubelet_config_extra_args", extra, "KubeletConfiguration fields kubespray does not template itself")
        for top in extra_tops:
            for setting in self.plan.fields("kubelet"):
                if setting.key.split(".", 1)[0] == top:
                    self.out.comments[("kubelet_config_extra_args", top)] = setting.reason.short()
        self.set("kubelet_feature_gates", gates, "kubelet feature gates resolved for " + self.plan.version if gates else "")

    def kube_proxy(self) -> None:
        mapping = self.facts["kubeProxyVariables"]
        gates: list[str] = []
        for setting in self.plan.fields("kube-proxy"):
            if setting.key.startswith("featureGates."):
                gates.append(f"{setting.key.split('.', 1)[1]}={'true' if setting.value else 'false'}")
            elif setting.key in mapping:
                self.set(
                    mapping[setting.key]["variable"],
                    _convert(setting.value, mapping[setting.key]["type"]),
                    setting.reason.short(),
                    setting,
                )
            else:
                self.refuse(setting, "kubespray has no variable for this KubeProxyConfiguration field", "use the kubeadm target")
        self.set("kube_proxy_feature_gates", gates, "")

    # Profile keys and paths ---------------------------------------------------------------------
    def profile_variables(self) -> None:
        for key, entry in self.facts["profileVariables"].items():
            value = self.plan.profile.get(key)
            if value not in entry["values"]:
                self.out.not_controllable.append(
                    item(
                        f"{key} {value}",
                        key,
                        f"kubespray's {entry['variable']} accepts {', '.join(entry['values'])}",
                        "use the kubeadm target",
                    )
                )
                continue
            self.set(entry["variable"], value, f"{entry['why']}; from {key}")

    def path_mounts(self) -> None:
        """Mount each path's own directory on both sides, so the file lands where the profile says on the host."""
        for variable, mount in self.facts["pathMounts"].items():
            path = self.out.values.get(variable)
            if not isinstance(path, str):
                continue
            directory = posixpath.dirname(path)
            why = f"kubespray mounts this host directory at {mount['mountPath']}; the same directory as {variable}"
            self.set(mount["hostPath"], directory, why)
            self.set(mount["mountPath"], directory, f"the directory of {variable} inside the kube-apiserver pod")

    def build(self) -> KubesprayVars:
        self.profile_variables()
        self.files()
        self.flags()
        self.path_mounts()
        self.kubelet()
        self.kube_proxy()
        for variable in GATE_VARIABLES:
            why = (
                "kgen resolves gates per component; a non-empty component list replaces this one, an empty one falls back to it"
                if variable == "kube_feature_gates"
                else ""
            )
            self.set(variable, [], why)
        for component, variable in self.extra_args_variables.items():
            self.set(
                variable,
                self.extra_args[component],
                f"{component} flags kubespray has no variable for" if self.extra_args[component] else "",
            )
        self.out.values = yamlout.unsafe(_ordered(self.out.values))
        return self.out


def _folded_rules(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The policy's rules with its top-level omitStages added to each rule (the union is what the API server applies)."""
    stages = list(policy.get("omitStages", []))
    rules = []
    for rule in policy["rules"]:
        merged = dict(rule)
        if stages:
            merged["omitStages"] = list(dict.fromkeys([*rule.get("omitStages", []), *stages]))
        rules.append(merged)
    return rules


_ORDER = (
    "kube_apiserver_use_authentication_config_file",
    "kube_apiserver_authentication_config_anonymous",
    "kube_apiserver_authentication_config_jwt",
    "kube_api_anonymous_auth",
    "remove_anonymous_access",
    "kubeadm_use_file_discovery",
    "kube_apiserver_use_authorization_config_file",
    "kube_apiserver_authorization_config_authorizers",
    "authorization_modes",
    "kube_apiserver_enable_admission_plugins",
    "kube_apiserver_admission_control_config_file",
    "kube_apiserver_admission_event_rate_limits",
)


def _ordered(values: dict[str, Any]) -> dict[str, Any]:
    """Authentication, authorization and admission first, then the rest in the order decided."""
    first = {name: values[name] for name in _ORDER if name in values}
    return {**first, **{name: value for name, value in values.items() if name not in first}}


_BUILT: weakref.WeakKeyDictionary[Plan, KubesprayVars] = weakref.WeakKeyDictionary()


def _minor(version: str) -> tuple[int, int]:
    """Major and minor of a release such as 1.33.0, to compare with a "major.minor" version."""
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def build_vars(plan: Plan) -> KubesprayVars:
    """The variables for a plan, built once: render, the report's coverage and the CLI's count share them."""
    if plan not in _BUILT:
        _BUILT[plan] = _Builder(plan).build()
    return _BUILT[plan]


def release_line(facts: dict[str, Any], version: str) -> str:
    """Which kubespray releases install this Kubernetes minor (their kubelet checksums), or that none does yet."""
    ranges = "; ".join(f"{r['name']}: {r['kubernetes'][0]} to {r['kubernetes'][1]}" for r in facts["releases"])
    fitting = [
        r["name"] for r in facts["releases"] if _minor(r["kubernetes"][0]) <= _minor(version) <= _minor(r["kubernetes"][1])
    ]
    if fitting:
        return f"Kubespray that installs Kubernetes {version}: {', '.join(fitting)} (Kubernetes per kubespray: {ranges})."
    return f"No kubespray known to kgen installs Kubernetes {version} (Kubernetes per kubespray: {ranges}); check before use."


def not_controllable(plan: Plan) -> list[Item]:
    """This target's entry in REPORT.md's not-controllable list (named in kgen/target_registry.py)."""
    return build_vars(plan).not_controllable


def coverage(plan: Plan) -> Coverage:
    """What the variables carry of the plan (named in kgen/target_registry.py)."""
    built = build_vars(plan)
    # A flag that points at a file kubespray cannot write goes with the file.
    return Coverage(
        tuple(s for s in plan.settings if s not in built.dropped and not (s.is_flag and s.value in built.dropped_files)),
        tuple(f for f in plan.files if f.node_path not in built.dropped_files),
    )


def render(plan: Plan) -> list[OutputFile]:
    built = build_vars(plan)
    facts = platforms()["kubespray"]
    header = header_lines(plan, TARGET, f"For kubespray {facts['versions']}.")
    header.append(release_line(facts, plan.version))
    content = render_template(
        "kubespray/kgen-hardening.yml.j2",
        header=header,
        covered=built.covered_lines(),
        document=built.values,
        comments=built.comments,
    )
    outputs = [OutputFile(VARS_PATH, content, (built.values,))]
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET, built.not_controllable))
    return outputs
