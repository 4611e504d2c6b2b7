"""Every writer keeps every cell in its place, whatever the text: hostile text (quotes, commas,
CR, LF, tab, |, <, =, escape sequences, wide characters) round-trips through csv, tsv, json and
markdown to the same cells and the same figures to the penny, and never reaches a terminal
raw."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pspctl.render import FORMULA_PREFIXES, Format, render

HOSTILE = st.text(alphabet=st.sampled_from(
    [*'ab ,"\r\n\t|<>=&;-+@\\', "\x1b", "\x07", "\x9b", "\x7f", "\x00", "£", "漢", "–", "é",
     "\u202e", "\u2066", "\u2069", "\u200b", "\u2028", "\ufeff", "\U000e0041"]),
    max_size=12)
#: What no text for people may hold raw: controls (but the line feeds of the layout), and the
#: invisible format characters that reorder a line (U+202E) or hide in it (U+200B).
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e"
                 "\u2060-\u206f\ufeff\U000e0000-\U000e007f]")
MONEY = st.integers(0, 10**12).map(lambda pence: Decimal(pence).scaleb(-2))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.lists(st.tuples(HOSTILE, HOSTILE, MONEY), min_size=1, max_size=6))
    return pd.DataFrame(rows, columns=["psp_id", "name", "amount_gbp"], dtype=object)


def as_written(text: str) -> str:
    """A text cell as csv and tsv write it: neutralised for spreadsheets."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@SETTINGS
@given(frames(), st.sampled_from([Format.csv, Format.tsv]))
def test_delimited_round_trip(frame: pd.DataFrame, fmt: Format) -> None:
    out = render(frame, fmt)
    delimiter = "," if fmt is Format.csv else "\t"
    rows = list(csv.reader(io.StringIO(out, newline=""), delimiter=delimiter, strict=True))
    assert rows[0] == ["psp_id", "name", "amount_gbp"]
    assert [r[:2] for r in rows[1:]] == [[as_written(p), as_written(n)]
                                         for p, n, _ in frame.itertuples(index=False)]
    assert [Decimal(r[2]) for r in rows[1:]] == frame["amount_gbp"].tolist()
    assert all(re.fullmatch(r"[0-9]+(\.[0-9]{2})?", r[2]) for r in rows[1:])  # plain numbers


@SETTINGS
@given(frames())
def test_json_round_trip(frame: pd.DataFrame) -> None:
    back = json.loads(render(frame, Format.json), parse_float=Decimal)
    assert [(r["psp_id"], r["name"], Decimal(r["amount_gbp"])) for r in back] == [
        tuple(r) for r in frame.itertuples(index=False)]


def markdown_cells(line: str) -> list[str]:
    """A markdown table row split on the pipes that are not escaped."""
    assert line.startswith("|") and line.endswith("|")
    return [c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1].replace("\\\\", "\x00"))]


@SETTINGS
@given(frames())
def test_markdown_keeps_every_cell_in_its_column(frame: pd.DataFrame) -> None:
    lines = render(frame, Format.markdown).splitlines()
    assert len(lines) == 2 + len(frame)  # header, rule, one line a row: nothing split
    for line, (_, _, amount) in zip(lines[2:], frame.itertuples(index=False)):
        cells = markdown_cells(line)
        assert len(cells) == 3
        assert "<" not in line and ">" not in line  # no HTML from the data
        assert Decimal(cells[2].replace("£", "").replace(",", "")) == amount
        assert not RAW.search(line)  # controls and format characters shown escaped


@SETTINGS
@given(frames())
def test_terminal_text_has_no_control_character_and_every_figure_whole(
        frame: pd.DataFrame) -> None:
    from pspctl.money import pretty_money

    out = render(frame, Format.table)
    assert not RAW.search(out)  # only line feeds
    assert len(out.splitlines()) == 4 + len(frame)  # borders, header, a line a row
    for amount in frame["amount_gbp"]:
        assert pretty_money(amount) in out


def test_notes_are_escaped_for_their_format_only() -> None:
    from pspctl.render import render_sections

    frame = pd.DataFrame([("a", Decimal("1.00"))], columns=["psp_id", "amount_gbp"], dtype=object)
    note = "A & B | <C>\x1b[31m"
    table = render_sections([("T", frame, 0)], Format.table, notes=[note])
    markdown = render_sections([("T", frame, 0)], Format.markdown, notes=[note])
    assert table.endswith("\nA & B | <C>\\x1b[31m\n")
    assert markdown.endswith("\nA &amp; B \\| &lt;C&gt;\\x1b[31m\n")


class _Cells(HTMLParser):
    """The rows of cells of an HTML table, as a browser would read their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


@SETTINGS
@given(frames())
def test_html_round_trip(frame: pd.DataFrame) -> None:
    from pspctl.render import columns_of
    from pspctl.views import Table
    from pspctl.writers.html import html_table

    out = html_table(Table(None, columns_of(frame, {"psp_id": "id", "name": "text"}), frame))
    parser = _Cells()
    parser.feed(out)
    assert parser.rows[0] == ["psp_id", "name", "amount_gbp"]
    assert len(parser.rows) == 1 + len(frame)  # nothing split, nothing added
    from pspctl.errors import printable

    assert not RAW.search(out)
    for cells, (psp_id, name, amount) in zip(parser.rows[1:], frame.itertuples(index=False)):
        # the text itself, escaped and read back; controls and format characters as escapes
        assert cells[:2] == [printable(psp_id), printable(name)]
        assert Decimal(cells[2].replace("£", "").replace(",", "")) == amount


HALF_WAY = st.integers(-10**7, 10**7).map(lambda n: Decimal(n * 10 + 5).scaleb(-3))


@SETTINGS
@given(st.lists(HALF_WAY, min_size=1, max_size=5))
def test_every_writer_rounds_half_way_ratios_and_shares_as_a_spreadsheet_does(
        values: list[Decimal]) -> None:
    """0.825 is 0.83 and 0.8125 is 81.3% wherever people read it (table, markdown, HTML):
    half away from zero, as the workbook's number formats show them."""
    import decimal

    from pspctl.writers.html import html_table

    frame = pd.DataFrame({"leverage": [float(v) for v in values],
                          "share": [float(v) / 100 for v in values]}, dtype=object)
    kinds = {"leverage": "ratio", "share": "share"}

    def away(value: Decimal, places: int) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)

    ratios = [f"{away(v, 2):,}" for v in values]
    shares = [f"{away(v, 1)}%" for v in values]  # the share is v / 100: v percent
    from pspctl.render import columns_of
    from pspctl.views import Table

    table = render(frame, Format.table, kinds=kinds)
    markdown = render(frame, Format.markdown, kinds=kinds)
    parser = _Cells()
    parser.feed(html_table(Table(None, columns_of(frame, kinds), frame)))
    for n, (ratio, share) in enumerate(zip(ratios, shares)):
        assert parser.rows[1 + n] == [ratio, share]
        assert markdown_cells(markdown.splitlines()[2 + n]) == [ratio, share]
        assert re.search(rf"\s{re.escape(ratio)}\s.*\s{re.escape(share)}\s",
                         table.splitlines()[3 + n]), (table, ratio, share)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(
    ["a", "1", " ", ",", "\0", *FORMULA_PREFIXES]), max_size=4)), max_size=8))
def test_a_column_is_neutralised_as_each_of_its_texts_is(texts: list[str | None]) -> None:
    """A column's texts are made safe for spreadsheets exactly as each would be on its own
    (a text starting with = + - @ tab or CR gets a leading '; none is ""), whether the column
    is looked over at once (no None, no formula) or text by text, NULs included."""
    from pspctl.writers.cells import neutralised

    assert neutralised(texts) == [
        "" if t is None else "'" + t if t[:1] in FORMULA_PREFIXES and t else t for t in texts]
