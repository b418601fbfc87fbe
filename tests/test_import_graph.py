"""No import cycle in papersift, eager or lazy, read from the import graph of the source.

Every module under src/papersift is parsed with ``ast``; an edge A -> B means that running A (its
module body or any of its functions) may import B. Counted as imports:

- ``import x.y`` and ``from x import y`` anywhere in the module, at module level or inside a
  function, a method or a conditional; relative imports are resolved against the module's package,
  and ``from . import x`` is an edge to the submodule ``x`` when it is one, else to the package;
- the packages an import passes through (``import papersift.fetch.runner`` runs
  ``papersift/fetch/__init__.py`` first), except the importer's own ancestors, which are already
  being imported when it runs;
- ``from ANCESTOR import name`` where the ancestor package does not bind ``name`` when it is
  imported (a lazy re-export through its module ``__getattr__``): asking for the name runs the
  ancestor's ``__getattr__``, so it is an edge to the ancestor (``from papersift import __version__``
  is not: ``__version__`` is set as the package is imported);
- a string constant naming a papersift module (``importlib.import_module("papersift.api")``, the
  lazy re-export tables of ``papersift/__init__.py`` and ``papersift/api.py``, the lazily loaded
  ``"papersift.cli.profile:profile_group"`` command table): a lazy import is an import.

Left out: imports under ``if TYPE_CHECKING:``, which never run.

The test fails when a strongly connected component of the graph has more than one module, and
names each such component with one cycle through it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "papersift"
MODULE_STRING = re.compile(r"^(papersift(?:\.\w+)*)(?::\w+)?$")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree except the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _eager_names(path: Path) -> set[str]:
    """The names a module binds at its top level when imported (not under ``if TYPE_CHECKING:``)."""
    names: set[str] = set()
    body = list(ast.parse(path.read_text(encoding="utf-8"), str(path)).body)
    while body:
        node = body.pop()
        if isinstance(node, ast.If):
            body.extend(node.orelse if _is_type_checking(node.test) else [*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            body.extend([*node.body, *node.orelse, *node.finalbody, *(n for h in node.handlers for n in h.body)])
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The papersift modules that module ``name`` imports when run (see the module docstring)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    if is_package:
        ancestors.discard(name)
    lazy: set[str] = set()  # ancestors asked for a name they only give lazily
    targets: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                if submodule in modules:
                    targets.add(submodule)
                elif origin in ancestors:
                    if alias.name not in _eager_names(modules[origin]):
                        lazy.add(origin)
                else:
                    targets.add(origin)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = MODULE_STRING.match(node.value)
            if match and match.group(1) in modules:
                targets.add(match.group(1))
    edges: set[str] = set(lazy)
    for target in targets:
        if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
            continue
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            step = ".".join(parts[:i])
            if step in modules and step not in ancestors and step != name:
                edges.add(step)
    return edges


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, for the failure message."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    return paths[node] + [start]
                if child not in paths:
                    paths[child] = paths[node] + [child]
                    following.append(child)
        frontier = following
    return component


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    graph = import_graph()
    # papersift/__init__.py re-exports the api lazily, through importlib and a string.
    assert "papersift.api" in graph["papersift"]
    # cli/main.py loads its subcommands lazily by "module:attribute" strings; api.py its network half.
    assert "papersift.cli.profile" in graph["papersift.cli.main"]
    assert "papersift.fetch.runner" in graph["papersift.api"]
    # relative imports, resolved to the submodule they name; passing through a package runs it.
    assert {"papersift.fetch.followed", "papersift.config"} <= graph["papersift.fetch.runner"]
    assert "papersift.fetch" in graph["papersift.cli.fetch"]
    # a function-level import counts as much as a module-level one.
    assert "papersift.fetch.arxiv_titles" in graph["papersift.loading"]
    # a name a package binds when imported is no edge to it; a lazily re-exported one is.
    eager = _eager_names(SRC / PACKAGE / "__init__.py")
    assert "__version__" in eager and "rank_papers" not in eager


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert one_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_import_cycle_in_the_package() -> None:
    graph = import_graph()
    cycles = [one_cycle(graph, component) for component in strongly_connected(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)
