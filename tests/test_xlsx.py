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
from conftest import REPO, SMALL, TESTS, data_dir_from, run

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
    assert sheet.title == "Table 3"
    assert sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["psp_id", "name", "2012-13_gbp", "2013-14_gbp", "government_gbp"]
    assert rows[1] == ["alpha", "Alpha Partnership", 1000, 2000.5, "=SUM(C2:D2)"]  # across
    assert rows[3][2] == 0  # gamma had no 2012-13 cell: no funding, a number shown as "-"
    assert sheet["C4"].number_format == '"£"#,##0.00;-"£"#,##0.00;"-"'
    assert rows[4] == ["Total", None, "=SUM(C2:C4)", "=SUM(D2:D4)", "=SUM(E2:E4)"]
    assert rows[6] == ["Difference", None, "=C6-C5", "=D6-D5", "=E6-E5"]  # published - total
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
    assert book.sheetnames == ["Table 3", "Reconciliation", "Candidates", "Additional funds",
                               "Observations", "Round figures", "Notes"]
    assert all(len(name) <= 31 for name in book.sheetnames)
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


def recalculated(book: Path, as_shown: bool = False, sheet: int = 1) -> list[list[str]]:
    """A sheet (the first, or the ``sheet``-th) as LibreOffice computes it, every cached
    formula value zeroed first (so that only a recalculation can give the figures);
    ``as_shown``: each cell as its number format shows it."""
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
                    f"{'true' if as_shown else 'false'},false,false,{sheet}",
                    "--outdir", str(work), str(zeroed)],
                   capture_output=True, timeout=180, check=True)
    written = next(work.glob("zeroed*.csv"))  # "zeroed-SHEET.csv": LibreOffice names the sheet
    return list(csv.reader(io.StringIO(written.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("command", [["funding"], ["funding", "--by-year"],
                                     ["funding", "--by-psp"], ["list"], ["compare"]])
def test_totals_recalculated_are_the_figures_pspctl_prints(tmp_path: Path,
                                                          command: list[str]) -> None:
    target = tmp_path / "t.xlsx"
    assert run([*command, "-o", str(target)]) == (0, "", "")
    sheet = recalculated(target)
    printed = _csv_of(*command)
    assert sheet[0] == printed[0]
    totals = next(row for row in sheet if row[0] == "Total")
    for column, (ours, theirs) in enumerate(zip(printed[-1], totals)):
        if printed[0][column].endswith("_gbp") and ours and column:
            assert Decimal(theirs) == Decimal(ours), (command, printed[0][column])
    assert sheet.index(totals) == len(printed) - 1  # the body, then the totals row


def test_reconcile_differences_recalculated(tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    assert run(["reconcile", "-o", str(target)]) == (1, "", "")
    sheet = recalculated(target)
    printed = list(csv.reader(io.StringIO(run(["reconcile", "-f", "csv"])[1])))
    assert [Decimal(row[4]) for row in sheet[1:]] == [Decimal(row[7]) for row in printed[1:]]
    assert Decimal(sheet[2][4]) == Decimal(300)


def test_every_figure_fits_its_column(tmp_path: Path) -> None:
    """A column narrower than its figure shows ### in a spreadsheet: a cut figure."""
    sheet = workbook(tmp_path, "funding").worksheets[0]
    total = sheet.cell(row=8, column=sheet.max_column)
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


def _edited(book: Path, sheet: str, cell: str, value: object) -> Path:
    """``book`` with one cell changed, as a person would change it in a spreadsheet."""
    workbook = openpyxl.load_workbook(book)
    workbook[sheet][cell] = value
    edited = book.with_name("edited.xlsx")
    workbook.save(edited)
    return edited


def _csv_of(*args: str) -> list[list[str]]:
    """The csv with its totals, without the column that marks them (a sheet's rows say)."""
    rows = list(csv.reader(io.StringIO(run([*args, "-f", "csv", "--totals"])[1])))
    assert rows[0][-1] == "row"
    return [row[:-1] for row in rows]


def test_an_edited_matrix_refoots_and_cross_foots(tmp_path: Path) -> None:
    """Low Moss 2013-14 changed from 183,000 to 183,300 in the sheet and recalculated: its row
    total, the 2013-14 total, the corner and the differences from the published figures are
    those pspctl gives for the corrected data; the £300 of 2013-14 vanishes."""
    target = tmp_path / "t.xlsx"
    assert run(["funding", "-o", str(target)]) == (0, "", "")
    assert openpyxl.load_workbook(target).sheetnames == ["Table 3", "Notes"]
    sheet = recalculated(_edited(target, "Table 3", "D2", 183300))
    corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=REPO / "data")
    printed = _csv_of("funding", "--data-dir", str(corrected))
    assert len(sheet) == len(printed) + 2 and sheet[0] == printed[0]
    for theirs, ours in zip(sheet[1:], printed[1:]):  # every cell, row totals, the corner
        assert theirs[:2] == ours[:2]
        assert [Decimal(v) for v in theirs[2:]] == [Decimal(v) for v in ours[2:]], ours[0]
    # what Table 3 prints, as totals.csv transcribes it: the year totals, then the grand total
    with (REPO / "data" / "totals.csv").open(encoding="utf-8") as totals:
        printed = list(csv.DictReader(totals))
    published = [*(row["amount_gbp"] for row in sorted(printed, key=lambda r: r["year"])
                   if row["kind"] == "year_total"),
                 *(row["amount_gbp"] for row in printed if row["kind"] == "grand_total")]
    assert sheet[-2] == ["Published", "", *published]
    assert [Decimal(v) for v in sheet[-1][2:]] == [0] * 7  # the difference has vanished
    original = recalculated(target)  # published minus the cells' sums, before the correction
    cells = _csv_of("funding", "--data-dir", str(REPO / "data"))[-1][2:]
    assert [Decimal(v) for v in original[-1][2:]] == [
        Decimal(p) - Decimal(c) for p, c in zip(published, cells)]
    assert [Decimal(v) for v in original[-1][2:]] == [0, 300, 0, 0, 0, 0, 300]


def test_edited_shares_cumulative_and_compare_recalculate(tmp_path: Path) -> None:
    """Shares are over the live total, the running total runs from the first row, and
    compare's combined figure, leverage and share follow an edited figure."""
    target = tmp_path / "y.xlsx"
    assert run(["funding", "--by-year", "--cumulative", "--share", "-o", str(target)]) == (
        0, "", "")
    sheet = recalculated(_edited(target, "By year", "B3", 462372))
    assert [Decimal(row[2]) for row in sheet[1:7]] == [
        Decimal(v) for v in (90996, 553368, 1053368, 1553368, 2374368, 2759368)]
    assert sheet[2][3].startswith("16.7564")  # 462,372 of 2,759,368 (LibreOffice writes a %)
    assert sheet[7][3] == "100%" and Decimal(sheet[7][1]) == 2759368
    target = tmp_path / "c.xlsx"
    assert run(["compare", "-o", str(target)]) == (0, "", "")
    sheet = recalculated(_edited(target, "Additional funds", "D7", 200000))  # Elevate
    elevate = sheet[6]
    assert elevate[:7] == ["elevate", "Elevate", "200000", "200000", "400000", "1", "50%"]


def test_reconcile_difference_follows_an_edited_figure(tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    assert run(["reconcile", "-o", str(target)]) == (1, "", "")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Reconciliation", "Candidates", "Notes"]
    sheet = recalculated(_edited(target, "Reconciliation", "D3", 462372))  # footing 2013-14
    assert sheet[2][:5] == ["footing", "2013-14", "462372", "462372", "0"]


def test_sheets_are_named_and_set_up_to_print(tmp_path: Path) -> None:
    names = {
        ("review",): ["Observations", "Round figures", "Notes"],
        ("show", "low moss"): ["PSP", "Government funds", "Additional funds", "Outcomes"],
        ("funding", "--by-psp"): ["By PSP", "Notes"],
        ("list",): ["PSPs", "Notes"],
    }
    for n, (args, expected) in enumerate(names.items()):
        (tmp_path / str(n)).mkdir()
        book = workbook(tmp_path / str(n), *args)
        assert book.sheetnames == expected, args
    book = workbook(tmp_path, "funding")
    table3, notes = book.worksheets
    assert table3.oddHeader.left.text == "Scottish Government funds (Table 3)"
    assert table3.oddFooter.center.text == "Page &P of &N"
    assert table3.print_title_rows == "$1:$1"
    assert notes["A1"].alignment.wrap_text and notes.column_dimensions["A"].width >= 70
    assert table3["B4"].alignment.wrap_text  # a long name wraps in its cell
    assert table3.column_dimensions["B"].width <= 64


def _pdf_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (x0, y0, x1, y1), as pdftotext places them; a word
    not wholly on its page fails."""
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("CI must install poppler-utils (.ci/run does)")
        pytest.skip("no pdftotext here")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, timeout=120, check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        width, height = map(float, re.findall(r'width="([\d.]+)" height="([\d.]+)"', page)[0])
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page)]
        for x0, y0, x1, y1, word in words:  # inside the page, clear of its edge
            assert x0 >= 10 and x1 <= width - 10 and y0 >= 10 and y1 <= height - 10, word
        pages.append(words)
    return pages


def _eight_points(tmp_path: Path) -> float:
    """How tall a word's box is in 8-point text of a sheet, printed by the same LibreOffice
    with the same fonts (the measure of legible)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "eight.xlsx"))
    book.add_worksheet().write_string(0, 0, "Eight", book.add_format({"font_size": 8}))
    book.close()
    subprocess.run([soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "eight.xlsx")], capture_output=True, timeout=180, check=True)
    (word,) = [w for w in _pdf_words(tmp_path / "eight.pdf")[0] if w[4] == "Eight"]
    return word[3] - word[1]


def test_the_workbook_pack_prints_legibly(tmp_path: Path) -> None:
    """The pack's workbook printed to PDF by LibreOffice: no text under 8 pt (no word's box
    shorter than that of 8-point text printed the same way), no word over another (text
    spilling out of its cell or its row), every page numbered "Page N of M" under the sheet's
    title and the date."""
    target = tmp_path / "pack.xlsx"
    assert run(["report", "-o", str(target)], env={"SOURCE_DATE_EPOCH": "1700000000"}) == (
        0, "", "")
    subprocess.run([soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(target)],
                   capture_output=True, timeout=180, check=True)
    pages = _pdf_words(tmp_path / "pack.pdf")
    assert len(pages) >= 7
    smallest = _eight_points(tmp_path)
    for n, words in enumerate(pages, start=1):
        text = " ".join(w[4] for w in words)
        assert f"Page {n} of {len(pages)}" in text and "2023-11-14 22:13 UTC" in text
        assert min(y1 - y0 for _, y0, _, y1, _ in words) >= smallest - 0.05, n
        for i, (a0, b0, a1, b1, word) in enumerate(words):
            for c0, d0, c1, d1, other in words[i + 1:]:
                across, down = min(a1, c1) - max(a0, c0), min(b1, d1) - max(b0, d0)
                # (the boxes of two lines of one cell touch: a third of a line is not that)
                assert not (across > 1 and down > min(b1 - b0, d1 - d0) / 3), (n, word, other)
    first = " ".join(w[4] for w in pages[0])
    assert first.startswith("Scottish Government funds (Table 3)")
