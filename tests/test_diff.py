"""diff: two editions compared, fact by fact, and what the change does to the reconciliation."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import REPO, SMALL, TESTS, data_dir_from, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import Ledger, ledgers

from pspctl import loader, reports

DATA = REPO / "data"


def test_a_corrected_edition(tmp_path: Path) -> None:
    # The correction of the £300: Low Moss's 2013-14 cell read as 183,300, not 183,000.
    corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=DATA)
    code, out, err = run(["diff", str(DATA), str(corrected), "-f", "csv"])
    assert (code, err) == (1, "")
    assert out == (
        "what,key,field,old,new,difference_gbp,note\n"
        "funding,low-moss 2013-14 government Scottish Government,amount_gbp,183000,183300,300,"
        "changed: one digit changed\n")
    code, out, _ = run(["diff", str(DATA), str(corrected)])
    assert code == 1
    assert out.splitlines()[-1] == (
        "the editions differ: 1 fact changed; 6 reconciliation checks change")
    result = reports.differences(loader.load(DATA), loader.load(corrected))
    assert [(r.check, r.scope, r.old_status, r.new_status)
            for r in result.effects.itertuples()] == [
        ("footing", "2013-14", "mismatch", "ok"),
        ("cross-footing", "year totals vs cells", "mismatch", "ok"),
        ("cross-footing", "year totals vs row totals", "mismatch", "ok"),
        ("cross-footing", "grand total vs row totals", "mismatch", "ok"),
        ("cross-footing", "grand total vs cells", "mismatch", "ok"),
        ("headline", "headline vs cells", "mismatch", "ok"),
    ]


def test_identical_editions_exit_0_and_quiet() -> None:
    assert run(["diff", str(DATA), str(DATA), "-f", "csv"]) == (
        0, "what,key,field,old,new,difference_gbp,note\n", "")
    assert run(["diff", str(DATA), str(DATA), "--quiet"]) == (0, "", "")


def test_added_removed_transposed_and_text(tmp_path: Path) -> None:
    edited = data_dir_from(tmp_path, base=DATA)
    funding = (edited / "funding.csv").read_text(encoding="utf-8")
    funding = funding.replace("elevate,2017-18,government,Scottish Government,government,100000,"
                              "Table 3\n", "")
    funding = funding.replace(",29329,", ",29239,")  # SPT 2013-14, two digits swapped
    funding += "elevate,2018-19,government,Scottish Government,government,5000,made up\n"
    (edited / "funding.csv").write_text(funding, encoding="utf-8")
    psp = (edited / "psp.csv").read_text(encoding="utf-8").replace(",Elevate,Elevate,",
                                                                   ",Elevate,Elevate (GCA),")
    (edited / "psp.csv").write_text(psp, encoding="utf-8")
    result = reports.differences(loader.load(DATA), loader.load(edited))
    assert [(r.what, r.key, r.field, r.old, r.new, r.note)
            for r in result.changes.itertuples()] == [
        ("psp", "elevate", "table_label", "Elevate", "Elevate (GCA)", "changed"),
        ("funding", "spt-community-transport 2013-14 government Scottish Government",
         "amount_gbp", "29329", "29239", "changed: two adjacent digits swapped"),
        ("funding", "elevate 2017-18 government Scottish Government", "", "present", "",
         "removed"),
        ("funding", "elevate 2018-19 government Scottish Government", "", "", "present",
         "added"),
    ]
    assert run(["diff", str(DATA), str(tmp_path / "nowhere")]) == (
        2, "", f"pspctl: error: NEW edition: {tmp_path / 'nowhere'}: data directory not found\n")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(offs=False), st.data())
def test_diff_lists_exactly_the_facts_changed(ledger: Ledger, data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(ledger.cells)))
    pence = data.draw(st.integers(0, 10**9).filter(lambda p: p != ledger.cells[key]))
    changed = Ledger(ledger.psp_ids, {**ledger.cells, key: pence}, ledger.totals)
    with tempfile.TemporaryDirectory() as directory:
        one = loader.load(ledger.write(Path(directory) / "a"))
        other = loader.load(changed.write(Path(directory) / "b"))
    assert reports.differences(one, one).same
    found = reports.differences(one, other).changes
    stream, psp_id, year, funder = key
    expected_key = " ".join(part for part in (psp_id, year, stream, funder) if part)
    # the generator writes each total from the cells it covers: those move with the cell
    moved = [("totals", f"t{n}", "amount_gbp") for n, total in enumerate(ledger.totals)
             if ledger.published(total) != changed.published(total)]
    assert [(r.what, r.key, r.field) for r in found.itertuples()] == [
        ("funding", expected_key, "amount_gbp"), *moved]
    assert found["difference_gbp"].iloc[0] * 100 == pence - ledger.cells[key]


def test_the_pack_against_an_earlier_edition(tmp_path: Path) -> None:
    corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=DATA)
    target = tmp_path / "pack.md"
    assert run(["report", "-o", str(target), "--data-dir", str(corrected),
                "--against", str(DATA)])[0] == 0
    text = target.read_text(encoding="utf-8")
    assert "## Differences from the earlier edition" in text
    assert "**the editions differ: 1 fact changed; 6 reconciliation checks change**" in text
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")]
            for line in text.splitlines() if line.startswith("| funding")]
    assert rows == [["funding", "low-moss 2013-14 government Scottish Government",
                     "amount_gbp", "183000", "183300", "£300", "changed: one digit changed"]]


def test_an_invalid_edition_is_named(tmp_path: Path) -> None:
    broken = data_dir_from(tmp_path)
    with open(broken / "funding.csv", "a", encoding="utf-8") as handle:
        handle.write("x,y\n")
    message = "funding.csv:9: column stream: 2 cells, header has 7 [missing-cell]\n"
    assert run(["diff", str(SMALL), str(broken)]) == (
        2, "", f"pspctl: error: NEW edition {broken}: {message}")
    assert run(["diff", str(broken), str(SMALL)]) == (
        2, "", f"pspctl: error: OLD edition {broken}: {message}")
    assert run(["diff", str(SMALL), str(tmp_path / "none")]) == (
        2, "", f"pspctl: error: NEW edition: {tmp_path / 'none'}: data directory not found\n")
