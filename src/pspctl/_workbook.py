"""Workbooks as data (.xlsx, .xlsm, .ods): sheets ``psp``, ``funding``, ``totals`` and
``outcomes`` holding the columns of the CSV files, read with python-calamine (the optional extra
``pspctl[xlsx]``; chosen by measurement, bench/README.md).

Each sheet becomes a header and rows of text cells, checked by the same rules as a CSV file
(:mod:`pspctl._rows`); a problem then names the sheet and the cell (``funding!F5``) instead of a
line. How a typed cell becomes text:

* **money typed as a number** is exact when, rounded to 15 significant digits (what a spreadsheet
  keeps and shows of a number), it is a whole number of pence; otherwise it is a ``bad-amount``
  problem. Every valid amount (at most 12 digits of pounds and 2 of pence) has at most 14
  significant digits, so the figure typed is the figure read, and a sum a spreadsheet computed
  (``0.1 + 0.2``) is read as the 0.30 it shows. Money typed as text follows the usual rule.
* a whole number is written without a decimal point (``2016``), a date as ``YYYY-MM-DD``,
  ``TRUE``/``FALSE`` as words; the column's rule then judges the text.
* a formula is read as the value the spreadsheet saved with it; a cell holding an error
  (``#DIV/0!``, ``#REF!``) is a problem, never a blank.

Rows wholly blank at the end of a sheet are ignored; sheets of other names are ignored, as other
files are in a data folder.
"""

from __future__ import annotations

import datetime
import html
import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pandas as pd

from ._rows import checked_header, empty_frame, table_from_rows
from .errors import InputError, Problem, UsageError
from .schema import TABLES, TableSpec, column_letter

INSTALL = ("reading workbooks needs python-calamine, an optional extra: pip install "
           "'pspctl[xlsx]' (from a checkout: pip install '.[xlsx]')")
#: Significant digits a spreadsheet keeps of a number (IEEE doubles, as Excel shows them).
SIGNIFICANT_DIGITS = 15

Tables = dict[str, tuple[pd.DataFrame, list[Problem]]]


def read_tables(raw: bytes, name: str, suffix: str, limit: int
                ) -> tuple[Tables, Callable[[Problem], Problem]]:
    """The four tables of the workbook ``raw`` (called ``name``) and the function that places a
    table's problem in its sheet and cell. A file that is not a workbook, lacks one of the
    sheets, or would expand to more than ``limit`` bytes (a workbook is a zip archive: a small
    file can hold gigabytes) is an :class:`InputError`, as a missing file of a folder is."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise UsageError(INSTALL) from None
    expanded = _expanded_size(raw)
    if expanded > limit:
        raise InputError(f"{name}: expands to {expanded:,} bytes, over the limit of {limit:,} "
                         "(set PSPCTL_MAX_BYTES to raise it)")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        names = set(book.sheet_names)
        sheets = {spec.name: book.get_sheet_by_name(spec.name).to_python(skip_empty_area=False)
                  for spec in TABLES if spec.name in names}
    except Exception as err:  # calamine raises its own errors, and ValueError, for bad files
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"{name}: cannot be read as a workbook ({reason})") from None
    missing = [spec.name for spec in TABLES if spec.name not in sheets]
    if missing:
        raise InputError(f"{name}: no sheet {', '.join(map(repr, missing))}: a workbook of "
                         "pspctl data holds the sheets psp, funding, totals and outcomes")
    errors = _error_cells(raw, suffix)
    tables: Tables = {}
    headers: dict[str, list[str]] = {}
    for spec in TABLES:
        found: list[Problem] = []
        if (spec.name, None) in errors:
            kind, _, message = errors[(spec.name, None)]
            found.append(Problem(spec.filename, None, None, kind, message))
        cells = {ref: what for (sheet, ref), what in errors.items()
                 if sheet == spec.name and ref is not None}
        header, frame = _table(sheets[spec.name], spec, cells, found)
        headers[spec.name] = header or []
        tables[spec.name] = (frame, found)
    return tables, _placer(name, headers)


def _table(rows: list[list[Any]], spec: TableSpec, errors: dict[str, tuple[str, str, str]],
           problems: list[Problem]) -> tuple[list[str] | None, pd.DataFrame]:
    """One sheet as a table: its header and its typed frame (empty when it has problems). A cell
    calamine cannot tell (``errors``: {cell: (kind, what it shows, message)}) is its problem,
    and the rest of its row is checked as ever."""
    while rows and all(_blank(cell) for cell in rows[-1]):
        rows = rows[:-1]
    if not rows:
        problems.append(Problem(spec.filename, None, None, "empty-file", "sheet is empty"))
        return None, empty_frame(spec)
    labels = [errors[ref][1] if (ref := f"{column_letter(n)}1") in errors
              else _text(cell) for n, cell in enumerate(rows[0])]
    while labels and not labels[-1].strip():
        labels.pop()
    known = len(problems)
    header = checked_header(labels, spec, problems)
    if header is None or len(problems) > known:
        return header, empty_frame(spec)
    kinds = [_kind(spec, label) for label in header]
    width = len(header)
    wrong: dict[int, list[tuple[int, str, str]]] = {}  # row: its cells calamine cannot tell
    for ref, (kind, _, message) in sorted(errors.items(), key=lambda i: _column_index(i[0])):
        if _column_index(ref) < width:
            wrong.setdefault(int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), []).append(
                (_column_index(ref), kind, message))
    body = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > width and any(not _blank(cell) for cell in row[width:]):
            extra = next(n for n in range(width, len(row)) if not _blank(row[n]))
            problems.append(Problem(spec.filename, number, None, "extra-cell",
                                    f"a cell beyond the last column ({column_letter(extra)}"
                                    f"{number}): the header has {width} columns"))
            continue
        cells = row[:width] if len(row) >= width else [*row, *[""] * (width - len(row))]
        for column, kind, message in wrong.get(number, ()):  # reported, then read as blank
            problems.append(Problem(spec.filename, number, header[column], kind, message))
            cells[column] = ""
        body.append((number, [cell if type(cell) is str
                              else _cell(spec, number, header[n], kinds[n], cell, problems)
                              for n, cell in enumerate(cells)]))
    # a cell reported here (an error, a number that is not money) is read as blank: the loader
    # keeps one problem per cell, the first, so its blank is not another
    return header, table_from_rows(header, body, spec, problems)


def _expanded_size(raw: bytes) -> int:
    """What the parts of a workbook's zip archive say they expand to (0 for a file that is not
    a zip archive: calamine says what it is)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return 0


def _kind(spec: TableSpec, label: str) -> str:
    return next((c.kind for c in spec.columns if c.name == label), "text")


def _blank(cell: Any) -> bool:
    return isinstance(cell, str) and not cell.strip()


def _cell(spec: TableSpec, row: int, label: str, kind: str, cell: Any,
          problems: list[Problem]) -> str:
    """A cell as the text a CSV file would hold; a number that cannot be money exactly is a
    problem (and the cell left blank, so that no other rule speaks of it again)."""
    if kind == "amount" and isinstance(cell, float):
        text = _money(cell)
        if text is None:
            problems.append(Problem(spec.filename, row, label, "bad-amount",
                                    f"the number {cell!r} is not a whole number of pence "
                                    f"(rounded to {SIGNIFICANT_DIGITS} significant digits, "
                                    "as a spreadsheet keeps it)"))
            return ""
        return text
    return _text(cell)


def _money(number: float) -> str | None:
    """A number as pounds with at most two decimals, or ``None`` when it is not a whole number
    of pence to within floating-point rounding (:data:`SIGNIFICANT_DIGITS`)."""
    if not math.isfinite(number):
        return None
    text = f"{number:.{SIGNIFICANT_DIGITS}g}"
    if "e" in text:  # very small or very large: written out in full
        text = f"{Decimal(text):f}"
    decimals = text.partition(".")[2]
    return text if len(decimals.rstrip("0")) <= 2 else None


def _text(cell: Any) -> str:
    """Any other cell as text: whole numbers without a point, dates in ISO 8601, booleans as
    TRUE or FALSE."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return f"{cell:.{SIGNIFICANT_DIGITS}g}" if math.isfinite(cell) else str(cell)
    if isinstance(cell, (datetime.datetime, datetime.date, datetime.time)):
        return cell.isoformat()
    return str(cell)


# --- cells calamine cannot tell: found in the file itself -----------------------------------------
# calamine reads a cell holding an error (#DIV/0!) as an empty string, and a formula saved
# without its value (a file a program wrote, never opened in a spreadsheet) as blank too.

_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_RELATION = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_RELATION_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
#: A cell with its contents (a self-closing <c .../> has none and is not matched).
_CELL = re.compile(rb'<c\b([^>]*?)(?<!/)>(.*?)</c>', re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb'<v>([^<]*)</v>')
_ODS_TABLE = re.compile(rb'<table:table\b[^>]*?\btable:name="([^"]*)"')
_ODS_ERROR = b'calcext:value-type="error"'
_SHEETS = frozenset(spec.name for spec in TABLES)

#: {(sheet, cell or None for the whole sheet): (kind, what the cell shows, message)}
Unreadable = dict[tuple[str, str | None], tuple[str, str, str]]


def _error_cells(raw: bytes, suffix: str) -> Unreadable:
    """Every cell holding an error value, or a formula without a saved value."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if suffix == ".ods":
                return _ods_errors(archive.read("content.xml"))
            return _xlsx_errors(archive)
    except (zipfile.BadZipFile, KeyError):
        return {}


def _xlsx_errors(archive: zipfile.ZipFile) -> Unreadable:
    book = archive.read("xl/workbook.xml")
    relations = archive.read("xl/_rels/workbook.xml.rels")
    targets = {rid: target for rid, target in _RELATION.findall(relations)}
    targets.update({rid: target for target, rid in _RELATION_REVERSED.findall(relations)})
    found: Unreadable = {}
    for sheet, rid in _SHEET.findall(book):
        title = _unescaped(sheet)
        if title not in _SHEETS or rid not in targets:
            continue
        target = targets[rid].decode("utf-8").lstrip("/")
        xml = archive.read(target if target.startswith("xl/") else f"xl/{target}")
        if b't="e"' in xml or b"<f" in xml:
            found.update(_unreadable_cells(title, xml))
    return found


def _unreadable_cells(title: str, xml: bytes) -> Unreadable:
    found: Unreadable = {}
    for attributes, body in _CELL.findall(xml):
        ref = _REF.search(attributes)
        if ref is None:
            continue
        value = _VALUE.search(body)
        if _ERROR_TYPE.search(attributes):
            found[(title, ref[1].decode("ascii"))] = _error(
                _unescaped(value[1]) if value else "an error")
        elif value is None and b"<f" in body:
            found[(title, ref[1].decode("ascii"))] = (
                "no-value", "", "the cell holds a formula saved without its value (a program "
                "wrote the file, no spreadsheet calculated it): open and save it in a "
                "spreadsheet, or type the value")
    return found


_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_VALUE_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_ODS_CELLS = (f"{_ODS}table-cell", f"{_ODS}covered-table-cell")


def _ods_errors(content: bytes) -> Unreadable:
    """The error cells of an .ods file's content.xml, each with its place: rows and cells
    counted as the file repeats them (``number-rows-repeated``, ``number-columns-repeated``).
    Read only when an error is there at all; a file that cannot be parsed names the sheet."""
    if _ODS_ERROR not in content:
        return {}
    from xml.etree.ElementTree import ParseError, iterparse

    found: Unreadable = {}
    sheet, row, column = "", 0, 0
    try:
        for event, element in iterparse(io.BytesIO(content), events=("start", "end")):
            if event == "start" and element.tag == f"{_ODS}table":
                sheet, row = element.get(f"{_ODS}name", ""), 0
            elif event == "start" and element.tag == f"{_ODS}table-row":
                column = 0
            elif event == "end" and element.tag == f"{_ODS}table-row":
                row += int(element.get(f"{_ODS}number-rows-repeated", "1"))
                element.clear()
            elif event == "end" and element.tag in _ODS_CELLS:
                if element.get(_ODS_VALUE_TYPE) == "error" and sheet in _SHEETS:
                    shown = "".join(element.itertext()).strip() or "an error"
                    found[(sheet, f"{column_letter(column)}{row + 1}")] = _error(shown)
                column += int(element.get(f"{_ODS}number-columns-repeated", "1"))
    except (ParseError, ValueError):
        return _ods_sheets_with_errors(content)
    return found


def _ods_sheets_with_errors(content: bytes) -> Unreadable:
    """The sheets of an .ods file that hold an error somewhere: for a file whose content
    cannot be parsed cell by cell."""
    found: Unreadable = {}
    starts = [(m.start(), _unescaped(m.group(1))) for m in _ODS_TABLE.finditer(content)]
    for n, (start, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(content)
        if title in _SHEETS and content.find(_ODS_ERROR, start, end) >= 0:
            found[(title, None)] = ("error-value", "", "a cell of this sheet holds an error "
                                    "value (#DIV/0!, #REF!, ...), not a figure: correct the "
                                    "formula or type the value")
    return found


def _error(shown: str) -> tuple[str, str, str]:
    return ("error-value", shown, f"the cell holds {shown!r}, an error, not a figure: correct "
            "the formula or type the value")


def _unescaped(text: bytes) -> str:
    """An attribute's or an element's text as XML escaped it (``&amp;``, ``&#163;``)."""
    return html.unescape(text.decode("utf-8", errors="replace"))


# --- places ------------------------------------------------------------------------------------


def _column_index(ref: str) -> int:
    """The 0-based column of a cell reference: ``F5`` is 5, ``AA1`` is 26."""
    index = 0
    for char in ref:
        if not char.isalpha():
            break
        index = index * 26 + ord(char) - 64
    return index - 1


def _placer(name: str, headers: dict[str, list[str]]) -> Callable[[Problem], Problem]:
    """The function that turns a table's problem (``funding.csv``, a line) into the workbook's
    (``name``, ``funding!F5``): the row is the line, the column the header's place of its
    name."""
    sheets = {spec.filename: spec.name for spec in TABLES}

    def place(problem: Problem) -> Problem:
        sheet = sheets.get(problem.file)
        if sheet is None:
            return problem
        header = list(headers.get(sheet, ()))
        if problem.line is None:
            where = sheet
        elif problem.column in header:
            where = f"{sheet}!{column_letter(header.index(problem.column))}{problem.line}"
        else:
            where = f"{sheet} row {problem.line}"
        return replace(problem, file=name, place=where)

    return place
