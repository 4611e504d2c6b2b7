"""Charts of the reports, drawn with matplotlib (the optional extra ``pspctl[charts]``).

Each chart is drawn from the same views as the command line (their body rows, not the totals
rows), titled, with axes in £ with thousands separators, the source named in a caption, and
told apart by hatching and shades of grey, so that it reads in greyscale. matplotlib is
imported only when a chart is drawn.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from . import reports, views
from .errors import UsageError
from .loader import Dataset

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
    """Each PSP as a reader knows it: Table 3's row label, else its name; drawn literally (a
    label matplotlib would hide, one starting with ``_``, gets a zero-width space first)."""
    labels = {}
    for psp_id, name, label in zip(data.psp["psp_id"].astype(str), data.psp["name"].astype(str),
                                   data.psp["table_label"].tolist()):
        text = str(label) if isinstance(label, str) and label.strip() else name
        labels[psp_id] = "\u200b" + text if text.startswith("_") else text
    return labels


def _timeline(data: Dataset, figure: Any) -> str:
    table = views.matrix_view(reports.funding_matrix(data)).records
    matrix = table.body
    years = [c.name for c in table.columns if c.kind == "money"][:-1]  # the last is the total
    labels = _labels(data)
    axes = figure.add_subplot()
    bottom = [0.0] * len(years)
    for n, row in enumerate(matrix.to_dict("records")):
        heights = [_pounds(row[y]) for y in years]
        axes.bar(years, heights, bottom=bottom, label=labels[str(row["psp_id"])],
                 color=GREYS[n % len(GREYS)], hatch=HATCHES[n % len(HATCHES)],
                 edgecolor="black", linewidth=0.6)
        bottom = [b + h for b, h in zip(bottom, heights)]
    axes.set_title("Scottish Government funds by financial year, stacked by PSP")
    axes.set_xlabel("Financial year")
    axes.set_ylabel("Funds (£)")
    _pounds_axis(axes.yaxis)
    handles, names = axes.get_legend_handles_labels()  # listed top down, as the stack is
    axes.legend(handles[::-1], names[::-1], title="PSP", fontsize=8, frameon=False,
                loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return SOURCE


def _psp(data: Dataset, figure: Any) -> str:
    frame = views.by_psp_view(reports.funding_by_psp(data)).records.body.iloc[::-1]
    axes = figure.add_subplot()
    labels = _labels(data)
    positions = list(range(len(frame)))
    axes.barh(positions, [_pounds(v) for v in frame["amount_gbp"]], color=GREYS[1],
              hatch="//", edgecolor="black", linewidth=0.6)
    axes.set_yticks(positions, [labels[str(p)] for p in frame["psp_id"]])
    axes.set_title("Scottish Government funds per PSP, all years")
    axes.set_xlabel("Funds (£)")
    axes.set_ylabel("PSP")
    _pounds_axis(axes.xaxis)
    return SOURCE


def _compare(data: Dataset, figure: Any) -> str:
    frame = views.compare_view(reports.compare(data)).records.body.iloc[::-1]
    axes = figure.add_subplot()
    positions = list(range(len(frame)))
    government = [_pounds(v) for v in frame["government_gbp"]]
    additional = [_pounds(v) for v in frame["additional_gbp"]]
    axes.barh([p + 0.2 for p in positions], government, height=0.4, color=GREYS[1],
              edgecolor="black", linewidth=0.6, label="Scottish Government funds")
    axes.barh([p - 0.2 for p in positions], additional, height=0.4, color=GREYS[4], hatch="..",
              edgecolor="black", linewidth=0.6, label="Additional funds from other organisations")
    for position, value in zip(positions, frame["additional_gbp"]):
        if value is None:
            axes.text(0, position - 0.2, "  additional funds: not stated", va="center",
                      fontsize=8)
    labels = _labels(data)
    axes.set_yticks(positions, [labels[str(p)] for p in frame["psp_id"]])
    axes.set_title("Scottish Government and additional funds per PSP")
    axes.set_xlabel("Funds (£)")
    axes.set_ylabel("PSP")
    _pounds_axis(axes.xaxis)
    axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0.0, -0.12),
                ncols=2)
    return SOURCE_COMPARE


DRAW: dict[str, Callable[[Dataset, Any], str]] = {
    "timeline": _timeline, "psp": _psp, "compare": _compare,
}
KINDS = tuple(DRAW)


#: How every chart is drawn: text drawn literally (a ``$`` in a name is not math), SVG text
#: kept as text, the same output for the same data.
RC = {"svg.fonttype": "none", "svg.hashsalt": "pspctl", "font.size": 10,
      "text.parse_math": False}


def figure(kind: str, data: Dataset) -> Any:
    """The chart ``kind`` as a matplotlib Figure, laid out (to draw, or to measure)."""
    if kind not in DRAW:
        raise UsageError(f"no chart {kind!r}: use one of {', '.join(KINDS)}")
    _matplotlib()
    from matplotlib.figure import Figure

    drawn = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    caption = DRAW[kind](data, drawn)
    # A caption the layout makes room for, under the axes' own labels: never over them.
    drawn.supxlabel(caption, fontsize=7, x=0.01, ha="left")
    return drawn


def draw(kind: str, data: Dataset, fmt: str) -> bytes:
    """The chart ``kind`` (timeline, psp, compare) as SVG or PNG bytes."""
    if fmt not in FORMATS:
        raise UsageError(f"{WRITTEN_AS}, not .{fmt}")
    matplotlib = _matplotlib()
    with matplotlib.rc_context(RC):
        drawn = figure(kind, data)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        drawn.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()
