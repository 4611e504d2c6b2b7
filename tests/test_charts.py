"""Charts: each one as PNG and SVG, a valid image of the expected size with its title and labels."""

from __future__ import annotations

import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SMALL, run, write_ledger

TITLES = {
    "timeline": "Scottish Government funds by financial year, stacked by PSP",
    "psp": "Scottish Government funds per PSP, all years",
    "compare": "Scottish Government and additional funds per PSP",
}



def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("720pt", "432pt")  # 10 x 6 inches
    return ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("kind", list(TITLES))
def test_png(tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.png"
    assert run(["chart", kind, "-o", str(target)]) == (0, "", "")
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (2000, 1200)  # 10 x 6 inches at 200 dots per inch
    assert [p.name for p in tmp_path.iterdir()] == [f"{kind}.png"]


@pytest.mark.parametrize("kind", list(TITLES))
def test_svg_title_axes_and_caption(tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.svg"
    assert run(["chart", kind, "-o", str(target)]) == (0, "", "")
    texts = svg_texts(target)
    assert TITLES[kind] in texts
    assert "Funds (£)" in texts
    assert any(t.startswith("Source: 'Strategic Public Social Partnership model: report'")
               for t in texts)
    assert any(t.startswith("£") and "," in t for t in texts)  # £ with thousands separators


def test_timeline_has_every_year_and_psp(tmp_path: Path) -> None:
    target = tmp_path / "t.svg"
    run(["chart", "timeline", "-o", str(target)])
    texts = svg_texts(target)
    assert {"2012-13", "2013-14", "2014-15", "2015-16", "2016-17", "2017-18"} <= set(texts)
    # PSPs by Table 3's labels, listed top down as the stack is (the last drawn on top)
    legend = [t for t in texts if t in {"Low Moss Prison", "NHS Lothian Strategic PSPs",
                                        "East Renfrewshire HSCP", "'The Life I Want'",
                                        "SPT Community Transport", "Elevate"}]
    assert legend == ["Elevate", "SPT Community Transport", "'The Life I Want'",
                      "East Renfrewshire HSCP", "NHS Lothian Strategic PSPs", "Low Moss Prison"]
    assert "low-moss" not in texts
    assert "£800,000" in texts


def test_compare_marks_not_stated(tmp_path: Path) -> None:
    target = tmp_path / "c.svg"
    run(["chart", "compare", "-o", str(target), "--data-dir", str(SMALL)])
    texts = svg_texts(target)
    assert texts.count("additional funds: not stated") == 1  # beta states none
    assert "Additional funds from other organisations" in texts


def test_refuses_to_overwrite_and_other_suffixes(tmp_path: Path) -> None:
    target = tmp_path / "t.png"
    target.write_bytes(b"keep")
    assert run(["chart", "psp", "-o", str(target)]) == (
        2, "", f"pspctl: error: {target}: already exists; use --force to replace it\n")
    assert target.read_bytes() == b"keep"
    assert run(["chart", "psp", "-o", str(target), "--force"])[0] == 0
    assert run(["chart", "psp", "-o", str(tmp_path / "t.jpg")]) == (
        2, "", f"pspctl: error: -o {tmp_path / 't.jpg'}: charts are written as .svg or .png\n")


def test_without_matplotlib_one_line_on_how_to_install(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert run(["chart", "psp", "-o", str(tmp_path / "t.svg")]) == (
        2, "",
        "pspctl: error: charts need matplotlib, an optional extra: pip install 'pspctl[charts]' "
        "(from a checkout: pip install '.[charts]')\n",
    )
    assert list(tmp_path.iterdir()) == []


def _boxes_overlap(a: object, b: object) -> bool:
    return bool(a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", list(TITLES))
@pytest.mark.parametrize(("data_dir", "real"), [(None, False), (SMALL, False), (None, True)])
def test_no_text_overlaps_other_text(kind: str, data_dir: Path | None, real: bool) -> None:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from pspctl import charts, loader

    with matplotlib.rc_context(charts.RC):
        figure = charts.figure(kind, loader.load(data_dir), prices=_prices() if real else None)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()  # laid out as it is saved
        renderer = canvas.get_renderer()
        hidden = set()  # labels of ticks outside the axes' limits, which are not drawn
        for axes in figure.axes:
            for axis in (axes.xaxis, axes.yaxis):
                low, high = sorted(axis.get_view_interval())
                for tick in axis.get_major_ticks():
                    if not low <= tick.get_loc() <= high:
                        hidden.update({id(tick.label1), id(tick.label2)})
        texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()
                 and id(t) not in hidden]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        lines = [spine.get_window_extent(renderer) for axes in figure.axes
                 for spine in axes.spines.values() if spine.get_visible()]
    assert len(boxes) > 10
    page = figure.bbox
    for text, box in boxes:  # all on the page
        assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, text
    for n, (text, box) in enumerate(boxes):
        for other, other_box in boxes[n + 1:]:
            assert not _boxes_overlap(box, other_box), (text, other)
        for line in lines:  # no text on an axis line, nor touching one (2 px apart at least)
            assert not _boxes_overlap(box, line.expanded(1, 1).padded(2)), text


def test_text_from_the_data_is_drawn_literally(tmp_path: Path) -> None:
    from conftest import data_dir_from

    directory = data_dir_from(tmp_path)
    psp = directory / "psp.csv"
    psp.write_text(psp.read_text().replace("Alpha,2012", "$\\frac{1}{2}$ cost,2012")
                   .replace("Beta,2013", "_hidden,2013"))
    target = tmp_path / "t.svg"
    assert run(["chart", "timeline", "-o", str(target), "--data-dir", str(directory)]) == (
        0, "", "")
    texts = svg_texts(target)
    assert "$\\frac{1}{2}$ cost" in texts  # as written, not typeset as math
    assert "\u200b_hidden" in texts  # in the legend, not hidden by matplotlib


def _ledger(directory: Path, psps: int) -> Path:
    """A valid data folder of ``psps`` PSPs, each funded in three years."""
    rows = [f"p{n},{year},government,SG,government,{1000 + n * 37 + k},t\n"
            for n in range(psps) for k, year in enumerate(["2012-13", "2013-14", "2014-15"])]
    rows += [f"p{n},,additional,Trust,charitable trust,{50 + n},t\n" for n in range(0, psps, 3)]
    return write_ledger(directory, psps, rows)


@pytest.mark.parametrize("psps", [6, 50, 2000])
def test_charts_stay_legible_at_any_size(tmp_path: Path, psps: int) -> None:
    import warnings
    from decimal import Decimal

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from pspctl import charts, loader, reports

    data = loader.load(_ledger(tmp_path / "data", psps))
    total = float(sum(reports.funding_by_psp(data)["government_gbp"], Decimal(0)))
    with matplotlib.rc_context(charts.RC), warnings.catch_warnings():
        warnings.simplefilter("error")  # no layout warning at any size
        for kind in charts.KINDS:
            figure = charts.figure(kind, data)
            FigureCanvasAgg(figure).draw()
            axes = figure.axes[0]
            bars = axes.patches
            if kind == "timeline":
                legend = [t.get_text() for t in axes.get_legend().get_texts()]
                assert len(legend) == min(psps, charts.SERIES + 1)
                assert (legend[0] == f"All other PSPs ({psps - charts.SERIES:,})") == (psps > 11)
                drawn = sum(bar.get_height() for bar in bars)
            elif kind == "psp":
                assert len(bars) == min(psps, charts.SERIES + 1)
                drawn = sum(bar.get_width() for bar in bars)
            else:
                assert len(axes.get_yticklabels()) == min(psps, charts.SERIES + 1)
                drawn = sum(bar.get_width() for bar in bars[: len(bars) // 2])
            assert abs(drawn - total) < 0.01, kind  # the figures drawn add up to the total
            caption = figure.get_supxlabel().replace("\n", " ")
            assert ("smaller PSPs are drawn as one" in caption) == (psps > 11)


def _prices() -> object:
    from pspctl.deflators import load_deflators
    from pspctl.reports.realterms import prices_of

    return prices_of(load_deflators(DEFLATORS), "2016-17")


DEFLATORS = Path(__file__).resolve().parent / "deflators" / "hm-treasury-layout.csv"


@pytest.mark.parametrize("kind", list(TITLES))
def test_a_chart_in_real_terms_says_so(tmp_path: Path, kind: str) -> None:
    """Title "at 2016-17 prices", the axis in £ at those prices, and the caption naming the
    series, its update and base, and the file; the bars are the real-terms figures."""
    target = tmp_path / f"{kind}.svg"
    assert run(["chart", kind, "-o", str(target), "--real-terms", "2016-17", "--deflators",
                str(DEFLATORS)]) == (0, "", "")
    texts = svg_texts(target)
    assert TITLES[kind] + ", at 2016-17 prices" in texts
    assert ("Funds (£; government at 2016-17 prices)" if kind == "compare"
            else "Funds (£ at 2016-17 prices)") in texts
    caption = " ".join(texts[texts.index(next(t for t in texts if t.startswith("Source"))):])
    assert (f"At 2016-17 prices: GDP deflator (HM Treasury, updated 29 September 2017), base "
            f"2016-17 = 100; from {DEFLATORS}.") in caption


def test_the_real_terms_bars_are_the_real_terms_figures() -> None:
    from decimal import Decimal

    import matplotlib

    from pspctl import charts, loader

    with matplotlib.rc_context(charts.RC):
        figure = charts.figure("psp", loader.load(), prices=_prices())
    widths = sorted(round(bar.get_width(), 2) for bar in figure.axes[0].patches)
    assert widths[-1] == float(Decimal("1014622.16"))  # Low Moss at 2016-17 prices
