"""Each target's REPORT.md claims only what that target's own files carry, per Kubernetes version.

Every bundled profile is rendered for every target at 1.31, 1.34 and 1.37. The security-feature
table is checked against the feature gates, flags and fields found in the target's other files; the
CIS summary is checked against kube-bench's verdicts (tests/cisbench.py, an independent evaluator)
on the flags and config files the target's files hold, laid out as a node would have them.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import cisbench
import pytest
import yaml

from kgen import knowledge
from kgen.knowledge._data import load
from kgen.plan import Plan, features_table
from kgen.profile import ProfileLoader
from kgen.render import render_profile
from kgen.target_registry import DISTRIBUTION_TARGETS
from kgen.targets import TARGETS, not_controllable

VERSIONS = ("1.31", "1.34", "1.37")
PROFILES = ("baseline", "cis", "strict")
CIS_TARGETS = ("kubeadm", "flags", "ansible", "kubespray", "capi", "kind", "rke2", "k3s")
# "Name=true" inside a gate list: --feature-gates values, kubeadm extraArgs, kubespray's gate lists.
GATE_ON = re.compile(r"(?:^|[,\s=])([A-Z][A-Za-z0-9]+)=true\b")


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


class Rendered(NamedTuple):
    plan: Plan
    files: dict[str, str]  # path below the target folder -> content


@functools.cache
def _render(profile: str, version: str) -> tuple[Plan, dict[str, dict[str, str]]]:
    result = render_profile(ProfileLoader().load(profile, version), list(TARGETS))
    per_target: dict[str, dict[str, str]] = {target: {} for target in TARGETS}
    for item in result.files:
        _, target, path = item.path.split("/", 2)
        per_target[target][path] = item.content
    return result.plan, per_target


def rendered(profile: str, version: str, target: str) -> Rendered:
    plan, per_target = _render(profile, version)
    return Rendered(plan, per_target[target])


def documents(files: dict[str, str]) -> list[Any]:
    """Every YAML or JSON document in the target's files, and the YAML kept in strings (node file contents)."""
    found: list[Any] = []
    for path, content in files.items():
        if path.endswith(".json"):
            found.append(json.loads(content))
        elif path.endswith((".yaml", ".yml")):
            found.extend(doc for doc in yaml.load_all(content, Loader=_Loader) if doc is not None)
        elif path.endswith(".sh"):
            for body in re.findall(r"<<KGEN_EOF\n(.*?)\nKGEN_EOF", content, re.S):
                found.append(yaml.load(body, Loader=_Loader))
    for node_file in [entry for doc in found if isinstance(doc, dict) for entry in doc.get("kgen_node_files", [])]:
        found.append(yaml.load(node_file["content"], Loader=_Loader))
    for doc in list(found):
        found.extend(_carried(doc))
    return found


def _carried(doc: Any) -> list[Any]:
    """Documents inside a Cluster API object (its ClusterConfiguration, files[].content) or a kind Cluster (patches)."""
    if not isinstance(doc, dict):
        return []
    carried = [yaml.load(patch, Loader=_Loader) for patch in doc.get("kubeadmConfigPatches") or []]
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    config_spec = spec.get("kubeadmConfigSpec") or (spec.get("template") or {}).get("spec") or {}
    if "clusterConfiguration" in config_spec:
        carried.append({"kind": "ClusterConfiguration", **config_spec["clusterConfiguration"]})
    for entry in config_spec.get("files") or []:
        content = entry.get("content")
        if content and entry["path"].endswith(".yaml"):
            carried.extend(d for d in yaml.load_all(content, Loader=_Loader) if d is not None)
        elif content and entry["path"].endswith(".sh"):
            carried.extend(yaml.load(body, Loader=_Loader) for body in re.findall(r"<<KGEN_EOF\n(.*?)\nKGEN_EOF", content, re.S))
    return carried


class Evidence(NamedTuple):
    gates_on: set[str]  # feature gates set to true anywhere
    names: set[str]  # mapping keys, kubeadm extraArgs names and flag names
    values: dict[str, list[Any]]  # mapping key -> every value seen under it


def evidence(files: dict[str, str]) -> Evidence:
    found = Evidence(set(), set(), {})

    def text(value: str) -> None:
        found.gates_on.update(GATE_ON.findall(value))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if set(node) == {"name", "value"}:  # a kubeadm v1beta4 extraArgs entry
                found.names.add(str(node["name"]))
            for key, value in node.items():
                found.names.add(str(key))
                found.values.setdefault(str(key), []).append(value)
                if key == "featureGates" and isinstance(value, dict):
                    # kops takes featureGates as map[string]string: "true"
                    found.gates_on.update(name for name, on in value.items() if on is True or on == "true")
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str):
            text(node)

    for doc in documents(files):
        walk(doc)
    for path, content in files.items():
        if path.endswith(".args"):
            for line in content.splitlines():
                if line.startswith("--"):
                    name, _, value = line[2:].partition("=")
                    found.names.add(name)
                    text(value)
    return found


def feature_rows(report: str) -> dict[str, tuple[str, str]]:
    """Feature title -> (state, detail) from the Security features table."""
    section = report.split("## Security features", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if len(cells) == 4 and cells[1].startswith("[KEP-"):
            rows[cells[0]] = (cells[2], cells[3])
    return rows


def requested_gates(knob: str, version: str) -> list[str]:
    """The feature's gates that are off by default in ``version``: what turning the feature on must render."""
    names = []
    for name in features_table()[knob]["gates"]:
        gate = knowledge.gate(name)
        state = gate.state(version) if gate else None
        if state is not None and not state.default:
            names.append(name)
    return names


CASES = [(p, v, t) for p in PROFILES for v in VERSIONS for t in TARGETS]


@pytest.mark.parametrize(("profile", "version", "target"), CASES)
def test_feature_table_matches_the_target_files(profile: str, version: str, target: str) -> None:
    plan, files = rendered(profile, version, target)
    rows = feature_rows(files["REPORT.md"])
    found = evidence({path: text for path, text in files.items() if path != "REPORT.md"})
    by_title = {spec["title"]: knob for knob, spec in features_table().items()}
    assert set(rows) == {f.title for f in plan.features}
    for title, (state, detail) in rows.items():
        knob = by_title[title]
        gates = requested_gates(knob, version)
        own_flags = [name for flags in features_table()[knob].get("flags", {}).values() for name in flags]
        present = [g for g in gates if g in found.gates_on] + [f for f in own_flags if f in found.names]
        wanted = gates + own_flags
        where = f"{profile} {version} {target}: {title} is {state}"
        if state == "rendered":
            assert wanted, where + " but needs nothing rendered"
            assert present == wanted, where + f" but the files carry only {present} of {wanted}"
        elif state == "partly rendered":
            assert present, where + f" but the files carry none of {wanted}"
            assert "cannot set" in detail, where
        else:
            # not rendered, off, unavailable, on-by-default, built-in: no gate of the feature in the files
            assert not [g for g in features_table()[knob]["gates"] if g in found.gates_on], where
            assert not [f for f in own_flags if f in found.names], where
            if state == "not rendered":
                assert gates and "cannot set" in detail, where
        for setting in (s for s in plan.settings if s.reason.origin.startswith(f"features.{knob}.")):
            if setting.key.startswith("featureGates.") or setting.key == "feature-gates" or setting.key in own_flags:
                continue
            leaf = setting.key.rsplit(".", 1)[-1]
            said_missing = f"cannot set {setting.component} {setting.key}" in detail
            if state in ("off", "unavailable"):
                continue
            assert (leaf in found.names) != said_missing, (
                f"{where}: {setting.key} {'is' if leaf in found.names else 'is not'} in the files, "
                f"the report {'says' if said_missing else 'does not say'} it cannot be set"
            )


def test_managed_targets_report_gates_they_cannot_set_as_not_rendered() -> None:
    # strict at 1.31 turns UserNamespacesSupport on (beta, off by default) for kube-apiserver and the kubelet.
    states = {t: feature_rows(rendered("strict", "1.31", t).files["REPORT.md"])["User namespaces"][0] for t in TARGETS}
    assert states == {
        "kubeadm": "rendered",
        "flags": "rendered",
        "kubespray": "rendered",
        "ansible": "rendered",
        "eks": "partly rendered",  # nodeadm takes kubelet featureGates; the API server gate is EKS's
        "gke": "not rendered",
        "aks": "not rendered",
        "talos": "rendered",  # extraArgs feature-gates (merged with Talos's) and kubelet extraConfig featureGates
        "kops": "rendered",  # spec.kubeAPIServer.featureGates and spec.kubelet.featureGates
        "capi": "rendered",
        "kind": "rendered",
        # before 1.32 the distributions take no kubelet configuration file: the kubelet gate is not set
        "rke2": "partly rendered",
        "k3s": "partly rendered",
    }


# --- CIS summary ------------------------------------------------------------------------------------


class Summary(NamedTuple):
    met: int
    total: int
    not_met: dict[str, str]  # control id -> the text after the title ("" when none)


def cis_summary(report: str) -> Summary | None:
    if "## CIS compliance" not in report:
        return None
    section = report.split("## CIS compliance", 1)[1]
    counted = re.search(r"Scored controls decidable from configuration: (\d+) of (\d+) met\.", section)
    assert counted
    not_met = {}
    for match in re.finditer(r"^- (\d+(?:\.\d+)+) ([^:\n]+)(?:: (.*))?$", section, re.M):
        not_met[match.group(1)] = match.group(3) or ""
    return Summary(int(counted.group(1)), int(counted.group(2)), not_met)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def node_layout(target: str, files: dict[str, str], root: Path) -> Path:
    """The target's flags and config files laid out as tests/cisbench.py reads a node."""
    docs = documents(files)
    if target in ("rke2", "k3s"):
        return distribution_layout(target, files, root)
    if target == "flags":
        for path, content in files.items():
            _write(root / path, content)
        flags = dict(line[2:].partition("=")[::2] for line in files["kube-apiserver.args"].splitlines() if line[:2] == "--")
        _write_encryption(root, docs, flags.get("encryption-provider-config"))
        return root
    cluster: dict[str, Any] = {}
    kubelet: dict[str, Any] | None = None
    proxy: dict[str, Any] | None = None
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        if doc.get("kind") == "ClusterConfiguration":
            cluster = doc
        elif doc.get("kind") == "KubeletConfiguration":
            kubelet = doc
        elif doc.get("kind") == "KubeProxyConfiguration":
            proxy = doc
        # the ansible role's variables hold the same objects without their kind
        cluster = doc.get("kubernetes_config_cluster_configuration", cluster)
        kubelet = doc.get("kubernetes_config_kubelet_configuration", kubelet)
        proxy = doc.get("kubernetes_config_kube_proxy_configuration", proxy)
    places = {
        "kube-apiserver": ("apiServer",),
        "kube-controller-manager": ("controllerManager",),
        "kube-scheduler": ("scheduler",),
        "etcd": ("etcd", "local"),
    }
    args: dict[str, dict[str, str]] = {}
    for component, keys in places.items():
        node: Any = cluster
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        extra = node.get("extraArgs", [])
        if isinstance(extra, dict):  # map form: kubeadm v1beta3 (kind below 1.36), Cluster API v1beta1
            args[component] = {name: str(value) for name, value in extra.items()}
        else:
            args[component] = {entry["name"]: str(entry["value"]) for entry in extra}
    if proxy is None and target == "capi":
        args["kube-proxy"] = {}  # Cluster API cannot carry kube-proxy's configuration: kubeadm runs it with defaults
    for component, config, path in (
        ("kubelet", kubelet, "/var/lib/kubelet/config.yaml"),
        ("kube-proxy", proxy, "/var/lib/kube-proxy/config.conf"),
    ):
        if config:
            _write(root / "files" / path.lstrip("/"), yaml.safe_dump(config))
            args[component] = {"config": path}
    _write_encryption(root, docs, args["kube-apiserver"].get("encryption-provider-config"))
    for component, flags in args.items():
        if flags or component == "kube-proxy":  # kube-proxy with no flags runs with its defaults
            _write(root / f"{component}.args", "".join(f"--{name}={value}\n" for name, value in flags.items()))
    return root


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merged(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _nested(dotted: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in dotted.items():
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def distribution_layout(target: str, files: dict[str, str], root: Path) -> Path:
    """A server node of RKE2 or k3s: config.yaml's arguments, what its first-class keys pass, and what the
    distribution sets itself (kgen/data/distributions.json, from its sources), as kube-bench reads the processes."""
    from kgen.targets.rancher import facts

    dist, shared = facts()[target], facts()["shared"]
    data_dir = dist["dataDir"]
    server = yaml.load(files["server/config.yaml"], Loader=_Loader)
    args = {
        component: dict(item.partition("=")[::2] for item in server.get(spec["key"], []))
        for component, spec in shared["argKeys"].items()
    }
    apiserver = args["kube-apiserver"]
    if "pod-security-admission-config-file" in server:
        apiserver["admission-control-config-file"] = server["pod-security-admission-config-file"]
    if "audit-policy-file" in server:
        apiserver["audit-policy-file"] = server["audit-policy-file"]
        for name, value in dist["auditDefaults"].items():
            apiserver.setdefault(name, value)
    if server.get("profile") == "cis":
        for name, value in dist["cisProfile"]["prependedFlags"].items():
            apiserver.setdefault(name, value)
    encrypted = "secrets-encryption-provider" in server or dist["encryptionForced"]
    for component, flags in shared["managedFlags"].items():
        for name, spec in flags.items():
            value = spec["value"].replace("{dataDir}", data_dir)
            if not value or name in args[component]:
                continue
            if (spec.get("unlessFlag") in args[component]) or (spec.get("withEncryption") and not encrypted):
                continue
            args[component][name] = value
    if encrypted:
        provider = server.get("secrets-encryption-provider", shared["secretsEncryption"]["providers"][0])
        document = {"kind": "EncryptionConfiguration", "resources": [{"resources": ["secrets"], "providers": [{provider: {}}]}]}
        _write(root / "files" / apiserver["encryption-provider-config"].lstrip("/"), yaml.safe_dump(document))
    defaults = {key: spec["value"] for key, spec in shared["managedKubeletFields"].items() if spec["value"] is not None}
    defaults.update(shared["impliedKubeletFields"])
    kubelet = _nested({key: str(value).replace("{dataDir}", data_dir) for key, value in defaults.items()})
    kubelet_args = args.pop("kubelet")
    if "config" in kubelet_args:
        ours = yaml.load(files["files" + kubelet_args.pop("config")], Loader=_Loader)
        kubelet = _merged(kubelet, ours)
    if "protect-kernel-defaults" in server:
        kubelet["protectKernelDefaults"] = server["protect-kernel-defaults"]
    _write(root / "files" / "var/lib/kubelet/config.yaml", yaml.safe_dump(kubelet))
    args["kubelet"] = {**kubelet_args, "config": "/var/lib/kubelet/config.yaml"}
    for component, flags in args.items():
        if flags:
            _write(root / f"{component}.args", "".join(f"--{name}={value}\n" for name, value in flags.items()))
    return root


def _write_encryption(root: Path, docs: list[Any], node_path: str | None) -> None:
    """The encryption configuration an install script writes on the node, where the API server flag points."""
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "EncryptionConfiguration" and node_path:
            _write(root / "files" / node_path.lstrip("/"), yaml.safe_dump(doc))


def _kube_bench_not_met(root: Path, version: str) -> dict[str, str]:
    not_decided = ("not evaluated:", "Test marked as", "target ")
    results = cisbench.evaluate(root, cisbench.benchmark_for(version))
    return {r.id: r.status for r in results if not r.reason.startswith(not_decided) and r.status != "PASS"}


@pytest.mark.parametrize(("profile", "version", "target"), CASES)
def test_cis_summary_follows_the_target_files(profile: str, version: str, target: str, tmp_path: Path) -> None:
    files = rendered(profile, version, target).files
    summary = cis_summary(files["REPORT.md"])
    where = f"{profile} {version} {target}"
    if target in DISTRIBUTION_TARGETS:
        # Talos and kops run the components themselves: a control not met because their files cannot carry it
        # names a component with settings in the target's Not controllable list.
        assert summary is not None and summary.met <= summary.total, where
        plan = rendered(profile, version, target).plan
        refused = {entry["setting"].split(" ", 1)[0] for entry in not_controllable(plan, target)}
        components = {control["id"]: control["component"] for control in load("cis.json")["controls"]}
        for control, detail in summary.not_met.items():
            if "cannot carry" in detail:
                assert components[control] in refused, f"{where}: {control}"
        return
    if target not in CIS_TARGETS:
        assert summary is None, f"{where}: a managed target's files hold no control-plane flags to score"
        return
    assert summary is not None
    assert summary.total >= 40 and summary.met <= summary.total
    other = {path: text for path, text in files.items() if path != "REPORT.md"}
    found = evidence(other)
    if target != "kubespray":
        # kube-bench, run on the flags and config files this target renders, fails exactly the listed controls
        failing = _kube_bench_not_met(node_layout(target, other, tmp_path), version)
        assert set(failing) == set(summary.not_met), where
    else:
        # kubespray's variables are not flags; encryption at rest is met only when its variable turns it on
        encrypts = found.values["kube_encrypt_secret_data"] == [True]
        assert encrypts == ("1.2.27" not in summary.not_met), where
        unaccounted = kubespray_unaccounted_flags(files, version, set(summary.not_met))
        assert not unaccounted, f"{where}: counted as met, but kubespray's file sets no variable for {unaccounted}"
    # Every "deliberate" deviation cites what the files really carry.
    anonymous_limited = any(
        key.endswith("anonymous") and isinstance(value, dict) and value.get("conditions")
        for key, values in found.values.items()
        for value in values
    )
    authorization_file = "authorization-config" in found.names or True in found.values.get(
        "kube_apiserver_use_authorization_config_file", []
    )
    serving_bootstrap = True in found.values.get("serverTLSBootstrap", []) or True in found.values.get(
        "kubelet_rotate_server_certificates", []
    )
    cited = {"1.2.1": anonymous_limited, "1.2.6": authorization_file, "1.2.7": authorization_file}
    cited |= {"1.2.8": authorization_file, "4.2.9": serving_bootstrap}
    for control, carried in cited.items():
        if control in summary.not_met:
            shown = summary.not_met[control].startswith("deliberate")
            assert shown == carried, f"{where}: {control} says {summary.not_met[control]!r}"
    if "1.2.1" in summary.not_met and not anonymous_limited:
        assert summary.not_met["1.2.1"].startswith("nothing in these files limits anonymous access"), where


STRUCTURED_SWITCHES = {
    "authentication-config": "kube_apiserver_use_authentication_config_file",
    "authorization-config": "kube_apiserver_use_authorization_config_file",
    "admission-control-config-file": "kube_apiserver_admission_control_config_file",
    "audit-policy-file": "kubernetes_audit",
    "encryption-provider-config": "kube_encrypt_secret_data",
    "provider": "kube_encrypt_secret_data",  # kube-bench's name for the first provider in the encryption file
}


def kubespray_unaccounted_flags(files: dict[str, str], version: str, not_met: set[str]) -> list[str]:
    """Control-plane flags of controls counted as met that kubespray's variables file does not account for.

    A flag is accounted for when the file sets the kubespray variable that writes it (the variable
    names kgen's platform facts checked against kubespray's defaults), names it in the extra-args
    dictionary, turns on the structured file it belongs to, or lists it among the flags kubespray or
    kubeadm set themselves.
    """
    from kgen.compliance import _cis  # the controls and kube-bench tests kgen scores
    from kgen.targets.kubespray import extra_args_variables
    from kgen.targets.managed import platforms

    facts = platforms()["kubespray"]
    extra_args = extra_args_variables()
    text = files["group_vars/k8s_cluster/kgen-hardening.yml"]
    variables = yaml.load(text.split("\n---\n", 1)[1], Loader=_Loader)
    header = text.split("\n---\n", 1)[0]
    covered: set[tuple[str, str]] = set()  # (component, flag) from the "Set by kubespray or kubeadm" lines
    for line in (raw for raw in header.splitlines() if raw.startswith("#   ")):
        component = ""
        for named, flag in re.findall(
            r"(?:(kube-apiserver|kube-controller-manager|kube-scheduler|etcd|kubelet|kube-proxy) )?--([a-z0-9-]+)",
            line.split(": ", 1)[0],
        ):
            component = named or component
            covered.add((component, flag))
    benchmark = cisbench.benchmark_for(version)
    missing = []
    for control in _cis()["controls"]:
        component = control["component"]
        if control["id"] in not_met or benchmark not in control["benchmarks"] or component not in (*extra_args, "etcd"):
            continue
        if control.get("needsNode"):
            continue
        for test in (t for t in control.get("tests", []) if benchmark in t["benchmarks"] and t.get("binOp", "and") == "and"):
            for item in test["items"]:
                flag = str(item.get("flag", "")).lstrip("-")
                if not flag or not item.get("set", True):
                    continue
                variable = facts["flagVariables"].get(component, {}).get(flag, {}).get("variable")
                switch = STRUCTURED_SWITCHES.get(flag) if component == "kube-apiserver" else None
                accounted = (
                    (variable is not None and variable in variables)
                    or flag in variables.get(extra_args.get(component, ""), {})
                    or (switch is not None and variables.get(switch) is True)
                    or (component, flag) in covered
                )
                if not accounted:
                    missing.append(f"{control['id']} {component} --{flag}")
    return missing


def test_anonymous_access_at_1_31_is_not_called_limited() -> None:
    # AnonymousAuthConfigurableEndpoints is alpha in 1.31: nothing limits anonymous access there.
    for target in CIS_TARGETS:
        report = rendered("baseline", "1.31", target).files["REPORT.md"]
        summary = cis_summary(report)
        assert summary is not None
        if target in ("rke2", "k3s"):
            # with no AuthenticationConfiguration to honour, the distribution passes --anonymous-auth=false itself
            assert "1.2.1" not in summary.not_met, target
            continue
        assert summary.not_met["1.2.1"].startswith("nothing in these files limits anonymous access"), target
        assert "AuthenticationConfiguration" not in report.split("## CIS compliance", 1)[1], target
    later = cis_summary(rendered("baseline", "1.34", "kubeadm").files["REPORT.md"])
    assert later is not None and "AuthenticationConfiguration" in later.not_met["1.2.1"]


def test_a_setting_kubespray_cannot_carry_is_not_counted_as_met(tmp_path: Path) -> None:
    # kubespray has no KMS provider: the encryption file and its flag are in its Not controllable list,
    # so its CIS summary must not count encryption at rest as met, while kubeadm's does.
    profile = tmp_path / "kms.yaml"
    profile.write_text(
        "name: kms\nextends: cis\nencryption:\n  provider: kms\n"
        "  kms:\n    name: vault\n    endpoint: unix:///var/run/kms/socket.sock\n",
        encoding="utf-8",
    )
    result = render_profile(ProfileLoader(tmp_path).load(str(profile), "1.34"), ["kubespray", "kubeadm"])
    reports = {item.path.split("/")[1]: item.content for item in result.files if item.path.endswith("REPORT.md")}
    kubespray, kubeadm = cis_summary(reports["kubespray"]), cis_summary(reports["kubeadm"])
    assert kubespray is not None and kubeadm is not None
    assert "1.2.27" not in kubeadm.not_met
    assert kubespray.not_met["1.2.27"] == "the kubespray files cannot carry the setting (see Not controllable on this platform)"
    vars_file = next(item.content for item in result.files if item.path.endswith("kgen-hardening.yml"))
    assert "kube_encrypt_secret_data: false" in vars_file


# --- EKS control-plane settings ---------------------------------------------------------------------


def test_eks_report_lists_the_control_plane_fields_eksctl_exposes() -> None:
    report = rendered("cis", "1.34", "eks").files["REPORT.md"]
    for field in (
        "kubeAPIServerConfig.eventTTL",
        "kubeAPIServerConfig.serviceNodePortRange.minPort",
        "kubeAPIServerConfig.serviceNodePortRange.maxPort",
        "kubeSchedulerConfig.nodeResourcesFit.scoringStrategy.type",
        "kubeControllerManagerConfig.horizontalPodAutoscalerControllerConfig.horizontalPodAutoscalerSyncPeriod",
    ):
        assert f"- `{field}`" in report
    assert "no kube-apiserver, kube-controller-manager, kube-scheduler or etcd flags are exposed" not in report
    assert "The profile decides none of these settings" in report
    for target in ("gke", "aks"):
        assert "Control-plane settings the platform exposes" not in rendered("cis", "1.34", target).files["REPORT.md"]


def test_a_plan_setting_eksctl_exposes_is_reported_as_settable_not_rendered() -> None:
    from kgen.plan import Reason
    from kgen.targets.managed import platform_exposed

    plan, _ = _render("baseline", "1.34")
    copy = Plan(plan.profile, plan.version)
    copy.settings = [*plan.settings]
    copy.add("kube-apiserver", "event-ttl", "2h", Reason("test"))
    exposed = platform_exposed(copy, "eks")
    assert exposed is not None
    assert exposed["verdict"] == (
        "Settable there but not rendered by kgen: kube-apiserver --event-ttl -> kubeAPIServerConfig.eventTTL."
    )


@pytest.mark.parametrize(
    ("mode", "version", "expected"),
    [
        ("health", "1.34", "deliberate, anonymous access is limited to health endpoints by AuthenticationConfiguration"),
        ("health", "1.31", "nothing in these files limits anonymous access"),
        ("none", "1.34", None),  # anonymous.enabled false in AuthenticationConfiguration: no --anonymous-auth flag for kube-bench
    ],
)
def test_anonymous_line_follows_the_authentication_file(mode: str, version: str, expected: str | None, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    # cis itself asks for health: set in the user's own file at 1.31, where the feature is alpha, it is refused
    own_mode = "" if mode == "health" else f"anonymousAccess:\n  mode: {mode}\n"
    profile.write_text(
        f"name: p\nextends: cis\n{own_mode}authentication:\n  jwt:\n  - issuer: https://idp.example.com\n    audiences: [k8s]\n",
        encoding="utf-8",
    )
    result = render_profile(ProfileLoader(tmp_path).load(str(profile), version), ["kubeadm"])
    report = next(item.content for item in result.files if item.path.endswith("REPORT.md"))
    summary = cis_summary(report)
    assert summary is not None
    if expected is None:
        assert summary.not_met.get("1.2.1") == ""
    else:
        assert summary.not_met["1.2.1"].startswith(expected)
