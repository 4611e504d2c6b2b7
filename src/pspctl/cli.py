"""The command line: each command parses its options, loads, calls one report, renders.

Only this module imports typer. pandas and rich are imported inside the commands, so that
``--help`` and shell completion stay fast. Errors are turned into one line on stderr and an exit
code in one place, :func:`_guard`: 0 fine, 1 a check found problems, 2 usage or unreadable input.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ._version import __version__
from .errors import InputError, PspctlError, UsageError
from .writers import Format

if TYPE_CHECKING:
    import pandas as pd

    from .views import View

#: The options of pspctl itself, taken after the command too (``pspctl funding --no-pager``).
GLOBAL_FLAGS = ("--no-pager", "--debug", "--verbose")
#: pspctl's own options that take a value, taken before or after the command too.
GLOBAL_OPTIONS = ("--trail",)


def _click() -> Any:
    """The click typer runs on (its own copy from typer 0.28, the click package before)."""
    import typer.core

    return getattr(typer.core, "_click", None) or __import__("click")


class _Commands(typer.core.TyperGroup):
    """pspctl's commands: pspctl's own options taken before or after the command, and a usage
    error said in one line (``pspctl: error: no such option: --bogus``), exit 2."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoisted(args))

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        exceptions = _click().exceptions
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        except exceptions.NoArgsIsHelpError as shown:  # `pspctl` alone: the help
            shown.show()
            sys.exit(shown.exit_code)
        except exceptions.ClickException as err:
            say(f"pspctl: error: {usage_message(err.format_message())}")
            sys.exit(err.exit_code)
        except typer.Abort:
            say("pspctl: interrupted")
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


def hoisted(args: Sequence[str]) -> list[str]:
    """``args`` with pspctl's own options (:data:`GLOBAL_FLAGS`, and :data:`GLOBAL_OPTIONS`
    with their values) given after the command moved before it; nothing after ``--`` is
    touched."""
    args = list(args)
    at = 0  # the command: the first argument that is neither an option nor an option's value
    while at < len(args) and args[at].startswith("-") and args[at] != "--":
        at += 2 if args[at] in GLOBAL_OPTIONS else 1
    if at >= len(args) or args[at] == "--":
        return args
    rest = args[at + 1:]
    end = rest.index("--") if "--" in rest else len(rest)
    flags: list[str] = []
    kept: list[str] = []
    n = 0
    while n < end:
        arg = rest[n]
        if arg in GLOBAL_FLAGS or arg.startswith(tuple(f"{o}=" for o in GLOBAL_OPTIONS)):
            flags.append(arg)
        elif arg in GLOBAL_OPTIONS and n + 1 < end:
            flags += [arg, rest[n + 1]]
            n += 1
        else:
            kept.append(arg)
        n += 1
    if not flags:
        return args
    return [*args[:at], *flags, args[at], *kept, *rest[end:]]


def usage_message(message: str) -> str:
    """Click's message as one line of pspctl's: ``No such command 'fundng'. Did you mean
    'funding'?`` becomes ``no such command 'fundng' (did you mean 'funding'?)``."""
    text = " ".join(message.split())
    said, sep, hint = text.partition(". Did you mean ")
    if sep:
        text = f"{said} (did you mean {hint.rstrip('.')})"
    text = text.rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


app = typer.Typer(
    cls=_Commands,
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
        metavar="DIR|BOOK",
        show_default=False,
        help="Read psp.csv, funding.csv, totals.csv and outcomes.csv from DIR, or the sheets of "
        "those names from a workbook (.xlsx, .xlsm, .ods), instead of the bundled data.",
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        show_default=False,
        help="Output format. Default: from the extension of -o (.csv .tsv .json .md .txt .xlsx; "
        "any other is refused, as is one that says another format than --format), else "
        "$PSPCTL_FORMAT, else table. In csv and tsv a text cell that begins with = + - @, a "
        "tab or a carriage return gets a leading ' so that a spreadsheet shows it as text "
        "(numbers are never changed).",
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


def _file_option(kinds: str) -> Any:
    """The required -o of the commands that only write files (chart, report)."""
    return typer.Option("--output", "-o", metavar="FILE", show_default=False,
                        help=f"The {kinds} (written atomically).")


def _format_of(output: Path, formats: Sequence[str], written_as: str) -> str:
    """The format the suffix of ``-o FILE`` names, one of ``formats``; else a usage error
    that says how the file is ``written_as``."""
    fmt = _suffix(output).lower().lstrip(".")
    if fmt not in formats:
        raise UsageError(f"-o {output}: {written_as}")
    return fmt


F = TypeVar("F", bound=Callable[..., Any])


def note(line: str, quiet: bool = False) -> None:
    """A note for a person (not an error): on stderr when it is a terminal or with --verbose,
    never with -q; a script piping pspctl reads only what it asked for."""
    if quiet:
        return
    if _settings["verbose"] or _stderr_is_terminal():
        say(line)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (OSError, ValueError):
        return False


def say(line: str) -> None:
    """One line on stderr, control characters shown escaped; a stderr that cannot be written
    changes nothing else (the exit code still tells)."""
    from ._progress import stop
    from .errors import printable

    stop()  # a progress display is cleared first
    try:
        sys.stderr.write(printable(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


class Terminated(BaseException):
    """A SIGTERM or SIGHUP: unwinds like an interrupt, so that nothing is left half-written,
    then the process ends by that signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _progress_wanted(options: dict[str, Any]) -> bool:
    """Progress is shown on a terminal's stderr, unless ``--quiet``, and only when the output
    is a terminal or a file: a script reading stdout sees no change."""
    from .output import stdout_is_terminal

    if options.get("quiet"):
        return False
    try:
        return sys.stderr.isatty() and (options.get("output") is not None or stdout_is_terminal())
    except (AttributeError, ValueError, OSError):
        return False


def _guard(function: F) -> F:
    """The one place where project errors become one line on stderr and an exit code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ._progress import shown

        try:
            with shown(_progress_wanted(kwargs)):
                return function(*args, **kwargs)
        except PspctlError as err:
            say(f"pspctl: error: {' '.join(str(err).splitlines())}")
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            say("pspctl: interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, Terminated):
            raise
        except Exception as err:
            if _by_interrupt(err):  # Python wraps some (__set_name__ in an import): still ^C
                say("pspctl: interrupted")
                raise typer.Exit(130) from None
            if _settings["debug"]:
                raise
            message = " ".join(f"{type(err).__name__}: {err}".split())
            say(f"pspctl: internal error: {message} (run with --debug for the traceback, "
                "and please report it)")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _by_interrupt(err: BaseException) -> bool:
    """Whether ``err`` was raised by a Ctrl-C: a KeyboardInterrupt among its causes."""
    seen = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


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
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="PSPCTL_DEBUG",
                     help="Show the traceback of an unexpected error, for a bug report."),
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Never page a long table in a terminal (as "
                     "PSPCTL_PAGER= does)."),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", help="Print notes on stderr even when it is not a terminal "
                     "(they are printed on a terminal anyway)."),
    ] = False,
    trail: Annotated[
        Path | None,
        typer.Option("--trail", metavar="FILE", show_default=False,
                     help="Append this command to the audit trail FILE: its arguments, the "
                     "SHA-256 of each file read and written and of stdout, its exit code "
                     "(default: $PSPCTL_TRAIL; pspctl trail FILE reads and replays it)."),
    ] = None,
) -> None:
    """Analyse and reconcile the Scottish Government's funding of the six Strategic PSPs."""
    _settings["debug"] = debug
    _settings["pager"] = not no_pager
    _settings["verbose"] = verbose


_settings: dict[str, bool] = {"debug": False, "pager": True, "verbose": False}


# --- output ------------------------------------------------------------------------------------


def resolve_format(fmt: Format | None, output: Path | None) -> Format:
    """--format, else the extension of -o, else $PSPCTL_FORMAT, else table. A suffix of -o
    that no writer takes, or that says another format than --format, is a usage error."""
    from .writers import SUFFIXES

    suffix = _suffix(output) if output is not None else ""
    if output is not None and suffix:
        from_suffix = Format.from_suffix(suffix)
        if from_suffix is None:
            raise UsageError(f"-o {output}: no output format is written as {suffix}: use "
                             f"{', '.join(SUFFIXES)}")
        if fmt is not None and fmt is not from_suffix:
            raise UsageError(f"--format {fmt.value} and -o {output} disagree: "
                             f"{suffix} is written as {from_suffix.value}")
        return from_suffix
    if fmt is not None:
        return fmt
    if output is not None:
        raise UsageError(f"-o {output}: the name says no format: give it a suffix "
                         f"({', '.join(SUFFIXES)}) or say the format with --format")
    env = os.environ.get("PSPCTL_FORMAT", "").strip()
    if env:
        try:
            return Format(env.lower())
        except ValueError:
            names = ", ".join(f.value for f in Format)
            raise UsageError(f"PSPCTL_FORMAT={env!r} is not a format: use one of {names}") from None
    return Format.table


def _suffix(output: Path) -> str:
    """The suffix of ``-o``'s name: ``.csv`` for ``t.csv`` and for a file named ``.csv``."""
    return output.suffix or (output.name if output.name.startswith(".") else "")


#: What ``-o -`` names: stdout, as the shell's tools take it.
STDOUT = Path("-")


def write_text(text: str | bytes, output: Path | None, force: bool,
               utf8: bool = False) -> None:
    """Write to stdout (in UTF-8 whatever its encoding when ``utf8``: a machine format), or
    publish ``output`` whole (see :mod:`pspctl.output`)."""
    from . import output as out

    if output is None:
        out.write_stdout(text.encode("utf-8") if utf8 and isinstance(text, str) else text)
    else:
        out.publish([(output, text if isinstance(text, bytes) else text.encode("utf-8"))], force)


@dataclass(frozen=True)
class Target:
    """Where output goes and how: the resolved format, and whether it is a terminal."""

    fmt: Format
    output: Path | None
    force: bool
    terminal: bool
    width: int | None
    colour: bool = True
    quiet: bool = False  # nothing on stdout (-q); a file asked for is still written
    schema: bool = False  # the Table Schema of the machine formats, instead of the output

    @classmethod
    def of(cls, fmt: Format | None, output: Path | None, force: bool,
           quiet: bool = False, schema: bool = False) -> Target:
        if output == STDOUT:  # -o -: stdout
            output = None
        chosen = resolve_format(fmt, output)
        if chosen is Format.xlsx and output is None:
            raise UsageError("a workbook is written to a file: give -o FILE.xlsx")
        from .output import stdout_is_terminal

        terminal = output is None and stdout_is_terminal()
        width = shutil.get_terminal_size().columns if terminal else None
        # NO_COLOR (no-color.org) is about colour only: the terminal's layout stays.
        return cls(chosen, output, force, terminal, width, not os.environ.get("NO_COLOR"),
                   quiet, schema)

    def write(self, text: str | bytes) -> None:
        from .output import page

        if (self.output is None and self.terminal and self.fmt is Format.table
                and _settings["pager"] and isinstance(text, str) and page(text)):
            return
        write_text(text, self.output, self.force, self.fmt in MACHINE)


#: The formats scripts read: UTF-8 whatever the locale (tables follow the terminal's).
MACHINE = frozenset({Format.csv, Format.tsv, Format.json})


def show_view(view: View, target: Target) -> None:
    """Write ``view`` in the target's format (nothing, when quiet, to stdout)."""
    from .writers import write

    if target.quiet and target.output is None:
        return
    if target.schema:  # the schema, whatever the figures say: exit 0
        from .writers import schema

        target.write(schema.write(view))
        raise typer.Exit(0)
    target.write(write(view, target.fmt, target.terminal, target.width, target.colour))


# --- commands ----------------------------------------------------------------------------------


SchemaOpt = Annotated[
    bool, typer.Option("--schema", help="Print the Table Schema (JSON) of what this command "
                       "writes as csv, tsv and json with these options, instead of the output.")
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing on stdout; only the exit code "
                       "tells (-o FILE is still written).")
]


#: --real-terms on a command that works in cash only: refused, saying why.
CashOnlyOpt = Annotated[str | None, typer.Option("--real-terms", hidden=True,
                                                 show_default=False)]
#: What each cash-only command says of --real-terms.
CASH_ONLY = {
    "validate": "validate checks the data as the report states it, in cash",
    "reconcile": "reconcile compares with the published totals, which are cash",
    "diff": "diff compares editions of the figures as published, in cash",
    "review": "review looks for patterns in the figures as published, in cash",
}


def _cash_only(command: str, real_terms: str | None) -> None:
    if real_terms is not None:
        raise UsageError(f"--real-terms: {CASH_ONLY[command]}; use it with funding, compare, "
                         "chart or report")


@command()
def validate(
    quiet: QuietOpt = False,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
    real_terms: CashOnlyOpt = None,
) -> None:
    """Check every cell of the data files and report every problem found.

    Each problem names the file, the line, the column and its kind (bad-amount, bad-year,
    unknown-psp, duplicate-key, ...). Exit 0 when the data is valid, 1 when problems were found,
    2 when a file is missing or cannot be read.
    """
    _cash_only("validate", real_terms)
    from . import loader, views

    target = Target.of(fmt, output, force, quiet, schema)
    problems = loader.validate(data_dir)
    where = str(data_dir) if data_dir is not None else "the bundled data"
    show_view(views.validate_view(problems, where), target)
    if problems:
        raise typer.Exit(1)


class LeadSector(str, Enum):
    public = "public"
    third = "third"


TotalsOpt = Annotated[
    bool,
    typer.Option("--totals", help="Add the totals row to csv, tsv and json too (scripts "
                 "usually sum for themselves; table and markdown always show it)."),
]


def _complete_psp(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from .completion import psp_ids

    return [(i, name) for i, name in psp_ids(ctx.params.get("data_dir"))
            if i.startswith(incomplete)]


def _complete_year(ctx: typer.Context, incomplete: str) -> list[str]:
    from .completion import years

    return [y for y in years(ctx.params.get("data_dir")) if y.startswith(incomplete)]


PspOpt = Annotated[
    list[str] | None,
    typer.Option("--psp", metavar="PSP", show_default=False, autocompletion=_complete_psp,
                 help="Only this PSP: its id or an unambiguous part of its id or name "
                 "(repeatable)."),
]
FromOpt = Annotated[
    str | None,
    typer.Option("--from", metavar="YEAR", show_default=False, autocompletion=_complete_year,
                 help="From this financial year on, e.g. 2013-14."),
]
ToOpt = Annotated[
    str | None,
    typer.Option("--to", metavar="YEAR", show_default=False, autocompletion=_complete_year,
                 help="Up to this financial year, inclusive."),
]


def _year(value: str | None, option: str) -> str | None:
    """A financial year given to ``option``, checked here so that the error names the option."""
    from .schema import check_year

    return None if value is None else check_year(value, option)


@command("list")
def list_(
    lead_sector: Annotated[
        LeadSector | None,
        typer.Option("--lead-sector", case_sensitive=False, show_default=False,
                     help="Only PSPs whose lead is a public or a third sector organisation "
                     "(PSPs whose lead the report does not state are left out)."),
    ] = None,
    active_in: Annotated[
        str | None,
        typer.Option("--active-in", metavar="YEAR", show_default=False,
                     autocompletion=_complete_year,
                     help="Only PSPs with Scottish Government funding in this financial year."),
    ] = None,
    totals: TotalsOpt = False,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
) -> None:
    """List the PSPs: attributes, years funded, government and additional funds.

    Columns: psp_id, name, established, sector, lead, lead_sector, first_year, last_year,
    government_gbp, additional_gbp. additional_gbp is empty ("not stated" in a table) where the
    report states no additional funds: that is not zero.
    """
    from . import loader, reports, views

    target = Target.of(fmt, output, force, schema=schema)
    active_in = _year(active_in, "--active-in")
    data = loader.load(data_dir)
    reports.year_range(data, active_in, active_in, ("--active-in", "--active-in"))
    sector = lead_sector.value if lead_sector else None
    frame = reports.psp_list(data, sector, active_in)
    show_view(views.list_view(frame, totals, sector, active_in), target)


@command()
def show(
    psp: Annotated[
        str,
        typer.Argument(metavar="PSP", show_default=False, autocompletion=_complete_psp,
                       help="The PSP: its id, or an unambiguous, case-insensitive part of its "
                       "id or name (lothian, \"Low Moss\")."),
    ],
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
) -> None:
    """Show everything about one PSP, with the source of each figure.

    Its attributes, its government funding year by year with a total, its additional funds and
    funders, and its outcomes. In csv, tsv and json: one row per fact (psp_id, section, field,
    value, year, stream, funder, amount_gbp, source, file, line), where line is the line of the
    data file it comes from.
    """
    from . import loader, reports, views

    target = Target.of(fmt, output, force, schema=schema)
    show_view(views.show_view(reports.psp_detail(loader.load(data_dir), psp)), target)


def _valued(flag: str, metavar: str, help: str) -> Any:
    """An option that takes a value (shown as ``metavar``), without a default to show."""
    return typer.Option(flag, metavar=metavar, show_default=False, help=help)


ByYearOpt = Annotated[
    bool, typer.Option("--by-year", help="One row per financial year: year, government_gbp.")
]
ByPspOpt = Annotated[
    bool,
    typer.Option("--by-psp", help="One row per PSP, largest first: psp_id, name, "
                 "government_gbp."),
]
CumulativeOpt = Annotated[
    bool, typer.Option("--cumulative", help="With --by-year: add cumulative_gbp.")
]
ShareOpt = Annotated[
    bool,
    typer.Option("--share", help="With --by-year or --by-psp: add share of the total (0..1; "
                 "a percentage in a table)."),
]
ChartOpt = Annotated[
    bool, typer.Option("--chart", help="Draw a horizontal bar per row (table format only).")
]
RealTermsOpt = Annotated[str | None, _valued("--real-terms", "YEAR",
                          "Every figure at YEAR's prices (e.g. 2016-17) by HM Treasury's GDP "
                          "deflators (--deflators); money columns are renamed, e.g. "
                          "government_gbp_2016_17_prices.")]
DeflatorsOpt = Annotated[Path | None, _valued("--deflators", "FILE",
                          "HM Treasury's GDP deflator CSV as downloaded from GOV.UK, or a "
                          "year,index CSV (default: $PSPCTL_DEFLATORS).")]


def _prices(real_terms: str | None, deflators: Path | None) -> Any:
    """The prices --real-terms asks for (:class:`~pspctl.reports.realterms.Prices`), the
    deflator file read; ``None`` without --real-terms."""
    from . import deflators as series

    if real_terms is None:
        if deflators is not None:
            raise UsageError("--deflators goes with --real-terms YEAR")
        return None
    from .schema import check_year

    year = check_year(real_terms, "--real-terms")
    path = series.named(deflators)
    if path is None:
        raise series.missing(year)
    from .reports import realterms

    return realterms.prices_of(series.load_deflators(path), year, "--real-terms")


@command()
def funding(
    by_year: ByYearOpt = False,
    by_psp: ByPspOpt = False,
    cumulative: CumulativeOpt = False,
    share: ShareOpt = False,
    psp: PspOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    chart: ChartOpt = False,
    totals: TotalsOpt = False,
    real_terms: RealTermsOpt = None,
    deflators: DeflatorsOpt = None,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
) -> None:
    """Scottish Government funds (Table 3), recomputed from the cells.

    By default the matrix: one row per PSP, one column per financial year (2012-13_gbp in
    csv, tsv and json; 0, "-" in a table, where the PSP had no funding that year) and its
    total (government_gbp; total_gbp in a table), with the year totals as a last row in table
    and markdown; people see each PSP by its Table 3 label, scripts get psp_id and name.
    --by-year and --by-psp give one figure per year or per PSP. --real-terms YEAR states
    every figure at YEAR's prices by HM Treasury's GDP deflators.
    """
    from . import loader, reports, views

    target = _funding_options(by_year, by_psp, (cumulative, share), chart,
                              Target.of(fmt, output, force, schema=schema))
    start, end = _year(start, "--from"), _year(end, "--to")  # before the data is read
    prices = _prices(real_terms, deflators)
    data = loader.load(data_dir)
    start, end = reports.year_range(data, start, end, ("--from", "--to"))
    psps = reports.resolve_psps(data, psp)
    if prices is not None:
        view = _real_funding(data, prices, (psps, start, end), by_year, by_psp,
                             (cumulative, share), (totals, chart))
    elif by_year:
        view = views.by_year_view(
            reports.funding_by_year(data, psps, start, end, cumulative, share), totals, chart)
    elif by_psp:
        view = views.by_psp_view(reports.funding_by_psp(data, psps, start, end, share), totals,
                                 chart)
    else:
        whole = psps is None and start is None and end is None  # Table 3 as printed: its totals
        view = views.matrix_view(reports.funding_matrix(data, psps, start, end), totals, chart,
                                 reports.table3_published(data) if whole else None)
    show_view(view, target)


def _funding_options(by_year: bool, by_psp: bool, asked: tuple[bool, bool], chart: bool,
                     target: Target) -> Target:
    """``target``, once funding's options are found to go together."""
    cumulative, share = asked
    if chart and target.fmt is not Format.table:
        raise UsageError("--chart draws in the table format only")
    if by_year and by_psp:
        raise UsageError("--by-year and --by-psp are alternatives: give one of them")
    if cumulative and not by_year:
        raise UsageError("--cumulative goes with --by-year")
    if share and not (by_year or by_psp):
        raise UsageError("--share goes with --by-year or --by-psp")
    return target


def _real_funding(data: Any, prices: Any, scope: tuple[Any, Any, Any], by_year: bool,
                  by_psp: bool, asked: tuple[bool, bool], shown: tuple[bool, bool]) -> Any:
    """funding's view at --real-terms' prices: the same tables, each money column deflated."""
    from . import reports, views
    from .reports import realterms

    (cumulative, share), (totals, chart) = asked, shown
    if by_year:
        cash = reports.funding_by_year(data, *scope, cumulative, share)
        return views.real_by_year_view(realterms.real_by_year(cash, prices), totals, chart)
    matrix = reports.funding_matrix(data, *scope)
    if by_psp:
        return views.real_by_psp_view(realterms.real_by_psp(matrix, prices, share), totals,
                                      chart)
    return views.real_matrix_view(realterms.real_matrix(matrix, prices)[0], totals, chart)


@command()
def compare(
    psp: PspOpt = None,
    totals: TotalsOpt = False,
    real_terms: RealTermsOpt = None,
    deflators: DeflatorsOpt = None,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
) -> None:
    """Compare additional funds from other organisations with Scottish Government funds.

    One row per PSP: psp_id, name, government_gbp, additional_gbp, combined_gbp, leverage
    (additional £ per £1 of government funds), additional_share (of combined), funders,
    funder_sector. Where the report states no additional funds these are empty ("not stated"
    in a table), never 0. A table ends with how much came from other public bodies and how much
    from independent funders (lottery, trusts), where the data allows that split. With
    --real-terms YEAR government funds are at YEAR's prices; additional funds stated with no
    year stay in cash (additional_cash_gbp).
    """
    from . import loader, reports, views

    target = Target.of(fmt, output, force, schema=schema)
    prices = _prices(real_terms, deflators)
    data = loader.load(data_dir)
    result = reports.compare(data, reports.resolve_psps(data, psp))
    if prices is not None:
        from .reports import realterms

        view = views.real_compare_view(realterms.real_compare(result, data, prices), totals)
    else:
        view = views.compare_view(result, totals)
    show_view(view, target)


def _amount(text: str | None, option: str) -> Decimal | None:
    from .money import gbp, parse_pence

    if text is None:
        return None
    try:
        pence = parse_pence(text)
    except ValueError as err:
        raise UsageError(f"{option}: {err}") from None
    if pence < 0:
        raise UsageError(f"{option}: {text!r} is negative")
    return gbp(pence)


HeadlineOpt = Annotated[
    str | None,
    typer.Option("--headline", metavar="AMOUNT", show_default=False,
                 help="Reconcile against this headline figure instead of the one in the "
                 "data (e.g. £2,759,368), as when checking another publication."),
]

ToleranceOpt = Annotated[
    str,
    typer.Option("--tolerance", metavar="AMOUNT",
                 help="Let a check hold when published and computed differ by at most "
                 "AMOUNT (for publications that round)."),
]

CandidatesOpt = Annotated[
    bool,
    typer.Option("--candidates", help="Output the candidate explanations, one row each "
                 "(check, scope, heuristic, psp_id, year, printed_gbp, would_be_gbp, note), "
                 "instead of the checks."),
]



@command()
def reconcile(
    headline: HeadlineOpt = None,
    tolerance: ToleranceOpt = "0",
    candidates: CandidatesOpt = False,
    quiet: QuietOpt = False,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
    real_terms: CashOnlyOpt = None,
) -> None:
    """Foot and cross-foot Table 3 against every published total, and explain mismatches.

    Checks: footing (each year's cells against its published total), cross-footing (row totals,
    published year totals, all cells and the grand total against each other) and headline (the
    headline against the grand total and the cells). One row per check: check, scope, psp_id,
    year, stream (the scope as columns), published_gbp, computed_gbp, difference_gbp (published
    minus computed), status (ok or mismatch). Each mismatch gets candidate explanations: where
    it lies, two transposed digits, a one-digit slip, a cell equal to the difference (omitted or
    counted twice). They are candidates, never corrections. In json each check carries its
    candidates.

    Exit 0 when every check holds, 1 when any does not, 2 for unreadable or invalid data.
    """
    _cash_only("reconcile", real_terms)
    from . import loader, reports, views

    target = Target.of(fmt, output, force, quiet, schema)
    result = reports.reconcile(
        loader.load(data_dir), _amount(headline, "--headline"),
        _amount(tolerance, "--tolerance") or Decimal(0),
    )
    show_view(views.candidates_view(result) if candidates else views.reconcile_view(result),
              target)
    if not result.ok:
        raise typer.Exit(1)


EditionArg = Annotated[
    Path,
    typer.Argument(metavar="DIR|BOOK", show_default=False,
                   help="A data folder (psp.csv, funding.csv, totals.csv, outcomes.csv) or a "
                   "workbook with sheets of those names."),
]


@command("diff")
def diff_(
    old: EditionArg,
    new: EditionArg,
    quiet: QuietOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
    real_terms: CashOnlyOpt = None,
) -> None:
    """Compare two editions of the figures: what changed, and what it does to the reconciliation.

    One row per fact that differs (funding figures keyed by PSP, year, stream and funder;
    published totals; PSP attributes; outcomes): file, change (changed, added, removed,
    renamed), psp_id, year, stream, funder, total_id, outcome (what keys it, where each
    applies), field, old, new (the figure or text on each side),
    difference_gbp (exact), note (for a figure, whether two adjacent digits were swapped or one
    digit changed). A PSP whose id changed but whose name did not is one renamed row, its other
    changes beneath. Then every reconciliation check whose status or difference differs, and
    why a check is no longer made. A table says each change in words (£183,000 → £183,300
    (+£300)); csv, tsv and json: the changes.

    Exit 0 when the editions hold the same facts, 1 when they differ, 2 for unreadable or
    invalid data (as diff does).
    """
    _cash_only("diff", real_terms)
    from . import reports, views

    target = Target.of(fmt, output, force, quiet, schema)
    result = reports.differences(_edition(old, "OLD"), _edition(new, "NEW"))
    show_view(views.diff_view(result), target)
    if not result.same:
        raise typer.Exit(1)


def _edition(path: Path, which: str) -> Any:
    """The edition ``path`` loaded; one that cannot be read, or is invalid, is an error that
    says which edition it is (``NEW edition broken/: ...``)."""
    from . import loader
    from .errors import DataError, InputError

    try:
        return loader.load(path)
    except (DataError, InputError) as err:
        named = f"{which} edition" if which.isupper() else which
        said = str(err)
        if not said.startswith(str(path)):  # the path once, not twice
            named += f" {path}"
        raise InputError(f"{named}: {said}") from None


ChangeOpt = Annotated[
    str | None,
    typer.Option("--change", metavar="PERCENT", show_default=False,
                 help="Also observe year-on-year changes of a PSP's figure above PERCENT "
                 "(e.g. 50%); off by default."),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Exit 1 when there is any observation (for scripts).")
]


@command()
def review(
    change: ChangeOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    data_dir: DataDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    schema: SchemaOpt = False,
    real_terms: CashOnlyOpt = None,
) -> None:
    """Analytical review: patterns in the figures worth a second look, though everything foots.

    Observations, never errors: the same figure for a PSP in consecutive years; year columns
    identical across the PSPs funded in both; cells outside the years a PSP's Table 3 note
    allows, or before it was established; years with no cell between a PSP's first and last
    funded years; all the cells of a year round thousands; with --change, large year-on-year
    changes. One row per observation: check, scope, psp_id, year, to_year (the second year of
    a pattern of two), amount_gbp, note.

    Exit 0 on valid data (1 with --strict when there is any observation), 2 for unreadable or
    invalid data.
    """
    _cash_only("review", real_terms)
    from . import loader, reports, views

    target = Target.of(fmt, output, force, quiet, schema)
    result = reports.review(loader.load(data_dir), _percent(change))
    show_view(views.review_view(result), target)
    if strict and not result.observations.empty:
        raise typer.Exit(1)


def _percent(text: str | None) -> Decimal | None:
    """``50%`` or ``50`` as the fraction 0.5."""
    if text is None:
        return None
    number = text.strip().removesuffix("%").strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", number):
        raise UsageError(f"--change {text!r}: write a percentage, e.g. 50%")
    return Decimal(number) / 100


class ChartKind(str, Enum):
    timeline = "timeline"
    psp = "psp"
    compare = "compare"


@command()
def chart(
    kind: Annotated[
        ChartKind,
        typer.Argument(case_sensitive=False, show_default=False,
                       help="timeline: funds by year stacked by PSP; psp: funds per PSP; "
                       "compare: government against additional funds per PSP."),
    ],
    output: Annotated[Path, _file_option("chart file, FILE.svg or FILE.png")],
    force: ForceOpt = False,
    real_terms: RealTermsOpt = None,
    deflators: DeflatorsOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Draw a chart of the funding as SVG or PNG (needs the extra: pip install 'pspctl[charts]').

    Titled, axes in £ with thousands separators, the source named in a caption, and readable in
    greyscale; with --real-terms YEAR at YEAR's prices, the deflators named in the caption.
    Without matplotlib it says in one line how to install it (exit 2).
    """
    from . import charts, loader
    from ._progress import stage
    from .output import refuse

    fmt = _format_of(output, charts.FORMATS, charts.WRITTEN_AS)
    refuse(output, force)  # before drawing, as publishing would after
    prices = _prices(real_terms, deflators)
    data = loader.load(data_dir)
    stage("drawing the chart")
    write_text(charts.draw(kind.value, data, fmt, prices=prices), output, force)


AgainstOpt = Annotated[Path | None, _valued("--against", "DIR|BOOK",
                          "An earlier edition of the data: the pack adds what differs from it "
                          "(as pspctl diff DIR).")]
TrailOfOpt = Annotated[Path | None, _valued("--trail-of", "FILE",
                          "An audit trail (pspctl trail FILE): the pack lists its commands, so "
                          "that it says how the work was done.")]
PackQuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No notes on stderr (the "
                                            "pack is still written).")]


@command()
def report(
    output: Annotated[Path, _file_option("audit pack, FILE.md, FILE.html or FILE.xlsx")],
    against: AgainstOpt = None,
    force: ForceOpt = False,
    real_terms: RealTermsOpt = None,
    deflators: DeflatorsOpt = None,
    trail_of: TrailOfOpt = None,
    data_dir: DataDirOpt = None,
    quiet: PackQuietOpt = False,
) -> None:
    """Write the audit pack: one document an auditor can hand over, as Markdown, HTML or a workbook.

    What the data is and where it comes from, Table 3 recomputed, the reconciliation verdict
    with every mismatch and its candidate explanations, the additional-funds comparison, the
    analytical review, with --against the differences from an earlier edition, and the
    charts when matplotlib is installed (inlined SVG in HTML; FILE-timeline.svg and the others
    next to the Markdown). Made by the same report functions as the commands, so they agree.
    The HTML is self-contained (no network fetches) and prints well. --real-terms YEAR adds
    Table 3 and the funds by year at YEAR's prices; the checks stay in cash. The pack says
    whether an audit trail was kept; --trail-of FILE lists the trail's commands in it.
    """
    from concurrent.futures import ThreadPoolExecutor

    from . import auditpack, charts, loader
    from ._progress import stage
    from .output import publish

    fmt = _format_of(output, auditpack.FORMATS, auditpack.WRITTEN_AS)
    prices = _prices(real_terms, deflators)
    trail = _trail_of(trail_of)
    data = loader.load(data_dir)
    earlier = _edition(against, "--against") if against is not None else None
    with ThreadPoolExecutor(1) as pool:  # hashing the files (no GIL) beside the reports
        sums = pool.submit(auditpack.checksums, data)
        found = auditpack.sections(data, earlier, prices, trail)
        drawn: dict[str, bytes] = {}
        try:
            stage("drawing the charts")
            drawn = {kind: charts.draw(kind, data, "svg", auditpack.chart_views(found))
                     for kind in charts.KINDS}
        except UsageError:
            note(f"pspctl: note: no charts in the pack: {charts.INSTALL}", quiet)
        pack = auditpack.build(data, fmt, drawn, output.stem, earlier, found, sums.result())
    text = pack.text if isinstance(pack.text, bytes) else pack.text.encode("utf-8")
    publish([(output, text),
             *((output.with_name(name), content) for name, content in pack.attachments.items())],
            force)


@command("trail")
def trail_(
    file: Annotated[Path, typer.Argument(metavar="FILE", show_default=False,
                                         help="An audit trail (--trail FILE, PSPCTL_TRAIL).")],
    replay: Annotated[bool, typer.Option(
        "--replay", help="Run each command again in this folder, its files written to a "
        "temporary folder, and compare inputs, outputs, stdout and exit code with the "
        "trail's.")] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """List the commands of an audit trail, or replay them to show each result is the one
    recorded.

    A trail is kept with PSPCTL_TRAIL=FILE or pspctl --trail FILE: one JSON line per command
    (its arguments as given, the SHA-256 of every file read and written and of stdout, its
    exit code). The list: time, command, the data by a short checksum, exit code, outputs.
    --replay says per entry reproduced, input changed (naming the input; not re-run), output
    differs or could not run. Exit 0 when every entry reproduces (or for the list), 1 when
    any does not, 2 for a trail that cannot be read or has a damaged line (said with its
    number).
    """
    import tempfile

    from . import trail, views
    from ._progress import stage

    target = Target.of(fmt, output, force)
    entries, damaged = trail.read_trail(file)
    if not replay:
        show_view(views.trail_view(entries, str(file)), target)
    else:
        with tempfile.TemporaryDirectory(prefix="pspctl-replay-") as work:
            results = []
            for entry in entries:
                stage(f"replaying line {entry.line}")
                folder = Path(work) / f"line-{entry.line}"
                folder.mkdir()
                results.append(trail.replay(entry, folder))
        show_view(views.replay_view(results, str(file)), target)
    for number, why in damaged:
        say(f"pspctl: error: {file} line {number}: {why}")
    if damaged:
        raise typer.Exit(2)
    if replay and any(r.status != "reproduced" for r in results):
        raise typer.Exit(1)


def _trail_of(path: Path | None) -> tuple[Path, list[Any]] | None:
    """The trail --trail-of names and its entries; a damaged line is an error (exit 2)."""
    if path is None:
        return None
    from . import trail
    from ._paths import opened_inputs

    entries, damaged = trail.read_trail(path)
    opened_inputs.add(path)  # (an input of the pack: never written over, and in its trail)
    if damaged:
        number, why = damaged[0]
        raise InputError(f"--trail-of {path} line {number}: {why}")
    return path, entries


class ExportFormat(str, Enum):
    threesixtygiving = "360giving"
    workbook = "workbook"


StandardOpt = Annotated[
    ExportFormat,
    typer.Option("--format", "-f", case_sensitive=False,
                 help="360giving (grants in the 360Giving Data Standard) or workbook (the data "
                 "as an .xlsx workbook)."),
]

FundingOrgIdOpt = Annotated[str | None, _valued("--funding-org-id", "ID",
                          "The funder's organisation identifier (e.g. from org-id.guide).")]

IdPrefixOpt = Annotated[str | None, _valued("--id-prefix", "PREFIX",
                          "Your 360Giving publisher prefix, which starts every grant "
                          "identifier.")]

RecipientOrgIdOpt = Annotated[
    list[str] | None,
    typer.Option("--recipient-org-id", metavar="PSP=ID", show_default=False,
                 help="A recipient's organisation identifier (repeatable); overrides the "
                 "recipient_org_id column of psp.csv."),
]

DataSourceOpt = Annotated[str | None, _valued("--data-source", "URL",
                          "Web address of the source (default: the report's, from "
                          "datapackage.json).")]
PublisherNameOpt = Annotated[str | None, _valued("--publisher-name", "NAME",
                          "JSON package: who publishes it (e.g. the funder's name).")]
PublisherIdOpt = Annotated[str | None, _valued("--publisher-id", "ORG-ID",
                          "JSON package: the publisher's organisation identifier.")]
TitleOpt = Annotated[str | None, _valued("--title", "TEXT",
                          "JSON package: its title (default: the data's).")]
DescriptionOpt = Annotated[str | None, _valued("--description", "TEXT",
                          "JSON package: its description (default: the data's, with the "
                          "licence's attribution).")]
IssuedOpt = Annotated[str | None, _valued("--issued", "YYYY-MM-DD",
                          "JSON package: the day it is issued (default: today, or "
                          "SOURCE_DATE_EPOCH's day).")]


@command()
def export(
    standard: StandardOpt,
    funding_org_id: FundingOrgIdOpt = None,
    id_prefix: IdPrefixOpt = None,
    recipient_org_id: RecipientOrgIdOpt = None,
    data_source: DataSourceOpt = None,
    publisher_name: PublisherNameOpt = None,
    publisher_id: PublisherIdOpt = None,
    title: TitleOpt = None,
    description: DescriptionOpt = None,
    issued: IssuedOpt = None,
    data_dir: DataDirOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Export the government funding as 360Giving grants, or the data as a workbook.

    --format workbook -o FILE.xlsx writes the four tables as the sheets psp, funding, totals and
    outcomes (money as numbers), which pspctl reads wherever it reads a data folder: export,
    correct in a spreadsheet, then validate, reconcile and diff the result.

    --format 360giving: one grant per PSP per financial year, with the standard's column
    titles (Identifier, Title, Description, Currency, Amount Awarded, Award Date, Recipient
    Org:Identifier, Recipient Org:Name, Funding Org:Identifier, Funding Org:Name), planned
    dates from the financial year and a Data Source pointing at the report. -o grants.json
    writes a 360Giving JSON package, -o grants.csv (or stdout) a CSV. The report gives no
    identifiers and no award dates: identifiers must be given (exit 2 names the missing ones),
    and the award date is the first day of the financial year. The JSON package says its
    licence (the data's: the Open Government Licence v3.0), title, description, date issued
    and, with --publisher-name and --publisher-id, its publisher.
    """
    identifiers = {"--funding-org-id": funding_org_id, "--id-prefix": id_prefix,
                   "--recipient-org-id": recipient_org_id, "--data-source": data_source}
    package = {"--publisher-name": publisher_name, "--publisher-id": publisher_id,
               "--title": title, "--description": description, "--issued": issued}
    if standard is ExportFormat.workbook:
        return _data_workbook(data_dir, output, force, {**identifiers, **package})
    _grants(data_dir, output, force, identifiers, package)


def _grants(data_dir: Path | None, output: Path | None, force: bool,
            identifiers: dict[str, Any], package: dict[str, Any]) -> None:
    """``export --format 360giving``: the grants as CSV, or as a JSON package with its
    metadata (``package``: the options that make it)."""
    from . import export as exporter
    from . import loader, render

    suffix = output.suffix.lower() if output is not None else ""
    if suffix not in ("", ".json", ".csv"):
        raise UsageError(f"-o {output}: a 360Giving export is written as .json (a data "
                         "package) or .csv")
    given = [option for option, value in package.items() if value is not None]
    if given and suffix != ".json":
        raise UsageError(f"{', '.join(given)}: only for a JSON package (-o FILE.json)")
    info = exporter.PackageInfo(package["--title"], package["--description"],
                                package["--publisher-name"], package["--publisher-id"],
                                _issued(package["--issued"]))
    data = loader.load(data_dir)
    recipients = _recipients(data.psp, identifiers["--recipient-org-id"] or [])
    try:
        grants = exporter.grants_360(data, identifiers["--funding-org-id"],
                                     identifiers["--id-prefix"], recipients,
                                     identifiers["--data-source"])
    except exporter.MissingIdentifiers as missing:
        raise UsageError(missing.words({
            "funding_org_id": "--funding-org-id ID", "id_prefix": "--id-prefix PREFIX",
            "recipient_org_ids": "--recipient-org-id PSP=ID", "source": "--data-source URL",
        })) from None
    text = (exporter.package_json(grants, info) if suffix == ".json"
            else render.render(grants, Format.csv))
    write_text(text, output, force)


def _issued(text: str | None) -> str | None:
    """--issued, a calendar day (YYYY-MM-DD)."""
    import datetime

    if text is None:
        return None
    day = text.strip()
    try:  # (the pattern first: Python reads other ISO spellings of a day too)
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day) and datetime.date.fromisoformat(day):
            return day
    except ValueError:  # (no such day)
        pass
    raise UsageError(f"--issued {text!r}: write a day as YYYY-MM-DD")


def _data_workbook(data_dir: Path | None, output: Path | None, force: bool,
                   options: dict[str, Any]) -> None:
    """``export --format workbook``: the data as an .xlsx workbook, never to stdout."""
    from . import loader, reports, views
    from .writers import xlsx

    given = [name for name, value in options.items() if value]
    if given:
        raise UsageError(f"{', '.join(given)}: only for --format 360giving")
    if output is None or output.suffix.lower() != ".xlsx":
        raise UsageError("--format workbook is written to a file: give -o FILE.xlsx")
    write_text(xlsx.write(views.data_view(reports.data_tables(loader.load(data_dir)))),
               output, force)


def _recipients(psp: pd.DataFrame, items: list[str]) -> dict[str, str]:
    """``--recipient-org-id PSP=ID`` options as {psp_id: org-id}."""
    from .reports import resolve_psp

    recipients: dict[str, str] = {}
    for item in items:
        name, sep, org = item.partition("=")
        if not sep or not name.strip() or not org.strip():
            raise UsageError(f"--recipient-org-id {item!r}: write it as PSP=ID")
        recipients[resolve_psp(psp, name.strip())] = org.strip()
    return recipients


#: How numpy and pyarrow allocate in a pspctl process, unless the environment says otherwise
#: (read when they are imported). A large ledger makes and drops arrays of tens of MB: with
#: numpy's transparent-huge-page advice and pyarrow's mimalloc pool the kernel spent up to
#: 1.1 s compacting and faulting in memory on 5M rows; without, 0.35-0.5 s (bench/README.md).
_ALLOCATION = {"NUMPY_MADVISE_HUGEPAGE": "0", "ARROW_DEFAULT_MEMORY_POOL": "system"}


def main() -> None:
    """Console-script entry point: run the app, flush, and end the process at once.

    Tearing down an interpreter that has imported pandas and pyarrow takes about 60 ms, which
    a command run in a shell loop or on every TAB press would pay for nothing: every file pspctl
    writes is complete and closed by the time the command returns, so the only thing left to do
    is to flush stdout and stderr. Whatever happens outside a command's guard (an interrupt, a
    stream that cannot be written, a signal) also ends in one line and its exit code.
    """
    _standard_streams()
    for name, value in _ALLOCATION.items():
        os.environ.setdefault(name, value)
    import _signal  # signal's C module: `signal` builds enums, 4-5 ms at every start

    for signum in (_signal.SIGTERM, _signal.SIGHUP):
        _signal.signal(signum, _terminate)
    _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    recorded = _trail_start(sys.argv[1:])
    try:
        app(prog_name="pspctl")
        code = 0
    except SystemExit as done:
        code = _exit_code(done.code)
    except KeyboardInterrupt:
        say("pspctl: interrupted")
        code = 130
    except Terminated as ended:
        _flushed(0)
        _signal.signal(ended.signum, _signal.SIG_DFL)
        os.kill(os.getpid(), ended.signum)
        code = 128 + ended.signum
    except OSError as err:
        say(f"pspctl: error: cannot write output: {err.strerror or err}")
        code = 2
    if recorded:
        _trail_finish(code)
    os._exit(_flushed(code))


def _trail_start(args: list[str]) -> bool:
    """Start recording this command when a trail is asked for (``--trail FILE`` anywhere
    before ``--``, else ``PSPCTL_TRAIL``); whether it is. The trail's own option is not
    recorded as the command's."""
    end = args.index("--") if "--" in args else len(args)
    path, argv, n = os.environ.get("PSPCTL_TRAIL") or None, [], 0
    while n < len(args):
        arg = args[n]
        if n < end and arg == "--trail" and n + 1 < end:
            path, n = args[n + 1], n + 2
            continue
        if n < end and arg.startswith("--trail="):
            path = arg.partition("=")[2]
        else:
            argv.append(arg)
        n += 1
    before = args[:end]
    command = next((a for a in argv if not a.startswith("-")), None)
    if not path or command in (None, "trail") or {"--help", "-h", "--version"} & set(before):
        return False  # (reading a trail, or asking for help, is not a step of the work)
    from . import trail

    trail.start(path, argv)
    return True


def _trail_finish(code: int) -> None:
    from . import trail

    problem = trail.finish(code)
    if problem is not None:
        say(f"pspctl: warning: {problem}")


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def _standard_streams() -> None:
    """Standard streams that were closed when the process started get /dev/null, so that no
    file pspctl opens takes their place; output meant for a closed stdout is then an error.
    stderr shows what it cannot encode escaped, never failing on a character."""
    from . import output

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
            if fd == 1:
                output.stdout_closed = True
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            elif fd == 2:
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    with contextlib.suppress(AttributeError, ValueError):
        sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def _exit_code(code: object) -> int:
    """What ``sys.exit(code)`` would make of ``code``: a message is printed and means 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    say(str(code))
    return 1


def _flushed(code: int) -> int:
    """Flush stdout and stderr before ``os._exit``; a reader that went away is not an error."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            pass
        except (OSError, ValueError) as err:
            if stream is sys.stdout:
                say(f"pspctl: error: cannot write output: {getattr(err, 'strerror', err) or err}")
                code = code or 2
    return code
