"""The Python API: discoverable, documented, speaking in its own parameters."""

from __future__ import annotations

import pydoc
from decimal import Decimal

import pytest
from conftest import SMALL

import pspctl
from pspctl.export import MissingIdentifiers

FUNCTIONS = ["load", "validate", "bundled_data_dir", "psp_list", "psp_detail", "funding_matrix",
             "funding_by_year", "funding_by_psp", "compare", "resolve_psp", "with_total",
             "reconcile", "grants_360"]


def test_dir_lists_the_api_and_every_function_has_a_docstring() -> None:
    assert set(FUNCTIONS) <= set(dir(pspctl))
    assert "annotations" not in dir(pspctl)
    for name in FUNCTIONS:
        assert callable(getattr(pspctl, name)), name
        assert (getattr(pspctl, name).__doc__ or "").strip(), name


def test_help_shows_the_functions_with_their_docstrings() -> None:
    text = pydoc.render_doc(pspctl, renderer=pydoc.plaintext)
    for name in FUNCTIONS:
        assert f"{name}(" in text, name
    assert "Compare every published figure of ``data.totals``" in text


def test_reconcile_takes_money_as_the_command_line_does() -> None:
    data = pspctl.load(SMALL)
    assert pspctl.reconcile(data, headline="£5,250.50").ok
    assert pspctl.reconcile(data, headline=Decimal("5250.50")).ok


def test_export_errors_name_the_functions_parameters() -> None:
    data = pspctl.load(SMALL)
    with pytest.raises(MissingIdentifiers) as raised:
        pspctl.grants_360(data, None, "360G-x", {"alpha": "GB-1"})
    assert str(raised.value) == (
        "the report gives no identifiers, so they must be given: funding_org_id (the funder's "
        "org-id); a recipient org-id for beta, gamma (recipient_org_id in psp.csv, or "
        "recipient_org_ids)")


def test_figures_stay_exact_whatever_the_callers_decimal_context() -> None:
    # A notebook may lower the precision of its decimal context; pspctl's pounds do not follow.
    import decimal

    with decimal.localcontext() as context:
        context.prec = 6
        data = pspctl.load()
        matrix = pspctl.funding_matrix(data)
        by_psp = pspctl.funding_by_psp(data)
        totalled = pspctl.with_total(by_psp, "psp_id")
    low_moss = matrix.set_index("psp_id").loc["low-moss"]
    assert str(low_moss["government_gbp"]) == "945139.00"
    assert str(sum(by_psp["government_gbp"], Decimal(0))) == "2759068.00"
    assert str(totalled["government_gbp"].iloc[-1]) == "2759068.00"  # summed exactly too
