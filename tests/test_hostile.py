"""Hostile input: the bad-input corpus against every command, odd and huge files, interruptions,
spreadsheet safety, and nothing ever lost."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from conftest import BAD, data_dir_from, run
from typer.testing import CliRunner

from pspctl import loader
from pspctl.cli import app

CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
COMMANDS = ["list", "show alpha", "funding", "funding --by-year", "compare", "reconcile",
            "export -f 360giving", "chart psp -o {tmp}/chart.svg", "report -o {tmp}/pack.md"]



def one_line(problems: list[str]) -> str:
    more = len(problems) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''}; run 'pspctl validate')"
    return f"pspctl: error: {problems[0]}{tail if more else ''}\n"


def test_corpus_has_at_least_30_inputs() -> None:
    assert len(CASES) >= 72


@pytest.mark.parametrize("case", CASES)
def test_validate_reports_the_corpus_case_and_exits_1(tmp_path: Path, case: str) -> None:
    directory = data_dir_from(tmp_path, BAD / case)
    code, out, err = run(["validate", "--data-dir", str(directory), "-f", "json"])
    assert (code, err) == (1, "")
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    reported = json.loads(out)
    assert [f"[{p['kind']}]" for p in reported] == [e[e.rindex("["):] for e in expected]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES)
def test_every_command_stops_with_one_line_and_exit_2(tmp_path: Path, case: str,
                                                      command: str) -> None:
    directory = data_dir_from(tmp_path, BAD / case)
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    args = command.format(tmp=tmp_path).split()
    assert run([*args, "--data-dir", str(directory)]) == (2, "", one_line(expected))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # nothing written


def test_a_1_gb_file_is_refused_before_it_is_read(small: Path) -> None:
    with open(small / "funding.csv", "r+b") as handle:
        handle.truncate(10**9)  # sparse: 1 GB on paper, nothing on disk
    assert loader.validate(small)[0].message == (
        "file is 953.7 MiB, over the limit of 512 MiB (set PSPCTL_MAX_BYTES to raise it)"
    )
    code, _, err = run(["funding", "--data-dir", str(small)])
    assert code == 2
    assert err.startswith("pspctl: error: funding.csv: file is 953.7 MiB, over the limit")


def test_the_size_limit_can_be_set(small: Path) -> None:
    code, _, err = run(["list", "--data-dir", str(small)], env={"PSPCTL_MAX_BYTES": "100"})
    assert code == 2
    assert "psp.csv: file is 376 bytes, over the limit of 100 bytes" in err


def test_a_single_100_mb_line(small: Path) -> None:
    with open(small / "outcomes.csv", "a", encoding="utf-8") as handle:
        handle.write("gamma," + "x" * 100_000_000 + ",,,fixture\n")
    [problem] = loader.validate(small)
    assert (problem.file, problem.line, problem.kind) == ("outcomes.csv", 4, "bad-csv")
    assert "field larger than field limit" in problem.message


def test_a_million_columns(small: Path) -> None:
    (small / "psp.csv").write_text(",".join(f"c{n}" for n in range(1_000_000)) + "\n")
    [problem] = loader.validate(small)
    assert (problem.file, problem.line, problem.kind) == ("psp.csv", 1, "too-many-columns")
    assert problem.message.startswith("header has 1,000,000 columns, over the limit of 1,000")


def test_problems_are_capped_with_a_count_of_the_rest(small: Path) -> None:
    with open(small / "funding.csv", "a", encoding="utf-8") as handle:
        for n in range(1500):
            handle.write(f"alpha,{1900 + n}-xx,government,F{n},government,1,fixture\n")
    problems = loader.validate(small)
    assert len(problems) == 1001
    assert problems[-1].kind == "more-problems"
    assert problems[-1].message == "and 500 more problems in this file"


def test_unreadable_file(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    real = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("totals.csv"):  # as root, chmod 000 would not stop the read
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    assert run(["reconcile", "--data-dir", str(small)]) == (
        2, "", f"pspctl: error: {small / 'totals.csv'}: cannot read: Permission denied\n",
    )


def test_unexpected_error_is_one_line_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    from pspctl import reports

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(reports, "funding_matrix", boom)
    assert run(["funding"]) == (
        2, "", "pspctl: internal error: RuntimeError: boom second line (run with --debug for "
        "the traceback, and please report it)\n",
    )
    result = CliRunner().invoke(app, ["--debug", "funding"])
    assert isinstance(result.exception, RuntimeError)
    result = CliRunner().invoke(app, ["funding"], env={"PSPCTL_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)


def test_ctrl_c_exits_130_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "load", interrupted)
    assert run(["list"]) == (130, "", "pspctl: interrupted\n")


def test_ctrl_c_while_writing_leaves_no_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "link", interrupted)  # as the file is published
    assert run(["funding", "-o", str(tmp_path / "out.csv")]) == (
        130, "", "pspctl: interrupted\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_spreadsheet_formulas_are_neutralised_numbers_untouched(small: Path) -> None:
    funding = (small / "funding.csv").read_text()
    funding = funding.replace("Alpha Council,local authority", '"=HYPERLINK(""x"")",@risk')
    (small / "funding.csv").write_text(funding)
    code, out, _ = run(["compare", "--data-dir", str(small), "-f", "csv"])
    assert code == 0
    assert out.splitlines()[1] == (
        "alpha,Alpha Partnership,3000.50,300,3300.50,0.099983,0.090895,"
        "\"'=HYPERLINK(\"\"x\"\")\",'@risk"
    )
    code, out, _ = run(["reconcile", "--headline", "5250.51", "--data-dir", str(small),
                        "-f", "tsv"])
    assert out.splitlines()[-1] == (
        "headline\theadline vs cells\t\t\tgovernment\t5250.51\t5250.50\t0.01\tmismatch")
    code, out, _ = run(["reconcile", "--headline", "5250.49", "--data-dir", str(small),
                        "-f", "csv"])
    assert out.splitlines()[-1] == (
        "headline,headline vs cells,,,government,5250.49,5250.50,-0.01,mismatch")


def digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_nothing_is_ever_written_to_the_input(small: Path, tmp_path: Path) -> None:
    before = digest(small)
    for n, command in enumerate([*COMMANDS[:6], "validate", "show beta", "funding --by-psp"]):
        run([*command.split(), "--data-dir", str(small)])
        run([*command.split(), "--data-dir", str(small), "-o", str(tmp_path / f"out{n}.json")])
    for command in COMMANDS[6:]:
        run([*command.format(tmp=tmp_path).split(), "--data-dir", str(small)])
    for name in before:  # -o onto an input file is refused without --force
        assert run(["list", "--data-dir", str(small), "-o", str(small / name)])[0] == 2
    assert digest(small) == before


def test_totals_row_for_a_year_with_no_cells_is_a_reconcile_finding(small: Path) -> None:
    with open(small / "totals.csv", "a", encoding="utf-8") as handle:
        handle.write("year-2019-20,year_total,,2019-20,government,100,,fixture\n")
    assert run(["validate", "--data-dir", str(small)])[0] == 0
    code, out, _ = run(["reconcile", "--data-dir", str(small), "--candidates", "-f", "csv"])
    assert code == 1
    assert out.splitlines()[1] == (
        "footing,2019-20,location,,2019-20,,,\"the difference of £100 lies in 2019-20: its cells "
        "(none) add up to £0, the published year total is £100\""
    )


@pytest.mark.parametrize("case", ["bad-amount", "encoding-utf16"])
def test_debug_does_not_change_error_lines(tmp_path: Path, case: str) -> None:
    directory = data_dir_from(tmp_path, BAD / case)
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert run(["--debug", "list", "--data-dir", str(directory)]) == (2, "", one_line(expected))



def test_an_error_caused_by_ctrl_c_is_an_interrupt(capsys: pytest.CaptureFixture[str]) -> None:
    """Python wraps a KeyboardInterrupt raised in some places (a class body's __set_name__
    during an import) in a RuntimeError: still Ctrl-C, one line and exit 130."""
    import typer

    from pspctl import cli

    def interrupted_import() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as err:
            raise RuntimeError("Error calling __set_name__") from err

    with pytest.raises(typer.Exit) as ended:
        cli._guard(interrupted_import)()
    assert (ended.value.exit_code, capsys.readouterr().err) == (130, "pspctl: interrupted\n")
    assert cli._by_interrupt(RuntimeError("no")) is False
