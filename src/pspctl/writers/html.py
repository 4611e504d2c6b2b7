"""HTML for the audit pack: tables with every cell escaped, numbers right-aligned, totals and
highlighted rows marked by class."""

from __future__ import annotations

import html

from ..errors import printable
from ..views import Table, View
from .cells import for_people, human_cell


def html_text(text: str) -> str:
    """Text for a page: HTML's characters escaped, and controls and invisible format
    characters (a right-to-left override) shown as escapes, never obeyed by the browser."""
    return html.escape(printable(text))


def html_table(table: Table, labels: bool = False) -> str:
    """One table; ``labels``: headings in words (for a document) rather than the names."""
    columns = [c.heading if labels else c.name for c in table.columns]
    kinds, numeric, shown = for_people(table)
    body = len(shown) - table.totals
    lines = ["<table>", "<thead><tr>"
             + "".join(f"<th>{html_text(c)}</th>" for c in columns) + "</tr></thead>", "<tbody>"]
    for n, row in enumerate(shown):
        marks = (["total"] if n >= body else []) + (["mismatch"] if n in table.highlight else [])
        attribute = f' class="{" ".join(marks)}"' if marks else ""
        cells = [("<td class=\"number\">" if number
                  else "<td class=\"key\">" if kind in ("id", "year") else "<td>")
                 + html_text(human_cell(kind, value)) + "</td>"
                 for kind, value, number in zip(kinds, row, numeric)]
        lines.append(f"<tr{attribute}>" + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True, labels: bool = False) -> str:
    """The view as an HTML fragment: each section's table (titled when the view has several),
    the notes, the verdict."""
    parts: list[str] = []
    for section in view.sections:
        if section.title and view.sectioned:
            parts.append(f"<h3>{html_text(section.title)}</h3>")
        parts.append(f"<p>{html_text(section.empty.capitalize())}.</p>" if section.frame.empty
                     else html_table(section, labels))
    parts += [f"<p>{html_text(note)}</p>" for note in view.notes]
    if view.verdict:
        parts.append(f'<p class="verdict">{html_text(view.verdict)}</p>')
    return "\n".join(parts) + "\n"
