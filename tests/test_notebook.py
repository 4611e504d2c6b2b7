"""pspctl in a notebook: frames a notebook can plot and describe without losing pence, results
shown as HTML in Jupyter, and the manual's Python API code, run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from conftest import REPO

import pspctl
from pspctl import notebook, reports


def test_numeric_frames_plot_and_describe_and_keep_every_penny() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    data = pspctl.load()
    exact = pspctl.funding_matrix(data)
    floats = pspctl.numeric(exact)
    assert floats["psp_id"].tolist() == exact["psp_id"].tolist()  # text as it was
    assert str(floats["2012-13_gbp"].dtype) == "float64"
    for column in ("2012-13_gbp", "2017-18_gbp", "government_gbp"):
        for figure, number in zip(exact[column], floats[column]):
            if figure is None:
                assert pd.isna(number)
            else:
                assert Decimal(f"{number:.2f}") == figure  # to the penny
    assert floats["government_gbp"].sum() == float(sum(exact["government_gbp"]))
    low_moss = exact.set_index("psp_id").loc["low-moss"]
    assert low_moss["2017-18_gbp"] == 0  # no funding that year: 0, never "not stated" (None)
    assert floats.set_index("psp_id").loc["low-moss", "2017-18_gbp"] == 0.0
    assert floats.describe().loc["count", "government_gbp"] == len(exact)
    years = pspctl.funding_by_year(data)
    axes = pspctl.numeric(years).plot.bar(x="year", y="government_gbp")
    assert [bar.get_height() for bar in axes.patches] == [float(v) for v in years["government_gbp"]]


def test_results_show_as_html_verdict_first() -> None:
    data = pspctl.load()
    shown = {
        "reconcile": notebook.as_html(pspctl.reconcile(data)),
        "compare": notebook.as_html(pspctl.compare(data)),
        "review": notebook.as_html(reports.review(data)),
        "diff": notebook.as_html(reports.differences(data, data)),
    }
    assert shown["reconcile"].startswith(
        '<div class="pspctl">\n<p><strong>MISMATCH: 6 of 14 checks do not hold.')
    assert "<td class=\"number\">£462,372</td>" in shown["reconcile"]
    assert "<table>" in shown["compare"] and "£280,511" in shown["compare"]
    assert re.search(r"<strong>\d+ observations to look at again", shown["review"])
    assert shown["diff"].startswith(
        '<div class="pspctl">\n<p><strong>the editions hold the same facts</strong></p>')


def test_inside_ipython_pspctl_registers_its_html(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jupyter asks IPython's HTML formatter; pspctl tells it about its results by name."""
    registered: list[tuple[str, str, Any]] = []
    formatter = types.SimpleNamespace(
        for_type_by_name=lambda module, name, function: registered.append(
            (module, name, function)))
    shell = types.SimpleNamespace(
        display_formatter=types.SimpleNamespace(formatters={"text/html": formatter}))
    monkeypatch.setitem(sys.modules, "IPython",
                        types.SimpleNamespace(get_ipython=lambda: shell))
    pspctl.reconcile  # noqa: B018  the API's first use inside IPython
    assert sorted((m, n) for m, n, _ in registered) == sorted(notebook.SHOWN)
    assert all(function is notebook.as_html for _, _, function in registered)
    for module, name in notebook.SHOWN:  # the names are those of the classes
        assert getattr(sys.modules[module], name).__name__ == name


def test_the_readme_python_runs_as_written(tmp_path: Any) -> None:
    pytest.importorskip("matplotlib")
    text = (REPO / "docs" / "python-api.md").read_text(encoding="utf-8")
    code = re.search(r"# The Python API\n\n```python\n(.*?)```", text, re.S)
    assert code is not None
    script = tmp_path / "readme.py"
    script.write_text(code[1] + "print(by_year.describe().loc['count', 'government_gbp'])\n",
                      encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env={**os.environ, "MPLBACKEND": "Agg"})
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "6.0\n")
