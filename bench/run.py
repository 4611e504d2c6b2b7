"""Benchmark pspctl as whole processes and print a table of figures and ratios.

    python bench/run.py [--runs 5] [--rows 5000000] [--work DIR]
                        [--only startup,bundled,large,invalid,csvkit,render]

Each figure is the median wall time of ``--runs`` runs of a whole process, with its peak RSS
(from the kernel's rusage of the child). Reference commands (``python -c pass``,
``python -c "import pandas"``, csvkit's ``csvsql``) run in the same session, so the ratios compare
like with like. Large datasets are generated (seeded) under ``--work`` once and reused.
Run it with the venv pspctl is installed in; csvkit is used when ``csvsql`` is on PATH.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
PSPCTL = [PYTHON, "-m", "pspctl"]


def measure(argv: Sequence[str], runs: int, env: dict[str, str] | None = None,
            expect: Sequence[int] = (0,)) -> tuple[float, float]:
    """Median seconds and peak RSS (MiB) of ``argv`` over ``runs`` runs; output discarded."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in expect:
            error = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"{' '.join(argv)} exited {code}: {error}")
        if process.stderr:
            process.stderr.close()
        times.append(elapsed)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def output_of(argv: Sequence[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, group: str, what: str, seconds: float, mib: float, note: str = "") -> None:
        self.rows.append((group, what, f"{seconds * 1000:,.0f} ms", f"{mib:,.0f}", note))

    def markdown(self) -> str:
        lines = ["| group | command | median | peak MiB | target / ratio |",
                 "|---|---|--:|--:|---|"]
        lines += [f"| {g} | `{w}` | {s} | {m} | {n} |" for g, w, s, m, n in self.rows]
        return "\n".join(lines)


def startup(report: Report, runs: int) -> None:
    base, mib = measure([PYTHON, "-c", "pass"], runs)
    report.add("startup", "python -c pass", base, mib, "reference")
    for args in (["--help"], ["funding", "--help"], ["reconcile", "--help"]):
        seconds, mib = measure([*PSPCTL, *args], runs)
        verdict = "ok" if seconds <= 0.100 else "over"
        report.add("startup", "pspctl " + " ".join(args), seconds, mib,
                   f"≤ 100 ms: {verdict}")
    completion = {"_PSPCTL_COMPLETE": "complete_bash", "COMP_WORDS": "pspctl fu",
                  "COMP_CWORD": "1"}
    seconds, mib = measure([*PSPCTL], runs, env=completion)
    report.add("startup", "TAB completion (pspctl fu)", seconds, mib,
               f"≤ 100 ms: {'ok' if seconds <= 0.100 else 'over'}")


def bundled(report: Report, runs: int) -> None:
    pandas, mib = measure([PYTHON, "-c", "import pandas"], runs)
    report.add("bundled data", 'python -c "import pandas"', pandas, mib, "reference")
    # pspctl ends with os._exit once its output is flushed: this shows what that is worth.
    bare, mib = measure([PYTHON, "-c", "import os, pandas; os._exit(0)"], runs)
    report.add("bundled data", 'python -c "import os, pandas; os._exit(0)"', bare, mib,
               "for comparison: the same, without the interpreter's teardown")
    for args, expect in ((["funding", "-f", "csv"], (0,)), (["funding"], (0,)),
                         (["funding", "--by-year", "-f", "csv"], (0,)), (["compare"], (0,)),
                         (["list"], (0,)), (["reconcile"], (1,)), (["validate"], (0,))):
        seconds, mib = measure([*PSPCTL, *args], runs, expect=expect)
        ratio = seconds / pandas
        verdict = "ok" if ratio <= 1.10 else "over"
        report.add("bundled data", "pspctl " + " ".join(args), seconds, mib,
                   f"{ratio:.2f}× import pandas (≤ 1.10: {verdict}); "
                   f"{seconds / bare:.2f}× without teardown")


def dataset(work: Path, rows: int, style: str) -> Path:
    target = work / f"ledger-{rows}-{style}"
    if not (target / "funding.csv").exists():
        subprocess.run([PYTHON, str(HERE / "generate.py"), str(target), "--rows", str(rows),
                        "--pounds-style", style], check=True, stdout=subprocess.DEVNULL)
    return target


def large(report: Report, runs: int, work: Path, rows: int) -> None:
    for style in ("plain", "pretty"):
        data = dataset(work, rows, style)
        for args in (["funding", "--by-year"], ["funding"], ["compare"], ["reconcile"]):
            argv = [*PSPCTL, *args, "--data-dir", str(data), "-f", "csv"]
            seconds, mib = measure(argv, runs)
            verdict = "ok" if seconds <= 1.5 and mib <= 1024 else "over"
            report.add(f"{rows:,} rows, {style} amounts", "pspctl " + " ".join(args), seconds,
                       mib, f"≤ 1.5 s and 1 GiB: {verdict}")
        # exact to the penny: the by-year figures add up to the published grand total
        from pspctl.money import parse_pence

        lines = output_of([*PSPCTL, "funding", "--by-year", "--data-dir", str(data), "-f",
                           "csv"]).splitlines()[1:]
        pence = sum(parse_pence(line.split(",")[1]) for line in lines)
        rows_of_totals = list(csv.DictReader((data / "totals.csv").open(encoding="utf-8")))
        grand = next(r for r in rows_of_totals if r["kind"] == "grand_total")["amount_gbp"]
        printed = parse_pence(grand)
        report.rows.append((f"{rows:,} rows, {style} amounts", "by-year total vs generator",
                            "", "", "exact" if pence == printed else f"OFF by {pence - printed}"))


#: Ledgers made from the generated ones, each with something a spreadsheet or a hand leaves:
#: (what, from which style, what the command must answer).
ODD = {
    "ten-bad-amounts": ("10 bad amounts", "plain", 1),
    "padded-cell": ("a cell with stray spaces", "plain", 0),
    "line-break": ("a quoted line break", "plain", 0),
    "windows-1252": ("Windows-1252, £ as byte 0xA3", "pretty", 0),
    "extra-cell": ("a row with a cell too many", "plain", 1),
}


def spoiled(work: Path, rows: int, kind: str) -> Path:
    """A generated ledger spoiled the ``kind`` way (made once, like the others): ten bad amounts
    spread through it; half-way, one cell padded with spaces, one quoted line break or one
    cell too many; or the whole of it saved as Windows-1252."""
    source = dataset(work, rows, ODD[kind][1])
    target = work / f"ledger-{rows}-{kind}"
    if not (target / "funding.csv").exists():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("psp.csv", "totals.csv", "outcomes.csv"):
            shutil.copyfile(source / name, target / name)
        spoil = ({2 + n * (rows // 10) + 7 for n in range(10)} if kind == "ten-bad-amounts"
                 else set() if kind == "windows-1252" else {2 + rows // 2})
        encoding = "cp1252" if kind == "windows-1252" else "utf-8"
        with (source / "funding.csv").open(encoding="utf-8", newline="") as lines, \
                (target / "funding.csv").open("w", encoding=encoding, newline="") as out:
            for number, line in enumerate(lines, start=1):
                if number in spoil:
                    cells = line.split(",")
                    if kind == "ten-bad-amounts":
                        cells[5] = "12x4"
                    elif kind == "padded-cell":
                        cells[3] = f" {cells[3]} "
                    elif kind == "extra-cell":
                        cells[6] = "generated,again\n"
                    else:
                        cells[6] = '"generated\nby bench/generate.py"\n'
                    line = ",".join(cells)
                out.write(line)
    return target


def invalid(report: Report, runs: int, work: Path, rows: int) -> None:
    for kind, (what, _, code) in ODD.items():
        data = spoiled(work, rows, kind)
        argv = [*PSPCTL, "validate", "--data-dir", str(data), "-f", "csv"]
        seconds, mib = measure(argv, runs, expect=(code,))
        found = len(output_of(argv).splitlines()) - 1
        plural = "s" if found != 1 else ""
        verdict = (f"exit 1, {found} problem{plural} with line and column" if code
                   else "exit 0: valid")
        report.add(f"{rows:,} rows, {what}", "pspctl validate", seconds, mib, verdict)


def csvkit(report: Report, runs: int, work: Path, rows: int) -> None:
    csvsql = shutil.which("csvsql")
    if csvsql is None:
        report.rows.append(("csvkit", "csvsql", "", "", "not installed: skipped"))
        return
    small = dataset(work, 100_000, "plain")
    query = ("select year, sum(amount_gbp) from funding where stream = 'government' "
             "group by year")
    theirs, mib = measure([csvsql, "--query", query, str(small / "funding.csv")], max(1, runs // 2))
    report.add("csvkit", "csvsql --query (100,000 rows)", theirs, mib, "reference")
    ours, mib = measure([*PSPCTL, "funding", "--by-year", "--data-dir", str(small), "-f", "csv"],
                        runs)
    report.add("csvkit", "pspctl funding --by-year (100,000 rows)", ours, mib,
               f"{theirs / ours:.1f}× faster per run")
    big = dataset(work, rows, "plain")
    seconds, _ = measure([*PSPCTL, "funding", "--by-year", "--data-dir", str(big), "-f", "csv"],
                         runs)
    ratio = (rows / seconds) / (100_000 / theirs)
    report.rows.append(("csvkit", f"rows per second: pspctl at {rows:,} vs csvsql at 100,000", "",
                        "", f"{ratio:.0f}× (≥ 10: {'ok' if ratio >= 10 else 'over'})"))


def render(report: Report, work: Path) -> None:
    code = (
        "import time, sys\n"
        "from pspctl import loader, reports, render\n"
        "t = time.perf_counter(); data = loader.load(sys.argv[1]); load = time.perf_counter() - t\n"
        "frame = reports.funding_by_psp(data).head(1500)\n"
        "t = time.perf_counter(); text = render.render(frame, render.Format.table)\n"
        "first = time.perf_counter() - t\n"
        "t = time.perf_counter(); text = render.render(frame, render.Format.table)\n"
        "again = time.perf_counter() - t\n"
        "matrix = reports.funding_matrix(data)\n"
        "t = time.perf_counter(); text = render.render(matrix, render.Format.table)\n"
        "wide = time.perf_counter() - t\n"
        "print(f'{load} {first} {again} {wide} {len(matrix)} {len(matrix.columns)}')\n"
    )
    data = dataset(work, 360_000, "plain")
    load, first, again, wide, rows, columns = (
        float(v) for v in output_of([PYTHON, "-c", code, str(data)]).split())
    verdict = "well under (< half)" if first < load / 2 else f"{first / load:.2f}× the load"
    report.rows.append(("render", "1,500-row rich table (in process; first, with rich's import)",
                        f"{first * 1000:,.0f} ms", "",
                        f"load of its 360,000-row data: {load * 1000:,.0f} ms; {verdict}"))
    report.rows.append(("render", "the same table again (rich imported)", f"{again * 1000:,.0f} ms",
                        "", f"{again / load:.2f}× the load"))
    report.rows.append(("render", f"the matrix of the same data as a table ({rows:,.0f} rows by "
                        f"{columns:.0f} columns)", f"{wide * 1000:,.0f} ms", "",
                        f"{wide / load:.2f}× the load"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "pspctl-bench")
    parser.add_argument("--only", default="startup,bundled,large,invalid,csvkit,render")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    chosen = set(args.only.split(","))
    report = Report()
    if "startup" in chosen:
        startup(report, args.runs)
    if "bundled" in chosen:
        bundled(report, args.runs)
    if "large" in chosen:
        large(report, args.runs, args.work, args.rows)
    if "invalid" in chosen:
        invalid(report, args.runs, args.work, args.rows)
    if "csvkit" in chosen:
        csvkit(report, args.runs, args.work, args.rows)
    if "render" in chosen:
        render(report, args.work)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}\n")
    print(report.markdown())


if __name__ == "__main__":
    main()
