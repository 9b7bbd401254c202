"""Targets capi and kind: objects valid for their own upstream schema, every node file delivered, no key rendered."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import FactsChange

from kgen.errors import InternalError
from kgen.plan import Plan, build_plan
from kgen.profile import ProfileLoader
from kgen.render import render_profile
from kgen.schemacheck import schema_for, validate_document
from kgen.targets import capi, kind
from kgen.targets.embedded import check_documents
from kgen.validation import validate_config_document

PROFILES = ("baseline", "cis", "strict")
VERSIONS = ("1.33", "1.37")
CASES = [(profile, version) for profile in PROFILES for version in VERSIONS]
# base64 of 32 random bytes, as an encryption key would be written
KEY_MATERIAL = re.compile(r"\b[A-Za-z0-9+/]{43}=")


def plan_for(reference: str, version: str) -> Plan:
    return build_plan(ProfileLoader().load(reference, version))


def custom(tmp_path: Path, body: str) -> str:
    path = tmp_path / "custom.yaml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def rendered(reference: str, version: str, target: str) -> dict[str, str]:
    result = render_profile(ProfileLoader().load(reference, version), [target])
    return {item.path.split("/", 2)[2]: item.content for item in result.files}


def documents(text: str) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def reference_errors(document: dict[str, Any]) -> list[str]:
    """Problems found by the jsonschema library with kgen's bundled (strict) schema: a second opinion."""
    schema = schema_for(document["apiVersion"], document["kind"])
    assert schema is not None
    validator = jsonschema.Draft202012Validator(schema)
    return [error.message for error in validator.iter_errors(document)]


def files_by_path(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["path"]: entry for entry in spec["files"]}


@pytest.mark.parametrize(("profile", "version"), CASES)
@pytest.mark.parametrize("contract", ["v1beta2", "v1beta1"])
def test_capi_objects_pass_their_own_schema_and_only_it(profile: str, version: str, contract: str, tmp_path: Path) -> None:
    reference = custom(tmp_path, f"extends: {profile}\nname: c-{profile}\ncapi:\n  contract: {contract}\n")
    files = rendered(reference, version, "capi")
    other = "v1beta1" if contract == "v1beta2" else "v1beta2"
    for name in ("kubeadm-control-plane.yaml", "kubeadm-config-template.yaml"):
        (document,) = documents(files[name])
        assert document["apiVersion"].endswith(f"/{contract}")
        assert validate_document(document) == []
        assert reference_errors(document) == []
        # The other contract's schema refuses it: the extraArgs shapes and references differ.
        swapped = {**document, "apiVersion": document["apiVersion"].replace(contract, other)}
        if name == "kubeadm-control-plane.yaml":
            assert validate_document(swapped) != []


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_capi_delivers_every_file_a_flag_points_at(profile: str, version: str) -> None:
    files = rendered(profile, version, "capi")
    (control,) = documents(files["kubeadm-control-plane.yaml"])
    spec = control["spec"]["kubeadmConfigSpec"]
    delivered = files_by_path(spec)
    scripts = [delivered[path]["content"] for path in spec.get("preKubeadmCommands", [])]
    plan = plan_for(profile, version)
    config_dir = plan.profile.data["cluster"]["configDir"]
    pointed = [str(s.value) for s in plan.flags("kube-apiserver") if str(s.value).startswith(config_dir + "/")]
    assert pointed
    for path in pointed:
        written_by_script = any(f"cat > {path}.tmp" in script for script in scripts)
        assert path in delivered or written_by_script, path
        if path in delivered:
            inner = documents(delivered[path]["content"])
            assert inner and validate_config_document(inner[0], version, path) == []
    mounts = spec["clusterConfiguration"]["apiServer"]["extraVolumes"]
    assert any(m["hostPath"] == config_dir and m["readOnly"] for m in mounts)
    # The kubelet settings reach kubeadm as a patch on init and join, on control-plane nodes and workers.
    patch_dir = spec["initConfiguration"]["patches"]["directory"]
    assert spec["joinConfiguration"]["patches"]["directory"] == patch_dir
    kubelet_patch = next(entry for path, entry in delivered.items() if path.startswith(patch_dir + "/kubeletconfiguration"))
    assert documents(kubelet_patch["content"])[0]["kind"] == "KubeletConfiguration"
    (workers,) = documents(files["kubeadm-config-template.yaml"])
    worker_files = files_by_path(workers["spec"]["template"]["spec"])
    assert worker_files[kubelet_patch["path"]]["content"] == kubelet_patch["content"]


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_capi_renders_no_key_and_names_its_secrets(profile: str, version: str) -> None:
    files = rendered(profile, version, "capi")
    for name, text in files.items():
        assert not KEY_MATERIAL.search(text), name
    (control,) = documents(files["kubeadm-control-plane.yaml"])
    spec = control["spec"]["kubeadmConfigSpec"]
    from_secrets = {entry["path"]: entry["contentFrom"]["secret"] for entry in spec["files"] if "contentFrom" in entry}
    plan = plan_for(profile, version)
    cluster = plan.profile.data["cluster"]["name"]
    assert from_secrets[plan.profile.data["encryption"]["keyFile"]] == {
        "name": f"{cluster}-kgen-encryption-key",
        "key": "key.b64",
    }
    discovery = plan.profile.data["kubeadm"]["discoveryFile"]
    assert from_secrets[discovery] == {"name": f"{cluster}-kgen-join-discovery", "key": "discovery.conf"}
    assert from_secrets["/etc/kubernetes/kgen-join-token"] == {"name": f"{cluster}-kgen-join-discovery", "key": "token"}
    token_script = files_by_path(spec)[spec["postKubeadmCommands"][0]]["content"]
    assert 'kubeadm token create "$token" --ttl 0' in token_script
    assert spec["joinConfiguration"]["discovery"] == {"file": {"kubeConfigPath": discovery}}
    assert all("content" not in entry for entry in spec["files"] if "contentFrom" in entry)
    report = files["REPORT.md"]
    assert f"{'<cluster.name>'}-kgen-encryption-key" in report and "capi-fragment-fields" in report


def test_capi_placeholders_are_refused_not_defaulted() -> None:
    (control,) = documents(rendered("strict", "1.37", "capi")["kubeadm-control-plane.yaml"])
    assert control["metadata"]["name"] != control["metadata"]["name"].lower()  # not an RFC 1123 name
    assert control["spec"]["replicas"] == 0  # Cluster API's webhook refuses 0
    assert not re.fullmatch(r"v\d+\.\d+\.\d+", control["spec"]["version"])
    assert control["spec"]["machineTemplate"]["spec"]["infrastructureRef"]["apiGroup"].endswith(".invalid")
    cluster_configuration = control["spec"]["kubeadmConfigSpec"]["clusterConfiguration"]
    for owned in ("clusterName", "kubernetesVersion", "controlPlaneEndpoint", "networking"):
        assert owned not in cluster_configuration


def test_capi_release_pins_the_version(tmp_path: Path) -> None:
    reference = custom(tmp_path, "extends: cis\nname: pinned\ncluster:\n  release: v1.34.3\n")
    (control,) = documents(rendered(reference, "1.34", "capi")["kubeadm-control-plane.yaml"])
    assert control["spec"]["version"] == "v1.34.3"


def test_capi_v1beta1_uses_map_form_extra_args_with_the_same_flags(tmp_path: Path) -> None:
    beta2 = documents(rendered("cis", "1.35", "capi")["kubeadm-control-plane.yaml"])[0]
    reference = custom(tmp_path, "extends: cis\nname: old\ncapi:\n  contract: v1beta1\n")
    beta1 = documents(rendered(reference, "1.35", "capi")["kubeadm-control-plane.yaml"])[0]
    listed = beta2["spec"]["kubeadmConfigSpec"]["clusterConfiguration"]["apiServer"]["extraArgs"]
    mapped = beta1["spec"]["kubeadmConfigSpec"]["clusterConfiguration"]["apiServer"]["extraArgs"]
    assert mapped == {arg["name"]: arg["value"] for arg in listed}
    assert "infrastructureRef" in beta1["spec"]["machineTemplate"]


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_kind_config_passes_its_schema_and_mounts_every_node_file(profile: str, version: str) -> None:
    files = rendered(profile, version, "kind")
    (cluster,) = documents(files["kind-config.yaml"])
    assert validate_document(cluster) == []
    assert reference_errors(cluster) == []
    (node,) = cluster["nodes"]
    mounted = {m["containerPath"]: m["hostPath"] for m in node["extraMounts"]}
    plan = plan_for(profile, version)
    config_dir = plan.profile.data["cluster"]["configDir"]
    for setting in plan.flags("kube-apiserver"):
        if str(setting.value).startswith(config_dir + "/"):
            assert setting.value in mounted, setting.key
    for container_path, host_path in mounted.items():
        if host_path.startswith("out/"):
            assert f"files{container_path}" in files, container_path
            assert host_path == f"out/{profile}/kind/files{container_path}"
        else:
            assert host_path.startswith(f"/tmp/kgen-kind-{profile}/")  # made by the script, outside out/
            assert f"sh out/{profile}/kind/scripts/make-encryption-config.sh" in files["kind-config.yaml"]


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_kind_patches_target_the_kubeadm_api_kind_generates_and_validate(profile: str, version: str) -> None:
    (cluster,) = documents(rendered(profile, version, "kind")["kind-config.yaml"])
    patches = [documents(text)[0] for text in cluster["kubeadmConfigPatches"]]
    kinds = [patch["kind"] for patch in patches]
    assert kinds[:2] == ["ClusterConfiguration", "KubeletConfiguration"]
    expected_kubeadm = "kubeadm.k8s.io/v1beta3" if version == "1.33" else "kubeadm.k8s.io/v1beta4"
    cluster_patch = patches[0]
    assert cluster_patch["apiVersion"] == expected_kubeadm
    args = cluster_patch["apiServer"]["extraArgs"]
    assert isinstance(args, dict if version == "1.33" else list)
    for patch in patches[1:]:
        assert validate_config_document(patch, version, "patch") == []
    if version != "1.33":
        assert validate_config_document(cluster_patch, version, "patch") == []


def test_kind_uses_its_own_fields_for_shared_gates_and_runtime_config(tmp_path: Path) -> None:
    plan = plan_for("strict", "1.33")
    per_component = kind.component_gates(plan)
    assert per_component["kube-apiserver"] == {"ImageVolume": True}
    assert per_component["kubelet"] == {"ImageVolume": True}
    # ImageVolume has an effect on kube-apiserver and the kubelet only, and kgen sets it on both.
    assert kind.shared_gates(plan) == {"ImageVolume": True}
    (cluster,) = documents(rendered("strict", "1.33", "kind")["kind-config.yaml"])
    assert cluster["featureGates"] == {"ImageVolume": True}
    cluster_patch, kubelet_patch = (documents(text)[0] for text in cluster["kubeadmConfigPatches"][:2])
    assert "feature-gates" not in cluster_patch["apiServer"]["extraArgs"]
    assert "featureGates" not in kubelet_patch
    reference = custom(tmp_path, "extends: strict\nname: gates\nfeatures:\n  allowAlpha: true\n")
    gated = plan_for(reference, "1.37")
    runtime = gated.flag_value("kube-apiserver", "runtime-config")
    (alpha_cluster,) = documents(rendered(reference, "1.37", "kind")["kind-config.yaml"])
    assert alpha_cluster.get("featureGates", {}) == kind.shared_gates(gated)
    if runtime:
        assert alpha_cluster["runtimeConfig"] == dict(item.split("=", 1) for item in str(runtime).split(","))
    assert "runtime-config" not in alpha_cluster["kubeadmConfigPatches"][0]


def test_kind_patch_keeps_every_gate_when_it_keeps_the_flag() -> None:
    # kind writes --feature-gates from its featureGates; a patch entry of the same name replaces it whole.
    assert kind.kept_gate_flag("A=true,B=false", {"A": True}) == "A=true,B=false"
    assert kind.kept_gate_flag("A=true", {"A": True}) == ""


def test_kind_encryption_key_is_made_outside_out(tmp_path: Path) -> None:
    files = rendered("cis", "1.37", "kind")
    script = files["scripts/make-encryption-config.sh"]
    assert "head -c 32 /dev/urandom" in script
    assert "/tmp/kgen-kind-cis/encryption-config.yaml" in script
    assert not any("encryption-config" in name for name in files if name.startswith("files/"))
    for name, text in files.items():
        assert not KEY_MATERIAL.search(text), name


def test_kind_node_image_choice(tmp_path: Path) -> None:
    default_image = kind.facts()["defaultNodeImage"]
    assert kind.node_image(plan_for("cis", "1.37"))[0] == default_image
    assert "FILL-IN" in kind.node_image(plan_for("cis", "1.33"))[0]
    pinned = custom(tmp_path, "extends: cis\nname: pin\ncluster:\n  release: v1.33.4\n")
    assert kind.node_image(plan_for(pinned, "1.33"))[0] == "kindest/node:v1.33.4"
    chosen = custom(tmp_path, "extends: cis\nname: img\nkind:\n  nodeImage: registry.example.com/kindest/node:v1.33.1\n")
    assert kind.node_image(plan_for(chosen, "1.33"))[0] == "registry.example.com/kindest/node:v1.33.1"


def test_kind_kubeadm_api_version_follows_kind() -> None:
    assert kind.kubeadm_api_version("1.35") == "kubeadm.k8s.io/v1beta3"
    assert kind.kubeadm_api_version("1.36") == "kubeadm.k8s.io/v1beta4"


def test_embedded_documents_are_checked() -> None:
    good = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "readOnlyPort": 0}
    check_documents("x", yaml.safe_dump(good), [good], "1.37")
    bad = {**good, "readOnlyPort": "0"}
    with pytest.raises(InternalError, match="readOnlyPort"):
        check_documents("x", yaml.safe_dump(bad), [bad], "1.37")
    with pytest.raises(InternalError, match="parse back"):
        check_documents("x", yaml.safe_dump(good), [bad], "1.37")


@pytest.mark.parametrize(
    ("api_version", "kind_name"),
    [
        (f"{group}/{version}", kind_name)
        for version in ("v1beta1", "v1beta2")
        for group, kind_name in (
            ("controlplane.cluster.x-k8s.io", "KubeadmControlPlane"),
            ("bootstrap.cluster.x-k8s.io", "KubeadmConfig"),
            ("bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate"),
        )
    ],
)
def test_bundled_capi_schemas_are_strict_and_sourced(api_version: str, kind_name: str) -> None:
    schema = schema_for(api_version, kind_name)
    assert schema is not None
    assert schema["x-kgen-provenance"]["repo"] == "kubernetes-sigs/cluster-api"
    assert re.fullmatch(r"[0-9a-f]{40}", schema["x-kgen-provenance"]["commit"])
    assert schema["properties"]["spec"]["additionalProperties"] is False
    assert "status" not in schema["properties"]
    unknown = {"apiVersion": api_version, "kind": kind_name, "metadata": {"name": "x"}, "spec": {"kgenTypo": True}}
    assert 'spec.kgenTypo: unknown field "kgenTypo"' in [str(p) for p in validate_document(unknown)]


@pytest.mark.parametrize("target", ["capi", "kind"])
def test_targets_render_the_same_bytes_twice(target: str) -> None:
    assert rendered("strict", "1.35", target) == rendered("strict", "1.35", target)


def _apply_replacements(document: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        assert operation["op"] == "replace"
        *parents, last = operation["path"].strip("/").split("/")
        node = document
        for key in parents:
            node = node[key]
        assert last in node, operation["path"]
        node[last] = operation["value"]


def test_capi_example_fills_every_placeholder() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "capi"
    kustomization = yaml.safe_load((example / "kustomization.yaml").read_text(encoding="utf-8"))
    files = rendered(str(example / "dev.yaml"), "1.35", "capi")
    for name in ("kubeadm-control-plane.yaml", "kubeadm-config-template.yaml"):
        assert f"rendered/dev/capi/{name}" in kustomization["resources"]
        (document,) = documents(files[name])
        for patch in kustomization["patches"]:
            if patch["target"]["kind"] == document["kind"]:
                _apply_replacements(document, yaml.safe_load(patch["patch"]))
        text = json.dumps(document)
        assert "FILL-IN" not in text and "fill-in" not in text and "FillIn" not in text, name
        assert document.get("spec", {}).get("replicas", 1) > 0
        assert validate_document(document) == []


def test_capi_content_over_the_crd_limit_travels_gzipped() -> None:
    import base64
    import gzip

    files = capi.ConfigFiles(plan_for("cis", "1.37"), "test")
    big = "# a long comment\n" * 1000
    files.content("/etc/kubernetes/big.yaml", big, "test", "0600")
    files.content("/etc/kubernetes/small.yaml", "a: 1\n", "test", "0600")
    large, small = files.entries
    assert large["encoding"] == "gzip+base64" and len(large["content"]) <= capi.max_content(files.plan)
    assert gzip.decompress(base64.b64decode(large["content"])).decode("utf-8") == big
    assert "encoding" not in small and small["content"] == "a: 1\n"


@pytest.mark.parametrize("contract", ["v1beta1", "v1beta2"])
def test_capi_content_limit_is_the_one_in_the_bundled_crd(contract: str, tmp_path: Path) -> None:
    plan = plan_for(custom(tmp_path, f"extends: cis\nname: contract\ncapi:\n  contract: {contract}\n"), "1.35")
    terms = capi.facts()["contracts"][contract]
    schema = schema_for(terms["bootstrapApiVersion"], "KubeadmConfig")
    assert schema is not None and schema["x-kgen-provenance"]["repo"] == "kubernetes-sigs/cluster-api"
    content = schema["properties"]["spec"]["properties"]["files"]["items"]["properties"]["content"]
    assert capi.contract(plan)[0] == contract
    assert capi.max_content(plan) == content["maxLength"] > 0


def test_capi_reads_the_content_limit_from_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    import copy

    from kgen import schemacheck

    plan = plan_for("cis", "1.37")
    text = "a: 1\n" * 30
    files = capi.ConfigFiles(plan, "test")
    files.content("/etc/kubernetes/plain.yaml", text, "test", "0600")
    assert files.entries[0]["content"] == text  # well under the CRD's limit: inline as it is

    real = schemacheck.schema_for

    def smaller_limit(api_version: str, kind: str) -> Any:
        schema = copy.deepcopy(real(api_version, kind))
        spec = schema["properties"]["spec"]["properties"]
        spec["files"]["items"]["properties"]["content"]["maxLength"] = 100
        return schema

    monkeypatch.setattr(schemacheck, "schema_for", smaller_limit)
    files = capi.ConfigFiles(plan, "test")
    files.content("/etc/kubernetes/plain.yaml", text, "test", "0600")
    assert files.entries[0]["encoding"] == "gzip+base64" and len(files.entries[0]["content"]) <= 100


@pytest.mark.parametrize("contract", ["v1beta1", "v1beta2"])
def test_capi_infrastructure_reference_takes_the_contracts_shape_from_the_data(
    contract: str, tmp_path: Path, change_facts: FactsChange
) -> None:
    plan = plan_for(custom(tmp_path, f"extends: cis\nname: contract\ncapi:\n  contract: {contract}\n"), "1.35")
    shape = capi.facts()["contracts"][contract]["infrastructureRef"]
    document, comments = capi.control_plane(plan)
    node = document["spec"]["machineTemplate"]
    for key in shape["path"]:
        node = node[key]
    assert node[shape["groupField"]] == shape["groupValue"].format(group=capi.FILL_IN_REF_GROUP)
    assert ("spec", "machineTemplate", *shape["path"]) in comments

    def change(data: dict[str, Any]) -> None:
        data["contracts"][contract]["infrastructureRef"] = {"path": ["kgenRef"], "groupField": "kgenGroup", "groupValue": "g"}

    change_facts(capi, change)
    document, _comments = capi.control_plane(plan)
    assert document["spec"]["machineTemplate"] == {
        "kgenRef": {"kgenGroup": "g", "kind": capi.FILL_IN_REF_KIND, "name": capi.FILL_IN_REF_NAME}
    }


def test_capi_leaves_out_what_the_data_says_cluster_api_fills(change_facts: FactsChange) -> None:
    plan = plan_for("cis", "1.35")
    owned = capi.facts()["ownedByCluster"]
    full, _ = capi.kubeadm.cluster_configuration(plan)
    body, _ = capi.cluster_configuration(plan, "list")
    assert "clusterName" in full and "clusterName" in owned
    assert not set(owned) & set(body) and set(full) - set(owned) == set(body)

    change_facts(capi, lambda data: data["ownedByCluster"].remove("clusterName"))
    body, _ = capi.cluster_configuration(plan, "list")
    assert body["clusterName"] == full["clusterName"]


def test_capi_encodes_text_holding_a_marker_the_data_names(change_facts: FactsChange) -> None:
    plan = plan_for("cis", "1.37")
    assert "{{" in capi.facts()["cloudInitJinjaMarkers"]
    files = capi.ConfigFiles(plan, "test")
    files.content("/etc/kubernetes/a.yaml", "a: kgen-marker\n", "test", "0600")
    files.content("/etc/kubernetes/b.yaml", "b: '{{ x }}'\n", "test", "0600")
    assert "encoding" not in files.entries[0] and files.entries[1]["encoding"] == "base64"

    change_facts(capi, lambda data: data.update(cloudInitJinjaMarkers=["kgen-marker"]))
    files = capi.ConfigFiles(plan, "test")
    files.content("/etc/kubernetes/a.yaml", "a: kgen-marker\n", "test", "0600")
    assert files.entries[0]["encoding"] == "base64"


def test_capi_reports_kube_proxy_settings_with_the_datas_reason(change_facts: FactsChange) -> None:
    plan = plan_for("strict", "1.35")
    assert capi.left_out(plan)
    why = capi.facts()["kubeProxyConfiguration"]
    assert {(e["platform"], e["action"]) for e in capi.not_controllable(plan)} == {(why["platform"], why["action"])}

    def change(data: dict[str, Any]) -> None:
        data["kubeProxyConfiguration"] = {"platform": "kgen platform", "action": "kgen action"}

    change_facts(capi, change)
    assert {(e["platform"], e["action"]) for e in capi.not_controllable(plan)} == {("kgen platform", "kgen action")}


def test_kind_patches_the_sections_the_data_names(change_facts: FactsChange) -> None:
    data = kind.facts()
    assert "encryptionAlgorithm" in data["v1beta4OnlySections"]
    v1beta3, _ = kind.cluster_patch(plan_for("cis", "1.35"), {})
    v1beta4, _ = kind.cluster_patch(plan_for("cis", "1.36"), {})
    assert kind.kubeadm_api_version("1.35").endswith("v1beta3") and kind.kubeadm_api_version("1.36").endswith("v1beta4")
    assert set(v1beta3) - {"apiVersion", "kind"} <= set(data["patchedSections"])
    assert "encryptionAlgorithm" not in v1beta3 and "encryptionAlgorithm" in v1beta4
    assert "certificatesDir" in v1beta4

    change_facts(kind, lambda changed: changed["patchedSections"].remove("certificatesDir"))
    v1beta4, _ = kind.cluster_patch(plan_for("cis", "1.36"), {})
    assert "certificatesDir" not in v1beta4 and "encryptionAlgorithm" in v1beta4
