"""diff and review beside reconcile on one ledger: whole processes, medians of wall time and
the peak memory of each (the kernel's rusage of the child), and their ratios to reconcile's,
measured in one run.

    python bench/editions.py PSPCTL LEDGER_DIR [--runs 5] [--peers PYTHON]

The second edition is a copy of LEDGER_DIR with one amount changed (line 1,001 of
funding.csv), made in a temporary folder beside it and removed after. ``--peers`` names a
Python with duckdb and polars installed: each then does the comparison ``diff`` does (the rows
of each of the four files that are in one edition and not the other, every field as text, the
amounts as exact decimals), measured in the same run. They do less than ``diff``: no rule is
checked, no problem is placed on its line, no change is explained.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def measured(argv: list[str]) -> tuple[float, int]:
    """Run ``argv`` once, its output discarded: its wall time and its peak RSS in bytes."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: the command, its output discarded
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(argv[0], argv)
    _, _, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss * 1024


def edited(ledger: Path, where: Path) -> Path:
    """A copy of ``ledger`` with one figure changed."""
    copy = where / "edited"
    shutil.copytree(ledger, copy)
    funding = copy / "funding.csv"
    lines = funding.read_text(encoding="utf-8").split("\n")
    lines[1000] = re.sub(r",([0-9.]+),([^,]*)$", r",\g<1>9,\2", lines[1000]) \
        if "." not in lines[1000].split(",")[-2] else re.sub(
            r"\.([0-9]{2}),([^,]*)$", r".99,\2", lines[1000])
    funding.write_text("\n".join(lines), encoding="utf-8")
    return copy


PEERS = {
    "DuckDB: EXCEPT ALL both ways": """
import sys, duckdb
old, new = sys.argv[1:3]
con = duckdb.connect()
for name in ("psp", "funding", "totals", "outcomes"):
    amounts = " REPLACE (CAST(amount_gbp AS DECIMAL(18, 2)) AS amount_gbp)" \
        if name in ("funding", "totals") else ""
    a, b = (f"SELECT *{amounts} FROM read_csv('{folder}/{name}.csv', all_varchar = true)"
            for folder in (old, new))
    print(name, len(con.execute(f"({a}) EXCEPT ALL ({b})").fetchall()),
          len(con.execute(f"({b}) EXCEPT ALL ({a})").fetchall()))
""",
    "polars: anti-joins both ways": """
import sys, polars as pl
old, new = sys.argv[1:3]
for name in ("psp", "funding", "totals", "outcomes"):
    a, b = (pl.read_csv(f"{folder}/{name}.csv", infer_schema=False) for folder in (old, new))
    if name in ("funding", "totals"):
        a, b = (f.with_columns(pl.col("amount_gbp").cast(pl.Decimal(18, 2))) for f in (a, b))
    print(name, len(a.join(b, on=a.columns, how="anti", nulls_equal=True)),
          len(b.join(a, on=b.columns, how="anti", nulls_equal=True)))
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pspctl")
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peers", default=None, help="a Python with duckdb and polars")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.ledger.parent) as where:
        other = edited(args.ledger, Path(where))
        commands = {
            "reconcile -q": ["reconcile", "-q", "--data-dir", str(args.ledger)],
            "diff -q": ["diff", str(args.ledger), str(other), "-q"],
            "diff -f csv": ["diff", str(args.ledger), str(other), "-f", "csv"],
            "review -f csv": ["review", "--data-dir", str(args.ledger), "-f", "csv"],
        }
        argvs = {f"`pspctl {name}`": [args.pspctl, *command] for name, command in commands.items()}
        if args.peers:
            argvs.update({name: [args.peers, "-c", code, str(args.ledger), str(other)]
                          for name, code in PEERS.items()})
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in argvs}
        for _ in range(args.runs):  # alternated, so that the machine weighs on each alike
            for name, argv in argvs.items():
                results[name].append(measured(argv))
    base_time = statistics.median(t for t, _ in results["`pspctl reconcile -q`"])
    base_memory = statistics.median(m for _, m in results["`pspctl reconcile -q`"])
    print("| command | time | x reconcile | peak memory | x reconcile |\n|---|--:|--:|--:|--:|")
    for name, found in results.items():
        t = statistics.median(t for t, _ in found)
        m = statistics.median(m for _, m in found)
        print(f"| {name} | {t:.2f} s | {t / base_time:.2f} | {m / 2**20:,.0f} MiB | "
              f"{m / base_memory:.2f} |", flush=True)


if __name__ == "__main__":
    main()
