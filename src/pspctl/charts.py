"""Charts of the reports, drawn with matplotlib (the optional extra ``pspctl[charts]``).

Each chart is drawn from the same views as the command line (their body rows, not the totals
rows), titled, with axes in £ with thousands separators, the source named in a caption, and
told apart by hatching and shades of grey, so that it reads in greyscale. matplotlib is
imported only when a chart is drawn.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from . import reports, views
from .errors import UsageError
from .loader import Dataset
from .money import total

FORMATS = ("svg", "png")
WRITTEN_AS = "charts are written as .svg or .png"
#: Figure size in inches; a PNG is drawn at 200 dots per inch (2000 by 1200 pixels), fit for
#: a printed briefing.
SIZE = (10.0, 6.0)
DPI = 200
GREYS = ["#1a1a1a", "#4d4d4d", "#808080", "#a6a6a6", "#cccccc", "#e6e6e6"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]
REPORT = f"'{reports.REPORT_TITLE}' (Scottish Government)"
SOURCE = f"Source: {REPORT}, Table 3, recomputed from its cells."
SOURCE_COMPARE = (f"Source: {REPORT}: Table 3 (Scottish Government funds) and the paragraph "
                  "before it (additional funds).")
INSTALL = ("charts need matplotlib, an optional extra: pip install 'pspctl[charts]' "
           "(from a checkout: pip install '.[charts]')")


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise UsageError(INSTALL) from None
    matplotlib.use("Agg")
    return matplotlib


def _pounds_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: f"£{value:,.0f}"))


def _pounds(value: Any) -> float:
    """A money value as a float for drawing only (never for sums or comparisons)."""
    return 0.0 if value is None else float(value)


def _labels(data: Dataset) -> dict[str, str]:
    """Each PSP as a reader knows it, as the tables name it (:func:`reports.psp_labels`);
    drawn literally (a label matplotlib would hide, one starting with ``_``, gets a zero-width
    space first)."""
    return {psp_id: "\u200b" + text if text.startswith("_") else text
            for psp_id, text in reports.psp_labels(data).items()}


#: Characters in a line of a caption (7-point text across a figure 10 inches wide).
CAPTION_WIDTH = 160
#: At most this many PSPs are drawn as series of their own; the others as one.
SERIES = 10


def _series(frame: Any, by: str, money: list[str], labels: dict[str, str]
            ) -> tuple[list[tuple[str, dict[Any, Any]]], str]:
    """The rows of ``frame`` to draw, each with its label: all of them while they are few;
    else the :data:`SERIES` largest by ``by``, in their order, and the rest added up as one
    "all other PSPs (N)" row (so that the figures drawn still add up to the total); and what
    the caption says of it. Only the rows drawn are made into records: a ledger of 20,000
    PSPs is summed column by column."""
    if len(frame) <= SERIES + 1:
        return [(labels[str(r["psp_id"])], r) for r in frame.to_dict("records")], ""
    sizes = [v or 0 for v in frame[by].tolist()]
    ranked = sorted(range(len(frame)), key=lambda n: -sizes[n])
    kept, rest = sorted(ranked[:SERIES]), ranked[SERIES:]
    other: dict[Any, Any] = {"psp_id": None}
    for column in money:
        values = frame[column].tolist()
        stated = [values[n] for n in rest if values[n] is not None]
        other[column] = total(stated) if stated else None
    label = f"All other PSPs ({len(rest):,})"
    drawn = [(labels[str(r["psp_id"])], r) for r in frame.iloc[kept].to_dict("records")]
    return [*drawn, (label, other)], (f" The {len(rest)} smaller PSPs are drawn as one: "
                                      f"{label[0].lower()}{label[1:]}.")


def _real(prices: Any) -> tuple[str, str]:
    """What a chart at ``prices`` adds to its title and to its caption (nothing in cash)."""
    if prices is None:
        return "", ""
    return (f", at {prices.year} prices",
            f" At {prices.year} prices: {prices.deflators.described()}; from "
            f"{prices.deflators.file}.")


def _timeline(data: Dataset, figure: Any, given: Mapping[str, views.View],
              prices: Any = None) -> str:
    if prices is not None:
        from .reports import realterms

        real = realterms.real_matrix(reports.funding_matrix(data), prices)[0]
        table = views.real_matrix_view(real).records
    else:
        table = (given.get("matrix") or views.matrix_view(reports.funding_matrix(data))).records
    money = [c.name for c in table.columns if c.kind == "money"]
    years, by = money[:-1], money[-1]  # the last is the total
    drawn, said = _series(table.body, by, money, _labels(data))
    axes = figure.add_subplot()
    bottom = [0.0] * len(years)
    suffix = prices.suffix if prices is not None else ""
    for n, (label, row) in enumerate(drawn):
        heights = [_pounds(row[y]) for y in years]
        axes.bar([y.removesuffix(suffix).removesuffix("_gbp") for y in years], heights,
                 bottom=bottom, label=label, color=GREYS[n % len(GREYS)],
                 hatch=HATCHES[n % len(HATCHES)], edgecolor="black", linewidth=0.6)
        bottom = [b + h for b, h in zip(bottom, heights)]
    title, caption = _real(prices)
    axes.set_title("Scottish Government funds by financial year, stacked by PSP" + title)
    axes.set_xlabel("Financial year")
    axes.set_ylabel("Funds (£)" if prices is None else f"Funds (£ at {prices.year} prices)")
    _pounds_axis(axes.yaxis)
    handles, names = axes.get_legend_handles_labels()  # listed top down, as the stack is
    axes.legend(handles[::-1], names[::-1], title="PSP", fontsize=8, frameon=False,
                loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return SOURCE + said + caption


def _psp(data: Dataset, figure: Any, given: Mapping[str, views.View],
         prices: Any = None) -> str:
    if prices is not None:
        from .reports import realterms

        rows = realterms.real_by_psp(reports.funding_matrix(data), prices).frame
        by = "government_gbp" + prices.suffix
    else:
        rows, by = views.by_psp_view(reports.funding_by_psp(data)).records.body, "government_gbp"
    drawn, said = _series(rows, by, [by], _labels(data))
    drawn = drawn[::-1]  # the largest at the top
    axes = figure.add_subplot()
    positions = list(range(len(drawn)))
    axes.barh(positions, [_pounds(row[by]) for _, row in drawn], color=GREYS[1],
              hatch="//", edgecolor="black", linewidth=0.6)
    axes.set_yticks(positions, [label for label, _ in drawn])
    title, caption = _real(prices)
    axes.set_title("Scottish Government funds per PSP, all years" + title)
    axes.set_xlabel("Funds (£)" if prices is None else f"Funds (£ at {prices.year} prices)")
    axes.set_ylabel("PSP")
    _pounds_axis(axes.xaxis)
    return SOURCE + said + caption


def _compare(data: Dataset, figure: Any, given: Mapping[str, views.View],
             prices: Any = None) -> str:
    government, additional = "government_gbp", "additional_gbp"
    if prices is not None:
        from .reports import realterms

        real = realterms.real_compare(reports.compare(data), data, prices)
        body = real.frame.assign(**{additional: [  # at the prices where it has a year, else cash
            r if r is not None else c for r, c in zip(real.frame[additional + prices.suffix],
                                                      real.frame["additional_cash_gbp"])]})
        government += prices.suffix
    else:
        body = (given.get("compare") or views.compare_view(reports.compare(data))).records.body
    drawn, said = _series(body, government, [government, additional], _labels(data))
    drawn = drawn[::-1]  # the first at the top
    axes = figure.add_subplot()
    positions = list(range(len(drawn)))
    axes.barh([p + 0.2 for p in positions], [_pounds(row[government]) for _, row in drawn],
              height=0.4, color=GREYS[1], edgecolor="black", linewidth=0.6,
              label="Scottish Government funds")
    axes.barh([p - 0.2 for p in positions], [_pounds(row[additional]) for _, row in drawn],
              height=0.4, color=GREYS[4], hatch="..", edgecolor="black", linewidth=0.6,
              label="Additional funds from other organisations" + (
                  "" if prices is None else " (in cash where stated with no year)"))
    for position, (_, row) in zip(positions, drawn):
        if row[additional] is None:
            axes.annotate("additional funds: not stated", (0, position - 0.2), xytext=(4, 0),
                          textcoords="offset points", va="center", fontsize=8)  # off the axis
    axes.set_yticks(positions, [label for label, _ in drawn])
    title, caption = _real(prices)
    axes.set_title("Scottish Government and additional funds per PSP" + title)
    axes.set_xlabel("Funds (£)" if prices is None else f"Funds (£; government at {prices.year} "
                    "prices)")
    axes.set_ylabel("PSP")
    _pounds_axis(axes.xaxis)
    axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0.0, -0.12),
                ncols=2)
    return SOURCE_COMPARE + said + caption


DRAW: dict[str, Callable[[Dataset, Any, Mapping[str, views.View], Any], str]] = {
    "timeline": _timeline, "psp": _psp, "compare": _compare,
}
KINDS = tuple(DRAW)


#: How every chart is drawn: text drawn literally (a ``$`` in a name is not math), SVG text
#: kept as text, the same output for the same data.
RC = {"svg.fonttype": "none", "svg.hashsalt": "pspctl", "font.size": 10,
      "text.parse_math": False}


def figure(kind: str, data: Dataset, given: Mapping[str, views.View] | None = None,
           prices: Any = None) -> Any:
    """The chart ``kind`` as a matplotlib Figure, laid out (to draw, or to measure); ``given``:
    the views of ``data`` it is drawn from (``matrix``, ``compare``), when they are made
    already; ``prices``: the money at those prices
    (:class:`~pspctl.reports.realterms.Prices`), or in cash."""
    if kind not in DRAW:
        raise UsageError(f"no chart {kind!r}: use one of {', '.join(KINDS)}")
    _matplotlib()
    from matplotlib.figure import Figure

    drawn = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    caption = DRAW[kind](data, drawn, given or {}, prices)
    # A caption the layout makes room for, under the axes' own labels: never over them; in
    # lines that fit the width of the figure.
    # (words and names whole: a file's name is never broken at its hyphens)
    lines = textwrap.wrap(caption, CAPTION_WIDTH, break_on_hyphens=False,
                          break_long_words=False)
    drawn.supxlabel("\n".join(lines), fontsize=7, x=0.01, ha="left")
    return drawn


def draw(kind: str, data: Dataset, fmt: str,
         given: Mapping[str, views.View] | None = None, prices: Any = None) -> bytes:
    """The chart ``kind`` (timeline, psp, compare) as SVG or PNG bytes; ``given`` and
    ``prices`` as for :func:`figure`."""
    if fmt not in FORMATS:
        raise UsageError(f"{WRITTEN_AS}, not .{fmt}")
    matplotlib = _matplotlib()
    with matplotlib.rc_context(RC):
        drawn = figure(kind, data, given, prices)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        drawn.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()
