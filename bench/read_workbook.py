"""Read a workbook of pspctl data with each candidate reader, the way pspctl needs it: every
cell of the four sheets, with its type (a number stays a number). Median of --runs, each in a
fresh process, so that imports count too; a library not installed is left out. Beside them,
the whole of ``pspctl validate --data-dir BOOK`` (every rule, every cell's place), and its ratio
to python-calamine's read: #27's target is at most 2.

    python bench/read_workbook.py BOOK.xlsx [--runs 3] [--pspctl PATH/TO/pspctl]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time

READERS = {
    "pspctl (its own reader, standard library)": (
        "from pspctl._sheets import read_book\n"
        "with open(PATH, 'rb') as f:\n"
        "    rows = read_book(f.read(), PATH, ('psp', 'funding', 'totals', 'outcomes'),\n"
        "                     1 << 30)\n"),
    "python-calamine": (
        "from python_calamine import CalamineWorkbook\n"
        "book = CalamineWorkbook.from_path(PATH)\n"
        "rows = {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False)\n"
        "        for n in ('psp', 'funding', 'totals', 'outcomes')}\n"),
    "openpyxl (read-only)": (
        "import openpyxl\n"
        "book = openpyxl.load_workbook(PATH, read_only=True, data_only=True)\n"
        "rows = {n: [list(r) for r in book[n].iter_rows(values_only=True)]\n"
        "        for n in ('psp', 'funding', 'totals', 'outcomes')}\n"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("book")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pspctl", default=None,
                        help="the pspctl to validate with (default: python -m pspctl)")
    args = parser.parse_args()
    commands = {name: [sys.executable, "-c", f"PATH = {args.book!r}\n{code}"]
                for name, code in READERS.items()  # those installed here
                if importlib.util.find_spec(code.split()[1].split(".")[0]) is not None}
    validate = "pspctl validate (the whole command)"
    commands[validate] = ([args.pspctl] if args.pspctl else [sys.executable, "-m", "pspctl"]) \
        + ["validate", "--data-dir", args.book]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):  # alternated, so that each sees the same machine
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, stdout=subprocess.DEVNULL, check=False)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{name}: exit {done.returncode}")
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(measured) for name, measured in times.items()}
    for name, median in medians.items():
        print(f"{name}: median {median:.2f} s of {args.runs}")
    if "python-calamine" in medians:
        print(f"validate / python-calamine's read: "
              f"{medians[validate] / medians['python-calamine']:.2f}")


if __name__ == "__main__":
    main()
