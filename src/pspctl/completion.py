"""Values for shell completion: PSP ids and financial years, read with the csv module only.

Completion runs on every TAB press, so it never imports pandas and reads at most
:data:`MAX_BYTES` of a file.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from ._paths import WORKBOOK_SUFFIXES, bundled_data_dir

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


def _table(source: Path, name: str) -> list[dict[str, str]]:
    """The rows of table ``name`` (``psp``): its CSV file in a folder, or its sheet in a
    workbook (when the file is small); ``[]`` otherwise."""
    if source.suffix.lower() not in WORKBOOK_SUFFIXES:
        return _rows(source / f"{name}.csv")
    from ._sheets import text_rows

    try:
        if source.stat().st_size > MAX_BYTES:
            return []
        cells = text_rows(source.read_bytes(), name, 16 * MAX_BYTES)
    except Exception:  # not a file, not a workbook, no such sheet: nothing to offer
        return []
    if not cells:
        return []
    header = [cell.strip() for cell in cells[0]]
    return [{label: cell.strip() for label, cell in zip(header, row)} for row in cells[1:]]


def psp_ids(data_dir: str | os.PathLike[str] | None = None) -> list[tuple[str, str]]:
    """``(psp_id, name)`` of every PSP in psp.csv (or a workbook's sheet psp)."""
    return [
        (row.get("psp_id") or "", row.get("name") or "")
        for row in _table(_data_dir(data_dir), "psp")
        if row.get("psp_id")
    ]


def years(data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """The financial years that have funding in funding.csv (or a workbook's sheet funding),
    in order."""
    found = {row.get("year") or "" for row in _table(_data_dir(data_dir), "funding")}
    return sorted(y for y in found if y)
