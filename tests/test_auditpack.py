"""The audit pack: Markdown and self-contained HTML, the same figures as the commands, and the
HTML checked in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run


def markdown_rows(text: str) -> list[list[str]]:
    """The cells of every row of every Markdown table in ``text`` (rules left out)."""
    return [[cell.strip() for cell in line.strip("|").split(" | ")]
            for line in text.splitlines()
            if line.startswith("|") and not set(line) <= set("|:- ")]


def test_markdown_pack_carries_the_commands_own_tables(tmp_path: Path) -> None:
    target = tmp_path / "pack.md"
    assert run(["report", "-o", str(target)]) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    pack_rows = markdown_rows(text)
    for command in (["funding"], ["reconcile"]):  # the commands' rows, cell for cell
        rows = markdown_rows(run([*command, "--format", "markdown"])[1])
        # (the checks; the pack says each candidate once, for all the checks it explains)
        body = [row for row in rows if row[0] not in ("PSP", "check")
                and (command == ["funding"] or len(row) == 6)]
        assert body and all(row in pack_rows for row in body), command
    assert ["PSP", "2012-13", "2013-14", "2014-15", "2015-16", "2016-17", "2017-18",
            "Total (£)"] in pack_rows  # headings in words for people, each PSP by its label
    assert ["Low Moss Prison", "£51,139", "£183,000", "£200,000", "£200,000", "£311,000", "-",
            "£945,139"] in pack_rows
    assert ("**MISMATCH: 6 of 14 checks do not hold. The cells of 2013-14 add up to £462,072, the "
            "published year total is £462,372 (difference £300).") in text
    assert "published 2013-14 total printed £462,372; with one digit changed it would be " \
           "£462,072" in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Audit pack: Scottish Government funding of the six Strategic PSPs",
        "## What the data is and where it comes from",
        "## Table 3, recomputed from its cells",
        "## Reconciliation",
        "### Reconciliation of Table 3 against the published totals",
        "### Candidate explanations of the mismatches (candidates, not corrections)",
        "## Additional funds against government funds",
        "## Analytical review",
        "### Observations (analytical review: patterns to look at again, not errors)",
        "### Round figures per year (whole thousands of pounds)",
        "## Charts",
    ]
    for kind in ("timeline", "psp", "compare"):
        assert f"(pack-{kind}.svg)" in text
        assert (tmp_path / f"pack-{kind}.svg").read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_each_section_is_the_commands_own_view(tmp_path: Path, fmt: str) -> None:
    """The pack's sections hold the same figures and the same notes as the commands."""
    import csv
    import html
    import io

    from pspctl.money import pretty_money

    target = tmp_path / f"pack.{fmt}"
    assert run(["report", "-o", str(target)]) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    text = html.unescape(text) if fmt == "html" else text
    for command in (["funding"], ["reconcile"], ["compare"]):
        if fmt == "md":  # the command's notes, word for word
            out = run([*command, "-f", "markdown"])[1]
            notes = [line for line in out.splitlines() if line and not line.startswith("|")]
            assert all(note in text for note in notes), command
        rows = list(csv.DictReader(io.StringIO(run([*command, "-f", "csv", "--totals"]
                                                   if command != ["reconcile"]
                                                   else [*command, "-f", "csv"])[1])))
        for row in rows:
            for column, value in row.items():
                if column.endswith("_gbp") and value:
                    assert pretty_money(Decimal(value)) in text, (command, column, value)
    out = run(["compare"])[1]
    notes = out[out.index("Additional funds stated"):].splitlines()
    assert notes[0] == "Additional funds stated for 4 of 6 PSPs: £681,970 in all."
    assert len(notes) > 1
    for note in notes:
        assert note.strip() in text


def test_pack_refuses_to_overwrite_any_of_its_files(tmp_path: Path) -> None:
    (tmp_path / "pack-psp.svg").write_text("keep")
    assert run(["report", "-o", str(tmp_path / "pack.md")]) == (
        2, "", f"pspctl: error: {tmp_path / 'pack-psp.svg'}: already exists; use --force to "
        "replace it\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack-psp.svg"]
    assert run(["report", "-o", str(tmp_path / "pack.md"), "--force"])[0] == 0


def test_without_matplotlib_the_pack_has_no_charts(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = run(["report", "-o", str(tmp_path / "pack.html")])
    assert (code, err) == (0, "")  # a note on stderr only on a terminal, or with --verbose
    text = (tmp_path / "pack.html").read_text()
    assert "<svg" not in text
    assert ("<p>No charts in this pack: drawing them needs matplotlib, an optional extra "
            "(pip install &#x27;pspctl[charts]&#x27;).</p>") in text  # the pack says so itself
    code, _, err = run(["--verbose", "report", "-o", str(tmp_path / "pack.md")])
    assert err.startswith("pspctl: note: no charts in the pack: charts need matplotlib")
    code, _, err = run(["--verbose", "report", "-q", "-o", str(tmp_path / "quiet.md")])
    assert (code, err) == (0, "") and "No charts in this pack" in (
        tmp_path / "quiet.md").read_text()


def test_html_is_self_contained(tmp_path: Path) -> None:
    target = tmp_path / "pack.html"
    assert run(["report", "-o", str(target)]) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") == 3
    assert "<script" not in text and "<link" not in text and "<img" not in text
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", text)  # fetches nothing
    # the two addresses: a link to the source report, from datapackage.json, and the data's
    # licence
    assert re.findall(r'href\s*=\s*"(https?:[^"]*)"', text) == [
        "https://www.gov.scot/publications/report-date-strategic-public-social-partnership-psp-"
        "model-scotland/pages/3/",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"]
    assert '<tr class="mismatch">' in text
    assert "£2,759,068" in text and "£462,372" in text


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI"):
        pytest.fail("CI must install chromium (.ci/run does): the HTML is tested in a browser")
    pytest.skip("no chromium here")


def test_html_in_a_real_headless_browser(tmp_path: Path) -> None:
    import matplotlib.image

    browser = chromium()
    target = tmp_path / "pack.html"
    run(["report", "-o", str(target)])
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [str(browser), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
         "--v=0", "--window-size=1200,1600", f"--screenshot={shot}", target.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert shot.exists(), result.stderr[-2000:]
    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[:2] == (1600, 1200)
    assert float(pixels[..., :3].std()) > 0.05  # not a blank page
    assert float(pixels[..., :3].mean()) < 0.99


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_html_pack_prints_inside_the_page(tmp_path: Path, paper: str) -> None:
    """Printed to PDF by Chromium on A4 and on Letter, every word of every page lies inside
    the page's margins: no table is wider than the page."""
    browser = chromium()
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("CI must install poppler-utils (.ci/run does): the pack is printed")
        pytest.skip("no pdftotext here")
    target = tmp_path / "pack.html"
    assert run(["report", "-o", str(target)]) == (0, "", "")
    assert browser is not None
    pdf = _print(browser, target, paper, tmp_path)
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                            text=True, timeout=60, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', layout, re.S)
    assert len(pages) >= 3
    pages_height = float(re.findall(r'<page width="[\d.]+" height="([\d.]+)">', layout)[0])
    margin = 15 / 25.4 * 72  # 15 mm in points
    for width, body in pages:
        found = [(float(a), float(b), float(c)) for a, b, c in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', body)]
        # the page's own header and footer (title, date, page number) lie in its margins
        words = [(x0, x1) for x0, y, x1 in found if margin < y < pages_height - margin]
        assert words and all(x0 >= 0 and x1 <= float(width) for x0, _, x1 in found)
        assert min(x for x, _ in words) >= margin - 1
        assert max(x for _, x in words) <= float(width) - margin + 1
    expected = {"A4": "594.9", "Letter": "612.0"}[paper]
    assert pages[0][0].startswith(expected)


def _wide_ledger(directory: Path) -> tuple[Path, list[str]]:
    """200 PSPs funded in each of 30 years, with the year totals published: its years."""
    from conftest import write_ledger

    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(1990, 2020)]
    rows = [f"p{n},{year},government,SG,government,{1000 + n * 37 + k * 11},t\n"
            for n in range(200) for k, year in enumerate(years)]
    data = write_ledger(directory, 200, rows)
    with (data / "totals.csv").open("a", encoding="utf-8") as totals:
        for k, year in enumerate(years):
            figure = sum(1000 + n * 37 + k * 11 for n in range(200))
            totals.write(f"y{year},year_total,,{year},government,{figure},,t\n")
    return data, years


def _print(browser: str, page: Path, paper: str, tmp_path: Path) -> Path:
    """The page printed to PDF by Chromium on ``paper``: the PDF."""
    text = page.read_text(encoding="utf-8").replace("</style>", f"@page {{ size: {paper}; }}"
                                                    "</style>")
    page.write_text(text, encoding="utf-8")
    pdf = tmp_path / "printed.pdf"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=False)
    assert pdf.exists()
    return pdf


def _printed(browser: str, page: Path, paper: str, tmp_path: Path) -> list[str]:
    """The page printed to PDF by Chromium on ``paper``: each page's text, laid out."""
    pdf = _print(browser, page, paper, tmp_path)
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                            text=True, timeout=60, check=True).stdout
    return layout.split("\f")[:-1]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_wide_ledger_prints_whole(tmp_path: Path, paper: str) -> None:
    """A 30-year, 200-PSP ledger's pack printed on A4 and on Letter: Table 3 in blocks of
    columns that each repeat the PSP column, so every year's heading and every year's total
    is printed (each once), no table leaves fewer than three of its rows on a page, and every
    page says the pack's title, its date and "Page N of M"."""
    browser = chromium()
    assert browser is not None
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("CI must install poppler-utils (.ci/run does): the pack is printed")
        pytest.skip("no pdftotext here")
    data, years = _wide_ledger(tmp_path / "data")
    target = tmp_path / "pack.html"
    assert run(["report", "-o", str(target), "--data-dir", str(data)],
               env={"SOURCE_DATE_EPOCH": "1700000000"})[0] == 0
    pages = _printed(browser, target, paper, tmp_path)
    text = "\n".join(pages)
    for n, page in enumerate(pages, start=1):
        assert "Audit pack: Scottish Government funding" in page
        assert "2023-11-14 22:13 UTC" in page and f"Page {n} of {len(pages)}" in page
    assert [year for year in years if year not in text] == []  # every year's heading
    totals = run(["funding", "--by-year", "-f", "csv", "--data-dir", str(data)])[1]
    for line in totals.splitlines()[1:]:
        year, figure = line.split(",")
        assert re.search(rf"\b{year}\b", text), year
        assert f"£{int(figure):,}" in text, year  # the year's total
    for page in pages:  # the rows of a table under its heading row on a page: three or more
        runs: list[int] = []
        for line in page.splitlines():
            words = line.split()
            if words[:1] == ["PSP"]:
                runs.append(0)
            elif runs and words[:1] in (["Partnership"], ["all"], ["Total"]):
                runs[-1] += 1
        assert all(count >= 3 for count in runs), (paper, runs)


def test_pack_names_dates_and_fingerprints_its_data(tmp_path: Path) -> None:
    import hashlib

    from conftest import data_dir_from

    target = tmp_path / "pack.md"
    env = {"SOURCE_DATE_EPOCH": "1764000000"}  # 2025-11-24 16:00 UTC
    assert run(["report", "-o", str(target)], env=env) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert "Data: the bundled data of pspctl " in text
    assert "Made 2025-11-24 16:00 UTC by pspctl" in text
    assert str(Path(__file__).resolve().parent.parent) not in text  # no local path
    bundled = Path(__file__).resolve().parent.parent / "data" / "funding.csv"
    assert f"`funding.csv` {hashlib.sha256(bundled.read_bytes()).hexdigest()}" in text
    # the candidate that five checks share is said once, naming them all
    assert text.count("is the footing difference of 2013-14: see the candidates there") == 1
    directory = data_dir_from(tmp_path)
    other = tmp_path / "pack2.md"
    assert run(["report", "-o", str(other), "--data-dir", str(directory)], env=env)[0] == 0
    text = other.read_text(encoding="utf-8")
    assert "Data: the data folder “data”: 3 PSPs" in text
    assert str(tmp_path) not in text


def test_a_markdown_pack_links_files_whose_names_need_encoding(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from urllib.parse import unquote

    pack = tmp_path / "audit pack [1] #x.md"
    assert run(["report", "-o", str(pack)]) == (0, "", "")
    text = pack.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]*)\)", text)
    assert len(targets) == 3  # the three charts
    for target in targets:
        assert " " not in target and "#" not in target and "[" not in target
        assert (tmp_path / unquote(target)).is_file(), target
