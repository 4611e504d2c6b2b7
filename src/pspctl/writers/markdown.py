"""Markdown for briefings: pipe tables whose cells cannot end a cell or a row (``|`` and
``\\`` escaped, line breaks as spaces) nor carry HTML from the data (``<``, ``>``, ``&`` as
entities); control characters shown escaped."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import printable
from ..views import Table, View
from .cells import for_people, human_cell

#: Markdown table cells: what would end a cell or a row, or be read as HTML.
_MARKDOWN = str.maketrans({"\\": "\\\\", "|": "\\|", "<": "&lt;", ">": "&gt;",
                           "&": "&amp;", "\r": " ", "\n": " "})


def markdown_text(text: str) -> str:
    """``text`` safe in a Markdown table cell: ``|`` and ``\\`` escaped, line breaks as spaces,
    ``<``, ``>`` and ``&`` as entities (no HTML from the data), other controls shown escaped."""
    return printable(text.replace("\r\n", " ").translate(_MARKDOWN))


def markdown_table(table: Table, notes: Sequence[str] = (), labels: bool = False) -> str:
    """One table as a Markdown pipe table (no title), then ``notes``; ``labels``: headings in
    words (for a document) rather than the columns' names."""
    from tabulate import tabulate

    columns = [c.name for c in table.columns]
    kinds, numeric, rows = for_people(table)
    text = ""
    if columns and rows:
        cells = [[markdown_text(human_cell(k, v)) for k, v in zip(kinds, row)]
                 for row in rows]
        align = ["right" if n else "left" for n in numeric]
        text = tabulate(
            cells, headers=[markdown_text(c.heading if labels else c.name)
                            for c in table.columns], tablefmt="pipe", colalign=align,
            disable_numparse=True
        ) + "\n"
    if notes:
        text += ("\n" if text else "") + "\n".join(markdown_text(n) for n in notes) + "\n"
    return text


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True, labels: bool = False) -> str:
    notes = [*view.notes, *([view.verdict] if view.verdict else [])]
    if not view.sectioned:
        return markdown_table(view.sections[0], notes, labels)
    parts = [f"### {markdown_text(s.title or '')}\n\n{s.empty.capitalize()}.\n" if s.frame.empty
             else f"### {markdown_text(s.title or '')}\n\n" + markdown_table(s, (), labels)
             for s in view.sections]
    text = "\n".join(parts)
    if notes:
        text += ("\n" if text else "") + "\n".join(markdown_text(n) for n in notes) + "\n"
    return text
