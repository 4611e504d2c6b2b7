"""CSV and TSV: one table for scripts, by RFC 4180, plain numbers, text safe for spreadsheets."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..money import plain_money_column
from ..views import View
from .cells import machine_cell, machine_table, neutralise, neutralised, python


def machine_column(kind: str, values: list[Any]) -> list[str]:
    """One column's cells as csv/tsv text (:func:`machine_cell`, text cells neutralised),
    the common columns (all money, all text) in one pass without a call per cell."""
    types = set(map(type, values))
    if types <= {Decimal, type(None)}:
        return plain_money_column(values)
    if types <= {str, type(None)}:
        return neutralised(values)
    return [neutralise(v) if isinstance(v, str) else machine_cell(kind, python(v))
            for v in values]


def delimited(columns: list[str], cells: list[list[str]], delimiter: str) -> str:
    """CSV or TSV by RFC 4180: a cell holding the delimiter, a quote, a carriage return or a
    line feed is quoted (its quotes doubled), so no text can split a row or move a figure into
    another column; rows end in a line feed."""
    special = re.compile(f'[{re.escape(delimiter)}"\r\n]')

    def quoted(texts: list[str]) -> list[str]:
        whole = "".join(texts)  # (each character looked for in it at C's speed, no pattern)
        breaks = "\n" in whole or "\r" in whole
        if not (breaks or delimiter in whole or '"' in whole):  # (money): as it is
            return texts
        if '"' not in whole:  # (quoted as they are, without doubling any quote)
            if not breaks:  # only the delimiter
                return [f'"{t}"' if delimiter in t else t for t in texts]
            return [f'"{t}"' if special.search(t) else t for t in texts]
        return [f'"{t.replace(chr(34), chr(34) * 2)}"' if special.search(t) else t
                for t in texts]

    lines = [delimiter.join(quoted(columns))]
    lines += map(delimiter.join, zip(*(quoted(texts) for texts in cells)))
    return "\n".join(lines) + "\n"


def _write(view: View, delimiter: str) -> str:
    every, frame = machine_table(view)
    columns = [c for c in every if c.kind != "records"]  # only json nests
    return delimited([c.name for c in columns],
                     [machine_column(c.kind, frame[c.name].tolist()) for c in columns], delimiter)


def write_csv(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> str:
    return _write(view, ",")


def write_tsv(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> str:
    return _write(view, "\t")
