"""The fast reader for large data files: pyarrow's multi-threaded CSV reader, vectorised checks.

It takes a file with the exact header and no NUL. Cells are stripped as the exact reader strips
them (the text columns on their distinct values). A file is read as lines, a quote being text,
when its first rows hold no quote, else (or once a quote is seen) knowing about quoted cells,
each row then numbered by the line it starts on; rows with a cell too many or too few are set
aside by a read on one core and named; a file that is not UTF-8 is decoded from Windows-1252, as
the exact reader decodes it, and read again. Every cell is checked with vectorised rules; when
some are not valid (or a row is blank) just those rows go to the exact reader's rules
(:func:`pspctl.loader.cell_problems`), so the problems are the ones, with the same lines,
columns and words, that the exact reader would report, without reading millions of valid rows
in Python. On anything else (a malformed quote, a NUL, a header of other columns) it returns
``None`` and the loader reads the file the exact (slower) way. One leniency: pyarrow reads a
stray quote inside an unquoted cell (``a"b``) as part of the text, where the exact reader
reports malformed CSV.

Text columns come back as pandas categoricals (ids, years, funders repeat a lot); amounts as
``int64`` pence, parsed exactly: an amount has at most 12 digits of pounds and 2 of pence, 14
significant digits, so the nearest double times 100, rounded, is the exact number of pence.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import Problem
from .rules import (
    AMOUNT_RE2,
    PLAIN_AMOUNT_RE2,
    UTF16_BOMS,
    codes_of,
    decode_windows_1252,
    row_width_problem,
)
from .schema import INTEGER_PATTERN, Column, TableSpec, is_financial_year


class _Irregular(Exception):
    """The file is not regular enough for the fast reader: the exact reader must read it."""


class _NotUtf8(_Irregular):
    """The file is not UTF-8: the exact reader would decode it from Windows-1252."""


class _Quotes(_Irregular):
    """Read as lines, the file shows a quote: it must be read knowing about quoted cells (which
    may hold line breaks, and then rows are not lines)."""


class _Ragged(_Irregular):
    """A row has more or fewer cells than the header: the file must be read a row at a time."""


#: How a file is read: as lines, a quote being text (right for a file without quotes, whose rows
#: are lines; a quote seen sends the file on), or knowing about quoted cells, which may hold line
#: breaks (each row then numbered by the line it starts on), both on every core; or on one core,
#: setting aside (and naming) rows of another width. Read as lines, a file with quotes is not
#: safe: pyarrow cuts it in blocks at line ends, and a quoted line break on the edge of a block
#: loses rows without an error (measured).
_Mode = Literal["lines", "multiline", "ragged"]


def _stripped_values(array: Any, mode: _Mode) -> list[str]:
    """The distinct values of a dictionary column, stripped as the exact reader strips cells,
    once checked for what the way the file is read (``mode``) cannot take."""
    import pyarrow as pa

    try:
        array.dictionary.validate(full=True)  # UTF-8, among other things
    except pa.ArrowInvalid:
        raise _NotUtf8 from None
    values = array.dictionary.to_pylist()
    _check_cells(values, mode)
    return [v.strip() for v in values]


def _check_cells(cells: Sequence[str], mode: _Mode) -> None:
    """Cells as written, read the ``mode`` way: a NUL makes the exact reader refuse the file;
    read as lines, a quote means that the file must be read knowing about quotes; set aside
    (ragged), rows must be lines."""
    if any("\x00" in cell for cell in cells):
        raise _Irregular
    if mode == "lines" and any('"' in cell for cell in cells):
        raise _Quotes
    if mode == "ragged" and any("\n" in cell or "\r" in cell for cell in cells):
        raise _Irregular


def _bad_values(values: list[str], column: Column) -> list[int]:
    """Which of the distinct (stripped) values of a text column break the column's rules."""
    return [
        n for n, v in enumerate(values)
        if (not v and column.required)
        or (v and column.values and v not in column.values)
        or (v and column.kind == "year" and not is_financial_year(v))
    ]


def _categorical(array: Any, values: list[str], ordered: bool = False) -> pd.Categorical:
    """A dictionary array whose distinct values are ``values`` (stripped: two of them may now be
    the same) as a pandas categorical, blank values as missing; ``ordered`` sorts the categories
    (financial years ``YYYY-YY`` sort in time order)."""
    codes = array.indices.to_numpy(zero_copy_only=False)
    distinct = dict.fromkeys(v for v in values if v)
    categories = sorted(distinct) if ordered else list(distinct)
    if categories == values:  # no blank and already in order: the codes are the codes
        return pd.Categorical.from_codes(codes, pd.Index(categories), ordered=ordered,
                                         validate=False)
    position = {v: n for n, v in enumerate(categories)}
    remap = np.array([position.get(v, -1) for v in values], dtype=np.int32)
    return pd.Categorical.from_codes(
        remap[codes] if len(values) else codes, pd.Index(categories), ordered=ordered,
        validate=False,
    )


def _pence(chunk: Any, plain: bool, out: np.ndarray[Any, np.dtype[np.int64]]
           ) -> np.ndarray[Any, Any]:
    """One chunk of an amount column as integer pence into ``out``; returns the positions of
    the cells that are not valid amounts as written (0 in ``out``).

    ``plain`` tries the plain form (no £, no separators) first: the cast to a number fails on
    any other form, and then the plain rule is all the check needs. A failed cast costs about
    5 ms, so a column written ``£1,234.00`` goes straight to the general rule.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(chunk) == 0:
        return np.zeros(0, dtype=np.int64)
    pounds = None
    if plain:
        with contextlib.suppress(pa.ArrowInvalid):  # a £ or a separator: the general rule
            pounds = pc.cast(chunk, pa.float64())
    valid = pc.match_substring_regex(chunk, PLAIN_AMOUNT_RE2 if pounds is not None else AMOUNT_RE2)
    bad = np.zeros(0, dtype=np.int64)
    if not pc.all(valid).as_py():  # those cells are 0 here: see _fill
        bad = np.flatnonzero(~valid.to_numpy(zero_copy_only=False))
        chunk = pc.if_else(valid, chunk, "0")
        if pounds is not None:
            pounds = pc.if_else(valid, pounds, 0.0)
    if pounds is None:
        # Separators out on the bytes (a third faster than on UTF-8 text), then the £.
        bare = pc.replace_substring(chunk.view(pa.binary()), ",", "").view(pa.string())
        pounds = pc.cast(pc.utf8_ltrim(bare, characters="£"), pa.float64())
    hundredths = pounds.to_numpy(zero_copy_only=False) * 100
    out[:] = np.rint(hundredths, out=hundredths)
    return bad


def _is_plain(column: Any) -> bool:
    """Whether an amount column's first cell is written plain (``1234.50``): the form the
    column is most likely written in throughout."""
    import pyarrow as pa

    first = next((chunk for chunk in column.chunks if len(chunk)), None)
    cell = b"" if first is None else first.view(pa.binary())[0].as_py()  # UTF-8 or not
    return "£".encode() not in cell and b"," not in cell


def read_valid_table(path: Path, spec: TableSpec) -> pd.DataFrame | None:
    """The typed frame of a valid file, or ``None`` when it has problems or is irregular."""
    result = read_table(path, spec)
    return result[0] if result is not None and not result[1] else None


def read_table(path: Path, spec: TableSpec, size: int | None = None
               ) -> tuple[pd.DataFrame, list[Problem]] | None:
    """The typed frame of a regular file and its problems (the frame then has no amounts, as
    the exact reader's), or ``None`` when the exact reader must read it. ``size``: the file's,
    when the caller knows it."""
    source: Path | bytearray = path
    size = path.stat().st_size if size is None else size
    with open(path, "rb") as handle:
        start = handle.read(1 << 16)  # a spreadsheet's "CSV" shows itself in its first rows
    mode: _Mode = "multiline" if b'"' in start else "lines"
    decode = not _utf8([start], whole=False)
    while True:  # each way once at most, the file as it is or decoded from Windows-1252
        if decode:  # (out of the except clauses: the table read before is gone by now)
            text = None if isinstance(source, bytearray) else _windows_1252_as_utf8(path)
            if text is None:
                return None
            source, size, decode = text, len(text), False
        try:
            return _read_table(source, spec, size, mode)
        except _Quotes:
            if mode != "lines":
                return None
            mode = "multiline"
        except _Ragged:
            if mode == "ragged":
                return None
            mode = "ragged"  # pyarrow decodes the text of ragged rows: it must be UTF-8
            decode = isinstance(source, Path) and not _is_utf8(path)
        except _NotUtf8:
            decode = True
        except _Irregular:
            return None


def _utf8(pieces: Iterable[bytes], whole: bool) -> bool:
    """Whether the ``pieces`` of a file, one after the other, are UTF-8; unless they are the
    ``whole`` of it, the last character may be cut off."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for piece in pieces:
            decoder.decode(piece)
        decoder.decode(b"", final=whole)
    except UnicodeDecodeError:
        return False
    return True


def _slices(path: Path) -> Iterator[bytes]:
    """A file 16 MiB at a time, read (not memory-mapped: a mapped file that another process
    truncates kills the reader with SIGBUS)."""
    with open(path, "rb") as handle:
        while piece := handle.read(1 << 24):
            yield piece


def _is_utf8(path: Path) -> bool:
    """Whether a file is UTF-8 throughout, checked a slice at a time."""
    return _utf8(_slices(path), whole=True)


def _windows_1252_as_utf8(path: Path) -> bytearray | None:
    """A file that is not UTF-8, decoded from Windows-1252 as the exact reader decodes it, in
    UTF-8; ``None`` when the exact reader refuses it (UTF-16, a NUL, a byte Windows-1252 does
    not have). Decoded a slice at a time (one byte is one character): the file's size again,
    not the five times of the whole text in Python."""
    text = bytearray()
    for n, piece in enumerate(_slices(path)):
        if (n == 0 and piece[:2] in UTF16_BOMS) or piece.find(b"\x00") >= 0:
            return None
        try:
            text += decode_windows_1252(piece).encode("utf-8")
        except UnicodeDecodeError:
            return None
    return text


def _ends(source: Path | bytearray, size: int) -> tuple[bytes, bytes]:
    """The first line of a file (at most 1 MiB of it) and its last 4 KiB."""
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            first = handle.readline(1 << 20)
            handle.seek(max(0, size - 4096))
            return first, handle.read()
    end = source.find(b"\n", 0, 1 << 20)
    return bytes(source[:end + 1 if end >= 0 else 1 << 20]), bytes(source[max(0, size - 4096):])


def _read_table(source: Path | bytearray, spec: TableSpec, size: int, mode: _Mode
                ) -> tuple[pd.DataFrame, list[Problem]] | None:
    """:func:`read_table` of a file, or of the UTF-8 text of one (``size`` bytes), read one of
    the ways of :data:`_Mode`."""
    head, tail = _ends(source, size)
    header = _header(head, spec)
    if header is None:
        return None
    read = _arrow_table(source, spec, header, size, tail, mode)
    if read is None:
        return None
    table, set_aside = read
    rows = table.num_rows
    if table.column_names != header or rows == 0:
        return None
    lines = np.arange(2, rows + 2, dtype=np.int64)
    ragged = _ragged_problems(spec, header, set_aside) if set_aside else []
    if set_aside:  # the lines of the rows kept: every line but those of the rows set aside
        lines = np.delete(np.arange(2, rows + len(set_aside) + 2, dtype=np.int64),
                          [line - 2 for line, _ in set_aside if line is not None])
    out, codes, sizes, flagged = _checked_columns(table, spec, mode)
    out["line"] = lines
    return _frame(table, spec, mode, out, codes, sizes, flagged, ragged)


def _header(head: bytes, spec: TableSpec) -> list[str] | None:
    """The header of a file whose first line is ``head``, if it is the spec's exact header."""
    first = head.decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader([first.rstrip("\r\n")]), [])
    except csv.Error:
        return None
    names = [c.name for c in spec.columns]
    required_names = [c.name for c in spec.columns if not c.optional]
    return header if header in (names, required_names) else None


def _arrow_table(source: Path | bytearray, spec: TableSpec, header: list[str], size: int,
                 tail: bytes, mode: _Mode) -> tuple[Any, list[tuple[int | None, str]]] | None:
    """pyarrow's table of the file read the ``mode`` way, and the rows set aside for their
    width (their lines and text); raises what says to read it another way."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {c.name: pa.string() if c.kind in ("amount", "integer") else dictionary
             for c in spec.columns if c.name in header}
    set_aside: list[tuple[int | None, str]] = []  # ragged rows: their lines and their text

    def ragged_row(row: Any) -> str:
        set_aside.append((row.number, row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            _without_trailing_empty_lines(source, size, tail),
            # On one core, pyarrow knows the line of each ragged row; on several it does not.
            read_options=pacsv.ReadOptions(use_threads=mode != "ragged"),
            parse_options=pacsv.ParseOptions(
                quote_char=False if mode == "lines" else '"',
                newlines_in_values=mode != "lines", ignore_empty_lines=False,
                invalid_row_handler=ragged_row if mode == "ragged" else None,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False,
                # UTF-8 is checked where it is cheap: on the distinct values of the text
                # columns; amounts and integers must match rules that only allow ASCII and £.
                check_utf8=False,
            ),
        )
    except (pa.ArrowException, ValueError, OSError):
        if mode == "lines":  # a quoted comma, or a row of another width: read knowing quotes
            raise _Quotes from None
        if mode == "multiline":
            raise _Ragged from None  # a row of another width? read again, setting it aside
        return None
    return table, set_aside


def _checked_columns(table: Any, spec: TableSpec, mode: _Mode
                     ) -> tuple[dict[str, Any], list[np.ndarray[Any, Any]], list[int],
                                list[np.ndarray[Any, Any]]]:
    """Every column checked by the vectorised rules and typed: the columns, the codes and the
    number of distinct values of the key columns, and the positions of the flagged rows."""
    out: dict[str, Any] = {}
    codes: list[np.ndarray[Any, Any]] = []
    sizes: list[int] = []
    flagged: list[np.ndarray[Any, Any]] = []  # rows with a cell that breaks a rule
    amount = next((c.name for c in spec.columns if c.kind == "amount"), None)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        # The amounts are the bulk of the work: their chunks are checked and parsed on every
        # core (pyarrow's compute functions let go of the GIL) while the text is checked here.
        amounts = np.zeros(table.num_rows, dtype=np.int64)
        tasks, starts = [], []
        if amount is not None:
            plain, start = _is_plain(table[amount]), 0
            for chunk in table[amount].chunks:  # each into its own slice of ``amounts``
                tasks.append(pool.submit(_pence, chunk, plain,
                                         amounts[start:start + len(chunk)]))
                starts.append(start)
                start += len(chunk)
            out["amount_pence"] = amounts
        try:
            _text_columns(table, spec, out, codes, sizes, flagged, mode)
            flagged += [start + task.result() for start, task in zip(starts, tasks)]
        finally:
            for task in tasks:
                task.cancel()
    return out, codes, sizes, flagged


def _frame(table: Any, spec: TableSpec, mode: _Mode, out: dict[str, Any],
           codes: list[np.ndarray[Any, Any]], sizes: list[int],
           flagged: list[np.ndarray[Any, Any]], ragged: list[Problem]
           ) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed frame and the problems, the flagged rows read by the exact reader's rules."""
    order = ["amount_pence" if c.kind == "amount" else c.name for c in spec.columns]
    marked = np.zeros(table.num_rows, dtype=bool)  # (a mask, not np.unique: 4 s at 5M rows)
    for positions in flagged:
        marked[positions] = True
    bad_rows = np.flatnonzero(marked)
    cells = (_cells(table, spec, bad_rows, mode) if len(bad_rows)
             else [[] for _ in spec.columns])
    if mode == "multiline":  # each row starts below the line breaks of the rows before it
        breaks = _line_breaks(table, bad_rows)
        out["line"] += np.cumsum(breaks) - breaks
    blank = np.array([not any(row) for row in zip(*cells)], dtype=bool)
    repeats = _repeated_keys(codes, sizes, leave_out=bad_rows[blank] if blank.any() else None)
    if not len(bad_rows) and repeats is None and not ragged:
        return pd.DataFrame({name: out[name] for name in [*order, "line"]}, copy=False), []
    problems = ragged + _problems(spec, bad_rows, cells, blank, out, repeats)
    if not problems:  # only cells that are valid once stripped, as the exact reader strips them
        _fill(spec, bad_rows, cells, out)
        return pd.DataFrame({name: out[name] for name in [*order, "line"]}, copy=False), []
    kept = [name for name in [*order, "line"] if name != "amount_pence"]
    frame = pd.DataFrame({name: out[name] for name in kept}, copy=False)
    if blank.any():  # as the exact reader, which leaves blank rows out
        frame = frame.drop(index=bad_rows[blank]).reset_index(drop=True)
    return frame, problems


def _ragged_problems(spec: TableSpec, header: list[str],
                     rows: list[tuple[int | None, str]]) -> list[Problem]:
    """The exact reader's problems of the rows pyarrow set aside for their width (their lines
    and text): a blank row, or an extra or a missing cell."""
    problems = []
    for line, text in rows:
        if line is None:
            raise _Irregular  # no line known: the exact reader
        _check_cells([text], "ragged")
        try:
            cells = next(csv.reader([text], strict=True), [])
        except csv.Error:
            raise _Irregular from None  # malformed: the exact reader says where
        problem = row_width_problem(spec.filename, line, header, cells)
        if problem is None:
            raise _Irregular  # pyarrow and the csv module count its cells differently
        problems.append(problem)
    return problems


def _fill(spec: TableSpec, rows: np.ndarray[Any, Any], cells: list[list[str]],
          out: dict[str, Any]) -> None:
    """The amounts and whole numbers of ``rows`` parsed from their stripped ``cells``: rows
    whose cells broke a rule as written (`` 1234``) but are valid once stripped."""
    from .money import parse_pence

    for column, column_cells in zip(spec.columns, cells):
        if column.kind == "amount":
            out["amount_pence"][rows] = [parse_pence(cell) for cell in column_cells]
        elif column.kind == "integer":
            out[column.name][rows] = [int(cell) if cell else None for cell in column_cells]


def _line_breaks(table: Any, flagged: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """How many line breaks (``\\r\\n``, ``\\n`` or ``\\r``, as the exact reader counts lines)
    the quoted cells of each row hold: looked for in the distinct values of each block of a text
    column, and in the ``flagged`` rows of the others (an amount or a whole number with a line
    break in it breaks its rule)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def count(cell: str) -> int:
        return cell.count("\r") + cell.count("\n") - cell.count("\r\n")

    breaks = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        if not pa.types.is_dictionary(column.type):
            for row, cell in zip(flagged.tolist(), column.take(flagged).to_pylist()):
                breaks[row] += count(cell)
            continue
        start = 0
        for chunk in column.chunks:
            holding = pc.match_substring_regex(chunk.dictionary, "[\r\n]")
            if pc.any(holding).as_py():
                codes = np.flatnonzero(holding.to_numpy(zero_copy_only=False))
                rows = np.flatnonzero(np.isin(chunk.indices.to_numpy(zero_copy_only=False), codes))
                values = chunk.dictionary.to_pylist()
                for row, code in zip(rows.tolist(), chunk.indices.take(rows).to_pylist()):
                    breaks[start + row] += count(values[code])
            start += len(chunk)
    return breaks


def _cells(table: Any, spec: TableSpec, rows: np.ndarray[Any, Any], mode: _Mode
           ) -> list[list[str]]:
    """The cells of ``rows``, column by column, stripped as the exact reader strips them, once
    checked as written for what the way the file is read (``mode``) cannot take."""
    import pyarrow as pa

    taken = {}
    # UTF-8 first, before any cell is made a Python string, and first in the columns that are
    # not dictionaries (those had their values checked already)
    for name in sorted(table.column_names, key=lambda n: pa.types.is_dictionary(table[n].type)):
        taken[name] = table[name].take(rows)
        try:
            taken[name].validate(full=True)
        except pa.ArrowInvalid:  # not UTF-8: the exact reader decodes Windows-1252
            raise _NotUtf8 from None
    columns = [
        taken[column.name].to_pylist() if column.name in taken else [""] * len(rows)
        for column in spec.columns
    ]
    # As written, before stripping: a line break at the end of a quoted cell counts a line too
    for cells in columns:
        _check_cells(cells, mode)
    return [[cell.strip() for cell in cells] for cells in columns]


def _without_trailing_empty_lines(source: Path | bytearray, size: int, tail: bytes) -> Any:
    """The file (or text) of ``size`` bytes, ending in ``tail``, up to its last line that is
    not empty (a file then read into memory): the exact reader ignores empty lines at the end, and
    pyarrow would count each as a short row."""
    import pyarrow as pa

    trailing = len(tail) - len(tail.rstrip(b"\r\n"))
    if isinstance(source, bytearray):
        return pa.BufferReader(pa.py_buffer(source)[:size - trailing])
    if tail[len(tail) - trailing:] in (b"", b"\n", b"\r\n", b"\r"):
        return source  # no empty line at the end: read as it is
    with pa.OSFile(str(source)) as handle:  # read, not mapped: see _slices
        return pa.BufferReader(handle.read_buffer(size - trailing))


def _problems(spec: TableSpec, rows: np.ndarray[Any, Any], cells: list[list[str]],
              blank: np.ndarray[Any, Any], out: dict[str, Any],
              repeats: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None
              ) -> list[Problem]:
    """The exact reader's problems of the rows with a cell that breaks a rule (``rows``, their
    ``cells``, which of them are ``blank``), and of the rows that repeat a key (``repeats``:
    those rows, and the row each key was first on)."""
    from .rules import cell_problems, duplicate_key_problem

    lines = out["line"][rows].tolist()
    problems = [Problem(spec.filename, line, None, "blank-row", "blank row")
                for line, empty in zip(lines, blank.tolist()) if empty]
    filled = (~blank).tolist()
    kept_lines = [line for line, keep in zip(lines, filled) if keep]
    for column, column_cells in zip(spec.columns, cells):
        kept = [cell for cell, keep in zip(column_cells, filled) if keep]
        problems += cell_problems(kept, kept_lines, column, spec.filename)
    if repeats is not None:
        again, first = repeats
        keys = [[_text(out[name], row) for row in again.tolist()] for name in spec.key]
        for row, first_row, key in zip(again.tolist(), first.tolist(), zip(*keys)):
            problems.append(duplicate_key_problem(spec, int(out["line"][row]), key,
                                                  int(out["line"][first_row])))
    return problems


def _text(values: Any, row: int) -> str:
    """A cell of a typed column as the exact reader keeps it: text, blank as ""."""
    value = values[row]
    return "" if pd.isna(value) else str(value)


def _text_columns(table: Any, spec: TableSpec, out: dict[str, Any],
                  codes: list[np.ndarray[Any, Any]], sizes: list[int],
                  flagged: list[np.ndarray[Any, Any]], mode: _Mode) -> None:
    """Check and type every column but the amounts into ``out``; the codes of the key's
    columns go to ``codes`` and ``sizes``, the rows with a cell that breaks a rule to
    ``flagged``."""
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
            if not pc.all(valid).as_py():  # those rows' cells are left blank here: see _fill
                flagged.append(np.flatnonzero(~valid.to_numpy(zero_copy_only=False)))
                data = pc.if_else(valid, data, "")
            out[column.name] = pd.array([int(v) if v else None for v in data.to_pylist()],
                                        dtype="Int64")
        else:
            values = _stripped_values(data, mode)
            bad = _bad_values(values, column)
            if bad:
                indices = data.indices.to_numpy(zero_copy_only=False)
                flagged.append(np.flatnonzero(np.isin(indices, bad)))
            out[column.name] = _categorical(data, values, ordered=column.kind == "year")
        if column.name in spec.key:  # codes of the typed column: the Arrow one can go at once
            key_codes, key_values = codes_of(pd.Series(out[column.name], copy=False))
            codes.append(key_codes)
            sizes.append(len(key_values))
        del data


def _first_rows(keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """For each row, the first row with the same key (``keys``: one integer per row)."""
    number, _ = pd.factorize(keys)  # keys numbered in the order they first appear
    if not len(number):
        return np.zeros(0, dtype=np.int64)
    new = np.r_[True, number[1:] > np.maximum.accumulate(number)[:-1]]
    return np.flatnonzero(new)[number]


def _repeated_keys(codes: list[np.ndarray[Any, Any]], sizes: list[int],
                   leave_out: np.ndarray[Any, Any] | None = None
                   ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """The rows that repeat the key of an earlier row, and that earlier row (the first with the
    key), given the codes of the key's columns (``-1`` for a blank cell) and how many distinct
    values each has; ``None`` when every key is different. Rows in ``leave_out`` (blank rows)
    repeat nothing."""
    if not codes:
        return None
    radix = [size + 1 for size in sizes]  # codes -1 .. size-1, shifted to 0 .. size
    space = float(np.prod(radix, dtype=np.float64))
    if space >= 2.0**62:
        combined, _ = pd.factorize(pd.MultiIndex.from_arrays(codes))
        combined = combined.astype(np.int64)
    else:  # one number per key, in 32 bits when they fit (half the memory to go through)
        combined = codes[0].astype(np.int32 if space < 2.0**31 else np.int64)
        combined += 1
        for part, base in zip(codes[1:], radix[1:]):
            combined *= base
            combined += part
            combined += 1
        if leave_out is None and bool(np.all(combined[1:] > combined[:-1])):
            return None  # rows in key order (ledgers often are): one pass, no hashing
    if leave_out is not None and len(leave_out):
        combined = combined.astype(np.int64)
        combined[leave_out] = -1 - np.arange(len(leave_out))  # keys no other row has
    firsts = _first_rows(combined)
    again = np.flatnonzero(firsts != np.arange(len(firsts)))
    return (again, firsts[again]) if len(again) else None
