"""The rules every cell and row must follow, each in one place, beside its vectorised form.

The exact reader applies them cell by cell; the fast reader applies the vectorised forms (RE2
patterns for pyarrow) to whole columns and hands the rows that break one to the exact forms
here, so both readers report the same problems in the same words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem
from .money import AMOUNT, AMOUNT_HELP
from .schema import INTEGER, MAX_AMOUNT_DIGITS, YEAR_HELP, Column, TableSpec, is_financial_year

#: Byte order marks of UTF-16, which the loader refuses (save it as CSV UTF-8).
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: How a file that is not UTF-8 is read: a spreadsheet's "CSV" on Windows (`£` is 0xA3).
FALLBACK_ENCODING = "cp1252"




def decode_windows_1252(raw: bytes) -> str:
    """A spreadsheet's "CSV" on Windows (`£` is the byte 0xA3), decoded; ``UnicodeDecodeError``
    at a byte Windows-1252 does not have."""
    return raw.decode(FALLBACK_ENCODING)


def row_width_problem(name: str, line: int, header: Sequence[str], cells: Sequence[str]
                      ) -> Problem | None:
    """The problem of a row that is blank or has another number of cells than the header."""
    width = len(header)
    if not any(cell.strip() for cell in cells):
        return Problem(name, line, None, "blank-row", "blank row")
    if len(cells) > width:
        return Problem(name, line, None, "extra-cell", f"{len(cells)} cells, header has {width}")
    if len(cells) < width:
        return Problem(name, line, header[len(cells)], "missing-cell",
                       f"{len(cells)} cells, header has {width}")
    return None


# --- cells: the exact rules, then their vectorised forms -------------------------------------


def cell_problems(
    cells: Sequence[str], lines: Sequence[int], column: Column, name: str
) -> list[Problem]:
    """Every problem of one column's cells (stripped text), in the order of the rows. A column
    found clean as a whole (:func:`column_clean`) is not looked at cell by cell."""
    if column_clean(cells, column):
        return []
    problems: list[Problem] = []
    for value, line in zip(cells, lines):
        if not value:
            if column.required:
                problems.append(Problem(name, line, column.name, "blank-cell",
                                        "required cell is blank"))
        else:
            problems += [Problem(name, line, column.name, kind, text)
                         for kind, text in value_problems(value, column)]
    return problems


def value_problems(value: str, column: Column) -> list[tuple[str, str]]:
    """The problems (kind, message) of one cell's text that is not blank."""
    found: list[tuple[str, str]] = []
    if column.values and value not in column.values:
        found.append(("bad-value", f"{value!r} is not allowed: use {' or '.join(column.values)}"))
    if column.kind == "integer" and not INTEGER.fullmatch(value):
        found.append(("bad-integer", f"{value!r} is not a whole number"))
    elif column.kind == "year" and not is_financial_year(value):
        found.append(("bad-year", f"bad year {value!r}: {YEAR_HELP}"))
    elif column.kind == "amount":
        found += _amount_problems(value)
    return found


def column_clean(cells: Sequence[str], column: Column) -> bool:
    """Whether no cell of a column has a problem, found without a call per cell: amounts by
    :data:`VALID_AMOUNT` (the rule of :func:`_amount_problems`, in one pattern), any other
    column by the rule on each of its distinct values. ``False`` says only that the column
    must be looked at cell by cell."""
    if column.kind == "amount" and not column.values:
        blanks = len(cells) - sum(map(bool, cells))
        return not (blanks and column.required) and all(
            map(VALID_AMOUNT.fullmatch, filter(None, cells)))
    distinct = set(cells)
    if "" in distinct:
        if column.required:
            return False
        distinct.discard("")
    return not any(value_problems(value, column) for value in distinct)


def _amount_problems(value: str) -> list[tuple[str, str]]:
    match = AMOUNT.match(value)
    if not match:
        return [("bad-amount", f"bad amount {value!r}: {AMOUNT_HELP}")]
    found = []
    if len(match["pounds"].replace(",", "")) > MAX_AMOUNT_DIGITS:
        found.append(("bad-amount", f"amount {value!r} is too large (more than "
                      f"{MAX_AMOUNT_DIGITS} digits of pounds)"))
    if match["neg1"] or match["neg2"]:
        found.append(("negative-amount",
                      f"negative amount {value!r}: amounts are paid, never negative"))
    return found



_GROUPS = (MAX_AMOUNT_DIGITS - 1) // 3  # thousands separators in the largest amount
#: A valid amount, as the loader's rule accepts it without a problem: no minus sign and at most
#: :data:`~pspctl.loader.MAX_AMOUNT_DIGITS` digits of pounds (ASCII digits, written so that
#: Python's ``re`` and RE2 read it alike).
_VALID_AMOUNT = (rf"£?(?:[0-9]{{1,3}}(?:,[0-9]{{3}}){{1,{_GROUPS}}}"
                 rf"|[0-9]{{1,{MAX_AMOUNT_DIGITS}}})(?:\.[0-9]{{1,2}})?")
#: :data:`_VALID_AMOUNT` in RE2, for pyarrow.
AMOUNT_RE2 = f"^{_VALID_AMOUNT}$"
#: :data:`_VALID_AMOUNT`, as :func:`_amount_problems` finds no problem in it (for
#: ``re.fullmatch``).
VALID_AMOUNT = re.compile(_VALID_AMOUNT)
#: The same rule for an amount without £ and separators (RE2).
PLAIN_AMOUNT_RE2 = rf"^\d{{1,{MAX_AMOUNT_DIGITS}}}(?:\.\d{{1,2}})?$"



# --- rows --------------------------------------------------------------------------------------


def duplicate_key_problem(spec: TableSpec, line: int, key: Sequence[str], first: int) -> Problem:
    """The problem of a row on ``line`` whose ``key`` (the key columns' text) was first seen on
    line ``first``."""
    values = ", ".join(f"{k}={v!r}" for k, v in zip(spec.key, key))
    return Problem(spec.filename, line, None, "duplicate-key",
                   f"duplicate row ({values}) first seen on line {first}")



# --- keys --------------------------------------------------------------------------------------


def codes_of(values: pd.Series) -> tuple[np.ndarray[Any, Any], list[Any]]:
    """Integer codes of a column's values (``-1`` for missing) and the values they stand for:
    a categorical's own codes (a large file's columns), else the values numbered."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories.tolist()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, list(uniques)
