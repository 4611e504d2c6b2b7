"""Generate a large valid dataset with the schema of data/ (seeded, reproducible).

    python bench/generate.py OUT_DIR [--rows 5000000] [--pounds-style plain|pretty] [--seed 1]

Rows are Scottish Government funding (one per PSP and year) and additional funds from several
funders per PSP and year, over 30 financial years and as many PSPs as the row count needs (tens of
thousands for 5M rows). totals.csv publishes year totals, a grand total and a headline that add
up, so reconcile finds every check holding. ``--pounds-style pretty`` writes amounts as
"£12,345.67" (quoted), the way a spreadsheet exports them.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(1995, 2025)]
FUNDERS = [("Scottish Government", "government", "government")] + [
    (f"Funder {n:02d}", "additional", sector)
    for n, sector in enumerate(
        ["local authority", "NHS board", "lottery", "charitable trust", "local authority",
         "regional transport partnership", "charitable trust"], start=1)
]
PER_PSP_YEAR = len(FUNDERS)


def amount(pence: int, pretty: bool) -> str:
    pounds, rest = divmod(pence, 100)
    if pretty:
        return f'"£{pounds:,}.{rest:02d}"'
    return f"{pounds}.{rest:02d}" if rest else str(pounds)


def generate(out: Path, rows: int, pretty: bool, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    psps = max(1, -(-rows // (len(YEARS) * PER_PSP_YEAR)))
    ids = [f"psp-{n:06d}" for n in range(psps)]
    with open(out / "psp.csv", "w", encoding="utf-8", newline="") as f:
        f.write("psp_id,name,table_label,established,sector,focus,lead,lead_sector,table_note,"
                "source\n")
        f.writelines(f"{i},Partnership {n},,{1990 + n % 30},,,,{('public', 'third')[n % 2]},,"
                     "generated\n" for n, i in enumerate(ids))
    year_totals = dict.fromkeys(YEARS, 0)
    written = 0
    with open(out / "funding.csv", "w", encoding="utf-8", newline="") as f:
        f.write("psp_id,year,stream,funder,funder_sector,amount_gbp,source\n")
        buffer: list[str] = []
        for psp_id in ids:
            for year in YEARS:
                for funder, stream, sector in FUNDERS:
                    if written >= rows:
                        break
                    pence = rng.randrange(1, 50_000_000)
                    if stream == "government":
                        year_totals[year] += pence
                    buffer.append(f"{psp_id},{year},{stream},{funder},{sector},"
                                  f"{amount(pence, pretty)},generated\n")
                    written += 1
            if len(buffer) > 100_000:
                f.writelines(buffer)
                buffer.clear()
        f.writelines(buffer)
    grand = sum(year_totals.values())
    with open(out / "totals.csv", "w", encoding="utf-8", newline="") as f:
        f.write("total_id,kind,psp_id,year,stream,amount_gbp,label,source\n")
        for year, pence in year_totals.items():
            if pence:
                f.write(f"year-{year},year_total,,{year},government,{amount(pence, pretty)},,"
                        "generated\n")
        f.write(f"grand-total,grand_total,,,government,{amount(grand, pretty)},,generated\n")
        f.write(f"headline,headline,,,government,{amount(grand, pretty)},,generated\n")
    with open(out / "outcomes.csv", "w", encoding="utf-8", newline="") as f:
        f.write("psp_id,outcome,value,qualifier,source\n")
        f.write(f"{ids[0]},people helped,10,,generated\n")
    return {"rows": written, "psps": psps, "government_pence": grand}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--pounds-style", choices=["plain", "pretty"], default="plain")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    facts = generate(args.out, args.rows, args.pounds_style == "pretty", args.seed)
    print(f"{facts['rows']:,} funding rows, {facts['psps']:,} PSPs, government total "
          f"{facts['government_pence'] // 100:,}.{facts['government_pence'] % 100:02d}")


if __name__ == "__main__":
    main()
