"""The command line: each command parses its options, loads, calls one report, renders.

Only this module imports typer. pandas and rich are imported inside the commands, so that
``--help`` and shell completion stay fast. Errors are turned into one line on stderr and an exit
code in one place, :func:`_guard`: 0 fine, 1 a check found problems, 2 usage or unreadable input.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ._version import __version__
from .errors import OutputError, PspctlError, UsageError
from .render import Format

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    name="pspctl",
    help=(
        "Analyse and reconcile the Scottish Government's funding of the six Strategic Public "
        "Social Partnerships (PSPs), from the figures of the research report's Table 3."
    ),
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)

# --- the options every command shares ----------------------------------------------------------

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="PSPCTL_DATA_DIR",
        metavar="DIR",
        show_default=False,
        help="Read psp.csv, funding.csv, totals.csv and outcomes.csv from DIR instead of the "
        "bundled data.",
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        show_default=False,
        help="Output format. Default: from the extension of -o (.csv .tsv .json .md), else "
        "$PSPCTL_FORMAT, else table.",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        show_default=False,
        help="Write to FILE instead of stdout (atomically: all or nothing).",
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Let -o replace a FILE that already exists.")
]

F = TypeVar("F", bound=Callable[..., Any])


def _guard(function: F) -> F:
    """The one place where project errors become one line on stderr and an exit code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except PspctlError as err:
            message = " ".join(str(err).split("\n"))
            typer.echo(f"pspctl: error: {message}", err=True)
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("pspctl: interrupted", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as err:
            if os.environ.get("PSPCTL_DEBUG"):
                raise
            typer.echo(
                f"pspctl: internal error: {type(err).__name__}: {err} "
                "(set PSPCTL_DEBUG=1 for the traceback, and please report it)",
                err=True,
            )
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` with the error guard around the command."""

    def decorate(function: F) -> F:
        app.command(*args, **kwargs)(_guard(function))
        return function

    return decorate


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pspctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Analyse and reconcile the Scottish Government's funding of the six Strategic PSPs."""


# --- output ------------------------------------------------------------------------------------


def resolve_format(fmt: Format | None, output: Path | None) -> Format:
    """--format, else the extension of -o, else $PSPCTL_FORMAT, else table."""
    if fmt is not None:
        return fmt
    if output is not None:
        from_suffix = Format.from_suffix(output.suffix)
        if from_suffix is not None:
            return from_suffix
    env = os.environ.get("PSPCTL_FORMAT", "").strip()
    if env:
        try:
            return Format(env.lower())
        except ValueError:
            names = ", ".join(f.value for f in Format)
            raise UsageError(f"PSPCTL_FORMAT={env!r} is not a format: use one of {names}") from None
    return Format.table


def write_text(text: str, output: Path | None, force: bool) -> None:
    """Write to stdout, or atomically to ``output`` (a temporary file renamed into place)."""
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader stopped reading (`| head -1`): not an error. Silence the final flush.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return
    if output.is_dir():
        raise OutputError(f"{output}: is a directory")
    if output.exists() and not force:
        raise OutputError(f"{output}: already exists; use --force to replace it")
    directory = output.parent if str(output.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    except OSError as err:
        raise OutputError(f"{output}: cannot write: {err.strerror or err}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def emit(
    frame: pd.DataFrame,
    fmt: Format | None,
    output: Path | None,
    force: bool,
    *,
    title: str | None = None,
    notes: Sequence[str] = (),
    total_rows: int = 0,
) -> None:
    """Render a report's frame in the chosen format and write it."""
    from . import render

    chosen = resolve_format(fmt, output)
    terminal = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size().columns if terminal else None
    text = render.render(
        frame, chosen, title=title, notes=notes, total_rows=total_rows,
        terminal=terminal, width=width,
    )
    write_text(text, output, force)


# --- commands ----------------------------------------------------------------------------------


@command()
def validate(
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Check every cell of the data files and report every problem found.

    Each problem names the file, the line, the column and its kind (bad-amount, bad-year,
    unknown-psp, duplicate-key, ...). Exit 0 when the data is valid, 1 when problems were found,
    2 when a file is missing or cannot be read.
    """
    from . import loader, reports

    problems = loader.validate(data_dir)
    where = data_dir if data_dir is not None else "the bundled data"
    if problems:
        verdict = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {where}"
    else:
        verdict = f"valid: {where}"
    emit(reports.problems_frame(problems), fmt, output, force, notes=[verdict])
    if problems:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="pspctl")
