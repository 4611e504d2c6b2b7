"""Views: every column of every command's view says its kind; writers lay out by kind, never by
a column's name."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

import pandas as pd
import pytest
from conftest import SMALL

from pspctl import loader, reports, views
from pspctl.render import Format, render


def every_view() -> list[tuple[str, views.View]]:
    data = loader.load()
    result = reports.reconcile(data)
    return [
        ("validate", views.validate_view(loader.validate(SMALL), "x")),
        ("list", views.list_view(reports.psp_list(data))),
        ("show", views.show_view(reports.psp_detail(data, "elevate"))),
        ("funding", views.matrix_view(reports.funding_matrix(data))),
        ("by-year", views.by_year_view(reports.funding_by_year(data, cumulative=True,
                                                               share=True))),
        ("by-psp", views.by_psp_view(reports.funding_by_psp(data, share=True))),
        ("compare", views.compare_view(reports.compare(data))),
        ("reconcile", views.reconcile_view(result)),
        ("candidates", views.candidates_view(result)),
        ("review", views.review_view(reports.review(data))),
    ]


@pytest.mark.parametrize(("name", "view"), every_view(), ids=[n for n, _ in every_view()])
def test_every_column_says_its_kind(name: str, view: views.View) -> None:
    for table in (*view.sections, view.records):
        assert [c.name for c in table.columns] == [str(c) for c in table.frame.columns], name
        assert all(c.kind in get_args(views.Kind) for c in table.columns)
        money = [c.name for c in table.columns if c.kind == "money"]
        for column in money:  # money columns hold exact Decimals or nothing
            assert all(v is None or isinstance(v, Decimal)
                       for v in table.frame[column].tolist()), (name, column)


def test_totals_follow_each_columns_rule() -> None:
    frame = reports.funding_by_year(loader.load(), cumulative=True, share=True)
    section = views.by_year_view(frame).sections[0]
    assert section.totals == 1
    total = section.frame.iloc[-1].tolist()
    assert total == ["Total", Decimal("2759068.00"), None, 1.0]  # a running total is not summed


def test_a_name_does_not_make_a_column_money() -> None:
    frame = pd.DataFrame({"note_gbp": ["a", None], "amount": [Decimal("1.50"), None]},
                         dtype=object)
    kinds: dict[str, views.Kind] = {"note_gbp": "text", "amount": "money"}
    assert render(frame, Format.markdown, kinds=kinds) == (
        "| note_gbp   |     amount |\n"
        "|:-----------|-----------:|\n"
        "| a          |      £1.50 |\n"
        "|            | not stated |\n"
    )
