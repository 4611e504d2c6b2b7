"""The project's own error types.

Every failure pspctl knows about is one of these. The command line turns them into one line
on stderr and an exit code (see ``cli.py``); a notebook user gets an exception whose message
names the file, the line and the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: How many items a message lists before it counts the rest.
LISTED = 10


#: C0 controls, DEL and C1 controls, each as its escape: never sent raw to a terminal.
_CONTROLS = {
    code: {9: "\\t", 10: "\\n", 13: "\\r"}.get(code, f"\\x{code:02x}")
    for code in (*range(0x20), *range(0x7F, 0xA0))
}


def printable(text: str) -> str:
    """``text`` with every control character (C0, ESC, DEL, C1) shown as its escape (``\\x1b``,
    ``\\n``): what a terminal shows, never what it would obey."""
    return text.translate(_CONTROLS)


def shortened(items: Sequence[str], limit: int = LISTED, total: int | None = None) -> str:
    """``a, b, c`` or, past ``limit`` items, ``a, b, c, and 20,824 more``: a list for a message
    or a note, whose length does not grow with the data. ``total``: how many there are, when
    ``items`` holds only the first of them."""
    count = len(items) if total is None else total
    shown = list(items[:limit])
    if count > len(shown):
        shown.append(f"and {count - len(shown):,} more")
    return ", ".join(shown)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, in the spirit of Frictionless's error reports.

    ``line`` is the physical line in the file where the record starts (the header is line 1);
    ``column`` is the column's name. Either is ``None`` where it does not apply. ``place`` is
    where in a workbook: ``funding!F5`` (a cell), ``funding row 5`` or ``funding`` (a sheet);
    there ``line`` is the sheet's row.
    """

    file: str
    line: int | None
    column: str | None
    kind: str
    message: str
    place: str | None = None

    def __str__(self) -> str:
        if self.place is not None:
            column = f": column {self.column}" if self.column is not None else ""
            return f"{self.file}: {self.place}{column}: {self.message} [{self.kind}]"
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column is not None:
            where += f": column {self.column}"
        return f"{where}: {self.message} [{self.kind}]"


class PspctlError(Exception):
    """Base of every error pspctl raises on purpose; ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class UsageError(PspctlError):
    """An option value that cannot be used (an unknown PSP, an unknown year, ...)."""


class InputError(PspctlError):
    """An input that cannot be read at all: a missing file, a directory, no permission."""


class OutputError(PspctlError):
    """An output file that cannot or must not be written."""


class DataError(PspctlError):
    """Input files that were read but are not valid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid data"
        more = len(problems) - 1
        if more > 0:
            first += f" (and {more} more problem{'s' if more > 1 else ''}; run 'pspctl validate')"
        super().__init__(first)
