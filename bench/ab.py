"""Two installs of pspctl side by side: the same commands, alternated run by run, medians and
the ratio measured in one run (so that the state of the machine weighs on both alike).

    python bench/ab.py BEFORE/bin/pspctl AFTER/bin/pspctl [--runs 7] [--big DIR]
        [--workbook BOOK ...]

``--big`` names a large generated ledger (bench/generate.py) for the large-file rows;
``--workbook`` (repeated) a workbook of one (``pspctl export --format workbook``, or that saved
as .ods) to validate and to read.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path


def timed(argv: list[str], times: list[float]) -> None:
    """Run ``argv`` once, its output discarded, and add its wall time to ``times``."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times.append(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--big", default=None)
    parser.add_argument("--workbook", action="append", default=[])
    args = parser.parse_args()
    commands = [["--help"], ["funding", "-f", "csv"], ["reconcile", "-f", "csv"], ["validate"]]
    if args.big:
        commands += [[*c, "--data-dir", args.big, "-f", "csv"]
                     for c in (["funding", "--by-year"], ["reconcile"], ["funding"])]
    for book in args.workbook:
        commands += [["validate", "--data-dir", book],
                     ["funding", "--by-year", "--data-dir", book, "-f", "csv"]]
    print("| command | before | after | after / before |\n|---|--:|--:|--:|")
    for command in commands:
        before: list[float] = []
        after: list[float] = []
        for _ in range(args.runs):
            timed([args.before, *command], before)
            timed([args.after, *command], after)
        b, a = statistics.median(before), statistics.median(after)
        shown = " ".join("BIG" if part == args.big else Path(part).name
                         if part in args.workbook else part for part in command)
        print(f"| `pspctl {shown}` | {b * 1000:,.0f} ms | {a * 1000:,.0f} ms | {a / b:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
