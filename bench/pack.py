"""The audit pack against reading: ``pspctl report -o pack.html`` as a ratio to ``pspctl funding
--format csv`` on the same ledger (#18's goal: within 3x), alternated in one run, medians of
--runs whole processes; and the size of the pack and of the files beside it.

    python bench/pack.py LEDGER_DIR [--runs 5] [--pspctl PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("ledger")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pspctl", default=shutil.which("pspctl") or "pspctl")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="pspctl-pack-"))
    commands = {
        "funding --format csv": [args.pspctl, "funding", "--format", "csv", "--data-dir",
                                 args.ledger],
        "report -o pack.html": [args.pspctl, "report", "-o", str(out / "pack.html"), "--force",
                                "--data-dir", args.ledger],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, median in medians.items():
        print(f"{name}: median {median:.2f} s of {args.runs}")
    print(f"ratio: {medians['report -o pack.html'] / medians['funding --format csv']:.2f}")
    for path in sorted(out.iterdir()):
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB")
    shutil.rmtree(out)


if __name__ == "__main__":
    main()
