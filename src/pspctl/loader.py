"""Read the CSV files of a data directory into typed DataFrames, validating every cell.

The one way data gets into pspctl. :func:`load` returns a :class:`Dataset` or raises
:class:`~pspctl.errors.DataError` carrying every :class:`~pspctl.errors.Problem` found (file, line,
column, kind); :func:`validate` returns the problems instead. A file that is missing or cannot be
read at all raises :class:`~pspctl.errors.InputError`.

Money is exact: amounts are parsed to integer pence (``int64``), never floats. Accepted forms are
``1234``, ``1234.5``, ``1,234.00`` and ``£1,234``; anything else is a ``bad-amount`` problem.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._paths import WORKBOOK_SUFFIXES, bundled_data_dir, opened_inputs
from ._progress import stage
from ._rows import checked_header, empty_frame, table_from_rows
from .errors import DataError, InputError, Problem
from .rules import (
    FALLBACK_ENCODING,
    UTF16_BOMS,
    cell_problems,
    codes_of,
    decode_windows_1252,
    duplicate_key_problem,
)
from .schema import (
    FIRST_YEAR,
    FUNDING,
    LAST_YEAR,
    MAX_AMOUNT_DIGITS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_PROBLEMS_PER_FILE,
    OUTCOMES,
    PSP,
    TABLES,
    TOTALS,
    YEAR_HELP,
    Column,
    TableSpec,
    expected_columns,
    is_financial_year,
)

#: The loader's API: reading, and the schema and rules it reads by (re-exported).
__all__ = [
    "FALLBACK_ENCODING",
    "FIRST_YEAR",
    "FUNDING",
    "LAST_YEAR",
    "MAX_AMOUNT_DIGITS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS_PER_FILE",
    "OUTCOMES",
    "PSP",
    "TABLES",
    "TOTALS",
    "UTF16_BOMS",
    "YEAR_HELP",
    "Column",
    "Dataset",
    "TableSpec",
    "bundled_data_dir",
    "cell_problems",
    "codes_of",
    "duplicate_key_problem",
    "expected_columns",
    "is_financial_year",
    "load",
    "validate",
]


# --- the result --------------------------------------------------------------------------------


@dataclass
class Dataset:
    """The loaded data: one typed DataFrame per file.

    Every frame keeps a ``line`` column: the line of the CSV file the row was read from, so that
    any figure can be traced back to its cell. Money columns are ``amount_pence`` (``int64``).
    """

    psp: pd.DataFrame
    funding: pd.DataFrame
    totals: pd.DataFrame
    outcomes: pd.DataFrame
    data_dir: Path = field(default_factory=Path)


def load(data_dir: str | Path | None = None) -> Dataset:
    """Load and validate the CSV files of the folder ``data_dir``, or the sheets of the workbook
    ``data_dir`` (the bundled data when ``None``)."""
    dataset, problems = _read(data_dir)
    if problems:
        raise DataError(problems)
    assert dataset is not None
    return dataset


def validate(data_dir: str | Path | None = None) -> list[Problem]:
    """Every problem in the data of ``data_dir`` (a folder or a workbook, as for :func:`load`);
    an empty list when they are valid."""
    return _read(data_dir)[1]


# --- reading -----------------------------------------------------------------------------------


def _read(data_dir: str | Path | None) -> tuple[Dataset | None, list[Problem]]:
    source = Path(data_dir) if data_dir is not None else bundled_data_dir()
    place: Callable[[Problem], Problem] | None = None
    if source.suffix.lower() in WORKBOOK_SUFFIXES and not source.is_dir():
        tables, place = _read_workbook(source)
    elif source.is_dir():
        tables = {}
        for spec in TABLES:
            stage(f"reading {spec.filename}")
            tables[spec.name] = _read_table(source / spec.filename, spec)
    elif source.exists():
        raise InputError(f"{source}: not a data folder, nor a workbook (.xlsx, .xlsm or .ods)")
    else:
        raise InputError(f"{source}: data directory not found")
    stage("checking the data")
    frames = {name: frame for name, (frame, _) in tables.items()}
    problems = [p for _, found in tables.values() for p in found]
    psp_unread = frames["psp"].empty and any(p.file == PSP.filename for p in problems)
    known = set(frames["psp"]["psp_id"].dropna())
    for spec in TABLES:
        if spec.refers_to_psp and not psp_unread:
            problems.extend(_unknown_psp(frames[spec.name], spec, known))
    problems.extend(_scope_rules(frames))
    problems.extend(_too_large_to_total(frames))
    order = {spec.filename: n for n, spec in enumerate(TABLES)}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
    problems = _one_per_cell(problems)
    problems = [
        capped
        for spec in TABLES
        for capped in _capped([p for p in problems if p.file == spec.filename], spec.filename)
    ]
    if problems:
        return None, [place(p) for p in problems] if place is not None else problems
    return (
        Dataset(
            psp=frames["psp"],
            funding=frames["funding"],
            totals=frames["totals"],
            outcomes=frames["outcomes"],
            data_dir=source,
        ),
        [],
    )


def _one_per_cell(problems: list[Problem]) -> list[Problem]:
    """The first problem of each cell: a cell a source reported already (a workbook's error
    cell, read as blank) is not also blank for the rules between the cells of a row."""
    seen: set[tuple[str, int, str]] = set()
    kept = []
    for problem in problems:
        if problem.line is not None and problem.column is not None:
            cell = (problem.file, problem.line, problem.column)
            if cell in seen:
                continue
            seen.add(cell)
        kept.append(problem)
    return kept


def _read_workbook(path: Path) -> tuple[dict[str, tuple[pd.DataFrame, list[Problem]]],
                                        Callable[[Problem], Problem]]:
    """A workbook's tables, read the one exact way (:mod:`pspctl._workbook`)."""
    from ._workbook import read_tables

    stage(f"reading {path.name}")
    limit = _max_bytes()
    with _Input(path) as source:
        raw = source.read(limit) if source.size <= limit else b""
        if source.size > limit or len(raw) > limit:
            raise InputError(str(_too_large(path.name, max(source.size, len(raw)), limit)[0]))
        source.unchanged(len(raw))
    return read_tables(raw, path.name, limit)


class _Input:
    """A data file opened once, checked to be a regular file (a FIFO would block, a device be
    read for ever), and watched: if it changes while it is read, that is an
    :class:`InputError` naming it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            self.fd = os.open(path, flags)
        except FileNotFoundError:
            raise InputError(f"{path}: file not found") from None
        except OSError as err:
            raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
        self.stat = os.fstat(self.fd)
        mode = self.stat.st_mode
        if not stat.S_ISREG(mode):
            os.close(self.fd)
            what = ("is a directory, not a CSV file" if stat.S_ISDIR(mode)
                    else "is not a regular file (a pipe, a socket or a device): pspctl reads "
                    "files only")
            raise InputError(f"{path}: {what}")
        os.set_blocking(self.fd, True)
        opened_inputs.add(path)

    @property
    def size(self) -> int:
        return self.stat.st_size

    def __enter__(self) -> _Input:
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self.fd)

    def read(self, limit: int) -> bytes:
        """The file's bytes, at most ``limit + 1`` of them (one more than the limit says that
        the file is over it)."""
        pieces, count = [], 0
        try:
            while count <= limit:
                piece = os.read(self.fd, min(1 << 24, limit + 1 - count))
                if not piece:
                    break
                pieces.append(piece)
                count += len(piece)
        except OSError as err:
            raise InputError(f"{self.path}: cannot read: {err.strerror or err}") from None
        return b"".join(pieces)

    def unchanged(self, read: int | None = None) -> None:
        """An :class:`InputError` if the file changed since it was opened (its size, its time,
        or the file its name stands for), or if ``read`` bytes are not its size."""
        try:
            now, named = os.fstat(self.fd), os.stat(self.path)
        except OSError:
            named = None
        changed = (named is None or (named.st_dev, named.st_ino) != (self.stat.st_dev,
                                                                      self.stat.st_ino)
                   or (now.st_size, now.st_mtime_ns) != (self.stat.st_size, self.stat.st_mtime_ns)
                   or (read is not None and read != self.stat.st_size))
        if changed:
            raise InputError(f"{self.path}: the file changed while it was read; read it again "
                             "once nothing is writing to it")


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    """A file's text, decoded from UTF-8 (with or without BOM) or else Windows-1252."""
    if raw[:2] in UTF16_BOMS:
        return None, [
            Problem(name, None, None, "encoding-error", "file is UTF-16; save it as CSV UTF-8")
        ]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        return None, [Problem(name, line, None, "encoding-error", "NUL byte: not a text CSV")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        try:
            return decode_windows_1252(raw), []
        except UnicodeDecodeError as err:
            return None, [_undecodable(raw, err.start, name)]


def _undecodable(raw: bytes, offset: int, name: str) -> Problem:
    """The problem of the first byte that neither UTF-8 nor Windows-1252 can decode (the one
    that stops the Windows-1252 reading: bytes before it may be UTF-8 or Windows-1252 alike),
    with its line, its column and its place in the line."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    header_end = raw.find(b"\n")
    header = _cells(raw[:header_end if header_end >= 0 else len(raw)].lstrip(b"\xef\xbb\xbf"))
    cells = _cells(raw[line_start:offset] + b"x")
    column = header[len(cells) - 1].strip() if line > 1 and 0 < len(cells) <= len(header) else None
    return Problem(name, line, column, "encoding-error",
                   f"byte 0x{raw[offset]:02X} (byte {offset - line_start + 1} of the line) is "
                   "neither UTF-8 nor Windows-1252; save the file as CSV UTF-8")


def _cells(line: bytes) -> list[str]:
    """The cells of one line of CSV, for a message (``[]`` when they cannot be told)."""
    try:
        return next(csv.reader([line.decode(FALLBACK_ENCODING, errors="replace").rstrip("\r\n")]),
                    [])
    except csv.Error:
        return []


#: Files at least this large are first read the fast way (pyarrow, vectorised checks); any
#: irregularity sends them back to the exact reader, which reports every problem with its line.
FAST_THRESHOLD_BYTES = 1 << 20


def _fast_threshold() -> int:
    return _bytes_setting("PSPCTL_FAST_READ_BYTES", FAST_THRESHOLD_BYTES)


def _max_bytes() -> int:
    return _bytes_setting("PSPCTL_MAX_BYTES", MAX_FILE_BYTES)


def _bytes_setting(name: str, default: int) -> int:
    """The environment's ``name``, a whole number of bytes (0 or more); ``default`` when it is
    not set; anything else is an error that names it, never a silent default."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise InputError(f"{name}={text!r} is not a whole number of bytes (0 or more)")
    return int(text)


def _size(count: int) -> str:
    """``512 MiB``, ``1.0 GiB``, ``300 bytes``: a file size for people."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{count} bytes"


def _capped(problems: list[Problem], name: str) -> list[Problem]:
    """At most :data:`MAX_PROBLEMS_PER_FILE` problems, and one more that counts the rest."""
    if len(problems) <= MAX_PROBLEMS_PER_FILE:
        return problems
    rest = len(problems) - MAX_PROBLEMS_PER_FILE
    return [
        *problems[:MAX_PROBLEMS_PER_FILE],
        Problem(name, None, None, "more-problems", f"and {rest:,} more problems in this file"),
    ]




def _too_large(name: str, size: int, limit: int) -> list[Problem]:
    return [Problem(name, None, None, "too-large",
                    f"file is {_size(size)}, over the limit of {_size(limit)} "
                    "(set PSPCTL_MAX_BYTES to raise it)")]


def _read_table(path: Path, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
    name = spec.filename
    limit = _max_bytes()
    with _Input(path) as source:
        if source.size > limit:
            return empty_frame(spec), _too_large(name, source.size, limit)
        if source.size >= _fast_threshold():
            from ._fastread import read_table

            fast = read_table(path, spec, source.size)
            source.unchanged()
            if fast is not None:
                return fast
        raw = source.read(limit)
        if len(raw) > limit:
            return empty_frame(spec), _too_large(name, len(raw), limit)
        source.unchanged(len(raw))
    text, problems = _decode(raw, name)
    del raw  # the text is all that is needed now
    return _parse_text(text, problems, spec)


def _parse_text(text: str | None, problems: list[Problem], spec: TableSpec
                ) -> tuple[pd.DataFrame, list[Problem]]:
    """A file's text read the exact way: the header checked, then every cell."""
    if text is None:
        return empty_frame(spec), problems
    header = _header(text, spec, problems)
    if header is None or problems:
        return empty_frame(spec), problems
    records = _records(text, spec.filename, problems)
    if records is None:
        return empty_frame(spec), problems
    return table_from_rows(header, records[1:], spec, problems), problems


def _header(text: str, spec: TableSpec, problems: list[Problem]) -> list[str] | None:
    """The header, read and checked first: a file with the wrong columns is answered without
    reading its rows. ``None`` (and the problems added) when there is none to read."""
    name = spec.filename
    records = _records(text, name, problems, limit=1)
    if records is None:
        return None
    if not records or not text.strip("\r\n"):  # nothing but line ends
        problems.append(Problem(name, None, None, "empty-file", "file is empty"))
        return None
    return checked_header(records[0][1], spec, problems)


def _records(text: str, name: str, problems: list[Problem], limit: int | None = None
             ) -> list[tuple[int, list[str]]] | None:
    """The CSV records (the first ``limit`` of them) with the line each starts on; trailing
    empty lines are ignored."""
    # The first records from lines cut as they are needed; all of them from StringIO, which is
    # faster by a tenth, its copy of the text not being what makes the peak of a full read.
    lines = _lines(text) if limit is not None else io.StringIO(text, newline="")
    reader = csv.reader(lines, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in itertools.islice(reader, limit):
            records.append((start, row))
            start = reader.line_num + 1
    except csv.Error as err:
        problems.append(Problem(name, reader.line_num, None, "bad-csv", f"malformed CSV: {err}"))
        return None
    while limit is None and records and not records[-1][1]:
        records.pop()
    return records


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, split at ``\\r\\n``, ``\\n`` and a lone ``\\r``
    (as ``io.StringIO(text, newline="")`` splits them, without its copy of four bytes a
    character)."""
    start, size, find = 0, len(text), text.find
    while start < size:
        end = find("\n", start)
        end = size if end < 0 else end + 1
        line = text[start:end]
        if "\r" in (line[:-2] if line.endswith("\r\n") else line):
            yield from _LINE.findall(line)  # a lone carriage return ends a line too
        else:
            yield line
        start = end






def _unknown_psp(frame: pd.DataFrame, spec: TableSpec, known: set[str]) -> list[Problem]:
    ids = frame["psp_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype) and known.issuperset(
            ids.cat.categories.tolist()):
        return []  # a large file read the fast way: its distinct ids are enough
    # As objects: on Arrow-backed text, isin makes a pyarrow scalar of every known id.
    unknown = ids.notna() & ~ids.astype(object).isin(known)
    if not unknown.any():
        return []
    candidates = sorted(known)
    messages: dict[str, str] = {}  # one message per unknown id: difflib is slow
    problems = []
    for line, psp_id in zip(frame.loc[unknown, "line"].tolist(), ids[unknown].tolist()):
        if psp_id not in messages:
            message = f"unknown psp_id {psp_id!r}: not in psp.csv"
            close = difflib.get_close_matches(str(psp_id), candidates, n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
            messages[psp_id] = message
        problems.append(
            Problem(spec.filename, int(line), "psp_id", "unknown-psp", messages[psp_id]))
    return problems


def _scope_rules(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Rules between the cells of a row: what scope a figure can have.

    A government figure is a cell of Table 3, so it has a year (a figure without one would be
    counted by some views and not others). A ``year_total`` is for one year; a ``grand_total``
    and a ``headline`` cover all years, so they have none.
    """
    funding, totals = frames["funding"], frames["totals"]
    rules = [
        (FUNDING, funding, funding["stream"].eq("government") & funding["year"].isna(),
         "blank-cell", "a government figure is a cell of Table 3 and needs its year"),
        (TOTALS, totals, totals["kind"].eq("year_total") & totals["year"].isna(),
         "blank-cell", "a year_total needs its year"),
        (TOTALS, totals, totals["kind"].isin(["grand_total", "headline"]) & totals["year"].notna(),
         "bad-scope", "a grand_total or headline covers all years: leave year blank (a figure "
         "for one year is a year_total)"),
    ]
    return [
        Problem(spec.filename, int(line), "year", kind, message)
        for spec, frame, where, kind, message in rules
        for line in frame.loc[where.fillna(False).astype(bool), "line"].tolist()
    ]


def _too_large_to_total(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Sums are exact in int64 pence only while they cannot overflow: refuse data that could."""
    problems = []
    for name in ("funding", "totals"):
        amounts = frames[name].get("amount_pence")
        if amounts is None or amounts.empty or amounts.dtype != "int64":
            continue
        if int(amounts.max()) * len(amounts) >= 2**63:
            problems.append(
                Problem(f"{name}.csv", None, "amount_gbp", "bad-amount",
                        "amounts too large to total exactly in 64-bit pence")
            )
    return problems
