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
