"""The audit trail (#29): each command recorded as one JSON line with the checksums of what it
read and wrote, by real processes (several at once), and replayed: reproduced, input changed,
output differs, a damaged line said with its number."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from pspctl.trail import KEYS

SECONDS = 120


def pspctl(args: list[str], cwd: Path, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PSPCTL_")}
    return subprocess.run([sys.executable, "-m", "pspctl", *args], cwd=cwd,
                          env={**environment, **(env or {})}, capture_output=True,
                          timeout=SECONDS, check=False)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("*.md"))
    return tmp_path


def entries(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_command_is_recorded_with_the_checksums_of_what_it_read(work: Path) -> None:
    done = pspctl(["--trail", "trail.jsonl", "funding", "--by-year", "--data-dir", "data",
                   "-f", "csv"], work)
    assert done.returncode == 0
    [entry] = entries(work / "trail.jsonl")
    assert list(entry) == list(KEYS)
    assert entry["argv"] == ["funding", "--by-year", "--data-dir", "data", "-f", "csv"]
    assert entry["inputs"] == [
        {"file": f"data/{name}", "sha256": sha((work / "data" / name).read_bytes())}
        for name in ("funding.csv", "outcomes.csv", "psp.csv", "totals.csv")]
    assert (entry["outputs"], entry["stdout_sha256"], entry["exit"], entry["settings"]) == (
        [], sha(done.stdout), 0, {})
    assert isinstance(entry["source_date_epoch"], int) and isinstance(entry["seconds"], float)
    assert str(entry["time"]).endswith("Z")
    assert b"183000" not in (work / "trail.jsonl").read_bytes()  # no figure of the data


def test_a_file_written_and_the_settings_and_a_workbook(work: Path) -> None:
    book = work / "book.xlsx"
    assert pspctl(["export", "--format", "workbook", "-o", "book.xlsx"], work).returncode == 0
    done = pspctl(["reconcile", "-o", "out.csv", "--trail", "trail.jsonl"], work,
                  {"PSPCTL_DATA_DIR": "book.xlsx"})
    assert done.returncode == 1  # Table 3's £300 (the exit code is recorded as it is)
    [entry] = entries(work / "trail.jsonl")
    assert entry["argv"] == ["reconcile", "-o", "out.csv"]
    assert entry["settings"] == {"PSPCTL_DATA_DIR": "book.xlsx"}
    assert entry["inputs"] == [{"file": "book.xlsx", "sha256": sha(book.read_bytes())}]
    assert entry["outputs"] == [{"file": "out.csv",
                                 "sha256": sha((work / "out.csv").read_bytes())}]
    assert (entry["stdout_sha256"], entry["exit"]) == (sha(b""), 1)


def test_nothing_is_written_or_read_without_the_setting(work: Path) -> None:
    assert pspctl(["funding", "--data-dir", "data"], work).returncode == 0
    assert sorted(p.name for p in work.iterdir()) == ["data"]


COMMANDS = [
    (["validate", "--data-dir", "data"], 0), (["list", "--data-dir", "data"], 0),
    (["show", "low-moss", "--data-dir", "data"], 0), (["funding", "--data-dir", "data"], 0),
    (["compare", "--data-dir", "data"], 0), (["reconcile", "--data-dir", "data"], 1),
    (["diff", "data", "data"], 0), (["review", "--data-dir", "data"], 0),
    (["report", "-o", "pack.html", "--data-dir", "data", "-q"], 0),
    (["export", "--format", "workbook", "-o", "data.xlsx", "--data-dir", "data"], 0),
    (["funding", "--data-dir", "nowhere"], 2),
]


@pytest.mark.parametrize(("args", "code"), COMMANDS)
def test_every_command_is_recorded(work: Path, args: list[str], code: int) -> None:
    done = pspctl(args, work, {"PSPCTL_TRAIL": "trail.jsonl"})
    assert done.returncode == code
    [entry] = entries(work / "trail.jsonl")
    assert (entry["argv"], entry["exit"]) == (args, code)
    written = [o["file"] for o in entry["outputs"]]  # type: ignore[attr-defined]
    assert written == [a for a in args if a.endswith((".html", ".xlsx"))]


def test_eight_processes_at_once_write_eight_whole_lines(work: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PSPCTL_")}
    running = [subprocess.Popen([sys.executable, "-m", "pspctl", "--trail", "trail.jsonl",
                                 "funding", "--by-psp", "--data-dir", "data", "-f", "json"],
                                cwd=work, env=environment, stdout=subprocess.DEVNULL)
               for _ in range(8)]
    assert [p.wait(timeout=SECONDS) for p in running] == [0] * 8
    lines = (work / "trail.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 9
    assert all(json.loads(line)["argv"][0] == "funding" for line in lines[:-1])


def test_a_trail_that_cannot_be_written_is_a_warning(work: Path) -> None:
    (work / "folder").mkdir()
    done = pspctl(["--trail", "folder", "funding", "--by-year", "--data-dir", "data"], work)
    assert done.returncode == 0
    assert done.stderr.decode() == (
        "pspctl: warning: cannot write the trail folder: Is a directory\n")
    assert done.stdout.startswith(b"Scottish Government funds by financial year")


def _recorded(work: Path) -> Path:
    env = {"PSPCTL_TRAIL": "trail.jsonl"}
    for args in (["funding", "--by-year", "--data-dir", "data", "-f", "csv"],
                 ["reconcile", "--data-dir", "data", "-f", "json"],
                 ["report", "-o", "pack.md", "--data-dir", "data", "-q"],
                 ["funding", "-o", "table-3.xlsx", "--data-dir", "data"]):
        assert pspctl(args, work, env).returncode in (0, 1)
    return work / "trail.jsonl"


def test_the_list(work: Path) -> None:
    _recorded(work)
    done = pspctl(["trail", "trail.jsonl", "-f", "csv"], work)
    assert done.returncode == 0
    lines = done.stdout.decode().splitlines()
    assert lines[0] == "line,time,command,data,exit,outputs"
    assert [line.split(",")[2] for line in lines[1:]] == [
        "pspctl funding --by-year --data-dir data -f csv",
        "pspctl reconcile --data-dir data -f json",
        "pspctl report -o pack.md --data-dir data -q",
        "pspctl funding -o table-3.xlsx --data-dir data"]
    assert lines[2].endswith(",1,")  # reconcile's exit 1, nothing written
    charts = importlib.util.find_spec("matplotlib") is not None  # (drawn beside the pack)
    assert lines[3].endswith(',0,"pack.md, pack-timeline.svg, pack-psp.svg, pack-compare.svg"'
                             if charts else ",0,pack.md")


def test_replay_reproduces_unchanged_data(work: Path) -> None:
    _recorded(work)
    before = sorted(p.name for p in work.iterdir())
    done = pspctl(["trail", "trail.jsonl", "--replay", "-f", "csv"], work)
    assert (done.returncode, done.stderr) == (0, b"")
    assert [line.split(",")[:2] for line in done.stdout.decode().splitlines()] == [
        ["line", "status"], ["1", "reproduced"], ["2", "reproduced"], ["3", "reproduced"],
        ["4", "reproduced"]]
    assert sorted(p.name for p in work.iterdir()) == before  # nothing written here


def test_replay_names_an_input_that_changed(work: Path) -> None:
    _recorded(work)
    funding = work / "data" / "funding.csv"
    funding.write_text(funding.read_text(encoding="utf-8").replace("183000", "183300"),
                       encoding="utf-8")
    done = pspctl(["trail", "trail.jsonl", "--replay", "-f", "csv"], work)
    assert done.returncode == 1
    assert done.stdout.decode().splitlines()[1] == (
        "1,input changed,pspctl funding --by-year --data-dir data -f csv,data/funding.csv")


def test_replay_says_an_output_differs(work: Path) -> None:
    trail = _recorded(work)
    lines = trail.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[3])
    entry["outputs"][0]["sha256"] = "0" * 64
    lines[3] = json.dumps(entry)
    trail.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = pspctl(["trail", "trail.jsonl", "--replay", "-f", "csv"], work)
    assert done.returncode == 1
    assert done.stdout.decode().splitlines()[4] == (
        "4,output differs,pspctl funding -o table-3.xlsx --data-dir data,table-3.xlsx differs")


def test_a_truncated_last_line_is_said_with_its_number(work: Path) -> None:
    trail = _recorded(work)
    trail.write_bytes(trail.read_bytes()[:-30])
    done = pspctl(["trail", "trail.jsonl"], work)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "pspctl: error: trail.jsonl line 4: cut short: it does not end in a line feed (a "
        "write that did not finish)\n")
    foreign = work / "foreign.jsonl"
    foreign.write_text('{"a": 1}\nnot json\n', encoding="utf-8")
    done = pspctl(["trail", "foreign.jsonl", "--replay"], work)
    assert (done.returncode, done.stderr.decode()) == (2, (
        "pspctl: error: foreign.jsonl line 1: not a pspctl trail entry (no 'time')\n"
        "pspctl: error: foreign.jsonl line 2: not a pspctl trail entry (not JSON)\n"))
    assert pspctl(["trail", "none.jsonl"], work).stderr == (
        b"pspctl: error: none.jsonl: trail not found\n")


def test_the_pack_says_whether_a_trail_was_kept_and_lists_it(work: Path) -> None:
    _recorded(work)
    assert pspctl(["report", "-o", "plain.md", "--data-dir", "data", "-q"], work
                  ).returncode == 0
    assert "No audit trail was kept while this pack was made" in (
        work / "plain.md").read_text(encoding="utf-8")
    assert pspctl(["report", "-o", "kept.md", "--data-dir", "data", "-q", "--trail-of",
                   "trail.jsonl"], work, {"PSPCTL_TRAIL": "trail.jsonl"}).returncode == 0
    text = (work / "kept.md").read_text(encoding="utf-8")
    assert "An audit trail was kept: the command that made this pack is recorded" in text
    assert "## How the work was done: the audit trail" in text
    assert "pspctl reconcile --data-dir data -f json" in text


def test_a_deflator_file_is_an_input(work: Path) -> None:
    """A real-terms table read the deflators too: a changed series is an input changed."""
    shutil.copyfile(REPO / "tests" / "deflators" / "plain.csv", work / "deflators.csv")
    args = ["funding", "--by-year", "--data-dir", "data", "--real-terms", "2016-17",
            "--deflators", "deflators.csv", "-f", "csv"]
    assert pspctl(args, work, {"PSPCTL_TRAIL": "trail.jsonl"}).returncode == 0
    [entry] = entries(work / "trail.jsonl")
    assert entry["inputs"][-1] == {"file": "deflators.csv",
                                   "sha256": sha((work / "deflators.csv").read_bytes())}
    with open(work / "deflators.csv", "a", encoding="utf-8") as handle:
        handle.write("2018-19,104\n")
    done = pspctl(["trail", "trail.jsonl", "--replay", "-f", "csv"], work)
    assert done.returncode == 1
    assert done.stdout.decode().splitlines()[1].endswith(",deflators.csv")


def test_the_trail_option_goes_with_other_global_options_anywhere(work: Path) -> None:
    """--trail FILE before the command with another of pspctl's own options after it, or
    after the command: the command runs and is recorded without the trail's option; reading
    a trail is not recorded in it."""
    for args in (["--trail", "trail.jsonl", "list", "--data-dir", "data", "--verbose"],
                 ["list", "--trail", "trail.jsonl", "--data-dir", "data"],
                 ["--trail", "trail.jsonl", "--verbose", "trail", "trail.jsonl"]):
        done = pspctl(args, work)
        assert (done.returncode, done.stderr) == (0, b""), args
    assert [e["argv"] for e in entries(work / "trail.jsonl")] == [
        ["list", "--data-dir", "data", "--verbose"], ["list", "--data-dir", "data"]]
