"""Workbooks as data: export --format workbook, read back wherever a data folder is read, every
validate rule with its problem named by sheet and cell, money typed as numbers exact to the
penny, and error cells never read as blanks."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import REPO, TESTS, data_dir_from, run
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Ledger, ledgers

from pspctl import loader, reports
from pspctl.errors import InputError, UsageError
from pspctl.money import parse_pence

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

DATA = REPO / "data"


def exported(tmp_path: Path, data: Path = DATA, name: str = "book.xlsx") -> Path:
    book = tmp_path / name
    code, out, err = run(["export", "--format", "workbook", "-o", str(book),
                          "--data-dir", str(data)])
    assert (code, out, err) == (0, "", "")
    return book


def edited(book: Path, cells: dict[str, object], name: str = "edited.xlsx") -> Path:
    """A copy of ``book`` with ``cells`` (``"funding!F5": value``) typed in, as a spreadsheet
    user would."""
    workbook = openpyxl.load_workbook(book)
    for ref, value in cells.items():
        sheet, cell = ref.split("!")
        workbook[sheet][cell] = value
    target = book.with_name(name)
    workbook.save(target)
    return target


# --- the round trip ----------------------------------------------------------------------------


def test_export_and_read_back_hold_the_same_facts_to_the_penny(tmp_path: Path) -> None:
    from_csv, from_book = loader.load(DATA), loader.load(exported(tmp_path))
    for name in ("psp", "funding", "totals", "outcomes"):
        pd.testing.assert_frame_equal(getattr(from_book, name), getattr(from_csv, name),
                                      check_dtype=False)
    government = from_book.funding[from_book.funding["stream"] == "government"]
    assert int(government["amount_pence"].sum()) == 275_906_800  # Table 3's cells, £2,759,068
    code, out, err = run(["diff", str(DATA), str(tmp_path / "book.xlsx")])
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "the editions hold the same facts"


@settings(max_examples=25, deadline=None)
@given(ledgers(offs=False))
def test_any_ledger_round_trips_through_a_workbook(ledger: Ledger) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = ledger.write(Path(directory) / "folder")
        book = Path(directory) / "book.xlsx"
        assert run(["export", "--format", "workbook", "-o", str(book), "--data-dir",
                    str(folder)]) == (0, "", "")
        from_csv, from_book = loader.load(folder), loader.load(book)
    for name in ("psp", "funding", "totals", "outcomes"):
        pd.testing.assert_frame_equal(getattr(from_book, name), getattr(from_csv, name),
                                      check_dtype=False)
    assert reports.differences(from_csv, from_book).same


def test_the_workbook_has_the_sheets_and_columns_of_the_files(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(exported(tmp_path))
    assert workbook.sheetnames == ["psp", "funding", "totals", "outcomes"]
    funding = workbook["funding"]
    assert [c.value for c in funding[1]] == [
        "psp_id", "year", "stream", "funder", "funder_sector", "amount_gbp", "source"]
    low_moss = [row for row in funding.iter_rows(min_row=2, values_only=True)
                if row[0] == "low-moss" and row[1] == "2013-14"]
    assert low_moss[0][5] == 183000  # a number, not text
    assert funding["F2"].number_format == '"£"#,##0.00'
    assert funding["B2"].data_type == "s"  # a year stays text


def test_a_corrected_workbook_says_what_changed_as_the_corrected_folder_does(
        tmp_path: Path) -> None:
    book = exported(tmp_path)
    workbook = openpyxl.load_workbook(book)
    rows = list(workbook["funding"].iter_rows(min_row=2))
    cell = next(r[5] for r in rows if r[0].value == "low-moss" and r[1].value == "2013-14")
    corrected = edited(book, {f"funding!{cell.coordinate}": 183300})
    folder = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=DATA)
    from_book = run(["diff", str(book), str(corrected)])
    assert from_book == run(["diff", str(DATA), str(folder)])
    assert from_book[0] == 1
    assert from_book[1].splitlines()[-1] == (
        "the editions differ: 1 fact changed; 6 reconciliation checks change")
    assert run(["reconcile", "--data-dir", str(corrected), "--quiet"]) == (0, "", "")


# --- problems by sheet and cell ----------------------------------------------------------------


def test_a_bad_cell_on_each_sheet_is_named_by_its_sheet_and_cell(tmp_path: Path) -> None:
    bad = edited(exported(tmp_path), {
        "psp!H3": "private",  # lead_sector
        "funding!F5": 1234.567,  # amount_gbp: not a whole number of pence
        "totals!D4": "2013/14",  # year
        "outcomes!C2": 12.5,  # value: not a whole number
    })
    code, out, err = run(["validate", "--data-dir", str(bad), "-f", "csv"])
    assert (code, err) == (1, "")
    assert out == (
        "file,place,line,column,kind,message\n"
        "edited.xlsx,psp!H3,3,lead_sector,bad-value,'private' is not allowed: use public or "
        "third\n"
        'edited.xlsx,funding!F5,5,amount_gbp,bad-amount,"the number 1234.567 is not a whole '
        'number of pence (rounded to 15 significant digits, as a spreadsheet keeps it)"\n'
        "edited.xlsx,totals!D4,4,year,bad-year,\"bad year '2013/14': write a "
        'financial year as YYYY-YY with consecutive years, from 1900-01 to 2099-00, e.g. '
        '2013-14"\n'
        "edited.xlsx,outcomes!C2,2,value,bad-integer,'12.5' is not a whole number\n")
    code, out, _ = run(["validate", "--data-dir", str(bad), "-f", "markdown"])
    assert out.splitlines()[0].split() == [  # for people the place says the row
        "|", "file", "|", "place", "|", "column", "|", "kind", "|", "message", "|"]
    assert out.splitlines()[3].startswith("| edited.xlsx | funding!F5  | amount_gbp  | ")
    with pytest.raises(Exception) as raised:
        loader.load(bad)
    assert str(raised.value).startswith(
        "edited.xlsx: psp!H3: column lead_sector: 'private' is not allowed: use public or "
        "third [bad-value] (and 3 more problems")


def test_rules_between_tables_name_cells_too(tmp_path: Path) -> None:
    bad = edited(exported(tmp_path), {"funding!A3": "low-mos", "psp!A20": None})
    problems = loader.validate(bad)
    assert [(p.place, p.kind) for p in problems] == [("funding!A3", "unknown-psp")]
    assert str(problems[0]).startswith(
        "book.xlsx: funding!A3: column psp_id: unknown psp_id 'low-mos': not in psp.csv"
        .replace("book.xlsx", "edited.xlsx"))


def test_rows_and_sheets_as_places(tmp_path: Path) -> None:
    book = exported(tmp_path)
    last = openpyxl.load_workbook(book)["funding"].max_row
    bad = edited(book, {f"funding!A{last + 2}": "low-moss",  # a row after a blank one
                        "funding!H3": "a note beyond the last column"})
    problems = loader.validate(bad)
    places = [(p.place, p.kind) for p in problems]
    assert places[0] == ("funding row 3", "extra-cell")
    assert str(problems[0]).startswith(
        "edited.xlsx: funding row 3: a cell beyond the last column (H3): the header has 7 "
        "columns")
    assert (f"funding row {last + 1}", "blank-row") in places
    assert (f"funding!C{last + 2}", "blank-cell") in places  # stream is required
    header = edited(book, {"totals!C1": "psp"}, name="header.xlsx")
    assert [(p.place, p.kind) for p in loader.validate(header)] == [
        ("totals!C1", "unknown-column"), ("totals row 1", "missing-column")]


def test_trailing_blank_rows_and_other_sheets_are_ignored(tmp_path: Path) -> None:
    book = exported(tmp_path)
    workbook = openpyxl.load_workbook(book)
    workbook["funding"]["A200"] = "   "
    workbook.create_sheet("Notes")["A1"] = "corrected by hand"
    workbook.save(tmp_path / "more.xlsx")
    assert loader.validate(tmp_path / "more.xlsx") == []


def test_an_error_cell_is_a_problem_never_a_blank(tmp_path: Path) -> None:
    def errors(workbook: Any) -> None:
        workbook.get_worksheet_by_name("funding").write_formula("F2", "=1/0", None, "#DIV/0!")
        workbook.get_worksheet_by_name("psp").write_formula("E2", "=NA()", None, "#N/A")

    problems = loader.validate(_book(tmp_path / "errors.xlsx", _small_tables(), errors))
    assert [(p.place, p.kind, p.message) for p in problems] == [
        ("psp!E2", "error-value", "the cell holds '#N/A', an error, not a figure: correct the "
         "formula or type the value"),
        ("funding!F2", "error-value", "the cell holds '#DIV/0!', an error, not a figure: "
         "correct the formula or type the value"),
    ]


def test_a_formula_saved_without_its_value_is_a_problem_never_a_blank(tmp_path: Path) -> None:
    # openpyxl, as many programs, saves a formula without computing it (an empty <v/>)
    book = edited(exported(tmp_path), {"funding!E2": '=LOWER("GOVERNMENT")',
                                       "totals!F3": "=SUM(1,2)"})
    assert [(p.place, p.kind) for p in loader.validate(book)] == [
        ("funding!E2", "no-value"), ("totals!F3", "no-value")]
    assert str(loader.validate(book)[0]) == (
        "edited.xlsx: funding!E2: column funder_sector: the cell holds a formula saved without "
        "its value (a program wrote the file, no spreadsheet calculated it): open and save it in "
        "a spreadsheet, or type the value [no-value]")


def _small_tables() -> dict[str, list[list[object]]]:
    """The smallest valid data (tests/workbooks.py), its figures £100: a fresh copy."""
    from workbooks import SMALL

    tables = {name: [list(row) for row in rows] for name, rows in SMALL.items()}
    tables["funding"][1][5] = tables["totals"][1][5] = 100
    return tables


# --- money typed as a number -------------------------------------------------------------------


@pytest.mark.parametrize(("number", "text"), [
    (183000.3, "183000.3"), (183000.0, "183000"), (0.1 + 0.2, "0.3"), (-12.5, "-12.5"),
    (999_999_999_999.99, "999999999999.99"), (1234.567, None), (0.001, None),
    (math.nan, None), (math.inf, None),
])
def test_money_typed_as_a_number(number: float, text: str | None) -> None:
    from pspctl._workbook import _money

    assert _money(number) == text


@given(st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1))
def test_every_valid_amount_typed_as_a_number_reads_back_to_the_penny(pence: int) -> None:
    from pspctl._workbook import _money

    text = _money(float(Decimal(pence) / 100))
    assert text is not None and parse_pence(text) == pence


def test_sums_a_spreadsheet_made_are_read_as_shown(tmp_path: Path) -> None:
    tables = _small_tables()
    tables["funding"][1][5] = 0.1 + 0.2  # what =0.1+0.2 saves
    tables["totals"][1][5] = 0.3
    book = _book(tmp_path / "sum.xlsx", tables)
    data = loader.load(book)
    assert data.funding["amount_pence"].tolist() == [30]


def _book(path: Path, tables: dict[str, list[list[object]]],
          then: Callable[[Any], None] | None = None) -> Path:
    """A workbook of ``tables`` written with XlsxWriter; ``then`` writes more before it is
    closed."""
    from workbooks import xlsxwriter_book

    return xlsxwriter_book(path, tables, then=then)


# --- what cannot be read -----------------------------------------------------------------------


def test_not_a_workbook_and_a_missing_sheet_are_unreadable_input(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("psp_id,name\n", encoding="utf-8")
    code, out, err = run(["validate", "--data-dir", str(fake)])
    assert (code, out) == (2, "")
    assert err.startswith("pspctl: error: fake.xlsx: cannot be read as a workbook (")
    tables = _small_tables()
    del tables["outcomes"]
    code, out, err = run(["list", "--data-dir", str(_book(tmp_path / "three.xlsx", tables))])
    assert (code, out, err) == (2, "", "pspctl: error: three.xlsx: no sheet 'outcomes': a "
                                "workbook of pspctl data holds the sheets psp, funding, totals "
                                "and outcomes\n")
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a data folder, nor a workbook"):
        loader.load(other)


def test_a_workbook_that_would_expand_past_the_size_limit_is_refused(tmp_path: Path) -> None:
    book = exported(tmp_path)
    size = book.stat().st_size
    code, out, err = run(["validate", "--data-dir", str(book)],
                         env={"PSPCTL_MAX_BYTES": str(size + 1)})
    assert (code, out) == (2, "")
    assert re.fullmatch(r"pspctl: error: book\.xlsx: expands to [0-9,]+ bytes, over the limit "
                        rf"of {size + 1:,} \(set PSPCTL_MAX_BYTES to raise it\)\n", err), err
    assert run(["validate", "--data-dir", str(book)], env={"PSPCTL_MAX_BYTES": "100"}) == (
        2, "", "pspctl: error: book.xlsx: file is "
        f"{size / 1024:.1f} KiB, over the limit of 100 bytes (set PSPCTL_MAX_BYTES to raise "
        "it) [too-large]\n")


def test_a_fifo_named_as_a_workbook_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "book.xlsx"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "pspctl", "validate", "--data-dir", str(fifo)],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"pspctl: error: {fifo}: is not a regular file (a pipe, a socket "
                             "or a device): pspctl reads files only\n")


def test_reading_a_workbook_needs_no_optional_library(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = _book(tmp_path / "b.xlsx", _small_tables())
    for module in ("python_calamine", "openpyxl", "xlsxwriter"):
        monkeypatch.setitem(sys.modules, module, None)
    assert loader.load(book).funding["amount_pence"].tolist() == [10_000]


def test_export_workbook_is_written_to_an_xlsx_file_only(tmp_path: Path) -> None:
    assert run(["export", "--format", "workbook"]) == (
        2, "", "pspctl: error: --format workbook is written to a file: give -o FILE.xlsx\n")
    assert run(["export", "--format", "workbook", "-o", str(tmp_path / "x.csv")])[0] == 2
    assert run(["export", "--format", "workbook", "-o", str(tmp_path / "x.xlsx"),
                "--id-prefix", "360G-x"]) == (
        2, "", "pspctl: error: --id-prefix: only for --format 360giving\n")
    assert not list(tmp_path.iterdir())


def test_a_table_too_long_for_a_worksheet_is_refused(tmp_path: Path) -> None:
    from pspctl.views import Column, View, table
    from pspctl.writers import xlsx

    frame = pd.DataFrame({"n": range(xlsx.MAX_ROWS - 1)})
    with pytest.raises(UsageError, match="more than a worksheet holds"):
        xlsx.write(View((table("long", (Column("n", "count"),), frame),)))


# --- LibreOffice: a workbook saved by a real spreadsheet, and .ods -----------------------------


def test_workbooks_saved_by_libreoffice_xlsx_and_ods(tmp_path: Path) -> None:
    from test_xlsx import soffice

    office = soffice()
    # psp!K2 comes after three blank cells, which .ods writes as one repeated cell
    bad = edited(exported(tmp_path), {"funding!F5": 1234.567, "totals!F3": "=1/0",
                                      "psp!K2": "=1/0", "funding!B20": "=NA()"})
    profile = tmp_path / "profile"
    for target in ("xlsx:Calc MS Excel 2007 XML", "ods"):
        subprocess.run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", target, "--outdir", str(tmp_path / "lo"), str(bad)],
                       check=True, capture_output=True, timeout=120)
    expected = [("psp!K2", "error-value", "#DIV/0!"), ("funding!F5", "bad-amount", ""),
                ("funding!B20", "error-value", "#N/A"), ("totals!F3", "error-value", "#DIV/0!")]
    for saved in (tmp_path / "lo" / "edited.xlsx", tmp_path / "lo" / "edited.ods"):
        assert [(p.place, p.kind, p.message.split("'")[1] if p.kind == "error-value" else "")
                for p in loader.validate(saved)] == expected, saved.name
    good = tmp_path / "good"
    good.mkdir()
    subprocess.run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "ods", "--outdir", str(good), str(tmp_path / "book.xlsx")],
                   check=True, capture_output=True, timeout=120)
    code, out, _ = run(["diff", str(DATA), str(good / "book.ods")])
    assert (code, out.splitlines()[-1]) == (0, "the editions hold the same facts")
    shutil.rmtree(profile, ignore_errors=True)


# --- hostile text ------------------------------------------------------------------------------

TEXT = st.lists(st.sampled_from(  # "_x0041_" is how OOXML escapes a character: kept literally
    [*'ab ,"\r\n\t|<>=&;-+@\\', "\x1b", "\x07", "\x9b", "\x7f", "£", "漢", "–", "é", "_x0041_"]),
    min_size=1, max_size=12).map("".join).filter(lambda t: t.strip() != "")


@settings(max_examples=60, deadline=None)
@given(TEXT, TEXT)
def test_hostile_text_round_trips_through_a_workbook(name: str, funder: str) -> None:
    """Text a spreadsheet would run as a formula, control characters, XML's escapes: what goes
    into the workbook comes back, cell for cell."""
    import csv as csv_module

    tables = _small_tables()
    tables["psp"][1][1] = name
    tables["funding"].append(["p0", "2014-15", "government", funder, None, 5, "t"])
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory) / "folder"
        folder.mkdir()
        for spec_name, rows in tables.items():
            with (folder / f"{spec_name}.csv").open("w", newline="", encoding="utf-8") as out:
                csv_module.writer(out).writerows(rows)
        book = Path(directory) / "book.xlsx"
        assert run(["export", "--format", "workbook", "-o", str(book), "--data-dir",
                    str(folder)])[0] == 0
        from_csv, from_book = loader.load(folder), loader.load(book)
    assert from_book.psp.at[0, "name"] == from_csv.psp.at[0, "name"] == name.strip()
    assert from_book.funding["funder"].tolist() == from_csv.funding["funder"].tolist()
    assert reports.differences(from_csv, from_book).same


def test_shell_completion_reads_a_workbook_too(tmp_path: Path) -> None:
    book = exported(tmp_path)

    def completed(words: str) -> list[str]:
        env = {**os.environ, "_PSPCTL_COMPLETE": "complete_bash", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()))}
        return subprocess.run([sys.executable, "-m", "pspctl"], capture_output=True, text=True,
                              env=env, timeout=60).stdout.split()

    assert completed(f"pspctl show --data-dir {book} ") == [
        "low-moss", "nhs-lothian", "east-renfrewshire", "the-life-i-want",
        "spt-community-transport", "elevate"]
    assert completed(f"pspctl funding --data-dir {book} --from ") == [
        "2012-13", "2013-14", "2014-15", "2015-16", "2016-17", "2017-18"]
