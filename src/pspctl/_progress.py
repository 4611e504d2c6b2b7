"""Progress on long work: what pspctl is doing (reading, checking, reporting, drawing), shown
on stderr with rich's progress display once a command has run for about a second.

The library says what it is doing with :func:`stage`, which costs nothing unless the command
line has turned the display on with :func:`shown` (stderr a terminal, no ``--quiet``, output not
piped). The display is transient: it is cleared before anything is written to stdout or
stderr, so what a command writes is the same with it or without it. Imports nothing heavy: rich
is imported only when the display starts.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

#: Seconds a command runs before its progress is shown (``PSPCTL_PROGRESS_AFTER`` changes it).
AFTER_SECONDS = 1.0

_lock = threading.Lock()
_state: dict[str, Any] = {"on": False, "stage": "working", "display": None, "task": None}


def stage(text: str) -> None:
    """Say what the program is doing now (``reading funding.csv``): shown if the display is
    on, else nothing."""
    with _lock:
        _state["stage"] = text
        display = _state["display"]
        if display is not None:
            display.update(_state["task"], description=text)


@contextmanager
def shown(enabled: bool) -> Iterator[None]:
    """Show progress while the block runs, if ``enabled``, starting after
    :data:`AFTER_SECONDS`; the display is gone when the block ends, however it ends."""
    after = _after()  # checked whether shown or not: a script sees the same answer
    if not enabled or after is None:
        yield
        return
    with _lock:
        _state.update(on=True, stage="working")
    timer = threading.Timer(after, _start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        stop()


def stop() -> None:
    """Clear the display now (before output is written); later stages show nothing more."""
    with _lock:
        _state["on"] = False
        display, _state["display"] = _state["display"], None
    if display is not None:
        with suppress(OSError, ValueError):
            display.stop()


#: A delay longer than this (a day) means never: a timer cannot wait for ever.
NEVER_AFTER = 86_400.0


def _after() -> float | None:
    """``PSPCTL_PROGRESS_AFTER`` in seconds; ``None`` for never (``never``, ``inf``, or more
    than a day); anything else than a number of seconds is a usage error."""
    text = os.environ.get("PSPCTL_PROGRESS_AFTER", "").strip()
    if not text:
        return AFTER_SECONDS
    if text.lower() == "never":
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if math.isnan(seconds) or seconds < 0:
        from .errors import UsageError

        raise UsageError(f"PSPCTL_PROGRESS_AFTER={text!r}: give the seconds before progress is "
                         "shown (a number, 0 or more), or 'never'")
    return None if seconds > NEVER_AFTER else seconds


def _start() -> None:
    if not _state["on"]:
        return
    # imported before the lock is taken: the main thread may be importing too
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with _lock:
        if not _state["on"] or _state["display"] is not None:
            return
        display = Progress(SpinnerColumn(), TextColumn("pspctl: {task.description}"),
                           TimeElapsedColumn(), console=Console(file=sys.stderr),
                           transient=True, redirect_stdout=False, redirect_stderr=False)
        _state["task"] = display.add_task(_state["stage"], total=None)
        _state["display"] = display
        try:
            display.start()
        except (OSError, ValueError):
            _state["display"] = None
