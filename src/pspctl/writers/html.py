"""HTML for the audit pack: tables with every cell escaped, numbers right-aligned, totals and
highlighted rows marked by class; for print, a table wider than the page also as blocks of its
columns, each repeating the columns that name the rows, and rows grouped so that no page holds
only one or two rows of a table."""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..errors import printable
from ..views import Table, View
from .cells import for_people, human_cell

#: How many characters of a table's 8-point text a printed page holds across (A4, the
#: narrower of A4 and Letter, within 15 mm margins), each column with its padding.
PAGE_CHARS = 100
PADDING = 3
#: The narrowest a column of text wraps to, in characters.
WRAPS_TO = 12
#: A table of at most this many rows is kept on one page where it fits; a longer one keeps
#: its first and last rows in groups of this many, so no page has fewer of them.
SHORT, KEPT = 15, 3


def html_text(text: str) -> str:
    """Text for a page: HTML's characters escaped, and controls and invisible format
    characters (a right-to-left override) shown as escapes, never obeyed by the browser."""
    return html.escape(printable(text))


def html_table(table: Table, labels: bool = False, paged: bool = False) -> str:
    """One table; ``labels``: headings in words (for a document) rather than the names;
    ``paged``: set up for print (rows kept together, and a table too wide for the page also
    given as blocks of columns, shown only in print)."""
    columns = [c.heading if labels else c.name for c in table.columns]
    kinds, numeric, shown = for_people(table)
    texts = [[html_text(human_cell(kind, value)) for kind, value in zip(kinds, row)]
             for row in shown]
    cells = [[_cell(kind, text, number) for kind, text, number in zip(kinds, row, numeric)]
             for row in texts]
    heads = [f"<th>{html_text(c)}</th>" for c in columns]
    body = len(shown) - table.totals
    marks = [" ".join((["total"] if n >= body else [])
                      + (["mismatch"] if n in table.highlight else [])) for n in range(len(shown))]
    everything = list(range(len(columns)))
    if not paged:
        return _table(heads, cells, marks, everything, "", False)
    blocks = _blocks(table, kinds, numeric, columns, texts)
    short = len(shown) <= SHORT
    if len(blocks) == 1:
        return _table(heads, cells, marks, everything, "", short)
    whole = _table(heads, cells, marks, everything, "screen", short)
    return "\n".join([whole, *(_table(heads, cells, marks, block, "print", short)
                               for block in blocks)])


def _cell(kind: str, text: str, number: bool) -> str:
    """A cell of the table: its ``text`` (escaped already), marked as a number or a key."""
    opening = ("<td class=\"number\">" if number
               else "<td class=\"key\">" if kind in ("id", "year") else "<td>")
    return opening + text + "</td>"


def _table(heads: list[str], cells: list[list[str]], marks: list[str], columns: Sequence[int],
           shown_in: str, short: bool) -> str:
    """A table of the ``columns`` given: its rows in groups (the first and last
    :data:`KEPT` kept on one page each), ``shown_in`` print or on screen only."""
    classes = " ".join(c for c in (shown_in, "short" if short else "") if c)
    lines = [f'<table class="{classes}">' if classes else "<table>",
             "<thead><tr>" + "".join(heads[n] for n in columns) + "</tr></thead>"]
    rows = [(f'<tr class="{mark}">' if mark else "<tr>")
            + "".join(row[n] for n in columns) + "</tr>" for row, mark in zip(cells, marks)]
    if short or len(rows) <= 2 * KEPT:
        groups = [("", rows)]
    else:
        groups = [(' class="keep"', rows[:KEPT]), ("", rows[KEPT:-KEPT]),
                  (' class="keep"', rows[-KEPT:])]
    for attribute, group in groups:
        lines += [f"<tbody{attribute}>", *group, "</tbody>"]
    lines.append("</table>")
    return "\n".join(lines)


def _blocks(table: Table, kinds: list[str], numeric: list[bool], columns: list[str],
            texts: list[list[str]]) -> list[list[int]]:
    """The columns of a table as blocks that each fit a printed page's width: the columns that
    name each row (up to the table's label column) in every block, the others in order; one
    block when the whole table fits."""
    widths = []
    for n, (kind, number) in enumerate(zip(kinds, numeric)):
        longest = max([len(word) for word in columns[n].split()] + [len(row[n]) for row in texts])
        wraps = not number and kind not in ("id", "year")
        widths.append((min(longest, WRAPS_TO) if wraps else longest) + PADDING)
    if sum(widths) <= PAGE_CHARS:
        return [list(range(len(kinds)))]
    names = [c.name for c in table.columns]
    label = names.index(table.label) if table.label in names else 0
    naming = list(range(label + 1))
    room = PAGE_CHARS - sum(widths[n] for n in naming)
    blocks: list[list[int]] = []
    for n in range(label + 1, len(kinds)):
        if blocks and sum(widths[m] for m in blocks[-1]) + widths[n] <= room:
            blocks[-1].append(n)
        else:
            blocks.append([n])
    return [naming + block for block in blocks]


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True, labels: bool = False, paged: bool = False) -> str:
    """The view as an HTML fragment: each section's table (titled when the view has several),
    the notes, the verdict; ``paged``, its tables set up for print."""
    parts: list[str] = []
    for section in view.sections:
        if section.title and view.sectioned:
            parts.append(f"<h3>{html_text(section.title)}</h3>")
        parts.append(f"<p>{html_text(section.empty.capitalize())}.</p>" if section.frame.empty
                     else html_table(section, labels, paged))
    parts += [f"<p>{html_text(note)}</p>" for note in view.notes]
    if view.verdict:
        parts.append(f'<p class="verdict">{html_text(view.verdict)}</p>')
    return "\n".join(parts) + "\n"
