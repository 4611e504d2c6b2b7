"""Cells: one value as people or scripts see it, by the kind of its column (never by its name).

Shared by every writer; imports nothing heavy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from ..errors import printable
from ..money import plain_money, pretty_money

if TYPE_CHECKING:
    import pandas as pd

    from ..views import Column, Table, View

NOT_STATED = "not stated"


#: Prefixes that make a spreadsheet treat a text cell as a formula (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_NA: list[Any] = []


def missing(value: Any) -> bool:
    """None, NaN, pandas' NA or NaT: a value that is not there (hot: called per cell)."""
    if value is None:
        return True
    if isinstance(value, (str, Decimal, int)):
        return False
    if isinstance(value, float):
        return math.isnan(value)
    if not _NA:
        import pandas as pd

        _NA.extend([pd.NA, pd.NaT])
    return value is _NA[0] or value is _NA[1]


def rounded(value: float | Decimal, places: int) -> Decimal:
    """``value`` to ``places`` decimals as a spreadsheet rounds what it shows: from the number
    as it keeps it (15 significant digits), half away from zero. 0.825 is 0.83 in every
    format, as the workbook's number format shows it (Python's own formatting gives 0.82)."""
    import decimal

    with decimal.localcontext() as context:
        context.prec = 40
        return _kept(value).quantize(Decimal(1).scaleb(-places),
                                     rounding=decimal.ROUND_HALF_UP)


def _kept(value: float | Decimal) -> Decimal:
    """A figure as a spreadsheet keeps it: a float to 15 significant digits."""
    return Decimal(f"{value:.15g}") if isinstance(value, float) else Decimal(value)


def percent(value: float | Decimal, places: int = 1) -> str:
    """A share (0..1) as a percentage, rounded as a spreadsheet rounds it: ``82.5%``."""
    return f"{rounded(_kept(value) * 100, places)}%"


def plain_number(value: float) -> str:
    """A ratio or share for scripts: up to six decimals (rounded as a spreadsheet rounds), no
    trailing zeros."""
    if not math.isfinite(value):
        return str(value)
    text = f"{rounded(value, 6):f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def machine_cell(kind: str, value: Any) -> str:
    """One cell as csv/tsv text: plain numbers, empty when missing."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return plain_money(value)
    if missing(value):
        return ""
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def human_cell(kind: str, value: Any) -> str:
    """One cell for people (table, markdown, HTML): money with £ and separators, shares as
    percentages, a missing figure "not stated"."""
    if missing(value):
        return NOT_STATED if kind in ("money", "ratio", "share") else ""
    if isinstance(value, Decimal):
        return pretty_money(value)
    if isinstance(value, float):
        if kind == "share":
            return percent(value)
        if kind == "index":  # an index number (a deflator): up to six decimals
            return plain_number(value)
        return f"{rounded(value, 2):,}" if math.isfinite(value) else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def human_column(kind: str, values: list[Any]) -> list[str]:
    """One column's cells for a table (:func:`human_cell`), control characters shown escaped
    (never sent to a terminal), a column of money and text (Table 3's "-") in one pass without
    a call per cell."""
    if set(map(type, values)) <= {Decimal, str}:
        return [printable(v) if isinstance(v, str) else pretty_money(v) for v in values]
    return [printable(human_cell(kind, v)) for v in values]


def neutralise(text: str) -> str:
    """Spreadsheet safety: a text cell a spreadsheet would run as a formula gets a leading '."""
    return neutralised([text])[0]


def neutralised(texts: list[str | None]) -> list[str]:
    """:func:`neutralise` of each text (``""`` for ``None``), a column at once."""
    if None not in texts:
        # (a column in which no text starts as a formula, as most are, is as it is: found by
        # one search of its texts joined by NULs; a false alarm only takes the way below)
        present = cast("list[str]", texts)
        if not ((present and present[0].startswith(FORMULA_PREFIXES))
                or _FORMULA_START.search("\0".join(present))):
            return list(present)
    return ["" if t is None else "'" + t if t.startswith(FORMULA_PREFIXES) else t
            for t in texts]


#: Where a text after the first of texts joined by NULs starts as a formula
#: (:data:`FORMULA_PREFIXES`).
_FORMULA_START = re.compile("\0[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def is_numeric(values: Sequence[Any]) -> bool:
    """Whether a column's present values are all numbers (laid out right-aligned)."""
    present = [v for v in values if not missing(v)]
    return bool(present) and all(
        isinstance(v, (Decimal, float, int)) and not isinstance(v, bool) for v in present
    )


def python(value: Any) -> Any:
    """numpy scalars to Python ones, so every branch below sees int, float, str or Decimal."""
    if value is None or isinstance(value, (str, Decimal)):
        return value
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def rows_of(frame: pd.DataFrame) -> list[list[Any]]:
    return [[python(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def gaps_for_people(rows: list[list[Any]], kinds: Sequence[str], total_rows: int,
                    blank: str | None, nil: str | None = None) -> list[list[Any]]:
    """Missing values as people see them: empty in totals rows, ``blank`` in money columns
    when given; the rest stay missing ("not stated" for money). ``nil`` (Table 3's "-"), when
    given, is what a money figure of zero shows in the body rows."""
    body = len(rows) - total_rows
    money = [kind == "money" for kind in kinds]
    return [
        [
            ("" if n >= body else blank if blank is not None and money[i] else v)
            if missing(v) else
            nil if nil is not None and money[i] and n < body and isinstance(v, Decimal)
            and not v else v
            for i, v in enumerate(row)
        ]
        for n, row in enumerate(rows)
    ]


def for_people(table: Table) -> tuple[list[str], list[bool], list[list[Any]]]:
    """What every writer for people starts from: the kinds of a table's columns, which of them
    hold numbers (right-aligned), and its rows (totals included) with the gaps as people see
    them; the shares of a whole apportioned so that the percentages shown add up to 100.0%."""
    kinds: list[str] = [c.kind for c in table.columns]
    rows = rows_of(table.frame)
    shares = shares_of(table, 3)  # shown to 0.1%, adding up to the 100.0%
    for n, column in enumerate(table.columns):
        for row, share in zip(rows, shares.get(column.name, ())):
            row[n] = share
    numeric = [is_numeric([row[n] for row in rows]) for n in range(len(kinds))]
    return kinds, numeric, gaps_for_people(rows, kinds, table.totals, table.blank,
                                                     table.nil)


def apportioned(values: Sequence[Any], places: int) -> list[Any]:
    """Shares of a whole rounded to ``places`` decimals so that the ones shown add up to the
    whole shown (the largest-remainder rule: each share rounded down, the units left over going
    to the largest remainders, ties to the first); missing ones stay missing. As floats, each
    exactly the decimal written."""
    present = [n for n, v in enumerate(values) if not missing(v)]
    if not present:
        return list(values)
    unit = Decimal(1).scaleb(-places)
    exact = {n: _kept(values[n]) / unit for n in present}
    floors = {n: int(exact[n]) for n in present}
    whole = int((sum(exact.values(), Decimal(0))).to_integral_value())
    order = sorted(present, key=lambda n: (-(exact[n] - floors[n]), n))
    for n in order[:max(0, whole - sum(floors.values()))]:
        floors[n] += 1
    out = list(values)
    for n in present:
        out[n] = float(Decimal(floors[n]) * unit)
    return out


def shares_of(table: Table, places: int) -> dict[str, list[Any]]:
    """Each column of ``table`` that holds shares of a whole, its body rows
    :func:`apportioned` to ``places`` decimals, by name."""
    if table.body.empty:
        return {}
    return {c.name: apportioned(table.body[c.name].tolist(), places) for c in table.columns
            if c.kind == "share" and c.total == "one"}


def machine_table(view: View) -> tuple[list[Column], pd.DataFrame]:
    """What scripts get of a view: its records' columns and rows, with the totals rows and a
    ``row`` column (``data`` or ``total``) that marks them when the totals are asked for; the
    shares of a whole apportioned to six decimals, so that they add up to the 1 of the
    totals row."""
    from ..views import Column

    table = view.records
    columns = list(table.columns)
    frame = table.frame if view.data_totals else table.body
    shares = shares_of(table, 6)
    if shares:
        frame = frame.copy()
        for name, apportioned_body in shares.items():
            frame[name] = apportioned_body + frame[name].tolist()[len(table.body):]
    if view.data_totals:
        frame = frame.assign(row=["data"] * len(table.body) + ["total"] * table.totals)
        columns.append(Column("row", "text"))
    return columns, frame
