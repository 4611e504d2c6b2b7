"""Every analyst command in every format on the small fixture: exact stdout, stderr, exit code.

The expected outputs are files under tests/expected/ (reviewed by hand; regenerate after a
deliberate change with PSPCTL_UPDATE_EXPECTED=1 and review the diff).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SMALL, TESTS, data_dir_from, run

EXPECTED = TESTS / "expected"
FORMATS = ["table", "csv", "tsv", "json", "markdown"]
COMMANDS = {
    "list": ["list"],
    "list-third": ["list", "--lead-sector", "third"],
    "list-active": ["list", "--active-in", "2012-13", "--totals"],
    "show": ["show", "alpha"],
    "show-beta": ["show", "Beta Partnership"],
    "funding": ["funding"],
    "funding-by-year": ["funding", "--by-year", "--cumulative", "--share"],
    "funding-by-psp": ["funding", "--by-psp", "--share", "--totals"],
    "funding-restricted": ["funding", "--psp", "alpha", "--psp", "gamma", "--from", "2013-14"],
    "compare": ["compare"],
}



@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_output(name: str, fmt: str) -> None:
    code, out, err = run([*COMMANDS[name], "--data-dir", str(SMALL), "--format", fmt])
    expected = EXPECTED / f"{name}.{fmt}"
    if os.environ.get("PSPCTL_UPDATE_EXPECTED"):
        expected.write_text(out, encoding="utf-8")
    assert (code, err) == (0, "")
    assert out == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["list", "funding-by-year", "compare", "show"])
def test_json_is_a_list_of_objects_with_the_csv_keys(name: str) -> None:
    args = [*COMMANDS[name], "--data-dir", str(SMALL)]
    _, as_json, _ = run([*args, "-f", "json"])
    _, as_csv, _ = run([*args, "-f", "csv"])
    rows = json.loads(as_json)
    assert isinstance(rows, list) and rows
    assert all(list(row) == as_csv.splitlines()[0].split(",") for row in rows)


def test_machine_formats_have_no_totals_row_unless_asked() -> None:
    _, plain, _ = run(["funding", "--by-year", "--data-dir", str(SMALL), "-f", "csv"])
    _, totals, _ = run(["funding", "--by-year", "--data-dir", str(SMALL), "-f", "csv", "--totals"])
    assert plain == "year,government_gbp\n2012-13,2500\n2013-14,2750.50\n"
    assert totals == ("year,government_gbp,row\n2012-13,2500,data\n2013-14,2750.50,data\n"
                      "Total,5250.50,total\n")  # the totals row marked as one


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "a"], "PSP 'a' is ambiguous: it matches alpha, beta, gamma"),
        (["show", "delta"], "no PSP matches 'delta': use one of alpha, beta, gamma"),
        (["funding", "--psp", "zeta"], "no PSP matches 'zeta': use one of alpha, beta, gamma"),
        (["funding", "--from", "2013/14"],
         "--from '2013/14' is not a financial year: write a financial year as YYYY-YY "
         "with consecutive years, from 1900-01 to 2099-00, e.g. 2013-14"),
        (["funding", "--by-year", "--by-psp"],
         "--by-year and --by-psp are alternatives: give one of them"),
        (["funding", "--cumulative"], "--cumulative goes with --by-year"),
        (["funding", "--share"], "--share goes with --by-year or --by-psp"),
        (["funding", "--chart", "-f", "csv"], "--chart draws in the table format only"),
        (["list", "--active-in", "16-17"],
         "--active-in '16-17' is not a financial year: write a financial year as YYYY-YY "
         "with consecutive years, from 1900-01 to 2099-00, e.g. 2013-14"),
        # questions outside the data are answered as such, never with zeros or nothing
        (["funding", "--from", "2019-20"],
         "--from 2019-20: no year of the data from then on, which covers 2012-13 to 2013-14"),
        (["funding", "--by-year", "--to", "2011-12"],
         "--to 2011-12: no year of the data up to then, which covers 2012-13 to 2013-14"),
        (["list", "--active-in", "2030-31"],
         "--active-in 2030-31: not a year of the data, which covers 2012-13 to 2013-14"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    assert run([*args, "--data-dir", str(SMALL)]) == (2, "", f"pspctl: error: {message}\n")


def test_a_filter_that_matches_nothing_says_so() -> None:
    assert run(["list", "--active-in", "2012-13", "--lead-sector", "third", "--data-dir",
                str(SMALL)]) == (0, "No PSP is led by the third sector and had Scottish "
                                 "Government funds in 2012-13.\nSource: §3.1 and Table 3 of "
                                 "the report.\n", "")


@pytest.mark.parametrize("command", ["list", "show alpha", "funding", "compare"])
def test_invalid_data_stops_every_command_with_exit_2(tmp_path: Path, command: str) -> None:
    from conftest import BAD, data_dir_from

    directory = data_dir_from(tmp_path, BAD / "bad-amount", BAD / "bad-integer")
    assert run([*command.split(), "--data-dir", str(directory)]) == (
        2, "",
        "pspctl: error: funding.csv:3: column amount_gbp: bad amount '1.2.3': write it as 1234, "
        "1234.50, 1,234.00 or £1,234 [bad-amount] (and 1 more problem; run 'pspctl validate')\n",
    )


def test_chart_in_the_terminal_format() -> None:
    code, out, _ = run(["funding", "--by-psp", "--chart", "--data-dir", str(SMALL)])
    assert code == 0
    assert "| Alpha |      £3,000.50 | " + "#" * 40 + " |" in out
    assert "| Beta  |         £2,000 | " + "#" * 27 + " " * 13 + " |" in out
    assert "| Gamma |           £250 | ###" + " " * 37 + " |" in out


def test_funding_csv_into_head_ends_quietly() -> None:
    script = f"{sys.executable} -m pspctl funding --format csv | head -1"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
    assert (result.stdout, result.stderr) == (
        "psp_id,name,2012-13_gbp,2013-14_gbp,2014-15_gbp,2015-16_gbp,2016-17_gbp,2017-18_gbp,"
        "government_gbp\n", "",
    )


def test_no_colour_when_not_a_terminal_or_no_color(tmp_path: Path) -> None:
    script = f"{sys.executable} -m pspctl funding --by-year"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False,
                            env={**os.environ, "NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout
    assert result.stdout.splitlines()[:2] == [
        "Scottish Government funds by financial year", "+---------+----------------+",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["funding", "--format", "json"],  # exit 0, all of a long output
        ["reconcile", "--format", "csv"],  # exit 1: the report's own discrepancy
        ["show", "nosuch"],  # exit 2, one line on stderr
        ["funding", "--from", "2099-00"],  # exit 2 from a usage error
        ["funding", "--no-such-option"],  # exit 2 from Typer's own parsing
    ],
)
def test_a_whole_process_ends_as_the_app_does(argv: list[str]) -> None:
    """``main`` ends the process with ``os._exit`` after flushing: the exit code, stdout and
    stderr of a real process are those of the app itself."""
    result = subprocess.run([sys.executable, "-m", "pspctl", *argv], capture_output=True,
                            text=True, check=False, env={**os.environ, "COLUMNS": "80"})
    assert (result.returncode, result.stdout, result.stderr) == run(argv, env={"COLUMNS": "80"})


def test_lists_in_messages_and_notes_do_not_grow_with_the_data(tmp_path: Path) -> None:
    """With thousands of PSPs, an error or a note names ten of them and counts the rest: an
    unknown PSP, an ambiguous one, compare's split of additional funds."""
    from pspctl.errors import shortened

    assert shortened(["a", "b"]) == "a, b"
    assert shortened([f"p{n}" for n in range(12)]) == (
        "p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, and 2 more")
    assert shortened(["x", "y"], 1, total=1500) == "x, and 1,499 more"
    directory = data_dir_from(tmp_path)
    extra = [f"extra-{n:02},Extra {n},,2014,care,,,third,,fixture" for n in range(12)]
    psp = directory / "psp.csv"
    psp.write_text(psp.read_text(encoding="utf-8") + "\n".join(extra) + "\n", encoding="utf-8")
    funding = directory / "funding.csv"
    funding.write_text(funding.read_text(encoding="utf-8") + "".join(
        f"extra-{n:02},,additional,Lottery,lottery,10,fixture\n" for n in range(12)),
        encoding="utf-8")
    ten = ", ".join(f"extra-{n:02}" for n in range(10))
    assert run(["show", "extra", "--data-dir", str(directory)]) == (
        2, "", f"pspctl: error: PSP 'extra' is ambiguous: it matches {ten}, and 2 more\n")
    assert run(["show", "nothing", "--data-dir", str(directory)]) == (
        2, "", "pspctl: error: no PSP matches 'nothing': use one of alpha, beta, gamma, "
        "extra-00, extra-01, extra-02, extra-03, extra-04, extra-05, extra-06, and 5 more\n")
    code, out, err = run(["compare", "--data-dir", str(directory), "-f", "markdown"])
    assert (code, err) == (0, "")
    nine = ", ".join(f"Extra {n}" for n in range(9))  # each PSP by its name, as people read it
    assert f"from independent funders (lottery, trusts) alone (Gamma, {nine}, and 3 more)" in out


def test_output_suffix_decides_the_format_or_is_refused(tmp_path: Path) -> None:
    ods, json_file, tsv = tmp_path / "out.ods", tmp_path / "out.json", tmp_path / "g.tsv"
    assert run(["funding", "-o", str(ods)]) == (
        2, "", f"pspctl: error: -o {ods}: no output format is written as .ods: use .csv, .tsv, "
        ".json, .md, .txt, .xlsx\n")
    assert run(["funding", "-f", "csv", "-o", str(json_file)]) == (
        2, "", f"pspctl: error: --format csv and -o {json_file} disagree: .json is written as "
        "json\n")
    assert run(["export", "-f", "360giving", "-o", str(tsv)]) == (
        2, "", f"pspctl: error: -o {tsv}: a 360Giving export is written as .json (a data "
        "package) or .csv\n")
    assert list(tmp_path.iterdir()) == []
    text = tmp_path / "out.txt"
    assert run(["funding", "--by-year", "-o", str(text)]) == (0, "", "")
    assert text.read_text(encoding="utf-8").startswith("Scottish Government funds by financial")
