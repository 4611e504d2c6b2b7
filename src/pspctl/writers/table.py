"""Tables for people: in a terminal (rich, colour, wrapping) and as plain text off one (pipes,
files: drawn a line at a time from rich's box characters). Control characters in the data are
shown escaped, never sent to the terminal."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..errors import printable
from ..views import Table, View
from .cells import for_people, human_column

BAR_WIDTH = 40


#: Eighths of a character, for bars drawn in a terminal.
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _with_bars(columns: list[str], rows: list[list[Any]], chart: str, total_rows: int,
               terminal: bool, width: int = BAR_WIDTH) -> tuple[list[str], list[list[Any]]]:
    """A column of horizontal bars proportional to ``chart``, the longest ``width`` characters
    for the largest figure (in a terminal to an eighth of a character); totals rows get none."""
    index = columns.index(chart)
    body = len(rows) - total_rows
    values = [r[index] if isinstance(r[index], Decimal) else Decimal(0) for r in rows[:body]]
    top = max(values, default=Decimal(0))
    bars = []
    for value in values:
        eighths = int((value / top * width * 8).to_integral_value()) if top > 0 else 0
        if terminal:
            whole, part = divmod(eighths, 8)
            bars.append("█" * whole + (_EIGHTHS[part] if part else ""))
        else:
            bars.append("#" * ((eighths + 4) // 8))
    return [*columns, ""], [[*r, b] for r, b in zip(rows, bars + [""] * total_rows)]


#: Kinds whose cells are figures: in a terminal never cut and never wrapped.
WHOLE = frozenset({"year", "money", "share", "ratio", "count", "index", "bar"})
#: The narrowest a wrapping text column may become before a table turns into records.
MIN_TEXT = 12


#: A word longer than this may be split to fit its column; a shorter one never is.
LONGEST_WORD = 24


def _allotted(kinds: Sequence[str], widths: Sequence[int], words: Sequence[int],
              room: int, compact: bool = False, single: Sequence[bool] = ()
              ) -> list[int] | None:
    """The width of each column in a terminal ``room`` wide: figures whole (their
    ``widths``); text and ids wrapped between words or after hyphens, each at least as wide as
    its longest word (``words``). What the figures leave goes first to text columns of
    ``single`` words (a check, a status: whole where they can be), then to the text people
    read (notes, names, verdicts), in proportion to what each would take whole, then to ids.
    ``None`` when even that does not fit (rich's frame: a space either side of each column,
    one between columns, one at each edge; ``compact``, two spaces between columns and none
    at the edges)."""
    frame = 2 * (len(kinds) - 1) if compact else 3 * len(kinds) + 1
    wraps = [n for n, kind in enumerate(kinds) if kind not in WHOLE]
    left = room - frame - sum(w for k, w in zip(kinds, widths) if k in WHOLE)
    allotted = list(widths)
    for n in wraps:
        allotted[n] = min(widths[n], max(1, words[n]))
    spare = left - sum(allotted[n] for n in wraps)
    if spare < 0:
        return None
    single = list(single) or [False] * len(kinds)
    tiers = ([n for n in wraps if kinds[n] != "id" and single[n]],
             [n for n in wraps if kinds[n] != "id" and not single[n]],
             [n for n in wraps if kinds[n] == "id"])
    for tier in tiers:
        want = {n: widths[n] - allotted[n] for n in tier}
        wanted = sum(want.values())
        if wanted <= spare:
            for n in tier:
                allotted[n] = widths[n]
            spare -= wanted
            continue
        given = {n: spare * want[n] // wanted for n in tier}
        for n in sorted(tier, key=lambda n: -want[n])[: spare - sum(given.values())]:
            given[n] += 1  # what rounding left, to the widest
        for n in tier:
            allotted[n] += given[n]
        break
    return allotted


#: Where a word may break: after a hyphen between two letters (``spt-community``; never
#: inside ``2014-15`` or ``--``).
HYPHEN = re.compile(r"(?<=[^\W\d_]-)(?=[^\W\d_])")


def _chunks(text: str) -> list[str]:
    """The pieces a line of ``text`` may break between: its words, and the parts of a word
    after each hyphen between letters (``spt-`` ``community-`` ``transport``)."""
    if "-" not in text:
        return text.split()
    return [piece for word in text.split() for piece in HYPHEN.split(word)]


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces and after the
    hyphens :data:`HYPHEN` finds; a piece longer than a line is split (only then)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        for n, piece in enumerate(HYPHEN.split(word) if "-" in word else [word]):
            joined = f"{line} {piece}" if line and n == 0 else line + piece
            if len(joined) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            while len(piece) > width:
                lines.append(piece[:width])
                piece = piece[width:]
            line = piece
    return [*lines, line] if line else lines


def _longest_word(texts: Sequence[str]) -> int:
    """The longest piece of a column's texts (at most :data:`LONGEST_WORD`): the narrowest it
    may wrap to without splitting a word."""
    return min(LONGEST_WORD, max((_width(chunk) for text in texts for chunk in _chunks(text)),
                                 default=0))


def _wrapped_cells(kinds: Sequence[str], texts: list[list[str]], allotted: Sequence[int]
                   ) -> list[list[str]]:
    """Each text and id cell broken into lines of its column's width, at spaces and after
    hyphens, a word split only when longer than the column (rich wraps at spaces only);
    cells of wide characters are left to rich, which measures them."""
    wraps = [n for n, kind in enumerate(kinds) if kind not in WHOLE]
    out = []
    for row in texts:
        cells = list(row)
        for n in wraps:
            cell = cells[n]
            if len(cell) > allotted[n] and _narrow(cell):
                cells[n] = "\n".join(_wrap(cell, max(1, allotted[n]))) or cell
        out.append(cells)
    return out


def _fitted(console: Any, title: str | None, columns: list[str], kinds: list[str],
            numeric: list[bool], texts: list[list[str]], sizes: list[list[int]],
            widths: list[int], body: int, total_rows: int, highlight: Sequence[int]) -> str:
    """A table for a terminal of ``console.width`` columns, under its title: figures whole,
    text wrapped between words. Of the layouts that fit, the one that takes the fewest lines
    (the first of those, on a tie): headings whole or broken at underscores, the columns
    apart or closed up (two spaces between them, none at the edges). Where none fits, the £
    leaves the money cells for the title; records where even that does not fit."""
    chosen = None
    measured = _measured(texts, len(columns))
    for compact, split in ((False, False), (False, True), (True, False), (True, True)):
        fitted = _laid_out(kinds, columns, measured, sizes, widths, console.width, compact,
                           split)
        if fitted is not None:
            rows, text_lines = _lines(kinds, texts, fitted[1])
            lines = (rows + max(h.count("\n") for h in fitted[0]), text_lines)
            if chosen is None or lines < chosen[0]:
                chosen = (lines, compact, texts, fitted)
    bare = _without_pound(kinds, texts)
    if chosen is None and bare is not texts:
        bare_sizes = [_widths(list(column)) for column in zip(*bare)]
        fitted = _laid_out(kinds, columns, _measured(bare, len(columns)), bare_sizes, widths,
                           console.width, True, True)
        if fitted is not None:
            chosen = ((0, 0), True, bare, fitted)
    if chosen is not None:
        _, compact, cells, (heads, allotted) = chosen
        with console.capture() as captured:
            if title:
                shown = title if cells is texts else f"{title}, in £"
                console.print(printable(shown), style="bold")
            console.print(_rich_table(heads, kinds, numeric, _wrapped_cells(kinds, cells, allotted),
                                      allotted, body, total_rows, True, highlight, fixed=True,
                                      compact=compact))
        text: str = captured.get()
        return text
    return (printable(title) + "\n" if title else "") + _records(columns, kinds, texts,
                                                                  console.width)


def _lines(kinds: Sequence[str], texts: list[list[str]], allotted: Sequence[int]
           ) -> tuple[int, int]:
    """How many lines the rows take with their text wrapped to ``allotted``, and how many
    lines the text people read (all but ids) is broken into: the first rows of a long table,
    where a layout is seen."""
    wraps = [n for n, kind in enumerate(kinds) if kind not in WHOLE]
    rows = texts_lines = 0
    for row in texts[:200]:
        lines = {n: len(_wrap(row[n], max(1, allotted[n]))) if len(row[n]) > allotted[n] else 1
                 for n in wraps}
        rows += max([1, *lines.values()])
        texts_lines += sum(v for n, v in lines.items() if kinds[n] != "id")
    return rows, texts_lines


def _without_pound(kinds: list[str], texts: list[list[str]]) -> list[list[str]]:
    """The cells with the £ taken out of every money figure (``texts`` itself when there is
    none to take out)."""
    money = [n for n, kind in enumerate(kinds) if kind == "money"]
    if not money or not any("£" in row[n] for row in texts for n in money):
        return texts
    return [[cell.replace("£", "", 1) if n in money else cell for n, cell in enumerate(row)]
            for row in texts]


def _measured(texts: list[list[str]], count: int) -> tuple[list[int], list[bool]]:
    """Of each of the ``count`` columns of ``texts``: its longest word, and whether every cell
    is one word (what every layout of the table is worked out from, measured once)."""
    return ([_longest_word([row[n] for row in texts]) for n in range(count)],
            [not any(" " in row[n] for row in texts) for n in range(count)])


def _laid_out(kinds: list[str], columns: list[str], measured: tuple[list[int], list[bool]],
              sizes: list[list[int]], widths: list[int], room: int, compact: bool,
              split: bool) -> tuple[list[str], list[int]] | None:
    """The headings (broken at underscores when ``split``) and the width of each column
    (``sizes``: its cells' widths; ``measured``: :func:`_measured`) of a table ``room`` wide,
    or ``None`` when it does not fit without splitting a figure or a word."""
    values = [max(column_sizes, default=1) for column_sizes in sizes]
    words, single = measured
    heads = [_heading(c, v if k in WHOLE else max(word, MIN_TEXT)) if split else c
             for c, k, v, word in zip(columns, kinds, values, words)]
    words = [max(word, *map(_width, h.split("\n"))) for word, h in zip(words, heads)]
    room_each = [max(v, *map(_width, h.split("\n"))) if k in WHOLE else w
                 for k, v, w, h in zip(kinds, values, widths, heads)]
    allotted = _allotted(kinds, room_each, words, room, compact, single)
    return None if allotted is None else (heads, allotted)


def _heading(name: str, room: int) -> str:
    """A column's name broken into lines at its underscores (``published`` / ``_gbp``) so
    that it is no wider than its figures, where it can be."""
    if _width(name) <= room or "_" not in name:
        return name
    parts = name.split("_")
    pieces = [parts[0], *("_" + p for p in parts[1:])]
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if _width(lines[-1] + piece) <= room:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(lines)


def _records(columns: list[str], kinds: list[str], texts: list[list[str]], room: int) -> str:
    """The rows as records, one block per row, ``field  value``: what a terminal too narrow
    for the table shows instead of cutting a figure."""
    import textwrap

    label = max(_width(c) for c in columns)
    blocks = []
    for cells in texts:
        lines = []
        for column, kind, text in zip(columns, kinds, cells):
            if not text:
                continue
            head = column + " " * (label - _width(column)) + "  "
            if kind in WHOLE or _width(head) + _width(text) <= room:
                lines.append(head + text)
                continue
            wrapped = textwrap.wrap(text, max(room - len(head), MIN_TEXT)) or [""]
            lines += [head + wrapped[0], *(" " * len(head) + rest for rest in wrapped[1:])]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _table(
    columns: list[str],
    kinds: list[str],
    numeric: list[bool],
    rows: list[list[Any]],
    title: str | None,
    notes: Sequence[str],
    total_rows: int,
    terminal: bool,
    width: int | None,
    highlight: Sequence[int] = (),
    colour: bool = True,
) -> str:
    from rich import box
    from rich.console import Console
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 10_000,
        force_terminal=terminal,
        no_color=not (terminal and colour),
        color_system="standard" if terminal and colour else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    if columns and rows:
        if title and not terminal:
            console.print(printable(title))
        by_column = [human_column(kind, [row[i] for row in rows]) for i, kind in enumerate(kinds)]
        sizes = [_widths(texts) for texts in by_column]
        widths = [max([_width(column), *column_sizes])
                  for column, column_sizes in zip(columns, sizes)]
        texts = [list(cells) for cells in zip(*by_column)]
        lengths = [list(cells) for cells in zip(*sizes)]
        body = len(rows) - total_rows
        if _drawable(texts, widths, terminal, console.width):
            buffer.write(_drawn(columns, numeric, texts, lengths, widths, body, box.ASCII2))
        elif terminal:
            buffer.write(_fitted(console, title, columns, kinds, numeric, texts, sizes, widths,
                                 body, total_rows, highlight))
        else:
            console.print(_rich_table(columns, kinds, numeric, texts, widths, body, total_rows,
                                      terminal, highlight))
    for note in notes:
        buffer.write(_wrapped(printable(note), width if terminal else None) + "\n")
    lines = buffer.getvalue().splitlines()
    return "".join(line.rstrip() + "\n" for line in lines)


def _rich_table(columns: list[str], kinds: list[str], numeric: list[bool],
                texts: list[list[str]], widths: list[int], body: int, total_rows: int,
                terminal: bool, highlight: Sequence[int], fixed: bool = False,
                compact: bool = False) -> Any:
    """rich's Table of the cells: in a terminal (wrapping, colour; with ``fixed``, each text
    column exactly its allotted width; ``compact``, two spaces between columns, none at the
    edges), or where a line-by-line drawing cannot hold them."""
    from rich import box
    from rich.table import Table as RichTable

    table = RichTable(box=box.SIMPLE_HEAD if terminal else box.ASCII2,
                      header_style="bold" if terminal else "", safe_box=True,
                      show_edge=not compact, pad_edge=not compact, collapse_padding=compact)
    for column, kind, is_number, column_width in zip(columns, kinds, numeric, widths):
        # Off a terminal nothing wraps: giving each column its width spares rich from
        # measuring every cell. In one, figures and keys keep their width, whole; text wraps.
        whole = not terminal or kind in WHOLE  # rich narrows only the columns that wrap
        table.add_column(column, justify="right" if is_number else "left", no_wrap=whole,
                         min_width=column_width if whole else None,
                         width=column_width if not terminal or (fixed and not whole) else None,
                         overflow="fold")
    for n, cells in enumerate(texts):
        if n == body and total_rows:
            table.add_section()
        style = "bold" if terminal and n >= body else None
        if terminal and n in highlight:
            style = "bold red"
        table.add_row(*cells, style=style)
    return table


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


def table_text(table: Table, notes: Sequence[str] = (), terminal: bool = False,
               width: int | None = None, colour: bool = True) -> str:
    """One table with its title and ``notes``, as text."""
    columns = [c.name for c in table.columns]
    kinds, numeric, rows = for_people(table)
    if table.chart is not None and table.chart in columns:
        bar = BAR_WIDTH
        if terminal and width and rows:  # the bars take the room the other columns leave
            sizes = [max([_width(c), *_widths(human_column(k, [r[i] for r in rows]))])
                     for i, (c, k) in enumerate(zip(columns, kinds))]
            used = sum((w if k in WHOLE else min(w, 2 * MIN_TEXT)) + 2  # text may wrap
                       for k, w in zip(kinds, sizes))
            bar = max(8, min(BAR_WIDTH, width - used - 6))
        columns, rows = _with_bars(columns, rows, table.chart, table.totals, terminal, bar)
        kinds.append("bar")
        numeric.append(False)
    return _table(columns, kinds, numeric, rows, table.title, notes, table.totals, terminal,
                  width, table.highlight, colour)


def write(view: View, terminal: bool = False, width: int | None = None,
          colour: bool = True) -> str:
    notes = [*view.notes, *([view.verdict] if view.verdict else [])]
    if not view.sectioned:
        return table_text(view.sections[0], notes, terminal, width, colour)
    parts = [f"{printable(s.title or '')}: {s.empty}\n" if s.frame.empty
             else table_text(s, (), terminal, width, colour) for s in view.sections]
    text = "\n".join(p for p in parts if p)
    if notes:
        shown = [_wrapped(printable(n), width if terminal else None) for n in notes]
        text += ("\n" if text else "") + "\n".join(shown) + "\n"
    return text


def _wrapped(note: str, width: int | None) -> str:
    """A note wrapped at word boundaries to ``width`` (its indent kept), or as it is."""
    import textwrap

    if not width or len(note) <= width:
        return note
    indent = note[: len(note) - len(note.lstrip())]
    return textwrap.fill(note.strip(), width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)
