"""What every report shares: the streams, money as pounds, years, PSPs by name, totals rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .. import money
from ..errors import Problem, UsageError, shortened
from ..loader import Dataset
from ..schema import TABLES, check_year

GOVERNMENT = "government"
ADDITIONAL = "additional"
#: The research report every figure comes from.
REPORT_TITLE = "Strategic Public Social Partnership model: report"

#: How the funder sectors of additional funds split into public bodies and independent funders.
PUBLIC_SECTORS = frozenset(
    {"government", "local authority", "NHS board", "regional transport partnership"}
)
INDEPENDENT_SECTORS = frozenset({"lottery", "charitable trust"})


# --- small helpers -----------------------------------------------------------------------------


def gbp(pence: int | None) -> Decimal | None:
    """Integer pence to exact ``Decimal`` pounds (``None`` stays ``None``: not stated)."""
    if pence is None or pd.isna(pence):
        return None
    return money.gbp(pence)


def _pounds(pence: int) -> str:
    """``£2,759,368``, ``£101,459.50`` or ``-£300``: for sentences (as
    :func:`~pspctl.money.pretty_money` writes pounds, from whole pence without a Decimal)."""
    pounds, rest = divmod(abs(int(pence)), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,}" if not rest else f"{sign}£{pounds:,}.{rest:02d}"


def _money(values: pd.Series | Iterable[Any]) -> list[Decimal | None]:
    """Integer pence (a nullable Series, or any ints) as exact ``Decimal`` pounds, ``None``
    where missing (not stated)."""
    if isinstance(values, pd.Series):
        numbers = values.astype("Int64")  # ints and NA, never floats
        pence = numbers.to_numpy(dtype=np.int64, na_value=0).tolist()
        missing = numbers.isna().to_numpy().tolist()
        return [None if gone else money.gbp(p) for p, gone in zip(pence, missing)]
    return [gbp(v) for v in values]


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _psp_frame(data: Dataset | pd.DataFrame) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else data.psp


def resolve_psp(data: Dataset | pd.DataFrame, query: str, parameter: str | None = None) -> str:
    """The ``psp_id`` a user means: the id itself, or an unambiguous case-insensitive part of
    the id, the name or the Table 3 label (``lothian``, ``"Low Moss"``). ``data`` is the
    :class:`Dataset` (or its ``psp`` frame).

    An unknown or ambiguous query raises :class:`UsageError` listing the candidates, and naming
    ``parameter`` (a function's parameter) when given.
    """
    psp = _psp_frame(data)
    ids = psp["psp_id"].tolist()
    if query in ids:
        return query
    said = f"{parameter}: " if parameter else ""
    if not isinstance(query, str):
        raise UsageError(f"{said}{query!r} is not a PSP: give an id or a part of a name, as text")
    needle = _normalised(query)
    matches = []
    if needle:
        for row in psp.itertuples(index=False):
            label = row.table_label
            texts = (row.psp_id, row.name, "" if pd.isna(label) else label)  # type: ignore[arg-type]
            if any(needle in _normalised(str(t)) for t in texts):
                matches.append(str(row.psp_id))
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        raise UsageError(f"{said}PSP {query!r} is ambiguous: it matches {shortened(matches)}")
    raise UsageError(f"{said}no PSP matches {query!r}: use one of {shortened(ids)}")


def resolve_psps(data: Dataset | pd.DataFrame, queries: Sequence[str] | str | None,
                 parameter: str | None = None) -> list[str] | None:
    """Each query resolved with :func:`resolve_psp`, in psp.csv order; ``None`` for all (no
    queries). One text is one query (``"lothian"``), not its letters."""
    if queries is None or (not isinstance(queries, str) and len(queries) == 0):
        return None
    if isinstance(queries, str):
        queries = [queries]
    psp = _psp_frame(data)
    wanted = {resolve_psp(psp, q, parameter) for q in queries}
    return [i for i in psp["psp_id"].tolist() if i in wanted]


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for plotting and statistics: each column of exact ``Decimal`` pounds as floats
    (``NaN`` where the figure is missing), the other columns as they are. A float holds every
    figure pspctl accepts to well within a penny (rounded to two decimals it is the figure);
    keep the exact frame for sums that must foot."""
    out = frame.copy()
    for column in frame.columns:
        values = frame[column].tolist()
        present = [v for v in values if v is not None and not pd.isna(v)]
        if present and all(isinstance(v, Decimal) for v in present):
            out[column] = np.array([np.nan if v is None or pd.isna(v) else float(v)
                                    for v in values], dtype=np.float64)
    return out


def data_years(data: Dataset) -> list[str]:
    """The financial years the data has funding for, in order."""
    return sorted(str(y) for y in data.funding["year"].dropna().unique().tolist())


def year_range(data: Dataset, start: str | None, end: str | None,
               names: tuple[str, str] = ("start", "end")) -> tuple[str | None, str | None]:
    """``start`` and ``end`` checked: each a financial year, in order, and the range holding at
    least one year of the data; otherwise a :class:`UsageError` naming the parameters (or the
    options, ``names``) and the years the data covers."""
    low = check_year(start, names[0]) if start is not None else None
    high = check_year(end, names[1]) if end is not None else None
    if low is not None and high is not None and low > high:
        raise UsageError(f"{names[0]} {low} is after {names[1]} {high}")
    if low is None and high is None:
        return low, high
    years = data_years(data)
    if years and not any((low or "") <= y <= (high or "9999-99") for y in years):
        if names[0] == names[1]:
            asked = f"{names[0]} {low}: not a year of the data"
        elif low is not None and high is not None:
            asked = f"{names[0]} {low} {names[1]} {high}: no year of the data in that range"
        else:
            asked = (f"{names[0]} {low}: no year of the data from then on" if low is not None
                     else f"{names[1]} {high}: no year of the data up to then")
        raise UsageError(f"{asked}, which covers {years[0]} to {years[-1]}")
    return low, high


def _government(
    data: Dataset,
    psps: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """The government cells, restricted to some PSPs (ids, as :func:`resolve_psps` gives them)
    and a range of financial years (checked by :func:`year_range`)."""
    low, high = start or "", end or "9999-99"
    # only the columns the reports use: taking every column of millions of rows costs more
    cells = data.funding.loc[data.funding["stream"] == GOVERNMENT,
                             ["psp_id", "year", "amount_pence"]]
    if psps is not None:
        cells = cells[cells["psp_id"].isin(list(psps))]
    if start is not None or end is not None:
        years = [y for y in cells["year"].dropna().unique().tolist() if low <= str(y) <= high]
        cells = cells[cells["year"].isin(years)]
    return cells


def _names(data: Dataset) -> dict[str, str]:
    return dict(zip(data.psp["psp_id"].tolist(), data.psp["name"].tolist()))


def psp_labels(data: Dataset) -> dict[str, str]:
    """Each PSP as people know it, by its id: Table 3's row label ("Low Moss Prison"), else
    its name, else its id; a label two PSPs share is followed by the id, ``Label
    (psp_id)``, so that no two PSPs read alike. The one name tables, charts and the audit
    pack show people; scripts read the id."""
    chosen = {}
    for psp_id, name, label in zip(data.psp["psp_id"].astype(str).tolist(),
                                   data.psp["name"].tolist(), data.psp["table_label"].tolist()):
        text = next((t.strip() for t in (label, name) if isinstance(t, str) and t.strip()),
                    psp_id)
        chosen[psp_id] = text
    counts: dict[str, int] = {}
    for text in chosen.values():
        counts[text] = counts.get(text, 0) + 1
    return {psp_id: text if counts[text] == 1 else f"{text} ({psp_id})"
            for psp_id, text in chosen.items()}


def _psp_order(data: Dataset, psps: Sequence[str] | None) -> list[str]:
    ids = data.psp["psp_id"].tolist()
    if psps is None:
        return ids
    wanted = set(psps)
    return [i for i in ids if i in wanted]


def with_total(
    frame: pd.DataFrame,
    label_column: str,
    label: str = "Total",
    skip: Sequence[str] = ("cumulative_gbp", "combined_gbp"),
) -> pd.DataFrame:
    """``frame`` with a totals row: money columns summed (what is stated), shares as 1.

    Columns that do not add up (names, years, ratios, and the ``skip`` columns) are left empty
    in the totals row. By default: running totals, and compare's ``combined_gbp``, which is
    stated only for the PSPs that state additional funds, so that its sum would not add up
    with the government funds of all PSPs.
    """
    row: dict[str, Any] = {}
    for column in frame.columns:
        values = frame[column].tolist()
        if column == label_column:
            row[column] = label
        elif column in skip:
            row[column] = None
        elif any(isinstance(v, Decimal) for v in values):
            stated = [v for v in values if isinstance(v, Decimal)]
            row[column] = money.total(stated)
        elif column == "share":
            row[column] = 1.0 if values else None
        else:
            row[column] = None
    total = pd.DataFrame([row], columns=frame.columns, dtype=object)
    return pd.concat([frame.astype(object), total], ignore_index=True)


# --- validate ----------------------------------------------------------------------------------


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """One row per problem: ``file``, ``line``, ``column``, ``kind``, ``message`` and, in a
    workbook, ``place`` (``funding!F5``)."""
    rows = [(p.file, p.line, p.column, p.kind, p.message, p.place) for p in problems]
    frame = pd.DataFrame(rows, columns=["file", "line", "column", "kind", "message", "place"],
                         dtype=object)
    typed: pd.DataFrame = frame.astype({"line": "Int64"})
    return typed



def _objects(series: pd.Series) -> list[Any]:
    """Plain Python values, ``None`` for missing ones, whatever the column's dtype."""
    return [None if pd.isna(v) else v for v in series.astype(object).tolist()]


def _sums(frame: pd.DataFrame, ids: list[str], by: str = "psp_id") -> pd.Series:
    """Pence summed per ``by`` value, in the order of ``ids``; missing (NA) where none."""
    sums = frame.groupby(by, observed=True)["amount_pence"].sum()
    sums.index = sums.index.astype(str)
    return sums.astype("Int64").reindex(ids)


def _by_psp(frame: pd.DataFrame, ids: list[str], column: str, how: str) -> list[Any]:
    """The ``min`` or ``max`` of ``column`` per PSP, in the order of ``ids``.

    The column is taken as an ordered categorical (its categories sorted: financial years sort
    in time order): pandas reduces Arrow-backed text through pyarrow's query engine, whose
    import alone costs 20 ms.
    """
    column_values = frame[column]
    if not isinstance(column_values.dtype, pd.CategoricalDtype) or not column_values.cat.ordered:
        column_values = column_values.astype(pd.CategoricalDtype(ordered=True))
    values = column_values.groupby(frame["psp_id"], observed=True).agg(how)
    values.index = values.index.astype(str)
    return _objects(values.reindex(ids))


def data_tables(data: Dataset) -> dict[str, pd.DataFrame]:
    """The data as its files hold it: one frame per table (``psp``, ``funding``, ``totals``,
    ``outcomes``) with the file's columns in their order, money as exact pounds
    (``amount_gbp``), a blank cell as ``None``."""
    return {
        spec.name: pd.DataFrame(
            {c.name: _money(getattr(data, spec.name)["amount_pence"]) if c.kind == "amount"
             else _objects(getattr(data, spec.name)[c.name]) for c in spec.columns},
            dtype=object)
        for spec in TABLES
    }
