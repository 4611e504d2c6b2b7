"""The cells of a workbook's sheets (.xlsx, .xlsm, .ods), read by pspctl itself from the file's
XML with the standard library: no declared size is trusted, nothing the file says can make it
allocate more than the cells it holds, and no cell is read in a way a spreadsheet would not
show it.

* **XML read as XML**: every part is parsed by expat, namespace-aware (``<x:c>`` is a cell when
  ``x`` names SpreadsheetML), with either quoting, with or without ``r=`` references; a part
  that declares a DTD is refused, so no entity is ever expanded.
* **Bounded by content**: cells are kept where they are present, never as a grid of the extent
  a sheet declares or spans; an .ods file's repeated rows and cells are expanded only within
  the columns pspctl reads and only while they stay within a budget set by the file's content.
* **Values as a spreadsheet shows them**: a formula's saved value only when a spreadsheet
  computed it (a workbook that asks to be recalculated on load, as every file a program writes
  with formulas does, has no value pspctl can trust); an error cell (``#N/A``) is an error,
  never a blank; a number formatted as a date is that date.
* **Sheets as a person sees them**: names matched as a spreadsheet matches them (without regard
  to case); a hidden sheet, or two sheets answering to one name, is a problem, never a silent
  choice; a near miss (``'funding '``) is named.

This module imports no pandas, so that shell completion can use it.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import io
import itertools
import math
import operator
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from .errors import InputError
from .schema import column_letter

#: The last cell of a sheet (Excel's and LibreOffice's limits).
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
#: Columns read cell by cell; a cell further right is only noted (pspctl's tables have at most
#: 1,000 columns, :data:`pspctl.schema.MAX_COLUMNS`).
READ_COLUMNS = 1_001
#: Cells an .ods file may expand to by repeating, at least; more for a larger file.
REPEAT_BUDGET = 1_000_000

_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
         "http://purl.oclc.org/ooxml/spreadsheetml/main")
_RELS_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            "http://purl.oclc.org/ooxml/officeDocument/relationships")
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: an encrypted or an old .xls

PASSWORD = ("is protected by a password, so its cells cannot be read: open it in a spreadsheet "
            "and save a copy without the password (Excel: File > Info > Protect Workbook > "
            "Encrypt with Password, cleared; LibreOffice: File > Save As, 'Save with password' "
            "unticked)")


class Number(str):
    """A number as the file writes it (``90170.32000000001``): the reader of the column decides
    how it becomes text (money to the penny, a whole number without a point)."""

    __slots__ = ()


@dataclass(frozen=True)
class Unreadable:
    """A cell whose figure cannot be known: an error value, or a formula without a value a
    spreadsheet computed."""

    kind: str
    shown: str
    message: str


Value = Any  # str, Number or Unreadable


@dataclass
class Sheet:
    """The cells of one sheet: its rows present in the file, in order, each a list of values by
    column (``""`` where a cell is absent), at most :data:`READ_COLUMNS` wide; ``beyond`` names,
    for a row, the first column further right that holds something."""

    name: str
    rows: list[tuple[int, list[Value]]] = field(default_factory=list)
    beyond: dict[int, int] = field(default_factory=dict)
    #: Problems of a cell found while reading: (row, cell, kind, message).
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    #: Rows and columns (0-based) a person does not see: hidden, or collapsed.
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)  # first, last

    def column_hidden(self, column: int) -> bool:
        return any(first <= column <= last for first, last in self.hidden_columns)


def blank(value: Value) -> bool:
    return isinstance(value, str) and not value.strip()


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: reading makes millions of small objects, none in a
    cycle, and the collector's passes over them cost more than the reading (1.3 s against 2.6 s
    for the 200,000-row bench workbook)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_book(raw: bytes, name: str, wanted: Sequence[str], limit: int
              ) -> dict[str, Sheet | tuple[str, str]]:
    """The sheets ``wanted`` of the workbook ``raw`` (called ``name``): each a :class:`Sheet`,
    or ``(kind, message)`` when it cannot be read as the one sheet of its name (hidden, or two
    answering to it). A file that is not a workbook, is protected by a password, lacks a sheet,
    is malformed, or would expand to more than ``limit`` bytes (a workbook is a zip archive: a
    small file can hold gigabytes) is an :class:`InputError`."""
    if raw.startswith(_CFB):
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise InputError(f"{name}: {PASSWORD}")
        raise InputError(f"{name}: an old binary workbook (.xls), not .xlsx, .xlsm or .ods: "
                         "save it as .xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(f"{name}: cannot be read as a workbook (not a zip archive, as .xlsx, "
                         ".xlsm and .ods files are)") from None
    with archive, without_gc():
        parts = _Parts(archive, name, limit)
        if parts.has("content.xml") or parts.has("mimetype"):
            return _ods(parts, wanted)
        return _xlsx(parts, wanted)


# --- the archive ---------------------------------------------------------------------------------


class _Parts:
    """A workbook's zip archive: parts by name (as a spreadsheet looks them up, without regard
    to case), each parsed as XML when read."""

    def __init__(self, archive: zipfile.ZipFile, name: str, limit: int) -> None:
        self.archive, self.name = archive, name
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = info.filename.lower()
            if key in self.infos:
                raise InputError(f"{name}: holds two parts named {info.filename!r}: a workbook "
                                 "has one of each")
            if info.compress_type not in _COMPRESSIONS:
                raise InputError(f"{name}: {info.filename} is packed in a way this Python "
                                 f"cannot unpack (zip method {info.compress_type}): save the "
                                 "workbook again in a spreadsheet")
            self.infos[key] = info
        expanded = sum(info.file_size for info in self.infos.values())
        if expanded > limit:  # what zipfile unpacks never exceeds what a part declares
            raise InputError(f"{name}: expands to {expanded:,} bytes, over the limit of "
                             f"{limit:,} (set PSPCTL_MAX_BYTES to raise it)")

    def has(self, part: str) -> bool:
        return part.lower() in self.infos

    def bytes(self, part: str) -> bytes:
        with self._unpacking(part) as stream:
            return stream.read()

    def parse(self, part: str, handlers: _Handlers, what: str) -> None:
        """Parse ``part`` with ``handlers``, as it is unpacked."""
        if not self.has(part):
            raise InputError(f"{self.name}: cannot be read as a workbook (no {what}, {part})")
        parser = handlers.parser()
        try:
            with self._unpacking(part) as stream:
                while chunk := stream.read(1 << 20):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError as err:
            raise InputError(f"{self.name}: {what} ({part}) is not well-formed XML: line "
                             f"{err.lineno}, column {err.offset + 1}: "
                             f"{expat.ErrorString(err.code)}") from None
        except _Refused as refused:
            raise InputError(f"{self.name}: {what} ({part}) {refused}") from None

    @contextlib.contextmanager
    def _unpacking(self, part: str) -> Iterator[Any]:
        """``part`` opened to be unpacked; a part that cannot be (encrypted, damaged) is an
        :class:`InputError` naming it."""
        try:
            with self.archive.open(self.infos[part.lower()]) as stream:
                yield stream
        except RuntimeError as err:  # zipfile: "File ... is encrypted"
            if "encrypted" in str(err):
                raise InputError(f"{self.name}: {PASSWORD}") from None
            raise InputError(f"{self.name}: {part} cannot be read ({err})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
            raise InputError(f"{self.name}: {part} cannot be read ({err})") from None


#: The ways of packing a part that zipfile unpacks (stored, deflated, bzip2, lzma).
_COMPRESSIONS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                           zipfile.ZIP_LZMA})


class _Refused(Exception):
    """A part pspctl will not read, with the reason."""


class _Handlers:
    """An expat parser's handlers: names arrive as ``namespace local`` (one space)."""

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass

    def parser(self) -> Any:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = _no_dtd
        parser.EntityDeclHandler = _no_dtd
        return parser


def _no_dtd(*_: object) -> None:
    raise _Refused("declares a DTD, which a workbook never needs: pspctl does not read it")


# --- sheet names -----------------------------------------------------------------------------


def _choose(sheets: Sequence[tuple[str, str, Any]], wanted: Sequence[str], name: str
            ) -> dict[str, tuple[str, Any] | tuple[str, str]]:
    """For each name wanted, its one sheet as ``("sheet", where)``, or ``(kind, message)``:
    ``sheets`` are (name, state, where), in the workbook's order. Names match as a spreadsheet
    matches them, without regard to case; a missing sheet is an :class:`InputError` that names
    any near miss."""
    chosen: dict[str, tuple[str, Any] | tuple[str, str]] = {}
    missing = []
    for want in wanted:
        found = [s for s in sheets if s[0].casefold() == want.casefold()]
        if not found:
            missing.append(want)
        elif len(found) > 1:
            listed = " and ".join(_shown_sheet(s) for s in found)
            chosen[want] = ("duplicate-sheet", f"{len(found)} sheets answer to {want!r}: "
                            f"{listed}; a spreadsheet shows one, so rename or delete the others")
        elif found[0][1] != "visible":
            chosen[want] = ("hidden-sheet", f"the sheet {found[0][0]!r} is {found[0][1]}: "
                            "pspctl reads what a person sees, so unhide it (or delete it)")
        else:
            chosen[want] = ("sheet", found[0][2])
    if missing:
        near = [s[0] for want in missing for s in sheets if _near(s[0]) == _near(want)]
        hint = f"; found {', '.join(map(repr, near))}" if near else ""
        raise InputError(f"{name}: no sheet {', '.join(map(repr, missing))}{hint}: a workbook "
                         "of pspctl data holds the sheets psp, funding, totals and outcomes")
    return chosen


def _shown_sheet(sheet: tuple[str, str, Any]) -> str:
    return repr(sheet[0]) + ("" if sheet[1] == "visible" else f" ({sheet[1]})")


def _near(text: str) -> str:
    """A sheet name as a person reads it: compatibility forms, case, spaces of any kind and
    invisible characters set aside."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


# --- .xlsx and .xlsm ---------------------------------------------------------------------------


def _xlsx(parts: _Parts, wanted: Sequence[str]) -> dict[str, Sheet | tuple[str, str]]:
    name = parts.name
    book_part = _office_document(parts)
    rels = _relations(parts, book_part)
    book = _Book()
    parts.parse(book_part, book, "the workbook part")
    sheets = []
    for title, state, rid in book.sheets:
        target = rels.get(rid)
        sheets.append((title, state, target))
    chosen = _choose(sheets, wanted, name)
    strings: list[str] | None = None
    styles: _Styles | None = None
    out: dict[str, Sheet | tuple[str, str]] = {}
    for want in wanted:
        kind, where = chosen[want]
        if kind != "sheet":
            out[want] = (kind, where)
            continue
        if where is None or not parts.has(where[0]):
            raise InputError(f"{name}: the sheet {want!r} has no part in the file "
                             "(a damaged workbook)")
        if strings is None:
            strings = _shared_strings(parts, rels)
            styles = _styles(parts, rels)
        assert styles is not None
        out[want] = _worksheet(parts, where[0], want, strings, styles, book)
    return out


def _office_document(parts: _Parts) -> str:
    """The workbook part named by the package's relationships (``xl/workbook.xml`` as a rule)."""
    if parts.has("_rels/.rels"):
        rels = _Relations("")
        parts.parse("_rels/.rels", rels, "the package's relationships")
        for kind, target in rels.found.values():
            if kind.endswith("/officeDocument") and parts.has(target):
                return target
    if parts.has("xl/workbook.xml"):
        return "xl/workbook.xml"
    raise InputError(f"{parts.name}: cannot be read as a workbook (no workbook part: neither "
                     ".xlsx, .xlsm nor .ods)")


def _relations(parts: _Parts, source: str) -> dict[str, tuple[str, str]]:
    """{relationship id: (part, type)} of ``source``'s relationships part."""
    folder, base = posixpath.split(source)
    part = posixpath.join(folder, "_rels", f"{base}.rels")
    if not parts.has(part):
        return {}
    rels = _Relations(folder)
    parts.parse(part, rels, "the workbook's relationships")
    return {rid: (target, kind) for rid, (kind, target) in rels.found.items()}


class _Relations(_Handlers):
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == f"{_PACKAGE_RELS} Relationship" and attributes.get("TargetMode") != "External":
            target = attributes.get("Target", "")
            path = (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join(self.folder, target)))
            self.found[attributes.get("Id", "")] = (attributes.get("Type", ""), path)


class _Book(_Handlers):
    """workbook.xml: the sheets in order (name, state, relationship id), and how its formulas
    were saved."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str, str]] = []
        self.recalculate = False
        self.date1904 = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        if namespace not in _MAIN:
            return
        if local == "sheet":
            rid = next((v for k, v in attributes.items()
                        if k.rpartition(" ")[0] in _RELS_NS and k.endswith(" id")), "")
            self.sheets.append((attributes.get("name", ""), attributes.get("state", "visible"),
                                rid))
        elif local == "calcPr":
            self.recalculate = any(_true(attributes.get(a))
                                   for a in ("fullCalcOnLoad", "forceFullCalc"))
        elif local == "workbookPr":
            self.date1904 = _true(attributes.get("date1904"))


def _true(value: str | None) -> bool:
    return value is not None and value.strip() in ("1", "true")


def _shared_strings(parts: _Parts, rels: dict[str, tuple[str, str]]) -> list[str]:
    part = next((p for p, kind in rels.values() if kind.endswith("/sharedStrings")),
                "xl/sharedStrings.xml")
    if not parts.has(part):
        return []
    strings = _Strings()
    parts.parse(part, strings, "the shared strings")
    return strings.found


class _Strings(_Handlers):
    """Rich text as a spreadsheet shows it: the text of its runs, without phonetic guides."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.pieces: list[str] = []
        self.collect = False
        self.hidden = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        if namespace not in _MAIN:
            return
        if local == "si":
            self.pieces = []
        elif local == "t" and not self.hidden:
            self.collect = True
        elif local in ("rPh", "phoneticPr"):
            self.hidden += 1

    def end(self, tag: str) -> None:
        namespace, _, local = tag.rpartition(" ")
        if namespace not in _MAIN:
            return
        if local == "si":
            self.found.append(unescaped("".join(self.pieces)))
        elif local == "t":
            self.collect = False
        elif local in ("rPh", "phoneticPr"):
            self.hidden -= 1

    def text(self, data: str) -> None:
        if self.collect:
            self.pieces.append(data)


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescaped(text: str) -> str:
    """OOXML's escapes of characters XML cannot hold (``_x000D_``) undone, as a spreadsheet
    shows the text."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


# Built-in number formats that show dates or times (ECMA-376 18.8.30 and the CJK ones).
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


@dataclass
class _Styles(_Handlers):
    """styles.xml: which cell formats show a number as a date."""

    dates: set[int] = field(default_factory=set)
    formats: dict[int, str] = field(default_factory=dict)
    in_xfs: bool = False
    count: int = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        if namespace not in _MAIN:
            return
        if local == "numFmt":
            given = attributes.get("numFmtId", "")
            if given.strip().isdigit():
                self.formats[int(given)] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            self.in_xfs = True
        elif local == "xf" and self.in_xfs:
            try:
                number = int(attributes.get("numFmtId", "0"))
            except ValueError:
                number = 0
            code = self.formats.get(number)
            if (code is None and number in _DATE_FORMATS) or (code is not None
                                                                and _is_date(code)):
                self.dates.add(self.count)
            self.count += 1

    def end(self, tag: str) -> None:
        if tag.endswith(" cellXfs"):
            self.in_xfs = False


def _is_date(code: str) -> bool:
    shown = _FORMAT_NOISE.sub("", code.split(";")[0]).lower()
    return any(c in shown for c in "dmyhs") and "general" not in shown


def _styles(parts: _Parts, rels: dict[str, tuple[str, str]]) -> _Styles:
    part = next((p for p, kind in rels.values() if kind.endswith("/styles")), "xl/styles.xml")
    styles = _Styles()
    if parts.has(part):
        parts.parse(part, styles, "the styles")
    return styles


def _serial_date(number: str, date1904: bool) -> str | None:
    """A date serial as ISO 8601 (``2016-04-01``, with the time where it has one), as the
    spreadsheet shows it; ``None`` for a number that is no date."""
    try:
        serial = float(number)
    except ValueError:
        return None
    if not (0 <= serial < 2_958_466):  # up to 9999-12-31
        return None
    if date1904:
        base = datetime.datetime(1904, 1, 1)
    else:  # 1900 system: serial 60 is the 29 February 1900 that never was
        base = datetime.datetime(1899, 12, 31) if serial < 60 else datetime.datetime(1899, 12, 30)
    moment = base + datetime.timedelta(seconds=round(serial * 86400))
    if moment.time() == datetime.time():
        return moment.date().isoformat()
    return moment.isoformat()


class _SheetCells(_Handlers):
    """A worksheet's cells, as present: a cell's place is its ``r`` reference, or the next
    after the one before it."""

    def __init__(self, sheet: Sheet, strings: list[str], styles: _Styles, book: _Book) -> None:
        self.sheet, self.strings, self.styles, self.book = sheet, strings, styles, book
        self.rows: dict[int, list[Value]] = {}
        self.row = 0
        self.column = 0
        self.cell: tuple[int, int, str, str] | None = None  # row, column, type, style
        self.value: list[str] | None = None
        self.inline: list[str] | None = None
        self.formula = False
        self.has_value = False
        self.depth = 0  # inside sheetData
        self.hidden = 0  # inside a phonetic run of an inline string
        self.collect = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        if namespace not in _MAIN:
            return
        if local == "c" and self.depth:
            reference = attributes.get("r")
            if reference is None:
                row, column = self.row or 1, self.column
            else:
                row, column = _reference(reference)
            self.row, self.column = row, column + 1
            self.cell = (row, column, attributes.get("t", "n"), attributes.get("s", "0"))
            self.value, self.inline, self.formula, self.has_value = None, None, False, False
        elif self.cell is not None:
            if local == "v":
                self.value, self.collect, self.has_value = [], True, True
            elif local == "f":
                self.formula = True
            elif local == "is":
                self.inline = []
            elif local == "t" and self.inline is not None and not self.hidden:
                self.collect = True
            elif local == "rPh":
                self.hidden += 1
        elif local == "col" and not self.depth:
            _hidden_columns(self.sheet, attributes)
        elif local == "row" and self.depth:
            number = attributes.get("r")
            if number is None:
                self.row += 1
            else:
                try:
                    self.row = int(number)
                except ValueError:
                    raise _Refused(f"has a row numbered {number!r}") from None
                if not 1 <= self.row <= MAX_ROW:
                    raise _Refused(f"has a row numbered {self.row:,}, beyond a sheet's last "
                                   f"row ({MAX_ROW:,})")
            self.column = 0
            if _true(attributes.get("hidden")):
                self.sheet.hidden_rows.add(self.row)
        elif local == "sheetData":
            self.depth = 1

    def end(self, tag: str) -> None:
        namespace, _, local = tag.rpartition(" ")
        if namespace not in _MAIN:
            return
        if local in ("v", "t"):
            self.collect = False
        elif local == "rPh":
            self.hidden -= 1
        elif local == "c" and self.cell is not None:
            self.place(*self.cell)
            self.cell = None
        elif local == "sheetData":
            self.depth = 0

    def text(self, data: str) -> None:
        if self.collect:
            if self.inline is not None and self.value is None:
                self.inline.append(data)
            elif self.value is not None:
                self.value.append(data)

    def place(self, row: int, column: int, kind: str, style: str) -> None:
        value = self.typed(kind, style)
        put(self.rows, self.sheet, row, column, value)

    def typed(self, kind: str, style: str) -> Value:
        text = "".join(self.value) if self.value is not None else None
        if kind == "e":
            return _error(text.strip() if text and text.strip() else "an error")
        if self.formula:  # its value is a figure only if a spreadsheet computed and saved it
            saved = text is not None and (kind == "str" or bool(text.strip()))
            if not saved:
                return _NO_VALUE
            if self.book.recalculate:
                return _NO_VALUE_RECALCULATE
        if kind == "inlineStr":
            return unescaped("".join(self.inline or ()))
        if text is None:
            return ""
        return _plain_value(kind, text, style, self.strings, self.styles.dates,
                            self.book.date1904)


def _hidden_columns(sheet: Sheet, attributes: dict[str, str]) -> None:
    """A ``<col min= max= hidden=>`` of a worksheet: the columns it hides, noted."""
    if not _true(attributes.get("hidden")):
        return
    try:
        first, last = int(attributes.get("min", "")), int(attributes.get("max", ""))
    except ValueError:
        raise _Refused("has a column range that is not numbered (min and max)") from None
    if not 1 <= first <= last <= MAX_COLUMN:
        raise _Refused(f"hides columns {first} to {last}, beyond a sheet's columns "
                       f"(1 to {MAX_COLUMN:,})")
    sheet.hidden_columns.append((first - 1, last - 1))


_NO_VALUE = Unreadable(
    "no-value", "", "the cell holds a formula saved without its value (a program wrote the "
    "file, no spreadsheet calculated it): open and save it in a spreadsheet, or type the value")
_NO_VALUE_RECALCULATE = Unreadable(
    "no-value", "", "a formula whose saved value no spreadsheet computed (the workbook asks to "
    "be recalculated when it is opened, as files programs write do): open it in a "
    "spreadsheet that recalculates it (Excel; LibreOffice set to recalculate on load), "
    "save it, or type the value")


def _error(shown: str) -> Unreadable:
    return Unreadable("error-value", shown, f"the cell holds {shown!r}, an error, not a figure: "
                      "correct the formula or type the value")


_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\Z")


def _reference(text: str) -> tuple[int, int]:
    """``F5`` as (row 5, column 5, 0-based); a reference beyond a sheet's last cell is refused."""
    match = _REFERENCE.match(text.strip())
    if match is None:
        raise _Refused(f"has a cell referenced as {text!r}, which is not a cell reference")
    column = 0
    for char in match[1].upper():
        column = column * 26 + ord(char) - 64
    row = int(match[2])
    if not (1 <= row <= MAX_ROW and column <= MAX_COLUMN):
        raise _Refused(f"has a cell {text!r}, beyond a sheet's last cell (XFD{MAX_ROW})")
    return row, column - 1


def put(rows: dict[int, list[Value]], sheet: Sheet, row: int, column: int, value: Value) -> None:
    """Place one cell, present in the file, in ``rows``."""
    if column >= READ_COLUMNS:  # only noted: the row holds something further right
        if not blank(value) and column < sheet.beyond.get(row, MAX_COLUMN):
            sheet.beyond[row] = column
            rows.setdefault(row, [])
        return
    cells = rows.get(row)
    if cells is None:
        cells = rows[row] = []
    if column == len(cells):
        cells.append(value)
    elif column > len(cells):
        cells.extend([""] * (column - len(cells)))
        cells.append(value)
    elif blank(cells[column]):
        cells[column] = value
    elif not blank(value):
        sheet.problems.append((row, f"{column_letter(column)}{row}", "duplicate-cell",
                               "the file holds two cells at this place (a damaged workbook): "
                               "a spreadsheet shows one of them"))


def _worksheet(parts: _Parts, part: str, title: str, strings: list[str], styles: _Styles,
               book: _Book) -> Sheet:
    sheet = Sheet(title)
    rows = _plain_sheet(parts, part, title, sheet, strings, styles, book)
    if rows is None:  # any other spelling: read by expat, element by element, from the start
        sheet = Sheet(title)
        cells = _SheetCells(sheet, strings, styles, book)
        parts.parse(part, cells, f"the sheet {title!r}")
        rows = cells.rows
    sheet.rows = sorted(rows.items())
    return sheet


# The plain spelling of a sheet's cells, as Excel, LibreOffice and XlsxWriter write them
# (openpyxl writes its text as inline strings, which expat reads): unprefixed elements in the
# default namespace, double quotes, every cell with its reference, values without entities, no
# formulas, no inline strings. A sheet whose cells are
# all written so is read by one regular expression instead of an expat event per element (a
# sixth of the time); any other sheet, and every part around the cells, is read by expat.
# The cells are split out of the text (their parts taken by the groups), and what is left
# between them, with a mark where each cell was, must be rows and nothing else.
# A row's attributes, each at most once (XML allows no two of one name), in the order of
# the schema (Excel, LibreOffice, XlsxWriter) or of openpyxl; any other order is read by expat.
_ROW_ORDERS = (("spans", "s", "customFormat", "ht", "hidden", "customHeight", "outlineLevel",
                "collapsed", "thickTop", "thickBot", "ph", "x14ac:dyDescent"),
               ("spans", "hidden", "outlineLevel", "collapsed", "ht", "customFormat",
                "customHeight", "s", "thickBot", "thickTop", "ph", "x14ac:dyDescent"))
_ROW_ATTRIBUTES = ('(?: spans="[^"<&]*")?(?:(?=/?>)|'  # (spans alone, as most rows: at once)
                   + "|".join("".join(f'(?: {name}="[^"<&]*")?' for name in order[1:])
                              for order in _ROW_ORDERS) + ")")
_PHONETIC = r' ph="(?:0|1|true|false)"'
_CELL = re.compile(r'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?'
                   r'(?: t="(s|n|b|str|e|d)")?'
                   # cm, vm and ph, each at most once and in this order (as one optional
                   # group: three cost a sixth more, on every cell)
                   r'(?: (?:cm="[0-9]{1,9}"(?: vm="[0-9]{1,9}")?(?:' + _PHONETIC + r')?'
                   r'|vm="[0-9]{1,9}"(?:' + _PHONETIC + r')?|' + _PHONETIC[1:] + r'))?'
                   r'(?:/>|><v>([^<&]*)</v></c>|></c>)')
_MARK = "\0"  # where a cell was: a character no XML document holds
_ROW_MARKED = re.compile(r'<row r="[0-9]{1,7}"' + _ROW_ATTRIBUTES + r"(?:/>|>" + _MARK
                         + r"*</row>)")
_ODD_ROW = re.compile(r'<row r="(?:0|[0-9]{7}")')  # 0, 05, and past 999,999: read by expat
_LAST_COLUMN = column_letter(MAX_COLUMN - 1)
_HIDDEN_ROW = re.compile(r'<row r="([0-9]{1,7})"[^>]*? hidden="([^"]*)"')


def _plain_sheet(parts: _Parts, part: str, title: str, sheet: Sheet, strings: list[str],
                 styles: _Styles, book: _Book) -> dict[int, list[Value]] | None:
    """The cells of a sheet written in the plain spelling, or ``None`` for any other."""
    info = parts.infos.get(part.lower())
    if info is None:
        return None
    xml = parts.bytes(part)
    start, end = xml.find(b"<sheetData>"), xml.rfind(b"</sheetData>")
    # one sheetData: none before or after (one within is no row, so not plain)
    if start < 0 or end < start or b"<sheetData" in xml[:start] \
            or b"<sheetData" in xml[end:]:
        return None
    if b"x14ac:" in xml and b"xmlns:x14ac=" not in xml[:start]:
        return None
    outside = _Outside(sheet)  # the rest of the part is XML too, the cells SpreadsheetML's
    try:
        parser = outside.parser()
        parser.XmlDeclHandler = outside.declaration
        parser.Parse(xml[:start] + b"<sheetData/>" + xml[end + len(b"</sheetData>"):], True)
    except expat.ExpatError as err:
        raise InputError(f"{parts.name}: the sheet {title!r} ({part}) is not well-formed XML: "
                         f"line {err.lineno}: {expat.ErrorString(err.code)}") from None
    except _Refused as refused:
        raise InputError(f"{parts.name}: the sheet {title!r} ({part}) {refused}") from None
    if not outside.plain:
        return None
    try:
        text = xml[start + len(b"<sheetData>"):end].decode("utf-8")
    except UnicodeDecodeError:
        return None  # expat says what is wrong
    del xml
    if _MARK in text:  # (no XML document holds one: expat says so)
        return None
    rows: dict[int, list[Value]] = {}
    index = {str(n): string for n, string in enumerate(strings)}  # (as a sheet writes it)
    for chunk in _whole_rows_of(text):
        pieces = _CELL.split(chunk)
        between = _MARK.join(pieces[::_CELL.groups + 1])
        if _ROW_MARKED.sub("", between) or _ODD_ROW.search(between):
            return None
        if ' hidden="' in between:  # (a row's attribute: no cell has it)
            sheet.hidden_rows.update(int(n) for n, hidden in _HIDDEN_ROW.findall(between)
                                     if _true(hidden))
        if len(pieces) > 1 and not _place_plain(_Found(pieces), rows, sheet, strings, index,
                                                styles, book):
            return None
    return rows


def _whole_rows_of(text: str) -> Iterator[str]:
    """``text`` a megabyte of whole rows at a time."""
    position = 0
    while position < len(text):
        stop = text.find("</row>", position + (1 << 20))
        stop = len(text) if stop < 0 else stop + len("</row>")
        yield text[position:stop]
        position = stop


class _Found:
    """The cells :data:`_CELL` split out of a text, a part at a time: the letters and digits
    of each reference, its style, its type and its value (``None`` where a cell has none)."""

    def __init__(self, pieces: list[Any]) -> None:
        step = _CELL.groups + 1
        self.letters: list[str] = pieces[1::step]
        self.digits: list[str] = pieces[2::step]
        self.styles: list[str | None] = pieces[3::step]
        self.kinds: list[str | None] = pieces[4::step]
        self.values: list[str | None] = pieces[5::step]


def _place_plain(found: _Found, rows: dict[int, list[Value]], sheet: Sheet, strings: list[str],
                 index: dict[str, str], styles: _Styles, book: _Book) -> bool:
    """Cells matched in the plain spelling, placed in ``rows``: values made a column at a
    time, and rows whose cells are A, B, C, ... taken as they stand. ``False``, with nothing
    placed, when a cell is beyond a sheet's last (expat says so)."""
    letters, digits = found.letters, found.digits
    if styles.dates:
        cells = ["" if v is None and k != "e"
                 else _plain_value(k or "", v or "", st or "", strings, styles.dates, book.date1904)
                 for k, v, st in zip(found.kinds, found.values, found.styles)]
    else:
        cells = _plain_cells(found.kinds, found.values, strings, index)
    del found
    # rows: runs of cells with the same row number
    count = len(digits)
    starts = [0, *itertools.compress(range(1, count), map(operator.ne, digits[1:], digits[:-1])),
              count]
    if _whole_rows(rows, letters, digits, starts, cells):
        return True
    if not all(1 <= int(number) <= MAX_ROW for number in set(digits)) \
            or any(len(column) == 3 and column > _LAST_COLUMN for column in set(letters)):
        return False
    for first, end in itertools.pairwise(starts):  # a run whose columns are A, B, C, ... is a
        row = int(digits[first])                   # row as it stands, any other is placed
        if row not in rows and end - first <= READ_COLUMNS \
                and tuple(letters[first:end]) == _LETTERS[:end - first]:
            rows[row] = cells[first:end]
            continue
        for n in range(first, end):
            column = _reference(f"{letters[n]}1")[1]
            put(rows, sheet, row, column, cells[n])
    return True


def _plain_cells(kinds: list[str | None], values: list[str | None], strings: list[str],
                 index: dict[str, str]) -> list[Value]:
    """The values of plain cells in a book without dates (:func:`_plain_value`; ``None``: a
    cell without a type or without a value): shared strings looked up all at once by their
    index as the sheet writes it (``index``: ``"0"``, ``"1"``, ...), then each other cell on
    its own."""
    missing = []  # cells without a value: blank, as expat reads them (but for an error)
    texts: list[str] = values  # type: ignore[assignment]  # (where no value is None)
    if None in values:
        missing = [n for n, value in enumerate(values) if value is None and kinds[n] != "e"]
        texts = [value or "" for value in values]
    cells: list[Value] = list(map(index.get, texts))
    for n in missing:
        cells[n] = ""
    others = list(itertools.compress(range(len(kinds)), map(operator.ne, kinds,
                                                             itertools.repeat("s"))))
    stripped = list(map(str.strip, map(texts.__getitem__, others)))
    if set(map(kinds.__getitem__, others)) <= {None, "n"} and "" not in stripped:
        deque(map(cells.__setitem__, others, map(Number, stripped)), maxlen=0)  # numbers
    else:
        for n, kind, text in zip(others, map(kinds.__getitem__, others), stripped):
            cells[n] = ((Number(text) if text else "") if kind is None or kind == "n"
                        else _plain_value(kind, texts[n], "", strings, set(), False))
    if None in cells:  # an index written otherwise (05), or one the book does not hold
        for n in [n for n, cell in enumerate(cells) if cell is None]:
            cells[n] = _plain_value("s", texts[n], "", strings, set(), False)
    return cells


def _whole_rows(rows: dict[int, list[Value]], letters: list[str], digits: list[str],
                starts: list[int], cells: list[Value]) -> bool:
    """Every run of cells (``starts``) placed as a row at once, when each is a whole row A, B,
    C, ... of a row number within a sheet and not placed before, as the plain spelling writes
    them; ``False``, with nothing placed, for any other."""
    firsts, ends = starts[:-1], starts[1:]
    lengths = list(map(operator.sub, ends, firsts))
    if not lengths:
        return True
    numbers = list(map(int, map(digits.__getitem__, firsts)))
    if max(lengths) > READ_COLUMNS or min(numbers) < 1 or max(numbers) > MAX_ROW \
            or len(set(numbers)) != len(numbers) or not rows.keys().isdisjoint(numbers):
        return False
    if letters != list(itertools.chain.from_iterable(map(_LETTERS.__getitem__,
                                                         map(slice, lengths)))):
        return False
    rows.update(zip(numbers, map(cells.__getitem__, map(slice, firsts, ends))))
    return True


def _plain_value(kind: str, value: str, style: str, strings: list[str], dates: set[int],
                 date1904: bool) -> Value:
    """A cell's value by its type ``t`` (``s``, ``str``, ``d``, ``b``, ``e``, a number
    otherwise), the text of its ``<v>`` and its style: for both readers."""
    if kind == "s":
        try:
            return strings[int(value)]
        except (ValueError, IndexError):
            return Unreadable("bad-cell", "", f"the cell refers to shared string {value!r}, "
                              "which the workbook does not hold (a damaged workbook)")
    if kind in ("str", "d"):
        return unescaped(value)
    if kind == "e":
        return _error(value.strip() or "an error")
    if kind == "b":
        shown = value.strip()
        return "TRUE" if shown in ("1", "true") else "FALSE" if shown else ""
    value = value.strip()
    if not value:
        return ""
    if style.isdigit() and int(style) in dates:
        return _serial_date(value, date1904) or Number(value)
    return Number(value)


_LETTERS = tuple(column_letter(n) for n in range(READ_COLUMNS))


class _Outside(_Handlers):
    """A worksheet without its cells: plain when its root is SpreadsheetML's worksheet and its
    sheetData a child of the root, in the default namespace."""

    def __init__(self, sheet: Sheet) -> None:
        self.depth = 0
        self.plain = True
        self.sheet = sheet

    def declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            self.plain = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        namespace, _, local = tag.rpartition(" ")
        if self.depth == 1 and (namespace not in _MAIN or local != "worksheet"):
            self.plain = False
        if local == "sheetData" and (self.depth != 2 or namespace not in _MAIN):
            self.plain = False
        if local == "col" and namespace in _MAIN:
            _hidden_columns(self.sheet, attributes)

    def end(self, tag: str) -> None:
        self.depth -= 1


# --- .ods ----------------------------------------------------------------------------------------


def _ods(parts: _Parts, wanted: Sequence[str]) -> dict[str, Sheet | tuple[str, str]]:
    name = parts.name
    if parts.has("META-INF/manifest.xml") and b"encryption-data" in parts.bytes(
            "META-INF/manifest.xml"):
        raise InputError(f"{name}: {PASSWORD}")
    if not parts.has("content.xml"):
        raise InputError(f"{name}: cannot be read as a workbook (no content.xml)")
    budget = max(REPEAT_BUDGET, parts.infos["content.xml"].file_size)
    content = _OdsContent(set(wanted), budget)
    if not _plain_ods(parts, content):  # any other spelling: read by expat
        content = _OdsContent(set(wanted), budget)
        parts.parse("content.xml", content, "the spreadsheet's content")
    sheets = [(title, "hidden" if style in content.hidden_styles else "visible", n)
              for n, (title, style) in enumerate(content.tables)]
    chosen = _choose(sheets, wanted, name)
    out: dict[str, Sheet | tuple[str, str]] = {}
    for want in wanted:
        kind, where = chosen[want]
        out[want] = content.sheets[int(where)] if kind == "sheet" else (kind, where)
    return out


# The plain spelling of an .ods file's tables, as LibreOffice writes them: the usual prefixes,
# declared once on the root; cells with their attributes in LibreOffice's order and at most one
# paragraph of plain text; no formulas, no annotations. Such tables are read by regular
# expressions, a megabyte of rows at a time; the rest of content.xml (styles, the tables' names)
# by expat, and a table in any other spelling sends the whole file to expat.
_ODS_PREFIXES = {b"office": _OFFICE, b"table": _TABLE, b"text": _TEXT}
_ODS_DECLARED = re.compile(rb"xmlns:(office|table|text|calcext)=")
_ODS_TEXT = r"[^<&]*(?:&(?:amp|lt|gt|quot|apos);[^<&]*)*"
_ODS_CELL = (r'<table:(?P<tag>table-cell|covered-table-cell)(?: table:style-name="[^"<&]*")?'
             r'(?: table:number-columns-repeated="([0-9]{1,9})")?'
             r'(?: table:number-(?:columns|rows)-spanned="[0-9]{1,9}")*'
             r'(?: office:value-type="([a-z]+)")?(?: office:currency="[^"<&]*")?'
             r'(?: office:(value|date-value|time-value|boolean-value)="([^"<&]*)")?'
             r'(?: calcext:value-type="([a-z]+)")?'
             r"(?:/>|>(?:<text:p>(" + _ODS_TEXT + r")</text:p>)?</table:(?P=tag)>)")
_ODS_ROW = (r'<table:table-row(?: table:style-name="[^"<&]*")?'
            r'(?: table:number-rows-repeated="(?P<repeat>[0-9]{1,9})")?'
            r'(?: table:default-cell-style-name="[^"<&]*")?>(?P<cells>(?:'
            + re.sub(r"\((?!\?)", "(?:", _ODS_CELL) + r")*)</table:table-row>")
_ODS_PLAIN = re.compile(
    _ODS_ROW + r'|<table:table-column(?: table:(?!visibility)[a-z-]+="[^"<&]*")*/>'
    r"|</?table:table-header-rows>|</?table:table-rows>"
    r"|<table:named-expressions>(?:<table:named-range(?: table:[a-z-]+=\"[^\"<&]*\")*/>)*"
    r"</table:named-expressions>|<table:named-expressions/>"
    r'|<office:forms(?: form:[a-z-]+="[^"<&]*")*/>')
_ODS_CELLS = re.compile(_ODS_CELL)
_ODS_TABLE = re.compile(rb'<table:table table:name="([^"<&]*)"(?: table:[a-z-]+="[^"<&]*")*>')


def _plain_ods(parts: _Parts, content: _OdsContent) -> bool:
    """Read content.xml's tables in the plain spelling into ``content``: ``False`` (and nothing
    read) when any table wanted is spelled otherwise."""
    xml = parts.bytes("content.xml")
    head = xml[:xml.find(b">", xml.find(b"<office:document-content")) + 1]
    declared = Counter(_ODS_DECLARED.findall(xml))  # each prefix declared once, on the root
    for prefix, uri in _ODS_PREFIXES.items():
        if f'xmlns:{prefix.decode()}="{uri}"'.encode() not in head or declared[prefix] != 1:
            return False
    if declared[b"calcext"] and (declared[b"calcext"] != 1 or
                                 f'xmlns:calcext="{_CALCEXT}"'.encode() not in head):
        return False
    regions = []
    for match in _ODS_TABLE.finditer(xml):
        if match[1].decode("utf-8", "replace").casefold() not in content.wanted:
            continue
        end = xml.find(b"</table:table>", match.end())
        if end < 0 or xml.find(b"<table:table ", match.end(), end) >= 0:
            return False
        regions.append((match[1], match.end(), end))
    pieces, last = [], 0
    for _, start, end in regions:
        pieces.append(xml[last:start])
        last = end
    pieces.append(xml[last:])
    try:  # everything but the tables' rows, by expat: styles, names, the other tables
        parser = content.parser()
        parser.Parse(b"".join(pieces), True)
    except expat.ExpatError as err:
        raise InputError(f"{parts.name}: the spreadsheet's content (content.xml) is not "
                         f"well-formed XML: {expat.ErrorString(err.code)}") from None
    except _Refused as refused:
        raise InputError(f"{parts.name}: the spreadsheet's content (content.xml) "
                         f"{refused}") from None
    found = [sheet for sheet in content.sheets if sheet.name.casefold() in content.wanted]
    if [sheet.name.encode() for sheet in found] != [title for title, _, _ in regions]:
        return False
    try:
        for sheet, (_, start, end) in zip(found, regions):
            if not _plain_table(xml, start, end, sheet, content):
                return False
    except UnicodeDecodeError:
        return False
    except _Refused as refused:
        raise InputError(f"{parts.name}: the spreadsheet's content (content.xml) "
                         f"{refused}") from None
    return True


def _plain_table(xml: bytes, start: int, end: int, sheet: Sheet, content: _OdsContent) -> bool:
    """One table's rows in the plain spelling into ``sheet``; ``False`` for any other."""
    content.sheet, content.rows, content.row = sheet, {}, 0

    def row(match: re.Match[str]) -> str:  # each row read as it is matched: one pass
        if match["cells"] is not None:
            _plain_row(match["repeat"] or "", _ODS_CELLS.findall(match["cells"]), content)
        return ""

    position = start
    while position < end:  # a megabyte of whole rows at a time
        stop = xml.find(b"</table:table-row>", position + (1 << 20), end)
        stop = end if stop < 0 else stop + len(b"</table:table-row>")
        chunk = xml[position:stop].decode("utf-8")
        position = stop
        if _ODS_PLAIN.sub(row, chunk):  # what is left is spelled otherwise
            return False
    sheet.rows = sorted(content.rows.items())
    content.sheet = None
    return True


def _plain_row(repeat: str, cells: list[tuple[str, ...]], content: _OdsContent) -> None:
    """One row of the plain spelling: as it stands when it is one row whose cells are one a
    column but for blank cells repeated at its end (as LibreOffice ends every row); otherwise
    cell by cell, repeats counted and bounded as expat's reading does."""
    end = len(cells)
    while end and cells[end - 1][1] and not any(cells[end - 1][2:]):
        end -= 1  # blank cells repeated at the end: nothing to read
    width = end + sum(int(c[1]) for c in cells[end:])
    if repeat in ("", "1") and end <= READ_COLUMNS and width <= MAX_COLUMN \
            and not any(c[1] for c in cells[:end]):
        content.row += 1
        if content.row > MAX_ROW:
            raise _Refused(f"has more rows in the sheet {content.sheet_name()!r} than a sheet "
                           f"holds ({MAX_ROW:,})")
        values = [c[6] if c[2] == "string" and c[5] != "error" and "&" not in c[6]
                  else _ods_value(c) for c in cells[:end]]
        while values and blank(values[-1]):
            values.pop()
        if values:
            content.rows[content.row] = values
        return
    content.cells, content.column = {}, 0
    content.row_repeat = _count(repeat or None)
    for cell in cells:
        content.end_cell(_count(cell[1] or None), _ods_value(cell))
    content.end_row()


def _ods_value(cell: tuple[str, ...]) -> Value:
    """A cell of the plain spelling as :meth:`_OdsContent.value` reads it."""
    _, _, kind, attribute, value, calculated, text = cell
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') \
            .replace("&apos;", "'").replace("&amp;", "&")
    given = value if attribute and attribute == _ODS_VALUE_OF.get(kind) else None
    return _ods_typed(kind, given, calculated == "error", text)


def _ods_typed(kind: str | None, value: str | None, error: bool, text: str) -> Value:
    """An .ods cell by its value type, the attribute that holds its value by that type
    (``office:value`` of a float, ``office:date-value`` of a date), whether LibreOffice marked
    it an error, and the text it shows: for both readers."""
    if error:
        return _error(text.strip() or "an error")
    if kind in _ODS_VALUE_OF:
        value = (value or "").strip()
        if kind == "boolean":
            return "TRUE" if value == "true" else "FALSE" if value == "false" else _NO_VALUE
        if not value:
            return _NO_VALUE
        return Number(value) if _ODS_VALUE_OF[kind] == "value" else value
    return text


#: How an .ods file says a row or column is not shown.
_ODS_UNSEEN = ("collapse", "filter")
#: The attribute that holds a cell's value, by its value type.
_ODS_VALUE_OF = {"float": "value", "percentage": "value", "currency": "value",
                 "date": "date-value", "time": "time-value", "boolean": "boolean-value"}


class _OdsContent(_Handlers):
    """content.xml: every table's name and style, and the cells of the tables wanted, rows and
    cells repeated as the file says, within the columns read and within ``budget`` cells."""

    def __init__(self, wanted: set[str], budget: int) -> None:
        self.wanted = {w.casefold() for w in wanted}
        self.budget = budget
        self.tables: list[tuple[str, str]] = []
        self.sheets: list[Sheet] = []
        self.hidden_styles: set[str] = set()
        self.style: str | None = None
        self.sheet: Sheet | None = None
        self.rows: dict[int, list[Value]] = {}
        self.row = 0  # rows before the current one
        self.row_repeat = 1
        self.row_hidden = False
        self.columns = 0  # columns declared so far (table:table-column)
        self.cells: dict[int, Value] = {}
        self.column = 0
        self.cell: tuple[int, dict[str, str]] | None = None  # repeated, attributes
        self.paragraphs: list[list[str]] = []
        self.skip = 0  # inside an annotation (a comment): not the cell's text
        self.in_paragraph = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        if self.cell is not None:
            if self.skip or (namespace == _OFFICE and local == "annotation"):
                self.skip += 1
            elif namespace == _TEXT:
                if local in ("p", "h"):
                    self.paragraphs.append([])
                    self.in_paragraph += 1
                elif self.in_paragraph and local == "s":
                    self.paragraphs[-1].append(" " * _count(attributes.get(f"{_TEXT} c")))
                elif self.in_paragraph and local == "tab":
                    self.paragraphs[-1].append("\t")
                elif self.in_paragraph and local == "line-break":
                    self.paragraphs[-1].append("\n")
            return
        if namespace == _TABLE:
            if local in ("table-cell", "covered-table-cell"):
                self.cell = (_count(attributes.get(f"{_TABLE} number-columns-repeated")),
                             attributes)
                self.paragraphs = []
            elif local == "table-row":
                self.row_repeat = _count(attributes.get(f"{_TABLE} number-rows-repeated"))
                self.cells, self.column = {}, 0
                self.row_hidden = attributes.get(f"{_TABLE} visibility") in _ODS_UNSEEN
            elif local == "table-column" and self.sheet is not None:
                repeated = _count(attributes.get(f"{_TABLE} number-columns-repeated"))
                first, self.columns = self.columns, self.columns + repeated
                if attributes.get(f"{_TABLE} visibility") in _ODS_UNSEEN:
                    self.sheet.hidden_columns.append((first, min(self.columns, MAX_COLUMN) - 1))
            elif local == "table":
                title = attributes.get(f"{_TABLE} name", "")
                self.tables.append((title, attributes.get(f"{_TABLE} style-name", "")))
                self.sheet = Sheet(title)
                self.sheets.append(self.sheet)
                self.rows, self.row, self.columns = {}, 0, 0
        elif namespace == _STYLE:
            if local == "style" and attributes.get(f"{_STYLE} family") == "table":
                self.style = attributes.get(f"{_STYLE} name")
            elif local == "table-properties" and self.style is not None and \
                    attributes.get(f"{_TABLE} display") == "false":
                self.hidden_styles.add(self.style)

    def end(self, tag: str) -> None:
        namespace, _, local = tag.rpartition(" ")
        if self.cell is not None:
            if self.skip:
                self.skip -= 1
                return
            if namespace == _TEXT and local in ("p", "h"):
                self.in_paragraph -= 1
            elif namespace == _TABLE and local in ("table-cell", "covered-table-cell"):
                repeated, attributes = self.cell
                self.end_cell(repeated, self.value(attributes) if self.reading() else "")
                self.cell = None
            return
        if namespace == _TABLE:
            if local == "table-row":
                self.end_row()
            elif local == "table":
                assert self.sheet is not None
                self.sheet.rows = sorted(self.rows.items())
                self.sheet = None
        elif namespace == _STYLE and local == "style":
            self.style = None

    def text(self, data: str) -> None:
        if self.cell is not None and self.in_paragraph and not self.skip:
            self.paragraphs[-1].append(data)

    def reading(self) -> bool:
        return self.sheet is not None and self.sheet.name.casefold() in self.wanted

    def end_cell(self, repeated: int, value: Value) -> None:
        start, self.column = self.column, self.column + repeated
        if self.column > MAX_COLUMN:
            raise _Refused(f"has a row of {self.column:,} cells, more than a sheet holds "
                           f"({MAX_COLUMN:,})")
        if blank(value):
            return
        for column in range(start, min(self.column, READ_COLUMNS)):
            self.cells[column] = value
        self.spend(min(self.column, READ_COLUMNS) - start)
        if self.column > READ_COLUMNS:
            self.cells[max(start, READ_COLUMNS)] = value

    def end_row(self) -> None:
        first, self.row = self.row + 1, self.row + self.row_repeat
        if self.row > MAX_ROW:
            raise _Refused(f"has {self.row:,} rows in the sheet {self.sheet_name()!r}, more "
                           f"than a sheet holds ({MAX_ROW:,})")
        if not self.cells or self.sheet is None:
            return
        self.spend(len(self.cells) * (self.row_repeat - 1))
        for row in range(first, self.row + 1):
            for column, value in self.cells.items():
                put(self.rows, self.sheet, row, column, value)
        if self.row_hidden:  # rows with something in them: what is blank hides nothing
            self.sheet.hidden_rows.update(range(first, self.row + 1))

    def sheet_name(self) -> str:
        return self.sheet.name if self.sheet is not None else ""

    def spend(self, cells: int) -> None:
        self.budget -= cells
        if self.budget < 0:
            raise _Refused("repeats its cells more often than its content can justify (a few "
                           "kilobytes declaring millions of cells): pspctl does not read it")

    def value(self, attributes: dict[str, str]) -> Value:
        kind = attributes.get(f"{_OFFICE} value-type")
        error = attributes.get(f"{_CALCEXT} value-type") == "error"
        if not error and kind == "string" and f"{_OFFICE} string-value" in attributes:
            return attributes[f"{_OFFICE} string-value"]
        if not error and kind not in _ODS_VALUE_OF and kind != "string" \
                and f"{_TABLE} formula" in attributes:
            return _NO_VALUE
        holder = _ODS_VALUE_OF.get(kind or "")
        return _ods_typed(kind, attributes.get(f"{_OFFICE} {holder}") if holder else None,
                          error, self.shown())

    def shown(self) -> str:
        return "\n".join("".join(p) for p in self.paragraphs)


def _count(text: str | None) -> int:
    if text is None:
        return 1
    try:
        count = int(text)
    except ValueError:
        raise _Refused(f"repeats a row or cell {text!r} times") from None
    if count < 1:
        raise _Refused(f"repeats a row or cell {count} times")
    return min(count, MAX_ROW + 1)


# --- completion ----------------------------------------------------------------------------------


def number_text(value: Number) -> str:
    """A number as text: whole without a point (``2016``), otherwise as a spreadsheet keeps it
    (15 significant digits); what is no number, as the file writes it."""
    try:
        number = float(value)
    except ValueError:
        return str.__str__(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}" if math.isfinite(number) else str(number)


def text_rows(raw: bytes, sheet: str, limit: int) -> list[list[str]]:
    """The cells of one sheet as text, or ``[]`` when it cannot be read: for shell completion,
    which offers what it finds and never fails."""
    try:
        found = read_book(raw, "", [sheet], limit).get(sheet)
    except InputError:
        return []
    if not isinstance(found, Sheet):
        return []
    return [[number_text(v) if isinstance(v, Number) else v if isinstance(v, str) else ""
             for v in cells] for _, cells in found.rows]

