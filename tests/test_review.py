"""review: the analytical review's observations, on Table 3 (checked by hand against the
report) and on small fixtures made to show each pattern."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D
from pathlib import Path

from conftest import SMALL, data_dir_from, run

from pspctl import loader, reports


def observations(args: list[str]) -> list[tuple[str, str, str]]:
    code, out, err = run(["review", *args, "-f", "csv"])
    assert (code, err) == (0, "")
    return [(r["check"], r["scope"], r["amount_gbp"]) for r in csv.DictReader(io.StringIO(out))]


def test_table_3_by_hand() -> None:
    # Table 3: every PSP funded in both 2014-15 and 2015-16 has one figure in both (low-moss
    # 200,000; nhs-lothian 65,272; east-renfrewshire 43,712; the-life-i-want 112,793; spt
    # 78,223: 500,000 each year); the-life-i-want and elevate repeat their 2016-17 figure in
    # 2017-18 (50,000; 100,000); every cell of 2016-17 (311,000, 230,000, 50,000, 130,000,
    # 100,000) and of 2017-18 (150,000, 50,000, 85,000, 100,000) is whole thousands. No cell
    # lies outside the years the notes state, nor before a PSP was established, and no PSP has
    # a gap.
    assert observations([]) == [
        ("repeated-figure", "low-moss 2014-15, 2015-16", "200000"),
        ("repeated-figure", "nhs-lothian 2014-15, 2015-16", "65272"),
        ("repeated-figure", "east-renfrewshire 2014-15, 2015-16", "43712"),
        ("repeated-figure", "the-life-i-want 2014-15, 2015-16", "112793"),
        ("repeated-figure", "the-life-i-want 2016-17, 2017-18", "50000"),
        ("repeated-figure", "spt-community-transport 2014-15, 2015-16", "78223"),
        ("repeated-figure", "elevate 2016-17, 2017-18", "100000"),
        ("identical-years", "2014-15, 2015-16", "500000"),
        ("round-figures", "2016-17", ""),
        ("round-figures", "2017-18", ""),
    ]
    result = reports.review(loader.load())
    assert result.round_figures[["year", "cells", "round"]].values.tolist() == [
        ["2012-13", 3, 1], ["2013-14", 5, 1], ["2014-15", 5, 1], ["2015-16", 5, 1],
        ["2016-17", 5, 5], ["2017-18", 4, 4]]


def test_large_changes_only_when_asked() -> None:
    changes = [o for o in observations(["--change", "50%"]) if o[0] == "large-change"]
    # by hand: 51,139 -> 183,000 is +258%; 112,793 -> 50,000 is -56%; 230,000 -> 150,000
    # (-35%) and 130,000 -> 85,000 (-35%) stay under 50%
    assert changes == [
        ("large-change", "low-moss 2012-13, 2013-14", "131861"),
        ("large-change", "low-moss 2015-16, 2016-17", "111000"),
        ("large-change", "nhs-lothian 2015-16, 2016-17", "164728"),
        ("large-change", "east-renfrewshire 2013-14, 2014-15", "16617"),
        ("large-change", "the-life-i-want 2012-13, 2013-14", "139856"),
        ("large-change", "the-life-i-want 2015-16, 2016-17", "-62793"),
        ("large-change", "spt-community-transport 2013-14, 2014-15", "48894"),
        ("large-change", "spt-community-transport 2015-16, 2016-17", "51777"),
    ]
    assert run(["review", "--change", "lots"]) == (
        2, "", "pspctl: error: --change 'lots': write a percentage, e.g. 50%\n")


def test_strict_exit_codes() -> None:
    assert run(["review", "--strict", "-f", "csv"])[0] == 1
    clean = run(["review", "--strict", "-f", "csv", "--data-dir", str(SMALL)])
    assert clean[0] == 1  # gamma funded before it was established
    assert observations(["--data-dir", str(SMALL)]) == [
        ("before-established", "gamma 2013-14", "250")]


def test_cells_outside_the_stated_years_and_gaps(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    with open(directory / "funding.csv", "a", encoding="utf-8") as handle:
        handle.write("beta,2015-16,government,Scottish Government,government,700,fixture\n")
        handle.write("gamma,2012-13,government,Scottish Government,government,90,fixture\n")
    psp = directory / "psp.csv"
    psp.write_text(psp.read_text().replace("Gamma,2016", "Gamma,2012"))
    result = reports.review(loader.load(directory))
    found = [(r.check, r.scope, r.amount_gbp) for r in result.observations.itertuples()]
    assert found == [
        ("outside-stated-years", "beta 2015-16", D("700.00")),  # final year 2013-14
        ("outside-stated-years", "gamma 2012-13", D("90.00")),  # start up in 2013-14
        ("gap", "beta 2014-15", None),  # between 2013-14 and 2015-16
    ]
    assert result.observations["note"].tolist()[0] == (
        "beta has £700 in 2015-16, after the final year its Table 3 note states (2013-14)")


def test_changes_from_nothing_are_changes(tmp_path: Path) -> None:
    """From £0, or from a year with no cell, to a figure is a change as large as any; to a
    year with no cell, a fall to nothing."""
    directory = data_dir_from(tmp_path)
    with open(directory / "funding.csv", "a", encoding="utf-8") as handle:
        handle.write("beta,2014-15,government,Scottish Government,government,0,fixture\n")
        handle.write("beta,2015-16,government,Scottish Government,government,1000000,fixture\n")
        handle.write("gamma,2015-16,government,Scottish Government,government,90,fixture\n")
    result = reports.review(loader.load(directory), D("0.5"))
    changes = result.observations[result.observations["check"] == "large-change"]
    assert changes[["scope", "amount_gbp", "note"]].values.tolist() == [
        ["alpha 2012-13, 2013-14", D("1000.50"),
         "alpha goes from £1,000 in 2012-13 to £2,000.50 in 2013-14 (+100%)"],
        ["beta 2012-13, 2013-14", D("-1000.00"),
         "beta goes from £1,500 in 2012-13 to £500 in 2013-14 (-67%)"],
        ["beta 2013-14, 2014-15", D("-500.00"),
         "beta goes from £500 in 2013-14 to £0 in 2014-15 (-100%)"],
        ["beta 2014-15, 2015-16", D("1000000.00"),
         "beta goes from £0 in 2014-15 to £1,000,000 in 2015-16"],
        ["gamma 2013-14, 2014-15", D("-250.00"),
         "gamma goes from £250 in 2013-14 to no cell in 2014-15 (-100%)"],
        ["gamma 2014-15, 2015-16", D("90.00"),
         "gamma goes from no cell in 2014-15 to £90 in 2015-16"],
    ]


def test_no_observations_is_said_so(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    psp = directory / "psp.csv"
    psp.write_text(psp.read_text().replace("Gamma,2016", "Gamma,2012"))  # no longer before
    code, out, err = run(["review", "--data-dir", str(directory), "-f", "markdown"])
    assert (code, err) == (0, "")
    assert out.startswith("### Observations (analytical review: patterns to look at again, not "
                          "errors)\n\nNo observations.\n")
    assert out.endswith("\nno observations\n")
