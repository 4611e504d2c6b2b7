"""Pure report functions: DataFrames in, a DataFrame (or a small dataclass) out.

No printing, no typer, no rich: the command line renders what these return, and a notebook can
call them directly. Money comes in as integer pence and goes out as ``Decimal`` pounds in columns
ending ``_gbp``, so every figure stays exact to the penny.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .errors import Problem


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """One row per problem: ``file``, ``line``, ``column``, ``kind``, ``message``."""
    rows = [(p.file, p.line, p.column, p.kind, p.message) for p in problems]
    frame = pd.DataFrame(rows, columns=["file", "line", "column", "kind", "message"], dtype=object)
    typed: pd.DataFrame = frame.astype({"line": "Int64"})
    return typed
