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


def test_markdown_pack_carries_the_commands_own_tables(tmp_path: Path) -> None:
    target = tmp_path / "pack.md"
    assert run(["report", "-o", str(target)]) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    table_3 = run(["funding", "--format", "markdown"])[1].split("\n\n")[0]
    checks = run(["reconcile", "--format", "markdown"])[1].split("\n\n")[1]
    assert table_3 in text
    assert checks.split("\n", 2)[2] in text  # the checks table (under its heading)
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
        if fmt == "md":  # the command's whole markdown, but the verdict, which leads the section
            out = run([*command, "-f", "markdown"])[1]
            body = out.rsplit("\nMISMATCH", 1)[0] if command == ["reconcile"] else out
            assert body in text, command
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
    assert code == 0
    assert err.startswith("pspctl: note: no charts in the pack: charts need matplotlib")
    assert "<svg" not in (tmp_path / "pack.html").read_text()


def test_html_is_self_contained(tmp_path: Path) -> None:
    target = tmp_path / "pack.html"
    assert run(["report", "-o", str(target)]) == (0, "", "")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") == 3
    assert "<script" not in text and "<link" not in text and "<img" not in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
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
