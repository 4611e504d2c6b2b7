"""Tables from rows of text cells: the header's checks, every cell rule and the typing of the
cells, shared by every source that reads exactly (the CSV reader, the workbook reader).

A source turns its file into a header and rows of stripped text, each row with its line (the
sheet's row for a workbook); this module checks them by the rules of :mod:`pspctl.rules` and
makes the typed frame. Problems name ``spec.filename`` and the line: a source that has other
places (a workbook's cells) maps them afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from operator import itemgetter, not_
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem
from .money import parse_pence
from .rules import VALID_AMOUNT, cell_problems, duplicate_key_problem, row_width_problem
from .schema import MAX_AMOUNT_DIGITS, MAX_COLUMNS, TableSpec, expected_columns


def checked_header(cells: Sequence[str], spec: TableSpec, problems: list[Problem]
                   ) -> list[str] | None:
    """The header's labels, stripped and checked; ``None`` (and the problems added) when there
    is no header to read the rows by."""
    name = spec.filename
    header = [cell.strip() for cell in cells]
    if not any(header):
        problems.append(Problem(name, 1, None, "empty-file", "no header row"))
        return None
    if len(header) > MAX_COLUMNS:
        problems.append(
            Problem(name, 1, None, "too-many-columns",
                    f"header has {len(header):,} columns, over the limit of {MAX_COLUMNS:,}; "
                    f"expected columns: {expected_columns(spec)}")
        )
        return None
    problems.extend(header_problems(header, spec, name))
    return header


def table_from_rows(header: list[str], rows: Sequence[tuple[int, list[str]]], spec: TableSpec,
                    problems: list[Problem]) -> pd.DataFrame:
    """The typed frame of ``rows`` (each with its line) read by ``header``; every problem of a
    row's width, a cell or a key is added to ``problems``."""
    width = len(header)
    if rows and set(map(len, map(itemgetter(1), rows))) <= {width}:  # (the common case)
        return table_from_columns(header, list(map(itemgetter(0), rows)),
                                  list(zip(*map(itemgetter(1), rows))), spec, problems)
    return _row_by_row(header, rows, spec, problems)


def _row_by_row(header: list[str], rows: Sequence[tuple[int, list[str]]], spec: TableSpec,
                problems: list[Problem]) -> pd.DataFrame:
    """:func:`table_from_rows` for rows of other widths than the header's, or blank ones:
    each row's problem said, the others' cells kept."""
    name, width = spec.filename, len(header)
    kept_lines, kept_rows = [], []
    for line, row in rows:
        problem = row_width_problem(name, line, header, row)
        if problem is not None:
            problems.append(problem)
        else:
            kept_lines.append(line)
            kept_rows.append([cell.strip() for cell in row])
    stripped = [[row[n] for row in kept_rows] for n in range(width)]
    return _columns_checked(header, stripped, kept_lines, spec, problems)


def table_from_columns(header: list[str], lines: list[int], columns: Sequence[Sequence[str]],
                       spec: TableSpec, problems: list[Problem]) -> pd.DataFrame:
    """:func:`table_from_rows` of rows given a column at a time (each column a cell per line,
    as many columns as the header has)."""
    stripped = [list(map(str.strip, column)) for column in columns]
    if _blank_rows(stripped):  # (said row by row)
        return _row_by_row(header, list(zip(lines, map(list, zip(*stripped)))), spec,
                           problems)
    return _columns_checked(header, stripped, lines, spec, problems)


def _blank_rows(columns: list[list[str]]) -> set[int]:
    """The rows (by their place) whose stripped cells, given a column at a time, are all
    empty."""
    blank: set[int] | None = None
    for column in columns:
        empty = set(compress(range(len(column)), map(not_, column)))
        blank = empty if blank is None else blank & empty
        if not blank:
            return set()
    return blank or set()


def _columns_checked(header: list[str], stripped: list[list[str]], kept_lines: list[int],
                     spec: TableSpec, problems: list[Problem]) -> pd.DataFrame:
    """The typed frame of the rows kept (a list of cells per column of ``header``), every
    problem of a cell or a key added to ``problems``."""
    name = spec.filename
    if not kept_lines and not problems:
        problems.append(Problem(name, None, None, "empty-file", "header but no rows"))
    position = {label: n for n, label in enumerate(header)}
    columns = {  # an optional column left out of the file: every cell blank
        c.name: stripped[position[c.name]] if c.name in position and stripped
        else [""] * len(kept_lines)
        for c in spec.columns
    }
    for column in spec.columns:
        problems.extend(cell_problems(columns[column.name], kept_lines, column, name))
    problems.extend(duplicate_keys(columns, kept_lines, spec))
    return typed(columns, kept_lines, spec, parse=not problems)


def header_problems(header: Sequence[str], spec: TableSpec, name: str) -> list[Problem]:
    problems: list[Problem] = []
    expected = [c.name for c in spec.columns]
    seen: set[str] = set()
    for label in header:
        if label in seen:
            problems.append(Problem(name, 1, label, "duplicate-column", "column appears twice"))
        seen.add(label)
        if label not in expected:
            hint = "blank column name" if not label else f"unknown column {label!r}"
            problems.append(
                Problem(name, 1, label or None, "unknown-column",
                        f"{hint}; expected columns: {expected_columns(spec)}")
            )
    for column in spec.columns:
        if column.name not in seen and not column.optional:
            problems.append(Problem(name, 1, column.name, "missing-column", "column is missing"))
    return problems


def duplicate_keys(
    columns: dict[str, list[str]], lines: Sequence[int], spec: TableSpec
) -> list[Problem]:
    keys = list(zip(*(columns[k] for k in spec.key)))
    if len(set(keys)) == len(keys):  # (no key twice: nothing to say of any row)
        return []
    first_seen: dict[tuple[str, ...], int] = {}
    problems = []
    for key, line in zip(keys, lines):
        if key in first_seen:
            problems.append(duplicate_key_problem(spec, line, key, first_seen[key]))
        else:
            first_seen[key] = line
    return problems


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    return typed({c.name: [] for c in spec.columns}, [], spec)


# --- typing ------------------------------------------------------------------------------------


def typed(
    columns: dict[str, list[str]], lines: Sequence[int], spec: TableSpec, parse: bool = True
) -> pd.DataFrame:
    """Blank cells become missing values; amounts become integer pence, integers ``Int64``.

    With ``parse`` (only for a file that passed validation, so parsing cannot fail here) amounts
    and integers are parsed; without it every column stays text, enough to check references.
    """
    out: dict[str, Any] = {}
    for column in spec.columns:
        cells = columns[column.name]
        if parse and column.kind == "amount":
            out["amount_pence"] = pence_column(cells, checked=True)
        elif parse and column.kind == "integer":
            out[column.name] = pd.array([int(v) if v else None for v in cells], dtype="Int64")
        else:
            out[column.name] = pd.array([v or None for v in cells], dtype="string")
    out["line"] = np.array(lines, dtype=np.int64)
    return pd.DataFrame(out)


def pence_column(cells: list[str], checked: bool = False) -> np.ndarray:
    """Valid amounts (:data:`~pspctl.rules.VALID_AMOUNT`) as integer pence: ``£1,234.5`` is
    123450, cast a column at once as exact decimals (pyarrow's, which pandas has imported). A
    column of other text is :func:`~pspctl.money.parse_pence`'s, cell by cell. ``checked``:
    the cells are known to be valid amounts (the column passed the cell rules)."""
    if not cells or not (checked or all(map(VALID_AMOUNT.fullmatch, cells))):
        return np.array([parse_pence(v) for v in cells], dtype=np.int64)
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array(cells, pa.string())
    for mark in ("£", ","):
        texts = pc.replace_substring(texts, mark, "")
    pounds = pc.cast(texts, pa.decimal128(MAX_AMOUNT_DIGITS + 2, 2))
    pence = pc.multiply(pounds, pa.scalar(100, pa.decimal128(3, 0)))
    return np.asarray(pc.cast(pence, pa.int64()), dtype=np.int64)
