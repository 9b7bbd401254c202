"""The hardening profile's schema: every knob, its type, its default and what it means.

Cerberus validates and normalises profiles with this schema. Defaults live here and nowhere else;
``meta.doc`` is the user documentation (``kgen schema-doc`` turns it into a reference page).
"""

from __future__ import annotations

from typing import Any

from kgen.target_registry import TARGET_NAMES

NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
VERSION_PATTERN = r"^v?1\.[0-9]{1,2}$"
# Node paths end up in flags, mounts and shell scripts: only characters that need no quoting anywhere;
# segments may not start with '.', so no '..', '/./', '//' or trailing '/'.
NODE_PATH_PATTERN = r"^(/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)+$"
URL_PATH_PATTERN = r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$"
DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"
HTTPS_URL_PATTERN = r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$"
# An image reference prefix without tag or digest, optionally ending in "/*" (a whole path segment wildcard).
REGISTRY_PATTERN = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*(/\*)?$"
FEATURE_GATE_PATTERN = r"^[A-Z][A-Za-z0-9]*$"
# An image reference with a tag and optional digest (kind node images); no characters that need quoting.
KIND_IMAGE_PATTERN = (
    r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*"
    r":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?$"
)
# A host folder, absolute or relative to the working folder; segments may not start with '.'.
HOST_PATH_PATTERN = r"^/?[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*(/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)*$"
TARGETS = list(TARGET_NAMES)
POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"]
TLS_VERSIONS = ["VersionTLS12", "VersionTLS13"]


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _bool(default: bool, doc: str) -> dict[str, Any]:
    return {"type": "boolean", "default": default, "meta": _doc(doc)}


def _node_path(default: str | None, doc: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "string", "regex": NODE_PATH_PATTERN, "meta": _doc(doc)}
    if default is None:
        rule["nullable"] = True
        rule["default"] = None
    else:
        rule["default"] = default
    return rule


def _section(doc: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "dict", "default": {}, "schema": schema, "meta": _doc(doc)}


def _enabled(doc: str, **extra: Any) -> dict[str, Any]:
    return _section(doc, {"enabled": _bool(False, "Turn the feature on."), **extra})


CIS_CIPHER_SUITES = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
]

PROFILE_SCHEMA: dict[str, Any] = {
    "name": {
        "type": "string",
        "required": True,
        "regex": NAME_PATTERN,
        "maxlength": 63,
        "meta": _doc("Profile name: lower-case letters, digits and '-'. Names the output folder."),
    },
    "description": {"type": "string", "default": "", "maxlength": 2000, "meta": _doc("One paragraph: who the profile is for.")},
    "extends": {
        "type": "string",
        "nullable": True,
        "default": None,
        "meta": _doc("A bundled profile name (e.g. 'cis') or a path relative to this file; its settings are the base."),
    },
    "kubernetesVersion": {
        "type": "string",
        "nullable": True,
        "default": None,
        "regex": VERSION_PATTERN,
        "meta": _doc('Kubernetes minor version, e.g. "1.35" (quote it). The CLI\'s -k overrides it. Default: newest supported.'),
    },
    "targets": {
        "type": "list",
        "default": ["kubeadm", "flags"],
        "schema": {"type": "string", "allowed": TARGETS},
        "meta": _doc("Targets `kgen render` writes when none is given on the command line."),
    },
    "cluster": _section(
        "Facts about the cluster that the rendered files need.",
        {
            "name": {"type": "string", "default": "kubernetes", "regex": NAME_PATTERN, "meta": _doc("Cluster name.")},
            "release": {
                "type": "string",
                "nullable": True,
                "default": None,
                "regex": r"^v1\.[0-9]{1,2}\.[0-9]{1,3}$",
                "meta": _doc("Exact release for kubeadm (e.g. v1.35.2); default: the 'stable-X.Y' label."),
            },
            "controlPlaneEndpoint": {
                "type": "string",
                "default": "",
                "regex": r"^$|^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9a-fA-F:]+\](:[0-9]{1,5})?$",
                "meta": _doc("Stable address (host:port) of the API server for a highly available control plane."),
            },
            "podSubnet": {"type": "string", "default": "", "regex": r"^$|^[0-9a-fA-F.:/,]+$", "meta": _doc("Pod CIDR(s).")},
            "serviceSubnet": {
                "type": "string",
                "default": "",
                "regex": r"^$|^[0-9a-fA-F.:/,]+$",
                "meta": _doc("Service CIDR(s)."),
            },
            "pkiDir": _node_path("/etc/kubernetes/pki", "Where the cluster's certificates and keys live on control-plane nodes."),
            "configDir": _node_path(
                "/etc/kubernetes/hardening",
                "Node directory for the files kgen renders for kube-apiserver "
                "(authentication, authorization, audit, admission, encryption).",
            ),
            "kubeletConfigPath": _node_path("/var/lib/kubelet/config.yaml", "Node path of the KubeletConfiguration file."),
            "certificateAlgorithm": {
                "type": "string",
                "default": "RSA-2048",
                "allowed": ["RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256"],
                "meta": _doc("Key algorithm kubeadm uses for the certificates it creates."),
            },
        },
    ),
    "anonymousAccess": _section(
        "What unauthenticated requests may reach on the API server.",
        {
            "mode": {
                "type": "string",
                "default": "health",
                "allowed": ["none", "health", "paths", "unrestricted"],
                "meta": _doc(
                    "none: anonymous requests are rejected (--anonymous-auth=false); health: only /healthz, /readyz and /livez "
                    "(AuthenticationConfiguration anonymous.conditions, KEP-4633); paths: health endpoints plus `paths`; "
                    "unrestricted: upstream default, anonymous requests reach the authorizer."
                ),
            },
            "paths": {
                "type": "list",
                "default": [],
                "schema": {"type": "string", "regex": URL_PATH_PATTERN},
                "meta": _doc("Extra URL paths anonymous requests may reach when mode is 'paths'."),
            },
        },
    ),
    "authentication": _section(
        "How the API server authenticates users and service accounts.",
        {
            "jwt": {
                "type": "list",
                "default": [],
                "maxlength": 64,
                "meta": _doc("External JWT/OIDC issuers, rendered into AuthenticationConfiguration (never as --oidc-* flags)."),
                "schema": {
                    "type": "dict",
                    "schema": {
                        "issuer": {
                            "type": "string",
                            "required": True,
                            "regex": HTTPS_URL_PATTERN,
                            "meta": _doc("Issuer URL (https)."),
                        },
                        "audiences": {
                            "type": "list",
                            "required": True,
                            "minlength": 1,
                            # no length limit: kube-apiserver sets none (validateAudiences)
                            "schema": {"type": "string", "minlength": 1},
                            "meta": _doc("Accepted audiences."),
                        },
                        "certificateAuthority": {
                            "type": "string",
                            "nullable": True,
                            "default": None,
                            "maxlength": 65536,
                            "regex": r"^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s-]*-----END CERTIFICATE-----\s*$",
                            "meta": {
                                **_doc(
                                    "PEM CA certificate(s) for the issuer (public; AuthenticationConfiguration holds it inline)."
                                ),
                                "multiline": True,
                            },
                        },
                        "usernameClaim": {"type": "string", "default": "sub", "regex": r"^[A-Za-z0-9_.:-]+$"},
                        "usernamePrefix": {"type": "string", "default": "", "regex": r"^[A-Za-z0-9_.:-]*$"},
                        "groupsClaim": {"type": "string", "default": "", "regex": r"^[A-Za-z0-9_.:-]*$"},
                        "groupsPrefix": {"type": "string", "default": "", "regex": r"^[A-Za-z0-9_.:-]*$"},
                    },
                },
            },
            "serviceAccounts": _section(
                "ServiceAccount token settings.",
                {
                    "issuer": {
                        "type": "string",
                        "nullable": True,
                        "default": None,
                        "regex": HTTPS_URL_PATTERN,
                        "meta": _doc(
                            "--service-account-issuer. Unset: kubeadm and kubespray derive it from the cluster's DNS domain "
                            "(https://kubernetes.default.svc.<domain>); changing it invalidates existing tokens."
                        ),
                    },
                    "maxTokenExpiration": {
                        "type": "string",
                        "nullable": True,
                        "default": None,
                        "regex": DURATION_PATTERN,
                        "meta": _doc("--service-account-max-token-expiration (e.g. 24h); unset: no limit."),
                    },
                    "extendTokenExpiration": _bool(False, "--service-account-extend-token-expiration; CIS 1.2.30 wants false."),
                    "lookup": _bool(True, "--service-account-lookup: reject tokens of deleted service accounts (CIS 1.2.21)."),
                },
            ),
        },
    ),
    "authorization": _section(
        "How the API server authorizes requests.",
        {
            "style": {
                "type": "string",
                "default": "flags",
                "allowed": ["flags", "file"],
                "meta": _doc(
                    "flags: --authorization-mode=Node,RBAC (what CIS 1.2.6-1.2.8 check); file: an AuthorizationConfiguration "
                    "passed with --authorization-config (needed for webhook matchConditions). A webhook forces 'file'."
                ),
            },
            "webhook": {
                "type": "dict",
                "nullable": True,
                "default": None,
                "meta": _doc("An authorization webhook placed after Node and RBAC."),
                "schema": {
                    "name": {"type": "string", "required": True, "regex": NAME_PATTERN},
                    "kubeConfigFile": {
                        "type": "string",
                        "required": True,
                        "regex": NODE_PATH_PATTERN,
                        "meta": _doc("Node path of the webhook's kubeconfig."),
                    },
                    "failurePolicy": {"type": "string", "default": "Deny", "allowed": ["Deny", "NoOpinion"]},
                    "timeout": {"type": "string", "default": "3s", "regex": DURATION_PATTERN},
                    "matchConditions": {
                        "type": "list",
                        "default": [],
                        "maxlength": 64,
                        "schema": {"type": "string", "minlength": 1, "maxlength": 4096, "meta": {"multiline": True}},
                        "meta": _doc("CEL expressions (may span lines); the webhook is called only when all are true."),
                    },
                },
            },
        },
    ),
    "admission": _section(
        "Admission control.",
        {
            "podSecurity": _section(
                "Pod Security Admission cluster defaults.",
                {
                    "enforce": {"type": "string", "default": "baseline", "allowed": POD_SECURITY_LEVELS},
                    "audit": {"type": "string", "default": "restricted", "allowed": POD_SECURITY_LEVELS},
                    "warn": {"type": "string", "default": "restricted", "allowed": POD_SECURITY_LEVELS},
                    "version": {"type": "string", "default": "latest", "regex": r"^latest$|^v1\.[0-9]{1,2}$"},
                    "exemptNamespaces": {
                        "type": "list",
                        "default": ["kube-system"],
                        "schema": {"type": "string", "regex": NAME_PATTERN},
                    },
                    "exemptUsernames": {"type": "list", "default": [], "schema": {"type": "string", "minlength": 1}},
                    "exemptRuntimeClasses": {"type": "list", "default": [], "schema": {"type": "string", "regex": NAME_PATTERN}},
                },
            ),
            "eventRateLimit": _section(
                "EventRateLimit admission plugin (CIS 1.2.9).",
                {
                    "enabled": _bool(True, "Enable the plugin."),
                    "limits": {
                        "type": "list",
                        "default": [
                            {"type": "Server", "qps": 5000, "burst": 20000},
                            {"type": "Namespace", "qps": 50, "burst": 100, "cacheSize": 2000},
                            {"type": "User", "qps": 50, "burst": 100, "cacheSize": 2000},
                        ],
                        "schema": {
                            "type": "dict",
                            "schema": {
                                "type": {
                                    "type": "string",
                                    "required": True,
                                    "allowed": ["Server", "Namespace", "User", "SourceAndObject"],
                                },
                                "qps": {"type": "integer", "required": True, "min": 1, "max": 1000000},
                                "burst": {"type": "integer", "required": True, "min": 1, "max": 1000000},
                                "cacheSize": {"type": "integer", "min": 1, "max": 1000000},
                            },
                        },
                    },
                },
            ),
            "alwaysPullImages": _bool(
                False, "AlwaysPullImages admission plugin (CIS 1.2.11, manual): every pod start needs the registry."
            ),
            "denyServiceExternalIPs": _bool(True, "DenyServiceExternalIPs (CIS 1.2.3; CVE-2020-8554)."),
        },
    ),
    "audit": _section(
        "API server audit logging.",
        {
            "enabled": _bool(True, "Write an audit log."),
            "policy": {
                "type": "string",
                "default": "cis",
                "allowed": ["cis", "metadata", "minimal"],
                "meta": _doc(
                    "cis: Metadata for secrets/configmaps/tokenreviews, RequestResponse for pod exec/attach/portforward and "
                    "workload changes; metadata: everything at Metadata; minimal: writes and secrets at Metadata only."
                ),
            },
            "logPath": _node_path("/var/log/kubernetes/audit/audit.log", "--audit-log-path (CIS 1.2.16)."),
            "maxAge": {"type": "integer", "default": 30, "min": 1, "max": 3650, "meta": _doc("Days (CIS 1.2.17: >= 30).")},
            "maxBackup": {"type": "integer", "default": 10, "min": 1, "max": 1000, "meta": _doc("Files (CIS 1.2.18: >= 10).")},
            "maxSize": {"type": "integer", "default": 100, "min": 1, "max": 100000, "meta": _doc("MB (CIS 1.2.19: >= 100).")},
        },
    ),
    "encryption": _section(
        "Encryption of API data at rest (CIS 1.2.27, 1.2.28).",
        {
            "enabled": _bool(True, "Encrypt the listed resources in etcd."),
            "provider": {
                "type": "string",
                "default": "secretbox",
                "allowed": ["kms", "secretbox", "aesgcm", "aescbc"],
                "meta": _doc("kms (KMS v2 plugin; preferred), or a local key: secretbox, aesgcm, aescbc."),
            },
            "resources": {
                "type": "list",
                "default": ["secrets"],
                "minlength": 1,
                "schema": {"type": "string", "regex": r"^(\*\.)?[a-z0-9.*-]+$"},
            },
            "keyFile": _node_path(
                "/etc/kubernetes/pki/encryption/key.b64",
                "Node path of the base64 key for a local provider. The key itself is never written to out/.",
            ),
            "kms": _section(
                "KMS v2 plugin.",
                {
                    "name": {"type": "string", "default": "kms", "regex": NAME_PATTERN},
                    "endpoint": {
                        "type": "string",
                        "default": "unix:///var/run/kmsplugin/socket.sock",
                        "regex": r"^unix:///[^\0\s]+$",
                    },
                    "timeout": {"type": "string", "default": "3s", "regex": DURATION_PATTERN},
                },
            ),
        },
    ),
    "tls": _section(
        "TLS for every serving component.",
        {
            "minVersion": {"type": "string", "default": "VersionTLS12", "allowed": TLS_VERSIONS},
            "cipherSuites": {
                "type": "list",
                "default": CIS_CIPHER_SUITES,
                "schema": {"type": "string", "regex": r"^TLS_[A-Z0-9_]+$"},
                "meta": _doc(
                    "TLS 1.2 cipher suites (TLS 1.3 suites are not configurable): names the components know; an insecure "
                    "one is a warning, and an error in a profile that extends cis or strict."
                ),
            },
        },
    ),
    "apiServer": _section(
        "kube-apiserver settings without a section of their own.",
        {
            "profiling": _bool(False, "--profiling (CIS 1.2.15)."),
            "requestTimeout": {"type": "string", "nullable": True, "default": None, "regex": DURATION_PATTERN},
            "verifyKubeletCertificates": _bool(
                True,
                "--kubelet-certificate-authority: verify kubelet serving certificates (CIS 1.2.5); "
                "needs kubelet.serverTLSBootstrap.",
            ),
        },
    ),
    "controllerManager": _section(
        "kube-controller-manager.",
        {
            "profiling": _bool(False, "--profiling (CIS 1.3.2)."),
            "bindAddress": {"type": "string", "default": "127.0.0.1", "regex": r"^[0-9a-fA-F.:]+$"},
            "useServiceAccountCredentials": _bool(True, "One credential per controller (CIS 1.3.3)."),
            "terminatedPodGCThreshold": {
                "type": "integer",
                "default": 1000,
                "min": 1,
                "max": 1000000,
                "meta": _doc("CIS 1.3.1."),
            },
        },
    ),
    "scheduler": _section(
        "kube-scheduler.",
        {
            "profiling": _bool(False, "--profiling (CIS 1.4.1)."),
            "bindAddress": {"type": "string", "default": "127.0.0.1", "regex": r"^[0-9a-fA-F.:]+$"},
        },
    ),
    "etcd": _section(
        "etcd run by the cluster (kubeadm local etcd or etcd.args).",
        {
            "render": _bool(True, "Render etcd's TLS flags."),
            "dataDir": _node_path("/var/lib/etcd", "etcd data directory."),
        },
    ),
    "kubelet": _section(
        "Kubelet hardening (KubeletConfiguration).",
        {
            "readOnlyPort": {
                "type": "integer",
                "default": 0,
                "allowed": [0],
                "meta": _doc("Must be 0: the read-only port has no authentication."),
            },
            "anonymousAuth": _bool(False, "authentication.anonymous.enabled (CIS 4.2.1)."),
            "webhookAuthentication": _bool(True, "authentication.webhook.enabled."),
            "webhookAuthorization": _bool(True, "authorization.mode Webhook (CIS 4.2.2)."),
            "rotateCertificates": _bool(True, "Client certificate rotation (CIS 4.2.10)."),
            "serverTLSBootstrap": _bool(True, "Serving certificates from the cluster CA through CSRs (needs an approver)."),
            "protectKernelDefaults": _bool(True, "Fail when kernel tunables differ from the kubelet's expectations."),
            "seccompDefault": _bool(True, "RuntimeDefault seccomp for every pod (CIS 4.2.14)."),
            "streamingConnectionIdleTimeout": {"type": "string", "default": "5m", "regex": DURATION_PATTERN},
            "eventRecordQPS": {"type": "integer", "default": 5, "min": 0, "max": 10000},
            "podPidsLimit": {"type": "integer", "default": 4096, "min": -1, "max": 4194304},
            "makeIPTablesUtilChains": _bool(True, "CIS 4.2.6."),
        },
    ),
    "kubeProxy": _section(
        "kube-proxy (KubeProxyConfiguration).",
        {
            "render": _bool(True, "Render a KubeProxyConfiguration."),
            "metricsBindAddress": {"type": "string", "default": "127.0.0.1:10249", "regex": r"^[0-9a-fA-F.:\[\]]+:[0-9]{1,5}$"},
        },
    ),
    "features": _section(
        "Feature policy and the newer security features.",
        {
            "allowAlpha": _bool(False, "Allow alpha feature gates (never on production clusters)."),
            "allowBetaOffByDefault": _bool(False, "Allow beta gates that upstream leaves off."),
            "gates": {
                "type": "dict",
                "default": {},
                "keysrules": {"type": "string", "regex": FEATURE_GATE_PATTERN},
                "valuesrules": {"type": "boolean"},
                "meta": _doc("Explicit feature-gate overrides, checked against the chosen version."),
            },
            "userNamespaces": _enabled(
                "User namespaces for pods (KEP-127): pods with hostUsers: false.",
                idsPerPod={"type": "integer", "default": 65536, "min": 65536, "max": 4294901760},
                hostNetwork=_bool(False, "Also allow hostNetwork pods in user namespaces (KEP-5607, alpha)."),
            ),
            "imagePullCredentialVerification": _section(
                "Kubelet re-checks pull credentials for images already on the node (KEP-2535).",
                {
                    "policy": {
                        "type": "string",
                        "nullable": True,
                        "default": None,
                        "allowed": ["AlwaysVerify", "NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages"],
                        "meta": _doc("State it explicitly: the upstream default NeverVerifyPreloadedImages surprises people."),
                    },
                    "allowlist": {
                        "type": "list",
                        "default": [],
                        "schema": {"type": "string", "regex": REGISTRY_PATTERN},
                        "meta": _doc(
                            "Images exempt from verification (NeverVerifyAllowlistedImages); "
                            "no tag or digest; '/*' suffix allowed."
                        ),
                    },
                },
            ),
            "imageVolumes": _enabled(
                "OCI images as read-only volumes (KEP-4639), limited to allowed registries by a ValidatingAdmissionPolicy.",
                allowedRegistries={"type": "list", "default": [], "schema": {"type": "string", "regex": REGISTRY_PATTERN}},
            ),
            "podCertificates": _enabled("Pod certificates for mTLS (KEP-4317) with ClusterTrustBundles (KEP-3257)."),
            "constrainedImpersonation": _enabled("Constrained impersonation verbs (KEP-5284)."),
            "kubeletServingCertValidation": _enabled("API server checks kubelet serving-certificate CN (KEP-4872)."),
            "csiServiceAccountTokenSecrets": _enabled("CSI drivers receive ServiceAccount tokens via secrets (KEP-5538)."),
            "authorizeWithSelectors": _enabled("Authorization with field and label selectors (KEP-4601)."),
            "orderedNamespaceDeletion": _enabled("Ordered namespace deletion: pods go before their policies (KEP-5080)."),
            "sidecarContainers": _enabled("Sidecar containers (KEP-753)."),
            "recursiveReadOnlyMounts": _enabled("Recursive read-only mounts (KEP-3857)."),
        },
    ),
    "rke2": _section(
        "RKE2 specifics (target rke2).",
        {
            "profile": {
                "type": "string",
                "default": "auto",
                "allowed": ["auto", "cis", "none"],
                "meta": _doc(
                    "RKE2's own `profile` key. cis: render `profile: cis` (RKE2 then checks the node's kernel "
                    "parameters and etcd user and forces protect-kernel-defaults, so kubelet.protectKernelDefaults must "
                    "be true); none: leave it out; auto: cis when kubelet.protectKernelDefaults is true."
                ),
            },
        },
    ),
    "kubeadm": _section(
        "kubeadm specifics.",
        {
            "discoveryFile": _node_path(
                "/etc/kubernetes/discovery.conf",
                "Joining nodes discover the cluster from this kubeconfig (file discovery), because anonymous access limited "
                "to health endpoints blocks bootstrap-token discovery of the cluster-info ConfigMap.",
            ),
            "featureGates": {
                "type": "dict",
                "default": {},
                "keysrules": {"type": "string", "regex": FEATURE_GATE_PATTERN},
                "valuesrules": {"type": "boolean"},
                "meta": _doc("kubeadm's own feature gates (ClusterConfiguration.featureGates), not the components'."),
            },
        },
    ),
    "capi": _section(
        "Target capi (Cluster API KubeadmControlPlane and KubeadmConfigTemplate fragments).",
        {
            "contract": {
                "type": "string",
                "default": "v1beta2",
                "allowed": ["v1beta2", "v1beta1"],
                "meta": _doc(
                    "Cluster API API version to write: v1beta2 (list-form extraArgs; Cluster API v1.11 and newer) or "
                    "v1beta1 (map-form extraArgs; older releases, deprecated from v1.11)."
                ),
            },
        },
    ),
    "kind": _section(
        "Target kind (a kind Cluster for trying the profile on one machine).",
        {
            "nodeImage": {
                "type": "string",
                "nullable": True,
                "default": None,
                "regex": KIND_IMAGE_PATTERN,
                "meta": _doc(
                    "kindest/node image for the nodes (e.g. kindest/node:v1.35.1). Unset: kindest/node at cluster.release, "
                    "else kind's own default image when it is of the profile's Kubernetes version, else a placeholder "
                    "that kind refuses to pull."
                ),
            },
            "nodeFilesFrom": {
                "type": "string",
                "nullable": True,
                "default": None,
                "regex": HOST_PATH_PATTERN,
                "meta": _doc(
                    "Folder holding the rendered node files, as seen from where `kind create cluster` runs (kind resolves "
                    "relative paths against its working folder). Unset: out/<profile>/kind/files, the default output folder."
                ),
            },
        },
    ),
}


def rule_at(dotted: str) -> dict[str, Any] | None:
    """The schema rule of a dotted profile key (e.g. "audit.maxAge"), or None if there is no such key."""
    schema: dict[str, Any] = PROFILE_SCHEMA
    rule: dict[str, Any] | None = None
    for part in dotted.split("."):
        if not isinstance(schema, dict) or part not in schema:
            return None
        rule = schema[part]
        schema = rule.get("schema", {}) if rule.get("type") == "dict" else {}
    return rule
