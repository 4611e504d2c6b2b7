"""Large ledgers for people: an audit pack that stays small (the largest rows, the rest as one
line, the complete tables beside it) and adds up, and progress on long work shown only to a
person at a terminal."""

from __future__ import annotations

import csv
import os
import pty
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import read_terminal, run, write_ledger
from hypothesis import given
from hypothesis import strategies as st
from test_auditpack import markdown_rows

from pspctl import money
from pspctl.reports.common import _pounds
from pspctl.views import Column, largest_rows, table

YEARS = ["2012-13", "2013-14", "2014-15"]


def _ledger(directory: Path, psps: int, psp_totals: int = 0) -> Path:
    """``psps`` PSPs funded in three years, a third with additional funds, and ``psp_totals``
    published per-PSP totals that are each £1 off."""
    rows = [f"p{n},{year},government,SG,government,{1000 + n * 37 + k},t\n"
            for n in range(psps) for k, year in enumerate(YEARS)]
    rows += [f"p{n},,additional,Trust,charitable trust,{50 + n},t\n" for n in range(0, psps, 3)]
    directory = write_ledger(directory, psps, rows)
    with (directory / "totals.csv").open("a", encoding="utf-8") as totals:
        for n in range(psp_totals):
            wrong = sum(1000 + n * 37 + k for k in range(3)) + 1
            totals.write(f"t{n},grand_total,p{n},,government,{wrong},,t\n")
    return directory


def _funding_total(directory: Path) -> str:
    code, out, _ = run(["funding", "--by-psp", "-f", "csv", "--totals", "--data-dir",
                        str(directory)])
    assert code == 0
    return out.splitlines()[-1].split(",")[-2]  # (the last column marks the totals row)


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def test_a_2000_psp_pack_is_small_adds_up_and_has_its_tables_beside_it(tmp_path: Path) -> None:
    data = _ledger(tmp_path / "big", 2000)
    pack = tmp_path / "pack.md"
    assert run(["report", "-o", str(pack), "--data-dir", str(data)])[0] == 0
    text = pack.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 40_000  # the complete Table 3 alone is 2,000 rows
    table3 = markdown_rows(_section(text, "Table 3, recomputed from its cells"))
    body = table3[1:-1]
    assert len(body) == 21 and table3[-1][0] == "Total"
    assert body[-1][0] == "all other PSPs (1,980)"
    shown = [p for p, *_ in body[:-1]]  # each PSP by its name (there is no Table 3 label)
    assert shown == [f"Partnership {n}" for n in range(1980, 2000)]  # the 20 largest, in order
    total = _funding_total(data)
    assert table3[-1][-1] == f"£{Decimal(total):,}"
    assert sum(Decimal(row[-1].strip("£").replace(",", "")) for row in body) == Decimal(total)
    assert ("Scottish Government funds (Table 3): the 20 largest by total_gbp of 2,000 PSPs are "
            "shown, and the other 1,980 as one line, whose figures are their sums.\n") in text
    assert "All 2,000 rows: [pack-table-3.csv](pack-table-3.csv), beside this pack.\n" in text
    with (tmp_path / "pack-table-3.csv").open(encoding="utf-8", newline="") as complete:
        rows = list(csv.DictReader(complete))
    assert len(rows) == 2000
    assert sum(Decimal(r["total_gbp"]) for r in rows) == Decimal(total)
    additional = (tmp_path / "pack-additional-funds.csv").read_text(encoding="utf-8")
    assert len(additional.splitlines()) == 2001
    assert ("All 2,000 rows: [pack-additional-funds.csv](pack-additional-funds.csv), beside "
            "this pack.") in text


def test_the_html_pack_links_its_complete_tables_whatever_its_name(tmp_path: Path) -> None:
    data = _ledger(tmp_path / "big", 40)
    pack = tmp_path / "a <b> & c.html"
    assert run(["report", "-o", str(pack), "--data-dir", str(data)])[0] == 0
    text = pack.read_text(encoding="utf-8")
    assert ('<p>All 40 rows: <a href="a%20%3Cb%3E%20%26%20c-table-3.csv">a &lt;b&gt; &amp; '
            "c-table-3.csv</a>, beside this pack.</p>") in text
    assert (tmp_path / "a <b> & c-table-3.csv").is_file()


def test_reconciliation_results_are_never_shortened(tmp_path: Path) -> None:
    data = _ledger(tmp_path / "big", 60, psp_totals=30)
    pack = tmp_path / "pack.md"
    assert run(["report", "-o", str(pack), "--data-dir", str(data)])[0] == 0
    text = pack.read_text(encoding="utf-8")
    checks = markdown_rows(_section(text, "Reconciliation"))
    mismatches = [row for row in checks if row[-1] == "MISMATCH"]
    assert len(mismatches) >= 31  # the 30 PSP totals and the grand total, every one shown
    assert not any("all other" in " ".join(row) for row in checks)
    assert len(markdown_rows(_section(text, "Table 3, recomputed from its cells"))) == 23


def test_a_workbook_pack_has_the_complete_tables_as_sheets(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("xlsxwriter")
    data = _ledger(tmp_path / "big", 300)
    pack = tmp_path / "pack.xlsx"
    assert run(["report", "-o", str(pack), "--data-dir", str(data)])[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big", "pack.xlsx"]
    book = openpyxl.load_workbook(pack)
    assert "table-3 (all)" in book.sheetnames and "additional-funds (all)" in book.sheetnames
    # header, every PSP, totals; then what Table 3 prints and the difference from it
    assert book["table-3 (all)"].max_row == 1 + 300 + 1 + 2
    shown = book[book.sheetnames[0]]
    assert shown.max_row == 1 + 21 + 1 + 2  # header, 20 largest and the rest, totals, published
    assert shown.cell(22, 1).value == "all other PSPs (280)"
    notes = [c.value for c in book["Notes"]["A"]]
    assert any("All 300 rows: the sheet “table-3 (all)”." in str(n) for n in notes)


# --- the rule itself ---------------------------------------------------------------------------

money_cells = st.one_of(st.none(), st.integers(-10**9, 10**9).map(money.gbp))


@given(st.lists(st.tuples(money_cells, money_cells), min_size=0, max_size=60),
       st.integers(1, 25))
def test_shortened_tables_add_up_to_the_same_totals(cells: list[tuple[Decimal | None, ...]],
                                                    keep: int) -> None:
    frame = pd.DataFrame({"psp_id": [f"p{n}" for n in range(len(cells))],
                          "a_gbp": [a for a, _ in cells], "b_gbp": [b for _, b in cells]},
                         dtype=object)
    columns = (Column("psp_id", "id"), Column("a_gbp", "money", "sum"),
               Column("b_gbp", "money", "sum"))
    whole = table("T", columns, frame, totals=True, label="psp_id")
    short, sentence = largest_rows(whole, keep, "PSPs")
    if len(cells) <= keep + 1:
        assert (short, sentence) == (whole, None)
        return
    assert len(short.body) == keep + 1 and sentence is not None
    assert short.body["psp_id"].iloc[-1] == f"all other PSPs ({len(cells) - keep})"
    assert short.footer is not None and whole.footer is not None
    for name in ("a_gbp", "b_gbp"):
        assert short.footer[name].iloc[0] == whole.footer[name].iloc[0]
    size = [abs(b) if b is not None else Decimal(-1) for _, b in cells]
    kept = [int(p[1:]) for p in short.body["psp_id"].iloc[:-1]]
    assert kept == sorted(kept)  # in their order
    assert min(size[n] for n in kept) >= max(size[n] for n in set(range(len(cells))) - set(kept))


@given(st.integers(-10**14, 10**14))
def test_sentences_write_pounds_as_tables_do(pence: int) -> None:
    assert _pounds(pence) == money.pretty_money(money.gbp(pence))


# --- progress ------------------------------------------------------------------------------------

STAGE = re.compile(r"pspctl: (working|reading [a-z]+\.csv|checking the data|reconciling|"
                   r"reviewing|drawing the charts?|writing the pack)")


def _with_terminal(args: list[str], stdout_piped: bool = False,
                   env: dict[str, str] | None = None) -> tuple[str, str]:
    """pspctl ``args`` with stderr (and stdout, unless piped) a pseudo-terminal: what the
    terminal showed, and what went down the pipe."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pspctl", *args], stdin=slave,
                               stdout=subprocess.PIPE if stdout_piped else slave, stderr=slave,
                               env={**os.environ, "COLUMNS": "80", "LINES": "200",
                                    "PSPCTL_PROGRESS_AFTER": "0", **(env or {})})
    os.close(slave)
    shown = read_terminal(master)
    piped = process.stdout.read() if process.stdout else b""
    assert process.wait(timeout=60) in (0, 1)
    os.close(master)
    return shown.decode("utf-8", errors="replace"), piped.decode("utf-8")


def test_progress_is_shown_in_a_terminal_then_cleared(tmp_path: Path) -> None:
    shown, _ = _with_terminal(["report", "-o", str(tmp_path / "pack.md")])
    assert STAGE.search(shown), shown
    assert "\x1b[2K" in shown  # the line is erased when the work is done
    shown, _ = _with_terminal(["reconcile"])
    assert STAGE.search(shown)
    assert " ".join(shown.split()).endswith("The other 5 carry that difference into the "
                                            "totals.")  # the output, whole, after it


def test_no_progress_when_piped_or_quiet() -> None:
    shown, piped = _with_terminal(["reconcile", "-f", "csv"], stdout_piped=True)
    assert shown == "" and piped.startswith("check,scope,")  # a script sees no change
    shown, _ = _with_terminal(["reconcile", "--quiet"])
    assert shown == ""
    result = subprocess.run([sys.executable, "-m", "pspctl", "reconcile"], capture_output=True,
                            text=True, timeout=60,
                            env={**os.environ, "PSPCTL_PROGRESS_AFTER": "0"})
    assert result.stderr == "" and result.returncode == 1
    assert "MISMATCH" in result.stdout
