"""What people see in a terminal: at any width from 60 columns no figure is cut, text wraps,
too narrow a terminal gets records; NO_COLOR keeps the layout; bars follow the figures."""

from __future__ import annotations

import csv
import io
import os
import pty
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REPO, TESTS, data_dir_from, read_terminal
from hypothesis import given, settings
from hypothesis import strategies as st

from pspctl import loader, reports, views
from pspctl.errors import Problem
from pspctl.money import pretty_money
from pspctl.writers import Format, write

GOLDEN = TESTS / "expected" / "terminal"


def command_views() -> dict[str, views.View]:
    data = loader.load()
    result = reports.reconcile(data)
    problems = [Problem("funding.csv", 3, "amount_gbp", "bad-amount",
                        "bad amount '1.2.3': write it as 1234, 1234.50, 1,234.00 or £1,234"),
                Problem("outcomes.csv", 1200345, "value", "bad-integer",
                        "'ten' is not a whole number")]
    return {
        "validate": views.validate_view(problems, "edited-data"),
        "list": views.list_view(reports.psp_list(data)),
        "show": views.show_view(reports.psp_detail(data, "low moss")),
        "funding": views.matrix_view(reports.funding_matrix(data)),
        "funding-by-year": views.by_year_view(
            reports.funding_by_year(data, cumulative=True, share=True), chart=True),
        "funding-by-psp": views.by_psp_view(reports.funding_by_psp(data, share=True),
                                            chart=True),
        "compare": views.compare_view(reports.compare(data)),
        "reconcile": views.reconcile_view(result),
        "candidates": views.candidates_view(result),
        "review": views.review_view(reports.review(data)),
        "diff": views.diff_view(reports.differences(data, _corrected(data))),
    }


def _corrected(data: loader.Dataset) -> loader.Dataset:
    """The README's correction: Low Moss's 2013-14 cell £183,000 read as £183,300."""
    from dataclasses import replace

    funding = data.funding.copy()
    cell = (funding["psp_id"] == "low-moss") & (funding["year"] == "2013-14")
    funding.loc[cell, "amount_pence"] = 18_330_000
    return replace(data, funding=funding)


VIEWS = command_views()


def figures(view: views.View) -> list[str]:
    """Every figure of the view's csv, as a table shows it (ids may wrap after a hyphen:
    :func:`test_no_word_is_split_inside` checks them)."""
    shown = []
    for table in view.sections:
        kinds = table.kinds
        text = write(views.View((table,), data_totals=True), Format.csv)
        for n, row in enumerate(csv.DictReader(io.StringIO(text))):
            for column, value in row.items():
                kind = kinds.get(column, "row")  # (the totals' marker column of csv)
                if not value or kind == "row":
                    continue
                if kind == "money" and table.nil and not Decimal(value) and n < len(table.body):
                    shown.append(table.nil)
                elif kind == "money":
                    shown.append(pretty_money(Decimal(value)))
                elif kind == "share":  # half away from zero, as a spreadsheet rounds
                    shown.append(f"{_away(Decimal(value) * 100, 1)}%")
                elif kind == "ratio":
                    shown.append(f"{_away(Decimal(value), 2):,}")
                elif kind in ("year", "count"):
                    shown.append(value)
    if view.records.title == "Changes":  # diff: the figures are in the words of each change
        for old, new, difference in view.records.body[["old", "new", "difference_gbp"]].values:
            shown += [pretty_money(Decimal(old)), pretty_money(Decimal(new)),
                      f"(+{pretty_money(difference)})"]
    return shown


def _away(value: Decimal, places: int) -> Decimal:
    import decimal

    return value.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize("name", list(VIEWS))
def test_no_figure_is_cut_at_any_width(name: str, width: int) -> None:
    view = VIEWS[name]
    text = write(view, Format.table, terminal=True, width=width, colour=False)
    assert "\x1b" not in text and "…" not in text
    wanted = figures(view)
    assert wanted
    pounds_in_title = ", in £\n" in text  # the £ left the cells for the title
    for figure in wanted:
        shown = figure.replace("£", "", 1) if pounds_in_title else figure
        assert shown in text, (name, width, figure)
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize("name", list(VIEWS))
def test_exact_output_at_each_width(name: str, width: int) -> None:
    """Every table command on the bundled data, as a terminal of each width shows it
    (PSPCTL_UPDATE_EXPECTED=1 writes them afresh, to be read before they are committed)."""
    text = write(VIEWS[name], Format.table, terminal=True, width=width, colour=False)
    golden = GOLDEN / f"{name}.{width}.txt"
    if os.environ.get("PSPCTL_UPDATE_EXPECTED"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_table_3_at_80_columns_is_table_3_on_one_screen() -> None:
    """In a real terminal 80 columns by 24 lines: the matrix whole on one screen (no pager),
    each PSP by its Table 3 label, a column per year, as the golden file has it."""
    shown = _in_a_terminal(["funding"], {"NO_COLOR": "1", "PAGER": "sed s/^/PAGED:/"},
                           lines=24)
    assert shown == (GOLDEN / "funding.80.txt").read_text(encoding="utf-8")
    assert len(shown.splitlines()) <= 24
    for label in ("Low Moss Prison", "'The Life I", "SPT Community", "Elevate"):
        assert label in shown
    assert "low-moss" not in shown


def test_colour_only_when_allowed() -> None:
    view = VIEWS["reconcile"]
    coloured = write(view, Format.table, terminal=True, width=100, colour=True)
    plain = write(view, Format.table, terminal=True, width=100, colour=False)
    assert "\x1b[" in coloured and "\x1b[" not in plain
    bare = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert [line.rstrip() for line in bare.splitlines()] == plain.splitlines()  # same layout


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=8), st.integers(8, 40))
def test_bars_follow_the_figures(pence: list[int], width: int) -> None:
    from pspctl.writers.table import _EIGHTHS, _with_bars

    rows = [[f"p{n}", Decimal(p).scaleb(-2)] for n, p in enumerate(pence)]
    _, drawn = _with_bars(["psp_id", "amount_gbp"], rows, "amount_gbp", 0, True, width)

    def eighths(bar: str) -> int:
        return bar.count("█") * 8 + sum(_EIGHTHS.index(c) for c in bar if c in _EIGHTHS[1:])

    lengths = [eighths(row[-1]) for row in drawn]
    for (a, la), (b, lb) in zip(zip(pence, lengths), zip(pence[1:], lengths[1:])):
        assert (a == b) <= (la == lb) and (a < b) <= (la <= lb) and (a > b) <= (la >= lb)
    if max(pence):
        assert max(lengths) == width * 8  # the longest bar is the room there is


def test_no_color_in_a_real_terminal_keeps_the_layout() -> None:
    text = _in_a_terminal(["funding", "--by-psp"], {"NO_COLOR": "1"}, lines=50)
    assert "\x1b[" not in text  # no colour
    assert "─" in text  # but a terminal's table, not the ASCII grid of a pipe
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "£945,139" in text and "£2,759,068" in text


def _in_a_terminal(args: list[str], env: dict[str, str], lines: int = 12) -> str:
    """pspctl ``args`` in a pseudo-terminal 80 columns wide: what it shows."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pspctl", *args], stdin=slave,
                               stdout=slave, stderr=slave,
                               env={**os.environ, "COLUMNS": "80", "LINES": str(lines),
                                    "PSPCTL_PROGRESS_AFTER": "never", **env})  # (unless asked)
    os.close(slave)
    out = read_terminal(master)
    assert process.wait(timeout=60) == 0
    os.close(master)
    return out.decode("utf-8").replace("\r\n", "\n")


PAGER = {"PAGER": "sed s/^/PAGED:/", "NO_COLOR": "1"}


def test_a_long_table_goes_through_the_pager_in_a_terminal() -> None:
    shown = _in_a_terminal(["funding", "--by-psp"], {**PAGER, "PSPCTL_PAGER": ""}).splitlines()
    assert not any(line.startswith("PAGED:") for line in shown)  # PSPCTL_PAGER= turns it off
    env = dict(PAGER)
    shown = _in_a_terminal(["list"], env).splitlines()
    assert shown and all(line.startswith("PAGED:") for line in shown if line)
    shown = _in_a_terminal(["--no-pager", "list"], env).splitlines()
    assert not any(line.startswith("PAGED:") for line in shown)
    short = _in_a_terminal(["funding", "--by-year", "--psp", "elevate"], env).splitlines()
    assert not any(line.startswith("PAGED:") for line in short)  # it fits: no pager


def test_never_a_pager_when_piped() -> None:
    result = subprocess.run([sys.executable, "-m", "pspctl", "list"], capture_output=True,
                            text=True, timeout=60,
                            env={**os.environ, "LINES": "12", **PAGER})
    assert result.returncode == 0
    assert not any(line.startswith("PAGED:") for line in result.stdout.splitlines())


@pytest.mark.parametrize(("pager", "why"), [("false", "ended with exit 1"),
                                           ("true", "read none of it")])
def test_a_pager_that_fails_or_reads_nothing_never_hides_the_table(pager: str, why: str) -> None:
    shown = _in_a_terminal(["list"], {"PAGER": pager, "NO_COLOR": "1"})
    assert shown.startswith(f"pspctl: the pager '{pager}' {why}: the output follows without "
                            "it\n"), shown[:200]
    assert "Low Moss Prison" in shown and "£2,759,068" in shown  # the table, whole, after it


def test_a_pager_that_cannot_start_never_hides_the_table() -> None:
    shown = _in_a_terminal(["list"], {"PAGER": "/nonexistent/pager", "NO_COLOR": "1"})
    assert shown.startswith("\nStrategic PSPs") or shown.startswith("Strategic PSPs")
    assert "£2,759,068" in shown


def test_ctrl_c_while_paging_waits_for_the_pager_then_exits_130(tmp_path: Path) -> None:
    """As git does: the pager keeps the terminal until it closes; then pspctl says it was
    interrupted. The pager here notes that it started, waits for the file 'close', then
    reads its input and ends."""
    started, close = tmp_path / "started", tmp_path / "close"
    pager = (f"sh -c 'trap \"\" INT; touch {started}; while [ ! -e {close} ]; do sleep 0.05; "
             "done; cat >/dev/null; echo PAGER-CLOSED'")
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pspctl", "list"], stdin=slave,
                               stdout=slave, stderr=slave, start_new_session=False,
                               env={**os.environ, "COLUMNS": "80", "LINES": "12",
                                    "PAGER": pager, "NO_COLOR": "1"})
    os.close(slave)
    deadline = time.monotonic() + 60
    while not started.exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    assert process.poll() is None  # still waiting for the pager
    close.touch()
    out = read_terminal(master).decode("utf-8").replace("\r\n", "\n")
    assert process.wait(timeout=60) == 130
    os.close(master)
    assert out.endswith("PAGER-CLOSED\npspctl: interrupted\n"), out[-300:]


@pytest.mark.parametrize("value", ["1e10", "inf", "never"])
def test_progress_that_would_wait_for_ever_never_starts_a_timer(value: str) -> None:
    """In a terminal, where the progress display's timer runs: a delay too long for a timer
    (1e10 s overflowed it, with a traceback from its thread) means never."""
    shown = _in_a_terminal(["validate"], {"PSPCTL_PROGRESS_AFTER": value, "NO_COLOR": "1"})
    assert shown == "valid: the bundled data\n"


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize("name", list(VIEWS))
def test_no_word_is_split_inside(name: str, width: int) -> None:
    """Text wraps between words, or after a hyphen: a word of the csv output (that a column
    can hold) appears whole in the terminal's table, each hyphenated part at least."""
    view = VIEWS[name]
    text = write(view, Format.table, terminal=True, width=width, colour=False)
    for table in view.sections:
        kinds = table.kinds
        out = write(views.View((table,), data_totals=True), Format.csv)
        for row in csv.DictReader(io.StringIO(out)):
            for column, cell in row.items():
                if kinds.get(column) not in ("text", "id"):
                    continue
                for word in cell.split():
                    if len(word) > 24:  # longer than a column need ever be: may be split
                        continue
                    parts = re.findall(r"[^-]*-|[^-]+$", word)
                    assert all(part in text for part in parts), (name, width, word)


#: How each golden view is asked for on the command line (the diff's NEW edition is made).
COMMANDS = {
    "list": ["list"],
    "show": ["show", "low moss"],
    "funding": ["funding"],
    "funding-by-year": ["funding", "--by-year", "--cumulative", "--share", "--chart"],
    "funding-by-psp": ["funding", "--by-psp", "--share", "--chart"],
    "compare": ["compare"],
    "reconcile": ["reconcile"],
    "candidates": ["reconcile", "--candidates"],
    "review": ["review"],
    "diff": ["diff", str(REPO / "data"), "{corrected}"],
}


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_in_a_real_terminal_shows_its_golden(name: str, width: int,
                                                           tmp_path: Path) -> None:
    """The command itself, in a pseudo-terminal of that width (tall enough for no pager),
    shows what the golden file of its view has, line for line."""
    corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=REPO / "data")
    args = [a.format(corrected=corrected) for a in COMMANDS[name]]
    expected = 1 if name in ("reconcile", "candidates", "diff") else 0
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pspctl", *args], stdin=slave,
                               stdout=slave, stderr=slave,
                               env={**os.environ, "COLUMNS": str(width), "LINES": "500",
                                    "NO_COLOR": "1", "PAGER": "sed s/^/PAGED:/",
                                    # (a busy machine would show progress before the table)
                                    "PSPCTL_PROGRESS_AFTER": "never"})
    os.close(slave)
    shown = read_terminal(master).decode("utf-8").replace("\r\n", "\n")
    assert process.wait(timeout=60) == expected
    os.close(master)
    assert shown == (GOLDEN / f"{name}.{width}.txt").read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text("abcdefghij-", min_size=1, max_size=14), min_size=1,
                         max_size=12), min_size=1, max_size=5),
       st.integers(40, 120))
def test_no_word_that_fits_is_split(sentences: list[list[str]], width: int) -> None:
    """Any text, any width: each word (each part after a hyphen) that a column can hold is
    shown whole on one line; the figures beside it too."""
    import pandas as pd

    texts = [" ".join(words) for words in sentences]
    frame = pd.DataFrame({"note": texts, "amount_gbp": [Decimal(1234567) for _ in texts]},
                         dtype=object)
    view = views.View((views.table("T", (views.Column("note", "text"),
                                         views.Column("amount_gbp", "money")), frame),))
    text = write(view, Format.table, terminal=True, width=width, colour=False)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert sum(line.count("£1,234,567") for line in lines) == len(texts)
    for words in sentences:
        for word in words:
            for part in re.findall(r"[^-]*-|[^-]+$", word):
                assert any(part in line for line in lines), (part, width, text)
