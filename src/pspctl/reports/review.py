"""Analytical review (ISA 520): patterns in the figures that deserve a second look although
everything foots. Observations, never errors: each says its check, its scope, the figures and
a plain sentence.

The rules read the government cells summed per PSP and year as columns (one entry per PSP and
year, PSPs in the order they first appear, years ascending): a ledger's millions of rows cost
what summing them costs, and Python makes only the rows of what is observed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd

from .. import money
from ..loader import Dataset
from .common import _government, _pounds, psp_labels

OBSERVATION_COLUMNS = ["check", "scope", "psp_id", "year", "to_year", "amount_gbp", "note"]
#: What a Table 3 row note says about the years a PSP may have cells in.
FINAL_YEAR = re.compile(r"final year of funding ([0-9]{4}-[0-9]{2})")
START_YEAR = re.compile(r"start up in ([0-9]{4}-[0-9]{2})")
#: Observations as columns, in :data:`OBSERVATION_COLUMNS` order.
Found = list[list[Any]]


@dataclass(frozen=True)
class Review:
    """:attr:`observations`, one row each (:data:`OBSERVATION_COLUMNS`, with the ``label`` of
    the PSP after ``psp_id``: :func:`~pspctl.reports.psp_labels`), and
    :attr:`round_figures`: per financial year, how many cells are whole thousands of pounds."""

    observations: pd.DataFrame
    round_figures: pd.DataFrame


def review(data: Dataset, change: Decimal | None = None) -> Review:
    """Look for the patterns an analytical review looks for in the government cells:

    - ``repeated-figure``: a PSP with the same figure in two consecutive years;
    - ``identical-years``: two consecutive years whose columns are identical for every PSP
      funded in both (at least two);
    - ``outside-stated-years``: cells after the final year, or before the start-up year, that
      a PSP's Table 3 note states; ``before-established``: cells in a financial year that
      ends before the year the PSP was established;
    - ``gap``: a year with no cell between a PSP's first and last funded years;
    - ``large-change``: a change from one year to the next above ``change`` (a fraction, such
      as ``Decimal("0.5")``; off when ``None``);
    - ``round-figures``: a year whose cells (three or more) are all whole thousands of pounds.
    """
    grid = _Grid.of(data)
    found = [_repeated(grid), _identical(grid), _stated(data, grid), _gaps(grid)]
    if change is not None:
        found.append(_changes(grid, change))
    profile = grid.round_profile()
    rounded = [(year, count) for year, count, round_count in profile
               if count >= 3 and round_count == count]
    found.append(_observed("round-figures", [y for y, _ in rounded], [None] * len(rounded),
                           [y for y, _ in rounded], [None] * len(rounded), None,
                           [f"all {count} cells of {year} are whole thousands of pounds: "
                            "budgets, or rounded, rather than spend?" for year, count in rounded]))
    observations = pd.DataFrame(
        {name: _objects(list(chain.from_iterable(part[n] for part in found)))
         for n, name in enumerate(OBSERVATION_COLUMNS)}, columns=OBSERVATION_COLUMNS,
        copy=False)
    labels = psp_labels(data)
    observations.insert(3, "label", list(map(labels.get, observations["psp_id"].tolist())))
    return Review(
        observations=observations,
        round_figures=pd.DataFrame(
            [(y, n, r, float(Decimal(r) / Decimal(n)) if n else None) for y, n, r in profile],
            columns=["year", "cells", "round", "share"], dtype=object),
    )


def _objects(values: list[Any]) -> pd.Series:
    """A column of Python objects (text, ``None``, ``Decimal``) as it stands: one array, not
    copied again into a frame's block (half the cost of a frame made with ``dtype=object``)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return pd.Series(array, dtype=object, copy=False)


@dataclass(frozen=True)
class _Grid:
    """The government cells summed per PSP and financial year: entry ``i`` is PSP ``psp[i]``
    (its id ``names[psp[i]]``, numbered as the PSPs first appear) in the year that starts in
    ``year[i]`` (2015 for 2015-16), with ``pence[i]``; PSPs in turn, years ascending. Beside
    it, each cell's year (``cell_years``) and whether it is whole thousands of pounds."""

    names: np.ndarray
    psp: np.ndarray
    year: np.ndarray
    pence: np.ndarray
    cell_years: np.ndarray
    cell_round: np.ndarray

    @classmethod
    def of(cls, data: Dataset) -> _Grid:
        cells = _government(data)
        psp, names = pd.factorize(cells["psp_id"], sort=False)
        codes, texts = pd.factorize(cells["year"], sort=False)
        starts = np.array([int(str(text)[:4]) for text in texts], dtype=np.int64)
        years = starts[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        pence = cells["amount_pence"].to_numpy(dtype=np.int64)
        low = int(years.min()) if len(years) else 0
        span = (int(years.max()) - low + 1) if len(years) else 1
        key = psp.astype(np.int64) * span + (years - low)
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(key) else key
        return cls(np.array([str(name) for name in names], dtype=object), ordered[first] // span,
                   ordered[first] % span + low,
                   np.add.reduceat(pence[order], first) if len(key) else pence, years,
                   pence % 100_000 == 0)

    def following(self) -> np.ndarray:
        """The entries whose next entry is the same PSP's (so ``i`` and ``i + 1`` are two of
        its funded years, with none funded between them)."""
        return np.flatnonzero(self.psp[1:] == self.psp[:-1])

    def ids(self, entries: np.ndarray) -> list[str]:
        return list(self.names[self.psp[entries]].tolist())

    def round_profile(self) -> list[tuple[str, int, int]]:
        """Per year with a cell: the cells, and those that are whole thousands of pounds."""
        if not len(self.cell_years):
            return []
        low = int(self.cell_years.min())
        counts = np.bincount(self.cell_years - low)
        rounds = np.bincount(self.cell_years[self.cell_round] - low, minlength=len(counts))
        return [(year_text(low + n), int(counts[n]), int(rounds[n]))
                for n in np.flatnonzero(counts).tolist()]


def year_text(start: int) -> str:
    """The financial year that starts in ``start``: ``2015-16``."""
    return f"{start}-{(start + 1) % 100:02d}"


def _texts(starts: np.ndarray) -> list[str]:
    """The financial years that start in ``starts`` (each year written once)."""
    if not len(starts):
        return []
    low = int(starts.min())
    table = np.array([year_text(y) for y in range(low, int(starts.max()) + 1)], dtype=object)
    return list(table[starts - low].tolist())


def _pounds_of(pence: np.ndarray) -> list[str]:
    """:func:`~pspctl.reports.common._pounds` of each of ``pence``, a column at once."""
    if len(pence) and pence.min() < 0:  # (amounts are never negative; sums of them neither)
        return [_pounds(p) for p in pence.tolist()]
    pounds, rest = np.divmod(pence, 100)
    return list(map("".join, zip(repeat("£"), map(format, pounds.tolist(), repeat(",")),
                                 map(_PENCE.__getitem__, rest.tolist()))))


_PENCE = ["", *(f".{n:02d}" for n in range(1, 100))]  # what follows the pounds: none for 00


def _observed(check: str, scope: list[Any], psp_ids: list[Any], years: list[Any],
              to_years: list[Any], pence: np.ndarray | None, notes: list[str]) -> Found:
    """Observations of one check as columns (:data:`OBSERVATION_COLUMNS`)."""
    amounts = (money.gbp_column(pence.tolist()) if pence is not None
               else [None] * len(notes))
    return [[check] * len(notes), scope, psp_ids, years, to_years, amounts, notes]


def _repeated(grid: _Grid) -> Found:
    pairs = grid.following()
    same = pairs[(grid.year[pairs + 1] == grid.year[pairs] + 1)
                 & (grid.pence[pairs + 1] == grid.pence[pairs])]
    ids, years, following = grid.ids(same), _texts(grid.year[same]), _texts(grid.year[same] + 1)
    pounds = _pounds_of(grid.pence[same])
    return _observed(
        "repeated-figure", [f"{i} {y}, {f}" for i, y, f in zip(ids, years, following)], ids,
        years, following, grid.pence[same],
        [f"{i} has the same figure, {p}, in {y} and {f}: flat funding, or a figure carried "
         "over?" for i, p, y, f in zip(ids, pounds, years, following)])


def _identical(grid: _Grid) -> Found:
    """Consecutive years whose cells are equal for every PSP funded in both (two or more)."""
    pairs = grid.following()
    pairs = pairs[grid.year[pairs + 1] == grid.year[pairs] + 1]
    if not len(pairs):
        return _observed("identical-years", [], [], [], [], None, [])
    low = int(grid.year[pairs].min())
    starts = grid.year[pairs] - low
    both = np.bincount(starts)
    differ = np.bincount(starts[grid.pence[pairs] != grid.pence[pairs + 1]], minlength=len(both))
    found = np.flatnonzero((both >= 2) & (differ == 0))
    totals = [int(grid.pence[pairs[starts == n]].sum()) for n in found.tolist()]
    years, following = _texts(found + low), _texts(found + low + 1)
    return _observed(
        "identical-years", [f"{y}, {f}" for y, f in zip(years, following)],
        [None] * len(years), years, following, np.array(totals, dtype=np.int64),
        [f"the {y} and {f} columns are identical for all {n} PSPs funded in both "
         f"({_pounds(t)} each year): flat funding, or a copied column?"
         for y, f, n, t in zip(years, following, both[found].tolist(), totals)])


def _stated(data: Dataset, grid: _Grid) -> Found:
    """Cells outside the years a PSP's own note allows, or before it was established: for each
    PSP in the order of the psp table, its years ascending, the checks in that order."""
    limits = _limits(data, grid)
    if limits is None:
        return _observed("outside-stated-years", [], [], [], [], None, [])
    order, after, before, ends_before, tails = limits
    entries = np.arange(len(grid.psp))
    hits = [(entries[grid.year > after[grid.psp]], 0),
            (entries[grid.year < before[grid.psp]], 1),
            (entries[grid.year + 1 < ends_before[grid.psp]], 2)]
    found = np.concatenate([entries for entries, _ in hits])
    kinds = np.concatenate([np.full(len(entries), kind) for entries, kind in hits])
    ranked = np.lexsort((kinds, grid.year[found], order[grid.psp[found]]))
    found, kinds = found[ranked], kinds[ranked]
    ids, years = grid.ids(found), _texts(grid.year[found])
    ends = tails[kinds, grid.psp[found]].tolist()
    pounds = _pounds_of(grid.pence[found])
    checks = np.array(["outside-stated-years", "outside-stated-years", "before-established"],
                      dtype=object)[kinds].tolist()
    columns = _observed("", [f"{i} {y}" for i, y in zip(ids, years)], ids, years,
                        [None] * len(ids), grid.pence[found],
                        [f"{i} has {p} in {y}{e}" for i, p, y, e in zip(ids, pounds, years, ends)])
    columns[0] = checks
    return columns


def _limits(data: Dataset, grid: _Grid) -> tuple[np.ndarray, ...] | None:
    """Per PSP of the grid: its place in the psp table, and the years (starts) beyond which a
    cell is after its stated final year, before its start-up year, or in a year ending before
    it was established; and what each of these checks says after ``{psp} has {pounds} in
    {year}`` (a row per check, a column per PSP). A note's year is compared as text, as the
    note writes it (a year after ``2015-17`` is one after 2015-16 as text: 2016-17)."""
    count = len(grid.names)
    if not count:
        return None
    numbers = {name: n for n, name in enumerate(grid.names.tolist())}
    order = np.full(count, -1, dtype=np.int64)  # a PSP not in the psp table: nothing stated
    after = np.full(count, 10**6, dtype=np.int64)
    before, ends_before = np.full(count, -(10**6), dtype=np.int64), np.full(count, -(10**6))
    tails = np.full((3, count), "", dtype=object)
    psp = data.psp
    notes = psp["table_note"].astype(object).where(psp["table_note"].notna(), "").tolist()
    established = psp["established"].astype("Int64")
    years = established.to_numpy(dtype=np.int64, na_value=-(10**6)).tolist()
    for place, (psp_id, note, year) in enumerate(zip(psp["psp_id"].astype(str).tolist(),
                                                      notes, years)):
        n = numbers.get(psp_id)
        if n is None:
            continue
        order[n] = place
        final, start = FINAL_YEAR.search(str(note)), START_YEAR.search(str(note))
        if final:  # the last year whose text is not after the note's
            first = int(final[1][:4])
            after[n] = first - 1 if year_text(first) > final[1] else first
            tails[0, n] = f", after the final year its Table 3 note states ({final[1]})"
        if start:  # the first year whose text is not before the note's
            first = int(start[1][:4])
            before[n] = first + 1 if year_text(first) < start[1] else first
            tails[1, n] = f", before the start-up year its Table 3 note states ({start[1]})"
        if year != -(10**6):
            ends_before[n] = year
            tails[2, n] = f", which ends before it was established ({year})"
    return order, after, before, ends_before, tails


def _gaps(grid: _Grid) -> Found:
    """Every financial year between a PSP's first and last funded years with no cell (a year
    no PSP has a cell in too)."""
    pairs = grid.following()
    pairs = pairs[grid.year[pairs + 1] > grid.year[pairs] + 1]
    missing = grid.year[pairs + 1] - grid.year[pairs] - 1
    entries = np.repeat(pairs, missing)
    step = np.arange(len(entries)) - np.repeat(np.cumsum(missing) - missing, missing)
    years = _texts(grid.year[entries] + 1 + step)
    ids = grid.ids(entries)
    first, last = _funded_range(grid)
    firsts = _texts(first[grid.psp[entries]])
    lasts = _texts(last[grid.psp[entries]])
    return _observed(
        "gap", [f"{i} {y}" for i, y in zip(ids, years)], ids, years, [None] * len(ids), None,
        [f"{i} has no cell in {y}, between its first ({f}) and last ({la}) funded years"
         for i, y, f, la in zip(ids, years, firsts, lasts)])


def _funded_range(grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
    """Each PSP's first and last funded years (starts)."""
    count = len(grid.names)
    first = np.zeros(count, dtype=np.int64)
    last = np.zeros(count, dtype=np.int64)
    first[grid.psp[::-1]] = grid.year[::-1]  # the last write wins: the first entry
    last[grid.psp] = grid.year
    return first, last


def _changes(grid: _Grid, change: Decimal) -> Found:
    """Year-on-year changes above ``change`` between a PSP's first and last funded years: from
    £0, or from a year with no cell, any rise is one (``goes from £0 in 2013-14 to
    £1,000,000``); to a year with no cell, a fall to nothing. Two funded years in a row are one
    change; further apart, a fall to no cell after the first and a rise from no cell to the
    second. Columns find the candidates; each is then decided exactly, in ``Decimal``."""
    pairs = grid.following()
    step = grid.year[pairs + 1] - grid.year[pairs]
    apart = pairs[step > 1]
    before = np.concatenate([pairs, np.full(len(apart), -1)])
    after = np.concatenate([np.where(step == 1, pairs + 1, -1), apart + 1])
    years = np.concatenate([grid.year[pairs], grid.year[apart + 1] - 1])
    ranked = np.lexsort((years, np.concatenate([pairs, apart])))
    before, after, years = before[ranked], after[ranked], years[ranked]
    old = np.where(before >= 0, grid.pence[before], 0)
    new = np.where(after >= 0, grid.pence[after], 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(new - old) / np.where(old != 0, old, 1)
    floor = float(change) * (1 - 1e-9) if change > 0 else -1.0
    candidates = np.flatnonzero(np.where(old != 0, ratio >= floor, new != 0))
    rows = []
    for n in candidates.tolist():
        was = int(old[n]) if before[n] >= 0 else None
        now = int(new[n]) if after[n] >= 0 else None
        moved = _moved(was or 0, now or 0)
        if moved is not None and abs(moved) > change:
            rows.append((int(grid.psp[before[n] if was is not None else after[n]]),
                         int(years[n]), was, now, moved))
    return _changed(grid, rows)


def _changed(grid: _Grid, rows: list[tuple[int, int, int | None, int | None, Decimal]]) -> Found:
    ids = [str(grid.names[psp]) for psp, *_ in rows]
    years = [year_text(year) for _, year, *_ in rows]
    following = [year_text(year + 1) for _, year, *_ in rows]
    notes = []
    for psp_id, year, to_year, (_, _, was, now, moved) in zip(ids, years, following, rows):
        start = _pounds(was) if was is not None else "no cell"
        end = _pounds(now) if now is not None else "no cell"
        # as a spreadsheet rounds; from nothing: no percentage
        how = f" ({_percent_change(moved)})" if was else ""
        notes.append(f"{psp_id} goes from {start} in {year} to {end} in {to_year}{how}")
    return _observed("large-change", [f"{i} {y}, {f}" for i, y, f in zip(ids, years, following)],
                     ids, years, following,
                     np.array([(now or 0) - (was or 0) for *_, was, now, _ in rows],
                              dtype=np.int64), notes)


def _percent_change(moved: Decimal) -> str:
    """``+258%``: the fraction as a whole percentage, half away from zero."""
    import decimal

    whole = (moved * 100).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP)
    return f"{whole:+}%"


def _moved(before: int, after: int) -> Decimal | None:
    """The change from ``before`` to ``after`` as a fraction; from nothing to something, as
    large as any (``None`` when both are nothing)."""
    if before:
        return Decimal(after - before) / Decimal(before)
    return Decimal("Infinity") if after else None
