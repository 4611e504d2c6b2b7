"""Real terms: cash figures stated at one financial year's prices with a GDP deflator series
(:mod:`pspctl.deflators`): ``cash × index[prices] / index[year of the figure]``.

Exact: the factors and the figures are ``Decimal`` in a 50-digit context, each figure shown is
rounded to the penny once, at the end (half away from zero, as a spreadsheet rounds), and each
total is the sum of the unrounded figures, rounded once. So a real-terms table can miss footing
by a penny or so per row; :attr:`RealTerms.off` says by how much, and the views say so.
Deflating is linear, so the cells of a year may be summed in cash and deflated once.
"""

from __future__ import annotations

import decimal
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from ..deflators import EXACT, Deflators, load_deflators
from ..errors import UsageError
from ..loader import Dataset
from ..money import gbp as money_gbp
from ..money import gbp_column
from ..money import total as money_total
from ..schema import check_year
from .common import ADDITIONAL
from .comparison import Comparison

_PENNY = Decimal("0.01")
_YEAR_COLUMN = re.compile(r"^([0-9]{4}-[0-9]{2})_gbp$")

__all__ = ["Prices", "RealTerms", "load_deflators", "prices_of", "real_by_psp",
           "real_by_year", "real_compare", "real_matrix", "real_terms"]


@dataclass(frozen=True)
class Prices:
    """Money at ``year``'s prices by ``deflators``."""

    deflators: Deflators
    year: str

    @property
    def suffix(self) -> str:
        """What the name of a money column at these prices ends in: ``_2016_17_prices``."""
        return f"_{self.year.replace('-', '_')}_prices"

    def factor(self, year: str) -> Decimal:
        return self.deflators.factor(year, self.year)

    def described(self) -> str:
        """``at 2016-17 prices, GDP deflator (HM Treasury, updated ...), base 2016-17 = 100``."""
        return f"at {self.year} prices, {self.deflators.described()}"


def prices_of(deflators: Deflators, year: str, parameter: str = "year") -> Prices:
    """:class:`Prices` of ``year`` (a financial year the series has an index for)."""
    year = check_year(year, parameter)
    deflators.of(year)
    return Prices(deflators, year)


@dataclass(frozen=True)
class RealTerms:
    """A table in real terms: :attr:`frame` (each figure rounded to the penny once), the total
    of each money column (:attr:`totals`: the sum of its unrounded figures, rounded once), and
    where the rounded figures do not add up to their total, by how much (:attr:`off`: their sum
    minus the total, in pounds)."""

    frame: pd.DataFrame
    totals: dict[str, Decimal]
    prices: Prices

    @property
    def off(self) -> dict[str, Decimal]:
        found = {}
        for column, total in self.totals.items():
            shown = money_total(v for v in self.frame[column].tolist() if isinstance(v, Decimal))
            if shown != total:
                found[column] = shown - total
        return found


def penny(value: Decimal) -> Decimal:
    """``value`` rounded to the penny, half away from zero."""
    return value.quantize(_PENNY, rounding=decimal.ROUND_HALF_UP, context=EXACT)


def real_matrix(cash: pd.DataFrame, prices: Prices) -> tuple[RealTerms, dict[str, list[Decimal]]]:
    """:func:`~pspctl.reports.funding_matrix`'s frame at ``prices``: each ``2012-13_gbp``
    column deflated by its year (``2012-13_gbp_2016_17_prices``), the row total
    (``government_gbp_2016_17_prices``) the sum of the row's unrounded figures; and those
    unrounded figures by column, for what is made of them."""
    years = [c for c in cash.columns if _YEAR_COLUMN.match(c)]
    exact: dict[str, list[Decimal]] = {}
    for column in years:
        factor = prices.factor(_YEAR_COLUMN.match(column)[1])  # type: ignore[index]
        exact[column + prices.suffix] = [EXACT.multiply(v, factor) for v in cash[column]]
    rows = [exact_sum(values) for values in zip(*exact.values())] if exact else \
        [Decimal(0)] * len(cash)
    exact["government_gbp" + prices.suffix] = rows
    frame = cash[[c for c in cash.columns if not c.endswith("_gbp")]].copy()
    for column, values in exact.items():
        frame[column] = [penny(v) for v in values]
    return RealTerms(frame.astype(object), _totals(exact), prices), exact


def real_by_year(cash: pd.DataFrame, prices: Prices) -> RealTerms:
    """:func:`~pspctl.reports.funding_by_year`'s frame at ``prices``: ``year``, the cash
    ``government_gbp``, the ``deflator`` (the index of the year), and the government funds at
    ``prices`` (``government_gbp_2016_17_prices``); a running total and the share of the total
    (where the cash frame has them) are of the unrounded figures."""
    real = "government_gbp" + prices.suffix
    index = [prices.deflators.of(y) for y in cash["year"]]
    exact = [EXACT.multiply(v, prices.factor(y)) for v, y in zip(cash["government_gbp"],
                                                                  cash["year"])]
    frame = pd.DataFrame({"year": cash["year"].tolist(),
                          "government_gbp": cash["government_gbp"].tolist(),
                          "deflator": index, real: [penny(v) for v in exact]}, dtype=object)
    found = {"government_gbp": [Decimal(v) for v in cash["government_gbp"]], real: exact}
    if "cumulative_gbp" in cash.columns:
        frame["cumulative_gbp" + prices.suffix] = [
            penny(v) for v in itertools.accumulate(exact, EXACT.add)]
    if "share" in cash.columns:
        frame["share"] = _shares(exact)
    return RealTerms(frame, _totals(found), prices)


def real_by_psp(matrix: pd.DataFrame, prices: Prices, share: bool = False) -> RealTerms:
    """Government funds per PSP at ``prices``, largest first: the row totals of the real-terms
    matrix (:func:`real_matrix` of ``matrix``, a :func:`~pspctl.reports.funding_matrix`
    frame), each the sum of the PSP's unrounded figures; ``share`` of the unrounded total."""
    real, exact = real_matrix(matrix, prices)
    column = "government_gbp" + prices.suffix
    totals = exact[column]
    order = sorted(range(len(totals)), key=totals.__getitem__, reverse=True)  # (stable)
    frame = real.frame.iloc[order][["psp_id", "name", "label", column]].reset_index(drop=True)
    if share:
        frame["share"] = _shares([totals[n] for n in order])
    return RealTerms(frame, {column: real.totals[column]}, prices)


def real_terms(frame: pd.DataFrame, deflators: Deflators, year: str) -> pd.DataFrame:
    """``frame`` at ``year``'s prices by ``deflators`` (:func:`pspctl.load_deflators`):

    - the cells of the data (``Dataset.funding``: ``year`` and ``amount_pence``): each cell's
      ``deflator`` (the index of its year) and ``amount_gbp_2016_17_prices``, rounded to the
      penny once; a cell without a year (additional funds stated for the whole period) cannot
      be deflated and keeps its cash figure, its ``prices`` saying ``cash``;
    - :func:`~pspctl.reports.funding_by_year` and :func:`~pspctl.reports.funding_matrix`
      frames, as :func:`real_by_year` and :func:`real_matrix` make them.

    Any other frame is a :class:`UsageError`: a figure that spans years (a PSP's total) is
    deflated year by year, from the matrix.
    """
    prices = prices_of(deflators, year)
    if {"year", "amount_pence"} <= set(frame.columns):
        return _cells(frame, prices)
    if {"year", "government_gbp"} <= set(frame.columns):
        return real_by_year(frame, prices).frame
    if any(_YEAR_COLUMN.match(str(c)) for c in frame.columns):
        return real_matrix(frame, prices)[0].frame
    raise UsageError("frame: neither the cells of the data (year, amount_pence), nor "
                     "funding_by_year's, nor funding_matrix's; a figure that spans years is "
                     "deflated year by year, from the matrix")


def _cells(frame: pd.DataFrame, prices: Prices) -> pd.DataFrame:
    out = frame.copy()
    years = [None if pd.isna(y) or not str(y) else str(y) for y in frame["year"].tolist()]
    cash = gbp_column(frame["amount_pence"].tolist())
    out["deflator"] = [prices.deflators.of(y) if y else None for y in years]
    out["amount_gbp" + prices.suffix] = [
        penny(EXACT.multiply(c, prices.factor(y))) if y else c for y, c in zip(years, cash)]
    out["prices"] = [prices.year if y else "cash" for y in years]
    return out.astype(object)


def _totals(exact: dict[str, list[Decimal]]) -> dict[str, Decimal]:
    return {column: penny(exact_sum(values)) for column, values in exact.items()}


def exact_sum(values: Sequence[Decimal]) -> Decimal:
    """The sum of ``values`` in the 50-digit context: no rounding before the last."""
    return functools.reduce(EXACT.add, values, Decimal(0))


def _shares(exact: Sequence[Decimal]) -> list[float | None]:
    total = exact_sum(exact)
    return [float(EXACT.divide(v, total)) if total else None for v in exact]


def real_compare(result: Comparison, data: Dataset, prices: Prices) -> RealTerms:
    """:func:`~pspctl.reports.compare`'s PSPs at ``prices``: government funds year by year
    (``government_gbp_2016_17_prices``), additional funds stated for a year deflated by it
    (``additional_gbp_2016_17_prices``), and those stated for the whole period, with no year to
    deflate by, left in cash (``additional_cash_gbp``); each empty where there are none. The
    combined figure, leverage and share are not given: they would add cash to real terms."""
    ids = result.by_psp["psp_id"].tolist()
    funding = data.funding[data.funding["psp_id"].isin(ids)]
    exact: dict[str, dict[str, list[Decimal]]] = {"government": {}, "additional": {},
                                                   "cash": {}}
    summed = funding.groupby(["psp_id", "year", "stream"], observed=True, dropna=False
                             )["amount_pence"].sum()  # (deflating is linear: a sum per year)
    for (psp_id, year, stream), pence in zip(summed.index.tolist(), summed.tolist()):
        cash = money_gbp(int(pence))
        kind = "cash" if stream == ADDITIONAL and (year is None or pd.isna(year)) else stream
        value = cash if kind == "cash" else EXACT.multiply(cash, prices.factor(str(year)))
        exact[str(kind)].setdefault(str(psp_id), []).append(value)
    names = {"government": "government_gbp" + prices.suffix,
             "additional": "additional_gbp" + prices.suffix, "cash": "additional_cash_gbp"}
    frame = result.by_psp[["psp_id", "name", "label"]].copy()
    sums: dict[str, list[Decimal]] = {}
    for kind, column in names.items():
        per_psp = [exact_sum(exact[kind][i]) if i in exact[kind] else None for i in ids]
        if kind == "government":
            per_psp = [v if v is not None else Decimal(0) for v in per_psp]
        frame[column] = [None if v is None else penny(v) for v in per_psp]
        sums[column] = [v for v in per_psp if v is not None]
    frame["funders"] = result.by_psp["funders"].tolist()
    frame["funder_sector"] = result.by_psp["funder_sector"].tolist()
    return RealTerms(frame.astype(object), _totals({k: v for k, v in sums.items() if v}),
                     prices)
