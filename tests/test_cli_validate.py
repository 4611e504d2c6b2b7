"""The command line around validate: exit codes, exact stdout and stderr, -o, --version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BAD, REPO, SMALL, data_dir_from
from conftest import run as run_cli

from pspctl import __version__


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    return run_cli(list(args), env)


def test_version() -> None:
    assert run("--version") == (0, f"pspctl {__version__}\n", "")


def test_validate_clean_bundled_data() -> None:
    assert run("validate") == (0, "valid: the bundled data\n", "")


def test_validate_clean_as_json_and_csv() -> None:
    assert run("validate", "--data-dir", str(SMALL), "--format", "json") == (0, "[]\n", "")
    assert run("validate", "--data-dir", str(SMALL), "-f", "csv") == (
        0, "file,place,line,column,kind,message\n", "",
    )


def test_validate_problems_exit_1_with_every_problem(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path, BAD / "bad-amount", BAD / "bad-integer")
    code, out, err = run("validate", "--data-dir", str(directory), "--format", "csv")
    assert (code, err) == (1, "")
    assert out == (
        "file,place,line,column,kind,message\n"
        "funding.csv,,3,amount_gbp,bad-amount,"
        "\"bad amount '1.2.3': write it as 1234, 1234.50, 1,234.00 or £1,234\"\n"
        "outcomes.csv,,2,value,bad-integer,'ten' is not a whole number\n"
    )


def test_validate_problems_as_table(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path, BAD / "bad-integer")
    code, out, _ = run("validate", "--data-dir", str(directory))
    assert code == 1
    assert out == (
        "+--------------+------+--------+-------------+-----------------------------+\n"
        "| file         | line | column | kind        | message                     |\n"
        "+--------------+------+--------+-------------+-----------------------------+\n"
        "| outcomes.csv |    2 | value  | bad-integer | 'ten' is not a whole number |\n"
        "+--------------+------+--------+-------------+-----------------------------+\n"
        f"1 problem in {directory}\n"
    )


def test_validate_problems_as_json(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path, BAD / "encoding-utf16")
    code, out, _ = run("validate", "--data-dir", str(directory), "-f", "json")
    assert code == 1
    assert out == (
        '[\n  {"file": "psp.csv", "place": null, "line": null, "column": null, '
        '"kind": "encoding-error", "message": "file is UTF-16; save it as CSV UTF-8"}\n]\n'
    )


def test_missing_file_exits_2_with_one_line(small: Path) -> None:
    (small / "funding.csv").unlink()
    assert run("validate", "--data-dir", str(small)) == (
        2, "", f"pspctl: error: {small / 'funding.csv'}: file not found\n",
    )


def test_data_dir_from_environment(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path, BAD / "blank-row")
    code, out, _ = run("validate", "-f", "csv", env={"PSPCTL_DATA_DIR": str(directory)})
    assert (code, out) == (
        1, "file,place,line,column,kind,message\nfunding.csv,,4,,blank-row,blank row\n")


def test_format_from_environment_and_bad_environment() -> None:
    assert run("validate", env={"PSPCTL_FORMAT": "json"}) == (0, "[]\n", "")
    assert run("validate", env={"PSPCTL_FORMAT": "xml"}) == (
        2, "",
        "pspctl: error: PSPCTL_FORMAT='xml' is not a format: use one of table, csv, tsv, json, "
        "markdown, xlsx\n",
    )


def test_unknown_format_is_a_usage_error() -> None:
    assert run("validate", "--format", "xml") == (
        2, "", "pspctl: error: invalid value for '--format' / '-f': 'xml' is not one of 'table', "
        "'csv', 'tsv', 'json', 'markdown', 'xlsx'\n")


@pytest.mark.parametrize(("args", "message"), [
    (["fundng"], "no such command 'fundng' (did you mean 'funding'?)"),
    (["funding", "--bogus"], "no such option: --bogus"),
    (["show"], "missing argument 'PSP'"),
    (["funding", "--from"], "option '--from' requires an argument"),
])
def test_usage_errors_are_one_line(args: list[str], message: str) -> None:
    assert run(*args) == (2, "", f"pspctl: error: {message}\n")


def test_global_options_are_taken_after_the_command_too() -> None:
    assert run("funding", "--by-year", "--no-pager", "-f", "csv") == run(
        "--no-pager", "funding", "--by-year", "-f", "csv")
    code, out, _ = run("funding", "--by-year", "-f", "csv", "--debug")
    assert (code, out.splitlines()[0]) == (0, "year,government_gbp")
    # after --, nothing is an option
    code, _, err = run("show", "--", "--debug")
    assert (code, err) == (2, "pspctl: error: no PSP matches '--debug': use one of low-moss, "
                           "nhs-lothian, east-renfrewshire, the-life-i-want, "
                           "spt-community-transport, elevate\n")


@pytest.mark.parametrize("command", ["validate", "reconcile", "diff data data", "review"])
def test_quiet_on_every_command_that_checks(command: str, tmp_path: Path) -> None:
    words = [w if w != "data" else str(REPO / "data") for w in command.split()]
    expected = {"validate": 0, "reconcile": 1, "diff": 0, "review": 0}[words[0]]
    assert run(*words, "-q") == (expected, "", "")
    # -q silences stdout, never the file asked for
    target = tmp_path / "out.csv"
    assert run(*words, "-q", "-o", str(target)) == (expected, "", "")
    assert target.read_text(encoding="utf-8").startswith(
        {"validate": "file,", "reconcile": "check,", "diff": "file,", "review": "check,"}[
            words[0]])


def test_output_file_takes_format_from_extension(tmp_path: Path) -> None:
    target = tmp_path / "problems.json"
    assert run("validate", "-o", str(target)) == (0, "", "")
    assert target.read_text() == "[]\n"
    assert [p.name for p in tmp_path.iterdir()] == ["problems.json"]  # no temporary left


def test_output_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "problems.csv"
    target.write_text("keep me\n")
    assert run("validate", "-o", str(target)) == (
        2, "", f"pspctl: error: {target}: already exists; use --force to replace it\n",
    )
    assert target.read_text() == "keep me\n"
    assert run("validate", "-o", str(target), "--force") == (0, "", "")
    assert target.read_text() == "file,place,line,column,kind,message\n"


def test_output_into_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "x.csv"
    code, out, err = run("validate", "-o", str(target))
    assert (code, out) == (2, "")
    assert err.startswith(f"pspctl: error: {target}: cannot write: ")


@pytest.mark.parametrize("argv", [["-m", "pspctl", "--version"]])
def test_python_dash_m(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, *argv], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"pspctl {__version__}\n", "")


def test_no_traceback_on_a_broken_pipe() -> None:
    script = (
        f"{sys.executable} -m pspctl validate --data-dir {BAD.parent / 'fixtures' / 'small'} "
        "-f csv | head -c 0"
    )
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
    assert result.stderr == ""


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PSPCTL_MAX_BYTES", "lots", "PSPCTL_MAX_BYTES='lots' is not a whole number of bytes (0 or "
     "more)"),
    ("PSPCTL_MAX_BYTES", "-5", "PSPCTL_MAX_BYTES='-5' is not a whole number of bytes (0 or more)"),
    ("PSPCTL_FAST_READ_BYTES", "1e6", "PSPCTL_FAST_READ_BYTES='1e6' is not a whole number of "
     "bytes (0 or more)"),
    ("PSPCTL_PROGRESS_AFTER", "soon", "PSPCTL_PROGRESS_AFTER='soon': give the seconds before "
     "progress is shown (a number, 0 or more), or 'never'"),
    ("PSPCTL_FORMAT", "xml", "PSPCTL_FORMAT='xml' is not a format: use one of table, csv, tsv, "
     "json, markdown, xlsx"),
])
def test_settings_out_of_range_are_one_line_never_a_silent_default(
        name: str, value: str, message: str) -> None:
    assert run("validate", env={name: value}) == (2, "", f"pspctl: error: {message}\n")


@pytest.mark.parametrize("value", ["never", "inf", "1e10", "86401"])
def test_progress_after_never_or_too_long_means_never(value: str) -> None:
    assert run("validate", env={"PSPCTL_PROGRESS_AFTER": value}) == (
        0, "valid: the bundled data\n", "")
