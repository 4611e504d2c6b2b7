"""Workbooks: money as numbers with a £ format, live SUM totals, reconcile's difference as a
formula, text stored as text, the header frozen; recalculated by LibreOffice, every total is
the figure pspctl prints."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SMALL, data_dir_from, run

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")


def workbook(tmp_path: Path, *args: str) -> object:
    target = tmp_path / "out.xlsx"
    code, out, err = run([*args, "-o", str(target)])
    assert (code in (0, 1), out, err) == (True, "", "")
    return openpyxl.load_workbook(target)


def test_matrix_money_numbers_and_live_totals(tmp_path: Path) -> None:
    book = workbook(tmp_path, "funding", "--data-dir", str(SMALL))
    sheet = book.worksheets[0]
    assert sheet.title == "Scottish Government funds"
    assert sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["psp_id", "name", "2012-13", "2013-14", "total_gbp"]
    assert rows[1] == ["alpha", "Alpha Partnership", 1000, 2000.5, 3000.5]
    assert rows[3][2] == 0  # gamma had no 2012-13 cell: no funding, a number shown as "-"
    assert sheet["C4"].number_format == '"£"#,##0.00;-"£"#,##0.00;"-"'
    assert rows[-1] == ["Total", None, "=SUM(C2:C4)", "=SUM(D2:D4)", "=SUM(E2:E4)"]
    money = sheet["D2"]
    assert (money.data_type, money.number_format) == ("n", '"£"#,##0.00;-"£"#,##0.00;"-"')
    assert sheet.column_dimensions["B"].width > 10
    assert book.worksheets[-1].title == "Notes"


def test_reconcile_difference_is_a_formula(tmp_path: Path) -> None:
    sheet = workbook(tmp_path, "reconcile").worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == ["check", "scope", "published_gbp", "computed_gbp", "difference_gbp",
                      "status"]
    assert [c.value for c in sheet[3]] == ["footing", "2013-14", 462372, 462072, "=C3-D3",
                                           "MISMATCH"]


def test_text_is_stored_as_text_never_as_a_formula(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    funding = directory / "funding.csv"
    funding.write_text(funding.read_text().replace("Alpha Council,local authority",
                                                   '"=HYPERLINK(""http://x"")",+1'))
    psp = directory / "psp.csv"
    psp.write_text(psp.read_text().replace("Alpha Partnership", "=1+1"))
    sheet = workbook(tmp_path, "compare", "--data-dir", str(directory)).worksheets[0]
    row = {h.value: c for h, c in zip(sheet[1], sheet[2])}
    assert (row["name"].value, row["name"].data_type) == ("=1+1", "s")
    assert (row["funders"].value, row["funders"].data_type) == ('=HYPERLINK("http://x")', "s")
    assert (row["funder_sector"].value, row["funder_sector"].data_type) == ("+1", "s")


def test_a_workbook_needs_a_file(tmp_path: Path) -> None:
    assert run(["funding", "-f", "xlsx"]) == (
        2, "", "pspctl: error: a workbook is written to a file: give -o FILE.xlsx\n")


def test_the_pack_as_a_workbook(tmp_path: Path) -> None:
    target = tmp_path / "pack.xlsx"
    assert run(["report", "-o", str(target)]) == (0, "", "")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Scottish Government funds", "Reconciliation of Table 3",
                               "Candidate explanations of the", "Additional funds against",
                               "Observations (analytical", "Round figures per year (whole",
                               "Notes"]
    notes = [row[0].value for row in book["Notes"].iter_rows()]
    assert any(n.startswith("Reconciliation: MISMATCH: 6 of 14") for n in notes)


# --- recalculated by LibreOffice ---------------------------------------------------------------


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI must install LibreOffice (.ci/run does): workbooks are recalculated")
    pytest.skip("no LibreOffice here")


PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculated(book: Path, as_shown: bool = False) -> list[list[str]]:
    """The first sheet as LibreOffice computes it, every cached formula value zeroed first (so
    that only a recalculation can give the figures); ``as_shown``: each cell as its number
    format shows it."""
    work = Path(tempfile.mkdtemp())
    zeroed = work / "zeroed.xlsx"
    with zipfile.ZipFile(book) as old, zipfile.ZipFile(zeroed, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)
            new.writestr(item, data)
    profile = work / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
                    f"{'true' if as_shown else 'false'},false",
                    "--outdir", str(work), str(zeroed)],
                   capture_output=True, timeout=180, check=True)
    return list(csv.reader(io.StringIO((work / "zeroed.csv").read_text(encoding="utf-8"))))


@pytest.mark.parametrize("command", [["funding"], ["funding", "--by-year"],
                                     ["funding", "--by-psp"], ["list"], ["compare"]])
def test_totals_recalculated_are_the_figures_pspctl_prints(tmp_path: Path,
                                                          command: list[str]) -> None:
    target = tmp_path / "t.xlsx"
    assert run([*command, "-o", str(target)]) == (0, "", "")
    sheet = recalculated(target)
    printed = list(csv.reader(io.StringIO(run([*command, "-f", "csv", "--totals"])[1])))
    assert sheet[0] == printed[0]
    for column, (ours, theirs) in enumerate(zip(printed[-1], sheet[-1])):
        if printed[0][column].endswith("_gbp") and ours and column:
            assert Decimal(theirs) == Decimal(ours), (command, printed[0][column])
    assert sheet[-1][0] == "Total"


def test_reconcile_differences_recalculated(tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    assert run(["reconcile", "-o", str(target)]) == (1, "", "")
    sheet = recalculated(target)
    printed = list(csv.reader(io.StringIO(run(["reconcile", "-f", "csv"])[1])))
    assert [Decimal(row[4]) for row in sheet[1:]] == [Decimal(row[4]) for row in printed[1:]]
    assert Decimal(sheet[2][4]) == Decimal(300)


def test_every_figure_fits_its_column(tmp_path: Path) -> None:
    """A column narrower than its figure shows ### in a spreadsheet: a cut figure."""
    sheet = workbook(tmp_path, "funding").worksheets[0]
    total = sheet.cell(row=sheet.max_row, column=sheet.max_column)
    assert total.value.startswith("=SUM(")
    letter = total.column_letter
    assert sheet.column_dimensions[letter].width >= len("£2,759,068.00") + 1
    for column in "CDEFGH":
        assert sheet.column_dimensions[column].width >= len("£500,000.00") + 1
    assert sheet.page_setup.orientation == "landscape"


def test_one_rounding_for_a_figure_in_every_format(tmp_path: Path) -> None:
    """Elevate's leverage is exactly 0.825: 0.83 in the workbook (LibreOffice shows its number
    format) and in every text format, half away from zero; the csv keeps it exact."""
    target = tmp_path / "c.xlsx"
    assert run(["compare", "-o", str(target)]) == (0, "", "")
    sheet = recalculated(target, as_shown=True)
    row = next(r for r in sheet if r[0] == "elevate")
    leverage = sheet[0].index("leverage")
    assert row[leverage] == "0.83"
    for fmt in ("table", "markdown"):
        shown = next(line for line in run(["compare", "-f", fmt])[1].splitlines()
                     if "Elevate " in line)
        assert " 0.83 " in shown and "0.82" not in shown, fmt
    assert "elevate,Elevate,200000,165000,365000,0.825," in run(["compare", "-f", "csv"])[1]
