"""The console script's entry point: Ctrl-C is answered from its first line on.

Importing the command line takes about 60 ms; an interrupt then would otherwise print a
traceback. Until :func:`pspctl.cli.main` takes over signals, SIGINT prints one line and exits 130.
"""

import _signal  # signal's C module: `signal` itself builds enums, 4-5 ms at every start
import os  # already imported by the interpreter: costs nothing


def _interrupted(_signum: int, _frame: object) -> None:
    # no import here: the interrupt may come while that very module is half imported
    try:  # noqa: SIM105
        os.write(2, b"pspctl: interrupted\n")
    except OSError:  # stderr closed: the exit code still says it
        pass
    os._exit(130)


def main() -> None:
    _signal.signal(_signal.SIGINT, _interrupted)
    from .cli import main as run

    run()
