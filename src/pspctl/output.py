"""Where output goes: stdout, or files published whole.

Files are written to a temporary file beside the target and then published: without ``force``
the target is created only if nothing of that name exists at that moment (a hard link, which
fails when anything, even a dangling symbolic link, has the name: no check-then-rename race);
with ``force`` only a regular file is replaced. The files of one output (a Markdown pack and its
charts) are published together or not at all, with SIGINT, SIGTERM and SIGHUP held back while
they are. A target that is one of the files the loader read is refused: pspctl never writes to
its inputs. Imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._paths import opened_inputs
from ._progress import stop as stop_progress
from .errors import OutputError

#: Set by the command line when the process started with stdout closed: output that would go
#: there is an error, not a write to whatever file took its descriptor.
stdout_closed = False


def write_stdout(data: str | bytes) -> None:
    """Write ``data`` to stdout whole, or raise :class:`OutputError` (a reader that went away,
    as in ``| head``, is not an error)."""
    if stdout_closed or sys.stdout is None:
        raise OutputError("cannot write output: stdout is closed (write to a file with -o FILE)")
    stop_progress()  # a progress display on the terminal is cleared before the output
    if isinstance(data, str):
        data = _encoded(data)
    trail = recorded_trail()
    if trail is not None:
        trail.printed(data, stdout_is_terminal())
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # The reader stopped reading (`| head -1`): not an error. Silence the final flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError as err:
        raise OutputError(f"cannot write output: {err.strerror or err}") from None


def recorded_trail() -> Any:
    """The audit trail (:mod:`pspctl.trail`) when this command is recorded in one: imported
    only then, so that without a trail nothing of it runs."""
    trail = sys.modules.get("pspctl.trail")
    return trail if trail is not None and trail.recording() else None


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal (a closed or odd stream is not)."""
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except (OSError, ValueError):
        return False


def _encoded(text: str) -> bytes:
    """``text`` in stdout's encoding, or an :class:`OutputError` naming what it cannot take."""
    encoding = sys.stdout.encoding or "utf-8"
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as err:
        raise OutputError(
            f"cannot write {err.object[err.start]!r} to stdout in its encoding ({encoding}): "
            "set PYTHONIOENCODING=utf-8 or a UTF-8 locale, or write to a file with -o FILE"
        ) from None


def publish(files: Sequence[tuple[Path, bytes]], force: bool) -> None:
    """Write every ``(path, bytes)`` as a new file, all of them or none."""
    for path, _ in files:
        refuse(path, force)
    temporaries: list[str] = []
    try:
        for path, data in files:
            temporaries.append(_temporary(path, data))
        with _signals_held():
            placed: list[Path] = []
            try:
                for (path, _), temporary in zip(files, temporaries):
                    _place(temporary, path, force)
                    placed.append(path)
                trail = recorded_trail()
                if trail is not None:
                    for path, data in files:
                        trail.wrote(path, data)
            except BaseException:
                if not force:
                    for path in placed:
                        path.unlink(missing_ok=True)
                raise
    finally:
        for temporary in temporaries:
            Path(temporary).unlink(missing_ok=True)


def refuse(path: Path, force: bool) -> None:
    """An :class:`OutputError` if ``path`` may not be written: an input file, a directory,
    something that exists (without ``force``), or something that is not a regular file."""
    resolved = os.path.realpath(path)
    for source in opened_inputs:
        if resolved == os.path.realpath(source) or _same_file(path, source):
            raise OutputError(f"{path}: is one of the input files; pspctl never writes to its "
                              "inputs")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: is a directory")
    if not force:
        raise OutputError(f"{path}: already exists; use --force to replace it")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path}: is not a regular file (a link, a pipe or a device); "
                          "--force replaces only regular files")


def _same_file(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def _temporary(path: Path, data: bytes) -> str:
    """``data`` in a new temporary file beside ``path``, with an ordinary new file's mode."""
    import tempfile

    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as err:
        raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _place(temporary: str, path: Path, force: bool) -> None:
    """Give the written ``temporary`` the name ``path``, atomically."""
    try:
        if force:
            refuse(path, force)  # still a regular file, or nothing
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # fails if the name exists, whatever it names
        except FileExistsError:
            raise OutputError(f"{path}: already exists; use --force to replace it") from None
        except OSError:  # a file system without hard links: reserve the name, then replace
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            os.replace(temporary, path)
    except FileExistsError:
        raise OutputError(f"{path}: already exists; use --force to replace it") from None
    except OSError as err:
        raise OutputError(f"{path}: cannot write: {err.strerror or err}") from None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP held back (delivered at the end) while files are published."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    try:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # not the main thread, or no such call
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def page(text: str) -> bool:
    """Show ``text`` through a pager, as git does, when it is taller than the terminal: the
    command in ``PSPCTL_PAGER`` (empty: no pager), else ``PAGER``, else ``less -FRX``. Whether
    it was paged; ``False`` (the caller then writes it) when it fits, when paging is off, or
    when the pager cannot be run or read none of it (``PAGER=false``): never a table lost.

    Ctrl-C while the pager shows the text is the pager's (less keeps showing it); pspctl waits
    for the pager to close, as git does, and then ends as interrupted (exit 130)."""
    import shlex
    import shutil

    chosen = os.environ.get("PSPCTL_PAGER")
    if chosen is None:
        chosen = os.environ.get("PAGER") or "less -FRX"
    if not chosen.strip() or text.count("\n") < shutil.get_terminal_size().lines:
        return False
    stop_progress()
    try:  # as stdout would take it; else stdout says what it cannot write
        data = _encoded(text)
    except OutputError:
        return False
    try:
        ran = _run_pager(shlex.split(chosen), data)
    except (OSError, ValueError):  # no such program, or a command that cannot be split
        return False
    written, unread, code = ran
    if written - unread > 0 and code == 0:
        trail = recorded_trail()
        if trail is not None:  # (a terminal's output: recorded as such)
            trail.printed(data, terminal=True)
        return True
    from .errors import printable

    why = f"ended with exit {code}" if code else "read none of it"
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(printable(f"pspctl: the pager {chosen!r} {why}: the output follows "
                                   "without it") + "\n")
    return False


def _run_pager(command: list[str], data: bytes) -> tuple[int, int, int]:
    """Run the pager on ``data``: the bytes written to it, those it never read, its exit code.
    A Ctrl-C meanwhile is the pager's; once it has closed, pspctl is interrupted."""
    import subprocess

    reading, writing = os.pipe()
    try:
        with _interrupt_after() as interrupted:
            pager = subprocess.Popen(command, stdin=reading)
            written = _feed(writing, data, pager)
            os.close(writing)
            writing = -1
            pager.wait()
            unread = _unread(reading)
        if interrupted:
            raise KeyboardInterrupt
    finally:
        os.close(reading)
        if writing >= 0:
            os.close(writing)
    return written, unread, pager.returncode


def _feed(fd: int, data: bytes, pager: Any) -> int:
    """Write ``data`` to the pager's pipe while the pager runs; the bytes written. A pager
    that ends early (the reader quit it) ends the writing, not as an error."""
    import select

    written = 0
    os.set_blocking(fd, False)
    while written < len(data):
        if pager.poll() is not None:
            break
        try:
            written += os.write(fd, data[written:written + 65536])
        except BlockingIOError:
            select.select([], [fd], [], 0.1)
        except BrokenPipeError:
            break
    return written


def _unread(fd: int) -> int:
    """The bytes still waiting in the pipe ``fd`` reads (what the pager never read)."""
    import fcntl
    import termios

    try:
        buffer = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0
    return int.from_bytes(buffer, sys.byteorder)


@contextlib.contextmanager
def _interrupt_after() -> Iterator[list[int]]:
    """Ctrl-C noted, not acted on, while the block runs (the pager has the terminal); the list
    yielded holds the signal when one came."""
    import signal

    noted: list[int] = []
    try:
        before = signal.signal(signal.SIGINT, lambda signum, _: noted.append(signum))
    except ValueError:  # not the main thread
        yield noted
        return
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, before)
