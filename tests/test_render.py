"""The renderer, every format, on one small frame with money, shares, ratios and gaps."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pspctl.writers.table as render_module
from pspctl.render import Format, plain_money, pretty_money, render
from pspctl.views import Kind


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "psp_id": ["alpha", "=beta"],
            "amount_gbp": [Decimal("2759368"), Decimal("101459.5")],
            "additional_gbp": [Decimal("300"), None],
            "share": [0.25, 0.75],
            "leverage": [0.15, None],
        }
    )


#: The kinds of the fixture's columns, as a view would say them (render never guesses by name).
KINDS: dict[str, Kind] = {"psp_id": "id", "amount_gbp": "money", "additional_gbp": "money",
                          "share": "share", "leverage": "ratio", "a_gbp": "money"}


def test_csv(frame: pd.DataFrame) -> None:
    assert render(frame, Format.csv, kinds=KINDS) == (
        "psp_id,amount_gbp,additional_gbp,share,leverage\n"
        "alpha,2759368,300,0.25,0.15\n"
        "'=beta,101459.50,,0.75,\n"
    )


def test_tsv(frame: pd.DataFrame) -> None:
    assert render(frame, Format.tsv, kinds=KINDS) == (
        "psp_id\tamount_gbp\tadditional_gbp\tshare\tleverage\n"
        "alpha\t2759368\t300\t0.25\t0.15\n"
        "'=beta\t101459.50\t\t0.75\t\n"
    )


def test_json(frame: pd.DataFrame) -> None:
    assert render(frame, Format.json, kinds=KINDS) == (
        "[\n"
        '  {"psp_id": "alpha", "amount_gbp": 2759368, "additional_gbp": 300, "share": 0.25, '
        '"leverage": 0.15},\n'
        '  {"psp_id": "=beta", "amount_gbp": 101459.50, "additional_gbp": null, "share": 0.75, '
        '"leverage": null}\n'
        "]\n"
    )


def test_markdown(frame: pd.DataFrame) -> None:
    assert render(frame, Format.markdown, kinds=KINDS, notes=["Source: Table 3"]) == (
        "| psp_id   |   amount_gbp |   additional_gbp |   share |   leverage |\n"
        "|:---------|-------------:|-----------------:|--------:|-----------:|\n"
        "| alpha    |   £2,759,368 |             £300 |   25.0% |       0.15 |\n"
        "| =beta    |  £101,459.50 |       not stated |   75.0% | not stated |\n"
        "\n"
        "Source: Table 3\n"
    )


def test_table_plain_when_not_a_terminal(frame: pd.DataFrame) -> None:
    assert render(frame, Format.table, kinds=KINDS, title="Funding", notes=["ok"]) == (
        "Funding\n"
        "+--------+-------------+----------------+-------+------------+\n"
        "| psp_id |  amount_gbp | additional_gbp | share |   leverage |\n"
        "+--------+-------------+----------------+-------+------------+\n"
        "| alpha  |  £2,759,368 |           £300 | 25.0% |       0.15 |\n"
        "| =beta  | £101,459.50 |     not stated | 75.0% | not stated |\n"
        "+--------+-------------+----------------+-------+------------+\n"
        "ok\n"
    )


def test_table_totals_row_is_set_apart_and_leaves_gaps_empty(frame: pd.DataFrame) -> None:
    assert render(frame, Format.table, kinds=KINDS, total_rows=1) == (
        "+--------+-------------+----------------+-------+----------+\n"
        "| psp_id |  amount_gbp | additional_gbp | share | leverage |\n"
        "+--------+-------------+----------------+-------+----------+\n"
        "| alpha  |  £2,759,368 |           £300 | 25.0% |     0.15 |\n"
        "+--------+-------------+----------------+-------+----------+\n"
        "| =beta  | £101,459.50 |                | 75.0% |          |\n"
        "+--------+-------------+----------------+-------+----------+\n"
    )


def test_blank_text_and_chart(frame: pd.DataFrame) -> None:
    assert render(frame[["psp_id", "additional_gbp"]], Format.table, kinds=KINDS, blank="-",
                  chart="additional_gbp") == (
        "+--------+----------------+------------------------------------------+\n"
        "| psp_id | additional_gbp |                                          |\n"
        "+--------+----------------+------------------------------------------+\n"
        "| alpha  |           £300 | ######################################## |\n"
        "| =beta  |              - |                                          |\n"
        "+--------+----------------+------------------------------------------+\n"
    )


def test_table_in_a_terminal_uses_colour_codes(frame: pd.DataFrame) -> None:
    text = render(frame, Format.table, kinds=KINDS, terminal=True, width=100)
    assert "\x1b[" in text
    assert "£2,759,368" in text


def test_empty_frame_machine_formats() -> None:
    empty = pd.DataFrame({"a_gbp": []})
    assert render(empty, Format.csv, kinds=KINDS) == "a_gbp\n"
    assert render(empty, Format.json, kinds=KINDS) == "[]\n"
    assert render(empty, Format.table, kinds=KINDS, notes=["nothing"]) == "nothing\n"


@pytest.mark.parametrize(
    ("value", "plain", "pretty"),
    [("2759368", "2759368", "£2,759,368"), ("101459.00", "101459", "£101,459"),
     ("0.5", "0.50", "£0.50"), ("-300", "-300", "-£300"), ("1234567.89", "1234567.89",
                                                           "£1,234,567.89")],
)
def test_money_formats(value: str, plain: str, pretty: str) -> None:
    assert plain_money(Decimal(value)) == plain
    assert pretty_money(Decimal(value)) == pretty


def test_format_from_suffix() -> None:
    assert [Format.from_suffix(s) for s in (".csv", ".TSV", ".json", ".md", ".txt", ".xlsx",
                                            ".ods")] == [
        Format.csv, Format.tsv, Format.json, Format.markdown, Format.table, Format.xlsx, None]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    cells=st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12),
            st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2)),
            st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
        ),
        min_size=1,
        max_size=12,
    ),
    total_rows=st.integers(0, 2),
    title=st.one_of(st.none(), st.text(max_size=20)),
)
def test_a_table_drawn_line_by_line_reads_as_rich_draws_it(
    cells: list[tuple[str, Decimal | None, float | None]], total_rows: int, title: str | None
) -> None:
    """Off a terminal the table is drawn a line at a time from rich's box characters; the text
    must be the one rich's Table writes, wide characters, totals rows and a title included."""
    frame = pd.DataFrame({"name": [c[0] for c in cells], "amount_gbp": [c[1] for c in cells],
                          "share": [c[2] for c in cells]})
    total_rows = min(total_rows, len(cells))
    drawn = render(frame, Format.table, kinds=KINDS, total_rows=total_rows, blank="-",
                   title=title,
                   notes=["a note"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render_module, "_drawable", lambda *args: False)
        by_rich = render(frame, Format.table, kinds=KINDS, total_rows=total_rows, blank="-",
                         title=title,
                         notes=["a note"])
    assert drawn == by_rich


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.decimals(min_value=-10**12, max_value=10**12, places=2),
    st.integers(-10**14, 10**14).map(lambda pence: Decimal(pence).scaleb(-2)),
))
def test_pretty_money_fast_path_writes_what_the_rule_says(value: Decimal) -> None:
    """The shortcut for money cells as gbp() makes them (two decimals) keeps the rule: pence
    only when not zero, thousands separators, a minus sign before the £ (never on zero)."""
    from pspctl.money import pretty_money

    whole = value == value.to_integral_value()
    shown = abs(value).quantize(Decimal(1) if whole else Decimal("0.01"))
    assert pretty_money(value) == f"{'-' if value < 0 else ''}£{shown:,}"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="£0123456789,.-abc \t")))
def test_cell_widths_are_richs(text: str) -> None:
    """The shortcut for printable ASCII and £ measures what rich measures."""
    from rich.cells import cell_len

    from pspctl.render import _width

    assert _width(text) == cell_len(text)
