"""Workbooks made by hand from their XML text (zipfile and strings only), in any spelling the
formats allow: what spreadsheets, programs and hostile hands write, for the tests of
:mod:`pspctl._sheets`."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pspctl.schema import column_letter as letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
KIND = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: The smallest valid data, by table: the header, then rows (str is text, int and float are
#: numbers).
SMALL: dict[str, list[list[object]]] = {
    "psp": [["psp_id", "name", "table_label", "established", "sector", "focus", "lead",
             "lead_sector", "table_note", "source"],
            ["p0", "Partnership 0", None, 2012, "text", None, None, None, None, "t"]],
    "funding": [["psp_id", "year", "stream", "funder", "funder_sector", "amount_gbp", "source"],
                ["p0", "2013-14", "government", "Scottish Government", None, 51139, "t"]],
    "totals": [["total_id", "kind", "psp_id", "year", "stream", "amount_gbp", "label",
                "source"],
               ["g", "grand_total", None, None, "government", 51139, None, "t"]],
    "outcomes": [["psp_id", "outcome", "value", "qualifier", "source"],
                 ["p0", "x", 1, None, "t"]],
}


def zipped(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str)
                             else content)
    return buffer.getvalue()


def ooxml_text(text: str) -> str:
    """Text as a cell's XML holds it: characters XML cannot hold, and a literal ``_x``
    escape, written as OOXML's ``_xHHHH_``; then XML's own escapes."""
    out = []
    for n, char in enumerate(text):
        if char == "_" and text[n:n + 2] == "_x":
            out.append("_x005F_")
        elif (ord(char) < 32 and char not in "\t\n") or char in "\r\ufffe\uffff":
            out.append(f"_x{ord(char):04X}_")
        else:
            out.append(char)
    return escape("".join(out))


@dataclass
class Spelling:
    """How a workbook writes its XML: each choice one the format allows."""

    prefix: str = ""  # "x:" binds SpreadsheetML to a prefix instead of the default namespace
    quote: str = '"'
    references: str = "all"  # all, none, some
    inline: float = 0.0  # the share of text cells written as inline strings, not shared
    formulas: float = 0.0  # the share of number cells written as formulas with their value
    spaces: bool = False  # whitespace between elements
    cdata: bool = False  # text in CDATA sections
    seed: int = 0
    order: list[int] = field(default_factory=list)  # the sheets' order in the workbook


def xlsx(tables: dict[str, list[list[object]]] | None = None, spelling: Spelling | None = None,
         *, states: dict[str, str] | None = None, names: dict[str, str] | None = None,
         calc: str = "", sst: str = "", sheets: dict[str, str] | None = None,
         extra: dict[str, str | bytes] | None = None) -> bytes:
    """A workbook of ``tables`` (by default :data:`SMALL`) written in ``spelling``; ``states``
    hides sheets, ``names`` renames them, ``calc`` is the calcPr element, ``sst`` more
    attributes of the shared strings, ``sheets`` replaces a sheet's whole XML, ``extra`` adds
    parts."""
    tables = SMALL if tables is None else tables
    spelling = spelling or Spelling()
    states, names, sheets = states or {}, names or {}, sheets or {}
    randomly = random.Random(spelling.seed)
    p, q = spelling.prefix, spelling.quote
    ns = f"xmlns:{p[:-1]}={q}{MAIN}{q}" if p else f"xmlns={q}{MAIN}{q}"
    gap = "\n  " if spelling.spaces else ""
    strings: list[str] = []
    index: dict[str, int] = {}
    parts: dict[str, str | bytes] = {}
    titles = list(tables)
    order = spelling.order or list(range(len(titles)))
    for n, title in enumerate(titles, start=1):
        rows = []
        for r, row in enumerate(tables[title], start=1):
            cells = []
            for c, value in enumerate(row):
                if value is None:
                    continue
                with_r = spelling.references == "all" or (
                    spelling.references == "some" and randomly.random() < 0.5)
                # without a reference a cell is the next after the one before: only where
                # no cell was left out before it
                if not with_r and any(v is None for v in row[:c]):
                    with_r = True
                ref = f" r={q}{letter(c)}{r}{q}" if with_r else ""
                cells.append(_cell(value, ref, spelling, randomly, strings, index))
            row_ref = f" r={q}{r}{q}" if spelling.references != "none" else ""
            rows.append(f"<{p}row{row_ref}>{gap}{gap.join(cells)}{gap}</{p}row>")
        body = gap.join(rows)
        parts[f"xl/worksheets/sheet{n}.xml"] = sheets.get(title) or (
            f"<?xml version={q}1.0{q} encoding={q}UTF-8{q}?>\n<{p}worksheet {ns}>{gap}"
            f"<{p}sheetData>{gap}{body}{gap}</{p}sheetData>{gap}</{p}worksheet>")
    listed = "".join(
        f"<{p}sheet name={q}{escape(names.get(titles[n], titles[n]))}{q} sheetId={q}{n + 1}{q}"
        + (f" state={q}{states[titles[n]]}{q}" if titles[n] in states else "")
        + f" r:id={q}rId{n + 1}{q}/>" for n in order)
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '</Types>')
    parts["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{KIND}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>")
    parts["xl/workbook.xml"] = (
        f"<?xml version={q}1.0{q} encoding={q}UTF-8{q}?>\n<{p}workbook {ns} "
        f"xmlns:r={q}{RELS}{q}>{gap}<{p}sheets>{listed}</{p}sheets>{gap}{calc}</{p}workbook>")
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{KIND}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(titles) + 1))
    rels += (f'<Relationship Id="rId{len(titles) + 1}" Type="{KIND}/sharedStrings" '
             'Target="sharedStrings.xml"/>')
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">{rels}'
        "</Relationships>")
    items = "".join(f"<{p}si><{p}t>{_text(s, spelling)}</{p}t></{p}si>" for s in strings)
    parts["xl/sharedStrings.xml"] = (
        f"<?xml version={q}1.0{q} encoding={q}UTF-8{q}?>\n<{p}sst {ns} count={q}{len(strings)}"
        f"{q} uniqueCount={q}{len(strings)}{q}{sst}>{items}</{p}sst>")
    parts.update(extra or {})
    return zipped(parts)


def xlsxwriter_book(path: Path, tables: dict[str, list[list[object]]],
                    special: Callable[[Any, Any, str, int, int, object], bool] | None = None,
                    then: Callable[[Any], None] | None = None) -> Path:
    """``tables`` written by XlsxWriter, as a program writes a workbook; ``special`` writes a
    cell its own way (``workbook, sheet, title, row, column, value``) and says so by returning
    True; ``then`` writes more before the workbook is closed."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    for title, rows in tables.items():
        sheet = workbook.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                done = special is not None and special(workbook, sheet, title, r, c, value)
                if not done and value is not None:
                    sheet.write(r, c, value)
    if then is not None:
        then(workbook)
    workbook.close()
    return path


def edited(content: bytes, part: str, old: str, new: str) -> bytes:
    """A workbook with ``old`` replaced by ``new`` once in its ``part``."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts: dict[str, str | bytes] = {n: archive.read(n) for n in archive.namelist()}
    text = parts[part].decode("utf-8") if isinstance(parts[part], bytes) else str(parts[part])
    assert old in text, f"{old!r} is not in {part}"
    parts[part] = text.replace(old, new, 1)
    return zipped(parts)


def _text(text: str, spelling: Spelling) -> str:
    if spelling.cdata and "]]>" not in text and text == ooxml_text(text):
        return f"<![CDATA[{text}]]>"
    return ooxml_text(text)


def _cell(value: object, ref: str, spelling: Spelling, randomly: random.Random,
          strings: list[str], index: dict[str, int]) -> str:
    p, q = spelling.prefix, spelling.quote
    if isinstance(value, str):
        if randomly.random() < spelling.inline:
            return (f"<{p}c{ref} t={q}inlineStr{q}><{p}is><{p}t>{_text(value, spelling)}"
                    f"</{p}t></{p}is></{p}c>")
        if value not in index:
            index[value] = len(strings)
            strings.append(value)
        return f"<{p}c{ref} t={q}s{q}><{p}v>{index[value]}</{p}v></{p}c>"
    number = repr(value) if isinstance(value, float) else str(value)
    if randomly.random() < spelling.formulas:
        return f"<{p}c{ref}><{p}f>{number}+0</{p}f><{p}v>{number}</{p}v></{p}c>"
    return f"<{p}c{ref}><{p}v>{number}</{p}v></{p}c>"


def ods(tables: dict[str, str], *, styles: str = "", manifest: str = "") -> bytes:
    """An .ods file whose tables are given as their rows' XML (``table:table-row`` elements),
    with automatic ``styles`` and the ``manifest``."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
        ' xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0">'
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        "<office:body><office:spreadsheet>"
        + "".join(f'<table:table table:name="{escape(name)}"{attributes}>{rows}</table:table>'
                  for name, (attributes, rows) in ((n, _split(t)) for n, t in tables.items()))
        + "</office:spreadsheet></office:body></office:document-content>")
    parts: dict[str, str | bytes] = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                                     "content.xml": content}
    if manifest:
        parts["META-INF/manifest.xml"] = manifest
    return zipped(parts)


def _split(table: str) -> tuple[str, str]:
    """``'| table:style-name="ta2"|<rows>'`` gives the table's attributes and rows."""
    if table.startswith("|"):
        attributes, _, rows = table[1:].partition("|")
        return f" {attributes}", rows
    return "", table


def ods_rows(rows: list[list[object]]) -> str:
    """Rows as .ods XML: text as strings, numbers as floats."""
    out = []
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("<table:table-cell/>")
            elif isinstance(value, str):
                cells.append(f'<table:table-cell office:value-type="string"><text:p>'
                             f"{escape(value)}</text:p></table:table-cell>")
            else:
                cells.append(f'<table:table-cell office:value-type="float" office:value='
                             f'"{value}"><text:p>{value}</text:p></table:table-cell>')
        out.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    return "".join(out)
