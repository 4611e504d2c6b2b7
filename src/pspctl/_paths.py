"""Where the bundled data lives. Imports nothing heavy: shell completion uses it too."""

from __future__ import annotations

from pathlib import Path


def bundled_data_dir() -> Path:
    """The data shipped with pspctl: inside the installed package, or ``data/`` of a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "data"
    if installed.is_dir():
        return installed
    return here.parent.parent / "data"


#: Every data file this process has opened to read: output may never be written over one.
opened_inputs: set[Path] = set()

#: The files read as workbooks wherever a data folder is accepted.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def sha256_of(path: Path) -> str | None:
    """The SHA-256 of the file ``path``, read in pieces (a ledger can be gigabytes); ``None``
    when it cannot be read."""
    import hashlib  # (here: completion imports this module, and needs no checksum)

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
