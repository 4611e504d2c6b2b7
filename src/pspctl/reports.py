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

from . import money
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
    return money.gbp(pence)


def _pounds(pence: int) -> str:
    """``£2,759,368``: for sentences."""
    return money.pretty_money(money.gbp(pence))


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
            label = row.table_label
            texts = (row.psp_id, row.name, "" if pd.isna(label) else label)  # type: ignore[arg-type]
            if any(needle in _normalised(str(t)) for t in texts):
                matches.append(str(row.psp_id))
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
    if start is not None or end is not None:
        low = check_year(start, "--from") if start is not None else ""
        high = check_year(end, "--to") if end is not None else "9999-99"
        years = [y for y in cells["year"].dropna().unique().tolist() if low <= str(y) <= high]
        cells = cells[cells["year"].isin(years)]
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
             None if r.value is None else (f"{r.qualifier!s} {r.value!s}" if r.qualifier
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
    corrections. :attr:`notes` says what could not be checked.
    """

    checks: pd.DataFrame
    candidates: pd.DataFrame
    notes: tuple[str, ...] = ()
    tolerance: Decimal = Decimal(0)

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
        footing = bad[bad["check"] == "footing"]
        for row in footing.itertuples(index=False):
            parts.append(
                f"The cells of {row.scope} add up to {money.pretty_money(row.computed_gbp)}, "
                f"the published year total is {money.pretty_money(row.published_gbp)} "
                f"(difference {money.pretty_money(row.difference_gbp)})."
            )
        carried = bad[bad["check"] != "footing"]
        explained = self.candidates["note"].str.contains("is the footing difference", na=False)
        carried_by_footing = set(
            zip(self.candidates.loc[explained, "check"], self.candidates.loc[explained, "scope"])
        )
        if not carried.empty and all(
            (r.check, r.scope) in carried_by_footing for r in carried.itertuples(index=False)
        ):
            parts.append(f"The other {len(carried)} carry that difference into the totals.")
        elif not carried.empty:
            parts.append("Mismatched: " + "; ".join(
                f"{r.check} {r.scope} ({money.pretty_money(r.difference_gbp)})"
                for r in carried.itertuples(index=False)
            ) + ".")
        return " ".join(parts)

    @property
    def mismatches(self) -> pd.DataFrame:
        return self.checks[self.checks["status"] == "mismatch"]


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


def _candidates(
    check: str, scope: str, difference: int, cells: list[_Cell], published: _Cell | None
) -> list[tuple[Any, ...]]:
    """Candidate explanations of ``difference`` (published minus computed, pence).

    A cell of the computed side would make the check hold at ``cell + difference``; the
    published figure would at ``published - difference``.
    """
    rows: list[tuple[Any, ...]] = []

    def add(heuristic: str, cell: _Cell, would_be: int, note: str) -> None:
        rows.append((check, scope, heuristic, cell.psp_id, cell.year, gbp(cell.pence),
                     gbp(would_be), note))

    sides = [(cell, cell.pence + difference) for cell in cells]
    if published is not None:
        sides.append((published, published.pence - difference))
    if difference % 9 == 0:
        for cell, wanted in sides:
            if wanted in transpositions(cell.pence):
                add("transposition", cell, wanted,
                    f"{cell.what} printed {_pounds(cell.pence)}; with two adjacent digits swapped "
                    f"it would be {_pounds(wanted)}")
    for cell, wanted in sides:
        if wanted in digit_slips(cell.pence):
            add("digit-slip", cell, wanted,
                f"{cell.what} printed {_pounds(cell.pence)}; with one digit changed it would be "
                f"{_pounds(wanted)}")
    for cell in cells:
        if cell.pence == abs(difference) and cell.pence:
            how = ("counted twice in the published figure" if difference > 0
                   else "left out of the published figure")
            add("omitted-or-double-counted", cell, 0 if difference > 0 else 2 * cell.pence,
                f"{cell.what} of {_pounds(cell.pence)} equals the difference: {how}?")
    return rows


def reconcile(
    data: Dataset,
    headline: Decimal | None = None,
    tolerance: Decimal = Decimal(0),
) -> Reconciliation:
    """Foot and cross-foot Table 3 against every total the data publishes.

    - **footing**: for every published year total, the sum of the cells of that year;
    - **cross-footing**: the sum of the per-PSP row totals, the sum of the published year totals
      and the sum of all cells, against each other and against the published grand total;
    - **headline**: the headline (from the data, or ``headline`` instead) against the grand
      total and against the sum of the cells.

    A check holds when ``|published - computed| <= tolerance``. Mismatches get candidate
    explanations: where the difference lies, adjacent-digit transpositions, one-digit slips,
    and cells equal to the difference (omitted or counted twice).
    """
    tolerance_pence = int((Decimal(tolerance) * 100).to_integral_value())
    checks: list[tuple[Any, ...]] = []
    candidates: list[tuple[Any, ...]] = []
    notes: list[str] = []
    totals = data.totals[data.totals["stream"] == GOVERNMENT]
    cells_frame = data.funding[data.funding["stream"] == GOVERNMENT]
    all_cells = [
        _Cell(r.psp_id, r.year, int(r.amount_pence), f"{r.psp_id} {r.year} cell")
        for r in cells_frame.itertuples(index=False)
    ]
    cells_sum = sum(c.pence for c in all_cells)

    def check(name: str, scope: str, published: int, computed: int) -> int:
        difference = published - computed
        status = "ok" if abs(difference) <= tolerance_pence else "mismatch"
        checks.append((name, scope, gbp(published), gbp(computed), gbp(difference), status))
        return difference if status == "mismatch" else 0

    # footing
    year_totals = totals[(totals["kind"] == "year_total") & totals["psp_id"].isna()]
    footing_off: dict[str, int] = {}
    for row in year_totals.sort_values("year").itertuples(index=False):
        year = str(row.year)
        in_year = [c for c in all_cells if c.year == year]
        difference = check("footing", year, int(row.amount_pence), sum(c.pence for c in in_year))
        if difference:
            footing_off[year] = difference
            where = ", ".join(f"{c.psp_id} {_pounds(c.pence)}" for c in in_year)
            candidates.append(("footing", year, "location", None, year, None, None,
                               f"the difference of {_pounds(difference)} lies in {year}: its "
                               f"cells ({where or 'none'}) add up to "
                               f"{_pounds(sum(c.pence for c in in_year))}, the published "
                               f"year total is {_pounds(int(row.amount_pence))}"))
            printed = _Cell(None, year, int(row.amount_pence), f"published {year} total")
            candidates += _candidates("footing", year, difference, in_year, printed)
    unpublished = sorted({str(c.year) for c in all_cells} - set(year_totals["year"].astype(str)))
    if unpublished:
        notes.append(f"no published year total for {', '.join(unpublished)}: not footed")

    # cross-footing
    row_totals = sum(
        int(v) for v in cells_frame.groupby("psp_id")["amount_pence"].sum().tolist()
    )
    published_years = int(year_totals["amount_pence"].sum())
    grand_rows = totals[(totals["kind"] == "grand_total") & totals["psp_id"].isna()
                        & totals["year"].isna()]
    pairs: list[tuple[str, int, int, bool]] = [
        ("row totals vs cells", row_totals, cells_sum, True),
    ]
    if not year_totals.empty:
        pairs += [
            ("year totals vs cells", published_years, cells_sum, True),
            ("year totals vs row totals", published_years, row_totals, True),
        ]
    grand: int | None = None
    if grand_rows.empty:
        notes.append("no published grand total: not cross-footed against it")
    else:
        grand = int(grand_rows["amount_pence"].iloc[0])
        if not year_totals.empty:
            pairs.append(("grand total vs year totals", grand, published_years, False))
        pairs += [
            ("grand total vs row totals", grand, row_totals, True),
            ("grand total vs cells", grand, cells_sum, True),
        ]
    for scope, published, computed, against_cells in pairs:
        difference = check("cross-footing", scope, published, computed)
        if difference:
            candidates += _explain_total("cross-footing", scope, difference, footing_off,
                                         all_cells if against_cells else [], grand_rows)

    # headline
    if headline is not None:
        headline_pence: int | None = int((Decimal(headline) * 100).to_integral_value())
        headline_source = "the --headline figure"
    else:
        stated = totals[totals["kind"] == "headline"]
        headline_pence = int(stated["amount_pence"].iloc[0]) if not stated.empty else None
        headline_source = "the headline"
    if headline_pence is None:
        notes.append("no headline figure: not checked")
    else:
        if grand is not None:
            difference = check("headline", "headline vs grand total", headline_pence, grand)
            if difference:
                candidates.append(("headline", "headline vs grand total", "location", None, None,
                                   None, None, f"{headline_source} and the published grand "
                                   f"total differ by {_pounds(difference)}"))
        difference = check("headline", "headline vs cells", headline_pence, cells_sum)
        if difference:
            candidates += _explain_total("headline", "headline vs cells", difference,
                                         footing_off, all_cells, None)
    return Reconciliation(
        checks=pd.DataFrame(checks, columns=CHECK_COLUMNS, dtype=object),
        candidates=pd.DataFrame(candidates, columns=CANDIDATE_COLUMNS, dtype=object),
        notes=tuple(notes),
        tolerance=Decimal(tolerance),
    )


def _explain_total(
    check: str,
    scope: str,
    difference: int,
    footing_off: dict[str, int],
    cells: list[_Cell],
    grand_rows: pd.DataFrame | None,
) -> list[tuple[Any, ...]]:
    """Candidates for a mismatch between a total and the cells: first, where it lies."""
    if cells and footing_off and sum(footing_off.values()) == difference:
        years = ", ".join(footing_off)
        return [(check, scope, "location", None, None, None, None,
                 f"the difference of {_pounds(difference)} is the footing difference of {years}: "
                 "see the candidates there")]
    rows: list[tuple[Any, ...]] = [
        (check, scope, "location", None, None, None, None,
         f"the difference of {_pounds(difference)} does not lie in any one year's footing")
    ]
    published = None
    if grand_rows is not None and not grand_rows.empty and scope.startswith("grand total"):
        published = _Cell(None, None, int(grand_rows["amount_pence"].iloc[0]),
                          "published grand total")
    return rows + _candidates(check, scope, difference, cells, published)
