"""The audit trail: every command recorded as one JSON line, and replayed to prove its results.

With ``PSPCTL_TRAIL=FILE`` (or ``pspctl --trail FILE``) each command appends to FILE one line:
the time (UTC), pspctl's version, the command's arguments as given, the ``PSPCTL_`` settings
it ran with, each data file read with its SHA-256 (a workbook's own), each file written with
its SHA-256, the SHA-256 of what went to stdout (unless a terminal showed it), the exit code,
the duration, and the ``SOURCE_DATE_EPOCH`` that dated what it wrote. No figure and no text of
the data goes into it. Several processes may append to one trail at once: each line is one
``write`` under an exclusive lock. A trail that cannot be written is a warning, never a change
of the command's result. Without the setting nothing here runs.

Imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._clock import epoch
from ._paths import bundled_data_dir, opened_inputs, sha256_of
from ._version import __version__

ENVIRONMENT = "PSPCTL_TRAIL"
#: Where the bundled data is said to be in a trail (its place in an installation is not the
#: user's to give, and differs from one installation to the next).
BUNDLED = "<bundled data>"
#: The keys every entry has.
KEYS = ("time", "version", "argv", "settings", "inputs", "outputs", "stdout_sha256", "exit",
        "seconds", "source_date_epoch")
#: Settings of the environment that change what a command does, recorded and replayed.
SETTINGS = ("PSPCTL_DATA_DIR", "PSPCTL_DEFLATORS", "PSPCTL_FORMAT", "PSPCTL_MAX_BYTES",
            "PSPCTL_FAST_BYTES")


@dataclass
class _Recording:
    path: str
    argv: list[str]
    started: float = field(default_factory=time.monotonic)
    when: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                            time.gmtime()))
    outputs: list[dict[str, str]] = field(default_factory=list)
    stdout: Any = field(default_factory=hashlib.sha256)
    terminal: bool = False
    epoch: int | None = None


_recording: _Recording | None = None


def start(path: str, argv: list[str]) -> None:
    """Record this command in the trail ``path``; ``argv`` as given, without the option that
    names the trail. A command that writes a date writes ``SOURCE_DATE_EPOCH``'s: set here
    (to now) when it is not set, and recorded, so that replaying gives the same bytes."""
    global _recording
    _recording = _Recording(path, argv)
    seconds = epoch()
    if seconds is None:
        seconds = int(time.time())
        os.environ["SOURCE_DATE_EPOCH"] = str(seconds)
    _recording.epoch = seconds


def recording() -> bool:
    return _recording is not None


def wrote(path: Path, data: bytes) -> None:
    """A file the command wrote, as it names it."""
    if _recording is not None:
        _recording.outputs.append({"file": str(path), "sha256": hashlib.sha256(data).hexdigest()})


def printed(data: bytes, terminal: bool = False) -> None:
    """What the command wrote to stdout (a terminal's is not compared: it is laid out for
    the terminal's width)."""
    if _recording is not None:
        _recording.stdout.update(data)
        _recording.terminal = _recording.terminal or terminal


def finish(code: int) -> str | None:
    """Append the command's line to the trail; what went wrong, in words, when it cannot be
    written (the caller warns; the command's result stands)."""
    global _recording
    done, _recording = _recording, None
    if done is None:
        return None
    entry = {
        "time": done.when, "version": __version__, "argv": done.argv,
        "settings": {k: os.environ[k] for k in SETTINGS if k in os.environ},
        "inputs": [{"file": name, "sha256": sha256_of(path)} for name, path in _inputs()],
        "outputs": done.outputs,
        "stdout_sha256": None if done.terminal else done.stdout.hexdigest(),
        "exit": code, "seconds": round(time.monotonic() - done.started, 3),
        "source_date_epoch": done.epoch,
    }
    line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    try:
        append(done.path, line)
    except OSError as err:
        return f"cannot write the trail {done.path}: {err.strerror or err}"
    return None


def append(path: str, line: bytes) -> None:
    """``line`` appended to ``path`` in one write, under an exclusive lock: lines of several
    processes never mix."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                 0o644)
    try:
        _locked(fd)
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(f"only {written} of {len(line)} bytes written")
    finally:
        os.close(fd)  # (closing releases the lock)


def _locked(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # (not on POSIX: O_APPEND writes of one line are still whole)
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _inputs() -> list[tuple[str, Path]]:
    """The data files the command read, by the names it was given them (the bundled data's
    as :data:`BUNDLED`), in order."""
    bundled = bundled_data_dir().resolve()
    found = []
    for path in sorted(opened_inputs, key=str):
        try:
            inside = path.resolve().relative_to(bundled)
        except ValueError:
            found.append((str(path), path))
        else:
            found.append((f"{BUNDLED}/{inside.as_posix()}", path))
    return found


def located(name: str) -> Path:
    """The file a trail names: the bundled data's where it is installed here."""
    if name.startswith(BUNDLED + "/"):
        return bundled_data_dir() / name[len(BUNDLED) + 1:]
    return Path(name)


# --- reading and replaying -----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One command of a trail, on its ``line``."""

    line: int
    time: str
    version: str
    argv: list[str]
    settings: dict[str, str]
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    stdout_sha256: str | None
    exit: int
    seconds: float
    source_date_epoch: int | None

    @property
    def command(self) -> str:
        import shlex

        return "pspctl " + shlex.join(self.argv)

    @property
    def edition(self) -> str:
        """The data it read, by a short checksum: the same files give the same one."""
        digest = hashlib.sha256("\n".join(sorted(str(i["sha256"]) for i in self.inputs)
                                          ).encode("ascii"))
        return digest.hexdigest()[:12] if self.inputs else ""


def read_trail(path: Path) -> tuple[list[Entry], list[tuple[int, str]]]:
    """The entries of the trail ``path``, and each line that is not one (its number, and what
    is wrong with it): a damaged or foreign line is said, never read as something else. A
    trail that cannot be read at all is an :class:`~pspctl.errors.InputError`."""
    from .errors import InputError

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: trail not found") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    entries, problems = [], []
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        ended = number < len(lines)  # (the last line of a whole trail ends in a line feed)
        try:
            entries.append(_entry(number, json.loads(line.decode("utf-8"))))
        except (UnicodeDecodeError, ValueError, TypeError, KeyError) as err:
            why = ("cut short: it does not end in a line feed (a write that did not finish)"
                   if not ended else f"not a pspctl trail entry ({_why(err)})")
            problems.append((number, why))
    return entries, problems


def _why(err: Exception) -> str:
    if isinstance(err, KeyError):
        return f"no {err.args[0]!r}"
    if isinstance(err, UnicodeDecodeError):
        return "not UTF-8"
    return "not JSON" if isinstance(err, json.JSONDecodeError) else str(err)


def _entry(number: int, found: Any) -> Entry:
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    missing = [key for key in KEYS if key not in found]
    if missing:
        raise KeyError(missing[0])
    argv, inputs, outputs = found["argv"], found["inputs"], found["outputs"]
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)
            and isinstance(inputs, list) and isinstance(outputs, list)
            and all(isinstance(f, dict) and isinstance(f.get("file"), str)
                    for f in [*inputs, *outputs])
            and isinstance(found["exit"], int) and isinstance(found["settings"], dict)):
        raise ValueError("its fields are not of a trail entry's kinds")
    epoch = found["source_date_epoch"]
    return Entry(number, str(found["time"]), str(found["version"]), argv,
                 {str(k): str(v) for k, v in found["settings"].items()}, inputs, outputs,
                 found["stdout_sha256"], found["exit"], float(found["seconds"]),
                 epoch if isinstance(epoch, int) else None)


@dataclass(frozen=True)
class Replayed:
    """What replaying an entry found: ``status`` (reproduced, input changed, output differs,
    could not run) and what it says of it."""

    line: int
    status: str
    command: str
    detail: str


def replay(entry: Entry, work: Path, seconds: float = 600) -> Replayed:
    """Run ``entry`` again in this folder, its files written in ``work`` (never where it wrote
    them), with its settings and ``SOURCE_DATE_EPOCH``, and compare: the inputs' checksums
    first (an input changed is not re-run), then the exit code, stdout's checksum (unless a
    terminal showed it) and each file's."""
    import subprocess

    changed = [i["file"] + ("" if located(i["file"]).exists() else " (missing)")
               for i in entry.inputs if sha256_of(located(i["file"])) != i.get("sha256")]
    if changed:
        return Replayed(entry.line, "input changed", entry.command, "; ".join(changed))
    argv = _redirected(entry.argv, work)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PSPCTL_") and k != "SOURCE_DATE_EPOCH"}
    env.update(entry.settings)
    env[ENVIRONMENT] = str(work / "replayed.jsonl")  # recorded as it was: a pack says so
    if entry.source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(entry.source_date_epoch)
    try:
        done = subprocess.run([sys.executable, "-m", "pspctl", *argv], capture_output=True,
                              env=env, timeout=seconds, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return Replayed(entry.line, "could not run", entry.command, str(err))
    differ = _differences(entry, work, done.returncode, done.stdout)
    if differ:
        return Replayed(entry.line, "output differs", entry.command, "; ".join(differ))
    return Replayed(entry.line, "reproduced", entry.command,
                    "" if entry.stdout_sha256 is not None
                    else "stdout went to a terminal: not compared")


def _redirected(argv: list[str], work: Path) -> list[str]:
    """``argv`` with each file to write (``-o FILE``, ``--output FILE``) in ``work``, under its
    own name."""
    out, n = [], 0
    while n < len(argv):
        arg = argv[n]
        if arg in ("-o", "--output") and n + 1 < len(argv) and argv[n + 1] != "-":
            out += [arg, str(work / Path(argv[n + 1]).name)]
            n += 2
            continue
        if arg.startswith("--output=") and arg != "--output=-":
            arg = "--output=" + str(work / Path(arg.partition("=")[2]).name)
        out.append(arg)
        n += 1
    return out


def _differences(entry: Entry, work: Path, code: int, stdout: bytes) -> list[str]:
    found = []
    if code != entry.exit:
        found.append(f"exit {code}, recorded {entry.exit}")
    if entry.stdout_sha256 is not None and hashlib.sha256(stdout).hexdigest() != \
            entry.stdout_sha256:
        found.append("stdout differs")
    for output in entry.outputs:
        again = sha256_of(work / Path(output["file"]).name)
        if again != output.get("sha256"):
            found.append(f"{output['file']} {'differs' if again else 'not written'}")
    return found
