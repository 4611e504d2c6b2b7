"""The one renderer: a report's DataFrame to text, in every output format.

Column names carry their meaning: a column ending ``_gbp`` holds money (``Decimal`` pounds, exact to
the penny), a column named ``share`` or ending ``_share`` a fraction 0..1, and ``leverage`` a ratio.
Machine formats (csv, tsv, json) print plain numbers; table and markdown print ``£2,759,368`` and
percentages. A missing money value is "not stated" for people and empty (or ``null``) for scripts.

rich, tabulate and pandas are imported inside the functions, so importing this module (for the
``Format`` enum) costs nothing at start-up.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from .errors import printable
from .money import plain_money, pretty_money

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Format", "plain_money", "pretty_money", "render", "render_sections"]

NOT_STATED = "not stated"
#: Prefixes that make a spreadsheet treat a text cell as a formula (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Format(str, Enum):
    """Output formats; ``table`` for people, ``markdown`` for briefings, the rest for scripts."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    markdown = "markdown"

    @property
    def for_machines(self) -> bool:
        return self in (Format.csv, Format.tsv, Format.json)

    @classmethod
    def from_suffix(cls, suffix: str) -> Format | None:
        return SUFFIXES.get(suffix.lower())


#: What the suffix of ``-o FILE`` says the format is.
SUFFIXES = {".csv": Format.csv, ".tsv": Format.tsv, ".json": Format.json, ".md": Format.markdown,
            ".txt": Format.table}


def is_money(column: str) -> bool:
    return column.endswith("_gbp")


def is_share(column: str) -> bool:
    return column == "share" or column.endswith("_share")


def is_ratio(column: str) -> bool:
    return column == "leverage"


_NA: list[Any] = []


def _missing(value: Any) -> bool:
    """None, NaN, pandas' NA or NaT: a value that is not there (hot: called per cell)."""
    if value is None:
        return True
    if isinstance(value, (str, Decimal, int)):
        return False
    if isinstance(value, float):
        return math.isnan(value)
    if not _NA:
        import pandas as pd

        _NA.extend([pd.NA, pd.NaT])
    return value is _NA[0] or value is _NA[1]


def plain_number(value: float) -> str:
    """A ratio or share for scripts: up to six decimals, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def machine_cell(column: str, value: Any) -> str:
    """One cell as csv/tsv text: plain numbers, empty when missing."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return plain_money(value)
    if _missing(value):
        return ""
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def human_cell(column: str, value: Any) -> str:
    """One cell for table and markdown: money with £ and separators, shares as percentages."""
    if _missing(value):
        return NOT_STATED if is_money(column) or is_ratio(column) else ""
    if isinstance(value, Decimal):
        return pretty_money(value)
    if isinstance(value, float):
        if is_share(column):
            return f"{value * 100:.1f}%"
        return f"{value:,.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _human_column(column: str, values: list[Any]) -> list[str]:
    """One column's cells for a table (:func:`human_cell`), control characters shown escaped
    (never sent to a terminal), a column of money and text (Table 3's "-") in one pass without
    a call per cell."""
    if set(map(type, values)) <= {Decimal, str}:
        return [printable(v) if isinstance(v, str) else pretty_money(v) for v in values]
    return [printable(human_cell(column, v)) for v in values]


def _neutralise(text: str) -> str:
    """Spreadsheet safety: a text cell a spreadsheet would run as a formula gets a leading '."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _machine_column(column: str, values: list[Any]) -> list[str]:
    """One column's cells as csv/tsv text (:func:`machine_cell`, text cells neutralised),
    the common columns (all money, all text) in one pass without a call per cell."""
    kinds = set(map(type, values))
    if kinds <= {Decimal, type(None)}:
        return ["" if v is None else plain_money(v) for v in values]
    if kinds <= {str, type(None)}:
        return ["" if v is None else _neutralise(v) for v in values]
    return [_neutralise(v) if isinstance(v, str) else machine_cell(column, _python(v))
            for v in values]


def _is_numeric(column: str, values: Sequence[Any]) -> bool:
    present = [v for v in values if not _missing(v)]
    return bool(present) and all(
        isinstance(v, (Decimal, float, int)) and not isinstance(v, bool) for v in present
    )


def _python(value: Any) -> Any:
    """numpy scalars to Python ones, so every branch below sees int, float, str or Decimal."""
    if value is None or isinstance(value, (str, Decimal)):
        return value
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _rows(frame: pd.DataFrame) -> list[list[Any]]:
    return [[_python(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def _gaps_for_people(rows: list[list[Any]], total_rows: int, blank: str | None) -> list[list[Any]]:
    """Missing values as people see them: empty in totals rows, ``blank`` (Table 3's "-") in
    money columns when given; the rest stay missing ("not stated" for money)."""
    body = len(rows) - total_rows
    money = [any(isinstance(r[i], Decimal) for r in rows) for i in range(len(rows[0]))] \
        if rows else []
    return [
        [
            ("" if n >= body else blank if blank is not None and money[i] else v)
            if _missing(v) else v
            for i, v in enumerate(row)
        ]
        for n, row in enumerate(rows)
    ]


def render(
    frame: pd.DataFrame,
    fmt: Format,
    *,
    title: str | None = None,
    notes: Sequence[str] = (),
    total_rows: int = 0,
    terminal: bool = False,
    width: int | None = None,
    blank: str | None = None,
    chart: str | None = None,
    highlight: Sequence[int] = (),
) -> str:
    """Render ``frame`` as ``fmt``; return the text, ending in a newline.

    ``total_rows`` is how many rows at the end of ``frame`` are totals (set apart in a table).
    ``notes`` are lines for people shown after a table or markdown table, never in machine
    formats. ``terminal`` is true when the text goes to a terminal: colour and box drawing are
    used only then. ``blank`` replaces the text of every missing value in table and markdown
    (Table 3's "-"). ``chart`` names a money column to draw as a bar per row (table only).
    ``highlight`` lists rows to show in bold red in a terminal.
    """
    columns = [str(c) for c in frame.columns]
    if fmt in (Format.csv, Format.tsv):
        return _delimited(columns, [_machine_column(c, frame.iloc[:, i].tolist())
                                    for i, c in enumerate(columns)],
                          "," if fmt is Format.csv else "\t")
    rows = _rows(frame)
    numeric = [_is_numeric(c, [r[i] for r in rows]) for i, c in enumerate(columns)]
    if fmt in (Format.table, Format.markdown):
        human = _gaps_for_people(rows, total_rows, blank)
        if fmt is Format.table and chart is not None and chart in columns:
            columns, human = _with_bars(columns, human, chart, total_rows, terminal)
            numeric.append(False)
        rows = human
    if fmt is Format.json:
        return _json(columns, rows)
    if fmt is Format.markdown:
        return _markdown(columns, numeric, rows, notes)
    return _table(columns, numeric, rows, title, notes, total_rows, terminal, width, highlight)


def _delimited(columns: list[str], cells: list[list[str]], delimiter: str) -> str:
    """CSV or TSV by RFC 4180: a cell holding the delimiter, a quote, a carriage return or a
    line feed is quoted (its quotes doubled), so no text can split a row or move a figure into
    another column; rows end in a line feed."""
    special = re.compile(f'[{re.escape(delimiter)}"\r\n]')

    def quoted(texts: list[str]) -> list[str]:
        return [f'"{t.replace(chr(34), chr(34) * 2)}"' if special.search(t) else t
                for t in texts]

    lines = [delimiter.join(quoted(columns))]
    lines += [delimiter.join(row) for row in zip(*(quoted(texts) for texts in cells))]
    return "\n".join(lines) + "\n"


#: Markdown table cells: what would end a cell or a row, or be read as HTML.
_MARKDOWN = str.maketrans({"\\": "\\\\", "|": "\\|", "<": "&lt;", ">": "&gt;",
                           "&": "&amp;", "\r": " ", "\n": " "})


def markdown_text(text: str) -> str:
    """``text`` safe in a Markdown table cell: ``|`` and ``\\`` escaped, line breaks as spaces,
    ``<``, ``>`` and ``&`` as entities (no HTML from the data), other controls shown escaped."""
    return printable(text.replace("\r\n", " ").translate(_MARKDOWN))


BAR_WIDTH = 40


def _with_bars(
    columns: list[str], rows: list[list[Any]], chart: str, total_rows: int, terminal: bool
) -> tuple[list[str], list[list[Any]]]:
    """A column of horizontal bars, proportional to ``chart`` (totals rows get none)."""
    index = columns.index(chart)
    body = len(rows) - total_rows
    values = [r[index] if isinstance(r[index], Decimal) else Decimal(0) for r in rows[:body]]
    top = max(values, default=Decimal(0))
    glyph = "█" if terminal else "#"
    bars = [
        glyph * int((v / top * BAR_WIDTH).to_integral_value()) if top > 0 else "" for v in values
    ]
    return [*columns, ""], [[*r, b] for r, b in zip(rows, bars + [""] * total_rows)]


def _json_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(
            f"{json.dumps(str(k))}: {_json_value(_python(v))}" for k, v in value.items()
        ) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json_value(_python(v)) for v in value) + "]"
    if _missing(value):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain_money(value)
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _json(columns: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "[]\n"
    keys = [json.dumps(c) for c in columns]
    lines = [
        "  {" + ", ".join(f"{k}: {_json_value(v)}" for k, v in zip(keys, row)) + "}"
        for row in rows
    ]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def _markdown(
    columns: list[str], numeric: list[bool], rows: list[list[Any]], notes: Sequence[str]
) -> str:
    from tabulate import tabulate

    text = ""
    if columns and rows:
        cells = [[markdown_text(human_cell(c, v)) for c, v in zip(columns, row)]
                 for row in rows]
        align = ["right" if n else "left" for n in numeric]
        text = tabulate(
            cells, headers=columns, tablefmt="pipe", colalign=align, disable_numparse=True
        ) + "\n"
    if notes:
        text += ("\n" if text else "") + "\n".join(markdown_text(n) for n in notes) + "\n"
    return text


def _table(
    columns: list[str],
    numeric: list[bool],
    rows: list[list[Any]],
    title: str | None,
    notes: Sequence[str],
    total_rows: int,
    terminal: bool,
    width: int | None,
    highlight: Sequence[int] = (),
) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 10_000,
        force_terminal=terminal,
        no_color=not terminal,
        color_system="standard" if terminal else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    if columns and rows:
        if title:
            console.print(printable(title), style="bold" if terminal else None)
        by_column = [_human_column(c, [row[i] for row in rows]) for i, c in enumerate(columns)]
        sizes = [_widths(texts) for texts in by_column]
        widths = [max([_width(column), *column_sizes])
                  for column, column_sizes in zip(columns, sizes)]
        texts = [list(cells) for cells in zip(*by_column)]
        lengths = [list(cells) for cells in zip(*sizes)]
        body = len(rows) - total_rows
        if _drawable(texts, widths, terminal, console.width):
            buffer.write(_drawn(columns, numeric, texts, lengths, widths, body, box.ASCII2))
        else:
            table = Table(
                box=box.SIMPLE_HEAD if terminal else box.ASCII2,
                header_style="bold" if terminal else "",
                safe_box=True,
            )
            for column, is_number, column_width in zip(columns, numeric, widths):
                # Off a terminal nothing wraps: giving each column its width spares rich from
                # measuring every cell.
                table.add_column(column, justify="right" if is_number else "left",
                                 no_wrap=not terminal, width=None if terminal else column_width)
            for n, cells in enumerate(texts):
                if n == body and total_rows:
                    table.add_section()
                style = "bold" if terminal and n >= body else None
                if terminal and n in highlight:
                    style = "bold red"
                table.add_row(*cells, style=style)
            console.print(table)
    for note in notes:
        console.print(printable(note))
    lines = buffer.getvalue().splitlines()
    return "".join(line.rstrip() + "\n" for line in lines)


def _narrow(text: str) -> bool:
    """Whether ``text`` takes one cell of a terminal a character: printable ASCII and £ (most
    cells, money included)."""
    return text.isprintable() and (text.isascii() or text.replace("£", "").isascii())


def _width(text: str) -> int:
    """How many cells of a terminal ``text`` takes: its length when :func:`_narrow`, rich's
    measure for the rest (wide and combining characters)."""
    if _narrow(text):
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _widths(texts: list[str]) -> list[int]:
    """:func:`_width` of each text of a column, by length when all of them are narrow (a
    column of money), tested once on the column."""
    if _narrow("".join(texts)):
        return [len(text) for text in texts]
    return [_width(text) for text in texts]


def _drawable(texts: list[list[str]], widths: list[int], terminal: bool, room: int) -> bool:
    """Whether a table can be drawn a line at a time (see :func:`_drawn`): off a terminal, when
    no cell holds a line break and the table fits the console's width."""
    return (not terminal and sum(widths) + 3 * len(widths) + 1 <= room
            and not any("\n" in t or "\r" in t for cells in texts for t in cells))


def _drawn(columns: list[str], numeric: list[bool], texts: list[list[str]],
           lengths: list[list[int]], widths: list[int], body: int, frame: Any) -> str:
    """A table off a terminal, where no cell wraps and nothing has a style, drawn a line at a
    time with the characters of rich's box ``frame`` as rich's Table draws them: the header, a
    line under it, the rows, a line before the totals rows (those after ``body``), the edges.
    The same text (``tests/test_render.py`` checks it), without rich laying out every cell on
    its own, which took 11 s for the 20,834 rows by 33 columns of a large ledger's matrix."""

    def line(cells: Sequence[str], sizes: Sequence[int], edges: tuple[str, str, str]) -> str:
        left, vertical, right = edges
        return left + vertical.join(
            " " + (" " * (room - size) + text if right_aligned else text + " " * (room - size))
            + " "
            for text, size, room, right_aligned in zip(cells, sizes, widths, numeric)
        ) + right + "\n"

    padded = [size + 2 for size in widths]  # with the padding of a space on either side
    middle = (frame.mid_left, frame.mid_vertical, frame.mid_right)
    foot = (frame.foot_left, frame.foot_vertical, frame.foot_right)
    out = [frame.get_top(padded) + "\n",
           line(columns, [_width(c) for c in columns],
                (frame.head_left, frame.head_vertical, frame.head_right)),
           frame.get_row(padded, "head") + "\n"]
    last = len(texts) - 1
    for n, (cells, sizes) in enumerate(zip(texts, lengths)):
        out.append(line(cells, sizes, foot if n == last else middle))
        if n == body - 1 and n != last:  # the totals rows are set apart
            out.append(frame.get_row(padded, "row") + "\n")
    out.append(frame.get_bottom(padded) + "\n")
    return "".join(out)


def render_sections(
    sections: Sequence[tuple[str, pd.DataFrame, int]],
    fmt: Format,
    *,
    notes: Sequence[str] = (),
    terminal: bool = False,
    width: int | None = None,
    highlight: Mapping[int, Sequence[int]] | None = None,
) -> str:
    """Several titled tables (``title, frame, total_rows``) one after the other, for people.

    Only for table and markdown; machine formats render one frame with :func:`render`.
    ``highlight`` maps a section's index to the rows to show in bold red in a terminal.
    """
    parts = []
    for index, (title, frame, total_rows) in enumerate(sections):
        if frame.empty:
            parts.append(f"### {title}\n\nNot stated.\n" if fmt is Format.markdown
                         else f"{title}: not stated\n")
        elif fmt is Format.markdown:
            parts.append(f"### {title}\n\n" + render(frame, fmt, total_rows=total_rows))
        else:
            parts.append(
                render(frame, fmt, title=title, total_rows=total_rows, terminal=terminal,
                       width=width, highlight=(highlight or {}).get(index, ()))
            )
    text = "\n".join(p for p in parts if p)
    shown = markdown_text if fmt is Format.markdown else printable
    if notes:
        text += ("\n" if text else "") + "\n".join(shown(n) for n in notes) + "\n"
    return text


def render_html_table(
    frame: pd.DataFrame,
    *,
    total_rows: int = 0,
    blank: str | None = None,
    highlight: Sequence[int] = (),
) -> str:
    """``frame`` as an HTML table for people (the audit pack): cells as in a table, numbers
    right-aligned, totals rows and ``highlight`` rows marked by class."""
    import html

    columns = [str(c) for c in frame.columns]
    rows = _rows(frame)
    numeric = [_is_numeric(c, [r[i] for r in rows]) for i, c in enumerate(columns)]
    body = len(rows) - total_rows
    shown = _gaps_for_people(rows, total_rows, blank)
    lines = ["<table>", "<thead><tr>"
             + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr></thead>", "<tbody>"]
    for n, row in enumerate(shown):
        marks = (["total"] if n >= body else []) + (["mismatch"] if n in highlight else [])
        attribute = f' class="{" ".join(marks)}"' if marks else ""
        cells = []
        for column, value, number in zip(columns, row, numeric):
            text = human_cell(column, value)
            klass = ' class="number"' if number else ""
            cells.append(f"<td{klass}>{html.escape(text)}</td>")
        lines.append(f"<tr{attribute}>" + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def shout_mismatches(frame: pd.DataFrame) -> pd.DataFrame:
    """For people: a ``status`` of ``mismatch`` written ``MISMATCH``, so that it stands out."""
    return frame.assign(status=["MISMATCH" if s == "mismatch" else s for s in frame["status"]])
