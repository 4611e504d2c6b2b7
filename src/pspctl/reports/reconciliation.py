"""Reconciliation: every published figure against the cells it covers, and candidate
explanations of every mismatch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .. import money
from ..errors import UsageError, shortened
from ..loader import Dataset
from ..money import parse_pence
from .common import (
    ADDITIONAL,
    GOVERNMENT,
    _pounds,
    gbp,
)

# --- reconcile ---------------------------------------------------------------------------------

CHECK_COLUMNS = ["check", "scope", "published_gbp", "computed_gbp", "difference_gbp", "status",
                 "psp_id", "year", "stream"]
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
              sources: Iterable[str] = (), group: _Group | None = None,
              year: str | None = None) -> int:
        """Record a check (of ``group``'s figures, of ``year`` when it is one year's); the
        difference (published minus computed) when it is a mismatch, else 0."""
        difference = published - computed
        status = "ok" if abs(difference) <= self.tolerance else "mismatch"
        self.checks.append((name, scope, gbp(published), gbp(computed), gbp(difference), status,
                            None if group is None else group.psp_id, year,
                            None if group is None else group.stream))
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
    book = _Book(_pence_of(tolerance, "tolerance"))  # kept in pence, given back in pounds
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
    return book.result(Decimal(book.tolerance).scaleb(-2))


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
                                [row.total_id], group, year)
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
                            [t for t in (row.total_id, other.total_id) if t], group, row.year)
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
        difference = book.check("cross-footing", scope, published, computed, sources, group)
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
                                [row.total_id] if row.total_id else [], group)
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
                            [grand.total_id, *(r.total_id for r in stated.values())], group)
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
