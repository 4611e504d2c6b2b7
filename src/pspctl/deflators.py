"""GDP deflators, to state cash figures at one financial year's prices (``--real-terms``).

The series is HM Treasury's "GDP deflators at market prices, and money GDP", which GOV.UK
publishes as CSV and revises every quarter, read exactly as downloaded: title and note lines,
a header row with a ``Financial year`` column and an index column whose heading names its own
base (``2016-17 = 100``), the percentage-change and money-GDP columns and the calendar years
beside, footnotes under. A plain two-column CSV (``year,index``) is read too. No deflators
ship with pspctl: the series is revised each quarter, and a figure in real terms is only as
good as the edition of the series it was deflated with, which every real-terms table names.

Imports nothing heavy; every problem of the file is an :class:`~pspctl.errors.InputError` of
one line (exit 2) naming the file and the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from decimal import Context, Decimal
from pathlib import Path

from ._paths import opened_inputs
from .errors import InputError
from .schema import is_financial_year

#: Where the series is published, for the line that asks for it.
PUBLISHED = ("https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-"
             "money-gdp")
#: The environment variable that names a deflator file when --deflators is not given.
ENVIRONMENT = "PSPCTL_DEFLATORS"
#: A deflator file larger than this is not the series (it is a few kilobytes).
MAX_BYTES = 4 * 1024 * 1024
#: The context real-terms figures are computed in: far more digits than any figure has, so the
#: only rounding is the one to the penny at the end.
EXACT = Context(prec=50)

_BASE = re.compile(r"^\s*([0-9]{4}-[0-9]{2})\s*=\s*100\s*$")
_UPDATED = re.compile(r"\bupdated:?\s+([0-9]{1,2}\s+[A-Za-z]+\s+[0-9]{4})", re.IGNORECASE)
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")


@dataclass(frozen=True)
class Deflators:
    """A deflator series: each financial year's index, the base it states (``2016-17 = 100``,
    or ``None``), the update it states (``29 September 2017``, or ``None``), what it is
    (``GDP deflator (HM Treasury)``), and the file it was read from, with its SHA-256."""

    index: dict[str, Decimal]
    base: str | None
    updated: str | None
    series: str
    file: str
    sha256: str
    lines: dict[str, int] = field(default_factory=dict)  # the line of each year's index

    def factor(self, year: str, prices: str) -> Decimal:
        """What a figure of ``year`` is multiplied by to be at ``prices``' prices: index of
        ``prices`` over index of ``year``, unrounded."""
        return EXACT.divide(self.of(prices), self.of(year))

    def of(self, year: str) -> Decimal:
        """The index of ``year``; a year the series does not have is an :class:`InputError`."""
        if year not in self.index:
            years = sorted(self.index)
            raise InputError(f"{self.file}: the deflator series has no index for {year} (it "
                             f"covers {years[0]} to {years[-1]})")
        return self.index[year]

    def described(self) -> str:
        """``GDP deflator (HM Treasury, updated 29 September 2017), base 2016-17 = 100``."""
        said = [self.series.removesuffix(")")] if self.series.endswith(")") else [self.series]
        if self.updated:
            said.append(f"updated {self.updated}")
        text = ", ".join(said) + (")" if self.series.endswith(")") else "")
        return text + (f", base {self.base}" if self.base else ", no base stated")


def named(option: Path | None) -> Path | None:
    """The deflator file to read: ``option`` (``--deflators``), else ``PSPCTL_DEFLATORS``,
    else none."""
    if option is not None:
        return option
    chosen = os.environ.get(ENVIRONMENT)
    return Path(chosen) if chosen else None


def missing(prices: str) -> InputError:
    """The one line that says where the series is and how to pass it."""
    return InputError(
        f"--real-terms {prices} needs HM Treasury's GDP deflators: download the CSV from "
        f"{PUBLISHED} and pass it with --deflators FILE (or set {ENVIRONMENT}=FILE); pspctl "
        "ships none, as the series is revised every quarter")


def load_deflators(path: str | Path) -> Deflators:
    """The deflator series in ``path``: HM Treasury's CSV as downloaded from GOV.UK, or a plain
    ``year,index`` CSV. A file that is not the series, a year twice, an index that is not a
    positive number: an :class:`InputError` naming the file and the line."""
    path = Path(path)
    raw = _read(path)
    text = _decoded(raw, path)
    rows = list(csv.reader(io.StringIO(text)))
    found = _hm_treasury(rows, path) if not _plain_header(rows) else _plain(rows, path)
    index, lines, base, updated, series = found
    if not index:
        raise InputError(f"{path}: no financial year with an index under the header")
    return Deflators(index, base, updated, series, str(path),
                     hashlib.sha256(raw).hexdigest(), lines)


def _read(path: Path) -> bytes:
    try:
        if not path.is_file():
            what = "not found" if not path.exists() else "not a file"
            raise InputError(f"{path}: deflator file {what}")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"{path}: over {MAX_BYTES // 1024 // 1024} MB, not a deflator series "
                         "(HM Treasury's is a few kilobytes)")
    opened_inputs.add(path)  # an input: never written over, and named in an audit trail
    return raw


def _decoded(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252 (a spreadsheet's CSV)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as err:
            raise InputError(f"{path}: neither UTF-8 nor Windows-1252 (byte {err.start + 1})"
                             ) from None


def _plain_header(rows: list[list[str]]) -> bool:
    first = next((row for row in rows if any(cell.strip() for cell in row)), [])
    return [cell.strip().lower() for cell in first] == ["year", "index"]


Found = tuple[dict[str, Decimal], dict[str, int], str | None, str | None, str]


def _hm_treasury(rows: list[list[str]], path: Path) -> Found:
    """HM Treasury's layout: the header row is the one with ``Financial year`` and an index
    heading ``YYYY-YY = 100``; the years are read under it, in that column, until the notes."""
    for number, row in enumerate(rows):
        cells = [cell.strip() for cell in row]
        if "financial year" not in (c.lower() for c in cells):
            continue
        year_column = [c.lower() for c in cells].index("financial year")
        heading = next((n for n in range(year_column + 1, len(cells)) if _BASE.match(cells[n])),
                       None)
        if heading is None:
            continue
        above = " ".join(" ".join(r) for r in rows[: number + 1]).lower()
        if "gdp deflator" not in above:
            break
        base = f"{_BASE.match(cells[heading])[1]} = 100"  # type: ignore[index]
        notes = [" ".join(r) for r in rows[:number]] + [" ".join(r) for r in rows[number + 1:]]
        updated = next((m[1] for m in map(_UPDATED.search, notes) if m), None)
        index, lines = _years(rows[number + 1:], number + 2, year_column, heading, path)
        return index, lines, base, updated, "GDP deflator (HM Treasury)"
    raise InputError(
        f"{path}: not HM Treasury's GDP deflator series (no header row with a 'Financial "
        "year' column and an index headed like '2016-17 = 100' under a 'GDP deflator' title) "
        "nor a plain CSV with the columns year,index")


def _plain(rows: list[list[str]], path: Path) -> Found:
    start = next(n for n, row in enumerate(rows) if any(cell.strip() for cell in row))
    index, lines = _years(rows[start + 1:], start + 2, 0, 1, path)
    hundred = [year for year, value in index.items() if value == 100]
    base = f"{hundred[0]} = 100" if len(hundred) == 1 else None
    return index, lines, base, None, f"deflators from {path.name}"


def _years(rows: list[list[str]], first_line: int, year_column: int, index_column: int,
           path: Path) -> tuple[dict[str, Decimal], dict[str, int]]:
    """The index of each financial year in the rows under the header (the first on
    ``first_line``); a row whose year cell does not start with a digit is a note, skipped."""
    index: dict[str, Decimal] = {}
    lines: dict[str, int] = {}
    for line, row in enumerate(rows, start=first_line):
        year = row[year_column].strip() if len(row) > year_column else ""
        if not year[:1].isdigit():
            continue
        where = f"{path} line {line}"
        if not is_financial_year(year):
            raise InputError(f"{where}: {year!r} in the year column is not a financial year "
                             "(such as 2016-17)")
        if year in index:
            raise InputError(f"{where}: a second row for {year} (the first is line "
                             f"{lines[year]})")
        value = row[index_column].strip() if len(row) > index_column else ""
        index[year] = _index(value, year, where)
        lines[year] = line
    return index, lines


def _index(value: str, year: str, where: str) -> Decimal:
    if not value:
        raise InputError(f"{where}: no index for {year}")
    if not _NUMBER.match(value.replace(",", "")):
        raise InputError(f"{where}: the index for {year} is {value!r}, not a positive number")
    number = Decimal(value.replace(",", ""))  # (the pattern lets only numbers through)
    if number <= 0:
        raise InputError(f"{where}: the index for {year} is {value}, not positive")
    return number
