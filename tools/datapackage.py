"""Keep data/datapackage.json in step with the loader's schema (pspctl.schema).

    python tools/datapackage.py          # rewrite the schemas of data/datapackage.json
    python tools/datapackage.py --check  # exit 1 and show what drifted

Each resource's fields (names, order, types, required, enumerations, the year pattern, amounts
not negative), primary key and foreign keys are made from the schema; the descriptions, the
package's title, sources and everything else are kept as written; the licence is the data's,
as pspctl.licences states it.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Any

from pspctl.licences import DATA_LICENCE
from pspctl.schema import FIRST_YEAR, LAST_YEAR, TABLES, Column, TableSpec

DESCRIPTOR = Path(__file__).resolve().parent.parent / "data" / "datapackage.json"
TYPES = {"text": "string", "year": "string", "amount": "number", "integer": "integer"}
#: Frictionless's pattern for a financial year in the range the loader takes (its own rule also
#: wants the two years consecutive, which a pattern cannot say).
YEAR_PATTERN = f"({FIRST_YEAR[:2]}[0-9]{{2}}|{LAST_YEAR[:2]}[0-9]{{2}})-[0-9]{{2}}"


def field(column: Column, described: dict[str, Any], key: tuple[str, ...]) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if key == (column.name,):
        constraints["unique"] = True
    if column.values:
        constraints["enum"] = list(column.values)
    if column.kind == "year":
        constraints["pattern"] = YEAR_PATTERN
    if column.kind in ("amount", "integer"):  # the loader takes no negative number
        constraints["minimum"] = 0
    made: dict[str, Any] = {"name": column.name, "type": TYPES[column.kind],
                            "description": described.get("description", "")}
    if constraints:
        made["constraints"] = constraints
    return made


def schema(spec: TableSpec, old: dict[str, Any]) -> dict[str, Any]:
    described = {f["name"]: f for f in old.get("fields", [])}
    made: dict[str, Any] = {
        "fields": [field(c, described.get(c.name, {}), spec.key) for c in spec.columns],
        "primaryKey": list(spec.key),
    }
    if spec.refers_to_psp:
        made["foreignKeys"] = [{"fields": ["psp_id"],
                                "reference": {"resource": "psp", "fields": ["psp_id"]}}]
    return made


def text(descriptor: dict[str, Any]) -> str:
    """The descriptor as written: two-space indents, one field to a line."""
    def dumped(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    keys = list(descriptor)
    for n, key in enumerate(keys):
        end = "," if n < len(keys) - 1 else ""
        if key != "resources":
            lines.append(f'  {dumped(key)}: {dumped(descriptor[key])}{end}')
            continue
        lines.append('  "resources": [')
        for m, resource in enumerate(descriptor[key]):
            lines.append("    {")
            inner = [f"      {dumped(k)}: {dumped(v)}" for k, v in resource.items()
                     if k != "schema"]
            fields = ",\n".join(f"          {dumped(f)}" for f in resource["schema"]["fields"])
            rest = "".join(f',\n        {dumped(k)}: {dumped(v)}'
                           for k, v in resource["schema"].items() if k != "fields")
            inner.append('      "schema": {\n        "fields": [\n' + fields + "\n        ]"
                         + rest + "\n      }")
            lines.append(",\n".join(inner))
            lines.append("    }" + ("," if m < len(descriptor[key]) - 1 else ""))
        lines.append("  ]" + end)
    lines.append("}")
    return "\n".join(lines) + "\n"


def synced(current: str) -> str:
    descriptor = json.loads(current)
    resources = {r["name"]: r for r in descriptor["resources"]}
    for spec in TABLES:
        resource = resources.setdefault(spec.name, {"name": spec.name, "path": spec.filename})
        resource["schema"] = schema(spec, resource.get("schema", {}))
    descriptor["resources"] = [resources[spec.name] for spec in TABLES]
    # the data's licence as pspctl states it everywhere, before the resources
    licensed = {k: v for k, v in descriptor.items() if k not in ("licenses", "resources")}
    licensed["licenses"] = [dict(DATA_LICENCE)]
    licensed["resources"] = descriptor["resources"]
    return text(licensed)


def main(argv: list[str]) -> int:
    current = DESCRIPTOR.read_text(encoding="utf-8")
    wanted = synced(current)
    if "--check" in argv:
        if current != wanted:
            sys.stdout.writelines(difflib.unified_diff(
                current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                "data/datapackage.json", "pspctl.schema"))
            print("data/datapackage.json is out of step with the schema: run "
                  "python tools/datapackage.py")
            return 1
        return 0
    DESCRIPTOR.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
