"""Workbooks as data (.xlsx, .xlsm, .ods): sheets ``psp``, ``funding``, ``totals`` and
``outcomes`` holding the columns of the CSV files, their cells read by :mod:`pspctl._sheets`
(pspctl's own reader, on the standard library: bench/README.md says why).

Each sheet becomes a header and rows of text cells, checked by the same rules as a CSV file
(:mod:`pspctl._rows`); a problem then names the sheet and the cell (``funding!F5``) instead of a
line. How a typed cell becomes text:

* **money typed as a number** is exact when, rounded to 15 significant digits (what a spreadsheet
  keeps and shows of a number), it is a whole number of pence; otherwise it is a ``bad-amount``
  problem. Every valid amount (at most 12 digits of pounds and 2 of pence) has at most 14
  significant digits, so the figure typed is the figure read, and a sum a spreadsheet computed
  (``0.1 + 0.2``) is read as the 0.30 it shows. Money typed as text follows the usual rule.
* a whole number is written without a decimal point (``2016``), a date as ``YYYY-MM-DD``,
  ``TRUE``/``FALSE`` as words; the column's rule then judges the text.
* a formula is read as the value a spreadsheet computed and saved with it; a formula without
  one (or in a workbook that asks to be recalculated when opened, as files programs write do)
  is a ``no-value`` problem, and a cell holding an error (``#DIV/0!``, ``#N/A``) an
  ``error-value`` problem: never a figure, never a blank.

Rows wholly blank at the end of a sheet are ignored, however far down; blank rows between rows
are a problem, as in CSV. Sheets of other names are ignored, as other files are in a data folder.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from operator import itemgetter
from typing import Any

import pandas as pd

from ._rows import checked_header, empty_frame, table_from_columns
from ._sheets import Number, Sheet, Unreadable, blank, number_text, read_book, without_gc
from .errors import Problem
from .schema import MAX_COLUMNS, TABLES, TableSpec, column_letter, expected_columns

#: Significant digits a spreadsheet keeps of a number (IEEE doubles, as Excel shows them).
SIGNIFICANT_DIGITS = 15

Tables = dict[str, tuple[pd.DataFrame, list[Problem]]]


def read_tables(raw: bytes, name: str, limit: int
                ) -> tuple[Tables, Callable[[Problem], Problem]]:
    """The four tables of the workbook ``raw`` (called ``name``) and the function that places a
    table's problem in its sheet and cell. A file that is not a workbook, lacks one of the
    sheets, is protected by a password, is malformed, or would expand to more than ``limit``
    bytes is an :class:`InputError` (:func:`pspctl._sheets.read_book`), as a missing file of a
    folder is. What the file is (.xlsx or .ods) is read from its content, not its name."""
    with without_gc():
        return _tables(read_book(raw, name, [spec.name for spec in TABLES], limit), name)


def _tables(sheets: dict[str, Sheet | tuple[str, str]], name: str
            ) -> tuple[Tables, Callable[[Problem], Problem]]:
    tables: Tables = {}
    headers: dict[str, list[str]] = {}
    for spec in TABLES:
        found: list[Problem] = []
        sheet = sheets[spec.name]
        if isinstance(sheet, Sheet):
            header, frame = _table(sheet, spec, found)
        else:
            kind, message = sheet
            found.append(Problem(spec.filename, None, None, kind, message))
            header, frame = None, empty_frame(spec)
        headers[spec.name] = header or []
        tables[spec.name] = (frame, found)
    return tables, _placer(name, headers)


def _table(sheet: Sheet, spec: TableSpec, problems: list[Problem]
           ) -> tuple[list[str] | None, pd.DataFrame]:
    """One sheet as a table: its header and its typed frame (empty when it has problems). A cell
    whose figure cannot be known (an error, a formula without a computed value) is its problem,
    and the rest of its row is checked as ever."""
    name = spec.filename
    for line, ref, kind, message in sheet.problems:
        problems.append(Problem(name, line, None, kind, f"{ref}: {message}"))
    rows = sheet.rows
    last = len(rows)  # rows wholly blank at the end of a sheet are not read
    while last and all(blank(cell) for cell in rows[last - 1][1]) \
            and rows[last - 1][0] not in sheet.beyond:
        last -= 1
    rows = rows[:last]
    if not rows and not sheet.beyond:
        problems.append(Problem(name, None, None, "empty-file", "sheet is empty"))
        return None, empty_frame(spec)
    known = len(problems)
    header = _header(sheet, rows[0][1] if rows and rows[0][0] == 1 else [], spec, problems)
    if header is None or len(problems) > known:  # its place is named; its rows not read
        return header, empty_frame(spec)
    kinds = [_kind(spec, label) for label in header]
    width = len(header)
    problems.extend(_unseen(sheet, rows, header, name))
    body = _body(sheet, rows, width, name, problems)
    lines = list(map(itemgetter(0), body))
    columns = [_as_text(list(cells), lines, label, kind, name, problems)
               for cells, label, kind in zip(_transposed(body, width), header, kinds)]
    # a cell reported here (an error, a number that is not money) is read as blank: the loader
    # keeps one problem per cell, the first, so its blank is not another
    return header, table_from_columns(header, lines, columns, spec, problems)


def _transposed(body: list[tuple[int, list[Any]]], width: int) -> list[tuple[Any, ...]]:
    """The cells of rows ``width`` wide, a column at a time."""
    return list(zip(*map(itemgetter(1), body))) if body else [()] * width


def _body(sheet: Sheet, rows: list[tuple[int, list[Any]]], width: int, name: str,
          problems: list[Problem]) -> list[tuple[int, list[Any]]]:
    """The rows under the header, each ``width`` cells wide; a row the file does not hold
    (blank) and a row with a cell beyond the header's columns are problems. Rows 2, 3, 4, ...
    all as wide as the header, as a sheet of data is, are taken as they stand."""
    body = rows[1:] if rows and rows[0][0] == 1 else rows
    if not sheet.beyond and (not body or (body[0][0] == 2 and body[-1][0] == len(body) + 1)) \
            and set(map(len, map(itemgetter(1), body))) <= {width}:
        return body  # (numbered in order without a gap: the last is the count's)
    body = []
    expected = 2
    for number, row in rows:
        if number == 1:
            continue
        if number > expected:  # rows the file does not hold: blank
            problems.append(_blank_rows(name, expected, number - 1))
        expected = number + 1
        extra = sheet.beyond.get(number)
        if len(row) > width:
            extra = next((n for n in range(width, len(row)) if not blank(row[n])), extra)
        if extra is not None:
            problems.append(Problem(name, number, None, "extra-cell",
                                    f"a cell beyond the last column ({column_letter(extra)}"
                                    f"{number}): the header has {width} columns"))
            continue
        body.append((number, row[:width] if len(row) >= width
                     else [*row, *[""] * (width - len(row))]))
    return body


def _as_text(cells: list[Any], lines: list[int], label: str, kind: str, name: str,
             problems: list[Problem]) -> list[str]:
    """A column's cells (on ``lines``) as the text a CSV file would hold (:func:`_cell`): a
    column of text as it is, money typed as the plain figure it shows a column at a time, any
    other cell on its own. (Problems are in the order of the rows within a column; the loader
    orders them by row.)"""
    types = set(map(type, cells))
    if types <= {str}:
        return cells
    if kind != "amount" or not types <= {str, Number}:
        return [cell if type(cell) is str else _cell(name, line, label, kind, cell, problems)
                for cell, line in zip(cells, lines)]
    # plain figures, numbers or text, are their text; any other number is looked at on its own
    out = list(map(str.__str__, cells))
    for n in itertools.compress(range(len(cells)),
                                map(operator.not_, map(_PLAIN_MONEY.match, cells))):
        if type(cells[n]) is not str:
            out[n] = _cell(name, lines[n], label, kind, cells[n], problems)
    return out


def _header(sheet: Sheet, first: list[Any], spec: TableSpec, problems: list[Problem]
            ) -> list[str] | None:
    """The labels of the sheet's first row, checked (their problems added); ``None`` when
    there are none to read the rows by."""
    if 1 in sheet.beyond:
        problems.append(Problem(spec.filename, 1, None, "too-many-columns",
                                f"a cell in column {column_letter(sheet.beyond[1])} of the "
                                f"header row: a header has at most {MAX_COLUMNS:,} columns; "
                                f"expected columns: {expected_columns(spec)}"))
        return None
    labels = [cell.shown if isinstance(cell, Unreadable) else _text(cell) for cell in first]
    while labels and not labels[-1].strip():
        labels.pop()
    return checked_header(labels, spec, problems)


UNSEEN = ("pspctl reads what a person sees, so unhide it (or delete it if its figures are not "
          "meant to count)")


def _unseen(sheet: Sheet, rows: list[tuple[int, list[Any]]], header: list[str], name: str
            ) -> list[Problem]:
    """A hidden column of the table, and a hidden row that holds something: a person reading
    the sheet does not see their figures, which pspctl would count."""
    found = [Problem(name, 1, label, "hidden-column", f"the column is hidden: {UNSEEN}")
             for column, label in enumerate(header) if sheet.column_hidden(column)]
    found += [Problem(name, number, None, "hidden-row", f"the row is hidden: {UNSEEN}")
              for number, row in rows
              if number in sheet.hidden_rows and not all(blank(cell) for cell in row)]
    return found


def _blank_rows(name: str, first: int, last: int) -> Problem:
    if first == last:
        return Problem(name, first, None, "blank-row", "blank row")
    return Problem(name, first, None, "blank-row",
                   f"blank rows {first:,} to {last:,} ({last - first + 1:,} rows)")


def _kind(spec: TableSpec, label: str) -> str:
    return next((c.kind for c in spec.columns if c.name == label), "text")


def _cell(name: str, row: int, label: str, kind: str, cell: Any,
          problems: list[Problem]) -> str:
    """A cell as the text a CSV file would hold; a cell whose figure cannot be known, or a
    number that cannot be money exactly, is a problem (and the cell left blank, so that no
    other rule speaks of it again)."""
    if isinstance(cell, Unreadable):
        problems.append(Problem(name, row, label, cell.kind, cell.message))
        return ""
    if kind == "amount":
        if _PLAIN_MONEY.match(cell):
            return str.__str__(cell)
        try:
            number = float(cell)
        except ValueError:
            return str.__str__(cell)
        text = _money(number)
        if text is None:
            problems.append(Problem(name, row, label, "bad-amount",
                                    f"the number {cell} is not a whole number of pence "
                                    f"(rounded to {SIGNIFICANT_DIGITS} significant digits, "
                                    "as a spreadsheet keeps it)"))
            return ""
        return text
    return _text(cell)


#: A number as a spreadsheet writes a whole number of pence: the text is the figure.
_PLAIN_MONEY = re.compile(r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,2})?\Z")


def _money(number: float) -> str | None:
    """A number as pounds with at most two decimals, or ``None`` when it is not a whole number
    of pence to within floating-point rounding (:data:`SIGNIFICANT_DIGITS`)."""
    if not math.isfinite(number):
        return None
    text = f"{number:.{SIGNIFICANT_DIGITS}g}"
    if "e" in text:  # very small or very large: written out in full
        text = f"{Decimal(text):f}"
    decimals = text.partition(".")[2]
    return text if len(decimals.rstrip("0")) <= 2 else None


def _text(cell: Any) -> str:
    """Any other cell as text: a number as :func:`pspctl._sheets.number_text` writes it."""
    return number_text(cell) if isinstance(cell, Number) else str(cell)


# --- places ------------------------------------------------------------------------------------


def _placer(name: str, headers: dict[str, list[str]]) -> Callable[[Problem], Problem]:
    """The function that turns a table's problem (``funding.csv``, a line) into the workbook's
    (``name``, ``funding!F5``): the row is the line, the column the header's place of its
    name."""
    sheets = {spec.filename: spec.name for spec in TABLES}

    def place(problem: Problem) -> Problem:
        sheet = sheets.get(problem.file)
        if sheet is None:
            return problem
        header = list(headers.get(sheet, ()))
        if problem.line is None:
            where = sheet
        elif problem.column in header:
            where = f"{sheet}!{column_letter(header.index(problem.column))}{problem.line}"
        else:
            where = f"{sheet} row {problem.line}"
        return replace(problem, file=name, place=where)

    return place
