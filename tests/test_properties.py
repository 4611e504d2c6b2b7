"""Invariants over generated valid datasets (hypothesis)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import YEARS, Generated, datasets

from pspctl import loader, reports
from pspctl.errors import UsageError

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def load(generated: Generated, styles: list[int]) -> loader.Dataset:
    with tempfile.TemporaryDirectory() as directory:
        return loader.load(generated.write(Path(directory) / "data", styles))


@SETTINGS
@given(datasets(), st.lists(st.integers(0, 5), min_size=1, max_size=6))
def test_loader_reads_every_amount_to_the_exact_penny(generated: Generated,
                                                      styles: list[int]) -> None:
    data = load(generated, styles)
    government = data.funding[data.funding["stream"] == "government"]
    got = {(r.psp_id, r.year): r.amount_pence for r in government.itertuples()}
    assert got == generated.cells


@SETTINGS
@given(datasets(), st.lists(st.integers(0, 5), min_size=1, max_size=6))
def test_year_psp_and_matrix_totals_agree(generated: Generated, styles: list[int]) -> None:
    data = load(generated, styles)
    exact = Decimal(sum(generated.cells.values())).scaleb(-2)
    by_year = sum(reports.funding_by_year(data)["government_gbp"], Decimal(0))
    by_psp = sum(reports.funding_by_psp(data)["government_gbp"], Decimal(0))
    matrix = reports.with_total(reports.funding_matrix(data), "psp_id")
    assert by_year == by_psp == matrix["government_gbp"].iloc[-1] == exact
    cumulative = reports.funding_by_year(data, cumulative=True)["cumulative_gbp"]
    assert cumulative.iloc[-1] == exact
    year_columns = [c for c in matrix.columns if c.removesuffix("_gbp") in YEARS]
    assert sum((matrix[c].iloc[-1] for c in year_columns), Decimal(0)) == exact


@SETTINGS
@given(datasets(), st.data())
def test_psp_filters_never_change_a_psps_own_figures(generated: Generated,
                                                     data: st.DataObject) -> None:
    loaded = load(generated, [0])
    chosen = data.draw(st.lists(st.sampled_from(generated.psp_ids), min_size=1, unique=True))
    start, end = sorted(data.draw(st.lists(st.sampled_from(YEARS), min_size=2, max_size=2)))
    everything = reports.funding_matrix(loaded).set_index("psp_id")
    if not any(start <= year <= end for year in reports.data_years(loaded)):
        with pytest.raises(UsageError, match="no year of the data in that range"):
            reports.funding_matrix(loaded, chosen, start, end)
        start, end = None, None  # a range outside the data is no question: the rest without
    restricted = reports.funding_matrix(loaded, chosen, start, end).set_index("psp_id")
    assert sorted(restricted.index) == sorted(chosen)
    for psp_id in chosen:
        for year in restricted.columns:
            if year.removesuffix("_gbp") in YEARS:
                assert restricted.at[psp_id, year] == everything.at[psp_id, year]
    by_psp = reports.funding_by_psp(loaded, chosen).set_index("psp_id")["government_gbp"]
    for psp_id in chosen:
        assert by_psp[psp_id] == everything.at[psp_id, "government_gbp"]
    compared = reports.compare(loaded, chosen).by_psp.set_index("psp_id")
    for psp_id in chosen:
        assert compared.at[psp_id, "government_gbp"] == everything.at[psp_id, "government_gbp"]
        expected = generated.additional.get(psp_id)
        got = compared.at[psp_id, "additional_gbp"]
        assert got == (None if expected is None else Decimal(expected).scaleb(-2))


@SETTINGS
@given(datasets(), st.lists(st.integers(0, 5), min_size=1, max_size=6))
def test_reconcile_agrees_with_every_view(generated: Generated, styles: list[int]) -> None:
    data = load(generated, styles)
    result = reports.reconcile(data)
    assert result.ok  # the generator publishes totals that add up
    computed = result.checks.set_index("scope")["computed_gbp"]
    exact = Decimal(sum(generated.cells.values())).scaleb(-2)
    assert computed["grand total vs cells"] == computed["row totals vs cells"] == exact
    by_year = reports.funding_by_year(data).set_index("year")["government_gbp"]
    footing = result.checks[result.checks["check"] == "footing"].set_index("scope")
    assert footing["computed_gbp"].to_dict() == by_year.to_dict()


@SETTINGS
@given(datasets(), st.sampled_from(["csv", "tsv", "json"]))
def test_output_files_read_back_to_the_penny(generated: Generated, fmt: str) -> None:
    import csv
    import json

    from typer.testing import CliRunner

    from pspctl.cli import app
    from pspctl.money import parse_pence

    with tempfile.TemporaryDirectory() as directory:
        data_dir = generated.write(Path(directory) / "data", [2])
        target = Path(directory) / f"matrix.{fmt}"
        result = CliRunner().invoke(app, ["funding", "--data-dir", str(data_dir), "-o",
                                          str(target)])
        assert result.exit_code == 0
        text = target.read_text(encoding="utf-8")
    if fmt == "json":
        parsed = json.loads(text, parse_float=Decimal)
        rows = [{k: "" if v is None else str(v) for k, v in r.items()} for r in parsed]
    else:
        rows = list(csv.DictReader(text.splitlines(), delimiter="," if fmt == "csv" else "\t"))
    cells = {
        (row["psp_id"], column.removesuffix("_gbp")): parse_pence(value)
        for row in rows
        for column, value in row.items()
        if column.endswith("_gbp") and column.removesuffix("_gbp") in YEARS and value != ""
    }
    # every PSP has a figure in every year: its cells' sum, 0 where it had none (Table 3's "-")
    assert cells == {(p, year): generated.cells.get((p, year), 0)
                     for p in {row["psp_id"] for row in rows if row["psp_id"] != "Total"}
                     for year in {y for _, y in cells}}
    assert {k: v for k, v in cells.items() if k in generated.cells} == generated.cells
    for row in rows:
        mine = sum(v for (p, _), v in generated.cells.items() if p == row["psp_id"])
        assert parse_pence(row["government_gbp"]) == mine
