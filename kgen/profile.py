"""Load a hardening profile: read it safely, resolve ``extends``, validate and normalise it.

Every problem is collected and reported at once, each located by file, line, column and the
dotted path of the key, so that a user fixes a profile in one pass.
"""

import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from kgen.errors import KgenError, Problem
from kgen.yamlload import Document, parse_mapping, read_file

KeyPath = tuple[str | int, ...]
BUNDLED_SUFFIX = " (bundled)"  # ends the display name of every bundled profile file


class Origin(NamedTuple):
    """Where a profile value was written."""

    file: str
    line: int
    column: int

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Profile(NamedTuple):
    """A validated, normalised profile with every default filled in."""

    name: str
    data: dict[str, Any]
    version: str
    chain: list[str]  # the files read, child first
    origins: dict[KeyPath, Origin]
    warnings: tuple[Problem, ...] = ()  # located, like problems, but nothing the components refuse

    def get(self, dotted: str) -> Any:
        value: Any = self.data
        for part in dotted.split("."):
            value = value[part]
        return value

    def user_origin(self, dotted: str) -> Origin | None:
        """Where the user's own profile (not a bundled one) set exactly ``dotted``; None if it did not."""
        origin = self.origins.get(tuple(dotted.split(".")))
        return None if origin is None or origin.file.endswith(BUNDLED_SUFFIX) else origin

    def problem(self, dotted: str, message: str, rule: str = "profile") -> Problem:
        """A problem located at the profile key ``dotted`` (through extends), or at the profile file when a
        default set it."""
        origin = self.origin(dotted)
        if origin is None:
            return Problem(message, self.chain[0], path=dotted, rule=rule)
        return Problem(message, origin.file, origin.line, origin.column, dotted, rule)

    def origin(self, dotted: str) -> Origin | None:
        """The file position that set ``dotted`` (or its nearest set ancestor); None for a default."""
        path: KeyPath = tuple(dotted.split("."))
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path[:-1]
        return None


# Strings that look like secret material; profiles must reference secrets by node path instead.
_SECRET_PATTERNS = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a PEM private key"),
    (re.compile(r"^[a-z0-9]{6}\.[a-z0-9]{16}$"), "a kubeadm bootstrap token"),
    # At least one digit, '+', '/' or '=': long CamelCase words (feature gate names) are not keys.
    (re.compile(r"^(?=.*[0-9+/=])(?:[A-Za-z0-9+/]{4}){8,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"), "base64 key material"),
]
_SECRET_ADVICE = "secrets never go into a profile: reference them by node path"


def looks_secret(text: str) -> str | None:
    """What kind of secret material ``text`` looks like (e.g. "a PEM private key"), or None."""
    for pattern, what in _SECRET_PATTERNS:
        if pattern.search(text):
            return what
    return None


class SecretHit(NamedTuple):
    path: KeyPath  # of the value, or of the key when is_key
    text: str
    what: str
    is_key: bool


def secret_hits(data: Any, path: KeyPath = ()) -> Iterator[SecretHit]:
    """Every key and string value in ``data`` that looks like secret material, with where it is."""
    if isinstance(data, dict):
        for key, value in data.items():
            what = looks_secret(key) if isinstance(key, str) else None
            if what is not None:
                yield SecretHit((*path, key), key, what, True)
            yield from secret_hits(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from secret_hits(value, (*path, index))
    elif isinstance(data, str):
        what = looks_secret(data)
        if what is not None:
            yield SecretHit(path, data, what, False)


def _regex_meanings() -> dict[str, str]:
    from kgen import profile_schema as s

    return {
        s.NAME_PATTERN: "lower-case letters, digits and '-', starting and ending with a letter or digit",
        s.VERSION_PATTERN: 'a Kubernetes minor version such as "1.35" (quoted)',
        s.NODE_PATH_PATTERN: (
            "an absolute node path such as /etc/kubernetes/x.yaml (letters, digits and . _ @ + -; no empty, '.' or '..' segments)"
        ),
        s.URL_PATH_PATTERN: "an absolute URL path such as /healthz",
        s.DURATION_PATTERN: "a duration such as 30s, 5m or 24h",
        s.HTTPS_URL_PATTERN: "an https:// URL",
        s.REGISTRY_PATTERN: "an image name without tag or digest, such as registry.example.com/team/* or docker.io/library/nginx",
        s.FEATURE_GATE_PATTERN: "a feature gate name such as UserNamespacesSupport",
    }


def _merge(base: Any, child: Any) -> Any:
    """Child values override; mappings merge key by key; lists are replaced whole."""
    if isinstance(base, dict) and isinstance(child, dict):
        merged = dict(base)
        for key, value in child.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return child


def _collect_origins(document: Document, into: dict[KeyPath, Origin]) -> None:
    for path, (line, column) in document.locations.items():
        if path:
            into[path] = Origin(document.file, line, column)


def _short(text: str, limit: int = 120) -> str:
    """A user's path as quoted in a problem: a path of thousands of characters is cut."""
    return text if len(text) <= limit else text[:limit] + "..."


def _not_a_profile_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a parent profile, or None if it names a regular file."""
    import stat

    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "not found"
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a usable path"
        return f"cannot be opened: {reason}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    return "is not a regular file (a FIFO, socket or device is never read)"


class ProfileLoader:
    """Reads profiles; caches parsed files so that a fleet sharing a base reads it once."""

    def __init__(self, cwd: Path | None = None) -> None:
        self.cwd = (cwd or Path.cwd()).resolve()
        self._documents: dict[Path, Document] = {}

    def display_name(self, path: Path) -> str:
        """How a profile file is named in messages and output: the same wherever kgen is installed."""
        from kgen.resources import bundled_dir

        try:
            return "profiles/" + str(path.relative_to(bundled_dir("profiles").resolve())) + BUNDLED_SUFFIX
        except (ValueError, FileNotFoundError):
            pass
        try:
            return str(path.relative_to(self.cwd))
        except ValueError:
            return str(path)

    def locate(self, reference: str, *, relative_to: Path | None = None, allowed: list[Path] | None = None) -> Path:
        """The file a profile reference names: a bundled profile name or a path."""
        from kgen.resources import bundled_profiles

        bundled = bundled_profiles()
        looks_like_name = "/" not in reference and not reference.endswith((".yaml", ".yml"))
        if looks_like_name:
            if reference in bundled:
                return bundled[reference].resolve()
            import difflib

            close = difflib.get_close_matches(reference, bundled, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; bundled profiles: {', '.join(bundled)}"
            raise KgenError(f"no bundled profile named {reference!r}{hint}")
        base = relative_to or self.cwd
        if "\0" in reference:
            raise KgenError("extends: the path contains a NUL byte")
        path = Path(reference)
        if path.is_absolute() and relative_to is not None:
            raise KgenError(f"extends: {reference!r} must be a bundled name or a relative path")
        try:
            resolved = (base / path).resolve()
        except (OSError, RuntimeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "a link loop"
            raise KgenError(f"extends: {_short(reference)!r} cannot be resolved: {reason}") from None
        if allowed is not None and not any(resolved.is_relative_to(root) for root in allowed):
            raise KgenError(
                f"extends: {_short(reference)!r} resolves to {_short(str(resolved))}, outside the allowed places "
                f"({', '.join(str(root) for root in allowed)})"
            )
        return resolved

    def read(self, path: Path) -> Document:
        if path not in self._documents:
            display = self.display_name(path)
            self._documents[path] = parse_mapping(read_file(path, display), display, what="profile")
        return self._documents[path]

    def load(self, reference: str, version_override: str | None = None) -> Profile:
        from kgen.resources import bundled_dir

        root = self.locate(reference)
        allowed = [self.cwd, root.parent, bundled_dir("profiles").resolve()]
        chain: list[Path] = []
        documents: list[Document] = []
        current: Path | None = root
        while current is not None:
            if current in chain:
                names = " -> ".join(self.display_name(p) for p in [*chain, current])
                raise KgenError(problems=[Problem(f"extends cycle: {names}", self.display_name(chain[0]), rule="extends")])
            chain.append(current)
            document = self.read(current)
            documents.append(document)
            parent = document.data.get("extends")
            if parent is None:
                current = None
                continue
            if not isinstance(parent, str) or not parent:
                line, column = document.where(("extends",))
                raise KgenError(
                    problems=[
                        Problem("must be a profile name or a relative path", document.file, line, column, "extends", "extends")
                    ]
                )
            try:
                current = self.locate(parent, relative_to=current.parent, allowed=allowed)
            except KgenError as exc:
                line, column = document.where(("extends",))
                raise KgenError(
                    problems=[
                        Problem(p.message.removeprefix("extends: "), document.file, line, column, "extends", "extends")
                        for p in exc.problems
                    ]
                ) from None
            why = _not_a_profile_file(current)
            if why is not None:
                line, column = document.where(("extends",))
                message = f"parent profile {_short(parent)!r} {why}"
                raise KgenError(problems=[Problem(message, document.file, line, column, "extends", "extends")])

        merged: dict[str, Any] = {}
        origins: dict[KeyPath, Origin] = {}
        for document in reversed(documents):
            merged = _merge(merged, document.data)
            _collect_origins(document, origins)
        merged["name"] = documents[0].data.get("name", merged.get("name"))
        merged.pop("extends", None)
        profiles_dir = bundled_dir("profiles").resolve()
        bundled_ancestors = {path.stem for path in chain if path.parent == profiles_dir}
        return self._validate(
            merged, origins, documents, [self.display_name(p) for p in chain], version_override, bundled_ancestors
        )

    def _validate(
        self,
        merged: dict[str, Any],
        origins: dict[KeyPath, Origin],
        documents: list[Document],
        chain: list[str],
        version_override: str | None,
        bundled_ancestors: set[str],
    ) -> Profile:
        from kgen.knowledge import check_version
        from kgen.profile_schema import PROFILE_SCHEMA
        from kgen.profile_values import control_character_findings, value_findings

        problems: list[Problem] = []
        data = quick_normalised(merged)
        if data is None:
            # Not vouched for by the quick check: cerberus decides, and words any problems.
            validator = _profile_validator()
            if validator.validate(merged):
                data = validator.document
            else:
                for error in _leaf_errors(validator._errors):
                    problems.append(self._problem(error, origins, documents[0].file))
        controls = [
            self._located(finding, origins, documents[0].file) for finding in control_character_findings(merged, PROFILE_SCHEMA)
        ]
        if controls:
            # The control character says what is wrong; a pattern mismatch on the same value adds nothing.
            control_paths = {p.path for p in controls}
            problems = [p for p in problems if p.path not in control_paths] + controls
        secrets = self._secret_problems(merged, origins, documents[0].file)
        if secrets:
            # Never echo secret material: drop other problems that would quote the same value.
            secret_paths = {p.path for p in secrets}
            texts = secret_texts(merged)
            problems = [
                p for p in problems if p.path not in secret_paths and not any(t in p.path or t in p.message for t in texts)
            ] + secrets
        if problems or data is None:
            problems.sort(key=lambda p: (p.file, p.line, p.column, p.path))
            raise KgenError(problems=problems)
        wanted = version_override or data.get("kubernetesVersion")
        from kgen.knowledge import DEFAULT_VERSION

        try:
            version = check_version(wanted) if wanted else DEFAULT_VERSION
        except KgenError as exc:
            origin = origins.get(("kubernetesVersion",))
            if version_override or origin is None:
                raise
            raise KgenError(
                problems=[
                    Problem(p.message, origin.file, origin.line, origin.column, "kubernetesVersion", "version")
                    for p in exc.problems
                ]
            ) from None
        data["kubernetesVersion"] = version
        findings = [self._located(f, origins, documents[0].file) for f in value_findings(data, version, bundled_ancestors)]
        errors = sorted((p for p in findings if p.severity == "error"), key=lambda p: (p.file, p.line, p.column, p.path))
        if errors:
            raise KgenError(problems=errors)
        warnings = tuple(p for p in findings if p.severity != "error")
        return Profile(data["name"], data, version, chain, origins, warnings)

    def _located(self, finding: Any, origins: dict[KeyPath, Origin], default_file: str) -> Problem:
        """A finding of kgen.profile_values as a problem located at the key it names (or its nearest set ancestor)."""
        probe: KeyPath = finding.path
        while probe and probe not in origins:
            probe = probe[:-1]
        origin = origins.get(probe) or Origin(default_file, 0, 0)
        dotted = ".".join(_shown_key(part) for part in finding.path)
        return Problem(finding.message, origin.file, origin.line, origin.column, dotted, finding.rule, finding.severity)

    def _problem(self, error: Any, origins: dict[KeyPath, Origin], default_file: str) -> Problem:
        path: KeyPath = tuple(error.document_path)
        origin = None
        probe = path
        while probe:
            if probe in origins:
                origin = origins[probe]
                break
            probe = probe[:-1]
        file, line, column = (origin.file, origin.line, origin.column) if origin else (default_file, 0, 0)
        dotted = ".".join(_shown_key(part) for part in path)
        return Problem(_message(error), file, line, column, dotted, "schema")

    def _secret_problems(self, data: Any, origins: dict[KeyPath, Origin], default_file: str) -> list[Problem]:
        problems: list[Problem] = []
        secret_keys: list[KeyPath] = []
        for hit in secret_hits(data):
            if any(hit.path[: len(key)] == key for key in secret_keys):
                continue  # under a key that is itself a secret: that key's problem says it all
            origin = origins.get(hit.path) or Origin(default_file, 0, 0)
            if hit.is_key:
                # The key itself is the secret: name its place without repeating it.
                secret_keys.append(hit.path)
                dotted = ".".join(str(p) for p in (*hit.path[:-1], "<key>"))
                message = f"a key looks like {hit.what}; {_SECRET_ADVICE}"
            else:
                dotted = ".".join(str(p) for p in hit.path)
                message = f"looks like {hit.what}; {_SECRET_ADVICE}"
            problems.append(Problem(message, origin.file, origin.line, origin.column, dotted, "secrets"))
        return problems


def secret_texts(data: Any) -> set[str]:
    """Every key and string value in ``data`` that looks like secret material."""
    return {hit.text for hit in secret_hits(data)}


# --- the quick check ------------------------------------------------------------------------------
#
# Importing cerberus and running it costs more than the rest of a cold render. A profile that
# passes is normalised here in plain Python with cerberus's semantics for the rules the schema
# uses (defaults first, then containers, then the rules of each value); anything it is not sure
# of, including every invalid profile, goes to cerberus, which decides and words the problems.
# tests/test_profile_quick.py checks that both give the same document.

_QUICK_RULES = frozenset(
    [
        "type",
        "default",
        "nullable",
        "required",
        "allowed",
        "regex",
        "min",
        "max",
        "minlength",
        "maxlength",
        "schema",
        "keysrules",
        "valuesrules",
        "meta",
    ]
)
_QUICK_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "dict": lambda value: isinstance(value, dict),
    "list": lambda value: isinstance(value, list),
}


class _Unsure(Exception):
    """The quick check cannot vouch for a value: cerberus decides."""


def quick_normalised(document: dict[str, Any]) -> dict[str, Any] | None:
    """The document cerberus would return for a valid profile, or None when cerberus must decide."""
    from kgen.profile_schema import PROFILE_SCHEMA

    try:
        return _quick_mapping(document, PROFILE_SCHEMA)
    except _Unsure:
        return None


def _fresh(value: Any) -> Any:
    """A copy of a schema default, so that no profile shares a list or mapping with the schema."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value


def _quick_mapping(mapping: dict[Any, Any], schema: dict[Any, Any]) -> dict[Any, Any]:
    result = dict(mapping)
    for key, rules in schema.items():
        if "default" in rules and (key not in result or (result[key] is None and not rules.get("nullable", False))):
            result[key] = _fresh(rules["default"])
    for key, value in result.items():
        rules = schema.get(key)
        if rules is None:
            raise _Unsure  # unknown key
        result[key] = _quick_value(value, rules)
    if any(rules.get("required") and key not in result for key, rules in schema.items()):
        raise _Unsure
    return result


def _quick_value(value: Any, rules: dict[str, Any]) -> Any:
    if not rules.keys() <= _QUICK_RULES:
        raise _Unsure
    if value is None:
        if rules.get("nullable", False):
            return None
        raise _Unsure
    kind = rules.get("type")
    if kind is not None and not (kind in _QUICK_TYPES and _QUICK_TYPES[kind](value)):
        raise _Unsure
    if "allowed" in rules:
        allowed = rules["allowed"]
        if isinstance(value, list) and not all(item in allowed for item in value):
            raise _Unsure
        if isinstance(value, str | int) and value not in allowed:
            raise _Unsure
        if not isinstance(value, list | str | int):
            raise _Unsure
    if "regex" in rules and isinstance(value, str) and not re.fullmatch(rules["regex"], value):
        raise _Unsure
    if ("min" in rules or "max" in rules) and not (
        isinstance(value, int) and rules.get("min", value) <= value <= rules.get("max", value)
    ):
        raise _Unsure
    if ("minlength" in rules or "maxlength" in rules) and not (
        isinstance(value, str | list | dict) and rules.get("minlength", 0) <= len(value) <= rules.get("maxlength", len(value))
    ):
        raise _Unsure
    if isinstance(value, dict):
        if "keysrules" in rules:
            for key in value:
                _quick_value(key, rules["keysrules"])
        if "valuesrules" in rules:
            value = {key: _quick_value(item, rules["valuesrules"]) for key, item in value.items()}
        if "schema" in rules:
            value = _quick_mapping(value, rules["schema"])
    elif isinstance(value, list) and "schema" in rules:
        items = _quick_mapping(dict(enumerate(value)), dict.fromkeys(range(len(value)), rules["schema"]))
        value = list(items.values())
    return value


@cache
def _trusted_schema_class() -> Any:
    import cerberus.schema

    class TrustedSchema(cerberus.schema.DefinitionSchema):  # type: ignore[misc]
        """kgen's own schema constant. The test suite checks it with cerberus's schema validation
        (tests/test_profile_schema.py); re-checking it on every run would cost more than the rest of a render."""

        def validate(self, schema: Any = None) -> None:
            return None

    return TrustedSchema


@cache
def _validator_class() -> Any:
    import cerberus

    class ProfileValidator(cerberus.Validator):  # type: ignore[misc]
        """cerberus with two rules as strict as the components: Python's ``True`` is not an integer
        (bool subclasses int), and a regex matches the whole value (cerberus appends '$', which lets a
        trailing newline through)."""

        types_mapping: ClassVar[dict[str, Any]] = {
            **cerberus.Validator.types_mapping,
            "integer": cerberus.TypeDefinition("integer", (int,), (bool,)),
        }

        def _validate_regex(self, pattern: str, field: Any, value: Any) -> None:
            """{'type': 'string'}"""
            if isinstance(value, str) and not re.fullmatch(pattern, value):
                self._error(field, cerberus.errors.REGEX_MISMATCH)

    return ProfileValidator


def _profile_validator() -> Any:
    """A fresh cerberus Validator over PROFILE_SCHEMA (fresh: a validator keeps state between runs)."""

    from kgen.profile_schema import PROFILE_SCHEMA

    validator = _validator_class()()
    validator.schema = _trusted_schema_class()(validator, PROFILE_SCHEMA)
    validator.allow_unknown = False
    return validator


def _leaf_errors(errors: Any) -> list[Any]:
    leaves = []
    for error in errors:
        if error.is_group_error:
            leaves.extend(_leaf_errors(error.child_errors))
        else:
            leaves.append(error)
    return leaves


def _known_keys(path: KeyPath) -> list[str]:
    from kgen.profile_schema import PROFILE_SCHEMA

    node: Any = PROFILE_SCHEMA
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        rule = node.get(part, {}) if isinstance(node, dict) else {}
        inner = rule.get("schema", {})
        if inner.get("type") == "dict":
            inner = inner.get("schema", {})
        node = inner
    return list(node) if isinstance(node, dict) else []


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty (null)"
    return type(value).__name__


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _shown_key(key: Any) -> str:
    """A key as messages show it: an odd key (from a file that is not a profile, say) is not repeated."""
    text = str(key)
    return text if isinstance(key, int) or _PLAIN_KEY.fullmatch(text) else f"<key of {len(text)} characters>"


def _shown_value(value: Any) -> str:
    """A value as messages show it: quoted, and cut short so that a stray file is not echoed whole."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _message(error: Any) -> str:
    import cerberus.errors as codes

    value = error.value
    if error.code == codes.UNKNOWN_FIELD.code:
        key = str(error.document_path[-1])
        if _shown_key(key) != key:
            return "unknown key"
        import difflib

        close = difflib.get_close_matches(key, _known_keys(tuple(error.document_path)), n=1, cutoff=0.6)
        return f"unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    if error.code == codes.REQUIRED_FIELD.code:
        return "required key is missing"
    if error.code == codes.NOT_NULLABLE.code:
        return "must have a value (it is empty)"
    if error.rule == "type":
        wanted = {
            "dict": "a mapping",
            "list": "a list",
            "string": "a string",
            "integer": "an integer",
            "boolean": "true or false",
        }
        return f"must be {wanted.get(str(error.constraint), error.constraint)}, not {_type_name(value)}"
    if error.rule == "allowed":
        return f"{_shown_value(value)} is not allowed; choose one of: {', '.join(map(str, error.constraint))}"
    if error.rule == "regex":
        meaning = _regex_meanings().get(error.constraint, f"the pattern {error.constraint}")
        return (
            f"{_shown_value(value)} is not {meaning}"
            if not meaning.startswith("the pattern")
            else f"{_shown_value(value)} does not match {meaning}"
        )
    if error.rule == "min":
        return f"must be at least {error.constraint}, not {value}"
    if error.rule == "max":
        return f"must be at most {error.constraint}, not {value}"
    if error.rule == "minlength":
        return f"needs at least {error.constraint} item(s)"
    if error.rule == "maxlength":
        return f"is too long (at most {error.constraint})"
    return f"invalid value {_shown_value(value)} ({error.rule})"
