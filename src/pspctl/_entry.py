"""The console script's entry point: Ctrl-C is answered from its first line on.

Importing the command line takes about 60 ms; an interrupt then would otherwise print a
traceback. Until :func:`pspctl.cli.main` takes over signals, SIGINT prints one line and exits 130.
"""

from __future__ import annotations

import contextlib
import os
import signal


def _interrupted(_signum: int, _frame: object) -> None:
    with contextlib.suppress(OSError):
        os.write(2, b"pspctl: interrupted\n")
    os._exit(130)


def main() -> None:
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import main as run

    run()
