"""The audit pack: one document an auditor can hand over, as Markdown or self-contained HTML.

Built entirely from the same report functions and the same renderer as the command line, so the
document and the commands can never disagree: what the data is and where it comes from, Table 3
recomputed, the reconciliation verdict with every mismatch and its candidate explanations, the
additional-funds comparison, and the charts (inlined SVG in HTML; files next to the Markdown).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from . import reports
from ._version import __version__
from .errors import UsageError
from .loader import TABLES, Dataset
from .views import View, compare_view, diff_view, matrix_view, reconcile_view, review_view
from .writers import html as html_writer
from .writers import markdown as markdown_writer

TITLE = "Audit pack: Scottish Government funding of the six Strategic PSPs"
FORMATS = ("md", "html", "xlsx")
WRITTEN_AS = "the audit pack is written as .md, .html or .xlsx"
CHART_TITLES = {
    "timeline": "Funding by financial year, stacked by PSP",
    "psp": "Funding per PSP",
    "compare": "Government and additional funds per PSP",
}
CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #111; line-height: 1.45; }
h1, h2 { font-family: Helvetica, Arial, sans-serif; }
h2 { border-bottom: 1px solid #999; padding-bottom: .2rem; margin-top: 2rem; }
p { overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .8rem; width: 100%; }
th, td { border: 1px solid #888; padding: .2rem .35rem; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #e8e8e8; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;
            overflow-wrap: normal; }
td.key { white-space: nowrap; overflow-wrap: normal; }
tr.total td { font-weight: bold; background: #f3f3f3; }
tr.mismatch td { font-weight: bold; background: #fde2e2; }
.verdict { font-weight: bold; padding: .5rem; border: 2px solid #111; }
figure { margin: 1rem 0; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #333; }
@page { margin: 15mm; }
@media print { body { max-width: none; margin: 0; padding: 0; } h2 { page-break-after: avoid; }
               table { font-size: 7pt; } tr { page-break-inside: avoid; } }
"""


@dataclass
class Pack:
    """The document's text, and the files that go next to it (Markdown's charts)."""

    text: str | bytes
    attachments: dict[str, bytes] = field(default_factory=dict)


def data_name(data: Dataset) -> str:
    """The data as a reader knows it: pspctl's bundled data, or the folder's name (never a
    path on the machine that made the pack)."""
    from ._paths import bundled_data_dir

    try:
        bundled = Path(data.data_dir).resolve() == bundled_data_dir().resolve()
    except OSError:
        bundled = False
    if bundled:
        return f"the bundled data of pspctl {__version__}"
    what = "workbook" if Path(data.data_dir).is_file() else "data folder"
    return f"the {what} “{Path(data.data_dir).name}”"


def made_at() -> str:
    """When the pack is made, in UTC: ``SOURCE_DATE_EPOCH`` when it is set (a reproducible
    pack), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit()
            else datetime.now(timezone.utc))
    return when.strftime("%Y-%m-%d %H:%M UTC")


def checksums(data: Dataset) -> list[tuple[str, str]]:
    """The SHA-256 of each data file read (the workbook's, for a workbook), by name."""
    found = []
    source = Path(data.data_dir)
    for path in [source] if source.is_file() else [source / s.filename for s in TABLES]:
        try:
            found.append((path.name, hashlib.sha256(path.read_bytes()).hexdigest()))
        except OSError:
            found.append((path.name, "(could not be read again)"))
    return found


def _source_section(data: Dataset) -> list[tuple[str, str]]:
    from .export import data_source

    counts = (f"{len(data.psp)} PSPs, {len(data.funding)} funding figures, "
              f"{len(data.totals)} published totals, {len(data.outcomes)} outcomes")
    address = data_source(data)
    link = (f' (<a href="{html.escape(address, quote=True)}">{html.escape(address)}</a>)'
            if address else "")
    sums = "; ".join(f"<code>{name}</code> {digest}" for name, digest in checksums(data))
    return [
        ("p", f"The figures are those of the research report <em>{reports.REPORT_TITLE}</em> "
              f"(Scottish Government){link}, section 3.1 and Table 3 "
              "(Scottish Government funds per PSP per financial year), transcribed exactly as "
              "printed, with the source of every figure; the additional funds from other "
              "organisations are those of the paragraph before Table 3."),
        ("p", f"Data: {html.escape(data_name(data))}: {counts}. "
              "A blank figure means not stated, never zero; no figure was changed to make a "
              "total agree. Money is summed exactly, in pence."),
        ("p", f"SHA-256 of the data files: {sums}."),
        ("p", f"Made {made_at()} by pspctl {__version__} from the same views as its "
              "commands (<code>pspctl funding</code>, <code>pspctl reconcile</code>, "
              "<code>pspctl compare</code>)."),
    ]


def build(data: Dataset, fmt: str, charts: dict[str, bytes] | None = None,
          chart_stem: str = "chart", against: Dataset | None = None) -> Pack:
    """The audit pack as ``md``, ``html`` or ``xlsx``; ``charts`` maps chart kinds to SVG
    bytes; ``against``, an earlier edition, adds the differences from it. Its sections are the
    views of the commands (``funding``, ``reconcile``, ``compare``, ``review``, ``diff``),
    written by the same writers: the same figures, the same notes."""
    if fmt not in FORMATS:
        raise UsageError(f"{WRITTEN_AS}, not .{fmt}")
    result = reports.reconcile(data)
    sections = [
        ("Table 3, recomputed from its cells", matrix_view(reports.funding_matrix(data))),
        ("Reconciliation", reconcile_view(result, collapsed=True)),
        ("Additional funds against government funds", compare_view(reports.compare(data))),
        ("Analytical review", review_view(reports.review(data))),
    ]
    if against is not None:
        sections.append(("Differences from the earlier edition",
                         diff_view(reports.differences(against, data))))
    charts = charts or {}
    if fmt == "xlsx":
        return _workbook(data, sections)
    if fmt == "md":
        return _markdown(data, sections, charts, chart_stem)
    return _html(data, sections, charts)


def _markdown(data: Dataset, sections: list[tuple[str, View]], charts: dict[str, bytes],
              stem: str) -> Pack:
    def para(text: str) -> str:
        text = re.sub(r"</?em>", "*", text)
        text = re.sub(r'<a href="([^"]*)">[^<]*</a>', r"<\1>", text)
        return re.sub(r"</?code>", "`", text)

    parts = [f"# {TITLE}\n", "## What the data is and where it comes from\n"]
    parts += [para(text) + "\n" for _, text in _source_section(data)]
    for heading, view in sections:
        parts.append(f"## {heading}\n")
        if view.verdict:  # up front, in bold, rather than after the tables
            parts.append(f"**{markdown_writer.markdown_text(view.verdict)}**\n")
        parts.append(markdown_writer.write(replace(view, verdict=None), labels=True))
    attachments = {}
    if charts:
        parts.append("## Charts\n")
        for kind, svg in charts.items():
            name = f"{stem}-{kind}.svg"
            attachments[name] = svg
            parts.append(f"![{CHART_TITLES[kind]}]({name})\n")
    return Pack("\n".join(parts), attachments)


def _workbook(data: Dataset, sections: list[tuple[str, View]]) -> Pack:
    """The pack as a workbook: a sheet for each section of each view, then the notes (where
    the data comes from, each view's notes and verdict)."""
    from .writers import xlsx

    about = [html.unescape(re.sub(r"<[^>]+>", "", text)) for _, text in _source_section(data)]
    notes = [*about]
    for heading, view in sections:
        notes += [f"{heading}: {line}" for line in
                  [*view.notes, *([view.verdict] if view.verdict else [])]]
    tables = tuple(table for _, view in sections for table in view.sections)
    return Pack(xlsx.write(View(tables, notes=tuple(notes))))


def _html(data: Dataset, sections: list[tuple[str, View]], charts: dict[str, bytes]) -> Pack:
    body = [f"<h1>{html.escape(TITLE)}</h1>", "<h2>What the data is and where it comes from</h2>"]
    body += [f"<p>{text}</p>" for _, text in _source_section(data)]
    for heading, view in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if view.verdict:  # up front, rather than after the tables
            body.append(f'<p class="verdict">{html.escape(view.verdict)}</p>')
        body.append(html_writer.write(replace(view, verdict=None), labels=True))
    if charts:
        body.append("<h2>Charts</h2>")
        for kind, svg in charts.items():
            text = svg.decode("utf-8")
            text = text[text.find("<svg"):]  # inline: drop the XML prolog and doctype
            body.append(f"<figure>{text}<figcaption>{html.escape(CHART_TITLES[kind])}"
                        "</figcaption></figure>")
    document = (
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(TITLE)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body) + "\n</body>\n</html>\n"
    )
    return Pack(document)
