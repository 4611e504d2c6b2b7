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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .loader import INTEGER_PATTERN, Column, TableSpec, is_financial_year

#: A valid amount, as the loader's rule accepts it without a problem: no minus sign and at most
#: 12 digits of pounds (in RE2, for pyarrow).
AMOUNT = r"^£?(?:\d{1,3}(?:,\d{3}){1,3}|\d{1,12})(?:\.\d{1,2})?$"


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
    position = {v: n for n, v in enumerate(categories)}
    remap = np.array([position.get(v, -1) for v in values], dtype=np.int32)
    return pd.Categorical.from_codes(
        remap[codes] if len(values) else codes, pd.Index(categories), ordered=ordered
    )


def _pence(array: Any) -> np.ndarray[Any, np.dtype[np.int64]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pc.any(pc.match_substring(array, ",")).as_py():
        array = pc.replace_substring(array, ",", "")
    if pc.any(pc.match_substring(array, "£")).as_py():
        array = pc.utf8_ltrim(array, characters="£")
    pounds = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    return np.rint(pounds * 100).astype(np.int64)


def read_valid_table(path: Path, spec: TableSpec) -> pd.DataFrame | None:
    """The typed frame of a valid file, or ``None`` when the exact reader must look at it."""
    import pyarrow as pa
    import pyarrow.compute as pc
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
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
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
    for column in spec.columns:
        if column.name not in table.column_names:  # an optional column left out
            out[column.name] = pd.Categorical([None] * rows, categories=[])
            continue
        data = table[column.name].combine_chunks()
        if column.kind == "amount":
            if not pc.all(pc.match_substring_regex(data, AMOUNT)).as_py():
                return None
            out["amount_pence"] = _pence(data)
        elif column.kind == "integer":
            valid = pc.or_(pc.equal(data, ""), pc.match_substring_regex(data, INTEGER_PATTERN))
            if not pc.all(valid).as_py():
                return None
            out[column.name] = pd.array([int(v) if v else None for v in data.to_pylist()],
                                        dtype="Int64")
        else:
            if not _valid_dictionary(data.dictionary.to_pylist(), column):
                return None
            out[column.name] = _categorical(data, ordered=column.kind == "year")
        if column.name in spec.key:
            key = data if column.kind not in ("amount", "integer") else pc.dictionary_encode(data)
            codes.append(key.indices.to_numpy(zero_copy_only=False).astype(np.int64))
            sizes.append(len(key.dictionary))
    if _has_duplicates(codes, sizes):
        return None
    frame = pd.DataFrame(out)
    frame["line"] = np.arange(2, rows + 2, dtype=np.int64)
    return frame


def _has_duplicates(codes: list[np.ndarray[Any, Any]], sizes: list[int]) -> bool:
    """Whether two rows share their key (the codes of the key's columns)."""
    if not codes:
        return False
    if float(np.prod([max(s, 1) for s in sizes], dtype=np.float64)) < 2.0**62:
        combined = np.zeros(len(codes[0]), dtype=np.int64)
        for part, size in zip(codes, sizes):
            combined = combined * max(size, 1) + part
        return bool(pd.Index(combined).has_duplicates)
    return bool(pd.DataFrame({str(n): c for n, c in enumerate(codes)}).duplicated().any())
