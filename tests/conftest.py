"""Shared helpers: the small hand-made fixture and data directories built from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

TESTS = Path(__file__).resolve().parent
SMALL = TESTS / "fixtures" / "small"
BAD = TESTS / "bad"
REPO = TESTS.parent


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
