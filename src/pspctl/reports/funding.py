"""Scottish Government funds (Table 3) recomputed from its cells: the matrix, by year, by PSP."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

from ..loader import Dataset
from ..money import gbp as pounds
from .common import (
    _government,
    _money,
    _names,
    _psp_order,
    psp_labels,
    resolve_psps,
    year_range,
)

# --- funding -----------------------------------------------------------------------------------


def funding_matrix(
    data: Dataset,
    psps: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Table 3 recomputed from the cells: one row per PSP, one column per financial year.

    Columns: ``psp_id``, ``name``, ``label`` (Table 3's row label, :func:`psp_labels`), one
    column per year, ``2012-13_gbp`` (``Decimal``; ``0`` where the PSP had no funding that year,
    Table 3's "-", since no cell in a year is no funding stated, not a figure missing), and
    ``government_gbp``. ``psps`` (ids, or parts of a name, as :func:`resolve_psp` takes them)
    and ``start``/``end`` (financial years, inclusive, holding a year of the data) restrict it;
    an unknown PSP or a range outside the data is a :class:`UsageError`.
    """
    psps = resolve_psps(data, psps, "psps")
    start, end = year_range(data, start, end)
    cells = _government(data, psps, start, end)
    ids = _psp_order(data, psps)
    names, labels = _names(data), psp_labels(data)
    sums = cells.groupby(["psp_id", "year"], observed=True)["amount_pence"].sum()
    table = sums.astype("Int64").unstack("year")
    table.index = table.index.astype(str)
    table.columns = [str(c) for c in table.columns]
    table = table.reindex(index=ids, columns=sorted(table.columns)).fillna(0)
    columns: dict[str, list[Any]] = {"psp_id": ids, "name": [names[i] for i in ids],
                                     "label": [labels[i] for i in ids]}
    for year in table.columns:
        columns[f"{year}_gbp"] = _money(table[year])
    columns["government_gbp"] = _money(table.sum(axis=1))
    return pd.DataFrame(columns, dtype=object)


def funding_by_year(
    data: Dataset,
    psps: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    cumulative: bool = False,
    share: bool = False,
) -> pd.DataFrame:
    """Government funding per financial year: ``year``, ``government_gbp``, and on request
    ``cumulative_gbp`` (running total) and ``share`` (of the total, 0..1)."""
    psps = resolve_psps(data, psps, "psps")
    start, end = year_range(data, start, end)
    cells = _government(data, psps, start, end)
    sums = cells.groupby("year")["amount_pence"].sum().sort_index()
    years = [str(y) for y in sums.index]
    pence = [int(v) for v in sums.tolist()]
    frame = pd.DataFrame({"year": years, "government_gbp": _money(pence)}, dtype=object)
    if cumulative:
        frame["cumulative_gbp"] = _money(itertools.accumulate(pence))
    if share:
        frame["share"] = _shares(pence)
    return frame


def funding_by_psp(
    data: Dataset,
    psps: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    share: bool = False,
) -> pd.DataFrame:
    """Government funding per PSP, largest first: ``psp_id``, ``name``, ``label`` (Table 3's
    row label), ``government_gbp`` and on request ``share`` (of the total, 0..1)."""
    psps = resolve_psps(data, psps, "psps")
    start, end = year_range(data, start, end)
    cells = _government(data, psps, start, end)
    summed = cells.groupby("psp_id", observed=True)["amount_pence"].sum()
    sums = dict(zip(map(str, summed.index.tolist()), summed.tolist()))  # no Series.get per PSP
    ids = _psp_order(data, psps)
    order = {psp_id: n for n, psp_id in enumerate(ids)}
    ranked = sorted(ids, key=lambda i: (-int(sums.get(i, 0)), order[i]))
    names, labels = _names(data), psp_labels(data)
    pence = [int(sums.get(i, 0)) for i in ranked]
    frame = pd.DataFrame(
        {"psp_id": ranked, "name": [names[i] for i in ranked],
         "label": [labels[i] for i in ranked], "government_gbp": _money(pence)},
        dtype=object,
    )
    if share:
        frame["share"] = _shares(pence)
    return frame


def _shares(pence: list[int]) -> list[float | None]:
    total = sum(pence)
    return [float(Decimal(p) / Decimal(total)) if total else None for p in pence]


def table3_published(data: Dataset) -> dict[str, Decimal]:
    """The figures Table 3 itself prints for all PSPs (government funds): each financial year's
    total by its column (``2012-13_gbp``), and the grand total as ``government_gbp``, from
    ``totals.csv``, as :func:`funding_matrix` names them. A figure
    printed twice for one scope is left out (which one is meant is for reconcile to say)."""
    totals = data.totals
    mine = totals[(totals["stream"] == "government") & totals["psp_id"].isna()
                  & totals["kind"].isin(["year_total", "grand_total"])]
    found: dict[str, list[int]] = {}
    for kind, year, pence in mine[["kind", "year", "amount_pence"]].astype(object).itertuples(
            index=False):
        key = "government_gbp" if kind == "grand_total" else f"{year}_gbp"
        found.setdefault(key, []).append(int(pence))
    return {key: pounds(figures[0]) for key, figures in found.items() if len(figures) == 1}
