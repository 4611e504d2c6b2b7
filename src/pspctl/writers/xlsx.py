"""Excel workbooks (XlsxWriter, the optional extra ``pspctl[xlsx]``): one sheet per section.

Money is a number with a £ format, never text; a totals row is live ``SUM`` formulas over the
cells above, so that a reader can re-foot the table in the spreadsheet; a column the view gives
a formula (reconcile's difference) is that formula on each row; text is stored as text, never
read as a formula or a number (safe by type, not by a prefix); the header row is frozen and the
columns are as wide as their text. Each formula carries the figure pspctl computed as its cached
value, and the workbook asks to be recalculated when it is opened.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from ..errors import OutputError, UsageError
from ..schema import column_letter
from ..views import Column, Table, View
from .cells import human_cell, missing, percent, rows_of

INSTALL = ("workbooks need XlsxWriter, an optional extra: pip install 'pspctl[xlsx]' (from a "
           "checkout: pip install '.[xlsx]')")
#: The rows and columns of a worksheet (Excel's limits, and LibreOffice's).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: The characters a cell holds (UTF-16 code units, as Excel counts them).
MAX_TEXT = 32_767
#: The number formats of the kinds that are numbers.
NUMBER_FORMATS = {"money": '"£"#,##0.00', "share": "0.0%", "ratio": "0.00", "count": "0",
                  "year": "0"}


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> bytes:
    """The view as an .xlsx workbook: a sheet per section (for a one-table view, the table
    scripts read, ids and all, for lookups and formulas), and the notes and verdict on a last
    sheet."""
    try:
        import xlsxwriter
    except ImportError:
        raise UsageError(INSTALL) from None
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    formats = {kind: workbook.add_format({"num_format": number})
               for kind, number in NUMBER_FORMATS.items()}
    formats["money nil"] = workbook.add_format({"num_format": NUMBER_FORMATS["money"]
                                                + ';-' + NUMBER_FORMATS["money"] + ';"-"'})
    formats["header"] = workbook.add_format({"bold": True, "bottom": 1})
    formats["total"] = workbook.add_format({"bold": True, "top": 1})
    for kind, number in NUMBER_FORMATS.items():
        formats[f"total {kind}"] = workbook.add_format({"num_format": number, "bold": True,
                                                       "top": 1})
    names: set[str] = set()
    tables = view.sections if view.sectioned or view.data is None else (view.data,)
    for table in tables:
        sheet = workbook.add_worksheet(_sheet_name(table.title or "Table", names))
        _sheet(sheet, table, formats)
    lines = [*view.notes, *([view.verdict] if view.verdict else [])]
    if lines:
        sheet = workbook.add_worksheet(_sheet_name("Notes", names))
        sheet.set_column(0, 0, 100)
        for n, line in enumerate(lines):
            sheet.write_string(n, 0, _whole(line, sheet, n, 0, None))
    workbook.close()
    return buffer.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel takes (at most 31 characters, none of []:*?/\\), unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Sheet"
    if len(base) > 31:  # cut at a word where there is one
        base = base[:31].rsplit(" ", 1)[0] if " " in base[:31] else base[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _sheet(sheet: Any, table: Table, formats: dict[str, Any]) -> None:
    columns = [c for c in table.columns if c.kind != "records"]
    if table.nil is not None:  # a figure of zero shows as Table 3's "-"
        formats = {**formats, "money": formats["money nil"]}
    if len(columns) > MAX_COLUMNS:
        raise OutputError(f"{table.title or 'the table'} has {len(columns):,} columns, more than "
                          f"a worksheet holds ({MAX_COLUMNS:,}): write csv instead")
    place = {c.name: column_letter(n) for n, c in enumerate(columns)}
    for n, column in enumerate(columns):
        sheet.write_string(0, n, _whole(column.name, sheet, 0, n, None), formats["header"])
    names = [c.name for c in columns]
    if len(table.body) + 2 > MAX_ROWS:  # with its header and a totals row
        raise UsageError(f"{table.title or 'the table'} has {len(table.body):,} rows, more than "
                         f"a worksheet holds ({MAX_ROWS:,} with the header): write csv instead")
    rows = rows_of(table.body[names])
    footer = [] if table.footer is None or not rows else rows_of(table.footer[names])
    for r, row in enumerate(rows, start=1):
        for n, (column, value) in enumerate(zip(columns, row)):
            _cell(sheet, r, n, column, value, formats, place)
    for r, row in enumerate(footer, start=len(rows) + 1):
        for n, (column, value) in enumerate(zip(columns, row)):
            _total_cell(sheet, r, n, column, value, len(rows), formats)
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()  # printed: the whole width on a page, the header on every page
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    for n, column in enumerate(columns):  # as wide as the widest figure as it is shown
        shown = [_shown(column.kind, row[n]) for row in [*rows[:2000], *footer]]
        widest = max([len(column.name), *map(len, shown)]) + 3
        sheet.set_column(n, n, widest if column.kind in NUMBER_FORMATS else min(60, widest))


def _shown(kind: str, value: Any) -> str:
    """A cell's text as its number format shows it (what its column's width must hold)."""
    if missing(value):
        return ""
    if kind == "money" and isinstance(value, (Decimal, int, float)):
        return f"£{Decimal(value):,.2f}"
    if kind == "share" and isinstance(value, float):
        return percent(value)
    return human_cell(kind, value)


def _cell(sheet: Any, r: int, n: int, column: Column, value: Any, formats: dict[str, Any],
          place: dict[str, str]) -> None:
    if missing(value):
        return
    if column.formula is not None:
        expression = column.formula.format(**{k: f"{v}{r + 1}" for k, v in place.items()})
        sheet.write_formula(r, n, f"={expression}", formats.get(column.kind),
                            _number(value))
    elif column.kind in NUMBER_FORMATS and isinstance(value, (Decimal, int, float)) \
            and not isinstance(value, bool):
        sheet.write_number(r, n, _number(value), formats[column.kind])
    else:
        sheet.write_string(r, n, _whole(str(value), sheet, r, n, column))


def _whole(text: str, sheet: Any, r: int, n: int, column: Column | None) -> str:
    """``text``, if a cell holds it whole; otherwise an :class:`OutputError` naming the cell, so
    that nothing is written rather than a text cut (XlsxWriter would cut it at 32,767)."""
    if len(text) <= MAX_TEXT // 2 or len(text.encode("utf-16-le")) // 2 <= MAX_TEXT:
        return text
    where = f"{sheet.name}!{column_letter(n)}{r + 1}"
    what = f"row {r + 1}, column {column.name}" if column is not None else f"row {r + 1}"
    raise OutputError(f"{where} ({what}): a text of {len(text):,} characters, more than a "
                      f"workbook cell holds ({MAX_TEXT:,}): nothing written; write csv instead, "
                      "which holds it whole")


def _total_cell(sheet: Any, r: int, n: int, column: Column, value: Any, last: int,
                formats: dict[str, Any]) -> None:
    """A cell of a totals row: a live SUM of the cells above for a column that adds up."""
    if column.total == "sum" and last:
        letter = column_letter(n)
        sheet.write_formula(r, n, f"=SUM({letter}2:{letter}{last + 1})",
                            formats[f"total {column.kind}"],
                            _number(value) if not missing(value) else 0)
    elif missing(value):
        sheet.write_blank(r, n, None, formats["total"])
    elif isinstance(value, str):
        sheet.write_string(r, n, _whole(value, sheet, r, n, column), formats["total"])
    else:
        sheet.write_number(r, n, _number(value), formats.get(f"total {column.kind}",
                                                              formats["total"]))


def _number(value: Any) -> float:
    """A figure as the number a spreadsheet stores (money has at most 14 significant digits:
    the double is exact to the penny)."""
    return float(value)
