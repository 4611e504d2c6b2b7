"""data/datapackage.json describes exactly what the loader reads."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from pspctl import loader

DESCRIPTOR = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"]}
TYPES = {"text": "string", "year": "string", "amount": "number", "integer": "integer"}


@pytest.mark.parametrize("spec", loader.TABLES, ids=lambda s: s.name)
def test_resource_matches_loader_spec(spec: loader.TableSpec) -> None:
    resource = RESOURCES[spec.name]
    assert resource["path"] == spec.filename
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == [c.name for c in spec.columns]
    for field, column in zip(fields, spec.columns):
        constraints = field.get("constraints", {})
        assert field["type"] == TYPES[column.kind], column.name
        assert constraints.get("required", False) == column.required, column.name
        assert tuple(constraints.get("enum", ())) == column.values, column.name
    assert tuple(resource["schema"]["primaryKey"]) == spec.key
    foreign = resource["schema"].get("foreignKeys", [])
    assert bool(foreign) == spec.refers_to_psp
    for key in foreign:
        assert key == {"fields": ["psp_id"], "reference": {"resource": "psp", "fields": ["psp_id"]}}


def test_every_data_file_is_described() -> None:
    on_disk = sorted(p.name for p in (REPO / "data").glob("*.csv"))
    assert sorted(RESOURCES[s.name]["path"] for s in loader.TABLES) == on_disk


def test_descriptor_is_what_the_tool_makes_from_the_schema() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("datapackage_tool",
                                                  REPO / "tools" / "datapackage.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    current = (REPO / "data" / "datapackage.json").read_text(encoding="utf-8")
    assert current == tool.synced(current), "run: python tools/datapackage.py"
    drifted = current.replace('"enum": ["government", "additional"]', '"enum": ["government"]', 1)
    assert drifted != current and tool.synced(drifted) == current
