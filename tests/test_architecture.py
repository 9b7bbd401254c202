"""kgen's layers, read from the code: no import cycle, and no import from a lower layer up into a higher one.

Every ``import`` and ``from ... import`` in every module of kgen/ counts, wherever it stands: at the
top or inside a function (kgen imports lazily to start fast). Imports under ``if TYPE_CHECKING:`` are
left out: they never run, and annotations name types across layers (a target's registry entry and
its ``OutputFile``). docs/architecture.md describes the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kgen.target_registry import HOOKS, REGISTRY

PACKAGE = Path(__file__).resolve().parent.parent / "kgen"

# Lowest first. A module may import modules of its own layer or of a lower one, never of a higher one.
# A module is in the layer of the longest name listed here that is it or a package holding it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "kgen",
            "kgen.errors",
            "kgen.resources",
            "kgen.yamlout",
            "kgen.yamlload",
            "kgen.target_registry",
            "kgen.nodefs",
            "kgen.startup",
        ),
    ),
    ("knowledge", ("kgen.knowledge", "kgen.schemacheck", "kgen.validation", "kgen.nodestate")),
    ("profile", ("kgen.profile", "kgen.profile_schema", "kgen.profile_jsonschema", "kgen.profile_values", "kgen.schemadoc")),
    ("plan", ("kgen.plan", "kgen.honoured")),
    ("targets", ("kgen.targets", "kgen.compliance")),
    ("render", ("kgen.render", "kgen.output", "kgen.fleet")),
    (
        "commands",
        (
            "kgen.reports",
            "kgen.diff",
            "kgen.explain",
            "kgen.provenance",
            "kgen.upgrade",
            "kgen.checkconfig",
            "kgen.starter",
            "kgen.verify",
            "kgen.verify_report",
            "kgen.importer",
        ),
    ),
    ("cli", ("kgen.cli", "kgen.__main__")),
)


def module_files() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = module_files()


def owning_module(name: str) -> str | None:
    """The kgen module a dotted import name refers to (an attribute import resolves to its module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree except the bodies of ``if TYPE_CHECKING:`` blocks (their ``else`` runs)."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def imports_of(module: str) -> set[str]:
    """Every kgen module ``module`` imports, anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if name == "kgen" or name.startswith("kgen."):
                target = owning_module(name)
                if target is not None and target != module:
                    found.add(target)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            # "kgen" itself is the package's __init__ only; every other entry covers its submodules.
            covers = module == prefix or (prefix != "kgen" and module.startswith(prefix + "."))
            if covers and len(prefix) > best:
                best, rank = len(prefix), index
    return rank


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for follower in sorted(graph[node]):
            if state.get(follower) == 1:
                return [*path[path.index(follower) :], follower]
            if follower not in state and (cycle := visit(follower)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_the_import_reader_sees_imports_inside_functions_but_not_type_checking_blocks() -> None:
    # kgen.fleet imports kgen.render at the top and kgen.targets inside a function: both count.
    assert {"kgen.render", "kgen.targets"} <= GRAPH["kgen.fleet"]
    # kgen.targets names kgen.targets.common's OutputFile only for type checking: that does not count.
    assert "kgen.targets.common" not in GRAPH["kgen.targets"]
    assert "kgen.targets.common" in {
        owning_module(alias_module)
        for node in ast.walk(ast.parse(MODULES["kgen.targets"].read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (alias_module := node.module or "")
    }
    # `from kgen.targets import aks` is an import of the module kgen.targets.aks.
    assert owning_module("kgen.targets.aks") == "kgen.targets.aks"
    assert owning_module("kgen.plan.Plan") == "kgen.plan"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_kgen() -> None:
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_has_a_layer(module: str) -> None:
    assert layer_of(module) >= 0, f"{module} is in no layer: add it to LAYERS here and to docs/architecture.md"


def test_no_import_points_up_a_layer() -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {imported} ({LAYERS[layer_of(imported)][0]})"
        for module, imported_modules in sorted(GRAPH.items())
        for imported in sorted(imported_modules)
        if layer_of(imported) > layer_of(module)
    ]
    assert upward == []


def test_profile_and_knowledge_never_import_plan_targets_or_render() -> None:
    above = ("kgen.plan", "kgen.targets", "kgen.render", "kgen.compliance")
    lower = [m for m in MODULES if LAYERS[layer_of(m)][0] in ("foundation", "knowledge", "profile")]
    assert "kgen.profile_schema" in lower and "kgen.knowledge.gates" in lower
    offending = [(m, i) for m in lower for i in GRAPH[m] if any(i == a or i.startswith(a + ".") for a in above)]
    assert offending == []


def test_the_target_registry_imports_nothing_from_kgen() -> None:
    assert GRAPH["kgen.target_registry"] == set()


def test_shared_target_machinery_imports_no_target() -> None:
    target_modules = {spec.module for spec in REGISTRY.values()}
    shared = (
        "kgen.targets",
        "kgen.targets.common",
        "kgen.targets.managed",
        "kgen.targets.layouts",
        "kgen.targets.coverage",
        "kgen.compliance",
        "kgen.render",
    )
    assert {module: GRAPH[module] & target_modules for module in shared} == {module: set() for module in shared}


def module_level_names(module: str) -> set[str]:
    """The names a module defines at its top level as functions or binds by assignment."""
    source = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    names = {node.name for node in source.body if isinstance(node, ast.FunctionDef)}
    # A hook may also be a module-level name bound to a function (e.g. from targets.layouts.distribution_hooks).
    for node in source.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bound = target.elts if isinstance(target, ast.Tuple) else [target]
                names |= {name.id for name in bound if isinstance(name, ast.Name)}
    return names


def test_module_level_names_sees_defined_and_bound_names() -> None:
    assert {"render", "places", "CONFIG_FILE"} <= module_level_names("kgen.targets.kubeadm")
    assert {"coverage", "not_controllable", "places"} <= module_level_names("kgen.targets.talos")
    assert "_join_file" in module_level_names("kgen.targets.kubeadm")
    assert "kubelet_configuration" not in module_level_names("kgen.targets.flags")  # imported, not defined


def test_every_registered_target_is_a_module_with_render() -> None:
    for name, spec in REGISTRY.items():
        assert spec.module == f"kgen.targets.{name}" and spec.module in MODULES
        assert "render" in module_level_names(spec.module), name


def test_every_target_lists_exactly_the_hooks_its_module_defines() -> None:
    # A hook listed but missing would fail when called; a hook defined but not listed would never be
    # called, since shared code reaches hooks only through the registry (kgen.targets.target_hook).
    listed = {name: set(spec.hooks) for name, spec in REGISTRY.items()}
    defined = {name: module_level_names(spec.module) & set(HOOKS) for name, spec in REGISTRY.items()}
    assert listed == defined


def test_only_target_hook_reaches_into_a_target_module() -> None:
    """Shared code finds a target's functions through the registry, never by importing or getattr on its own."""
    allowed = {"kgen.targets": {"renderer", "target_hook"}}
    offending = []
    for module in MODULES:
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or function.name in allowed.get(module, set()):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "import_module":
                    offending.append(f"{module}.{function.name}")
    assert offending == []


def test_the_architecture_page_names_every_rule_and_layer() -> None:
    from kgen.plan.build import RULES

    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing_rules = [rule.__name__ for rule in RULES if rule.__module__.rpartition(".")[2] not in page]
    missing_layers = [name for name, _ in LAYERS if f"| {name} |" not in page]
    assert (missing_rules, missing_layers) == ([], [])


def _render_path_modules(tmp_path: Path) -> list[str]:
    """The kgen modules a render of every target imports, read from a fresh process."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from kgen.fleet import render_many\n"
        "from kgen.target_registry import REGISTRY\n"
        "render_many(['strict', 'cis'], list(REGISTRY), None, 1)\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m == 'kgen' or m.startswith('kgen.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_no_module_on_the_render_path_builds_named_tuples_from_string_annotations(tmp_path: Path) -> None:
    # With ``from __future__ import annotations`` every NamedTuple field's annotation is a string,
    # which typing compiles to a ForwardRef at every start: about 2 ms of a cold render for kgen's
    # records (BENCHMARKS.md). Modules that define NamedTuples and run in a render evaluate their
    # annotations instead, quoting only names imported for type checking.
    modules = _render_path_modules(tmp_path)
    assert "kgen.plan.model" in modules and "kgen.targets.kubeadm" in modules
    offenders = []
    for module in modules:
        parts = module.split(".")[1:]
        path = PACKAGE.joinpath(*parts).with_suffix(".py")
        if not path.is_file():
            path = PACKAGE.joinpath(*parts, "__init__.py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defines_named_tuple = any(
            isinstance(node, ast.ClassDef) and any(isinstance(base, ast.Name) and base.id == "NamedTuple" for base in node.bases)
            for node in ast.walk(tree)
        )
        postpones = any(
            isinstance(node, ast.ImportFrom) and node.module == "__future__" and any(a.name == "annotations" for a in node.names)
            for node in tree.body
        )
        if defines_named_tuple and postpones:
            offenders.append(module)
    assert offenders == []
