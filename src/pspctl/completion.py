"""Values for shell completion: PSP ids and financial years, read with the csv module only.

Completion runs on every TAB press, so it never imports pandas and reads at most
:data:`MAX_BYTES` of a file.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from ._paths import bundled_data_dir

MAX_BYTES = 4 << 20


def _data_dir(given: str | os.PathLike[str] | None) -> Path:
    if given:
        return Path(given)
    if os.environ.get("PSPCTL_DATA_DIR"):
        return Path(os.environ["PSPCTL_DATA_DIR"])
    return bundled_data_dir()


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES)
    except OSError:
        return []
    text = raw.decode("utf-8-sig", errors="replace")
    if len(raw) == MAX_BYTES:
        text = text[: text.rfind("\n") + 1]
    try:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error:
        return []


def psp_ids(data_dir: str | os.PathLike[str] | None = None) -> list[tuple[str, str]]:
    """``(psp_id, name)`` of every PSP in psp.csv."""
    return [
        (row.get("psp_id") or "", row.get("name") or "")
        for row in _rows(_data_dir(data_dir) / "psp.csv")
        if row.get("psp_id")
    ]


def years(data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """The financial years that have funding in funding.csv, in order."""
    found = {row.get("year") or "" for row in _rows(_data_dir(data_dir) / "funding.csv")}
    return sorted(y for y in found if y)
