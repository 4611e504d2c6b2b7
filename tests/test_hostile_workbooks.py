"""Workbooks that real programs and hostile hands produce: each gives the exact figure, or one
line naming the cell (or the part) with its exit code; none aborts, hangs or allocates what it
merely declares. The dangerous ones run in a real process under a 1 GiB memory limit and a time
limit."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import Ledger, ledgers
from workbooks import MAIN, SMALL, Spelling, edited, ods, ods_rows, xlsx, xlsxwriter_book

from pspctl import loader, reports

DATA = REPO / "data"
LIMIT = 1 << 30  # bytes of address space
SECONDS = 60


def limited(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """pspctl in a process of its own, under a 1 GiB limit of memory and a time limit: a
    workbook that makes it allocate what it declares fails here instead of taking the
    machine."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    done = subprocess.run([sys.executable, "-m", "pspctl", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=SECONDS, preexec_fn=limit)
    return done.returncode, done.stdout, done.stderr


def book(tmp_path: Path, content: bytes, name: str = "book.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def problems(path: Path) -> list[str]:
    return [str(p) for p in loader.validate(path)]


def with_funding(rows: list[list[object]]) -> dict[str, list[list[object]]]:
    return {**SMALL, "funding": [SMALL["funding"][0], *rows]}


def program_book(path: Path, special: Callable[[Any, Any, str, int, int, object], bool]
                 ) -> Path:
    """:data:`SMALL` written by XlsxWriter, as a program writes a workbook; ``special`` writes a
    cell its own way (``workbook, sheet, title, row, column, value``) and says so by returning
    True."""
    return xlsxwriter_book(path, SMALL, special)


ROW = SMALL["funding"][1]


# --- a wrong figure, "valid" ---------------------------------------------------------------------


def test_a_formula_a_program_wrote_is_no_figure(tmp_path: Path) -> None:
    """XlsxWriter stores a formula with a placeholder value of 0 and asks to be recalculated on
    load: the 0 is never read as £0."""
    def formula(_: Any, sheet: Any, title: str, r: int, c: int, value: object) -> bool:
        if title == "funding" and (r, c) == (1, 5):
            sheet.write_formula(r, c, "=51139")
            return True
        return False

    path = program_book(tmp_path / "program.xlsx", formula)
    assert problems(path) == [
        "program.xlsx: funding!F2: column amount_gbp: a formula whose saved value no "
        "spreadsheet computed (the workbook asks to be recalculated when it is opened, as files "
        "programs write do): open it in a spreadsheet that recalculates it (Excel; LibreOffice "
        "set to recalculate on load), save it, or type the value [no-value]"]
    code, out, err = run(["validate", "--data-dir", str(path)])
    assert (code, err) == (1, "")
    assert "funding!F2" in out and "no-value" in out


def test_a_formula_a_spreadsheet_computed_is_its_figure(tmp_path: Path) -> None:
    path = book(tmp_path, xlsx(spelling=Spelling(formulas=1.0)))
    data = loader.load(path)
    assert data.funding["amount_pence"].tolist() == [5_113_900]
    # the same file, asking to be recalculated when opened: every formula read is no figure
    path = book(tmp_path, xlsx(spelling=Spelling(formulas=1.0),
                               calc='<calcPr fullCalcOnLoad="1"/>'), "again.xlsx")
    assert [(p.place, p.kind) for p in loader.validate(path)] == [
        ("psp!D2", "no-value"), ("funding!F2", "no-value"), ("totals!F2", "no-value"),
        ("outcomes!C2", "no-value")]
    path = book(tmp_path, xlsx(spelling=Spelling(formulas=1.0),
                               calc='<calcPr forceFullCalc="true"/>'), "force.xlsx")
    assert len(loader.validate(path)) == 4


# --- error cells in every spelling ---------------------------------------------------------------

ERROR = ("book.xlsx: funding!F2: column amount_gbp: the cell holds '#N/A', an error, not a "
         "figure: correct the formula or type the value [error-value]")


@pytest.mark.parametrize("cell", [
    '<c r="F2" t="e"><v>#N/A</v></c>',
    "<c r='F2' t='e'><v>#N/A</v></c>",
    '<c r="F2" t = "e" ><v>#N/A</v></c>',
    '<c r="F2" t="&#101;"><v>#N/A</v></c>',
    '<c t="e"><v>#N/A</v></c>',  # no reference: the next cell after E2
    '<x:c r="F2" t="e"><x:v>#N/A</x:v></x:c>',  # as the Open XML SDK writes: a prefix
    '<c r="F2" t="e"><v><![CDATA[#N/A]]></v></c>',
])
def test_an_error_cell_is_found_in_any_spelling(tmp_path: Path, cell: str) -> None:
    cells = ('<c r="A2" t="inlineStr"><is><t>p0</t></is></c><c t="inlineStr"><is><t>2013-14'
             '</t></is></c><c t="inlineStr"><is><t>government</t></is></c><c t="inlineStr"><is>'
             '<t>Scottish Government</t></is></c><c r="E2" t="inlineStr"><is><t></t></is></c>'
             f'{cell}<c r="G2" t="inlineStr"><is><t>t</t></is></c>')
    header = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in SMALL["funding"][0])
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (f'<worksheet xmlns="{main}" xmlns:x="{main}">'
             f'<sheetData><row r="1">{header}</row><row r="2">{cells}</row></sheetData>'
             "</worksheet>")
    path = book(tmp_path, xlsx(sheets={"funding": sheet}))
    assert problems(path) == [ERROR]


def test_an_element_of_another_namespace_is_not_a_cell(tmp_path: Path) -> None:
    # a cell of another vocabulary at F2, beside the real one: not read, not a duplicate
    content = edited(xlsx(), "xl/worksheets/sheet2.xml", "</row></sheetData>",
                     '<o:c xmlns:o="urn:other" r="F2"><o:v>1</o:v></o:c></row></sheetData>')
    assert loader.load(book(tmp_path, content)).funding["amount_pence"].tolist() == [5_113_900]


# --- sizes bounded by content --------------------------------------------------------------------


def test_declared_sizes_are_not_trusted(tmp_path: Path) -> None:
    strings = edited(xlsx(), "xl/sharedStrings.xml", 'uniqueCount="', 'uniqueCount="4294967295"'
                     ' x="')
    dimension = edited(xlsx(), "xl/worksheets/sheet2.xml", "<sheetData>",
                       '<dimension ref="A1:XFD1048576"/><sheetData>')
    for content in (strings, dimension):
        workbook = book(tmp_path, content)
        assert limited(["funding", "--by-year", "-f", "csv", "--data-dir", str(workbook)],
                       tmp_path) == (0, "year,government_gbp\n2013-14,51139\n", "")


def test_one_cell_at_the_last_place_of_a_sheet(tmp_path: Path) -> None:
    content = edited(xlsx(), "xl/worksheets/sheet1.xml", "</sheetData>",
                     '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                     "</row></sheetData>")
    path = book(tmp_path, content)
    code, out, err = limited(["validate", "--data-dir", str(path), "-f", "csv"], tmp_path)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "file,place,line,column,kind,message",
        'book.xlsx,psp row 3,3,,blank-row,"blank rows 3 to 1,048,575 (1,048,573 rows)"',
        "book.xlsx,psp row 1048576,1048576,,extra-cell,a cell beyond the last column "
        "(XFD1048576): the header has 10 columns"]


def test_a_space_at_the_end_of_a_sheet_costs_nothing(tmp_path: Path) -> None:
    for row in (100_000, 1_048_576):
        content = edited(xlsx(), "xl/worksheets/sheet2.xml", "</sheetData>",
                         f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t> </t></is></c>'
                         "</row></sheetData>")
        path = book(tmp_path, content)
        assert limited(["funding", "--by-year", "-f", "csv", "--data-dir", str(path)],
                       tmp_path) == (0, "year,government_gbp\n2013-14,51139\n", "")


REFUSED = ("pspctl: error: book.ods: the spreadsheet's content (content.xml) repeats its cells "
           "more often than its content can justify (a few kilobytes declaring millions of "
           "cells): pspctl does not read it")


def _repeated(rows: int, columns: int, text: str = "x") -> str:
    cell = (f'<table:table-cell table:number-columns-repeated="{columns}" office:value-type='
            f'"string"><text:p>{text}</text:p></table:table-cell>' if text else
            f'<table:table-cell table:number-columns-repeated="{columns}"/>')
    return f'<table:table-row table:number-rows-repeated="{rows}">{cell}</table:table-row>'


@pytest.mark.parametrize(("rows", "expected"), [
    # one cell repeated 16,384 times in 20 rows: each row a cell beyond the header
    (_repeated(20, 16384), (1, "book.ods,funding row 3,3,,extra-cell,a cell beyond the last "
                            "column (H3): the header has 7 columns")),
    # in 6,000 rows, or a million rows of a thousand: more cells than the file could justify,
    # refused before they are made
    (_repeated(6000, 16384), (2, REFUSED)),
    (_repeated(1_048_000, 1000), (2, REFUSED)),
    # blank rows and cells repeated to the end of the sheet: nothing to read, nothing made
    (_repeated(1_048_574, 16384, ""), (0, "file,place,line,column,kind,message")),
])
def test_repeated_ods_cells_are_bounded(tmp_path: Path, rows: str,
                                        expected: tuple[int, str]) -> None:
    tables = {name: ods_rows(table) for name, table in SMALL.items()}
    tables["funding"] += rows
    path = book(tmp_path, ods(tables), "book.ods")
    code, out, err = limited(["validate", "-f", "csv", "--data-dir", str(path)], tmp_path)
    assert code == expected[0]
    shown = {0: out.strip(), 1: out.splitlines()[1] if code == 1 else "", 2: err.strip()}
    assert shown[code] == expected[1]


def test_a_dtd_is_refused_so_no_entity_is_expanded(tmp_path: Path) -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'
                        for n in range(9))
              + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData><row><c t="inlineStr"><is><t>&j;</t></is></c></row></sheetData>'
              "</worksheet>")
    path = book(tmp_path, xlsx(sheets={"funding": laughs}))
    assert limited(["validate", "--data-dir", str(path)], tmp_path) == (
        2, "", "pspctl: error: book.xlsx: the sheet 'funding' (xl/worksheets/sheet2.xml) "
        "declares a DTD, which a workbook never needs: pspctl does not read it\n")


@pytest.mark.parametrize(("part", "old", "new", "message"), [
    ("xl/worksheets/sheet2.xml", '<c r="F2">', '<c r="XFE2">',
     "the sheet 'funding' (xl/worksheets/sheet2.xml) has a cell 'XFE2', beyond a sheet's last "
     "cell (XFD1048576)"),
    ("xl/worksheets/sheet1.xml", '<row r="2">', '<row r="1048577">',
     "the sheet 'psp' (xl/worksheets/sheet1.xml) has a row numbered 1,048,577, beyond a "
     "sheet's last row (1,048,576)"),
    ("xl/worksheets/sheet1.xml", "</sheetData>", "</sheetDat>",
     "the sheet 'psp' (xl/worksheets/sheet1.xml) is not well-formed XML: line 2, column "),
    ("xl/workbook.xml", "<sheets>", "<sheets><sheet name='a' name='b'/>",
     "the workbook part (xl/workbook.xml) is not well-formed XML: line 2, column "),
])
def test_a_malformed_part_is_one_line(tmp_path: Path, part: str, old: str, new: str,
                                      message: str) -> None:
    path = book(tmp_path, edited(xlsx(spelling=Spelling(inline=1.0)), part, old, new))
    code, out, err = run(["validate", "--data-dir", str(path)])
    assert (code, out) == (2, "")
    assert err.startswith(f"pspctl: error: book.xlsx: {message}") and err.count("\n") == 1


# --- no silent choice of sheet -------------------------------------------------------------------


def test_a_hidden_sheet_is_a_problem(tmp_path: Path) -> None:
    for state in ("hidden", "veryHidden"):
        path = book(tmp_path, xlsx(states={"funding": state}), f"{state}.xlsx")
        assert problems(path) == [f"{state}.xlsx: funding: the sheet 'funding' is {state}: "
                                  "pspctl reads what a person sees, so unhide it (or delete it) "
                                  "[hidden-sheet]"]


def test_two_sheets_answering_to_one_name_are_a_problem_naming_both(tmp_path: Path) -> None:
    tables = {**SMALL, "funding2": with_funding([[*ROW[:5], 99, ROW[6]]])["funding"]}
    path = book(tmp_path, xlsx(tables, names={"funding2": "funding"},
                               states={"funding": "veryHidden"}))
    assert problems(path) == [
        "book.xlsx: funding: 2 sheets answer to 'funding': 'funding' (veryHidden) and 'funding';"
        " a spreadsheet shows one, so rename or delete the others [duplicate-sheet]"]
    path = book(tmp_path, xlsx(tables, names={"funding2": "FUNDING"}), "case.xlsx")
    assert problems(path) == [
        "case.xlsx: funding: 2 sheets answer to 'funding': 'funding' and 'FUNDING'; a "
        "spreadsheet shows one, so rename or delete the others [duplicate-sheet]"]


def test_sheet_names_match_as_a_spreadsheet_matches_them(tmp_path: Path) -> None:
    path = book(tmp_path, xlsx(names={"funding": "Funding", "psp": "PSP"}))
    assert loader.load(path).funding["amount_pence"].tolist() == [5_113_900]
    for near in ("funding ", "funding\u00a0", "\u200bfunding"):
        path = book(tmp_path, xlsx(names={"funding": near}), "near.xlsx")
        assert run(["validate", "--data-dir", str(path)]) == (
            2, "", f"pspctl: error: near.xlsx: no sheet 'funding'; found {near!r}: a workbook of "
            "pspctl data holds the sheets psp, funding, totals and outcomes\n")


def test_a_hidden_ods_sheet_is_a_problem(tmp_path: Path) -> None:
    tables = {name: ods_rows(table) for name, table in SMALL.items()}
    tables["totals"] = '| table:style-name="ta2"|' + tables["totals"]
    hidden = ('<style:style style:name="ta2" style:family="table"><style:table-properties '
              'table:display="false"/></style:style>')
    path = book(tmp_path, ods(tables, styles=hidden), "book.ods")
    assert problems(path) == ["book.ods: totals: the sheet 'totals' is hidden: pspctl reads what "
                              "a person sees, so unhide it (or delete it) [hidden-sheet]"]


# --- protected and foreign files ----------------------------------------------------------------


def test_a_password_protected_workbook_says_so(tmp_path: Path) -> None:
    # an encrypted .xlsx is an OLE compound file holding the streams EncryptionInfo and
    # EncryptedPackage (MS-OFFCRYPTO)
    encrypted = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                 + "EncryptionInfo".encode("utf-16-le") + bytes(50)
                 + "EncryptedPackage".encode("utf-16-le") + bytes(4000))
    manifest = ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                'manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:'
                'encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry>'
                "</manifest:manifest>")
    for path in (book(tmp_path, encrypted),
                 book(tmp_path, ods({"psp": ""}, manifest=manifest), "book.ods")):
        code, out, err = run(["validate", "--data-dir", str(path)])
        assert (code, out) == (2, "")
        assert err == (f"pspctl: error: {path.name}: is protected by a password, so its cells "
                       "cannot be read: open it in a spreadsheet and save a copy without the "
                       "password (Excel: File > Info > Protect Workbook > Encrypt with Password, "
                       "cleared; LibreOffice: File > Save As, 'Save with password' unticked)\n")


def test_two_parts_of_one_name_are_refused(tmp_path: Path) -> None:
    import io
    import warnings
    import zipfile

    buffer = io.BytesIO(xlsx())
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        archive.writestr("xl/worksheets/sheet2.xml", "<worksheet/>")
    path = book(tmp_path, buffer.getvalue())
    assert run(["validate", "--data-dir", str(path)]) == (
        2, "", "pspctl: error: book.xlsx: holds two parts named 'xl/worksheets/sheet2.xml': a "
        "workbook has one of each\n")


# --- values as a spreadsheet shows them -----------------------------------------------------------


def test_a_number_formatted_as_a_date_is_that_date(tmp_path: Path) -> None:
    formats: dict[str, Any] = {}

    def dated(book: Any, sheet: Any, title: str, r: int, c: int, value: object) -> bool:
        if title == "funding" and (r, c) == (1, 5):
            if "date" not in formats:
                formats["date"] = book.add_format({"num_format": "dd/mm/yyyy"})
            sheet.write_number(r, c, 42461, formats["date"])  # shown as 01/04/2016
            return True
        return False

    path = program_book(tmp_path / "date.xlsx", dated)
    assert problems(path) == [
        "date.xlsx: funding!F2: column amount_gbp: bad amount '2016-04-01': write it "
        "as 1234, 1234.50, 1,234.00 or £1,234 [bad-amount]"]


# --- any spelling reads back to the same facts ----------------------------------------------------


def _rows_of(folder: Path, name: str) -> list[list[object]]:
    """A CSV file's rows, the amounts as numbers where the text is a plain number."""
    import csv

    from pspctl.money import parse_pence

    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
        rows: list[list[object]] = [list(r) for r in csv.reader(handle)]
    header = rows[0]
    for row in rows[1:]:
        for n, label in enumerate(header):
            if label == "amount_gbp" and row[n]:
                pence = parse_pence(row[n])
                row[n] = pence // 100 if pence % 100 == 0 else pence / 100
            elif row[n] == "":
                row[n] = None
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.sampled_from(["", "x:", "ss:"]), st.sampled_from(['"', "'"]),
       st.sampled_from(["all", "none", "some"]), st.sampled_from([0.0, 0.3, 1.0]),
       st.sampled_from([0.0, 0.3, 1.0]), st.booleans(), st.booleans(), st.integers(0, 1000),
       st.permutations(range(4)))
def test_any_ledger_in_any_spelling_reads_back_to_the_same_facts(
        ledger: Ledger, prefix: str, quote: str, references: str, inline: float,
        formulas: float, spaces: bool, cdata: bool, seed: int, order: list[int]) -> None:
    """Written in any spelling the format allows (prefixes, quoting, with and without
    references, shared or inline strings, formulas with their computed values, whitespace,
    CDATA, the sheets in any order), any ledger reads back to the facts of its CSV files; and
    a sheet in the plain spelling reads the same by expat as by the plain path."""
    import tempfile

    from pspctl import _sheets

    with tempfile.TemporaryDirectory() as directory:
        folder = ledger.write(Path(directory) / "folder")
        tables = {name: _rows_of(folder, name) for name in ("psp", "funding", "totals",
                                                            "outcomes")}
        spelling = Spelling(prefix, quote, references, inline, formulas, spaces, cdata, seed,
                            list(order))
        path = Path(directory) / "book.xlsx"
        path.write_bytes(xlsx(tables, spelling))
        from_csv, from_book = loader.load(folder), loader.load(path)
        raw = path.read_bytes()
        plain = _sheets.read_book(raw, "book.xlsx", list(tables), LIMIT)
        original = _sheets._plain_sheet
        try:
            _sheets._plain_sheet = lambda *_: None  # type: ignore[assignment]
            by_expat = _sheets.read_book(raw, "book.xlsx", list(tables), LIMIT)
        finally:
            _sheets._plain_sheet = original
    assert reports.differences(from_csv, from_book).same
    for name in ("psp", "funding", "totals", "outcomes"):
        assert getattr(from_book, name).drop(columns="line").equals(
            getattr(from_csv, name).drop(columns="line"))
    assert plain == by_expat


# The plain spelling as pspctl first checked it: every row, cells and all, matched by one
# pattern (_ROW_PLAIN.sub left nothing), to which the plain path now adds that a row's
# attributes come in the schema's order or openpyxl's (so never two of one name). The plain
# path splits the cells out and checks what is left; this is the reference it is held to.
_ORDERS = (["spans", "s", "customFormat", "ht", "hidden", "customHeight", "outlineLevel",
            "collapsed", "thickTop", "thickBot", "ph"],
           ["spans", "hidden", "outlineLevel", "collapsed", "ht", "customFormat",
            "customHeight", "s", "thickBot", "thickTop", "ph"])


def _in_order(names: list[str]) -> bool:
    return any([name for name in order if name in names] == names and len(set(names))
               == len(names) for order in _ORDERS)


def _plain_reference(text: str) -> bool:
    rows = [re.findall(r' ([A-Za-z:]+)="', tag)[1:]
            for tag in re.findall(r"<row r=[^>]*>", text)]
    return not _ROW_PLAIN.sub("", text) and all(_in_order(names) for names in rows)


_ROW_ATTRIBUTE = (r' (?:spans|s|customFormat|ht|customHeight|hidden|outlineLevel|collapsed'
                  r'|thickTop|thickBot|ph|x14ac:dyDescent)="[^"<&]*"')
_CELL_PLAIN = (r'<c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]{1,9}")?(?: t="(?:s|n|b|str|e|d)")?'
               r'(?: cm="[0-9]{1,9}")?(?: vm="[0-9]{1,9}")?(?: ph="(?:0|1|true|false)")?'
               r'(?:/>|><v>[^<&]*</v></c>|></c>)')
_ROW_PLAIN = re.compile(r'<row r="[0-9]{1,7}"(?:' + _ROW_ATTRIBUTE + r")*(?:/>|>(?:"
                        + _CELL_PLAIN + r")*</row>)")

_ODD_ATTRIBUTES = st.lists(st.sampled_from([' s="1"', ' s="x"', ' t="s"', ' t="n"', ' t="str"',
                                            ' t="b"', ' t="e"', ' t="d"', ' t="inlineStr"',
                                            ' cm="1"', ' vm="2"', ' ph="1"', ' ph="yes"',
                                            " t='s'"]), max_size=4).map("".join)
# a cell's attributes as the plain spelling writes them: each at most once, in order
_PLAIN_ATTRIBUTES = st.tuples(*[st.sampled_from(["", *choices]) for choices in (
    [' s="0"', ' s="3"'], [' t="s"', ' t="n"', ' t="str"', ' t="b"', ' t="e"', ' t="d"'],
    [' cm="1"'], [' vm="2"'], [' ph="1"', ' ph="false"'])]).map("".join)
_ENDS = st.sampled_from(["/>", "></c>", "><v>{}</v></c>", "><v>{}</v></c>", "><v>{}</v></c>",
                         "><f>1+1</f><v>{}</v></c>", "><v>{}</v><v>1</v></c>"])
_VALUES = st.sampled_from(["0", "1", "05", "99", " 2.5 ", "", "x", "&amp;", "TRUE", "#N/A",
                           "2016-04-01", "42000"])


@st.composite
def _cells(draw: st.DrawFn, plain: bool = False) -> str:
    references = ['r="A1"', 'r="B1"', 'r="A2"', 'r="C3"', 'r="B2"', 'r="A3"', 'r="C1"']
    if not plain:
        references += ['r="a1"', "", 'r="A9999999"', 'r="XFE1"', 'r="A0"']
    attributes = draw(_PLAIN_ATTRIBUTES if plain else st.one_of(_PLAIN_ATTRIBUTES,
                                                                _ODD_ATTRIBUTES))
    ends = _ENDS if not plain else st.sampled_from(["/>", "></c>", "><v>{}</v></c>"])
    end = draw(ends).format(draw(_VALUES))
    return f"<c {draw(st.sampled_from(references))}{attributes}{end}".replace("<c  ", "<c ")


@st.composite
def _rows(draw: st.DrawFn, plain: bool = False) -> str:
    numbers = ["1", "2", "3", "4"] + ([] if plain else ["0", "x", "05", "1048577"])
    names = [' spans="1:3"', ' hidden="1"', ' ht="15"', ' s="1"']
    attributes = ("".join(sorted(draw(st.sets(st.sampled_from(names))), key=names.index))
                  if plain else "".join(draw(st.lists(st.sampled_from([*names, ' foo="1"']),
                                                      max_size=3))))
    cells = draw(st.lists(_cells(plain), max_size=4))
    if not cells and draw(st.booleans()):
        return f'<row r="{draw(st.sampled_from(numbers))}"{attributes}/>'
    return f'<row r="{draw(st.sampled_from(numbers))}"{attributes}>{"".join(cells)}</row>'


# sheets mostly in the plain spelling, and sheets with anything in them
_SHEET_TEXT = st.one_of(
    st.lists(_rows(plain=True), max_size=5).map("".join),
    st.lists(st.one_of(_rows(plain=True), _rows(), _rows(), _cells(),
                       st.sampled_from([" ", "\n", "x", "</row>", '<row r="4">', "<!-- c -->",
                                        "\0", "</sheetData><sheetData>", "<sheetData/>"])),
             max_size=5).map("".join))


@settings(max_examples=600, deadline=None)
@given(_SHEET_TEXT)
def test_the_plain_path_reads_what_expat_reads(text: str) -> None:
    """Any sheet: the plain path takes it exactly when the pattern of whole rows does (the
    reference above) and expat reads it, and reads it as expat does, cell for cell and problem
    for problem (or with the same one line)."""
    from pspctl import _sheets
    from pspctl.errors import InputError

    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'
             f"<sheetData>{text}</sheetData></worksheet>")
    raw = xlsx(sheets={"funding": sheet})

    def read() -> object:
        try:
            return _sheets.read_book(raw, "book.xlsx", ["funding"], LIMIT)["funding"]
        except InputError as error:
            return str(error)

    original, taken = _sheets._plain_sheet, []

    def watched(*args: Any) -> object:
        taken.append(original(*args))
        return taken[-1]

    try:
        _sheets._plain_sheet = watched  # type: ignore[assignment]
        plain = read()
        _sheets._plain_sheet = lambda *_: None  # type: ignore[assignment]
        by_expat = read()
    finally:
        _sheets._plain_sheet = original
    # a row numbered 0, 05 or past 999,999 is left to expat, as is any sheet expat refuses (a
    # cell or row beyond a sheet's last, malformed XML)
    odd = re.search(r'<row r="(?:0|[0-9]{7}")', text)
    if taken:
        assert (taken[0] is not None) == (not isinstance(by_expat, str) and "\0" not in text
                                          and not odd and _plain_reference(text))
    assert plain == by_expat


def test_a_sheet_plain_only_at_first_reads_as_expat_reads_it() -> None:
    """The plain path reads a sheet a megabyte at a time; one found in another spelling after
    the first megabyte is read again by expat from the start, so what the plain path had seen
    (a duplicate cell, a hidden row) is said once, not twice."""
    from pspctl import _sheets

    rows = ['<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>',
            '<row r="2" hidden="1"><c r="A2"><v>3</v></c></row>']
    rows += [f'<row r="{n}"><c r="A{n}" t="str"><v>{"x" * 90}</v></c></row>'
             for n in range(3, 15_003)]
    rows.append('<row r="15003"><c r="A15003"><f>1+1</f><v>2</v></c></row>')
    assert len("".join(rows)) > 1 << 20
    raw = xlsx(sheets={"funding": f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet '
                                  f'xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData>'
                                  "</worksheet>"})
    read = _sheets.read_book(raw, "book.xlsx", ["funding"], LIMIT)["funding"]
    assert not isinstance(read, tuple)
    assert read.problems == [(1, "A1", "duplicate-cell", "the file holds two cells at this "
                              "place (a damaged workbook): a spreadsheet shows one of them")]
    assert read.hidden_rows == {2}
    assert len(read.rows) == 15_003 and read.rows[-1] == (15_003, ["2"])


def _outcomes_sheet(rows: str) -> bytes:
    """:data:`SMALL` with the outcomes sheet's rows written as ``rows`` (``HEADER`` and
    ``ROW2`` stand for its two rows in the plain spelling, without the row elements)."""
    header = "".join(f'<c r="{chr(65 + n)}1" t="str"><v>{label}</v></c>'
                     for n, label in enumerate(SMALL["outcomes"][0]))
    second = ('<c r="A2" t="str"><v>p0</v></c><c r="B2" t="str"><v>x</v></c><c r="C2"><v>1</v>'
              '</c><c r="E2" t="str"><v>t</v></c>')
    body = rows.replace("HEADER", header).replace("ROW2", second)
    return xlsx(sheets={"outcomes": f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet '
                                    f'xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'})


@pytest.mark.parametrize(("rows", "code", "out", "err"), [
    ('<row r="1" spans="1:5" spans="1:5">HEADER</row><row r="2">ROW2</row>', 2, "",
     "pspctl: error: book.xlsx: the sheet 'outcomes' (xl/worksheets/sheet4.xml) is not "
     "well-formed XML: line 2, column 112: duplicate attribute\n"),
    ('<row r="1">HEADER</row><row r="2">ROW2</row><row r="0"></row>', 2, "",
     "pspctl: error: book.xlsx: the sheet 'outcomes' (xl/worksheets/sheet4.xml) has a row "
     "numbered 0, beyond a sheet's last row (1,048,576)\n"),
    ('<row r="1">HEADER</row><row r="2">ROW2<c r="D2" t="s"/></row>', 0, "valid: {path}\n",
     ""),
])
def test_a_sheet_in_the_plain_spelling_is_read_as_any_other(
        tmp_path: Path, rows: str, code: int, out: str, err: str) -> None:
    """What the plain path once read otherwise than expat: a row with an attribute twice and a
    row numbered 0 are refused (they were read); a cell of text type without a value is blank
    (it was a damaged-workbook problem)."""
    path = book(tmp_path, _outcomes_sheet(rows))
    assert run(["validate", "--data-dir", str(path)]) == (code, out.format(path=path), err)


def test_the_plain_path_reads_what_spreadsheets_write(tmp_path: Path) -> None:
    """The plain spelling is what XlsxWriter (pspctl's own export) writes: its sheets never
    need expat's element-by-element reading."""
    from pspctl import _sheets

    code, _, _ = run(["export", "--format", "workbook", "-o", str(tmp_path / "b.xlsx")])
    assert code == 0
    raw = (tmp_path / "b.xlsx").read_bytes()
    read = _sheets.read_book(raw, "b.xlsx", ["funding"], LIMIT)["funding"]
    original = _sheets._SheetCells
    try:
        _sheets._SheetCells = None  # type: ignore[assignment,misc]
        assert _sheets.read_book(raw, "b.xlsx", ["funding"], LIMIT)["funding"] == read
    finally:
        _sheets._SheetCells = original


def test_a_program_s_formulas_read_once_a_spreadsheet_has_computed_them(tmp_path: Path) -> None:
    """XlsxWriter's formulas are no figures; the same workbook opened, recalculated and saved by
    LibreOffice (set to recalculate on load, as the no-value message says) is valid and
    exact."""
    from test_xlsx import PROFILE, soffice

    office = soffice()

    def formula(_: Any, sheet: Any, title: str, r: int, c: int, value: object) -> bool:
        if r and SMALL[title][0][c] == "amount_gbp":
            sheet.write_formula(r, c, f"={value}*2-{value}")
            return True
        return False

    path = program_book(tmp_path / "program.xlsx", formula)
    assert [(p.place, p.kind) for p in loader.validate(path)] == [
        ("funding!F2", "no-value"), ("totals!F2", "no-value")]
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    subprocess.run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                    str(tmp_path / "saved"), str(path)],
                   check=True, capture_output=True, timeout=180)
    assert run(["funding", "--by-year", "-f", "csv", "--data-dir",
                str(tmp_path / "saved" / "program.xlsx")]) == (
        0, "year,government_gbp\n2013-14,51139\n", "")


def test_export_writes_the_data_or_nothing(tmp_path: Path) -> None:
    import csv
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.json", "*.md"))
    with open(folder / "psp.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[3][rows[0].index("table_note")] = "n" * 40_000
    with open(folder / "psp.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert run(["validate", "--data-dir", str(folder)])[0] == 0
    target = tmp_path / "edition.xlsx"
    assert run(["export", "--format", "workbook", "-o", str(target), "--data-dir",
                str(folder)]) == (
        2, "", "pspctl: error: psp!I4 (row 4, column table_note): a text of 40,000 characters, "
        "more than a workbook cell holds (32,767): nothing written; write csv instead, which "
        "holds it whole\n")
    assert not target.exists()
    # a text that fits, however long, is written whole and reads back the same
    rows[3][rows[0].index("table_note")] = "n" * 32_767
    with open(folder / "psp.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert run(["export", "--format", "workbook", "-o", str(target), "--data-dir",
                str(folder)]) == (0, "", "")
    assert run(["diff", str(folder), str(target)])[1].splitlines()[-1] == (
        "the editions hold the same facts")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.booleans(), st.booleans())
def test_any_ledger_as_ods_reads_back_the_same_by_both_paths(
        ledger: Ledger, trailing: bool, annotated: bool) -> None:
    """An .ods file as LibreOffice writes it (every row ending in a repeated blank cell) is read
    by the plain path; with an annotation (a comment) in a cell, by expat; both give the facts
    of the CSV files."""
    import tempfile

    from pspctl import _sheets

    with tempfile.TemporaryDirectory() as directory:
        folder = ledger.write(Path(directory) / "folder")
        tables = {name: ods_rows(_rows_of(folder, name)) for name in ("psp", "funding",
                                                                        "totals", "outcomes")}
        if trailing:
            tables = {name: rows.replace("</table:table-row>", '<table:table-cell table:number-'
                                         'columns-repeated="16000"/></table:table-row>')
                      for name, rows in tables.items()}
        if annotated:  # a comment's text is not the cell's
            tables["psp"] = tables["psp"].replace(
                "<text:p>", "<office:annotation><text:p>a comment</text:p></office:annotation>"
                "<text:p>", 1)
        path = Path(directory) / "book.ods"
        path.write_bytes(ods(tables))
        from_csv, from_book = loader.load(folder), loader.load(path)
        raw = path.read_bytes()
        original = _sheets._plain_ods
        plain: list[bool] = []

        def watched(*args: object) -> bool:
            plain.append(original(*args))  # type: ignore[arg-type]
            return plain[-1]

        try:
            _sheets._plain_ods = watched  # type: ignore[assignment]
            first = _sheets.read_book(raw, "book.ods", list(tables), LIMIT)
            _sheets._plain_ods = lambda *_: False  # type: ignore[assignment]
            by_expat = _sheets.read_book(raw, "book.ods", list(tables), LIMIT)
        finally:
            _sheets._plain_ods = original
    assert plain == [not annotated]
    assert first == by_expat
    assert reports.differences(from_csv, from_book).same
    for name in ("psp", "funding", "totals", "outcomes"):
        assert getattr(from_book, name).drop(columns="line").equals(
            getattr(from_csv, name).drop(columns="line"))


HIDDEN = ("the {what} is hidden: pspctl reads what a person sees, so unhide it (or delete it if "
          "its figures are not meant to count) [hidden-{what}]")


@pytest.mark.parametrize("inline", [0.0, 1.0])  # the plain path, and expat's
def test_a_hidden_row_or_column_holding_figures_is_a_problem(tmp_path: Path,
                                                            inline: float) -> None:
    tables = with_funding([ROW, [*ROW[:1], "2014-15", *ROW[2:]]])
    content = edited(xlsx(tables, Spelling(inline=inline)), "xl/worksheets/sheet2.xml",
                     '<row r="3">', '<row r="3" hidden="1">')
    content = edited(content, "xl/worksheets/sheet2.xml", "<sheetData>",
                     '<cols><col min="6" max="6" width="12" hidden="true"/></cols><sheetData>')
    path = book(tmp_path, content)
    assert problems(path) == [
        f"book.xlsx: funding!F1: column amount_gbp: {HIDDEN.format(what='column')}",
        f"book.xlsx: funding row 3: {HIDDEN.format(what='row')}"]
    # a hidden row with nothing in it hides nothing
    blank = edited(xlsx(), "xl/worksheets/sheet2.xml", "</sheetData>",
                   '<row r="9" hidden="1"><c r="A9" t="inlineStr"><is><t> </t></is></c></row>'
                   "</sheetData>")
    assert problems(book(tmp_path, blank, "blank.xlsx")) == []


def test_a_hidden_ods_row_or_column_is_a_problem(tmp_path: Path) -> None:
    tables = {name: ods_rows(table) for name, table in SMALL.items()}
    tables["funding"] = ('<table:table-column table:number-columns-repeated="5"/>'
                         '<table:table-column table:visibility="collapse"/>' + tables["funding"])
    tables["totals"] = tables["totals"].replace(
        "<table:table-row>", '<table:table-row table:visibility="filter">', 2).replace(
        '<table:table-row table:visibility="filter">', "<table:table-row>", 1)
    path = book(tmp_path, ods(tables), "book.ods")
    assert problems(path) == [
        f"book.ods: funding!F1: column amount_gbp: {HIDDEN.format(what='column')}",
        f"book.ods: totals row 2: {HIDDEN.format(what='row')}"]
