"""Hypothesis strategies: valid datasets, written as the CSV files pspctl reads."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(1998, 2030)]


def amount_text(pence: int, style: int) -> str:
    """``pence`` written the ways people write money: 1234, 1234.5, 1,234.00, £1,234."""
    pounds, rest = divmod(pence, 100)
    grouped = f"{pounds:,}"
    if style == 0 and rest == 0:
        return str(pounds)
    if style == 1:
        return f"{pounds}.{rest:02d}"
    if style == 2:
        return f"{grouped}.{rest:02d}"
    if style == 3 and rest == 0:
        return f"£{grouped}"
    if rest % 10 == 0 and style == 4:
        return f"{pounds}.{rest // 10}"
    return f"£{grouped}.{rest:02d}"


@dataclass
class Generated:
    psp_ids: list[str]
    cells: dict[tuple[str, str], int]  # (psp_id, year) -> pence, government
    additional: dict[str, int]  # psp_id -> pence

    def write(self, directory: Path, styles: list[int]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / "psp.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["psp_id", "name", "table_label", "established", "sector", "focus",
                        "lead", "lead_sector", "table_note", "source"])
            for n, psp_id in enumerate(self.psp_ids):
                w.writerow([psp_id, f"Partnership {psp_id.upper()}", "", 2000 + n, "", "", "",
                            ("public", "third", "")[n % 3], "", "generated"])
        with open(directory / "funding.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["psp_id", "year", "stream", "funder", "funder_sector", "amount_gbp",
                        "source"])
            for n, ((psp_id, year), pence) in enumerate(sorted(self.cells.items())):
                w.writerow([psp_id, year, "government", "Scottish Government", "government",
                            amount_text(pence, styles[n % len(styles)]), "generated"])
            for psp_id, pence in sorted(self.additional.items()):
                w.writerow([psp_id, "", "additional", "A Trust", "charitable trust",
                            amount_text(pence, 1), "generated"])
        totals: dict[str, int] = {}
        for (_, year), pence in self.cells.items():
            totals[year] = totals.get(year, 0) + pence
        grand = sum(totals.values())
        with open(directory / "totals.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["total_id", "kind", "psp_id", "year", "stream", "amount_gbp", "label",
                        "source"])
            for year, pence in sorted(totals.items()):
                w.writerow([f"year-{year}", "year_total", "", year, "government",
                            amount_text(pence, 2), "", "generated"])
            w.writerow(["grand-total", "grand_total", "", "", "government",
                        amount_text(grand, 2), "", "generated"])
            w.writerow(["headline", "headline", "", "", "government", amount_text(grand, 3),
                        "", "generated"])
        with open(directory / "outcomes.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["psp_id", "outcome", "value", "qualifier", "source"])
            w.writerow([self.psp_ids[0], "people helped", "1", "", "generated"])
        return directory


@st.composite
def datasets(draw: st.DrawFn, max_psps: int = 6, max_pence: int = 10**11) -> Generated:
    count = draw(st.integers(1, max_psps))
    psp_ids = [f"p{n}" for n in range(count)]
    cells = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(psp_ids), st.sampled_from(YEARS)),
            st.integers(0, max_pence),
            min_size=1,
            max_size=40,
        )
    )
    additional = draw(st.dictionaries(st.sampled_from(psp_ids), st.integers(0, max_pence)))
    return Generated(psp_ids, cells, additional)


# --- ledgers of every shape the schema allows --------------------------------------------------

GOVERNMENT_FUNDERS = ["Scottish Government", "Scottish Government (Health)"]
OTHER_FUNDERS = ["A Trust", "A Council"]
KINDS = ["year_total", "grand_total", "headline"]


@dataclass(frozen=True)
class Total:
    """A published total: its scope, and how far it is off the cells it covers (pence)."""

    kind: str
    psp_id: str | None
    year: str | None
    stream: str
    off: int


@dataclass
class Ledger:
    """A valid dataset of any shape: several funders in a year, additional funds with and
    without a year, pence, per-PSP and per-stream totals, several totals for one scope."""

    psp_ids: list[str]
    cells: dict[tuple[str, str, str, str], int]  # (stream, psp_id, year or "", funder) -> pence
    totals: list[Total]

    def computed(self, stream: str, psp_id: str | None = None, year: str | None = None,
                 psps: list[str] | None = None, years: tuple[str, str] | None = None) -> int:
        """The cells of a scope, summed by hand."""
        return sum(
            pence for (s, p, y, _), pence in self.cells.items()
            if s == stream and (psp_id is None or p == psp_id) and (year is None or y == year)
            and (psps is None or p in psps) and (years is None or years[0] <= y <= years[1])
        )

    def published(self, total: Total) -> int:
        return self.computed(total.stream, total.psp_id, total.year) + total.off

    def write(self, directory: Path) -> Path:
        Generated(self.psp_ids, {}, {}).write(directory, [0])  # psp.csv and outcomes.csv
        with open(directory / "funding.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["psp_id", "year", "stream", "funder", "funder_sector", "amount_gbp",
                        "source"])
            for n, ((stream, psp_id, year, funder), pence) in enumerate(self.cells.items()):
                w.writerow([psp_id, year, stream, funder, "", amount_text(pence, n % 6),
                            "generated"])
        with open(directory / "totals.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["total_id", "kind", "psp_id", "year", "stream", "amount_gbp", "label",
                        "source"])
            for n, total in enumerate(self.totals):
                w.writerow([f"t{n}", total.kind, total.psp_id or "", total.year or "",
                            total.stream, amount_text(self.published(total), n % 6), "",
                            "generated"])
        return directory


@st.composite
def ledgers(draw: st.DrawFn, offs: bool = True) -> Ledger:
    psp_ids = [f"p{n}" for n in range(draw(st.integers(1, 4)))]
    years = draw(st.lists(st.sampled_from(YEARS), min_size=1, max_size=4, unique=True))
    pence = st.integers(0, 10**9)
    cells = draw(st.dictionaries(
        st.tuples(st.just("government"), st.sampled_from(psp_ids), st.sampled_from(years),
                  st.sampled_from(GOVERNMENT_FUNDERS)), pence, min_size=1, max_size=12))
    cells.update(draw(st.dictionaries(
        st.tuples(st.just("additional"), st.sampled_from(psp_ids),
                  st.sampled_from(["", *years]), st.sampled_from(OTHER_FUNDERS)),
        pence, max_size=5)))
    off = st.one_of(st.just(0), st.integers(-(10**6), 10**6)) if offs else st.just(0)
    scopes = st.tuples(st.sampled_from(KINDS), st.sampled_from([None, *psp_ids]),
                       st.sampled_from(years), st.sampled_from(["government", "additional"]),
                       off)
    totals = []
    for kind, psp_id, year, stream, shift in draw(st.lists(scopes, min_size=1, max_size=10)):
        total = Total(kind, psp_id, year if kind == "year_total" else None, stream, 0)
        computed = Ledger(psp_ids, cells, []).published(total)
        totals.append(Total(kind, psp_id, total.year, stream, max(shift, -computed)))
    return Ledger(psp_ids, cells, totals)
