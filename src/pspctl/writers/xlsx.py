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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .._clock import made
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
                  "index": "0.000",
                  "year": "0"}


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> bytes:
    """The view as an .xlsx workbook: a sheet per section (for a one-table view, the table
    scripts read, ids and all, for lookups and formulas), and the notes and verdict on a last
    sheet, each sheet set up to print."""
    try:
        import xlsxwriter
    except ImportError:
        raise UsageError(INSTALL) from None
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    workbook.set_properties({"created": made()})  # (SOURCE_DATE_EPOCH: the same file again)
    formats = _formats(workbook)
    names: set[str] = set()
    tables = view.sections if view.sectioned or view.data is None else (view.data,)
    for table in tables:
        sheet = workbook.add_worksheet(_sheet_name(table.sheet or table.title or "Table",
                                                   names))
        _sheet(sheet, table, formats)
        _printed(sheet, table.title or sheet.name, view.made)
    lines = [*view.notes, *([view.verdict] if view.verdict else [])]
    if any(table.published for table in tables):
        lines.append(PUBLISHED_NOTE)
    if lines:
        sheet = workbook.add_worksheet(_sheet_name("Notes", names))
        sheet.set_column(0, 0, NOTES_WIDTH, formats["text"])
        for n, line in enumerate(lines):  # a paragraph each, wrapped in its cell
            sheet.write_string(n, 0, _whole(line, sheet, n, 0, None), formats["text"])
            _tall(sheet, n, [line], [NOTES_WIDTH])
        _printed(sheet, "Notes", view.made)
        sheet.set_portrait()
        sheet.fit_to_pages(1, 0)
    workbook.close()
    return buffer.getvalue()


#: What the Published and Difference rows under Table 3's totals are.
PUBLISHED_NOTE = ("Under the totals of Table 3: 'Published' is what Table 3 prints (its year "
                  "totals and grand total, from totals.csv) and 'Difference' is published "
                  "minus recomputed, as formulas: a figure corrected in the sheet shows its "
                  "difference vanish.")


def _formats(workbook: Any) -> dict[str, Any]:
    """The cell formats: numbers by kind, the header, the totals rows, wrapped text."""
    formats = {kind: workbook.add_format({"num_format": number, "valign": "top"})
               for kind, number in NUMBER_FORMATS.items()}
    nil = NUMBER_FORMATS["money"] + ';-' + NUMBER_FORMATS["money"] + ';"-"'
    formats["money nil"] = workbook.add_format({"num_format": nil, "valign": "top"})
    formats["header"] = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True,
                                             "valign": "top"})
    formats["total"] = workbook.add_format({"bold": True, "top": 1, "valign": "top"})
    formats["text"] = workbook.add_format({"text_wrap": True, "valign": "top"})
    for kind, number in NUMBER_FORMATS.items():
        formats[f"total {kind}"] = workbook.add_format({"num_format": number, "bold": True,
                                                       "top": 1, "valign": "top"})
    return formats


def _printed(sheet: Any, title: str, made: str | None) -> None:
    """Each printed page says what it is: the sheet's title (left) and the date the document
    was made (right) at the top, "Page N of M" at the foot; A4, the header row repeated."""
    sheet.set_paper(9)
    sheet.repeat_rows(0)
    head = title.replace("&", "&&")
    date = f"&R{made.replace('&', '&&')}" if made else ""
    if len(head) + len(date) > 200:  # Excel's limit is 255 characters: the sheet's name
        head = "&A"
    sheet.set_header(f"&L{head}{date}")
    sheet.set_footer("&CPage &P of &N")


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
    for n, column in enumerate(columns):
        sheet.write_string(0, n, _whole(column.name, sheet, 0, n, None), formats["header"])
    names = [c.name for c in columns]
    if len(table.body) + 4 > MAX_ROWS:  # with its header and the rows under it
        raise UsageError(f"{table.title or 'the table'} has {len(table.body):,} rows, more than "
                         f"a worksheet holds ({MAX_ROWS:,} with the header): write csv instead")
    rows = rows_of(table.body[names])
    footer = [] if table.footer is None or not rows else rows_of(table.footer[names])
    where = _Places({c.name: column_letter(n) for n, c in enumerate(columns)}, 1,
                    len(rows) + 1 if footer else None)
    for r, row in enumerate(rows, start=1):
        for n, (column, value) in enumerate(zip(columns, row)):
            _cell(sheet, r, n, column, value, formats, where)
    for r, row in enumerate(footer, start=len(rows) + 1):
        for n, (column, value) in enumerate(zip(columns, row)):
            _total_cell(sheet, r, n, column, value, len(rows), formats)
    if footer and table.published:
        _published(sheet, table, columns, len(rows) + 1, formats)
    sheet.freeze_panes(1, 0)
    widths = _widths(sheet, table, columns, [*rows[:2000], *footer])
    texts = [n for n, c in enumerate(columns) if c.kind not in NUMBER_FORMATS]
    _tall(sheet, 0, names, widths)
    for r, row in enumerate([*rows, *footer], start=1):
        _tall(sheet, r, [row[n] for n in texts], [widths[n] for n in texts])


def _widths(sheet: Any, table: Table, columns: list[Column], rows: list[list[Any]]
            ) -> list[int]:
    """Each column as wide as its widest figure as shown (text at most :data:`TEXT_WIDTH`
    characters, wrapped in its cell beyond); the page turned and scaled to the table's width
    while the text stays at 8 pt or more in any office suite's font, else printed across
    pages at full size with the columns that name each row repeated."""
    widths = []
    for n, column in enumerate(columns):
        shown = [_shown(column.kind, row[n]) for row in rows]
        widest = max([min(len(column.name), 20), *map(len, shown)]) + 3
        widths.append(widest if column.kind in NUMBER_FORMATS else min(TEXT_WIDTH, widest))
        sheet.set_column(n, n, widths[-1])
    width = sum(widths) * WIDER_FONT
    if width <= PORTRAIT:
        sheet.set_portrait()
    else:
        sheet.set_landscape()
    if width <= LANDSCAPE / SMALLEST_SCALE:
        sheet.fit_to_pages(1, 0)
    else:
        label = next((n for n, c in enumerate(columns) if c.name == table.label), 0)
        sheet.repeat_columns(0, label)
    return widths


def _tall(sheet: Any, r: int, texts: list[Any], widths: list[int]) -> None:
    """Row ``r`` as tall as its longest wrapped text (as many lines as it takes in a column
    of that width, in the widest font it may be shown in): spreadsheets do not grow a row
    for the text they wrap when they open a file."""
    lines = 1
    for text, width in zip(texts, widths):
        room = max(1, int((width - 1) / WIDER_FONT))
        if isinstance(text, str) and (len(text) > room or "\n" in text):
            lines = max(lines, len(_wrapper(room).wrap(text)) + text.count("\n"))
    if lines > 1:
        sheet.set_row(r, ROW_HEIGHT * lines)


def _wrapper(width: int) -> Any:
    import textwrap

    return textwrap.TextWrapper(width, break_long_words=True, break_on_hyphens=True)


#: How many characters of Calibri 11 an A4 page holds across (within the margins).
PORTRAIT, LANDSCAPE = 95, 140
#: How much wider the font a sheet may be shown in is than Calibri (LibreOffice's DejaVu Sans
#: where Calibri and Carlito are missing): widths and heights allow for it.
WIDER_FONT = 1.3
#: The most a sheet is scaled down to fit its page's width: 8 pt text from 11 pt.
SMALLEST_SCALE = 8 / 11
#: The widest a column of text is made, in characters, before its text wraps; the Notes' (a
#: portrait page's width in the widest font).
TEXT_WIDTH, NOTES_WIDTH = 40, 70
#: A line of Calibri 11, in points.
ROW_HEIGHT = 15


@dataclass(frozen=True)
class _Places:
    """Where a sheet's cells are: each column's letter, the first body row and the totals row
    (0-based), for the formulas of :attr:`~pspctl.views.Column.formula`."""

    letters: dict[str, str]
    first: int
    total: int | None

    def formula(self, text: str, r: int) -> str | None:
        """``text`` with ``{name}`` as the cell of column ``name`` in row ``r``,
        ``{name@first}`` its first body row and ``{name@total}`` its totals row (absolute);
        ``None`` where a cell it names is not in the sheet."""
        missing_cell = False

        def cell(found: re.Match[str]) -> str:
            nonlocal missing_cell
            letter, at = self.letters.get(found[1]), found[2]
            row = {None: r, "first": self.first, "total": self.total}[at]
            if letter is None or row is None:
                missing_cell = True
                return ""
            return f"{letter}{row + 1}" if at is None else f"${letter}${row + 1}"

        done = PLACE.sub(cell, text)
        return None if missing_cell else f"={done}"


#: A cell named in a formula: ``{column}``, ``{column@first}``, ``{column@total}``.
PLACE = re.compile(r"\{([^{}@]+)(?:@(first|total))?\}")


def _published(sheet: Any, table: Table, columns: list[Column], total: int,
               formats: dict[str, Any]) -> None:
    """Under Table 3's totals: the figures it prints, and the difference of each from the
    recomputed total above, as formulas."""
    printed = dict(table.published)
    label = next((n for n, c in enumerate(columns) if c.name == table.label), 0)
    sheet.write_string(total + 1, label, "Published", formats["total"])
    sheet.write_string(total + 2, label, "Difference", formats["total"])
    for n, column in enumerate(columns):
        if column.name not in printed:
            continue
        letter = column_letter(n)
        sheet.write_number(total + 1, n, _number(printed[column.name]), formats["money"])
        computed = table.footer[column.name].iloc[0] if table.footer is not None else None
        difference = (printed[column.name] - computed if isinstance(computed, Decimal)
                      else printed[column.name])
        sheet.write_formula(total + 2, n, f"={letter}{total + 2}-{letter}{total + 1}",
                            formats["total money"], _number(difference))


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
          where: _Places) -> None:
    if missing(value):
        return
    formula = None if column.formula is None else where.formula(column.formula, r)
    if formula is not None:
        sheet.write_formula(r, n, formula, formats.get(column.kind), _number(value))
    elif column.kind in NUMBER_FORMATS and isinstance(value, (Decimal, int, float)) \
            and not isinstance(value, bool):
        sheet.write_number(r, n, _number(value), formats[column.kind])
    else:
        sheet.write_string(r, n, _whole(str(value), sheet, r, n, column), formats["text"])


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
    """A cell of a totals row: a live SUM of the cells above for a column that adds up (money,
    and the shares of a whole, which add up to 1)."""
    if column.total in ("sum", "one") and last:
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
