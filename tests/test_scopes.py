"""Every published total is a check, and every view counts every row the loader accepts
(generated ledgers of every shape the schema allows)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from conftest import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import Ledger, ledgers

from pspctl import export, loader, reports

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def written(ledger: Ledger, fast: bool = False) -> Iterator[Path]:
    """The ledger as a data directory; ``fast`` reads it with the fast reader."""
    before = os.environ.get("PSPCTL_FAST_READ_BYTES")
    os.environ["PSPCTL_FAST_READ_BYTES"] = "0" if fast else str(1 << 40)
    try:
        with tempfile.TemporaryDirectory() as directory:
            yield ledger.write(Path(directory) / "data")
    finally:
        if before is None:
            del os.environ["PSPCTL_FAST_READ_BYTES"]
        else:
            os.environ["PSPCTL_FAST_READ_BYTES"] = before


def pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


def summed(values: object) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))  # type: ignore[attr-defined]


@SETTINGS
@given(ledgers(), st.data())
def test_every_view_counts_the_same_figures(ledger: Ledger, data: st.DataObject) -> None:
    years = sorted({y for (s, _, y, _) in ledger.cells if s == "government"})
    psps = data.draw(st.none() | st.lists(st.sampled_from(ledger.psp_ids), min_size=1,
                                          unique=True))
    span = sorted(data.draw(st.lists(st.sampled_from(years), min_size=2, max_size=2)))
    start, end = data.draw(st.sampled_from([(None, None), (span[0], span[1])]))
    with written(ledger, fast=data.draw(st.booleans())) as directory:
        loaded = loader.load(directory)
    window = None if start is None else (start, end)
    exact = pounds(ledger.computed("government", psps=psps, years=window))
    matrix = reports.funding_matrix(loaded, psps, start, end)
    assert summed(matrix["government_gbp"]) == exact
    assert summed(reports.funding_by_year(loaded, psps, start, end)["government_gbp"]) == exact
    assert summed(reports.funding_by_psp(loaded, psps, start, end)["government_gbp"]) == exact
    everything = pounds(ledger.computed("government"))
    assert summed(reports.psp_list(loaded)["government_gbp"]) == everything
    compared = reports.compare(loaded, psps).by_psp
    assert summed(compared["government_gbp"]) == pounds(ledger.computed("government", psps=psps))
    assert summed(compared["additional_gbp"]) == pounds(ledger.computed("additional",
                                                                        psps=psps))
    checks = reports.reconcile(loaded).checks.set_index("scope")
    assert checks.at["row totals vs cells", "computed_gbp"] == everything
    grants = export.grants_360(loaded, "GB-X-1", "360G-x", {p: f"GB-Y-{p}" for p in
                                                            ledger.psp_ids}, "https://x.org")
    assert summed(grants["Amount Awarded"]) == everything
    assert grants["Identifier"].is_unique


@SETTINGS
@given(ledgers())
def test_a_published_total_is_a_check_that_fails_exactly_when_it_is_off(ledger: Ledger) -> None:
    with written(ledger) as directory:
        result = reports.reconcile(loader.load(directory))
    checks = result.checks.assign(sources=list(result.sources))
    assert len(checks) == len(result.sources)
    for n, total in enumerate(ledger.totals):
        own = checks[[s == (f"t{n}",) for s in checks["sources"]]]
        assert not own.empty, f"t{n} ({total}) is not checked against its cells"
        wanted = "ok" if total.off == 0 else "mismatch"
        assert own["status"].tolist() == [wanted] * len(own), own
        computed = pounds(ledger.computed(total.stream, total.psp_id, total.year))
        assert computed in own["computed_gbp"].tolist()  # the check against its cells
    assert result.ok == all(t.off == 0 for t in ledger.totals)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_reconcile_exit_code_follows_the_totals(ledger: Ledger) -> None:
    with written(ledger) as directory:
        code, out, err = run(["reconcile", "--quiet", "--data-dir", str(directory)])
    assert (code, out, err) == ((0 if all(t.off == 0 for t in ledger.totals) else 1), "", "")
