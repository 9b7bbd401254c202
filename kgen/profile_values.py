"""Value checks a schema cannot express: every profile value as strict as the component that reads it.

The schema (kgen.profile_schema) checks each value alone. This module checks what the components
would refuse beyond that: control characters in any string, TLS cipher suites the component does
not know (and insecure ones), an empty EventRateLimit, a release of another minor version, two
kube-apiserver volumes on one mount path, and ports, addresses and CIDRs out of range. Each finding
names the profile key it is about; the profile loader turns it into a located problem.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

KeyPath = tuple[str | int, ...]

# Characters no profile string may hold: C0/C1 controls and DEL (category Cc), plus the Unicode line
# and paragraph separators, which YAML and many readers treat as line breaks. Multi-line fields
# (schema meta "multiline") may hold a line feed, nothing else.
_LINE_SEPARATORS = frozenset("\u2028\u2029")
_MULTILINE_ALLOWED = frozenset("\n")


class Finding(NamedTuple):
    path: KeyPath
    message: str
    rule: str
    severity: str = "error"


# Unicode's control characters (general category Cc) are exactly U+0000-U+001F and U+007F-U+009F;
# a range test spares importing unicodedata on every render.
_CONTROL_CODES = re.compile("[\x00-\x1f\x7f-\x9f]")


def _is_control(ch: str) -> bool:
    return _CONTROL_CODES.match(ch) is not None


def _bad_characters(text: str, allowed: frozenset[str]) -> list[str]:
    return sorted({ch for ch in text if ch not in allowed and (_is_control(ch) or ch in _LINE_SEPARATORS)})


def _describe(characters: list[str]) -> str:
    return ", ".join(f"U+{ord(ch):04X}" for ch in characters)


def _inner_rules(rules: dict[str, Any]) -> dict[str, Any] | None:
    """The rules of the container inside ``rules``: a mapping's fields or a list's item rules."""
    return rules.get("schema") if isinstance(rules.get("schema"), dict) else None


def control_character_findings(data: Any, schema: dict[str, Any], path: KeyPath = ()) -> Iterator[Finding]:
    """Every string in ``data`` (a profile mapping, raw or normalised) that holds a control character.

    One rule for every string knob: the schema only decides whether a field may span lines.
    """
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        rules = schema.get(key) if isinstance(key, str) else None
        yield from _value_findings(value, rules if isinstance(rules, dict) else {}, (*path, key))


def _value_findings(value: Any, rules: dict[str, Any], path: KeyPath) -> Iterator[Finding]:
    if isinstance(value, str):
        multiline = bool(rules.get("meta", {}).get("multiline"))
        bad = _bad_characters(value, _MULTILINE_ALLOWED if multiline else frozenset())
        if bad:
            yield Finding(
                path,
                f"holds control character(s) {_describe(bad)}, which no profile string may hold "
                "(they split flag lines and change what YAML, CEL and shells read)",
                "control-characters",
            )
        return
    inner = _inner_rules(rules)
    if isinstance(value, dict):
        if rules.get("type") == "dict" and inner is not None and "type" not in inner:
            yield from control_character_findings(value, inner, path)
            return
        values_rules = rules.get("valuesrules", {})
        for key, item in value.items():
            yield from _value_findings(item, values_rules if isinstance(values_rules, dict) else {}, (*path, key))
    elif isinstance(value, list):
        item_rules = inner or {}
        for index, item in enumerate(value):
            yield from _value_findings(item, item_rules, (*path, index))


def string_field_paths(schema: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], bool, bool]]:
    """(path, is a list item, multiline) for every string field of ``schema``; lists are shown as one item."""
    for key, rules in schema.items():
        kind = rules.get("type")
        inner = _inner_rules(rules)
        if kind == "string":
            yield (*path, key), False, bool(rules.get("meta", {}).get("multiline"))
        elif kind == "dict" and inner is not None:
            yield from string_field_paths(inner, (*path, key))
        elif kind == "list" and inner is not None:
            if inner.get("type") == "string":
                yield (*path, key), True, bool(inner.get("meta", {}).get("multiline"))
            elif inner.get("type") == "dict":
                for sub, is_item, multiline in string_field_paths(inner["schema"], ()):
                    yield (*path, key, *sub), is_item, multiline


# --- checks on the normalised profile ---------------------------------------------------------------


def cipher_findings(data: dict[str, Any], bundled_ancestors: set[str]) -> Iterator[Finding]:
    from kgen.knowledge._data import load

    table = load("tls-cipher-suites.json")["table"]
    suites: dict[str, dict[str, Any]] = table["suites"]
    strict_under = [name for name in table["refuseInsecureUnder"] if name in bundled_ancestors]
    for index, name in enumerate(data["tls"]["cipherSuites"]):
        path: KeyPath = ("tls", "cipherSuites", index)
        if name not in suites:
            yield Finding(
                path, f"{name} is not a cipher suite the Kubernetes components know; they refuse to start with it", "tls"
            )
        elif suites[name]["insecure"]:
            why = f"{name} is insecure (Go's crypto/tls lists it in InsecureCipherSuites)"
            if strict_under:
                yield Finding(path, f"{why}; a profile extending {strict_under[0]!r} may not use it", "tls")
            else:
                yield Finding(path, why, "tls", "warning")


def event_rate_limit_findings(data: dict[str, Any]) -> Iterator[Finding]:
    limits = data["admission"]["eventRateLimit"]
    if not limits["enabled"]:
        return
    if not limits["limits"]:
        yield Finding(
            ("admission", "eventRateLimit", "limits"),
            "EventRateLimit needs at least one limit (kube-apiserver refuses an empty list); set enabled: false instead",
            "admission",
        )
    seen: set[str] = set()
    for index, limit in enumerate(limits["limits"]):
        if limit["type"] in seen:
            yield Finding(
                ("admission", "eventRateLimit", "limits", index, "type"),
                f"a second limit of type {limit['type']}; kube-apiserver allows one per type",
                "admission",
            )
        seen.add(limit["type"])


def release_findings(data: dict[str, Any], version: str) -> Iterator[Finding]:
    release = data["cluster"]["release"]
    if release is None:
        return
    minor = ".".join(release.lstrip("v").split(".")[:2])
    if minor != version:
        yield Finding(
            ("cluster", "release"),
            f"{release} is a Kubernetes {minor} release, but the profile renders for {version}",
            "version",
        )


class _Mount(NamedTuple):
    directory: str
    path: KeyPath
    what: str


def _apiserver_mounts(data: dict[str, Any]) -> list[_Mount]:
    """The kube-apiserver host directories the rendered configuration mounts, with the key that names each.

    kubeadm's own volumes come first, so that a clash names the kgen volume the profile can move.
    """
    from kgen.knowledge._data import load

    kubeadm = load("kubeadm-volumes.json")["table"]
    cluster = data["cluster"]
    mounts = [_Mount(path, (), "kubeadm's own CA bundle volume") for path in [*kubeadm["always"], *kubeadm["whenPresent"]]]
    mounts += [
        _Mount(cluster["pkiDir"], ("cluster", "pkiDir"), "kubeadm's certificate volume"),
        _Mount(cluster["configDir"], ("cluster", "configDir"), "the read-only volume of kgen's files"),
    ]
    webhook = data["authorization"]["webhook"]
    if webhook is not None:
        directory = webhook["kubeConfigFile"].rsplit("/", 1)[0] or "/"
        if directory != cluster["configDir"]:  # read from the config volume itself: no volume of its own
            mounts.append(_Mount(directory, ("authorization", "webhook", "kubeConfigFile"), "the webhook kubeconfig's volume"))
    if data["audit"]["enabled"]:
        directory = data["audit"]["logPath"].rsplit("/", 1)[0] or "/"
        mounts.append(_Mount(directory, ("audit", "logPath"), "the writable audit log volume"))
    return mounts


def mount_findings(data: dict[str, Any]) -> Iterator[Finding]:
    seen: dict[str, _Mount] = {}
    for mount in _apiserver_mounts(data):
        first = seen.get(mount.directory)
        if first is None:
            seen[mount.directory] = mount
            continue
        source = f" (from {'.'.join(map(str, first.path))})" if first.path else ""
        yield Finding(
            mount.path,
            f"{mount.what} would mount {mount.directory}, which {first.what} already mounts{source}; "
            "a pod may not mount one path twice: choose another directory",
            "mounts",
        )


def _port_problem(port: str | None) -> str | None:
    if port is None:
        return None
    number = int(port)
    return None if 1 <= number <= 65535 else f"port {number} is out of range (1-65535)"


def _address_problem(text: str) -> str | None:
    import ipaddress  # imported here: only profiles that name addresses pay for it

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return f"{text!r} is not an IP address"
    return None


def _split_host_port(text: str) -> tuple[str, str | None]:
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, port
    return text, None


def _cidr_problems(text: str, what: str) -> list[str]:
    if not text:
        return []
    import ipaddress

    problems = []
    families = []
    for part in text.split(","):
        try:
            network = ipaddress.ip_network(part, strict=False)
        except ValueError:
            problems.append(f"{part!r} is not a CIDR such as 10.96.0.0/12 or fd00::/108")
            continue
        families.append(network.version)
    if len(text.split(",")) > 2 or (len(families) == 2 and families[0] == families[1]):
        problems.append(f"{what} takes one CIDR, or two of different IP families (dual stack)")
    return problems


def network_findings(data: dict[str, Any]) -> Iterator[Finding]:
    cluster = data["cluster"]
    endpoint = cluster["controlPlaneEndpoint"]
    if endpoint:
        _, port = _split_host_port(endpoint)
        problem = _port_problem(port)
        if problem:
            yield Finding(("cluster", "controlPlaneEndpoint"), problem, "network")
    for key in ("podSubnet", "serviceSubnet"):
        for problem in _cidr_problems(cluster[key], key):
            yield Finding(("cluster", key), problem, "network")
    for section in ("controllerManager", "scheduler"):
        problem = _address_problem(data[section]["bindAddress"])
        if problem:
            yield Finding((section, "bindAddress"), problem, "network")
    host, port = _split_host_port(data["kubeProxy"]["metricsBindAddress"])
    for problem in (_address_problem(host), _port_problem(port)):
        if problem:
            yield Finding(("kubeProxy", "metricsBindAddress"), problem, "network")
    urls: list[tuple[KeyPath, str]] = [
        (("authentication", "jwt", index, "issuer"), entry["issuer"]) for index, entry in enumerate(data["authentication"]["jwt"])
    ]
    if data["authentication"]["serviceAccounts"]["issuer"]:
        urls.append((("authentication", "serviceAccounts", "issuer"), data["authentication"]["serviceAccounts"]["issuer"]))
    features = data["features"]
    registries: list[tuple[KeyPath, str]] = [
        (("features", "imageVolumes", "allowedRegistries", i), r)
        for i, r in enumerate(features["imageVolumes"]["allowedRegistries"])
    ] + [
        (("features", "imagePullCredentialVerification", "allowlist", i), r)
        for i, r in enumerate(features["imagePullCredentialVerification"]["allowlist"])
    ]
    for path, url in urls:
        match = re.fullmatch(r"https://[^/:]+(?::([0-9]+))?(/.*)?", url)
        problem = _port_problem(match.group(1)) if match else None
        if problem:
            yield Finding(path, problem, "network")
    for path, registry in registries:
        match = re.fullmatch(r"[^/:]+(?::([0-9]+))?(/.*)?", registry)
        problem = _port_problem(match.group(1)) if match else None
        if problem:
            yield Finding(path, problem, "network")


def _repeats(values: Sequence[tuple[KeyPath, str]], what: str, refuses: str) -> Iterator[Finding]:
    first: dict[str, KeyPath] = {}
    for path, value in values:
        if value in first:
            yield Finding(path, f"repeats {what} at {'.'.join(map(str, first[value]))}; {refuses}", "duplicates")
        first.setdefault(value, path)


def duplicate_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """Repeats kube-apiserver refuses when it starts (k8s.io/apiserver pkg/apis/apiserver/validation:
    ValidateAuthenticationConfiguration, validateAudiences, compileMatchConditions)."""
    jwt = data["authentication"]["jwt"]
    issuers = [(("authentication", "jwt", index, "issuer"), entry["issuer"]) for index, entry in enumerate(jwt)]
    yield from _repeats(issuers, "the issuer", "kube-apiserver refuses two JWT authenticators with one issuer URL")
    for index, entry in enumerate(jwt):
        path: KeyPath = ("authentication", "jwt", index, "audiences")
        audiences = [((*path, number), audience) for number, audience in enumerate(entry["audiences"])]
        yield from _repeats(audiences, "the audience", "kube-apiserver refuses a repeated audience")
    webhook = data["authorization"]["webhook"]
    if webhook is None:
        return
    path = ("authorization", "webhook", "matchConditions")
    conditions = [((*path, index), condition) for index, condition in enumerate(webhook["matchConditions"])]
    yield from _repeats(conditions, "the condition", "kube-apiserver refuses a repeated match condition")
    for where, condition in conditions:
        if not condition.strip():
            yield Finding(where, "is only white space, which kube-apiserver refuses as a missing expression", "cel")


def value_findings(data: dict[str, Any], version: str, bundled_ancestors: set[str]) -> list[Finding]:
    """Every finding for a profile the schema accepted (``data`` is normalised, every default filled in)."""
    return [
        *cipher_findings(data, bundled_ancestors),
        *event_rate_limit_findings(data),
        *release_findings(data, version),
        *mount_findings(data),
        *network_findings(data),
        *duplicate_findings(data),
    ]
