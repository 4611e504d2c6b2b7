"""Faults, with real processes, real signals and real special files: closed and full streams,
Ctrl-C and SIGTERM, FIFOs and devices as inputs, a ledger truncated while it is read, racing
writers and outputs that may not be written. Every process is bounded in time: a hang fails."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import data_dir_from, write_ledger

PSPCTL = [sys.executable, "-m", "pspctl"]
LIMIT = 60  # seconds any one process may take
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX streams and signals")


def sh(script: str, cwd: Path | None = None, env: dict[str, str] | None = None
       ) -> tuple[int, str, str]:
    """``script`` in bash, with ``$P`` the pspctl command: exit code, stdout, stderr."""
    command = " ".join(f"'{part}'" for part in PSPCTL)
    result = subprocess.run(["bash", "-c", f"P=({command}); {script}"], capture_output=True,
                            text=True, timeout=LIMIT, cwd=cwd, env={**os.environ, **(env or {})})
    return result.returncode, result.stdout, result.stderr


# --- streams ------------------------------------------------------------------------------------


def test_stdout_closed_is_one_line_and_exit_2() -> None:
    assert sh('"${P[@]}" list >&-') == (
        2, "", "pspctl: error: cannot write output: stdout is closed (write to a file with -o "
        "FILE)\n")


def test_commands_that_need_no_stdout_work_with_it_closed(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    assert sh(f'"${{P[@]}}" list -o {target} >&-') == (0, "", "")
    assert target.read_text(encoding="utf-8").startswith("psp_id,name,")
    assert sh('"${P[@]}" reconcile -q >&-') == (1, "", "")
    assert sh('"${P[@]}" list <&-')[0] == 0  # stdin closed: not needed


def test_full_disk_on_stdout() -> None:
    full = "pspctl: error: cannot write output: No space left on device\n"
    assert sh('"${P[@]}" --version >/dev/full') == (2, "", full)
    assert sh('"${P[@]}" funding >/dev/full') == (2, "", full)
    assert sh('"${P[@]}" funding -f csv >/dev/full') == (2, "", full)


def test_a_failing_or_closed_stderr_keeps_the_exit_code() -> None:
    assert sh('"${P[@]}" validate --data-dir /nonexistent 2>/dev/full') == (2, "", "")
    assert sh('"${P[@]}" validate --data-dir /nonexistent 2>&-') == (2, "", "")
    assert sh('"${P[@]}" reconcile 2>&- >/dev/null')[0] == 1


def test_an_encoding_that_cannot_write_the_figures() -> None:
    code, out, err = sh('"${P[@]}" funding', env={"PYTHONIOENCODING": "ascii"})
    assert (code, out) == (2, "")
    assert err == ("pspctl: error: cannot write '\\xa3' to stdout in its encoding (ascii): set "
                   "PYTHONIOENCODING=utf-8 or a UTF-8 locale, or write to a file with -o FILE\n")
    assert sh('"${P[@]}" funding --by-year -f csv', env={"PYTHONIOENCODING": "ascii"})[0] == 0


def test_control_characters_never_reach_stderr_raw(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    funding = directory / "funding.csv"
    funding.write_text(funding.read_text().replace("gamma,2013-14",
                                                   "gamma\x1b]0;owned\x07,2013-14"))
    code, out, err = sh(f'"${{P[@]}}" funding --data-dir {directory}')
    assert (code, out) == (2, "")
    assert "\x1b" not in err and "\x07" not in err
    assert err.startswith("pspctl: error: funding.csv:6: column psp_id: unknown psp_id "
                          "'gamma\\x1b]0;owned\\x07'")


# --- signals ------------------------------------------------------------------------------------


def test_ctrl_c_in_the_first_moments_is_one_line() -> None:
    # While the command line is still being imported (typer is, the rest is not yet): the
    # moment the import log says typer is in, the interrupt comes.
    process = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "pspctl", "funding"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    log = []
    for line in process.stderr:
        log.append(line)
        if re.search(r"\|\s+typer$", line.rstrip()):
            process.send_signal(signal.SIGINT)
            break
    out, err = process.communicate(timeout=LIMIT)
    said = [line for line in [*log, *err.splitlines(keepends=True)]
            if not line.startswith("import time:")]
    assert (process.returncode, out, said) == (130, "", ["pspctl: interrupted\n"])


@pytest.mark.parametrize("delay", [n / 100 for n in range(1, 11)])
def test_ctrl_c_from_the_first_moment_never_prints_pspctl_s_traceback(delay: float) -> None:
    """Ctrl-C 10, 20, ... 100 ms after the console script starts: before pspctl's first line
    the interpreter itself may answer (its own traceback, or none); from that line on, pspctl
    does, with one line and exit 130. Never a traceback through pspctl's code."""
    script = Path(sys.executable).with_name("pspctl")
    command = [str(script)] if script.exists() else PSPCTL
    for _ in range(4):  # a moment is hit by chance: a few tries at each
        process = subprocess.Popen([*command, "funding"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=LIMIT)
        traced = [line for line in err.splitlines() if line.lstrip().startswith("File ")]
        assert not [line for line in traced if "pspctl" in line.replace(str(script), "")], err
        if not traced:
            assert process.returncode in (130, -signal.SIGINT, 0), err
            assert err in ("", "pspctl: interrupted\n"), err
            assert out == "" or process.returncode == 0


def _pack_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.5, 2.5])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_pack_leaves_all_of_it_or_nothing(tmp_path: Path, delay: float,
                                                              signum: int) -> None:
    pytest.importorskip("matplotlib")
    process = subprocess.Popen([*PSPCTL, "report", "-o", "pack.md"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    process.send_signal(signum)
    _, err = process.communicate(timeout=LIMIT)
    complete = ["pack-compare.svg", "pack-psp.svg", "pack-timeline.svg", "pack.md"]
    assert _pack_files(tmp_path) in ([], complete)  # no temporary file, no part of the pack
    assert "Traceback" not in err
    if process.returncode == 0:  # finished before the signal
        assert _pack_files(tmp_path) == complete
    elif signum == signal.SIGINT:
        assert (process.returncode, err) == (130, "pspctl: interrupted\n")
    else:
        assert (process.returncode, err) == (-signal.SIGTERM, "")
    if _pack_files(tmp_path):  # and the pack is whole
        assert (tmp_path / "pack.md").read_text(encoding="utf-8").rstrip().endswith(")")


# --- inputs that are not regular files, or that change ------------------------------------------


def test_a_fifo_as_a_data_file_is_refused_at_once(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    (directory / "funding.csv").unlink()
    os.mkfifo(directory / "funding.csv")
    assert sh(f'"${{P[@]}}" funding --data-dir {directory}') == (
        2, "", f"pspctl: error: {directory / 'funding.csv'}: is not a regular file (a pipe, a "
        "socket or a device): pspctl reads files only\n")


def test_a_device_as_a_data_file_is_refused(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    (directory / "outcomes.csv").unlink()
    (directory / "outcomes.csv").symlink_to("/dev/zero")
    assert sh(f'"${{P[@]}}" validate --data-dir {directory}') == (
        2, "", f"pspctl: error: {directory / 'outcomes.csv'}: is not a regular file (a pipe, a "
        "socket or a device): pspctl reads files only\n")


def _large_ledger(directory: Path, rows: int) -> None:
    """A valid funding.csv of ``rows`` rows (well over the fast reader's threshold), ending in
    an empty line."""
    write_ledger(directory, 100, (f"p{n % 100},2013-14,government,Funder {n},,"
                                  f"{n % 9973}.{n % 100:02d},t\n" for n in range(rows)), end="\n")


def _holds_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open now (Linux's /proc)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:  # the process has ended, or an fd closed while listed
        return False
    return str(path) in links


@pytest.mark.parametrize("after", [None, 0.0, 0.002, 0.01])
def test_a_ledger_truncated_while_it_is_read(tmp_path: Path, after: float | None) -> None:
    """The ledger cut by another process before pspctl opens it (``None``), or the given
    seconds after pspctl opened it, while pspctl still holds it open: the moment is watched in
    /proc, never guessed from timings, so a fast or a busy machine tests the same thing."""
    _large_ledger(tmp_path, 400_000)
    ledger = tmp_path / "funding.csv"
    size = ledger.stat().st_size
    for _ in range(5):  # a read that ended before the cut could come says nothing: again
        process = subprocess.Popen([*PSPCTL, "validate", "--data-dir", str(tmp_path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if after is None:
            break
        deadline = time.monotonic() + LIMIT
        while not _holds_open(process.pid, ledger) and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.0005)
        time.sleep(after)
        if _holds_open(process.pid, ledger):
            break
        process.communicate(timeout=LIMIT)
    else:
        pytest.fail("pspctl never held the ledger open long enough to cut it")
    os.truncate(ledger, size // 3)  # another process cuts the file
    _, err = process.communicate(timeout=LIMIT)
    # never killed by a signal (SIGBUS), never a traceback, never "valid"
    assert process.returncode in (1, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if process.returncode == 2:
        assert err == (f"pspctl: error: {ledger}: the file changed while it was read; read it "
                       "again once nothing is writing to it\n")


# --- outputs ------------------------------------------------------------------------------------


def test_racing_writers_of_one_target_never_both_succeed(tmp_path: Path) -> None:
    for round_ in range(4):
        target = tmp_path / f"out{round_}.csv"
        processes = [subprocess.Popen([*PSPCTL, "funding", "-f", "csv", "-o", str(target)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(3)]
        results = [(p.wait(timeout=LIMIT), p.stderr.read() if p.stderr else "")
                   for p in processes]
        assert sorted(code for code, _ in results) == [0, 2, 2]
        for code, err in results:
            if code == 2:
                assert err == (f"pspctl: error: {target}: already exists; use --force to "
                               "replace it\n")
        assert target.read_text(encoding="utf-8").startswith("psp_id,name,2012-13")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out{n}.csv" for n in range(4)]


def test_a_dangling_link_is_not_replaced_without_force(tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "nowhere" / "x.csv")
    assert sh(f'"${{P[@]}}" list -o {link}') == (
        2, "", f"pspctl: error: {link}: already exists; use --force to replace it\n")
    assert link.is_symlink() and not link.exists()


def test_force_replaces_only_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    message = (f"pspctl: error: {fifo}: is not a regular file (a link, a pipe or a device); "
               "--force replaces only regular files\n")
    assert sh(f'"${{P[@]}}" list -o {fifo} --force') == (2, "", message)
    assert fifo.is_fifo()
    regular = tmp_path / "old.csv"
    regular.write_text("old\n")
    assert sh(f'"${{P[@]}}" list -o {regular} --force')[0] == 0
    assert regular.read_text(encoding="utf-8").startswith("psp_id,name,")


def test_output_onto_an_input_file_is_refused_even_with_force(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    ledger = directory / "funding.csv"
    before = ledger.read_bytes()
    for target in (ledger, directory / "." / "funding.csv"):
        assert sh(f'"${{P[@]}}" funding --data-dir {directory} -o {target} --force') == (
            2, "", f"pspctl: error: {target}: is one of the input files; pspctl never writes "
            "to its inputs\n")
    (tmp_path / "link.csv").symlink_to(ledger)
    assert sh(f'"${{P[@]}}" list --data-dir {directory} -o {tmp_path / "link.csv"} --force'
              )[0] == 2
    assert ledger.read_bytes() == before


def test_a_pack_whose_chart_name_is_taken_writes_nothing(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "pack-psp.svg").write_text("mine\n")
    assert sh('"${P[@]}" report -o pack.md', cwd=tmp_path) == (
        2, "", "pspctl: error: pack-psp.svg: already exists; use --force to replace it\n")
    assert _pack_files(tmp_path) == ["pack-psp.svg"]
    assert (tmp_path / "pack-psp.svg").read_text() == "mine\n"
