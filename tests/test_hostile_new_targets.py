"""Hostile profile strings through the capi, kind, rke2, k3s, talos and kops targets.

Every free-text knob of a profile carries shell metacharacters, YAML breakers, the heredoc delimiter of
kgen's scripts and Jinja markers. Each target's YAML (and the YAML carried as text inside it: Cluster API
files[], kind's kubeadmConfigPatches, Talos machine.files, kops fileAssets) must give the values back
byte for byte, and each shell script kgen writes must, when run with ``sh`` in a sandbox, run no injected
command and write the configuration it is meant to write.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kgen.errors import InternalError, KgenError
from kgen.profile import ProfileLoader
from kgen.render import render_profile
from kgen.targets.embedded import check_heredoc

TARGETS = ("capi", "kind", "rke2", "k3s", "talos", "kops")
VERSION = "1.37"
SH = shutil.which("sh")
MARKER = "kgen-injected"
INJECT = f"touch {MARKER}"
# Strings the shell, YAML, CEL and Jinja would each read as something other than text.
BREAKERS = [
    f"$({INJECT})",
    f"`{INJECT}`",
    f"; {INJECT}; '\" \\ ${{IFS}}{INJECT}",
    "a: b # not a comment",
    "- leading dash",
    "*alias",
    "&anchor x",
    "!tag x",
    "{ flow",
    "[ flow",
    "KGEN_EOF",
    "{{ lookup('pipe', 'id') }} {% raw %}",
    "\\",
    "'",
    '"',
]
AUDIENCES = [*BREAKERS, "plain", "a" * 1000, "ünï ☃ \u202e\u200b\ufeff\u00a0 ", " leading and trailing space "]
EXEMPT_USERNAMES = [*BREAKERS, "system:serviceaccount:ns:sa"]
MATCH_CONDITIONS = [
    f"request.user != \"$({INJECT})\" && request.user != '`{INJECT}`'",
    # the heredoc delimiter of kgen's scripts, alone on a line, then a command
    f"request.user != 'a' ||\nKGEN_EOF\n{INJECT}\n'b' == 'b'",
    "'x' == \"\\\\\" # not a comment: ${IFS} ; *alias &anchor !tag { [",
    "- {{ lookup('pipe', 'id') }} {% if x %}",
]
USERNAME_PREFIX = "oidc:-#"  # every character the schema allows beyond letters and digits, but '#'
NODE_DIR = "/etc/kubernetes/-x@y+z_w"  # node path characters: '-' may start a segment


def _profile_text(contract: str) -> str:
    profile = {
        "name": "hostile",
        "extends": "cis",
        "description": " ".join(BREAKERS),
        "cluster": {"name": "hostile-cluster"},
        "authentication": {
            "jwt": [
                {
                    "issuer": "https://issuer.example/$(touch)';x",
                    "audiences": AUDIENCES,
                    "usernamePrefix": USERNAME_PREFIX.removesuffix("#"),
                    "usernameClaim": "email",
                    "groupsClaim": "groups",
                    "groupsPrefix": "oidc:",
                }
            ]
        },
        "authorization": {
            "webhook": {"name": "w", "kubeConfigFile": f"{NODE_DIR}/webhook.conf", "matchConditions": MATCH_CONDITIONS}
        },
        "admission": {"podSecurity": {"exemptUsernames": EXEMPT_USERNAMES}},
        "anonymousAccess": {"mode": "paths", "paths": ["/$(touch)';x", "/a:b"]},
        "audit": {"logPath": "/var/log/-a@b+c_d/audit.log"},
        "encryption": {"keyFile": f"{NODE_DIR}/key.b64"},
        "capi": {"contract": contract},
    }
    return yaml.safe_dump(profile, allow_unicode=True, sort_keys=False)


# Kubernetes 1.33 takes kind's kubeadm v1beta3 patches (map-form extraArgs), with Cluster API's v1beta1 contract.
@pytest.fixture(scope="module", params=[("1.37", "v1beta2"), ("1.33", "v1beta1")], ids=["1.37-v1beta2", "1.33-v1beta1"])
def outputs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Target -> path inside the target folder -> content."""
    version, contract = request.param
    path = tmp_path_factory.mktemp("profile") / "hostile.yaml"
    path.write_text(_profile_text(contract), encoding="utf-8")
    result: dict[str, dict[str, str]] = {}
    for target in TARGETS:
        rendered = render_profile(ProfileLoader().load(str(path), version), [target])
        result[target] = {item.path.split("/", 2)[2]: item.content for item in rendered.files}
    return result


def _embedded(text: str) -> list[Any]:
    """The documents of a string that is itself a Kubernetes-style YAML file, else nothing."""
    if "kind: " not in text or text.startswith("#!"):
        return []
    try:
        return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict)]
    except yaml.YAMLError:
        return []


def _decoded(entry: dict[str, Any]) -> str:
    """A Cluster API files[] entry's text, as cloud-init writes it."""
    import gzip

    data = base64.b64decode(entry["content"], validate=True) if entry.get("encoding") else entry["content"].encode()
    return (gzip.decompress(data) if entry.get("encoding") == "gzip+base64" else data).decode("utf-8")


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in ``node``, including those in YAML carried as text (gzip+base64 content unpacked)."""
    if isinstance(node, dict):
        yield node
        content = node.get("content")
        if node.get("encoding") in ("base64", "gzip+base64") and isinstance(content, str):
            yield from _walk(_decoded(node))
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
    elif isinstance(node, str):
        for document in _embedded(node):
            yield from _walk(document)


def _documents(files: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path, text in sorted(files.items()):
        if path.endswith(".yaml"):
            for document in yaml.safe_load_all(text):  # must parse: a breaker that escaped would fail here
                found.extend(_walk(document))
    return found


def _of_kind(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [document for document in documents if document.get("kind") == kind]


# Which targets carry each configuration (the others say so in REPORT.md).
CARRIERS = {
    "AuthenticationConfiguration": TARGETS,
    "AuthorizationConfiguration": ("capi", "kind", "rke2", "k3s"),
    "PodSecurityConfiguration": TARGETS,
}


@pytest.mark.parametrize("target", TARGETS)
def test_every_yaml_document_parses_and_carries_the_values_exactly(outputs: dict[str, dict[str, str]], target: str) -> None:
    documents = _documents(outputs[target])
    authentication = _of_kind(documents, "AuthenticationConfiguration")
    authorization = _of_kind(documents, "AuthorizationConfiguration")
    pod_security = _of_kind(documents, "PodSecurityConfiguration")
    for kind, found in (
        ("AuthenticationConfiguration", authentication),
        ("AuthorizationConfiguration", authorization),
        ("PodSecurityConfiguration", pod_security),
    ):
        assert bool(found) == (target in CARRIERS[kind]), f"{target}: {kind} found {len(found)} times"
    for document in authentication:
        (jwt,) = document["jwt"]
        assert jwt["issuer"]["audiences"] == AUDIENCES
        assert jwt["issuer"]["url"] == "https://issuer.example/$(touch)';x"
        assert jwt["claimMappings"]["username"] == {"claim": "email", "prefix": USERNAME_PREFIX.removesuffix("#")}
        assert jwt["claimMappings"]["groups"] == {"claim": "groups", "prefix": "oidc:"}
        if target == "talos":  # Talos sets --anonymous-auth=false, which refuses an anonymous section (REPORT.md)
            assert "anonymous" not in document
        else:
            assert [c["path"] for c in document["anonymous"]["conditions"]][-2:] == ["/$(touch)';x", "/a:b"]
    for document in authorization:
        webhooks = [authorizer["webhook"] for authorizer in document["authorizers"] if authorizer["type"] == "Webhook"]
        assert [[c["expression"] for c in hook["matchConditions"]] for hook in webhooks] == [MATCH_CONDITIONS]
        assert webhooks[0]["connectionInfo"]["kubeConfigFile"].startswith(NODE_DIR) or target != "capi"
    for document in pod_security:
        assert document["exemptions"]["usernames"] == EXEMPT_USERNAMES


@pytest.mark.parametrize("target", TARGETS)
def test_the_description_stays_in_the_report(outputs: dict[str, dict[str, str]], target: str) -> None:
    """The description is Markdown text in REPORT.md only, never in a file a component or a shell reads."""
    description = " ".join(BREAKERS)
    for path, text in outputs[target].items():
        assert (description in text) == (path == "REPORT.md"), path


def test_kind_patches_parse_to_the_documents_they_patch(outputs: dict[str, dict[str, str]]) -> None:
    (cluster,) = yaml.safe_load_all(outputs["kind"]["kind-config.yaml"])
    patches = [yaml.safe_load(text) for text in cluster["kubeadmConfigPatches"]]
    assert all(isinstance(patch, dict) and patch["apiVersion"] and patch["kind"] for patch in patches)
    (configuration,) = [patch for patch in patches if patch["kind"] == "ClusterConfiguration"]
    extra_args = configuration["apiServer"]["extraArgs"]
    if configuration["apiVersion"].endswith("v1beta3"):
        arguments = dict(extra_args)
    else:
        arguments = {arg["name"]: arg["value"] for arg in extra_args}
    assert arguments["audit-log-path"] == "/var/log/-a@b+c_d/audit.log"
    mounted = {mount["containerPath"] for mount in cluster["nodes"][0]["extraMounts"]}
    assert arguments["authorization-config"] in mounted
    authorization = yaml.safe_load(outputs["kind"]["files" + arguments["authorization-config"]])
    assert [c["expression"] for c in authorization["authorizers"][-1]["webhook"]["matchConditions"]] == MATCH_CONDITIONS


# --- shell: the scripts kgen writes, run in a sandbox --------------------------------------------------


def _run(
    script: str, root: Path, rewrite: dict[str, str], env: dict[str, str] | None = None, *, expect_failure: bool = False
) -> str:
    """Run ``script`` with sh in ``root``, absolute paths moved under it; no injected command may run.

    Returns stdout, or stderr when the script is expected to refuse (exit 1).
    """
    assert SH is not None
    for old, new in rewrite.items():
        script = script.replace(old, new)
    path = root / "script.sh"
    path.write_text(script, encoding="utf-8")
    result = subprocess.run(
        [SH, str(path)], cwd=root, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    assert not list(root.rglob(MARKER)) and not Path(MARKER).exists(), "an injected command ran"
    assert result.returncode == (1 if expect_failure else 0), result.stderr
    return result.stderr if expect_failure else result.stdout


def _scripts(outputs: dict[str, dict[str, str]]) -> dict[str, str]:
    """Every shell script kgen writes, as files or as Cluster API files[] content."""
    scripts = {f"{target}/{path}": text for target in TARGETS for path, text in outputs[target].items() if path.endswith(".sh")}
    for name in ("kubeadm-control-plane.yaml", "kubeadm-config-template.yaml"):
        (document,) = yaml.safe_load_all(outputs["capi"][name])
        spec = document["spec"].get("kubeadmConfigSpec") or document["spec"]["template"]["spec"]
        for entry in spec["files"]:
            if entry["path"].endswith(".sh"):
                scripts[f"capi/{name}:{entry['path']}"] = entry["content"]
    return scripts


def test_no_profile_string_reaches_a_script(outputs: dict[str, dict[str, str]]) -> None:
    scripts = _scripts(outputs)
    assert set(scripts) == {
        "kind/scripts/make-encryption-config.sh",
        "capi/kubeadm-control-plane.yaml:/etc/kubernetes/kgen-scripts/install-encryption-config.sh",
        "capi/kubeadm-control-plane.yaml:/etc/kubernetes/kgen-scripts/create-join-token.sh",
    }
    for name, text in scripts.items():
        for value in [*BREAKERS[:3], *MATCH_CONDITIONS]:
            assert value not in text, name
        # the heredoc delimiter appears exactly where the template puts it
        assert text.count("KGEN_EOF") in (0, 2), name


def test_capi_files_carry_no_jinja_marker_for_cloud_init(outputs: dict[str, dict[str, str]]) -> None:
    """Cluster API's cloud-init user data is a Jinja template: '{{' in a CEL string or audience would run there."""
    encoded = []
    for name in ("kubeadm-control-plane.yaml", "kubeadm-config-template.yaml"):
        (document,) = yaml.safe_load_all(outputs["capi"][name])
        spec = document["spec"].get("kubeadmConfigSpec") or document["spec"]["template"]["spec"]
        for entry in spec["files"]:
            if "content" not in entry:
                continue
            assert not any(marker in entry["content"] for marker in ("{{", "{%", "{#")), entry["path"]
            if entry.get("encoding"):
                encoded.append(entry["path"])
                assert "{{ lookup('pipe', 'id') }}" in _decoded(entry)
    assert sorted(encoded) == [
        "/etc/kubernetes/hardening/admission-config.yaml",
        "/etc/kubernetes/hardening/authentication-config.yaml",
        "/etc/kubernetes/hardening/authorization-config.yaml",
    ]


def test_capi_commands_run_scripts_it_delivers(outputs: dict[str, dict[str, str]]) -> None:
    (document,) = yaml.safe_load_all(outputs["capi"]["kubeadm-control-plane.yaml"])
    spec = document["spec"]["kubeadmConfigSpec"]
    delivered = {entry["path"] for entry in spec["files"] if "content" in entry}
    commands = spec["preKubeadmCommands"] + spec["postKubeadmCommands"]
    assert commands and all(command in delivered and command.endswith(".sh") for command in commands)


@pytest.mark.skipif(SH is None, reason="no sh")
def test_kind_encryption_script_runs_inert(outputs: dict[str, dict[str, str]], tmp_path: Path) -> None:
    script = outputs["kind"]["scripts/make-encryption-config.sh"]
    host_dir = "/tmp/kgen-kind-hostile"
    assert host_dir in script
    sandbox = tmp_path / "keys"
    stdout = _run(script, tmp_path, {host_dir: str(sandbox)})
    written = sandbox / "encryption-config.yaml"
    assert f"wrote {written}" in stdout
    (config,) = yaml.safe_load_all(written.read_text(encoding="utf-8"))
    assert config["kind"] == "EncryptionConfiguration"
    (provider, identity) = config["resources"][0]["providers"]
    assert identity == {"identity": {}}
    (key,) = provider["secretbox"]["keys"]
    assert len(base64.b64decode(key["secret"], validate=True)) == 32
    assert (written.stat().st_mode & 0o777) == 0o600
    assert f"kept {written}" in _run(script, tmp_path, {host_dir: str(sandbox)})
    assert written.read_text(encoding="utf-8").count(key["secret"]) == 1


@pytest.mark.skipif(SH is None, reason="no sh")
@pytest.mark.parametrize(
    "key",
    [f"$({INJECT})`{INJECT}`", '\\"x', 'a"\nKGEN_EOF\n', "a b", "", "*"],
    ids=["substitution", "quote-escape", "heredoc-delimiter", "space", "empty", "glob"],
)
def test_capi_install_script_refuses_a_key_that_is_not_base64(
    outputs: dict[str, dict[str, str]], tmp_path: Path, key: str
) -> None:
    """The key comes from a Secret someone else writes, into a YAML double-quoted string: kube-apiserver
    takes base64 only, and anything else could break out of the quotes."""
    (script,) = [text for name, text in _scripts(outputs).items() if name.endswith("install-encryption-config.sh")]
    root = tmp_path / "node"
    key_file = root / NODE_DIR.lstrip("/") / "key.b64"
    key_file.parent.mkdir(parents=True)
    key_file.write_text(key, encoding="utf-8")
    stderr = _run(script, tmp_path, {"/etc/kubernetes/": f"{root}/etc/kubernetes/"}, expect_failure=True)
    assert f"not a base64 key: {key_file}" in stderr
    assert not (root / "etc/kubernetes/hardening").exists()


@pytest.mark.skipif(SH is None, reason="no sh")
def test_capi_install_script_writes_the_key(outputs: dict[str, dict[str, str]], tmp_path: Path) -> None:
    (script,) = [text for name, text in _scripts(outputs).items() if name.endswith("install-encryption-config.sh")]
    root = tmp_path / "node"
    key_file = root / NODE_DIR.lstrip("/") / "key.b64"
    key_file.parent.mkdir(parents=True)
    key = base64.b64encode(bytes(range(32))).decode("ascii")
    key_file.write_text(key + "\n", encoding="utf-8")
    _run(script, tmp_path, {"/etc/kubernetes/": f"{root}/etc/kubernetes/"})
    written = root / "etc/kubernetes/hardening/encryption-config.yaml"
    (config,) = yaml.safe_load_all(written.read_text(encoding="utf-8"))
    assert config["resources"][0]["providers"] == [{"secretbox": {"keys": [{"name": "key1", "secret": key}]}}, {"identity": {}}]
    assert (written.stat().st_mode & 0o777) == 0o600


def _join_token_sandbox(tmp_path: Path, token: str) -> tuple[Path, Path, dict[str, str]]:
    """A node with the token file and a kubeadm that records its arguments, fails ``token create`` and lists one token."""
    root = tmp_path / "node"
    (root / "etc/kubernetes").mkdir(parents=True)
    (root / "etc/kubernetes/kgen-join-token").write_text(token + "\n", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "kubeadm"
    fake.write_text(
        '#!/bin/sh\nfor arg in "$@"; do printf "%s\\n" "$arg"; done >> "$KGEN_ARGS"\n'
        '[ "$2" = list ] && echo "zzzzzz.zzzzzzzzzzzzzzzz   <forever>   <never>"\nexit "$KGEN_EXIT"\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    arguments = tmp_path / "arguments"
    arguments.touch()
    return root, arguments, {"PATH": f"{bin_dir}:{os.environ['PATH']}", "KGEN_ARGS": str(arguments)}


@pytest.mark.skipif(SH is None, reason="no sh")
def test_capi_join_token_script_passes_the_token_as_one_argument(outputs: dict[str, dict[str, str]], tmp_path: Path) -> None:
    (script,) = [text for name, text in _scripts(outputs).items() if name.endswith("create-join-token.sh")]
    token = "abcdef.0123456789abcdef"
    root, arguments, env = _join_token_sandbox(tmp_path, token)
    _run(script, tmp_path, {"/etc/kubernetes/": f"{root}/etc/kubernetes/"}, {**env, "KGEN_EXIT": "0"})
    called = arguments.read_text(encoding="utf-8").splitlines()
    assert called[:3] == ["token", "create", token]
    assert called[called.index("--kubeconfig") + 1] == f"{root}/etc/kubernetes/admin.conf"


@pytest.mark.skipif(SH is None, reason="no sh")
@pytest.mark.parametrize("token", [f"$({INJECT})", f"`{INJECT}`", ".*", "abcdef.0123456789abcdef x", ""])
def test_capi_join_token_script_refuses_what_kubeadm_would(
    outputs: dict[str, dict[str, str]], tmp_path: Path, token: str
) -> None:
    """A token the Secret holds in the wrong form: kubeadm would not create it, and '.*' would match another token."""
    (script,) = [text for name, text in _scripts(outputs).items() if name.endswith("create-join-token.sh")]
    root, arguments, env = _join_token_sandbox(tmp_path, token)
    rewrite = {"/etc/kubernetes/": f"{root}/etc/kubernetes/"}
    stderr = _run(script, tmp_path, rewrite, {**env, "KGEN_EXIT": "1"}, expect_failure=True)
    assert f"not a bootstrap token, [a-z0-9]{{6}}.[a-z0-9]{{16}}: {root}/etc/kubernetes/kgen-join-token" in stderr
    assert arguments.read_text(encoding="utf-8") == ""


# --- refusals: located, and only what the component refuses ------------------------------------------


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('admission:\n  podSecurity:\n    exemptUsernames: ["a\\nb"]\n', "admission.podSecurity.exemptUsernames.0"),
        (
            'authentication:\n  jwt:\n  - issuer: https://i.example\n    audiences: ["a\\tb"]\n',
            "authentication.jwt.0.audiences.0",
        ),
        (
            "authentication:\n  jwt:\n  - issuer: https://i.example\n    audiences: [a]\n    usernamePrefix: 'a b'\n",
            "authentication.jwt.0.usernamePrefix",
        ),
        ("cluster:\n  name: 'a;b'\n", "cluster.name"),
        ("kind:\n  nodeFilesFrom: 'out/$(id)'\n", "kind.nodeFilesFrom"),
        ('audit:\n  logPath: "/var/log/a\'b"\n', "audit.logPath"),
    ],
)
@pytest.mark.parametrize("target", TARGETS)
def test_refused_values_are_located(tmp_path: Path, body: str, where: str, target: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nextends: cis\n" + body, encoding="utf-8")
    with pytest.raises(KgenError) as raised:
        render_profile(ProfileLoader().load(str(path), VERSION), [target])
    message = str(raised.value)
    assert f"{path}:" in message and f"error: {where}:" in message, message


def test_every_breaker_is_accepted(outputs: dict[str, dict[str, str]]) -> None:
    """The API server takes any non-empty audience, username and CEL text: kgen must not refuse them."""
    assert set(outputs) == set(TARGETS) and all(outputs.values())


def test_repeats_kube_apiserver_refuses_are_located(tmp_path: Path) -> None:
    path = tmp_path / "repeats.yaml"
    path.write_text(
        "name: repeats\nextends: cis\n"
        "authentication:\n  jwt:\n"
        "  - issuer: https://i.example\n    audiences: ['$(x)', b, '$(x)']\n"
        "  - issuer: https://i.example\n    audiences: [a]\n"
        "authorization:\n  webhook:\n    name: w\n    kubeConfigFile: /etc/kubernetes/webhook.conf\n"
        "    matchConditions: ['true', 'true', \"\\n \"]\n",
        encoding="utf-8",
    )
    with pytest.raises(KgenError) as raised:
        ProfileLoader().load(str(path), VERSION)
    lines = str(raised.value).splitlines()
    assert lines == [
        f"{path}:6:28: error: authentication.jwt.0.audiences.2: repeats the audience at authentication.jwt.0.audiences.0; "
        "kube-apiserver refuses a repeated audience [duplicates]",
        f"{path}:7:5: error: authentication.jwt.1.issuer: repeats the issuer at authentication.jwt.0.issuer; "
        "kube-apiserver refuses two JWT authenticators with one issuer URL [duplicates]",
        f"{path}:13:31: error: authorization.webhook.matchConditions.1: repeats the condition at "
        "authorization.webhook.matchConditions.0; kube-apiserver refuses a repeated match condition [duplicates]",
        f"{path}:13:39: error: authorization.webhook.matchConditions.2: is only white space, which kube-apiserver "
        "refuses as a missing expression [cel]",
    ]


@pytest.mark.parametrize(
    "text",
    ["secret: $(id)\n", "secret: `id`\n", "secret: a\\\\b\n", "expression: |\n  a\nKGEN_EOF\n", "x: ${IFS}\n"],
)
def test_text_the_shell_would_read_in_a_heredoc_is_a_bug(text: str) -> None:
    """The guard behind every install script: only the key's own reference may expand."""
    with pytest.raises(InternalError, match="heredoc"):
        check_heredoc("where", text, {'"${KEY}"': "placeholder"})
    check_heredoc("where", 'secret: "${KEY}"\n', {'"${KEY}"': "placeholder"})


def test_capi_refuses_a_file_cluster_api_cannot_hold(tmp_path: Path) -> None:
    """64 long match conditions do not fit files[].content even gzipped: a located problem, not a bug."""
    import random
    import string

    rng = random.Random(0)
    conditions = ["'" + "".join(rng.choices(string.ascii_letters, k=4000)) + "' != request.user" for _ in range(64)]
    path = tmp_path / "long.yaml"
    webhook = {"name": "w", "kubeConfigFile": "/etc/kubernetes/webhook.conf", "matchConditions": conditions}
    path.write_text(yaml.safe_dump({"name": "long", "extends": "cis", "authorization": {"webhook": webhook}}), encoding="utf-8")
    with pytest.raises(KgenError) as raised:
        render_profile(ProfileLoader().load(str(path), VERSION), ["capi"])
    (line,) = str(raised.value).splitlines()
    assert line.startswith(
        f"{path}:1:1: error: authorization: target capi: /etc/kubernetes/hardening/authorization-config.yaml is "
    )
    assert line.endswith("Cluster API's files[].content holds at most 10240: shorten what authorization sets [capi]")
    assert render_profile(ProfileLoader().load(str(path), VERSION), ["kind"]).files
