"""The shell's conventions, with real processes: ``-o -`` is stdout, an ``-o`` name that says
no format is refused, ``-q`` silences stdout and notes but never a file asked for, notes reach
stderr only on a terminal or with ``--verbose``, machine formats are UTF-8 whatever the locale;
and a script that pipes pspctl into sqlite3 and jq gets pspctl's own totals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PSPCTL = [sys.executable, "-m", "pspctl"]
LIMIT = 60  # seconds any one process may take
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell")


def sh(script: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``script`` in bash (``set -euo pipefail``), with ``$P`` the pspctl command."""
    command = " ".join(f"'{part}'" for part in PSPCTL)
    result = subprocess.run(["bash", "-c", f"set -euo pipefail; P=({command}); {script}"],
                            capture_output=True, text=True, timeout=LIMIT, cwd=cwd,
                            env={**os.environ, **(env or {})})
    return result.returncode, result.stdout, result.stderr


BY_YEAR = ("year,government_gbp\n2012-13,90996\n2013-14,462072\n2014-15,500000\n2015-16,500000\n"
           "2016-17,821000\n2017-18,385000\n")


def test_dash_is_stdout(tmp_path: Path) -> None:
    assert sh('"${P[@]}" funding --by-year -f csv -o -', tmp_path) == (0, BY_YEAR, "")
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_a_name_without_a_format_is_refused_unless_format_says_it(tmp_path: Path) -> None:
    assert sh('"${P[@]}" funding --by-year -o noext', tmp_path) == (
        2, "", "pspctl: error: -o noext: the name says no format: give it a suffix (.csv, .tsv, "
        ".json, .md, .txt, .xlsx) or say the format with --format\n")
    assert list(tmp_path.iterdir()) == []
    assert sh('"${P[@]}" funding --by-year -o noext -f csv', tmp_path) == (0, "", "")
    assert (tmp_path / "noext").read_text(encoding="utf-8") == BY_YEAR
    assert sh('"${P[@]}" funding --by-year -o .csv', tmp_path) == (0, "", "")  # named .csv
    assert (tmp_path / ".csv").read_text(encoding="utf-8") == BY_YEAR


def test_quiet_never_drops_a_file_asked_for(tmp_path: Path) -> None:
    code, out, err = sh('"${P[@]}" reconcile -q -o rq.csv', tmp_path)
    assert (code, out, err) == (1, "", "")
    assert (tmp_path / "rq.csv").read_text(encoding="utf-8").startswith(
        "check,scope,psp_id,year,stream,published_gbp,computed_gbp,difference_gbp,status\n")


def test_report_is_silent_on_stderr_when_piped(tmp_path: Path) -> None:
    assert sh('"${P[@]}" report -o p.html 2>err.txt; cat err.txt', tmp_path) == (0, "", "")
    assert (tmp_path / "p.html").exists()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_machine_formats_are_utf8_whatever_the_locale(tmp_path: Path, fmt: str) -> None:
    """With a Latin-1 or ASCII stdout, csv, tsv and json are still written, in UTF-8."""
    for encoding in ("latin-1", "ascii"):
        result = subprocess.run([*PSPCTL, "list", "-f", fmt], capture_output=True,
                                timeout=LIMIT, env={**os.environ, "PYTHONIOENCODING": encoding})
        assert (result.returncode, result.stderr) == (0, b""), encoding
        assert "HMP Low Moss – Prisoner Support Pathway".encode() in result.stdout


def _tools() -> None:
    missing = [tool for tool in ("sqlite3", "jq") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install {', '.join(missing)} (.ci/run does)")
        pytest.skip(f"needs {', '.join(missing)}")


def test_a_script_pipes_pspctl_into_sqlite3_and_jq(tmp_path: Path) -> None:
    """As a script author would: csv into sqlite3's .import, json into jq; the sums they make
    are pspctl's own totals, to the penny."""
    _tools()
    script = r'''
"${P[@]}" funding --by-psp -f csv > by-psp.csv
sqlite3 :memory: -cmd '.mode csv' -cmd '.import by-psp.csv t' \
  'select sum(cast(government_gbp as real)) from t'
"${P[@]}" compare -f json | jq '[.[] | .additional_gbp // empty | tonumber] | add'
"${P[@]}" funding --by-psp -f csv --totals | tail -n 1
'''
    code, out, err = sh(script, tmp_path)
    assert (code, err) == (0, "")
    by_sqlite, by_jq, totals = out.splitlines()
    assert float(by_sqlite) == 2759068.0
    assert json.loads(by_jq) == 681970
    assert totals.split(",")[-2:] == ["2759068", "total"]  # the totals row says it is one
