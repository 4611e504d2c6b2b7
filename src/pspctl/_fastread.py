"""The fast reader for large data files: pyarrow's multi-threaded CSV reader, vectorised checks.

It only ever accepts a file that is perfectly regular and valid: the exact header, no quoted line
breaks, no stray whitespace or NUL, every cell as the loader's rules want it, no duplicate key. On
anything else it returns ``None`` and the loader reads the file the exact (slower) way, which
reports every problem with its line and column. So both ways give the same figures, and problems
are always reported by one piece of code. One leniency: pyarrow reads a stray quote inside an
unquoted cell (``a"b``) as part of the text, where the exact reader reports malformed CSV.

Text columns come back as pandas categoricals (ids, years, funders repeat a lot); amounts as
``int64`` pence, parsed exactly: an amount has at most 12 digits of pounds and 2 of pence, 14
significant digits, so the nearest double times 100, rounded, is the exact number of pence.
"""

from __future__ import annotations

import csv
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .loader import INTEGER_PATTERN, Column, TableSpec, is_financial_year

#: A valid amount, as the loader's rule accepts it without a problem: no minus sign and at most
#: 12 digits of pounds (in RE2, for pyarrow).
AMOUNT = r"^£?(?:\d{1,3}(?:,\d{3}){1,3}|\d{1,12})(?:\.\d{1,2})?$"
#: The same rule for an amount without £ and separators.
PLAIN_AMOUNT = r"^\d{1,12}(?:\.\d{1,2})?$"


def _valid_dictionary(values: list[str], column: Column) -> bool:
    """Check the distinct values of a text column (few, even in a large file)."""
    if any(v != v.strip() or "\n" in v or "\r" in v or "\x00" in v for v in values):
        return False  # stray whitespace, a quoted line break or a NUL: the exact reader decides
    filled = [v for v in values if v]
    if column.required and len(filled) != len(values):
        return False
    if column.values and not set(filled) <= set(column.values):
        return False
    return column.kind != "year" or all(is_financial_year(v) for v in filled)


def _categorical(array: Any, ordered: bool = False) -> pd.Categorical:
    """A dictionary array as a pandas categorical, blank values as missing; ``ordered`` sorts
    the categories (financial years ``YYYY-YY`` sort in time order)."""
    values = array.dictionary.to_pylist()
    codes = array.indices.to_numpy(zero_copy_only=False)
    categories = sorted(v for v in values if v) if ordered else [v for v in values if v]
    if categories == values:  # no blank and already in order: the codes are the codes
        return pd.Categorical.from_codes(codes, pd.Index(categories), ordered=ordered,
                                         validate=False)
    position = {v: n for n, v in enumerate(categories)}
    remap = np.array([position.get(v, -1) for v in values], dtype=np.int32)
    return pd.Categorical.from_codes(
        remap[codes] if len(values) else codes, pd.Index(categories), ordered=ordered,
        validate=False,
    )


def _pence(chunk: Any, plain: bool, out: np.ndarray[Any, np.dtype[np.int64]]) -> bool:
    """One chunk of an amount column as integer pence into ``out``; False when a cell is not
    valid.

    ``plain`` tries the plain form (no £, no separators) first: the cast to a number fails on
    any other form, and then the plain rule is all the check needs. A failed cast costs about
    5 ms, so a column written ``£1,234.00`` goes straight to the general rule.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(chunk) == 0:
        return True
    try:
        if not plain:
            raise pa.ArrowInvalid("not plain")
        pounds = pc.cast(chunk, pa.float64())
        valid = pc.match_substring_regex(chunk, PLAIN_AMOUNT)
    except pa.ArrowInvalid:
        valid = pc.match_substring_regex(chunk, AMOUNT)
        if not pc.all(valid).as_py():
            return False
        chunk = pc.utf8_ltrim(pc.replace_substring(chunk, ",", ""), characters="£")
        pounds = pc.cast(chunk, pa.float64())
    if not pc.all(valid).as_py():
        return False
    hundredths = pounds.to_numpy(zero_copy_only=False) * 100
    out[:] = np.rint(hundredths, out=hundredths)
    return True


def _is_plain(column: Any) -> bool:
    """Whether an amount column's first cell is written plain (``1234.50``): the form the
    column is most likely written in throughout."""
    import pyarrow.compute as pc

    first = next((chunk for chunk in column.chunks if len(chunk)), None)
    return first is None or not pc.match_substring_regex(first[:1], "[£,]")[0].as_py()


def read_valid_table(path: Path, spec: TableSpec) -> pd.DataFrame | None:
    """The typed frame of a valid file, or ``None`` when the exact reader must look at it."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [c.name for c in spec.columns]
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {
        c.name: pa.string() if c.kind in ("amount", "integer") else dictionary
        for c in spec.columns
    }
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20).decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader([first.rstrip("\r\n")]), [])
    except csv.Error:
        return None
    required_names = [c.name for c in spec.columns if not c.optional]
    if header not in (names, required_names):
        return None
    types = {name: kind for name, kind in types.items() if name in header}
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False,
                # UTF-8 is checked where it is cheap: on the distinct values of the text
                # columns; amounts and integers must match rules that only allow ASCII and £.
                check_utf8=False,
            ),
        )
    except (pa.ArrowException, ValueError, OSError):
        return None
    rows = table.num_rows
    if table.column_names != header or rows == 0:
        return None
    out: dict[str, Any] = {}
    codes: list[np.ndarray[Any, Any]] = []
    sizes: list[int] = []
    amount = next((c.name for c in spec.columns if c.kind == "amount"), None)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        # The amounts are the bulk of the work: their chunks are checked and parsed on every
        # core (pyarrow's compute functions let go of the GIL) while the text is checked here.
        amounts = np.zeros(rows, dtype=np.int64)
        tasks = []
        if amount is not None:
            plain, start = _is_plain(table[amount]), 0
            for chunk in table[amount].chunks:  # each into its own slice of ``amounts``
                tasks.append(pool.submit(_pence, chunk, plain,
                                         amounts[start:start + len(chunk)]))
                start += len(chunk)
            out["amount_pence"] = amounts
        try:
            if not _text_columns(table, spec, out, codes, sizes):
                return None
            if not all([task.result() for task in tasks]):
                return None
        finally:
            for task in tasks:
                task.cancel()
    if _has_duplicates(codes, sizes):
        return None
    out["line"] = np.arange(2, rows + 2, dtype=np.int64)
    order = ["amount_pence" if c.kind == "amount" else c.name for c in spec.columns]
    return pd.DataFrame({name: out[name] for name in [*order, "line"]}, copy=False)


def _text_columns(table: Any, spec: TableSpec, out: dict[str, Any],
                  codes: list[np.ndarray[Any, Any]], sizes: list[int]) -> bool:
    """Check and type every column but the amounts into ``out``; the codes of the key's
    columns go to ``codes`` and ``sizes``. False when a cell is not valid."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = table.num_rows
    for column in spec.columns:
        if column.name not in table.column_names:  # an optional column left out
            out[column.name] = pd.Categorical([None] * rows, categories=[])
            continue
        if column.kind == "amount":
            continue  # parsed by the caller, into ``out["amount_pence"]``
        data = table[column.name].combine_chunks()
        if column.kind == "integer":
            valid = pc.or_(pc.equal(data, ""),
                           pc.match_substring_regex(data, INTEGER_PATTERN))
            if not pc.all(valid).as_py():
                return False
            out[column.name] = pd.array([int(v) if v else None for v in data.to_pylist()],
                                        dtype="Int64")
        else:
            try:
                data.dictionary.validate(full=True)  # UTF-8, among other things
            except pa.ArrowInvalid:
                return False
            if not _valid_dictionary(data.dictionary.to_pylist(), column):
                return False
            out[column.name] = _categorical(data, ordered=column.kind == "year")
        if column.name in spec.key:
            if column.kind == "integer":
                key = pc.dictionary_encode(data)
                codes.append(key.indices.to_numpy(zero_copy_only=False))
                sizes.append(len(key.dictionary))
            else:  # the categorical's own codes: the Arrow column can go at once
                codes.append(out[column.name].codes)
                sizes.append(len(out[column.name].categories))
        del data
    return True


def _has_duplicates(codes: list[np.ndarray[Any, Any]], sizes: list[int]) -> bool:
    """Whether two rows share their key, given the codes of the key's columns (``-1`` for a
    blank cell) and how many distinct values each has."""
    if not codes:
        return False
    radix = [size + 1 for size in sizes]  # codes -1 .. size-1, shifted to 0 .. size
    if float(np.prod(radix, dtype=np.float64)) >= 2.0**62:
        return bool(pd.DataFrame({str(n): c for n, c in enumerate(codes)}).duplicated().any())
    combined = codes[0].astype(np.int64)
    combined += 1
    for part, base in zip(codes[1:], radix[1:]):
        combined *= base
        combined += part
        combined += 1
    if bool(np.all(combined[1:] > combined[:-1])):
        return False  # rows in key order (ledgers often are): one pass, no hashing
    return bool(pd.Index(combined).has_duplicates)
