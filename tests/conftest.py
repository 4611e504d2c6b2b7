"""Shared helpers: the small hand-made fixture and data directories built from it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pytest

TESTS = Path(__file__).resolve().parent
SMALL = TESTS / "fixtures" / "small"
BAD = TESTS / "bad"
REPO = TESTS.parent
#: The 360Giving schemas (CC BY 4.0), beside the repository in ../shared: CI has them, a plain
#: clone does not.
VENDOR_360 = REPO.parent / "shared" / "vendor" / "360giving"


def needs_360giving_schemas() -> Path:
    """The folder of the 360Giving schemas; the test is skipped, saying why, where they are not
    (a plain clone), and fails in CI, which has them and must not skip it."""
    if (VENDOR_360 / "360-giving-schema.json").is_file():
        return VENDOR_360
    message = (f"needs the 360Giving schemas in {VENDOR_360} (../shared/vendor/360giving, "
               "beside the repository), which a plain clone does not have")
    if os.environ.get("CI"):
        pytest.fail(f"CI must have them: {message}")
    pytest.skip(message)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only: categoricals and strings as Python objects, missing as None (the two
    readers type text differently)."""
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


def data_dir_from(tmp_path: Path, *overlays: Path, base: Path = SMALL) -> Path:
    """A copy of ``base`` with the CSV files of each overlay directory laid over it."""
    target = tmp_path / "data"
    target.mkdir()
    for source in (base, *overlays):
        for csv_file in sorted(source.glob("*.csv")):
            shutil.copyfile(csv_file, target / csv_file.name)
    return target


def write_ledger(directory: Path, psps: int, funding_rows: Iterable[str], end: str = "") -> Path:
    """A valid data folder of PSPs ``p0`` … with ``funding_rows`` (CSV lines) as its funding,
    ``end`` after them, one grand total and one outcome: ledgers of any size, made fast."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "psp.csv").write_text(
        "psp_id,name,table_label,established,sector,focus,lead,lead_sector,table_note,source\n"
        + "".join(f"p{n},Partnership {n},,2012,,,,,,t\n" for n in range(psps)),
        encoding="utf-8")
    (directory / "funding.csv").write_text(
        "psp_id,year,stream,funder,funder_sector,amount_gbp,source\n" + "".join(funding_rows)
        + end, encoding="utf-8")
    (directory / "totals.csv").write_text(
        "total_id,kind,psp_id,year,stream,amount_gbp,label,source\n"
        "g,grand_total,,,government,1,,t\n", encoding="utf-8")
    (directory / "outcomes.csv").write_text("psp_id,outcome,value,qualifier,source\n"
                                            "p0,x,1,,t\n", encoding="utf-8")
    return directory


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A writable copy of the small fixture."""
    return data_dir_from(tmp_path)


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """pspctl with ``args`` through Typer's CliRunner: exit code, stdout, stderr."""
    from typer.testing import CliRunner

    from pspctl.cli import app

    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def read_terminal(master: int) -> bytes:
    """Everything a pseudo-terminal shows until the program on it ends (its other side
    closed): what a person at that terminal saw."""
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other side is closed
            break
        if not chunk:
            break
        shown += chunk
    return shown
