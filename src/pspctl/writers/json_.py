"""JSON: one table for scripts, a list of objects; money as exact decimal numbers, nested
records (reconcile's candidates) as lists of objects."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..money import plain_money
from ..views import View
from .cells import machine_table, missing, plain_number, python, rows_of


def json_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(
            f"{json.dumps(str(k))}: {json_value(python(v))}" for k, v in value.items()
        ) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(json_value(python(v)) for v in value) + "]"
    if missing(value):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_money(value)
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def json_rows(columns: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "[]\n"
    keys = [json.dumps(c) for c in columns]
    lines = [
        "  {" + ", ".join(f"{k}: {json_value(v)}" for k, v in zip(keys, row)) + "}"
        for row in rows
    ]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> str:
    columns, frame = machine_table(view)
    return json_rows([c.name for c in columns], rows_of(frame[[c.name for c in columns]]))
