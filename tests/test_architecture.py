"""The import structure: no cycles between modules or packages, imports at the top only.

Read from the source with `ast` (nothing is imported), so a cycle that only a function-local
import keeps working is caught too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in APP.rglob("*.py")}


def _resolve(module: str, package: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The project modules one import statement names (submodules where they exist)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in MODULES]
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    if not base.startswith("app"):
        return []
    named = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
    return named or [base]


def _imports(module: str) -> tuple[set[str], list[str]]:
    """(project modules imported anywhere, function-local project imports as "module:line")."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    every: set[str] = set()
    local: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names = _resolve(module, package, node)
        every.update(names)
        if names and node not in tree.body:
            local.append(f"{module}:{node.lineno}")
    return every, local


GRAPH = {module: _imports(module)[0] - {module} for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package(module: str) -> str:
    """`app.providers.registry` -> `app.providers`; top-level modules stand alone."""
    return ".".join(module.split(".")[:2])


def test_the_graph_sees_the_known_imports():
    assert "app.studio.runner" in GRAPH["app.edit.service"]
    assert "app.providers.base" in GRAPH["app.providers.registry"]  # a relative import


def test_no_import_cycle_between_modules():
    assert _cycles(GRAPH) == []


def test_no_import_cycle_between_packages():
    packages: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        if module == "app":  # the factory imports every package by design
            continue
        packages.setdefault(_package(module), set()).update(
            _package(t) for t in targets if _package(t) != _package(module) and t != "app")
    assert _cycles(packages) == []


def test_project_imports_sit_at_the_top_of_each_module():
    local = [where for module in MODULES for where in _imports(module)[1]]
    assert local == []


@pytest.mark.parametrize("module", ["app.extensions", "app.errors", "app.config"])
def test_leaf_modules_import_no_project_code(module):
    assert GRAPH[module] == set()


def test_a_cycle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
