"""Pure report functions: DataFrames in, a DataFrame (or a small dataclass) out.

No printing, no typer, no rich: the command line renders what these return, and a notebook can
call them directly::

    import pspctl
    data = pspctl.load()
    pspctl.funding_by_year(data)

Money comes in as integer pence and goes out as ``Decimal`` pounds in columns ending ``_gbp``, so
every figure stays exact to the penny. A figure the report does not state is a missing value
(``None``), never zero.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from . import money
from .errors import Problem, UsageError, shortened
from .loader import YEAR_HELP, Dataset, codes_of, is_financial_year
from .money import parse_pence

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
    """``£2,759,368``: for sentences."""
    return money.pretty_money(money.gbp(pence))


def _money(values: pd.Series | Iterable[Any]) -> list[Decimal | None]:
    """Integer pence (a nullable Series, or any ints) as exact ``Decimal`` pounds, ``None``
    where missing (not stated)."""
    if isinstance(values, pd.Series):
        numbers = values.astype("Int64")  # ints and NA, never floats
        pence = numbers.to_numpy(dtype=np.int64, na_value=0).tolist()
        missing = numbers.isna().to_numpy().tolist()
        return [None if gone else money.gbp(p) for p, gone in zip(pence, missing)]
    return [gbp(v) for v in values]


def check_year(year: str, option: str = "year") -> str:
    """A financial year ``YYYY-YY`` with consecutive years, or a :class:`UsageError`."""
    if not is_financial_year(year.strip()):
        raise UsageError(
            f"{option} {year!r} is not a financial year: {YEAR_HELP}"
        )
    return year.strip()


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def resolve_psp(psp: pd.DataFrame, query: str) -> str:
    """The ``psp_id`` a user means: the id itself, or an unambiguous case-insensitive part of
    the id, the name or the Table 3 label (``lothian``, ``"Low Moss"``).

    An unknown or ambiguous query raises :class:`UsageError` listing the candidates.
    """
    ids = psp["psp_id"].tolist()
    if query in ids:
        return query
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
        raise UsageError(f"PSP {query!r} is ambiguous: it matches {shortened(matches)}")
    raise UsageError(f"no PSP matches {query!r}: use one of {shortened(ids)}")


def resolve_psps(psp: pd.DataFrame, queries: Sequence[str] | None) -> list[str] | None:
    """Each query resolved with :func:`resolve_psp`, in psp.csv order; ``None`` for all."""
    if not queries:
        return None
    wanted = {resolve_psp(psp, q) for q in queries}
    return [i for i in psp["psp_id"].tolist() if i in wanted]


def _government(
    data: Dataset,
    psps: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """The government cells, restricted to some PSPs and a range of financial years."""
    low = check_year(start, "start") if start is not None else ""
    high = check_year(end, "end") if end is not None else "9999-99"
    if start is not None and end is not None and low > high:
        raise UsageError(f"start {start} is after end {end}")
    cells = data.funding[data.funding["stream"] == GOVERNMENT]
    if psps is not None:
        cells = cells[cells["psp_id"].isin(list(psps))]
    if start is not None or end is not None:
        years = [y for y in cells["year"].dropna().unique().tolist() if low <= str(y) <= high]
        cells = cells[cells["year"].isin(years)]
    return cells


def _names(data: Dataset) -> dict[str, str]:
    return dict(zip(data.psp["psp_id"].tolist(), data.psp["name"].tolist()))


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
            row[column] = sum(stated, Decimal("0.00"))
        elif column == "share":
            row[column] = 1.0 if values else None
        else:
            row[column] = None
    total = pd.DataFrame([row], columns=frame.columns, dtype=object)
    return pd.concat([frame.astype(object), total], ignore_index=True)


# --- validate ----------------------------------------------------------------------------------


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """One row per problem: ``file``, ``line``, ``column``, ``kind``, ``message``."""
    rows = [(p.file, p.line, p.column, p.kind, p.message) for p in problems]
    frame = pd.DataFrame(rows, columns=["file", "line", "column", "kind", "message"], dtype=object)
    typed: pd.DataFrame = frame.astype({"line": "Int64"})
    return typed


# --- list --------------------------------------------------------------------------------------


def psp_list(
    data: Dataset, lead_sector: str | None = None, active_in: str | None = None
) -> pd.DataFrame:
    """One row per PSP with its attributes and its funding.

    Columns: ``psp_id``, ``name``, ``established``, ``sector``, ``lead``, ``lead_sector``,
    ``first_year`` and ``last_year`` (of government funding), ``government_gbp`` and
    ``additional_gbp`` (missing when the report states no additional funds). ``lead_sector``
    keeps only PSPs whose lead is of that sector (``public`` or ``third``); ``active_in`` only
    those with government funding in that financial year.
    """
    funding = data.funding
    government = funding[funding["stream"] == GOVERNMENT]
    additional = funding[funding["stream"] == ADDITIONAL]
    psp = data.psp
    if lead_sector is not None:
        if lead_sector not in ("public", "third"):
            raise UsageError(f"lead_sector {lead_sector!r}: use public or third")
        psp = psp[psp["lead_sector"] == lead_sector]
    if active_in is not None:
        year = check_year(active_in, "active_in")
        active = government.loc[government["year"] == year, "psp_id"].unique().tolist()
        psp = psp[psp["psp_id"].isin(active)]
    ids = [str(i) for i in psp["psp_id"].tolist()]
    years = _by_psp(government, ids, "year", "min"), _by_psp(government, ids, "year", "max")
    return pd.DataFrame(
        {
            "psp_id": ids,
            "name": _objects(psp["name"]),
            "established": _objects(psp["established"]),
            "sector": _objects(psp["sector"]),
            "lead": _objects(psp["lead"]),
            "lead_sector": _objects(psp["lead_sector"]),
            "first_year": years[0],
            "last_year": years[1],
            "government_gbp": _money(_sums(government, ids).fillna(0)),
            "additional_gbp": _money(_sums(additional, ids)),
        },
        dtype=object,
    )


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


# --- show --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PspDetail:
    """Everything about one PSP, in sections; :attr:`facts` is all of it as one long table."""

    psp_id: str
    attributes: pd.DataFrame  # field, value, source
    government: pd.DataFrame  # year, amount_gbp, source, line
    additional: pd.DataFrame  # funder, funder_sector, amount_gbp, source, line
    outcomes: pd.DataFrame  # outcome, value, qualifier, source, line

    @property
    def facts(self) -> pd.DataFrame:
        """One row per fact: ``section``, ``field``, ``value``, ``amount_gbp``, ``source``,
        ``line`` (of the data file the fact comes from)."""
        rows: list[tuple[Any, ...]] = [
            ("psp", r.field, r.value, None, r.source, r.line)
            for r in self.attributes.itertuples(index=False)
        ]
        rows += [
            ("government", r.year, None, r.amount_gbp, r.source, r.line)
            for r in self.government.itertuples(index=False)
        ]
        rows += [
            ("additional", r.funder, r.funder_sector, r.amount_gbp, r.source, r.line)
            for r in self.additional.itertuples(index=False)
        ]
        rows += [
            ("outcome", r.outcome,
             None if r.value is None else (f"{r.qualifier!s} {r.value!s}" if r.qualifier
                                           else str(r.value)),
             None, r.source, r.line)
            for r in self.outcomes.itertuples(index=False)
        ]
        return pd.DataFrame(
            rows, columns=["section", "field", "value", "amount_gbp", "source", "line"],
            dtype=object,
        )


def _attributes(row: pd.Series) -> pd.DataFrame:
    """A PSP's row of psp.csv as one row per attribute: field, value, source, line."""
    fields = ["psp_id", "name", "table_label", "established", "sector", "focus", "lead",
              "lead_sector", "table_note"]
    return pd.DataFrame(
        [(f, None if pd.isna(row[f]) else str(row[f]), row["source"], int(row["line"]))
         for f in fields],
        columns=["field", "value", "source", "line"],
        dtype=object,
    )


def psp_detail(data: Dataset, query: str) -> PspDetail:
    """Everything the data holds about the PSP ``query`` names (see :func:`resolve_psp`)."""
    psp_id = resolve_psp(data.psp, query)
    attributes = _attributes(data.psp[data.psp["psp_id"] == psp_id].iloc[0])
    funding = data.funding[data.funding["psp_id"] == psp_id]
    government = funding[funding["stream"] == GOVERNMENT].sort_values("year")
    additional = funding[funding["stream"] == ADDITIONAL]
    outcomes = data.outcomes[data.outcomes["psp_id"] == psp_id]
    return PspDetail(
        psp_id=psp_id,
        attributes=attributes,
        government=pd.DataFrame(
            {
                "year": government["year"].tolist(),
                "amount_gbp": _money(government["amount_pence"]),
                "source": government["source"].tolist(),
                "line": government["line"].tolist(),
            },
            dtype=object,
        ),
        additional=pd.DataFrame(
            {
                "funder": additional["funder"].tolist(),
                "funder_sector": additional["funder_sector"].astype(object).tolist(),
                "amount_gbp": _money(additional["amount_pence"]),
                "source": additional["source"].tolist(),
                "line": additional["line"].tolist(),
            },
            dtype=object,
        ).replace({pd.NA: None}),
        outcomes=pd.DataFrame(
            {
                "outcome": outcomes["outcome"].tolist(),
                "value": [None if pd.isna(v) else int(v) for v in outcomes["value"]],
                "qualifier": [None if pd.isna(q) else q for q in outcomes["qualifier"]],
                "source": outcomes["source"].tolist(),
                "line": outcomes["line"].tolist(),
            },
            dtype=object,
        ),
    )


# --- funding -----------------------------------------------------------------------------------


def funding_matrix(
    data: Dataset,
    psps: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Table 3 recomputed from the cells: one row per PSP, one column per financial year.

    Columns: ``psp_id``, ``name``, one column per year (``Decimal``, missing where the PSP had no
    funding that year: Table 3's "-"), and ``total_gbp``. ``psps`` (ids) and ``start``/``end``
    (financial years, inclusive) restrict it.
    """
    cells = _government(data, psps, start, end)
    ids = _psp_order(data, psps)
    names = _names(data)
    sums = cells.groupby(["psp_id", "year"], observed=True)["amount_pence"].sum()
    table = sums.astype("Int64").unstack("year")
    table.index = table.index.astype(str)
    table.columns = [str(c) for c in table.columns]
    table = table.reindex(index=ids, columns=sorted(table.columns))
    columns: dict[str, list[Any]] = {"psp_id": ids, "name": [names[i] for i in ids]}
    for year in table.columns:
        columns[year] = _money(table[year])
    columns["total_gbp"] = _money(table.sum(axis=1))
    return pd.DataFrame(columns, dtype=object)


def funding_by_year(
    data: Dataset,
    psps: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    cumulative: bool = False,
    share: bool = False,
) -> pd.DataFrame:
    """Government funding per financial year: ``year``, ``amount_gbp``, and on request
    ``cumulative_gbp`` (running total) and ``share`` (of the total, 0..1)."""
    cells = _government(data, psps, start, end)
    sums = cells.groupby("year")["amount_pence"].sum().sort_index()
    years = [str(y) for y in sums.index]
    pence = [int(v) for v in sums.tolist()]
    frame = pd.DataFrame({"year": years, "amount_gbp": _money(pence)}, dtype=object)
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
    """Government funding per PSP, largest first: ``psp_id``, ``name``, ``amount_gbp`` and on
    request ``share`` (of the total, 0..1)."""
    cells = _government(data, psps, start, end)
    sums = cells.groupby("psp_id")["amount_pence"].sum()
    ids = _psp_order(data, psps)
    order = {psp_id: n for n, psp_id in enumerate(ids)}
    ranked = sorted(ids, key=lambda i: (-int(sums.get(i, 0)), order[i]))
    names = _names(data)
    pence = [int(sums.get(i, 0)) for i in ranked]
    frame = pd.DataFrame(
        {"psp_id": ranked, "name": [names[i] for i in ranked], "amount_gbp": _money(pence)},
        dtype=object,
    )
    if share:
        frame["share"] = _shares(pence)
    return frame


def _shares(pence: list[int]) -> list[float | None]:
    total = sum(pence)
    return [float(Decimal(p) / Decimal(total)) if total else None for p in pence]


# --- compare -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Additional funds against government funds: :attr:`by_psp` one row per PSP,
    :attr:`by_funder_type` the split of the additional funds into public bodies, independent
    funders, and figures that mix both (the report does not split those)."""

    by_psp: pd.DataFrame
    by_funder_type: pd.DataFrame


def funder_type(sectors: str | None) -> str:
    """``public``, ``independent``, ``mixed`` (a figure combining both) or ``unclassified``."""
    if sectors is None or pd.isna(sectors) or not str(sectors).strip():
        return "unclassified"
    kinds = set()
    for sector in str(sectors).split(";"):
        sector = sector.strip()
        if sector in PUBLIC_SECTORS:
            kinds.add("public")
        elif sector in INDEPENDENT_SECTORS:
            kinds.add("independent")
        else:
            return "unclassified"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def compare(data: Dataset, psps: Sequence[str] | None = None) -> Comparison:
    """Additional funds from other organisations against Scottish Government funds per PSP.

    ``additional_gbp``, ``combined_gbp``, ``leverage`` (additional £ per £1 of government funds)
    and ``additional_share`` (of combined) are missing where the report states no additional
    funds: not stated, never zero.
    """
    ids = _psp_order(data, psps)
    names = _names(data)
    funding = data.funding[["psp_id", "stream", "funder", "funder_sector", "amount_pence"]]
    if psps is not None:
        funding = funding[funding["psp_id"].isin(ids)]
    government = _sums(funding[funding["stream"] == GOVERNMENT], ids).fillna(0)
    additional = funding[funding["stream"] == ADDITIONAL]
    sector_pairs = _distinct_pairs(additional, "funder_sector")
    added = _sums(additional, ids)
    combined = government + added
    gov_d = [Decimal(int(v)) for v in government.tolist()]
    leverage = [None if a is pd.NA or not g else float(Decimal(int(a)) / g)
                for a, g in zip(added.tolist(), gov_d)]
    share = [None if a is pd.NA or c is pd.NA or not c else float(Decimal(int(a)) / Decimal(int(c)))
             for a, c in zip(added.tolist(), combined.tolist())]
    by_psp = pd.DataFrame(
        {
            "psp_id": ids,
            "name": [names[i] for i in ids],
            "government_gbp": _money(government),
            "additional_gbp": _money(added),
            "combined_gbp": _money(combined),
            "leverage": leverage,
            "additional_share": share,
            "funders": _joined(_distinct_pairs(additional, "funder"), ids),
            "funder_sector": _joined(sector_pairs, ids),
        },
        dtype=object,
    )
    return Comparison(by_psp=by_psp, by_funder_type=_by_funder_type(additional, sector_pairs,
                                                                      ids))


def _by_funder_type(additional: pd.DataFrame, sector_pairs: _Pairs, ids: list[str]
                    ) -> pd.DataFrame:
    """The additional funds split into public bodies, independent funders, figures that mix
    both, and funders of no known sector: ``funder_type``, ``amount_gbp``, ``psps``."""
    # Classify each distinct sector once, then add up per kind of funder.
    per_sector = additional.groupby(
        "funder_sector", observed=True, dropna=False)["amount_pence"].sum()
    kinds = {value: funder_type(None if pd.isna(value) else str(value))
             for value in per_sector.index.tolist()}
    psps_of: dict[str, set[str]] = {}  # the PSPs with funds of each kind
    for psp_id, sector in sector_pairs:
        psps_of.setdefault(kinds[sector], set()).add(str(psp_id))
    blank = additional["funder_sector"].isna()
    if blank.any():
        psps_of.setdefault("unclassified", set()).update(
            str(i) for i in additional.loc[blank, "psp_id"].unique().tolist())
    position = {psp_id: n for n, psp_id in enumerate(ids)}
    split = []
    for kind in ("public", "independent", "mixed", "unclassified"):
        sectors = [value for value, k in kinds.items() if k == kind]
        amount = sum((int(per_sector[v]) for v in sectors), 0)
        if kind in ("public", "independent") or sectors:
            which = sorted(psps_of.get(kind, set()), key=position.__getitem__)
            split.append((kind, gbp(amount), ", ".join(which)))
    return pd.DataFrame(split, columns=["funder_type", "amount_gbp", "psps"], dtype=object)



@dataclass(frozen=True)
class _Pairs:
    """Distinct (``psp_id``, value) pairs in the order they first appear, as codes."""

    psp_codes: np.ndarray[Any, Any]
    psp_values: list[Any]
    codes: np.ndarray[Any, Any]
    values: list[Any]

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        psp_ids = np.asarray(self.psp_values, dtype=object)[self.psp_codes].tolist()
        return zip(psp_ids, np.asarray(self.values, dtype=object)[self.codes].tolist())


def _distinct_pairs(frame: pd.DataFrame, column: str) -> _Pairs:
    """The distinct (``psp_id``, ``column``) pairs of ``frame`` with both cells filled."""
    psp_codes, psp_values = codes_of(frame["psp_id"])
    codes, values = codes_of(frame[column])
    filled = (psp_codes >= 0) & (codes >= 0)
    psp_codes, codes = psp_codes[filled], codes[filled]
    key = psp_codes.astype(np.int64) * (len(values) + 1) + codes
    where = np.flatnonzero(~pd.Index(key).duplicated())  # each pair's first row
    return _Pairs(psp_codes[where], psp_values, codes[where], values)


def _joined(pairs: _Pairs, ids: list[str]) -> list[str | None]:
    """The values of distinct ``pairs`` per PSP, in the order they first appear, "; "-joined;
    ``None`` where a PSP has none."""
    order = np.argsort(pairs.psp_codes, kind="stable")  # each PSP's pairs together, in order
    psp_codes = pairs.psp_codes[order]
    names = np.asarray([str(v) for v in pairs.values], dtype=object)[pairs.codes[order]]
    starts: list[int] = (np.flatnonzero(np.r_[True, psp_codes[1:] != psp_codes[:-1]]).tolist()
                         if len(order) else [])
    ends = [*starts[1:], len(order)]
    found = {str(pairs.psp_values[psp_codes[start]]): "; ".join(names[start:end].tolist())
             for start, end in zip(starts, ends)}
    return [found.get(i) for i in ids]


# --- reconcile ---------------------------------------------------------------------------------

CHECK_COLUMNS = ["check", "scope", "published_gbp", "computed_gbp", "difference_gbp", "status"]
CANDIDATE_COLUMNS = ["check", "scope", "heuristic", "psp_id", "year", "printed_gbp",
                     "would_be_gbp", "note"]


@dataclass(frozen=True)
class Reconciliation:
    """The checks of a reconciliation and the candidate explanations of its mismatches.

    :attr:`checks` has one row per check (:data:`CHECK_COLUMNS`); ``difference_gbp`` is
    published minus computed and ``status`` is ``ok`` or ``mismatch``. :attr:`candidates` has one
    row per candidate explanation of a mismatch (:data:`CANDIDATE_COLUMNS`): candidates, never
    corrections. :attr:`notes` says what could not be checked. :attr:`sources` names, for each
    check in order, the ``total_id`` of every published figure it compares; :attr:`carried` the
    (check, scope) of the mismatches that only carry a year's footing difference into a total.
    """

    checks: pd.DataFrame
    candidates: pd.DataFrame
    notes: tuple[str, ...] = ()
    tolerance: Decimal = Decimal(0)
    sources: tuple[tuple[str, ...], ...] = ()
    carried: frozenset[tuple[str, str]] = frozenset()

    @property
    def ok(self) -> bool:
        return bool((self.checks["status"] == "ok").all())

    @property
    def verdict(self) -> str:
        """One line an auditor can check by hand."""
        count = len(self.checks)
        within = f" within {money.pretty_money(self.tolerance)}" if self.tolerance else ""
        if self.ok:
            return f"OK: all {count} checks hold{within}."
        bad = self.mismatches
        parts = [f"MISMATCH: {len(bad)} of {count} checks do not hold{within}."]
        for row in bad[bad["check"] == "footing"].itertuples(index=False):
            parts.append(
                f"The cells of {row.scope} add up to {money.pretty_money(row.computed_gbp)}, "
                f"the published year total is {money.pretty_money(row.published_gbp)} "
                f"(difference {money.pretty_money(row.difference_gbp)})."
            )
        others = bad[bad["check"] != "footing"]
        if not others.empty and all((r.check, r.scope) in self.carried
                                    for r in others.itertuples(index=False)):
            parts.append(f"The other {len(others)} carry that difference into the totals.")
        elif not others.empty:
            parts.append("Mismatched: " + "; ".join(
                f"{r.check} {r.scope} ({money.pretty_money(r.difference_gbp)})"
                for r in others.itertuples(index=False)
            ) + ".")
        return " ".join(parts)

    @property
    def explanations(self) -> pd.DataFrame:
        """The candidates as people read them: ``check``, ``scope``, ``heuristic``, ``note``."""
        return self.candidates[["check", "scope", "heuristic", "note"]]

    @property
    def mismatches(self) -> pd.DataFrame:
        return self.checks[self.checks["status"] == "mismatch"]

    @property
    def mismatch_rows(self) -> list[int]:
        """The positions of the mismatched checks in :attr:`checks` (to highlight them)."""
        return [n for n, status in enumerate(self.checks["status"]) if status == "mismatch"]


@dataclass(frozen=True)
class _Cell:
    psp_id: str | None
    year: str | None
    pence: int
    what: str  # "cell" or a description of a published figure


def _printed_digits(pence: int) -> tuple[str, int]:
    """The digits as printed (pounds, or pounds and pence when there are pence) and the scale."""
    return (str(pence // 100), 100) if pence % 100 == 0 else (str(pence), 1)


def transpositions(pence: int) -> list[int]:
    """Every value (pence) that swapping two adjacent printed digits of ``pence`` gives."""
    digits, scale = _printed_digits(pence)
    found = []
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
            found.append(int(swapped) * scale)
    return found


def digit_slips(pence: int) -> list[int]:
    """Every value (pence) that changing one printed digit of ``pence`` gives."""
    digits, scale = _printed_digits(pence)
    found = []
    for i, digit in enumerate(digits):
        for other in "0123456789":
            if other != digit:
                found.append(int(digits[:i] + other + digits[i + 1:]) * scale)
    return found


_POWERS = [10**p for p in range(19)]


def digit_matches(pence: np.ndarray[Any, Any], change: int, kind: str) -> np.ndarray[Any, Any]:
    """Which values (pence) change by exactly ``change`` pence when two adjacent printed digits
    are swapped (``kind="transposition"``) or one printed digit is changed (``"digit-slip"``).

    Vectorised over all the values; the same answers as :func:`transpositions` and
    :func:`digit_slips` give one value at a time.
    """
    pence = np.asarray(pence, dtype=np.int64)
    found = np.zeros(len(pence), dtype=bool)
    whole = pence % 100 == 0
    for rows, scale in ((whole, 100), (~whole, 1)):
        if change % scale or not rows.any():
            continue
        delta = change // scale
        values = np.where(rows, pence // scale, 0)
        digits = np.ones(len(values), dtype=np.int64)
        for place in _POWERS[1:]:
            digits += values >= place
        for position, place in enumerate(_POWERS[:-1]):
            digit = (values // place) % 10
            if kind == "digit-slip":
                if delta % place == 0 and 1 <= abs(delta // place) <= 9:
                    step = delta // place
                    found |= rows & (position < digits) & (digit + step >= 0) & (digit + step <= 9)
            elif delta and delta % (9 * place) == 0:
                higher = (values // (place * 10)) % 10
                found |= rows & (position + 1 < digits) & (digit - higher == delta // (9 * place))
    return found


def _candidates(
    check: str, scope: str, difference: int, cells: pd.DataFrame | None, published: _Cell | None
) -> list[tuple[Any, ...]]:
    """Candidate explanations of ``difference`` (published minus computed, pence).

    A cell of the computed side (``cells``: psp_id, year, amount_pence) would make the check hold
    at ``cell + difference``; the published figure would at ``published - difference``.
    """
    rows: list[tuple[Any, ...]] = []
    pence = (cells["amount_pence"].to_numpy(dtype=np.int64) if cells is not None
             else np.zeros(0, dtype=np.int64))

    def cell_rows(mask: np.ndarray[Any, Any], heuristic: str, text: str) -> None:
        assert cells is not None
        for index in np.flatnonzero(mask).tolist():
            value = int(pence[index])
            psp_id, year = str(cells["psp_id"].iloc[index]), cells["year"].iloc[index]
            year = None if pd.isna(year) else str(year)
            wanted = (value + difference if heuristic != "omitted-or-double-counted"
                      else (0 if difference > 0 else 2 * value))
            what = f"{psp_id} {year} cell" if year else f"{psp_id} figure without a year"
            rows.append((check, scope, heuristic, psp_id, year, gbp(value), gbp(wanted),
                         text.format(what=what, value=_pounds(value), wanted=_pounds(wanted))))

    def published_row(heuristic: str, text: str) -> None:
        if published is None:
            return
        wanted = published.pence - difference
        if digit_matches(np.array([published.pence]), -difference, heuristic)[0]:
            rows.append((check, scope, heuristic, published.psp_id, published.year,
                         gbp(published.pence), gbp(wanted),
                         text.format(what=published.what, value=_pounds(published.pence),
                                     wanted=_pounds(wanted))))

    swapped = "{what} printed {value}; with two adjacent digits swapped it would be {wanted}"
    slipped = "{what} printed {value}; with one digit changed it would be {wanted}"
    if difference % 9 == 0:
        if cells is not None:
            cell_rows(digit_matches(pence, difference, "transposition"), "transposition", swapped)
        published_row("transposition", swapped)
    if cells is not None:
        cell_rows(digit_matches(pence, difference, "digit-slip"), "digit-slip", slipped)
    published_row("digit-slip", slipped)
    if cells is not None and difference:
        how = ("counted twice in the published figure" if difference > 0
               else "left out of the published figure")
        cell_rows(pence == abs(difference), "omitted-or-double-counted",
                  "{what} of {value} equals the difference: " + how + "?")
    return rows


@dataclass(frozen=True)
class _Published:
    """One row of totals.csv: a figure the publication prints for a scope."""

    total_id: str
    kind: str  # year_total, grand_total or headline
    year: str | None
    pence: int


@dataclass(frozen=True)
class _Group:
    """The scope of a set of published figures: one stream of funds, one PSP or all of them."""

    stream: str
    psp_id: str | None

    @property
    def main(self) -> bool:
        """Table 3 itself: the government funds of all PSPs (its scopes keep their plain names)."""
        return self.stream == GOVERNMENT and self.psp_id is None

    @property
    def qualifier(self) -> str:
        """What sets the scope apart from Table 3's: ``low-moss, additional funds``."""
        return ", ".join(q for q in (self.psp_id, None if self.stream == GOVERNMENT
                                     else f"{self.stream} funds") if q)

    def label(self, text: str) -> str:
        """``text`` with the scope named where it is not Table 3's: ``2013-14 (low-moss)``."""
        return f"{text} ({self.qualifier})" if self.qualifier else text


class _Book:
    """The checks, candidates and notes of a reconciliation as they are made."""

    def __init__(self, tolerance_pence: int) -> None:
        self.tolerance = tolerance_pence
        self.checks: list[tuple[Any, ...]] = []
        self.sources: list[tuple[str, ...]] = []
        self.candidates: list[tuple[Any, ...]] = []
        self.notes: list[str] = []
        self.carried: set[tuple[str, str]] = set()

    def check(self, name: str, scope: str, published: int, computed: int,
              sources: Iterable[str] = ()) -> int:
        """Record a check; the difference (published minus computed) when it is a mismatch,
        else 0."""
        difference = published - computed
        status = "ok" if abs(difference) <= self.tolerance else "mismatch"
        self.checks.append((name, scope, gbp(published), gbp(computed), gbp(difference), status))
        self.sources.append(tuple(sources))
        return difference if status == "mismatch" else 0

    def result(self, tolerance: Decimal) -> Reconciliation:
        scopes = [(c[0], c[1]) for c in self.checks]
        assert len(set(scopes)) == len(scopes), "two checks of one name and scope"
        return Reconciliation(
            checks=pd.DataFrame(self.checks, columns=CHECK_COLUMNS, dtype=object),
            candidates=pd.DataFrame(self.candidates, columns=CANDIDATE_COLUMNS, dtype=object),
            notes=tuple(self.notes),
            tolerance=tolerance,
            sources=tuple(self.sources),
            carried=frozenset(self.carried),
        )


def _pence_of(amount: Decimal | int | str, name: str) -> int:
    """An amount given to the API (``Decimal`` pounds, whole pounds, or text such as
    ``"£2,759,368"``) as integer pence."""
    if isinstance(amount, str):
        try:
            return parse_pence(amount)
        except ValueError as err:
            raise UsageError(f"{name}: {err}") from None
    return int((Decimal(amount) * 100).to_integral_value())


def reconcile(
    data: Dataset,
    headline: Decimal | int | str | None = None,
    tolerance: Decimal | int | str = Decimal(0),
) -> Reconciliation:
    """Compare every published figure of ``data.totals`` with the cells it covers.

    Each row of totals.csv states a figure for a scope: one stream of funds, one PSP or all, one
    financial year (``year_total``) or all (``grand_total``, ``headline``). Each is checked
    against the sum of the cells in its scope, and cross-footed where that makes sense:

    - **footing**: a published year total against the cells of that year;
    - **cross-footing**: the sum of the per-PSP row totals, the sum of the published year totals
      and the sum of all cells, against each other and against the published grand total; the
      published per-PSP totals against the grand total of all PSPs; two published figures for
      the same scope against each other;
    - **headline**: the headline (from the data, or ``headline`` instead of the government
      headline of all PSPs) against the grand total and against the sum of the cells.

    Table 3's own scope (government funds, all PSPs) keeps the plain scope names (``2013-14``,
    ``grand total vs cells``); other scopes name the PSP and the stream (``2013-14
    (low-moss)``). A check holds when ``|published - computed| <= tolerance``. Mismatches get
    candidate explanations: where the difference lies, adjacent-digit transpositions, one-digit
    slips, and cells equal to the difference (omitted or counted twice). ``headline`` and
    ``tolerance`` are ``Decimal`` pounds or text such as ``"£2,759,368"``.
    """
    book = _Book(_pence_of(tolerance, "tolerance"))
    override = None if headline is None else _pence_of(headline, "headline")
    cells = data.funding[["psp_id", "year", "stream", "amount_pence"]]
    published = _published_by_group(data.totals)
    for stream in (GOVERNMENT, ADDITIONAL):
        everyone = _Group(stream, None)
        groups = [g for g in published if g.stream == stream and g.psp_id is not None]
        if not (everyone.main or everyone in published or groups):
            continue
        stream_cells = cells.loc[cells["stream"] == stream, ["psp_id", "year", "amount_pence"]]
        if everyone.main or everyone in published:
            rows = published.get(everyone, [])
            grand = _reconcile_group(book, everyone, stream_cells, rows, override)
            if groups and grand is not None:
                _cross_foot_psp_totals(book, everyone, grand, stream_cells,
                                       {g.psp_id: published[g] for g in groups})
        if groups:
            positions = stream_cells.groupby("psp_id", observed=True).indices
            for group in sorted(groups, key=_psp_position(data)):
                where = positions.get(group.psp_id, np.zeros(0, dtype=np.int64))
                _reconcile_group(book, group, stream_cells.iloc[where], published[group], None)
    return book.result(Decimal(_pence_of(tolerance, "tolerance")).scaleb(-2))


def _psp_position(data: Dataset) -> Callable[[_Group], int]:
    order = {str(p): n for n, p in enumerate(data.psp["psp_id"].tolist())}
    return lambda group: order.get(str(group.psp_id), len(order))


def _published_by_group(totals: pd.DataFrame) -> dict[_Group, list[_Published]]:
    """The rows of totals.csv by scope, in file order."""
    groups: dict[_Group, list[_Published]] = {}
    columns = ["total_id", "kind", "psp_id", "year", "stream", "amount_pence"]
    for total_id, kind, psp_id, year, stream, pence in totals[columns].astype(object).itertuples(
            index=False):
        group = _Group(str(stream), None if pd.isna(psp_id) else str(psp_id))
        groups.setdefault(group, []).append(_Published(
            str(total_id), str(kind), None if pd.isna(year) else str(year), int(pence)))
    return groups


def _named(rows: list[_Published], text: Callable[[_Published], str]) -> dict[str, str]:
    """How each row is named in scopes: ``text(row)``, with its total_id in brackets where two
    rows would have the same name."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[text(row)] = counts.get(text(row), 0) + 1
    return {row.total_id: text(row) + (f" [{row.total_id}]" if counts[text(row)] > 1 else "")
            for row in rows}


def _reconcile_group(book: _Book, group: _Group, cells: pd.DataFrame,
                     rows: list[_Published], headline: int | None) -> _Published | None:
    """Every check of one scope; returns its (first) published grand total."""
    year_rows = sorted((r for r in rows if r.kind == "year_total"), key=lambda r: str(r.year))
    grands = [r for r in rows if r.kind == "grand_total"]
    headlines = [r for r in rows if r.kind == "headline"]
    if group.main and headline is not None:
        headlines = [_Published("", "headline", None, headline)]
    names = {**_named(year_rows, lambda r: str(r.year)),
             **_named(grands, lambda r: "grand total"),
             **_named(headlines, lambda r: "headline")}
    footing_off = _foot(book, group, cells, year_rows, names)
    _cross_foot(book, group, cells, year_rows, grands, names, footing_off)
    _headlines(book, group, cells, headlines, grands[0] if grands else None, names, footing_off)
    return grands[0] if grands else None


def _first_per_year(year_rows: list[_Published]) -> dict[str, _Published]:
    first: dict[str, _Published] = {}
    for row in year_rows:
        first.setdefault(str(row.year), row)
    return first


def _foot(book: _Book, group: _Group, cells: pd.DataFrame, year_rows: list[_Published],
          names: dict[str, str]) -> dict[str, int]:
    """Each published year total against the cells of its year; the differences by year."""
    by_year = {str(y): int(p) for y, p in
               cells.groupby("year", observed=True)["amount_pence"].sum().items()}
    first = _first_per_year(year_rows)
    footing_off: dict[str, int] = {}
    for row in year_rows:
        year = str(row.year)
        scope = group.label(names[row.total_id])
        difference = book.check("footing", scope, row.pence, by_year.get(year, 0),
                                [row.total_id])
        if difference and first[year] is row:
            footing_off[year] = difference
        if difference:
            in_year = cells[cells["year"] == year]
            book.candidates.append(_location(scope, year, difference, in_year,
                                             by_year.get(year, 0), row.pence))
            what = group.label(f"published {year} total")
            book.candidates += _candidates("footing", scope, difference, in_year,
                                           _Cell(group.psp_id, year, row.pence, what))
        if first[year] is not row:
            _pair(book, group, names[row.total_id], names[first[year].total_id], row,
                  first[year])
    return footing_off


def _location(scope: str, year: str, difference: int, in_year: pd.DataFrame, computed: int,
              published: int) -> tuple[Any, ...]:
    """The candidate that says in which year's cells a footing difference lies."""
    shown = [f"{p} {_pounds(int(v))}" for p, v in
             zip(in_year["psp_id"].head(20).tolist(), in_year["amount_pence"].head(20).tolist())]
    return ("footing", scope, "location", None, year, None, None,
            f"the difference of {_pounds(difference)} lies in {year}: its cells "
            f"({shortened(shown, 20, len(in_year)) or 'none'}) add up to {_pounds(computed)}, "
            f"the published year total is {_pounds(published)}")


def _pair(book: _Book, group: _Group, name: str, other_name: str, row: _Published,
          other: _Published, check: str = "cross-footing") -> None:
    """Two published figures for one scope, against each other."""
    scope = group.label(f"{name} vs {other_name}")
    difference = book.check(check, scope, row.pence, other.pence,
                            [t for t in (row.total_id, other.total_id) if t])
    if difference:
        said = "the headline given" if not row.total_id else f"the published {name}"
        book.candidates.append((check, scope, "location", None, row.year, None, None,
                                f"{said} and the published {other_name} differ by "
                                f"{_pounds(difference)}"))


def _cross_foot(book: _Book, group: _Group, cells: pd.DataFrame, year_rows: list[_Published],
                grands: list[_Published], names: dict[str, str],
                footing_off: dict[str, int]) -> None:
    """Row totals, published year totals, cells and grand totals against each other."""
    cells_sum = int(cells["amount_pence"].sum())
    first_years = list(_first_per_year(year_rows).values())
    years_sum = sum(r.pence for r in first_years)
    year_ids = [r.total_id for r in first_years]
    rows_sum = sum(int(v) for v in
                   cells.groupby("psp_id", observed=True)["amount_pence"].sum().tolist())
    # (scope, published, computed, against the cells, the grand total compared, sources)
    pairs: list[tuple[str, int, int, bool, _Published | None, list[str]]] = []
    if group.main:
        pairs.append(("row totals vs cells", rows_sum, cells_sum, True, None, []))
    complete = _years_complete(book, group, cells, first_years)
    if complete:
        pairs.append(("year totals vs cells", years_sum, cells_sum, True, None, year_ids))
        if group.main:
            pairs.append(("year totals vs row totals", years_sum, rows_sum, True, None,
                          year_ids))
    for grand in grands:
        name = names[grand.total_id]
        if complete:
            pairs.append((f"{name} vs year totals", grand.pence, years_sum, False, grand,
                          [grand.total_id, *year_ids]))
        if group.main:
            pairs.append((f"{name} vs row totals", grand.pence, rows_sum, True, grand,
                          [grand.total_id]))
        pairs.append((f"{name} vs cells", grand.pence, cells_sum, True, grand,
                      [grand.total_id]))
    if group.main and not grands:
        book.notes.append("no published grand total: not cross-footed against it")
    for text, published, computed, against_cells, compared, sources in pairs:
        scope = group.label(text)
        difference = book.check("cross-footing", scope, published, computed, sources)
        if difference:
            _explain_total(book, "cross-footing", scope, difference, footing_off,
                           cells if against_cells else None, compared, group)
    for grand in grands[1:]:
        _pair(book, group, names[grand.total_id], names[grands[0].total_id], grand, grands[0])


def _years_complete(book: _Book, group: _Group, cells: pd.DataFrame,
                    year_rows: list[_Published]) -> bool:
    """Whether the published year totals of a scope cover all its cells, so that they can be
    cross-footed (a year without a published total is not footed: a note says so)."""
    if not year_rows and not group.main:
        return False
    published = {r.year for r in year_rows}
    years = cells["year"]
    unpublished = sorted({str(y) for y in years.dropna().unique().tolist()} - published)
    undated = int(years.isna().sum())
    if not unpublished and not undated:
        return bool(year_rows)
    missing = [*([f"no published year total for {shortened(unpublished)}: not footed"]
                 if unpublished else []),
               *([f"{undated} figures without a year"] if undated else [])]
    book.notes.append(group.label("; ".join(missing)) + "; the year totals not cross-footed")
    return False


def _headlines(book: _Book, group: _Group, cells: pd.DataFrame, headlines: list[_Published],
               grand: _Published | None, names: dict[str, str],
               footing_off: dict[str, int]) -> None:
    """Each headline against the grand total, against the cells, and against the first
    headline."""
    if group.main and not headlines:
        book.notes.append("no headline figure: not checked")
    cells_sum = int(cells["amount_pence"].sum())
    for row in headlines:
        name = names[row.total_id]
        if grand is not None:
            _pair(book, group, name, names[grand.total_id], row, grand, check="headline")
        scope = group.label(f"{name} vs cells")
        difference = book.check("headline", scope, row.pence, cells_sum,
                                [row.total_id] if row.total_id else [])
        if difference:
            _explain_total(book, "headline", scope, difference, footing_off, cells, None, group)
        if row is not headlines[0]:
            _pair(book, group, name, names[headlines[0].total_id], row, headlines[0],
                  check="headline")


def _cross_foot_psp_totals(book: _Book, group: _Group, grand: _Published, cells: pd.DataFrame,
                           per_psp: dict[str | None, list[_Published]]) -> None:
    """The published per-PSP grand totals against the grand total of all PSPs, when every PSP
    with cells has one."""
    totals = {psp: next((r for r in rows if r.kind == "grand_total"), None)
              for psp, rows in per_psp.items()}
    stated = {psp: row for psp, row in totals.items() if row is not None}
    if not stated:
        return
    funded = {str(p) for p in cells["psp_id"].dropna().unique().tolist()}
    lacking = sorted(funded - set(map(str, stated)))
    if lacking:
        book.notes.append(group.label("the grand total") + " is not cross-footed against the "
                          f"published PSP totals: none is published for {shortened(lacking)}")
        return
    scope = group.label("grand total vs PSP totals")
    summed = sum(r.pence for r in stated.values())
    difference = book.check("cross-footing", scope, grand.pence, summed,
                            [grand.total_id, *(r.total_id for r in stated.values())])
    if difference:
        book.candidates.append(("cross-footing", scope, "location", None, None, None, None,
                                f"the published PSP totals add up to {_pounds(summed)}, the "
                                f"published grand total is {_pounds(grand.pence)}"))


def _explain_total(book: _Book, check: str, scope: str, difference: int,
                   footing_off: dict[str, int], cells: pd.DataFrame | None,
                   grand: _Published | None, group: _Group) -> None:
    """Candidates for a mismatch between a total and the cells: first, where it lies."""
    if cells is not None and footing_off and sum(footing_off.values()) == difference:
        book.carried.add((check, scope))
        book.candidates.append((check, scope, "location", None, None, None, None,
                                f"the difference of {_pounds(difference)} is the footing "
                                f"difference of {', '.join(footing_off)}: see the candidates "
                                "there"))
        return
    book.candidates.append((check, scope, "location", None, None, None, None,
                            f"the difference of {_pounds(difference)} does not lie in any one "
                            "year's footing"))
    published = None
    if grand is not None:
        what = group.label("published grand total")
        published = _Cell(group.psp_id, None, grand.pence, what)
    book.candidates += _candidates(check, scope, difference, cells, published)
