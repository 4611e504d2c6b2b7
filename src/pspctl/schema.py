"""What the data files must look like: their columns, keys and limits, and the rule for years.

The one home of the schema: the exact reader, the fast reader, ``data/datapackage.json`` (through
``tools/datapackage.py``) and the Python API all take it from here. Imports nothing heavy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError


@dataclass(frozen=True)
class Column:
    """One column of a data file: its name, how its cells are parsed, and whether it may be blank.

    ``kind`` is ``text``, ``amount`` (money, parsed to integer pence in a ``*_pence`` column),
    ``year`` (a financial year ``YYYY-YY``) or ``integer``. ``values`` lists the allowed values of
    an enumeration. A blank cell means "not stated" and becomes a missing value, never zero.
    """

    name: str
    kind: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()
    optional: bool = False  # the column itself may be left out of the file


@dataclass(frozen=True)
class TableSpec:
    """One data file: its columns, the columns that identify a row, and whether it names PSPs."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    refers_to_psp: bool = True

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


PSP = TableSpec(
    "psp",
    (
        Column("psp_id", required=True),
        Column("name", required=True),
        Column("table_label"),
        Column("established", "integer"),
        Column("sector"),
        Column("focus"),
        Column("lead"),
        Column("lead_sector", values=("public", "third")),
        Column("table_note"),
        Column("source", required=True),
        Column("recipient_org_id", optional=True),
    ),
    key=("psp_id",),
    refers_to_psp=False,
)
FUNDING = TableSpec(
    "funding",
    (
        Column("psp_id", required=True),
        Column("year", "year"),
        Column("stream", required=True, values=("government", "additional")),
        Column("funder", required=True),
        Column("funder_sector"),
        Column("amount_gbp", "amount", required=True),
        Column("source", required=True),
    ),
    key=("psp_id", "year", "stream", "funder"),
)
TOTALS = TableSpec(
    "totals",
    (
        Column("total_id", required=True),
        Column("kind", required=True, values=("year_total", "grand_total", "headline")),
        Column("psp_id"),
        Column("year", "year"),
        Column("stream", required=True, values=("government", "additional")),
        Column("amount_gbp", "amount", required=True),
        Column("label"),
        Column("source", required=True),
    ),
    key=("total_id",),
)
OUTCOMES = TableSpec(
    "outcomes",
    (
        Column("psp_id", required=True),
        Column("outcome", required=True),
        Column("value", "integer"),
        Column("qualifier"),
        Column("source", required=True),
    ),
    key=("psp_id", "outcome"),
)
TABLES: tuple[TableSpec, ...] = (PSP, FUNDING, TOTALS, OUTCOMES)

#: Amounts above this many digits of whole pounds are refused: sums must stay exact in int64.
MAX_AMOUNT_DIGITS = 12
#: Files larger than this are refused before they are read (``PSPCTL_MAX_BYTES`` changes it).
MAX_FILE_BYTES = 512 * 1024 * 1024
#: A header with more columns than this is refused.
MAX_COLUMNS = 1000
#: Problems reported per file at most; the rest are counted in one more problem.
MAX_PROBLEMS_PER_FILE = 1000

_YEAR = re.compile(r"^(?P<first>[0-9]{4})-(?P<second>[0-9]{2})\Z")
#: A whole number in a cell (also the fast reader's rule, in RE2).
INTEGER_PATTERN = r"^[0-9]{1,9}$"
INTEGER = re.compile(INTEGER_PATTERN)


#: The financial years the data may hold: their dates (1 April to 31 March) are valid ISO 8601
#: dates with four-digit years, as the 360Giving export writes them.
FIRST_YEAR, LAST_YEAR = "1900-01", "2099-00"
YEAR_HELP = (f"write a financial year as YYYY-YY with consecutive years, from {FIRST_YEAR} to "
             f"{LAST_YEAR}, e.g. 2013-14")


def is_financial_year(text: str) -> bool:
    """``YYYY-YY`` with consecutive years (``2013-14``) from :data:`FIRST_YEAR` to
    :data:`LAST_YEAR`: the one rule for years everywhere."""
    match = _YEAR.match(text)
    return (match is not None and (int(match["first"]) + 1) % 100 == int(match["second"])
            and FIRST_YEAR <= text <= LAST_YEAR)


def check_year(year: str, option: str = "year") -> str:
    """A financial year (:func:`is_financial_year`), stripped, or a :class:`UsageError` that
    names ``option`` (a function's parameter, or a command-line option)."""
    if not is_financial_year(year.strip()):
        raise UsageError(f"{option} {year!r} is not a financial year: {YEAR_HELP}")
    return year.strip()


def expected_columns(spec: TableSpec) -> str:
    """The columns of a file, for messages: ``psp_id, name, ..., recipient_org_id (optional)``."""
    return ", ".join(c.name + (" (optional)" if c.optional else "") for c in spec.columns)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 is A, 26 is AA (a workbook's cells are
    named by it, as written and as read)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
