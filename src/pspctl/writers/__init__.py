"""Writers: one per output format, each owning its layout and its escaping.

Every writer takes a :class:`~pspctl.views.View` and returns text. Adding a format is adding a
module here with a ``write(view, terminal, width)`` function and a line in :data:`WRITERS`.
Imports nothing heavy until a writer runs.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..views import View

class Format(str, Enum):
    """Output formats; ``table`` for people, ``markdown`` for briefings, the rest for scripts."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    markdown = "markdown"
    xlsx = "xlsx"

    @classmethod
    def from_suffix(cls, suffix: str) -> Format | None:
        return SUFFIXES.get(suffix.lower())


#: What the suffix of ``-o FILE`` says the format is.
SUFFIXES = {".csv": Format.csv, ".tsv": Format.tsv, ".json": Format.json, ".md": Format.markdown,
            ".txt": Format.table, ".xlsx": Format.xlsx}


#: Each format's writer: its module and function, imported when it is used.
WRITERS: dict[Format, tuple[str, str]] = {
    Format.table: ("table", "write"),
    Format.markdown: ("markdown", "write"),
    Format.csv: ("delimited", "write_csv"),
    Format.tsv: ("delimited", "write_tsv"),
    Format.json: ("json_", "write"),
    Format.xlsx: ("xlsx", "write"),
}


def writer(fmt: Format) -> Callable[..., str | bytes]:
    module, name = WRITERS[fmt]
    function: Callable[..., str | bytes] = getattr(import_module(f".{module}", __name__), name)
    return function


def write(view: View, fmt: Format, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> Any:
    """``view`` as ``fmt``: the text, ending in a newline (bytes for a workbook). ``terminal``:
    it goes to one
    ``width`` columns wide; ``colour``: it may use colour there (``NO_COLOR`` says not)."""
    return writer(fmt)(view, terminal=terminal, width=width, colour=colour)
