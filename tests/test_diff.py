"""diff: two editions compared, fact by fact, and what the change does to the reconciliation."""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal as D
from pathlib import Path

from conftest import REPO, SMALL, TESTS, data_dir_from, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import Ledger, ledgers

from pspctl import loader, reports

DATA = REPO / "data"
HEADER = ("file,change,psp_id,year,stream,funder,total_id,outcome,field,old,new,"
          "difference_gbp,note\n")


def test_a_corrected_edition(tmp_path: Path) -> None:
    # The correction of the £300: Low Moss's 2013-14 cell read as 183,300, not 183,000.
    corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=DATA)
    code, out, err = run(["diff", str(DATA), str(corrected), "-f", "csv"])
    assert (code, err) == (1, "")
    assert out == (
        HEADER +
        "funding,changed,low-moss,2013-14,government,Scottish Government,,,"
        "amount_gbp,183000,183300,300,one digit changed\n")
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
        0, HEADER, "")
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
    assert [(r.file, r.change, r.psp_id, r.year, r.field, r.old, r.new, r.difference_gbp,
             r.note) for r in result.changes.itertuples()] == [
        ("psp", "changed", "elevate", None, "table_label", "Elevate", "Elevate (GCA)", None, ""),
        ("funding", "changed", "spt-community-transport", "2013-14", "amount_gbp", "29329",
         "29239", D("-90.00"), "two adjacent digits swapped"),
        ("funding", "removed", "elevate", "2017-18", "amount_gbp", "100000", None,
         D("-100000.00"), ""),
        ("funding", "added", "elevate", "2018-19", "amount_gbp", None, "5000", D("5000.00"), ""),
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
    # the generator writes each total from the cells it covers: those move with the cell
    moved = [("totals", None, None, f"t{n}", "amount_gbp")
             for n, total in enumerate(ledger.totals)
             if ledger.published(total) != changed.published(total)]
    assert [(r.file, r.stream if r.file == "funding" else None,
             r.funder if r.file == "funding" else None, r.total_id, r.field)
            for r in found.itertuples()] == [
        ("funding", stream, funder or None, None, "amount_gbp"), *moved]
    assert (found["psp_id"].iloc[0], found["year"].iloc[0]) == (psp_id, year or None)
    assert found["difference_gbp"].iloc[0] * 100 == pence - ledger.cells[key]


def test_the_pack_against_an_earlier_edition(tmp_path: Path) -> None:
    corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=DATA)
    target = tmp_path / "pack.md"
    assert run(["report", "-o", str(target), "--data-dir", str(corrected),
                "--against", str(DATA)])[0] == 0
    text = target.read_text(encoding="utf-8")
    assert "## Differences from the earlier edition" in text
    import hashlib

    funding = hashlib.sha256((DATA / "funding.csv").read_bytes()).hexdigest()
    newer = hashlib.sha256((corrected / "funding.csv").read_bytes()).hexdigest()
    assert re.search(r"Compared against the earlier edition: the (bundled data of pspctl \S+"
                     r"|data folder “data”): 6 PSPs, 31 funding figures, 8 published totals, "
                     r"6 outcomes\. SHA-256 of its files: `psp.csv` [0-9a-f]{64}; "
                     rf"`funding.csv` {funding};", text)  # both editions, each with its sums
    assert f"`funding.csv` {newer}" in text and funding != newer
    assert "**the editions differ: 1 fact changed; 6 reconciliation checks change**" in text
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")]
            for line in text.splitlines() if line.startswith("| funding")]
    assert rows == [["funding", "low-moss 2013-14 government Scottish Government",
                     "amount_gbp", "£183,000 → £183,300 (+£300)", "one digit changed"]]


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


def _edition(tmp_path: Path, name: str, **files: str) -> Path:
    """The bundled data with ``files`` (name to text) replaced: an edition."""
    (tmp_path / name).mkdir()
    edition = data_dir_from(tmp_path / name, base=DATA)
    for file, text in files.items():
        (edition / f"{file}.csv").write_text(text, encoding="utf-8")
    return edition


def _read(name: str) -> str:
    return (DATA / f"{name}.csv").read_text(encoding="utf-8")


def test_a_renamed_psp_is_one_line_with_its_other_changes_beneath(tmp_path: Path) -> None:
    renamed = {name: "\n".join("hmp-" + line if line.startswith("low-moss,") else line
                               for line in _read(name).split("\n"))
               for name in ("psp", "funding", "outcomes")}
    renamed["funding"] = renamed["funding"].replace(
        "hmp-low-moss,2016-17,government,Scottish Government,government,311000,",
        "hmp-low-moss,2016-17,government,Scottish Government,government,311500,")
    edition = _edition(tmp_path, "renamed", **renamed)
    code, out, err = run(["diff", str(DATA), str(edition), "-f", "csv"])
    assert (code, err) == (1, "")
    assert out == (
        HEADER +
        "psp,renamed,hmp-low-moss,,,,,,psp_id,low-moss,hmp-low-moss,,\n"
        "funding,changed,hmp-low-moss,2016-17,government,Scottish Government,,,"
        "amount_gbp,311000,311500,500,one digit changed\n")
    code, out, _ = run(["diff", str(DATA), str(edition)])
    assert code == 1
    assert out.split("\n\n")[0] == (
        "What changed\n"
        "+---------+-----------------------------------------------------+------------+"
        "---------------------------------+-------------------+\n"
        "| file    | key                                                 | field      | "
        "old → new                       | note              |\n"
        "+---------+-----------------------------------------------------+------------+"
        "---------------------------------+-------------------+\n"
        "| psp     | hmp-low-moss                                        | psp_id     | "
        "renamed low-moss → hmp-low-moss |                   |\n"
        "| funding | hmp-low-moss 2016-17 government Scottish Government | amount_gbp | "
        "£311,000 → £311,500 (+£500)     | one digit changed |\n"
        "+---------+-----------------------------------------------------+------------+"
        "---------------------------------+-------------------+")


def test_a_removed_published_total_says_which_checks_are_no_longer_made(tmp_path: Path
                                                                        ) -> None:
    totals = "".join(line for line in _read("totals").splitlines(keepends=True)
                     if not line.startswith("year-2015-16,"))
    edition = _edition(tmp_path, "removed", totals=totals)
    code, out, err = run(["diff", str(DATA), str(edition), "-f", "csv"])
    assert (code, out, err) == (
        1, HEADER + "totals,removed,,2015-16,government,,year-2015-16,,amount_gbp,500000,,"
        "-500000,\n", "")
    code, out, _ = run(["diff", str(DATA), str(edition)])
    why = "not checked: the published total year-2015-16 was removed"
    assert out.split("\n\n")[1].splitlines()[4:9] == [
        f"| footing       | 2015-16                    | ok → not checked       | £0 → none   "
        f"| {why} |",
        f"| cross-footing | year totals vs cells       | mismatch → not checked | £300 → none "
        f"| {why} |",
        f"| cross-footing | year totals vs row totals  | mismatch → not checked | £300 → none "
        f"| {why} |",
        f"| cross-footing | grand total vs year totals | ok → not checked       | £0 → none   "
        f"| {why} |",
        "+---------------+----------------------------+------------------------+-------------+"
        "-----------------------------------------------------------+"]
    result = reports.differences(loader.load(DATA), loader.load(edition))
    assert result.effects["note"].tolist() == [why] * 4


def test_an_added_psp_shows_its_name_and_its_figures(tmp_path: Path) -> None:
    edition = _edition(
        tmp_path, "added",
        psp=_read("psp") + "new-psp,New Partnership,New PSP,2017,care,,,,,t,\n",
        funding=_read("funding") + "new-psp,2017-18,government,Scottish Government,government,"
        "25000,t\n")
    code, out, err = run(["diff", str(DATA), str(edition), "-f", "csv"])
    assert (code, out, err) == (
        1, HEADER + "psp,added,new-psp,,,,,,name,,New Partnership,,\n"
        "funding,added,new-psp,2017-18,government,Scottish Government,,,"
        "amount_gbp,,25000,25000,\n", "")
    code, out, _ = run(["diff", str(DATA), str(edition)])
    assert out.split("\n\n")[0].splitlines()[4:6] == [
        "| psp     | new-psp                                        | name       | "
        "added: New Partnership |      |",
        "| funding | new-psp 2017-18 government Scottish Government | amount_gbp | "
        "added: £25,000         |      |"]


def test_the_corrections_table_for_people(tmp_path: Path) -> None:
    corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=DATA)
    code, out, _ = run(["diff", str(DATA), str(corrected)])
    assert code == 1
    assert out.split("\n\n")[0].splitlines()[4] == (
        "| funding | low-moss 2013-14 government Scottish Government | amount_gbp | "
        "£183,000 → £183,300 (+£300) | one digit changed |")
    # (no check is made in one edition only: no note column)
    assert "| footing       | 2013-14                   | mismatch → ok | £300 → £0  |\n" \
        in out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), ledgers(), st.data())
def test_the_columnwise_diff_gives_what_the_fact_by_fact_one_did(
        one: Ledger, other: Ledger, data: st.DataObject) -> None:
    """Random pairs of editions (independent ones, and one edited into the other: figures
    changed, rows dropped, a PSP renamed, a name changed): diff's changes, row for row and in
    order, are those of the implementation before it was vectorised (tests/reference_diff.py).
    """
    import reference_diff

    with tempfile.TemporaryDirectory() as directory:
        a = loader.load(one.write(Path(directory) / "a"))
        b = loader.load(other.write(Path(directory) / "b"))
    edited = _edited(a, data)
    for old, new in ((a, b), (a, edited), (edited, a)):
        ours = reports.differences(old, new).changes
        theirs = reference_diff.differences(old, new).changes
        assert ours.values.tolist() == theirs.values.tolist()
        assert list(ours.columns) == list(theirs.columns)


def _edited(data: loader.Dataset, draw: st.DataObject) -> loader.Dataset:
    """``data`` with some of its facts changed, as a later edition might have them."""
    from dataclasses import replace

    funding = data.funding.copy()
    n = len(funding)
    for row in draw.draw(st.lists(st.integers(0, n - 1), max_size=3)) if n else []:
        funding.iloc[row, funding.columns.get_loc("amount_pence")] = draw.draw(
            st.integers(0, 10**9))
    dropped = draw.draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True)) if n else []
    funding = funding.drop(index=funding.index[dropped]).reset_index(drop=True)
    psp = data.psp.copy()
    if draw.draw(st.booleans()):
        psp["name"] = psp["name"].astype(object)
        psp.iloc[0, psp.columns.get_loc("name")] = "A new name"
    if draw.draw(st.booleans()):  # the first PSP renamed, with all its facts
        ids = {psp["psp_id"].iloc[0]: "renamed-psp"}
        psp["psp_id"] = psp["psp_id"].astype(object).replace(ids)
        funding["psp_id"] = funding["psp_id"].astype(object).replace(ids).astype("category")
    totals = data.totals.iloc[: draw.draw(st.integers(0, len(data.totals)))]
    return replace(data, funding=funding, psp=psp, totals=totals.reset_index(drop=True))
