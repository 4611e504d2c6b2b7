"""Real terms (#28): the funding at one year's prices by GDP deflators, read from HM Treasury's
CSV layout (tests/deflators/hm-treasury-layout.csv: invented index values, labelled as such in
the file) or a plain year,index CSV; exact arithmetic, each figure rounded once; the files that
are not the series refused in one line."""

from __future__ import annotations

import csv
import io
import os
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest
from conftest import TESTS, run
from hypothesis import given, settings
from hypothesis import strategies as st

import pspctl
from pspctl import loader, reports
from pspctl.deflators import Deflators, load_deflators
from pspctl.errors import InputError
from pspctl.reports.realterms import penny, prices_of, real_by_year, real_matrix

HMT = TESTS / "deflators" / "hm-treasury-layout.csv"
PLAIN = TESTS / "deflators" / "plain.csv"
REAL = ["--real-terms", "2016-17", "--deflators", str(HMT)]


def test_hm_treasurys_layout_is_read_as_published() -> None:
    """The index column is the one headed '2016-17 = 100' under 'Financial year', the notes
    above and the footnotes under are notes, the calendar years beside are left."""
    series = load_deflators(HMT)
    assert series.index == {"2010-11": D("76.000"), "2011-12": D("78.000"),
                            "2012-13": D("80.000"), "2013-14": D("87.500"),
                            "2014-15": D("90.000"), "2015-16": D("96.000"),
                            "2016-17": D("100.000"), "2017-18": D("102.400"),
                            "2018-19": D("104.500")}
    assert (series.base, series.updated, series.lines["2012-13"]) == (
        "2016-17 = 100", "29 September 2017", 11)
    assert series.described() == ("GDP deflator (HM Treasury, updated 29 September 2017), "
                                  "base 2016-17 = 100")


def test_a_plain_year_index_file() -> None:
    series = load_deflators(PLAIN)
    assert series.index["2013-14"] == D("87.5")
    assert series.described() == "deflators from plain.csv, base 2016-17 = 100"


def test_by_year_at_2016_17_prices_by_hand() -> None:
    """£90,996 of 2012-13 at 2016-17 prices is 90,996 x 100 / 80 = £113,745; £462,072 of
    2013-14 is 462,072 x 100 / 87.5 = 528,082.2857... = £528,082.29."""
    code, out, err = run(["funding", "--by-year", "--cumulative", *REAL, "-f", "csv",
                          "--totals"])
    assert (code, err) == (0, "")
    assert out == (
        "year,government_gbp,deflator,government_gbp_2016_17_prices,"
        "cumulative_gbp_2016_17_prices,row\n"
        "2012-13,90996,80,113745,113745,data\n"
        "2013-14,462072,87.5,528082.29,641827.29,data\n"
        "2014-15,500000,90,555555.56,1197382.84,data\n"
        "2015-16,500000,96,520833.33,1718216.17,data\n"
        "2016-17,821000,100,821000,2539216.17,data\n"
        "2017-18,385000,102.4,375976.56,2915192.74,data\n"
        "Total,2759068,,2915192.74,,total\n")


def test_the_matrix_says_where_rounding_keeps_it_from_footing() -> None:
    """Each cell rounded once, each total the sum of the unrounded cells rounded once: the
    2014-15 column's cells add to a penny less than its total, and the note says so."""
    code, out, err = run(["funding", *REAL])
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Scottish Government funds (Table 3) at 2016-17 prices"
    assert "| Total                      |   £113,745 | £528,082.29 | £555,555.56 |" in out
    assert out.splitlines()[-2].startswith(
        f"At 2016-17 prices: each cash figure times the index of 2016-17 over the index of its "
        f"own year; GDP deflator (HM Treasury, updated 29 September 2017), base 2016-17 = 100; "
        f"read from {HMT} (SHA-256 ")
    assert out.splitlines()[-1] == (
        "Each figure is rounded to the penny once, and each total is the sum of the unrounded "
        "figures, rounded once; so the figures shown add up to a little more or less than "
        "their total in 2014-15, £0.01 less; 2017-18, £0.01 more; total_gbp, £0.01 more.")
    data = loader.load()
    real, _ = real_matrix(reports.funding_matrix(data), prices_of(load_deflators(HMT), "2016-17"))
    column = real.frame["2014-15_gbp_2016_17_prices"].tolist()
    assert (sum(column), real.totals["2014-15_gbp_2016_17_prices"]) == (
        D("555555.55"), D("555555.56"))


def test_machine_formats_never_name_a_real_figure_as_cash() -> None:
    for args in (["funding"], ["funding", "--by-psp", "--share"]):
        code, out, _ = run([*args, *REAL, "-f", "csv"])
        header = out.splitlines()[0].split(",")
        assert code == 0
        assert [c for c in header if c.endswith("_gbp")] == []  # every money column renamed
    _, out, _ = run(["funding", "--by-psp", *REAL, "-f", "csv"])
    assert out.splitlines()[:2] == ["psp_id,name,government_gbp_2016_17_prices",
                                    "low-moss,HMP Low Moss – Prisoner Support Pathway,"
                                    "1014622.16"]


def test_the_workbook_figure_is_a_formula_over_cash_and_deflator(tmp_path: Path) -> None:
    import openpyxl

    book = tmp_path / "real.xlsx"
    assert run(["funding", "--by-year", *REAL, "-o", str(book)])[0] == 0
    sheet = openpyxl.load_workbook(book).worksheets[0]
    assert [c.value for c in sheet[3]] == ["2013-14", 462072, 87.5, "=B3*100.000/C3"]
    assert [c.value for c in sheet[8]] == ["Total", "=SUM(B2:B7)", None, "=SUM(D2:D7)"]


def test_without_a_deflator_file_it_says_where_the_series_is() -> None:
    code, out, err = run(["funding", "--real-terms", "2016-17"],
                         env={"PSPCTL_DEFLATORS": ""})
    assert (code, out) == (2, "")
    assert err == (
        "pspctl: error: --real-terms 2016-17 needs HM Treasury's GDP deflators: download the CSV "
        "from https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-"
        "money-gdp and pass it with --deflators FILE (or set PSPCTL_DEFLATORS=FILE); pspctl "
        "ships none, as the series is revised every quarter\n")


def test_the_environment_names_the_file() -> None:
    code, out, _ = run(["funding", "--by-year", "--real-terms", "2016-17", "-f", "csv"],
                       env={"PSPCTL_DEFLATORS": str(PLAIN)})
    assert code == 0
    assert out.splitlines()[1] == "2012-13,90996,80,113745"


@pytest.mark.parametrize("command", ["validate", "reconcile", "diff", "review"])
def test_the_checks_stay_in_cash(command: str) -> None:
    args = [command, *(["data", "data"] if command == "diff" else []), *REAL[:2]]
    why = {"validate": "validate checks the data as the report states it, in cash",
           "reconcile": "reconcile compares with the published totals, which are cash",
           "diff": "diff compares editions of the figures as published, in cash",
           "review": "review looks for patterns in the figures as published, in cash"}[command]
    assert run(args) == (2, "", f"pspctl: error: --real-terms: {why}; use it with funding, "
                                "compare, chart or report\n")


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deflators.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = HMT.read_text(encoding="utf-8").splitlines()[:8]


@pytest.mark.parametrize(("rows", "message"), [
    (["2012-13,80.000", "2013-14,abc"],
     "line 10: the index for 2013-14 is 'abc', not a positive number"),
    (["2012-13,80.000", "2013-14,0"], "line 10: the index for 2013-14 is 0, not positive"),
    (["2012-13,80.000", "2013-14,-5"],
     "line 10: the index for 2013-14 is '-5', not a positive number"),
    (["2012-13,80.000", "2012-13,81.000"],
     "line 10: a second row for 2012-13 (the first is line 9)"),
    (["2012-13,80.000", "2013-15,81.000"],
     "line 10: '2013-15' in the year column is not a financial year (such as 2016-17)"),
    (["2012-13,"], "line 9: no index for 2012-13"),
])
def test_a_damaged_series_is_one_line(tmp_path: Path, rows: list[str], message: str) -> None:
    path = _file(tmp_path, "\n".join([*HEADER, *rows]) + "\n")
    code, out, err = run(["funding", "--real-terms", "2012-13", "--deflators", str(path)])
    assert (code, out, err) == (2, "", f"pspctl: error: {path} {message}\n")


def test_a_year_of_the_data_missing_from_the_series_is_named(tmp_path: Path) -> None:
    path = _file(tmp_path, "year,index\n2013-14,90\n2016-17,100\n")
    assert run(["funding", "--real-terms", "2016-17", "--deflators", str(path)]) == (
        2, "", f"pspctl: error: {path}: the deflator series has no index for 2012-13 (it covers "
        "2013-14 to 2016-17)\n")
    assert run(["funding", "--real-terms", "2019-20", "--deflators", str(path)])[2] == (
        f"pspctl: error: {path}: the deflator series has no index for 2019-20 (it covers 2013-14 "
        "to 2016-17)\n")


def test_a_file_that_is_not_the_series(tmp_path: Path) -> None:
    path = _file(tmp_path, "Consumer prices index,,\nFinancial year,2016-17 = 100\n"
                 "2016-17,100\n")
    code, _, err = run(["funding", "--real-terms", "2016-17", "--deflators", str(path)])
    assert (code, err) == (2, (
        f"pspctl: error: {path}: not HM Treasury's GDP deflator series (no header row with a "
        "'Financial year' column and an index headed like '2016-17 = 100' under a 'GDP "
        "deflator' title) nor a plain CSV with the columns year,index\n"))
    assert run(["funding", "--real-terms", "2016-17", "--deflators",
                str(tmp_path / "none.csv")])[2] == (
        f"pspctl: error: {tmp_path / 'none.csv'}: deflator file not found\n")


def test_a_windows_1252_download_is_read(tmp_path: Path) -> None:
    """GOV.UK's CSV as a spreadsheet on Windows saves it: '£' as the byte 0xA3."""
    path = tmp_path / "cp1252.csv"
    path.write_bytes(HMT.read_text(encoding="utf-8").encode("cp1252"))
    assert load_deflators(path).index == load_deflators(HMT).index


def test_cash_output_is_the_same_with_a_deflator_file_present() -> None:
    for args in (["funding"], ["funding", "--by-year", "-f", "csv"], ["compare", "-f", "json"]):
        assert run(args) == run(args, env={"PSPCTL_DEFLATORS": str(HMT)})


def test_the_api() -> None:
    """pspctl.load_deflators and pspctl.real_terms, on the cells and on a report's frame."""
    data = pspctl.load()
    series = pspctl.load_deflators(HMT)
    cells = pspctl.real_terms(data.funding, series, "2016-17")
    first = cells.iloc[0]
    assert (first["deflator"], first["amount_gbp_2016_17_prices"], first["prices"]) == (
        D("80.000"), D("63923.75"), "2016-17")
    additional = cells[cells["stream"] == "additional"].iloc[0]
    assert (additional["amount_gbp_2016_17_prices"], additional["prices"]) == (
        D("280511.00"), "cash")  # stated for the whole period: no year to deflate by
    by_year = pspctl.real_terms(pspctl.funding_by_year(data), series, "2016-17")
    assert by_year["government_gbp_2016_17_prices"].tolist()[:2] == [D("113745.00"),
                                                                      D("528082.29")]
    with pytest.raises(pspctl.UsageError, match="a figure that spans years"):
        pspctl.real_terms(pspctl.funding_by_psp(data), series, "2016-17")


# --- properties ----------------------------------------------------------------------------

YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2010, 2019)]
INDEXES = st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3)


def _series(indexes: list[D]) -> Deflators:
    return Deflators(dict(zip(YEARS, indexes)), None, None, "test", "test", "0" * 64)


@settings(max_examples=300)
@given(st.lists(INDEXES, min_size=len(YEARS), max_size=len(YEARS)),
       st.integers(0, 10**14), st.sampled_from(YEARS), st.sampled_from(YEARS),
       st.sampled_from(YEARS))
def test_converting_twice_is_converting_once(indexes: list[D], pence: int, year: str,
                                             a: str, b: str) -> None:
    """At its own year a figure is unchanged; to year A then to year B is to B directly, to
    the penny after one rounding."""
    series = _series(indexes)
    cash = D(pence) / 100
    assert penny(cash * series.factor(year, year)) == penny(cash)
    via = (cash * series.factor(year, a)) * series.factor(a, b)
    assert penny(via) == penny(cash * series.factor(year, b))


@settings(max_examples=200)
@given(st.lists(INDEXES, min_size=len(YEARS), max_size=len(YEARS)),
       st.lists(st.integers(0, 10**12), min_size=1, max_size=len(YEARS)),
       st.sampled_from(YEARS))
def test_a_real_total_is_the_sum_of_unrounded_figures(indexes: list[D], pence: list[int],
                                                      prices: str) -> None:
    """The total is the sum of the unrounded figures rounded once; the rounded figures miss it
    by at most half a penny each, and RealTerms.off says by exactly how much."""
    series = _series(indexes)
    cash = pd.DataFrame({"year": YEARS[:len(pence)],
                         "government_gbp": [D(p) / 100 for p in pence]}, dtype=object)
    real = real_by_year(cash, prices_of(series, prices))
    column = "government_gbp_2016_17_prices".replace("2016_17", prices.replace("-", "_"))
    exact = sum((D(p) / 100 * series.factor(y, prices) for p, y in zip(pence, YEARS)), D(0))
    assert real.totals[column] == penny(exact)
    shown = sum(real.frame[column].tolist(), D(0))
    assert abs(shown - real.totals[column]) <= D("0.005") * len(pence) + D("0.005")
    assert real.off.get(column, D(0)) == shown - real.totals[column]


def test_csv_from_the_environment_s_deflators_reads_back() -> None:
    """csv made with PSPCTL_DEFLATORS set (HM Treasury's layout) reads back with the csv
    module: the real figure of 2012-13 in its renamed column. (The README's examples run in
    test_readme_runs.)"""
    env = {**os.environ, "PSPCTL_DEFLATORS": str(HMT)}
    code, out, _ = run(["funding", "--by-year", "--real-terms", "2016-17", "-f", "csv"],
                       env=env)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert rows[0]["government_gbp_2016_17_prices"] == "113745"


def test_a_problem_is_an_input_error() -> None:
    with pytest.raises(InputError, match="deflator file not found"):
        load_deflators(TESTS / "deflators" / "missing.csv")


def test_compare_leaves_what_has_no_year_in_cash() -> None:
    code, out, err = run(["compare", *REAL, "-f", "csv", "--totals"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == ("psp_id,name,government_gbp_2016_17_prices,additional_gbp_2016_17_prices,"
                        "additional_cash_gbp,funders,funder_sector,row")
    assert lines[1].startswith("low-moss,HMP Low Moss – Prisoner Support Pathway,1014622.16,,"
                               "280511,")
    assert lines[-1] == "Total,,2915192.74,,681970,,,total"
    _, table, _ = run(["compare", *REAL])
    assert table.splitlines()[-1] == (
        "Additional funds stated for the whole period have no year to deflate by: they stay in "
        "cash (additional_cash_gbp); those stated for a year are at the prices above. Combined "
        "figures, leverage and shares are not given in real terms: they would add cash to "
        "real-terms figures.")


def test_the_pack_adds_real_terms_and_keeps_the_checks_in_cash(tmp_path: Path) -> None:
    pack = tmp_path / "pack.md"
    assert run(["report", "-o", str(pack), "-q", *REAL])[0] == 0
    text = pack.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:5] == ["## What the data is and where it comes from",
                            "## Table 3, recomputed from its cells",
                            "## Table 3 at 2016-17 prices",
                            "## Funds by financial year at 2016-17 prices",
                            "## Reconciliation"]
    assert ("| Year    |   Government (£) |   GDP deflator (index) |   Government (£ at "
            "2016-17 prices) |") in text
    assert ("| 2012-13 |          £90,996 |                     80 |                        "
            "   £113,745 |") in text
    assert "GDP deflator (HM Treasury, updated 29 September 2017), base 2016-17 = 100" in text
    cash = tmp_path / "cash.md"
    assert run(["report", "-o", str(cash), "-q"])[0] == 0
    assert "prices" not in cash.read_text(encoding="utf-8")


def test_real_terms_shares_add_up_as_any_shares_do() -> None:
    """The shares of the PSPs' real-terms totals are apportioned as cash shares are: the ones
    written add up to exactly the whole."""
    code, out, _ = run(["funding", "--by-psp", "--share", *REAL, "-f", "csv"])
    shares = [D(row["share"]) for row in csv.DictReader(io.StringIO(out))]
    assert (code, sum(shares)) == (0, D(1))
