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


#: Invisible format characters (Unicode's category Cf: the bidirectional controls that reorder
#: a line, U+202A-U+202E and U+2066-U+2069, zero-width characters, the soft hyphen, tags) and the
#: line and paragraph separators: as ranges, first and last.
FORMAT_CHARACTERS = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)


def _escape(code: int) -> str:
    if code <= 0xFF:
        return {9: "\\t", 10: "\\n", 13: "\\r"}.get(code, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


#: C0 controls, DEL, C1 controls and the format characters, each as its escape: never sent raw
#: to a terminal, nor to a page a person reads.
_CONTROLS = {
    code: _escape(code)
    for code in (*range(0x20), *range(0x7F, 0xA0),
                 *(c for first, last in FORMAT_CHARACTERS for c in range(first, last + 1)))
}


def printable(text: str) -> str:
    """``text`` with every control character (C0, ESC, DEL, C1) and every invisible format
    character (a right-to-left override, U+202E, that would reorder the figures beside it; a
    zero-width space) shown as its escape (``\\x1b``, ``\\n``, ``\\u202e``): what a person sees,
    never what a terminal or a browser would obey."""
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
