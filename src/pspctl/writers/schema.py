"""The Table Schema (Frictionless) of what a command writes as csv, tsv and json: each column's
name, type, what it holds and whether it may be empty. The schemas are pspctl's interface to
scripts: a change to one is a change of version."""

from __future__ import annotations

import json
from typing import Any

from ..views import Column, View
from .cells import machine_table

#: What each kind of column is in a Table Schema, and what it holds.
FIELDS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "description": "an identifier"},
    "text": {"type": "string", "description": "text"},
    "year": {"type": "string", "description": "a financial year, such as 2013-14",
             "constraints": {"pattern": "[0-9]{4}-[0-9]{2}"}},
    "money": {"type": "number", "bareNumber": True,
              "description": "money in pounds sterling (GBP), exact to the penny, a plain "
                             "number (no £, no thousands separators)"},
    "share": {"type": "number", "description": "a share of a whole, 0 to 1"},
    "ratio": {"type": "number", "description": "a ratio"},
    "count": {"type": "integer", "description": "a whole number"},
    "index": {"type": "number", "description": "an index number, such as a GDP deflator "
                                               "(2016-17 = 100)"},
}
#: Where the year column of a table holds other labels (the totals row's "Total").
LABELLED = {"type": "string"}


def table_schema(view: View) -> dict[str, Any]:
    """The schema of ``view``'s csv and json: its columns in order; an empty cell is missing
    (not stated, or not applicable)."""
    columns, _ = machine_table(view)
    table = view.records
    fields = [_field(column, column.name == table.label and view.data_totals)
              for column in columns if column.kind != "records"]
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    nested = [c.name for c in columns if c.kind == "records"]
    if nested:
        schema["description"] = (f"json adds {', '.join(nested)} to each row: a list of "
                                 "objects, one per candidate explanation")
    return schema


def _field(column: Column, labelled: bool) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, **FIELDS[column.kind]}
    if column.name == "row":
        field.update(description="data for a row of data, total for a totals row",
                     constraints={"required": True, "enum": ["data", "total"]})
    elif labelled and column.kind == "year":  # the totals row's label, "Total", is no year
        field.update(LABELLED, description="a financial year, or Total in the totals row")
        field.pop("constraints", None)
    if column.name.endswith("_gbp") and column.kind == "money":
        field["title"] = column.heading
    return field


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> str:
    return json.dumps(table_schema(view), indent=2, ensure_ascii=False) + "\n"
