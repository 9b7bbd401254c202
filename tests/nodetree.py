"""Build node trees the way kubeadm lays a node out, from kgen's rendered kubeadm output.

What kubeadm does with kubeadm-config.yaml, done here with files: the static Pod manifests carry
kubeadm's own flags (cmd/kubeadm/app/phases/controlplane/manifests.go getAPIServerCommand,
getControllerManagerCommand, getSchedulerCommand; cmd/kubeadm/app/phases/etcd/local.go
getEtcdCommand), overridden by the ClusterConfiguration's extraArgs and sorted by name as kubeadm
sorts them; the kubelet gets /var/lib/kubelet/config.yaml (the KubeletConfiguration document),
/var/lib/kubelet/kubeadm-flags.env (nodeRegistration.kubeletExtraArgs) and the packages'
kubelet.service with its 10-kubeadm.conf drop-in (kubernetes/release, cmd/krel/templates/latest/
kubelet/); node files are copied from files/, and the encryption configuration is built by
running kgen's own install script against the tree.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import yaml

PKI = "/etc/kubernetes/pki"

KUBEADM_APISERVER_FLAGS = {
    "advertise-address": "10.0.0.10",
    "allow-privileged": "true",
    "authorization-mode": "Node,RBAC",
    "client-ca-file": f"{PKI}/ca.crt",
    "enable-admission-plugins": "NodeRestriction",
    "enable-bootstrap-token-auth": "true",
    "etcd-cafile": f"{PKI}/etcd/ca.crt",
    "etcd-certfile": f"{PKI}/apiserver-etcd-client.crt",
    "etcd-keyfile": f"{PKI}/apiserver-etcd-client.key",
    "etcd-servers": "https://127.0.0.1:2379",
    "kubelet-client-certificate": f"{PKI}/apiserver-kubelet-client.crt",
    "kubelet-client-key": f"{PKI}/apiserver-kubelet-client.key",
    "kubelet-preferred-address-types": "InternalIP,ExternalIP,Hostname",
    "proxy-client-cert-file": f"{PKI}/front-proxy-client.crt",
    "proxy-client-key-file": f"{PKI}/front-proxy-client.key",
    "requestheader-allowed-names": "front-proxy-client",
    "requestheader-client-ca-file": f"{PKI}/front-proxy-ca.crt",
    "requestheader-extra-headers-prefix": "X-Remote-Extra-",
    "requestheader-group-headers": "X-Remote-Group",
    "requestheader-username-headers": "X-Remote-User",
    "secure-port": "6443",
    "service-account-issuer": "https://kubernetes.default.svc.cluster.local",
    "service-account-key-file": f"{PKI}/sa.pub",
    "service-account-signing-key-file": f"{PKI}/sa.key",
    "service-cluster-ip-range": "10.96.0.0/12",
    "tls-cert-file": f"{PKI}/apiserver.crt",
    "tls-private-key-file": f"{PKI}/apiserver.key",
}
KUBEADM_CONTROLLER_MANAGER_FLAGS = {
    "authentication-kubeconfig": "/etc/kubernetes/controller-manager.conf",
    "authorization-kubeconfig": "/etc/kubernetes/controller-manager.conf",
    "bind-address": "127.0.0.1",
    "client-ca-file": f"{PKI}/ca.crt",
    "cluster-name": "kubernetes",
    "cluster-signing-cert-file": f"{PKI}/ca.crt",
    "cluster-signing-key-file": f"{PKI}/ca.key",
    "controllers": "*,bootstrapsigner,tokencleaner",
    "kubeconfig": "/etc/kubernetes/controller-manager.conf",
    "leader-elect": "true",
    "requestheader-client-ca-file": f"{PKI}/front-proxy-ca.crt",
    "root-ca-file": f"{PKI}/ca.crt",
    "service-account-private-key-file": f"{PKI}/sa.key",
    "use-service-account-credentials": "true",
}
KUBEADM_SCHEDULER_FLAGS = {
    "authentication-kubeconfig": "/etc/kubernetes/scheduler.conf",
    "authorization-kubeconfig": "/etc/kubernetes/scheduler.conf",
    "bind-address": "127.0.0.1",
    "kubeconfig": "/etc/kubernetes/scheduler.conf",
    "leader-elect": "true",
}
KUBEADM_ETCD_FLAGS = {
    "advertise-client-urls": "https://10.0.0.10:2379",
    "cert-file": f"{PKI}/etcd/server.crt",
    "client-cert-auth": "true",
    "data-dir": "/var/lib/etcd",
    "initial-advertise-peer-urls": "https://10.0.0.10:2380",
    "initial-cluster": "cp-1=https://10.0.0.10:2380",
    "key-file": f"{PKI}/etcd/server.key",
    "listen-client-urls": "https://127.0.0.1:2379,https://10.0.0.10:2379",
    "listen-metrics-urls": "http://127.0.0.1:2381",
    "listen-peer-urls": "https://10.0.0.10:2380",
    "name": "cp-1",
    "peer-cert-file": f"{PKI}/etcd/peer.crt",
    "peer-client-cert-auth": "true",
    "peer-key-file": f"{PKI}/etcd/peer.key",
    "peer-trusted-ca-file": f"{PKI}/etcd/ca.crt",
    "snapshot-count": "10000",
    "trusted-ca-file": f"{PKI}/etcd/ca.crt",
}
KUBELET_SERVICE = """[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
"""
KUBEADM_DROP_IN = """# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
"""
# What kubeadm's kubelet phase adds to the user's KubeletConfiguration (componentconfigs/kubelet.go defaults).
KUBEADM_KUBELET_DEFAULTS = {
    "cgroupDriver": "systemd",
    "clusterDNS": ["10.96.0.10"],
    "clusterDomain": "cluster.local",
    "staticPodPath": "/etc/kubernetes/manifests",
}


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _args(extra: list[dict[str, str]] | dict[str, str] | None) -> dict[str, str]:
    if not extra:
        return {}
    if isinstance(extra, dict):
        return dict(extra)
    return {item["name"]: item["value"] for item in extra}


def _write(root: Path, node_path: str, text: str, mode: int = 0o600) -> None:
    target = root / node_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    target.chmod(mode)


def static_pod(component: str, flags: dict[str, str], release: str) -> str:
    command = [component, *(f"--{name}={value}" for name, value in sorted(flags.items()))]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"labels": {"component": component, "tier": "control-plane"}, "name": component, "namespace": "kube-system"},
        "spec": {
            "containers": [{"command": command, "image": f"registry.k8s.io/{component}:{release}", "name": component}],
            "hostNetwork": True,
            "priorityClassName": "system-node-critical",
        },
    }
    return yaml.safe_dump(pod, sort_keys=False)


def build_node(rendered: Path, root: Path, *, control_plane: bool = True) -> None:
    """Lay out ``root`` as kubeadm would from kgen's kubeadm target folder ``rendered``."""
    documents = {doc["kind"]: doc for doc in _documents(rendered / "kubeadm-config.yaml")}
    cluster = documents["ClusterConfiguration"]
    registration = documents["InitConfiguration"].get("nodeRegistration", {}) if control_plane else {}
    if not control_plane:
        join = {doc["kind"]: doc for doc in _documents(rendered / "join-worker.yaml")}
        registration = join["JoinConfiguration"].get("nodeRegistration", {})
    if control_plane:
        for component, defaults, place in (
            ("kube-apiserver", KUBEADM_APISERVER_FLAGS, cluster.get("apiServer", {})),
            ("kube-controller-manager", KUBEADM_CONTROLLER_MANAGER_FLAGS, cluster.get("controllerManager", {})),
            ("kube-scheduler", KUBEADM_SCHEDULER_FLAGS, cluster.get("scheduler", {})),
            ("etcd", KUBEADM_ETCD_FLAGS, cluster.get("etcd", {}).get("local", {})),
        ):
            flags = {**defaults, **_args(place.get("extraArgs"))}
            release = str(cluster["kubernetesVersion"]).replace("stable-", "v") + ".0"
            _write(root, f"/etc/kubernetes/manifests/{component}.yaml", static_pod(component, flags, release))
        files = rendered / "files"
        for path in sorted(files.rglob("*")):
            if path.is_file():
                _write(root, "/" + str(path.relative_to(files)), path.read_text(encoding="utf-8"))
        script = rendered / "scripts" / "install-encryption-config.sh"
        if script.is_file():
            key_file = "/etc/kubernetes/pki/encryption/key.b64"
            _write(root, key_file, base64.b64encode(bytes(range(32))).decode("ascii") + "\n")
            text = script.read_text(encoding="utf-8").replace(" /etc/", f" {root}/etc/").replace('"/etc/', f'"{root}/etc/')
            text = text.replace("$(dirname /etc/", f"$(dirname {root}/etc/").replace("< /etc/", f"< {root}/etc/")
            subprocess.run(["sh", "-c", text], check=True)
    kubelet = dict(documents["KubeletConfiguration"])
    for key, value in KUBEADM_KUBELET_DEFAULTS.items():
        kubelet.setdefault(key, value)
    _write(root, "/var/lib/kubelet/config.yaml", yaml.safe_dump(kubelet, sort_keys=False), 0o644)
    extra = _args(registration.get("kubeletExtraArgs"))
    words = ["--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock", *(f"--{k}={v}" for k, v in extra.items())]
    _write(root, "/var/lib/kubelet/kubeadm-flags.env", f'KUBELET_KUBEADM_ARGS="{" ".join(words)}"\n', 0o644)
    _write(root, "/usr/lib/systemd/system/kubelet.service", KUBELET_SERVICE, 0o644)
    _write(root, "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", KUBEADM_DROP_IN, 0o644)
