"""The shape of the code: data flows one way, so no module of src/ imports (even lazily, inside a
function) one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

SOURCE = REPO / "src" / "pspctl"


def _module(path: Path) -> str:
    """``writers.table`` for src/pspctl/writers/table.py, ``writers`` for its __init__.py."""
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of pspctl (subpackages too) and the pspctl modules it imports anywhere in it
    (at its top, inside a function, or for type checking alike)."""
    modules = {_module(path): path for path in SOURCE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            base = package[: len(package) - (node.level - 1)]
            targets = ([".".join([*base, node.module])] if node.module
                       else [".".join([*base, a.name]) for a in node.names])
            for target in targets:  # the longest module name the target starts with
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                found.add(target)
        graph[name] = found - {name, ""}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for other in sorted(graph.get(node, ())):
            if state.get(other) == 1:
                return [*path, node, other]
            if other not in state:
                found = visit(other, [*path, node])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [])
            if found:
                return found
    return None


def test_no_import_cycle_in_src() -> None:
    graph = imports()
    assert graph["_fastread"] >= {"rules", "schema"}  # the graph is read, not empty
    assert graph["writers.table"] >= {"views", "writers.cells", "errors"}
    assert cycle(graph) is None


def test_data_flows_one_way() -> None:
    """Reports know nothing of views and writers; views nothing of writers or the command
    line; writers nothing of the command line."""
    graph = imports()
    writers = {m for m in graph if m.startswith("writers")}
    reports = {m for m in graph if m.startswith("reports")}
    assert len(reports) >= 5  # reports by subject
    for module in reports:
        assert not graph[module] & {"views", "render", "cli", "auditpack", *writers}, module
    assert not graph["views"] & {"render", "cli", *writers}
    for module in writers:
        assert not graph[module] & {"cli", "render", "auditpack"}, module


def test_the_fast_reader_and_the_loader_share_rules_without_importing_each_other() -> None:
    graph = imports()
    assert "loader" not in graph["_fastread"]
    assert "_fastread" in graph["loader"]
    assert "loader" not in graph["rules"] | graph["schema"]


def test_a_cycle_is_found_when_there_is_one() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_function_over_50_lines() -> None:
    long = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 50:
                    long.append(f"{path.relative_to(SOURCE)}:{node.name} ({length} lines)")
    assert long == []
