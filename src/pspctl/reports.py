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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from .errors import Problem, UsageError
from .loader import Dataset

GOVERNMENT = "government"
ADDITIONAL = "additional"

#: How the funder sectors of additional funds split into public bodies and independent funders.
PUBLIC_SECTORS = frozenset(
    {"government", "local authority", "NHS board", "regional transport partnership"}
)
INDEPENDENT_SECTORS = frozenset({"lottery", "charitable trust"})

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


# --- small helpers -----------------------------------------------------------------------------


def gbp(pence: int | None) -> Decimal | None:
    """Integer pence to exact ``Decimal`` pounds (``None`` stays ``None``: not stated)."""
    if pence is None or pd.isna(pence):
        return None
    return Decimal(int(pence)).scaleb(-2)


def _gbp_column(values: Iterable[Any]) -> list[Decimal | None]:
    return [gbp(v) for v in values]


def check_year(year: str, option: str = "year") -> str:
    """A financial year ``YYYY-YY`` with consecutive years, or a :class:`UsageError`."""
    match = _YEAR.match(year.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise UsageError(
            f"{option} {year!r} is not a financial year: write it as YYYY-YY, e.g. 2013-14"
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
            texts = (row.psp_id, row.name, row.table_label if pd.notna(row.table_label) else "")
            if any(needle in _normalised(str(t)) for t in texts):
                matches.append(row.psp_id)
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        raise UsageError(f"PSP {query!r} is ambiguous: it matches {', '.join(matches)}")
    raise UsageError(f"no PSP matches {query!r}: use one of {', '.join(ids)}")


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
    if start is not None and end is not None and check_year(start) > check_year(end):
        raise UsageError(f"--from {start} is after --to {end}")
    cells = data.funding[data.funding["stream"] == GOVERNMENT]
    if psps is not None:
        cells = cells[cells["psp_id"].isin(list(psps))]
    if start is not None:
        cells = cells[cells["year"] >= check_year(start, "--from")]
    if end is not None:
        cells = cells[cells["year"] <= check_year(end, "--to")]
    return cells


def _names(data: Dataset) -> dict[str, str]:
    return dict(zip(data.psp["psp_id"].tolist(), data.psp["name"].tolist()))


def _psp_order(data: Dataset, psps: Sequence[str] | None) -> list[str]:
    ids = data.psp["psp_id"].tolist()
    return ids if psps is None else [i for i in ids if i in set(psps)]


def with_total(
    frame: pd.DataFrame,
    label_column: str,
    label: str = "Total",
    skip: Sequence[str] = ("cumulative_gbp",),
) -> pd.DataFrame:
    """``frame`` with a totals row: money columns summed (what is stated), shares as 1.

    Columns that do not add up (names, years, ratios, and the ``skip`` columns) are left empty
    in the totals row.
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
    gov_total = government.groupby("psp_id")["amount_pence"].sum()
    add_total = additional.groupby("psp_id")["amount_pence"].sum()
    years = government.groupby("psp_id")["year"].agg(["min", "max"])
    psp = data.psp
    if lead_sector is not None:
        if lead_sector not in ("public", "third"):
            raise UsageError(f"--lead-sector {lead_sector!r}: use public or third")
        psp = psp[psp["lead_sector"] == lead_sector]
    if active_in is not None:
        active = set(government.loc[government["year"] == check_year(active_in, "--active-in"),
                                    "psp_id"])
        psp = psp[psp["psp_id"].isin(active)]
    ids = psp["psp_id"].tolist()
    return pd.DataFrame(
        {
            "psp_id": ids,
            "name": psp["name"].tolist(),
            "established": psp["established"].astype(object).tolist(),
            "sector": psp["sector"].astype(object).tolist(),
            "lead": psp["lead"].astype(object).tolist(),
            "lead_sector": psp["lead_sector"].astype(object).tolist(),
            "first_year": [years["min"].get(i) for i in ids],
            "last_year": [years["max"].get(i) for i in ids],
            "government_gbp": _gbp_column(gov_total.get(i, 0) for i in ids),
            "additional_gbp": _gbp_column(add_total.get(i) for i in ids),
        },
        dtype=object,
    ).replace({pd.NA: None})


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
             None if r.value is None else (f"{r.qualifier} {r.value}" if r.qualifier
                                           else str(r.value)),
             None, r.source, r.line)
            for r in self.outcomes.itertuples(index=False)
        ]
        return pd.DataFrame(
            rows, columns=["section", "field", "value", "amount_gbp", "source", "line"],
            dtype=object,
        )


def psp_detail(data: Dataset, query: str) -> PspDetail:
    """Everything the data holds about the PSP ``query`` names (see :func:`resolve_psp`)."""
    psp_id = resolve_psp(data.psp, query)
    row = data.psp[data.psp["psp_id"] == psp_id].iloc[0]
    fields = ["psp_id", "name", "table_label", "established", "sector", "focus", "lead",
              "lead_sector", "table_note"]
    attributes = pd.DataFrame(
        [
            (f, None if pd.isna(row[f]) else str(row[f]), row["source"], int(row["line"]))
            for f in fields
        ],
        columns=["field", "value", "source", "line"],
        dtype=object,
    )
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
                "amount_gbp": _gbp_column(government["amount_pence"]),
                "source": government["source"].tolist(),
                "line": government["line"].tolist(),
            },
            dtype=object,
        ),
        additional=pd.DataFrame(
            {
                "funder": additional["funder"].tolist(),
                "funder_sector": additional["funder_sector"].astype(object).tolist(),
                "amount_gbp": _gbp_column(additional["amount_pence"]),
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
    years = sorted(cells["year"].dropna().unique().tolist())
    sums = cells.groupby(["psp_id", "year"])["amount_pence"].sum()
    totals = cells.groupby("psp_id")["amount_pence"].sum()
    ids = _psp_order(data, psps)
    names = _names(data)
    columns: dict[str, list[Any]] = {"psp_id": ids, "name": [names[i] for i in ids]}
    for year in years:
        columns[year] = [gbp(sums.get((i, year))) for i in ids]
    columns["total_gbp"] = [gbp(int(totals.get(i, 0))) for i in ids]
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
    frame = pd.DataFrame({"year": years, "amount_gbp": _gbp_column(pence)}, dtype=object)
    if cumulative:
        running, acc = [], 0
        for value in pence:
            acc += value
            running.append(acc)
        frame["cumulative_gbp"] = _gbp_column(running)
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
        {"psp_id": ranked, "name": [names[i] for i in ranked], "amount_gbp": _gbp_column(pence)},
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
    funding = data.funding[data.funding["psp_id"].isin(ids)]
    government = funding[funding["stream"] == GOVERNMENT].groupby("psp_id")["amount_pence"].sum()
    additional = funding[funding["stream"] == ADDITIONAL]
    rows = []
    for psp_id in ids:
        gov = int(government.get(psp_id, 0))
        mine = additional[additional["psp_id"] == psp_id]
        if mine.empty:
            add = combined = None
            leverage = share = None
            funders = sectors = None
        else:
            add = int(mine["amount_pence"].sum())
            combined = gov + add
            leverage = float(Decimal(add) / Decimal(gov)) if gov else None
            share = float(Decimal(add) / Decimal(combined)) if combined else None
            funders = "; ".join(mine["funder"].tolist())
            sectors = "; ".join(s for s in mine["funder_sector"].tolist() if pd.notna(s)) or None
        rows.append((psp_id, names[psp_id], gbp(gov), gbp(add), gbp(combined), leverage, share,
                     funders, sectors))
    by_psp = pd.DataFrame(
        rows,
        columns=["psp_id", "name", "government_gbp", "additional_gbp", "combined_gbp", "leverage",
                 "additional_share", "funders", "funder_sector"],
        dtype=object,
    )
    types = additional["funder_sector"].map(funder_type)
    split = []
    for kind in ("public", "independent", "mixed", "unclassified"):
        chosen = additional[types == kind]
        if kind in ("public", "independent") or not chosen.empty:
            split.append((kind, gbp(int(chosen["amount_pence"].sum())),
                          ", ".join(sorted(set(chosen["psp_id"].tolist()), key=ids.index))))
    by_funder_type = pd.DataFrame(split, columns=["funder_type", "amount_gbp", "psps"],
                                  dtype=object)
    return Comparison(by_psp=by_psp, by_funder_type=by_funder_type)
