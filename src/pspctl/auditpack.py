"""The audit pack: one document an auditor can hand over, as Markdown or self-contained HTML.

Built entirely from the same report functions and the same renderer as the command line, so the
document and the commands can never disagree: what the data is and where it comes from, Table 3
recomputed, the reconciliation verdict with every mismatch and its candidate explanations, the
additional-funds comparison, and the charts (inlined SVG in HTML; files next to the Markdown).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import reports
from ._clock import made
from ._paths import sha256_of
from ._progress import stage
from ._version import __version__
from .errors import UsageError
from .loader import TABLES, Dataset
from .views import (
    Table,
    View,
    compare_view,
    diff_view,
    largest_rows,
    matrix_view,
    real_by_year_view,
    real_matrix_view,
    reconcile_view,
    review_view,
    trail_view,
)
from .writers import html as html_writer
from .writers import markdown as markdown_writer
from .writers.html import html_text

TITLE = "Audit pack: Scottish Government funding of the six Strategic PSPs"
FORMATS = ("md", "html", "xlsx")
#: What a pack without charts says of them.
NO_CHARTS = ("No charts in this pack: drawing them needs matplotlib, an optional extra "
             "(pip install 'pspctl[charts]').")
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
th { background: #e8e8e8; text-align: left; overflow-wrap: normal; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;
            overflow-wrap: normal; }
td.key { white-space: nowrap; overflow-wrap: normal; }
tr.total td { font-weight: bold; background: #f3f3f3; }
tr.mismatch td { font-weight: bold; background: #fde2e2; }
.verdict { font-weight: bold; padding: .5rem; border: 2px solid #111; }
figure { margin: 1rem 0; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #333; }
table.print { display: none; }
@page { margin: 15mm; }
@media print { body { max-width: none; margin: 0; padding: 0; }
               h2, h3 { break-after: avoid; }
               table { font-size: 8pt; } tr, tbody.keep, table.short { break-inside: avoid; }
               table.screen { display: none; } table.print { display: table; } }
"""


def _page_boxes(made: str) -> str:
    """What every printed page carries: the pack's title and date at the top, "Page N of M" at
    the foot (CSS page margin boxes)."""
    def string(text: str) -> str:  # a CSS string: quotes, backslashes and breaks escaped
        return '"' + "".join(c if c.isalnum() or c in " :-,.()" else f"\\{ord(c):x} "
                             for c in text) + '"'

    return ("@page { @top-left { content: " + string(TITLE) + "; font: 8pt sans-serif; }\n"
            "        @top-right { content: " + string(made) + "; font: 8pt sans-serif; }\n"
            '        @bottom-center { content: "Page " counter(page) " of " counter(pages); '
            "font: 8pt sans-serif; } }\n")


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
    return made().strftime("%Y-%m-%d %H:%M UTC")


def checksums(data: Dataset) -> list[tuple[str, str]]:
    """The SHA-256 of each data file read (the workbook's, for a workbook), by name."""
    found = []
    source = Path(data.data_dir)
    for path in [source] if source.is_file() else [source / s.filename for s in TABLES]:
        found.append((path.name, sha256_of(path) or "(could not be read again)"))
    return found


def _counts(data: Dataset) -> str:
    return (f"{len(data.psp):,} PSPs, {len(data.funding):,} funding figures, "
            f"{len(data.totals):,} published totals, {len(data.outcomes):,} outcomes")


def _listed(sums: list[tuple[str, str]]) -> str:
    return "; ".join(f"<code>{html_text(name)}</code> {digest}" for name, digest in sums)


def _source_section(data: Dataset, sums: list[tuple[str, str]] | None = None,
                    made: str | None = None, against: Dataset | None = None
                    ) -> list[tuple[str, str]]:
    """Where the data comes from, what it is (with the SHA-256 of each file), when and how the
    pack was made; ``against``, the earlier edition the differences are from, named the same
    way with its own checksums."""
    from .export import data_source

    counts = _counts(data)
    address = data_source(data)
    link = (f' (<a href="{html.escape(address, quote=True)}">{html_text(address)}</a>)'
            if address else "")
    listed = _listed(checksums(data) if sums is None else sums)
    earlier = [] if against is None else [
        ("p", f"Compared against the earlier edition: {html_text(data_name(against))}: "
              f"{_counts(against)}. SHA-256 of its files: {_listed(checksums(against))}.")]
    return [
        ("p", f"The figures are those of the research report <em>{reports.REPORT_TITLE}</em> "
              f"(Scottish Government){link}, section 3.1 and Table 3 "
              "(Scottish Government funds per PSP per financial year), transcribed exactly as "
              "printed, with the source of every figure; the additional funds from other "
              "organisations are those of the paragraph before Table 3."),
        ("p", f"Data: {html_text(data_name(data))}: {counts}. "
              "A blank figure means not stated, never zero; no figure was changed to make a "
              "total agree. Money is summed exactly, in pence."),
        ("p", f"SHA-256 of the data files: {listed}."),
        ("p", _terms()),
        *earlier,
        ("p", f"Made {made or made_at()} by pspctl {__version__} from the same views as its "
              "commands (<code>pspctl funding</code>, <code>pspctl reconcile</code>, "
              "<code>pspctl compare</code>)."),
        ("p", _trail_kept()),
    ]


def _terms() -> str:
    """On what terms the figures may be reused (the data's licence, its attribution)."""
    from .licences import ATTRIBUTION, DATA_LICENCE, SOURCE

    address = html.escape(DATA_LICENCE["path"], quote=True)
    words = {k: html.escape(v, quote=False) for k, v in
             (("title", DATA_LICENCE["title"]), ("attribution", ATTRIBUTION),
              ("source", SOURCE))}
    return (f"Licence: the data is Crown copyright, published under the {words['title']} "
            f'(<a href="{address}">{html.escape(DATA_LICENCE["path"], quote=False)}</a>); '
            f"reuse it with this attribution: \"{words['attribution']}\" {words['source']} "
            "pspctl itself is MIT-licensed.")


def _trail_kept() -> str:
    """Whether the command that made the pack was recorded in an audit trail."""
    from .output import recorded_trail

    if recorded_trail() is not None:
        return ("An audit trail was kept: the command that made this pack is recorded in it "
                "with the SHA-256 of every file it read and wrote (<code>pspctl trail FILE "
                "--replay</code> re-performs it).")
    return ("No audit trail was kept while this pack was made (<code>PSPCTL_TRAIL=FILE</code> "
            "or <code>pspctl --trail FILE</code> keeps one).")


#: A table of the pack with more rows than this shows this many and the rest as one line (the
#: complete table goes beside the pack); reconciliation results are never shortened.
PACK_ROWS = 20


Section = tuple[str, View, tuple[tuple[str, str], ...]]


def sections(data: Dataset, against: Dataset | None = None, prices: Any = None,
             trail_of: Any = None) -> list[Section]:
    """The pack's sections, each a heading, the view of a command (``funding``, ``reconcile``,
    ``compare``, ``review``, ``diff``) and, for its first tables, what their rows are and the
    name of the complete table (a table without them, as reconciliation results, is never
    shortened). The charts are drawn from the same views (:func:`chart_views`). ``prices``
    (:class:`~pspctl.reports.realterms.Prices`) adds Table 3 and the funds by year at those
    prices after Table 3; the rest stays in cash, as the published totals are."""
    stage("reconciling")
    result = reports.reconcile(data)
    stage("reviewing")
    found: list[Section] = [
        ("Table 3, recomputed from its cells",
         matrix_view(reports.funding_matrix(data), published=reports.table3_published(data)),
         (("PSPs", "table-3"),)),
        ("Reconciliation", reconcile_view(result, collapsed=True), ()),
        ("Additional funds against government funds", compare_view(reports.compare(data)),
         (("PSPs", "additional-funds"),)),
        ("Analytical review", review_view(reports.review(data)),
         (("observations", "observations"),)),
    ]
    if prices is not None:
        found[1:1] = _real_sections(data, prices)
    if against is not None:
        found.append(("Differences from the earlier edition",
                      diff_view(reports.differences(against, data)),
                      (("changes", "changes"),)))
    if trail_of is not None:  # (path, entries): how the work this pack reports was done
        path, entries = trail_of
        found.append(("How the work was done: the audit trail", trail_view(entries, str(path)),
                      (("commands", "trail"),)))
    return found


def _real_sections(data: Dataset, prices: Any) -> list[Section]:
    from .reports import realterms

    matrix = reports.funding_matrix(data)
    return [
        (f"Table 3 at {prices.year} prices",
         real_matrix_view(realterms.real_matrix(matrix, prices)[0]),
         (("PSPs", "table-3-real-terms"),)),
        (f"Funds by financial year at {prices.year} prices",
         real_by_year_view(realterms.real_by_year(reports.funding_by_year(data), prices)), ()),
    ]


def chart_views(found: list[Section]) -> dict[str, View]:
    """The views the charts are drawn from, as :func:`pspctl.charts.draw` takes them."""
    views = {heading: view for heading, view, _ in found}
    return {"matrix": views["Table 3, recomputed from its cells"],
            "compare": views["Additional funds against government funds"]}


def build(data: Dataset, fmt: str, charts: dict[str, bytes] | None = None,
          chart_stem: str = "chart", against: Dataset | None = None,
          found: list[Section] | None = None, sums: list[tuple[str, str]] | None = None,
          prices: Any = None) -> Pack:
    """The audit pack as ``md``, ``html`` or ``xlsx``; ``charts`` maps chart kinds to SVG
    bytes; ``against``, an earlier edition, adds the differences from it; ``found``: the
    :func:`sections`, and ``sums`` the :func:`checksums`, when they are made already. The
    sections are written by the same writers as the commands: the same figures, the same
    notes. A long table shows its largest rows and the rest as one line
    (:func:`~pspctl.views.largest_rows`); the complete table is beside the pack
    (``STEM-NAME.csv``), or a sheet of the workbook."""
    if fmt not in FORMATS:
        raise UsageError(f"{WRITTEN_AS}, not .{fmt}")
    if found is None:
        found = sections(data, against, prices)
    stage("writing the pack")
    shown, complete = _scaled(found, chart_stem, fmt)
    made = made_at()  # once: every page and the text say the same time
    about = _source_section(data, sums, made, against)
    charts = charts or {}
    if fmt == "xlsx":
        return _workbook(about, shown, complete, made)
    pack = (_markdown(about, shown, charts, chart_stem) if fmt == "md"
            else _html(about, shown, charts, made))
    for name, table in complete:
        pack.attachments[name] = _csv(table)
    return pack


def _csv(table: Table) -> bytes:
    """A complete table as CSV (RFC 4180, UTF-8): what goes beside the pack."""
    from .writers import delimited

    return delimited.write_csv(View((table,))).encode("utf-8")


#: A section as a document shows it: its heading, its view, and the complete tables beside the
#: pack that it names (how many rows, the file's name).
Shown = tuple[str, View, list[tuple[int, str]]]


def _scaled(found: list[Section], stem: str, fmt: str
            ) -> tuple[list[Shown], list[tuple[str, Table]]]:
    """The sections with every long table shortened, and the complete tables, each with the
    name it has beside the pack (a file, or a sheet of the workbook, which a note names).
    ``long`` names, for the first tables of a section, what their rows are and the name of the
    complete table; a table without them (reconciliation results) is never shortened."""
    shown: list[Shown] = []
    complete: list[tuple[str, Table]] = []
    for heading, view, long in found:
        tables: list[Table] = []
        notes = list(view.notes)
        beside: list[tuple[int, str]] = []
        for n, table in enumerate(view.sections):
            short, sentence = (largest_rows(table, PACK_ROWS, long[n][0]) if n < len(long)
                               else (table, None))
            if sentence is not None:
                name = f"{long[n][1]} (all)" if fmt == "xlsx" else f"{stem}-{long[n][1]}.csv"
                notes.append(sentence + (f" All {len(table.body):,} rows: the sheet “{name}”."
                                         if fmt == "xlsx" else ""))
                beside.append((len(table.body), name))
                complete.append((name, table))
            tables.append(short)
        shown.append((heading, replace(view, sections=tuple(tables), notes=tuple(notes)),
                      beside if fmt != "xlsx" else []))
    return shown, complete


def _markdown(about: list[tuple[str, str]], sections: list[Shown], charts: dict[str, bytes],
              stem: str) -> Pack:
    def para(text: str) -> str:
        text = re.sub(r"</?em>", "*", text)
        text = re.sub(r'<a href="([^"]*)">[^<]*</a>', r"<\1>", text)
        return re.sub(r"</?code>", "`", text)

    parts = [f"# {TITLE}\n", "## What the data is and where it comes from\n"]
    parts += [para(text) + "\n" for _, text in about]
    for heading, view, beside in sections:
        parts.append(f"## {heading}\n")
        if view.verdict:  # up front, in bold, rather than after the tables
            parts.append(f"**{markdown_writer.markdown_text(view.verdict)}**\n")
        parts.append(markdown_writer.write(replace(view, verdict=None), labels=True))
        parts += [f"All {rows:,} rows: [{_link_text(name)}]({quote(name)}), beside this pack.\n"
                  for rows, name in beside]
    attachments = {}
    if not charts:
        parts.append(markdown_writer.markdown_text(NO_CHARTS) + "\n")
    if charts:
        parts.append("## Charts\n")
        for kind, svg in charts.items():
            name = f"{stem}-{kind}.svg"
            attachments[name] = svg
            parts.append(f"![{CHART_TITLES[kind]}]({quote(name)})\n")  # percent-encoded
    return Pack("\n".join(parts), attachments)


def _link_text(name: str) -> str:
    """A file's name as the text of a Markdown link: escaped, brackets too."""
    return markdown_writer.markdown_text(name).replace("[", "\\[").replace("]", "\\]")


def _workbook(about_data: list[tuple[str, str]], sections: list[Shown],
              complete: list[tuple[str, Table]], made: str) -> Pack:
    """The pack as a workbook: a sheet for each section of each view, the complete long
    tables, then the notes (where the data comes from, each view's notes and verdict)."""
    from .writers import xlsx

    about = [html.unescape(re.sub(r"<[^>]+>", "", text)) for _, text in about_data]
    notes = [*about]
    for heading, view, _ in sections:
        notes += [f"{heading}: {line}" for line in
                  [*view.notes, *([view.verdict] if view.verdict else [])]]
    tables = tuple(table for _, view, _ in sections for table in view.sections)
    whole = tuple(replace(table, title=name, sheet=name) for name, table in complete)
    return Pack(xlsx.write(View((*tables, *whole), notes=tuple(notes), made=made)))


def _html(about: list[tuple[str, str]], sections: list[Shown],
          charts: dict[str, bytes], made: str) -> Pack:
    body = [f"<h1>{html.escape(TITLE)}</h1>", "<h2>What the data is and where it comes from</h2>"]
    body += [f"<p>{text}</p>" for _, text in about]
    for heading, view, beside in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if view.verdict:  # up front, rather than after the tables
            body.append(f'<p class="verdict">{html_text(view.verdict)}</p>')
        body.append(html_writer.write(replace(view, verdict=None), labels=True, paged=True))
        body += [f'<p>All {rows:,} rows: <a href="{html.escape(quote(name), quote=True)}">'
                 f"{html_text(name)}</a>, beside this pack.</p>" for rows, name in beside]
    if not charts:
        body.append(f"<p>{html_text(NO_CHARTS)}</p>")
    if charts:
        body.append("<h2>Charts</h2>")
        for kind, svg in charts.items():
            text = svg.decode("utf-8")
            text = text[text.find("<svg"):]  # inline: drop the XML prolog and doctype
            body.append(f"<figure>{text}<figcaption>{html.escape(CHART_TITLES[kind])}"
                        "</figcaption></figure>")
    document = (
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(TITLE)}</title>\n<style>{CSS}{_page_boxes(made)}</style>\n"
        "</head>\n<body>\n"
        + "\n".join(body) + "\n</body>\n</html>\n"
    )
    return Pack(document)
