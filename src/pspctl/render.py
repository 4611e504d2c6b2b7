"""Rendering a DataFrame as it is (the Python API's way in, and the tests'): a one-table view
handed to the writer of the format.

The command line and the audit pack build their views with :mod:`pspctl.views`, whose columns
say their kind; here a column's kind comes from ``kinds`` or else from its values (``Decimal``
money, ``float`` a ratio, ``int`` a count, anything else text), never from its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .money import plain_money, pretty_money
from .views import Column, Kind, Table, View
from .writers import SUFFIXES, Format, write
from .writers.cells import FORMULA_PREFIXES, NOT_STATED, human_cell, machine_cell, missing
from .writers.table import _width

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMULA_PREFIXES", "NOT_STATED", "SUFFIXES", "Format", "_width", "human_cell",
           "machine_cell", "plain_money", "pretty_money", "render", "render_sections"]


def _kind(values: list[Any]) -> Kind:
    present = [v for v in values if not missing(v)]
    if present and all(isinstance(v, Decimal) for v in present):
        return "money"
    if present and all(isinstance(v, float) for v in present):
        return "ratio"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "count"
    return "text"


def columns_of(frame: pd.DataFrame, kinds: Mapping[str, Kind] | None = None
               ) -> tuple[Column, ...]:
    """The columns of ``frame`` with their kinds: as ``kinds`` says, else from the values."""
    given = dict(kinds or {})
    return tuple(Column(str(c), given.get(str(c)) or _kind(frame[c].tolist()))
                 for c in frame.columns)


def render(
    frame: pd.DataFrame,
    fmt: Format,
    *,
    kinds: Mapping[str, Kind] | None = None,
    title: str | None = None,
    notes: Sequence[str] = (),
    total_rows: int = 0,
    terminal: bool = False,
    width: int | None = None,
    blank: str | None = None,
    chart: str | None = None,
    highlight: Sequence[int] = (),
) -> str:
    """Render ``frame`` as ``fmt``; return the text, ending in a newline.

    ``total_rows`` is how many rows at the end of ``frame`` are totals (set apart in a table).
    ``notes`` are lines for people shown after a table or markdown table, never in machine
    formats. ``terminal`` is true when the text goes to a terminal: colour and box drawing are
    used only then. ``blank`` replaces the text of every missing figure in table and markdown
    (Table 3's "-"). ``chart`` names a money column to draw as a bar per row (table only).
    ``highlight`` lists rows to show in bold red in a terminal.
    """
    body = frame.iloc[: len(frame) - total_rows]
    table = Table(title, columns_of(frame, kinds), body, blank=blank, highlight=tuple(highlight),
                  chart=chart, given=frame.iloc[len(frame) - total_rows:])
    # (machine formats mark totals rows in a row column, when there are any)
    return write(View((table,), notes=tuple(notes), data_totals=bool(total_rows)), fmt,
                 terminal, width)


def render_sections(
    sections: Sequence[tuple[str, pd.DataFrame, int]],
    fmt: Format,
    *,
    notes: Sequence[str] = (),
    terminal: bool = False,
    width: int | None = None,
    highlight: Mapping[int, Sequence[int]] | None = None,
    kinds: Mapping[str, Kind] | None = None,
) -> str:
    """Several titled tables (``title, frame, total_rows``) one after the other, for people."""
    tables = tuple(
        Table(title, columns_of(frame, kinds), frame.iloc[: len(frame) - total_rows],
              highlight=tuple((highlight or {}).get(n, ())),
              given=frame.iloc[len(frame) - total_rows:])
        for n, (title, frame, total_rows) in enumerate(sections)
    )
    return write(View(tables, notes=tuple(notes), sectioned=True), fmt, terminal, width)
