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
