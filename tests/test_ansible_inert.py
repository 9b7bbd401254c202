"""Profile strings stay inert in Ansible: the kubespray and ansible vars, loaded and templated by ansible-core.

A profile puts every Jinja construct Ansible evaluates ({{ }}, {% %}, {# #}, #jinja2: headers that change the
delimiters, unterminated forms) into every free-text knob, each construct running a lookup('pipe', ...) that
would create a marker file. The rendered vars are loaded the way users load them (kubespray's inventory
group_vars, the role's vars_files) and every variable is templated by ansible-playbook; each must come back
byte for byte and the marker must not exist. The only values Ansible evaluates are the role's own expressions
that the ansible target keeps on purpose (ansible.role_evaluated_paths), and those must evaluate.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kgen import yamlout
from kgen.cli import app
from kgen.targets import ansible, kubespray
from kgen.targets.managed import platforms

# The ansible-core of the test extra; KGEN_TEST_ANSIBLE_PLAYBOOK runs the same checks under another (e.g. 2.17).
ANSIBLE_PLAYBOOK = Path(os.environ.get("KGEN_TEST_ANSIBLE_PLAYBOOK") or Path(sys.executable).parent / "ansible-playbook")
POD_NETWORK_CIDR = "10.244.0.0/16"
# Mapping keys are never tagged (Ansible does not template keys): they must be names, never free text.
KEY = re.compile(r"^[A-Za-z0-9_.-]+$")


def constructs(marker: Path) -> list[str]:
    """Each Jinja form Ansible would evaluate or alter, each trying to create ``marker``."""
    run = f"lookup('pipe', 'touch {marker}')"
    return [
        f"{{{{ {run} }}}}",
        f"{{% if {run} %}}x{{% endif %}}",
        f"a{{# {run} #}}b",
        f"#jinja2:variable_start_string:'[[',variable_end_string:']]'\n[[ {run} ]]",
        f"#jinja2:variable_start_string:'[[', variable_end_string:']]' [[ {run} ]]",
        f"#jinja2:block_start_string:'<%',block_end_string:'%>'\n<% if {run} %>x<% endif %>",
        f"#jinja2:comment_start_string:'<#',comment_end_string:'#>'\na<# x #>b{{{{ {run} }}}}",
        "{{ unterminated",
        "{% if unterminated",
        "{# unterminated",
        "}} {% endraw %} #} %}",
        f"{{% raw %}}{{{{ x }}}}{{% endraw %}}{{{{ {run} }}}}",
        f"$({run}) `{run}` ${{{{ x }}}}",
        # Text ansible-core 2.19 would read as another type under !unsafe: left untagged, and must stay a string.
        "false",
        "1.30",
        "~",
        "0x1F",
        "2024-01-01",
    ]


def one_line_constructs(marker: Path) -> list[str]:
    """The constructs a knob that refuses control characters can hold (all but CEL match conditions)."""
    return [value for value in constructs(marker) if "\n" not in value]


def hostile_profile(folder: Path, marker: Path) -> Path:
    """Every free-text knob of kgen/profile_schema.py (no pattern limits it) holds every construct."""
    values = constructs(marker)
    # Only CEL match conditions may span lines; every other knob refuses control characters.
    one_line = one_line_constructs(marker)
    profile = {
        "name": "hostile",
        "extends": "strict",
        "description": " ".join(value.replace("\n", " ") for value in values),
        "anonymousAccess": {"mode": "paths", "paths": ["/version", "/a'$(x)%(y)s;=:@!*+,~"]},
        "authentication": {
            "jwt": [
                {"issuer": "https://issuer.example.com/a'$&;=", "audiences": list(one_line), "usernamePrefix": "oidc:"},
            ],
        },
        "authorization": {
            "style": "file",
            "webhook": {"name": "policy", "kubeConfigFile": "/etc/kubernetes/webhook.conf", "matchConditions": list(values)},
        },
        "admission": {"podSecurity": {"exemptUsernames": list(one_line)}},
    }
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return path


def _ansible_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(
        HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="true",
        ANSIBLE_CONFIG=str(home / "ansible.cfg"),
    )
    return env


class _TaggedLoader(yaml.SafeLoader):
    """Reads !unsafe as the string it tags, remembering which strings carried the tag."""


def _tagged(loader: yaml.Loader, node: yaml.Node) -> Any:
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return _Tagged(value)


class _Tagged(str):
    __slots__ = ()


_TaggedLoader.add_constructor("!unsafe", _tagged)


def load_vars(text: str) -> dict[str, Any]:
    documents = [doc for doc in yaml.load_all(text, Loader=_TaggedLoader) if doc is not None]
    assert len(documents) == 1
    data: dict[str, Any] = documents[0]
    return data


def untagged_strings(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of strings without the !unsafe tag that Ansible reads as strings; fails on a key that is not a plain name."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            assert KEY.match(str(key)), f"{path}: mapping key {key!r} is not a plain name"
            found.extend(untagged_strings(item, (*path, key)))
        return found
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in untagged_strings(item, (*path, index))]
    if isinstance(value, str) and not isinstance(value, _Tagged) and not yamlout.read_as_other_type(value):
        return [path]
    return []


def template_with_ansible(vars_text: str, work: Path, marker: Path, *, inventory_group: str | None) -> dict[str, Any]:
    """Every top-level variable of the vars file, templated by ansible-playbook, as JSON."""
    names = list(load_vars(vars_text))
    assert names and all(re.match(r"^[a-z_][a-z0-9_]*$", name) for name in names)
    result = work / "templated.json"
    expression = "{{ {" + ", ".join(f"'{name}': {name}" for name in names) + "} | to_json }}"
    play: dict[str, Any] = {
        "hosts": "all",
        "gather_facts": False,
        "vars": {"kubernetes_pod_network": {"cidr": POD_NETWORK_CIDR}},
        "tasks": [{"ansible.builtin.copy": {"dest": str(result), "content": expression, "mode": "0600"}}],
    }
    (work / "tmp").mkdir(exist_ok=True)
    (work / "ansible.cfg").write_text("[defaults]\nretry_files_enabled = false\n", encoding="utf-8")
    if inventory_group:
        vars_file = work / "inventory" / "group_vars" / inventory_group / "kgen.yml"
        vars_file.parent.mkdir(parents=True)
        inventory = work / "inventory" / "hosts.ini"
        inventory.write_text(f"[{inventory_group}]\nlocalhost\n", encoding="utf-8")
    else:
        vars_file = work / "vars" / "kgen.yml"
        vars_file.parent.mkdir(parents=True)
        inventory = work / "hosts.ini"
        inventory.write_text("localhost\n", encoding="utf-8")
        play["vars_files"] = [str(vars_file)]
    vars_file.write_text(vars_text, encoding="utf-8")
    playbook = work / "play.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    completed = subprocess.run(
        [
            str(ANSIBLE_PLAYBOOK),
            "-i",
            str(inventory),
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            str(playbook),
        ],
        cwd=work,
        env=_ansible_env(work),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert not marker.exists(), "a profile string ran a command on the Ansible controller"
    assert completed.returncode == 0, completed.stdout + completed.stderr
    templated: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return templated


@pytest.fixture(scope="module")
def hostile_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    marker = folder / "command-ran"
    profile = hostile_profile(folder, marker)
    result = CliRunner().invoke(app, ["render", str(profile), "-t", "kubespray", "-t", "ansible", "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out" / "hostile", marker


def test_the_hostile_profile_reaches_every_free_text_knob(hostile_render: tuple[Path, Path]) -> None:
    out, marker = hostile_render
    kubespray_vars = load_vars((out / "kubespray" / kubespray.VARS_PATH).read_text(encoding="utf-8"))
    for value in constructs(marker):
        if "\n" not in value:
            assert value in kubespray_vars["kube_pod_security_exemptions_usernames"]
            assert value in kubespray_vars["kube_apiserver_authentication_config_jwt"][0]["issuer"]["audiences"]
        conditions = kubespray_vars["kube_apiserver_authorization_config_authorizers"][-1]["webhook"]["matchConditions"]
        assert {"expression": value} in conditions
    role_text = (out / "ansible" / ansible.VARS_PATH).read_text(encoding="utf-8")
    node_files = "".join(entry["content"] for entry in load_vars(role_text)["kgen_node_files"])
    assert all(value.split("\n")[0] in node_files for value in constructs(marker))


@pytest.mark.parametrize("target", ["kubespray", "ansible"])
def test_ansible_templates_every_variable_back_byte_for_byte(
    target: str, hostile_render: tuple[Path, Path], tmp_path: Path
) -> None:
    out, marker = hostile_render
    module = kubespray if target == "kubespray" else ansible
    text = (out / target / module.VARS_PATH).read_text(encoding="utf-8")
    expected = json.loads(json.dumps(load_vars(text)))
    if target == "ansible":  # the role's own expression, which Ansible is meant to evaluate
        networking = expected[platforms()["ansible"]["objectVariables"]["ClusterConfiguration"]]["networking"]
        assert networking["podSubnet"] == "{{ kubernetes_pod_network.cidr }}"
        networking["podSubnet"] = POD_NETWORK_CIDR
    group = "k8s_cluster" if target == "kubespray" else None
    templated = template_with_ansible(text, tmp_path, marker, inventory_group=group)
    for name, value in expected.items():
        assert templated[name] == value, name
    assert templated == expected


@pytest.mark.parametrize("profile", ["baseline", "cis", "strict"])
def test_every_string_is_unsafe_except_the_roles_own_expressions(profile: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["render", profile, "-t", "kubespray", "-t", "ansible", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    spray = load_vars((tmp_path / profile / "kubespray" / kubespray.VARS_PATH).read_text(encoding="utf-8"))
    assert untagged_strings(spray) == []
    role = load_vars((tmp_path / profile / "ansible" / ansible.VARS_PATH).read_text(encoding="utf-8"))
    variable = platforms()["ansible"]["objectVariables"]["ClusterConfiguration"]
    assert untagged_strings(role) == [(variable, "networking", "podSubnet")]
    assert role[variable]["networking"]["podSubnet"] in platforms()["ansible"]["roleExpressions"]


def test_a_profile_pod_subnet_replaces_the_roles_expression_and_is_tagged(tmp_path: Path) -> None:
    path = tmp_path / "subnet.yaml"
    path.write_text("name: subnet\nextends: cis\ncluster:\n  podSubnet: 10.32.0.0/12\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["render", str(path), "-t", "ansible", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    role = load_vars((tmp_path / "out" / "subnet" / "ansible" / ansible.VARS_PATH).read_text(encoding="utf-8"))
    assert untagged_strings(role) == []
