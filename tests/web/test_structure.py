"""The web layer's shape: no import cycle inside web/ (eager or lazy), no route module imports the app
factory, ``Depends(get_store)`` is written once; nothing under delivery/ imports the web framework."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "src" / "papersift"
WEB_FRAMEWORK = ("fastapi", "starlette", "uvicorn", "argon2")


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (a lazy import inside a function counts)."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            target = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            if node.module:  # ``from . import x`` imports x, not the package's __init__ again
                found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _graph(folder: Path) -> dict[str, set[str]]:
    files = {_module(p): p for p in folder.rglob("*.py")}
    return {name: {i for i in _imports(path) if i in files and i != name} for name, path in files.items()}


def test_no_import_cycle_inside_web() -> None:
    graph = _graph(PACKAGE / "web")
    # A package's __init__ may gather its submodules; a submodule importing that __init__ back is a cycle.
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])


def test_routes_do_not_import_the_factory_and_share_one_store_dependency() -> None:
    for path in (PACKAGE / "web").rglob("*.py"):
        if path.name == "app.py" or path.parent.name == "web" and path.name == "__init__.py":
            continue
        assert "papersift.web.app" not in _imports(path), path
    uses = [p for p in (PACKAGE / "web").rglob("*.py") if "Depends(get_store)" in p.read_text(encoding="utf-8")]
    assert [p.name for p in uses] == ["deps.py"]


def test_nothing_under_delivery_imports_the_web_framework() -> None:
    for path in (PACKAGE / "delivery").rglob("*.py"):
        framework = {i for i in _imports(path) if i.split(".")[0] in WEB_FRAMEWORK}
        assert not framework, f"{path.name} imports {sorted(framework)}"
