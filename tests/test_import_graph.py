"""gasp_cli's import graph, read from the source: every import counts, at the top of a module,
inside a function or under `if TYPE_CHECKING:`, since each one ties the modules together for
a reader as much as for Python.

Data flows one way (CONVENTIONS.md): vocabulary holds words and imports no other module of gasp;
facts come before the indicators computed from them; no two modules import each other, directly
or around a circle. documents/ never imports render/; inside render/, what a render is asked
(`render/request.py`) is plain data that the render and its input keys both read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "gasp_cli"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every name an import of the module reaches: `from . import x` may name a module or not."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of gasp_cli it imports (a name inside a module counts as the module)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported in _imported(name, path):
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_graph_is_read_from_every_kind_of_import():
    graph = import_graph()
    assert "gasp_cli.lifecycle" in graph["gasp_cli.facts"]  # at the top
    assert "gasp_cli.loader" in graph["gasp_cli.facts"]  # under `if TYPE_CHECKING:`
    assert "gasp_cli.vocabulary" in graph["gasp_cli.loader"]  # inside a function


def test_vocabulary_holds_words_and_imports_no_other_module_of_gasp():
    assert import_graph()["gasp_cli.vocabulary"] == set()


def test_facts_come_before_the_indicators_computed_from_them():
    graph = import_graph()
    assert "gasp_cli.indicators" not in graph["gasp_cli.facts"]
    assert "gasp_cli.facts" in graph["gasp_cli.indicators"]


def test_no_import_circle_anywhere():
    assert circles(import_graph()) == []


def test_documents_never_import_render():
    """render/ imports documents/, never the reverse: a document receives what it needs of the render
    (a renderer, a producer) as a parameter typed by a Protocol of documents/base.py."""
    graph = import_graph()
    upward = sorted(
        f"{name} → {target}"
        for name, targets in graph.items()
        if name.startswith("gasp_cli.documents")
        for target in targets
        if target.startswith("gasp_cli.render")
    )
    assert upward == []


def test_a_circle_is_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
