"""The rules' column forms against their cell forms: a column found clean as a whole is one in
which no cell has a problem, and valid amounts parsed a column at once are the pence each
parses to on its own (#27)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pspctl._rows import pence_column
from pspctl.money import parse_pence
from pspctl.rules import VALID_AMOUNT, _amount_problems, column_clean, value_problems
from pspctl.schema import TABLES, Column

#: Text that is nearly an amount: digits, separators, signs, spaces, an exponent, other digits.
NEAR_AMOUNTS = st.text(alphabet=st.sampled_from(list("0123456789,.£- e١")), max_size=18)
COLUMNS = [column for spec in TABLES for column in spec.columns]


@settings(max_examples=2000)
@given(st.one_of(NEAR_AMOUNTS, st.from_regex(VALID_AMOUNT, fullmatch=True)))
def test_the_amount_pattern_is_the_amount_rule(text: str) -> None:
    """VALID_AMOUNT takes exactly the amounts in which the cell rule finds no problem."""
    assert bool(VALID_AMOUNT.fullmatch(text)) == (not _amount_problems(text))


def test_the_amount_pattern_on_its_edges() -> None:
    valid = ["0", "1.5", "£1,234.56", "999,999,999,999.99", "999999999999", "1,000"]
    invalid = ["", "-1", "£-1", "1,0000", "1000,000", "1.234", "9999999999999", "1,000,000,000,000",
               "1e5", " 1", "١"]
    assert [bool(VALID_AMOUNT.fullmatch(t)) for t in valid + invalid] == \
        [True] * len(valid) + [False] * len(invalid)


@settings(max_examples=500)
@given(st.sampled_from(COLUMNS), st.lists(st.one_of(
    st.just(""), NEAR_AMOUNTS, st.sampled_from(["2015-16", "2015-17", "government", "2016", "x",
                                                "additional", "12.5"])), max_size=6))
def test_a_column_is_clean_exactly_when_no_cell_has_a_problem(column: Column,
                                                              cells: list[str]) -> None:
    """column_clean says a column is clean exactly when every cell passes the cell rules (a
    blank cell of a required column is a problem)."""
    problems = [value_problems(cell, column) if cell else
                ([("blank-cell", "")] if column.required else []) for cell in cells]
    assert column_clean(cells, column) == (not any(problems))


@settings(max_examples=500)
@given(st.lists(st.from_regex(VALID_AMOUNT, fullmatch=True), max_size=20))
def test_valid_amounts_parse_a_column_at_once_as_each_on_its_own(cells: list[str]) -> None:
    assert pence_column(cells).tolist() == [parse_pence(cell) for cell in cells]
    assert pence_column(cells).dtype == np.int64


def test_a_column_with_any_other_text_is_parsed_cell_by_cell() -> None:
    """A column that is not all valid amounts is parse_pence's: a negative amount parses (the
    loader reports it), text that is no amount is its error, never a figure."""
    assert pence_column(["-5", "1"]).tolist() == [-500, 100]
    with pytest.raises(ValueError) as raised:
        pence_column(["1e5"])
    assert str(raised.value) == "bad amount '1e5': write it as 1234, 1234.50, 1,234.00 or £1,234"
