"""The shape of the code: data flows one way, so no module of src/ imports (even lazily, inside a
function) one that imports it back."""

from __future__ import annotations

import ast

from conftest import REPO

SOURCE = REPO / "src" / "pspctl"


def imports() -> dict[str, set[str]]:
    """Each module of pspctl and the pspctl modules it imports anywhere in it."""
    graph: dict[str, set[str]] = {}
    for path in SOURCE.glob("*.py"):
        name = path.stem
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
        graph[name] = found - {name}
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
    assert cycle(graph) is None


def test_the_fast_reader_and_the_loader_share_rules_without_importing_each_other() -> None:
    graph = imports()
    assert "loader" not in graph["_fastread"]
    assert "_fastread" in graph["loader"]
    assert "loader" not in graph["rules"] | graph["schema"]


def test_a_cycle_is_found_when_there_is_one() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None
