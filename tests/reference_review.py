"""The reference for review's observations: pspctl.reports.review before its rules were
vectorised (#27), a dict of years per PSP walked in Python, kept to test the columnwise one
against on random ledgers. Not used by pspctl."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from pspctl.loader import Dataset
from pspctl.reports.common import _government, _pounds, gbp, psp_labels
from pspctl.reports.review import (
    FINAL_YEAR,
    OBSERVATION_COLUMNS,
    START_YEAR,
    Review,
    _percent_change,
)


def review(data: Dataset, change: Decimal | None = None) -> Review:
    """review() as pspctl computed it before #27."""
    cells = _cells(data)
    years = sorted({year for _, year, _ in cells})
    by_psp: dict[str, dict[str, int]] = {}
    for psp_id, year, pence in cells:
        figures = by_psp.get(psp_id)
        if figures is None:
            figures = by_psp[psp_id] = {}
        figures[year] = figures.get(year, 0) + pence
    rows = [*_repeated(by_psp), *_identical(by_psp, years), *_stated(data, by_psp),
            *_gaps(by_psp)]
    if change is not None:
        rows += _changes(by_psp, change)
    profile = _round(cells, years)
    rows += [("round-figures", year, None, year, None, None,
              f"all {count} cells of {year} are whole thousands of pounds: budgets, or "
              "rounded, rather than spend?")
             for year, count, round_count in profile if count >= 3 and round_count == count]
    observations = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS, dtype=object)
    labels = psp_labels(data)
    observations.insert(3, "label", [labels.get(p) if isinstance(p, str) else None
                                     for p in observations["psp_id"].tolist()])
    return Review(
        observations=observations,
        round_figures=pd.DataFrame(
            [(y, n, r, float(Decimal(r) / Decimal(n)) if n else None) for y, n, r in profile],
            columns=["year", "cells", "round", "share"], dtype=object),
    )


def _cells(data: Dataset) -> list[tuple[str, str, int]]:
    """The government cells as (psp_id, year, pence): text as objects (an id or a year read
    the fast way is a categorical, of str all the same), pence as Python ints; a government
    cell always has its year (a validate rule)."""
    government = _government(data)
    return list(zip(government["psp_id"].astype(object).tolist(),
                    government["year"].astype(object).tolist(),
                    government["amount_pence"].tolist()))


@lru_cache(maxsize=512)
def _next(year: str) -> str:
    first = int(year[:4]) + 1
    return f"{first}-{(first + 1) % 100:02d}"


def _repeated(by_psp: dict[str, dict[str, int]]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for psp_id, figures in by_psp.items():
        for year, pence in sorted(figures.items()):
            following = _next(year)
            if figures.get(following) == pence:
                rows.append(("repeated-figure", f"{psp_id} {year}, {following}", psp_id,
                             year, following, gbp(pence),
                             f"{psp_id} has the same figure, {_pounds(pence)}, in {year} and "
                             f"{following}: flat funding, or a figure carried over?"))
    return rows


def _identical(by_psp: dict[str, dict[str, int]], years: list[str]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for year in years:
        following = _next(year)
        both, total = 0, 0
        for figures in by_psp.values():
            if year in figures and following in figures:
                if figures[year] != figures[following]:
                    break  # not identical: no need to look further
                both, total = both + 1, total + figures[year]
        else:
            if both >= 2:
                rows.append(("identical-years", f"{year}, {following}", None,
                             year, following, gbp(total),
                             f"the {year} and {following} columns are identical for all "
                             f"{both} PSPs funded in both ({_pounds(total)} each year): "
                             "flat funding, or a copied column?"))
    return rows


def _stated(data: Dataset, by_psp: dict[str, dict[str, int]]) -> list[tuple[object, ...]]:
    """Cells outside the years a PSP's own note allows, or before it was established."""
    rows: list[tuple[object, ...]] = []
    for psp_id, note, established in zip(data.psp["psp_id"].astype(str).tolist(),
                                         data.psp["table_note"].tolist(),
                                         data.psp["established"].tolist()):
        figures = by_psp.get(psp_id, {})
        text = "" if pd.isna(note) else str(note)
        final, start = FINAL_YEAR.search(text), START_YEAR.search(text)
        established = None if pd.isna(established) else int(established)
        if not figures or not (final or start or (
                established is not None and _ends(min(figures)) < established)):
            continue  # nothing stated to check against, or funded only once established
        for year, pence in sorted(figures.items()):
            if final and year > final[1]:
                rows.append(("outside-stated-years", f"{psp_id} {year}", psp_id, year,
                             None, gbp(pence), f"{psp_id} has {_pounds(pence)} in {year}, "
                             f"after the final year its Table 3 note states ({final[1]})"))
            if start and year < start[1]:
                rows.append(("outside-stated-years", f"{psp_id} {year}", psp_id, year,
                             None, gbp(pence), f"{psp_id} has {_pounds(pence)} in {year}, "
                             f"before the start-up year its Table 3 note states ({start[1]})"))
            if established is not None and _ends(year) < established:
                rows.append(("before-established", f"{psp_id} {year}", psp_id, year,
                             None, gbp(pence), f"{psp_id} has {_pounds(pence)} in {year}, which "
                             f"ends before it was established ({established})"))
            elif not final and (not start or year >= start[1]):
                break  # the years are in order: no later one can be outside
    return rows


@lru_cache(maxsize=512)
def _ends(year: str) -> int:
    """The calendar year in which a financial year ends (2015-16 ends in 2016)."""
    return int(year[:4]) + 1


def _gaps(by_psp: dict[str, dict[str, int]]) -> list[tuple[object, ...]]:
    """Every financial year between a PSP's first and last funded years with no cell (a year
    no PSP has a cell in too)."""
    rows: list[tuple[object, ...]] = []
    for psp_id, figures in by_psp.items():
        funded = sorted(figures)
        year = _next(funded[0])
        while year < funded[-1]:
            if year not in figures:
                rows.append(("gap", f"{psp_id} {year}", psp_id, year, None, None,
                             f"{psp_id} has no cell in {year}, between its first ({funded[0]}) "
                             f"and last ({funded[-1]}) funded years"))
            year = _next(year)
    return rows


def _changes(by_psp: dict[str, dict[str, int]], change: Decimal) -> list[tuple[object, ...]]:
    """Year-on-year changes above ``change`` between a PSP's first and last funded years: from
    £0, or from a year with no cell, any rise is one (``goes from £0 in 2013-14 to
    £1,000,000``); to a year with no cell, a fall to nothing."""
    rows: list[tuple[object, ...]] = []
    for psp_id, figures in by_psp.items():
        funded = sorted(figures)
        year = funded[0] if funded else None
        while year is not None and year < funded[-1]:
            following = _next(year)
            before, after = figures.get(year), figures.get(following)
            if before is None and after is None:
                year = following
                continue
            start = _pounds(before) if before is not None else "no cell"
            end = _pounds(after) if after is not None else "no cell"
            moved = _moved(before or 0, after or 0)
            if moved is not None and abs(moved) > change:
                # as a spreadsheet rounds; from nothing: no percentage
                how = f" ({_percent_change(moved)})" if before else ""
                rows.append(("large-change", f"{psp_id} {year}, {following}", psp_id,
                             year, following, gbp((after or 0) - (before or 0)),
                             f"{psp_id} goes from {start} in {year} to {end} in "
                             f"{following}{how}"))
            year = following
    return rows


def _moved(before: int, after: int) -> Decimal | None:
    """The change from ``before`` to ``after`` as a fraction; from nothing to something, as
    large as any (``None`` when both are nothing)."""
    if before:
        return Decimal(after - before) / Decimal(before)
    return Decimal("Infinity") if after else None


def _round(cells: list[tuple[str, str, int]], years: list[str]) -> list[tuple[str, int, int]]:
    """Per year: the cells, and those that are whole thousands of pounds."""
    counts = Counter(y for _, y, _ in cells)
    rounds = Counter(y for _, y, p in cells if p % 100_000 == 0)
    return [(year, counts[year], rounds[year]) for year in years]
