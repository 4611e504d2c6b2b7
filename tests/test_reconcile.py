"""reconcile: injected errors of each kind, a clean fixture, and the real data checked by hand."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from conftest import SMALL, TESTS, data_dir_from, run
from hypothesis import given, settings
from hypothesis import strategies as st

from pspctl import loader, reports
from pspctl.errors import UsageError

CASES = TESTS / "reconcile"


def reconcile_case(tmp_path: Path, case: str, **kwargs: D) -> reports.Reconciliation:
    return reports.reconcile(loader.load(data_dir_from(tmp_path, CASES / case)), **kwargs)


def mismatched(result: reports.Reconciliation) -> list[tuple[str, str, D]]:
    return [(r.check, r.scope, r.difference_gbp) for r in result.mismatches.itertuples()]


def candidates(result: reports.Reconciliation, check: str, scope: str) -> list[tuple[object, ...]]:
    chosen = result.candidates[(result.candidates["check"] == check)
                               & (result.candidates["scope"] == scope)
                               & (result.candidates["heuristic"] != "location")]
    return [(r.heuristic, r.psp_id, r.year, r.printed_gbp, r.would_be_gbp)
            for r in chosen.itertuples()]


def test_clean_fixture_holds() -> None:
    result = reports.reconcile(loader.load(SMALL))
    assert result.ok
    assert result.candidates.empty
    assert result.checks["scope"].tolist() == [
        "2012-13", "2013-14", "row totals vs cells", "year totals vs cells",
        "year totals vs row totals", "grand total vs year totals", "grand total vs row totals",
        "grand total vs cells", "headline vs grand total", "headline vs cells",
    ]
    assert result.verdict == "OK: all 10 checks hold."


def test_transposition(tmp_path: Path) -> None:
    # beta 2012-13 printed 1,050 instead of 1,500: 2012-13 cells add up to 2,050, not 2,500.
    result = reconcile_case(tmp_path, "transposition")
    assert mismatched(result)[0] == ("footing", "2012-13", D("450.00"))
    assert candidates(result, "footing", "2012-13") == [
        ("transposition", "beta", "2012-13", D("1050.00"), D("1500.00")),
        ("transposition", None, "2012-13", D("2500.00"), D("2050.00")),  # the published total
    ]


def test_digit_slip(tmp_path: Path) -> None:
    # alpha 2013-14 printed 2,900.50 instead of 2,000.50.
    result = reconcile_case(tmp_path, "digit-slip")
    assert mismatched(result)[0] == ("footing", "2013-14", D("-900.00"))
    assert candidates(result, "footing", "2013-14") == [
        ("digit-slip", "alpha", "2013-14", D("2900.50"), D("2000.50")),
    ]


def test_omitted_cell(tmp_path: Path) -> None:
    # The published 2013-14 total leaves out gamma's 250.
    result = reconcile_case(tmp_path, "omitted-cell")
    assert mismatched(result)[0] == ("footing", "2013-14", D("-250.00"))
    assert candidates(result, "footing", "2013-14") == [
        ("omitted-or-double-counted", "gamma", "2013-14", D("250.00"), D("500.00")),
    ]
    note = result.candidates["note"].tolist()
    assert "gamma 2013-14 cell of £250 equals the difference: left out of the published " \
           "figure?" in note


def test_wrong_published_total(tmp_path: Path) -> None:
    # The grand total printed 5,520.50 instead of 5,250.50; the cells and year totals agree.
    result = reconcile_case(tmp_path, "wrong-published-total")
    assert mismatched(result) == [
        ("cross-footing", "grand total vs year totals", D("270.00")),
        ("cross-footing", "grand total vs row totals", D("270.00")),
        ("cross-footing", "grand total vs cells", D("270.00")),
        ("headline", "headline vs grand total", D("-270.00")),
    ]
    assert candidates(result, "cross-footing", "grand total vs cells") == [
        ("transposition", "gamma", "2013-14", D("250.00"), D("520.00")),
        ("transposition", None, None, D("5520.50"), D("5250.50")),  # the published grand total
    ]


def test_tolerance_and_headline_override(tmp_path: Path) -> None:
    assert reconcile_case(tmp_path, "omitted-cell", tolerance=D("250")).ok
    result = reports.reconcile(loader.load(SMALL), headline=D("5250.49"))
    assert mismatched(result) == [
        ("headline", "headline vs grand total", D("-0.01")),
        ("headline", "headline vs cells", D("-0.01")),
    ]


def test_digit_variants() -> None:
    # 183,000 printed: swapping adjacent digits gives 813,000, 138,000 and 180,300.
    assert reports.transpositions(183_000_00) == [813_000_00, 138_000_00, 180_300_00]
    # six printed digits, nine other values each
    assert len(reports.digit_slips(183_000_00)) == 54
    assert 183_300_00 in reports.digit_slips(183_000_00)
    # with pence, the pence digits are printed digits too: 2,900.50 -> 2,000.50
    assert 2_000_50 in reports.digit_slips(2_900_50)


# --- the real data: what an auditor finds by hand in the report -------------------------------


def test_real_data_verdict() -> None:
    result = reports.reconcile(loader.load())
    # By hand: 2013-14 cells 183,000 + 64,792 + 27,095 + 157,856 + 29,329 = 462,072; Table 3
    # prints 462,372. Every other year foots. The year totals add up to the printed 2,759,368,
    # which is also the headline; the cells add up to 2,759,068.
    assert mismatched(result) == [
        ("footing", "2013-14", D("300.00")),
        ("cross-footing", "year totals vs cells", D("300.00")),
        ("cross-footing", "year totals vs row totals", D("300.00")),
        ("cross-footing", "grand total vs row totals", D("300.00")),
        ("cross-footing", "grand total vs cells", D("300.00")),
        ("headline", "headline vs cells", D("300.00")),
    ]
    assert candidates(result, "footing", "2013-14") == [
        ("digit-slip", "low-moss", "2013-14", D("183000.00"), D("183300.00")),
        ("digit-slip", "east-renfrewshire", "2013-14", D("27095.00"), D("27395.00")),
        ("digit-slip", "spt-community-transport", "2013-14", D("29329.00"), D("29629.00")),
        ("digit-slip", None, "2013-14", D("462372.00"), D("462072.00")),
    ]
    assert result.verdict == (
        "MISMATCH: 6 of 14 checks do not hold. The cells of 2013-14 add up to £462,072, the "
        "published year total is £462,372 (difference £300). The other 5 carry that difference "
        "into the totals."
    )



def test_cli_exit_codes() -> None:
    assert run(["reconcile", "--data-dir", str(SMALL), "--quiet"]) == (0, "", "")
    assert run(["reconcile", "--quiet"]) == (1, "", "")
    assert run(["reconcile", "--quiet", "--tolerance", "£300"]) == (0, "", "")
    assert run(["reconcile", "--quiet", "--headline", "1.2.3"]) == (
        2, "", "pspctl: error: --headline: bad amount '1.2.3': write it as 1234, 1234.50, "
        "1,234.00 or £1,234\n",
    )


def test_cli_csv_on_real_data() -> None:
    code, out, err = run(["reconcile", "--format", "csv"])
    assert (code, err) == (1, "")
    assert out == (
        "check,scope,psp_id,year,stream,published_gbp,computed_gbp,difference_gbp,status\n"
        "footing,2012-13,,2012-13,government,90996,90996,0,ok\n"
        "footing,2013-14,,2013-14,government,462372,462072,300,mismatch\n"
        "footing,2014-15,,2014-15,government,500000,500000,0,ok\n"
        "footing,2015-16,,2015-16,government,500000,500000,0,ok\n"
        "footing,2016-17,,2016-17,government,821000,821000,0,ok\n"
        "footing,2017-18,,2017-18,government,385000,385000,0,ok\n"
        "cross-footing,row totals vs cells,,,government,2759068,2759068,0,ok\n"
        "cross-footing,year totals vs cells,,,government,2759368,2759068,300,mismatch\n"
        "cross-footing,year totals vs row totals,,,government,2759368,2759068,300,mismatch\n"
        "cross-footing,grand total vs year totals,,,government,2759368,2759368,0,ok\n"
        "cross-footing,grand total vs row totals,,,government,2759368,2759068,300,mismatch\n"
        "cross-footing,grand total vs cells,,,government,2759368,2759068,300,mismatch\n"
        "headline,headline vs grand total,,,government,2759368,2759368,0,ok\n"
        "headline,headline vs cells,,,government,2759368,2759068,300,mismatch\n"
    )


def test_cli_json_carries_structured_candidates(tmp_path: Path) -> None:
    import json

    directory = data_dir_from(tmp_path, CASES / "digit-slip")
    code, out, _ = run(["reconcile", "--data-dir", str(directory), "-f", "json"])
    assert code == 1
    footing = json.loads(out)[1]
    assert footing["scope"] == "2013-14" and footing["status"] == "mismatch"
    assert footing["candidates"][1] == {
        "heuristic": "digit-slip", "psp_id": "alpha", "year": "2013-14",
        "printed_gbp": 2900.5, "would_be_gbp": 2000.5,
        "note": "alpha 2013-14 cell printed £2,900.50; with one digit changed it would be "
                "£2,000.50",
    }
    assert '"printed_gbp": 2900.50' in out  # exact to the penny as written


def test_cli_table_on_clean_fixture() -> None:
    code, out, _ = run(["reconcile", "--data-dir", str(SMALL), "--format", "markdown"])
    assert code == 0
    assert out.splitlines()[-1] == "OK: all 10 checks hold."
    assert out.startswith("### Reconciliation of Table 3 against the published totals\n")


def test_cli_candidates_table(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path, CASES / "transposition")
    code, out, _ = run(["reconcile", "--data-dir", str(directory), "--candidates", "-f", "csv"])
    assert code == 1
    assert out.splitlines()[:4] == [
        "check,scope,heuristic,psp_id,year,printed_gbp,would_be_gbp,note",
        "footing,2012-13,location,,2012-13,,,\"the difference of £450 lies in 2012-13: its cells "
        "(alpha £1,000, beta £1,050) add up to £2,050, the published year total is £2,500\"",
        "footing,2012-13,transposition,beta,2012-13,1050,1500,\"beta 2012-13 cell printed £1,050; "
        "with two adjacent digits swapped it would be £1,500\"",
        "footing,2012-13,transposition,,2012-13,2500,2050,\"published 2012-13 total printed "
        "£2,500; with two adjacent digits swapped it would be £2,050\"",
    ]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.integers(-(10**11), 10**11))
def test_vectorised_digit_heuristics_agree_with_the_plain_ones(pence: int, change: int) -> None:
    import numpy as np

    value = np.array([pence])
    assert bool(reports.digit_matches(value, change, "transposition")[0]) == (
        change != 0 and pence + change in reports.transpositions(pence))
    assert bool(reports.digit_matches(value, change, "digit-slip")[0]) == (
        pence + change in reports.digit_slips(pence))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**10), st.data())
def test_vectorised_heuristics_find_every_real_slip_and_swap(pence: int,
                                                            data: st.DataObject) -> None:
    import numpy as np

    for variant, kind in ((reports.transpositions(pence), "transposition"),
                          (reports.digit_slips(pence), "digit-slip")):
        if variant:
            wanted = data.draw(st.sampled_from(variant))
            assert reports.digit_matches(np.array([pence]), wanted - pence, kind)[0]


# --- every published total is a check: per-PSP, per-stream and repeated totals ----------------

SCOPED = ["psp-total-wrong", "additional-total-wrong", "second-grand-total", "second-headline",
          "psp-year-total"]


@pytest.mark.parametrize("case", SCOPED)
def test_scoped_totals_exact_output(tmp_path: Path, case: str) -> None:
    """Checks, candidates and verdict as written in the case's golden files (figures worked by
    hand: see the comments of test_scoped_totals_by_hand)."""
    directory = str(data_dir_from(tmp_path, CASES / case))
    golden = CASES / case
    assert run(["reconcile", "--data-dir", directory, "-f", "csv"]) == (
        1, (golden / "checks.csv").read_text(encoding="utf-8"), "")
    assert run(["reconcile", "--data-dir", directory, "--candidates", "-f", "csv"]) == (
        1, (golden / "candidates.csv").read_text(encoding="utf-8"), "")
    code, out, _ = run(["reconcile", "--data-dir", directory, "-f", "markdown"])
    assert code == 1
    assert out.splitlines()[-1] + "\n" == (golden / "verdict.txt").read_text(encoding="utf-8")


def test_scoped_totals_by_hand(tmp_path: Path) -> None:
    for part in "abc":
        (tmp_path / part).mkdir()
    # beta's cells: 1,500 + 500 = 2,000; its published total 2,100. The PSP totals 3,000.50 +
    # 2,100 + 250 = 5,350.50 against the grand total 5,250.50.
    result = reconcile_case(tmp_path / "a", "psp-total-wrong")
    assert mismatched(result) == [
        ("cross-footing", "grand total vs PSP totals", D("-100.00")),
        ("cross-footing", "grand total vs cells (beta)", D("100.00")),
    ]
    # additional funds: alpha 300 + gamma 1,000 = 1,300, printed 1,030: 300 read as 030?
    result = reconcile_case(tmp_path / "b", "additional-total-wrong")
    assert mismatched(result) == [
        ("cross-footing", "grand total vs cells (additional funds)", D("-270.00"))]
    assert candidates(result, "cross-footing", "grand total vs cells (additional funds)") == [
        ("transposition", "alpha", None, D("300.00"), D("30.00")),
        ("transposition", None, None, D("1030.00"), D("1300.00")),
    ]
    # alpha's 2013-14 cell is 2,000.50; a published 2,000.05 for it.
    result = reconcile_case(tmp_path / "c", "psp-year-total")
    assert mismatched(result) == [("footing", "2013-14 (alpha)", D("-0.45"))]
    assert result.sources[-1] == ("alpha-2013-14",)


def test_repeated_totals_are_checked_against_each_other(tmp_path: Path) -> None:
    result = reconcile_case(tmp_path, "second-grand-total")
    assert ("cross-footing", "grand total [grand-total-2] vs grand total [grand-total]",
            D("270.00")) in mismatched(result)
    pair = result.checks["scope"].tolist().index(
        "grand total [grand-total-2] vs grand total [grand-total]")
    assert result.sources[pair] == ("grand-total-2", "grand-total")


def test_psp_totals_not_published_for_every_psp_are_not_cross_footed(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path, CASES / "psp-total-wrong")
    rows = (directory / "totals.csv").read_text(encoding="utf-8").splitlines()
    (directory / "totals.csv").write_text(
        "\n".join(r for r in rows if not r.startswith("gamma-total")) + "\n", encoding="utf-8")
    result = reports.reconcile(loader.load(directory))
    assert "grand total vs PSP totals" not in result.checks["scope"].tolist()
    assert result.notes == ("the grand total is not cross-footed against the published PSP "
                            "totals: none is published for gamma",)


def test_a_missing_year_total_is_a_note_not_a_cross_footing(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    rows = (directory / "totals.csv").read_text(encoding="utf-8").splitlines()
    (directory / "totals.csv").write_text(
        "\n".join(r for r in rows if not r.startswith("year-2013-14")) + "\n", encoding="utf-8")
    result = reports.reconcile(loader.load(directory))
    assert result.ok
    assert result.checks["scope"].tolist() == [
        "2012-13", "row totals vs cells", "grand total vs row totals", "grand total vs cells",
        "headline vs grand total", "headline vs cells"]
    assert result.notes == (
        "no published year total for 2013-14: not footed; the year totals not cross-footed",)


def test_api_takes_money_as_text() -> None:
    data = loader.load(SMALL)
    assert reports.reconcile(data, headline="£5,250.50").ok
    assert reports.reconcile(data, headline="£5,250", tolerance="0.50").ok
    assert not reports.reconcile(data, headline="£5,250").ok
    with pytest.raises(UsageError, match=r"^headline: bad amount 'lots'"):
        reports.reconcile(data, headline="lots")
