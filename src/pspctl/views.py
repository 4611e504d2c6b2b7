"""Views: each report's result as people and scripts see it, ready for any writer.

One function per report turns its result into a :class:`View`: sections of tables whose columns
know their kind (id, text, year, money, share, ratio, count, records), their totals rows, the
notes and the verdict, the rows to highlight, and the one table that machine formats get. Titles
and notes live here once: the command line, the audit pack (both formats) and every writer
render these views, so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from .errors import Problem, shortened
from .money import pretty_money
from .money import total as money_total

if TYPE_CHECKING:
    import pandas as pd

    from .reports import Comparison, Differences, PspDetail, Reconciliation, Review
    from .reports.realterms import RealTerms
    from .trail import Entry, Replayed

#: What a column holds; writers lay out, escape and format by it, never by the column's name.
Kind = Literal["id", "text", "year", "money", "share", "ratio", "count", "index", "records"]
#: How a column's totals cell is made: money summed (what is stated), a share of the total
#: is 1, anything else left empty.
Total = Literal["sum", "one", "none"]


@dataclass(frozen=True)
class Column:
    """A column: its name, its kind, how its totals cell is made, and (for a workbook) the
    formula that gives it from other cells: ``{published_gbp}-{computed_gbp}`` (cells of its
    row), ``{amount_gbp}/{amount_gbp@total}`` (the totals row), ``SUM({amount_gbp@first}:
    {amount_gbp})`` (from the first row down to its own)."""

    name: str
    kind: Kind
    total: Total = "none"
    formula: str | None = None

    @property
    def heading(self) -> str:
        """The column's name in words, for documents people read (``Published (£)``); the
        name itself stays in machine formats."""
        if self.name in HEADINGS:
            return HEADINGS[self.name]
        real = _AT_PRICES.fullmatch(self.name)  # money at one year's prices (real terms)
        if real:
            words = real[1].replace("_", " ")
            return f"{words[:1].upper()}{words[1:]} (£ at {real[2]}-{real[3]} prices)"
        words = self.name.removesuffix("_gbp").replace("_", " ")
        words = words[:1].upper() + words[1:]
        return f"{words} (£)" if self.name.endswith("_gbp") else words


#: A money column at one year's prices: ``government_gbp_2016_17_prices``.
_AT_PRICES = re.compile(r"(.+)_gbp_([0-9]{4})_([0-9]{2})_prices")
#: Headings in words where the rule (``_gbp`` as (£), underscores as spaces) is not enough.
HEADINGS = {"psp_id": "PSP", "leverage": "Leverage (£ per £1 of government funds)",
            "additional_share": "Additional share (of combined)", "year": "Year",
            "deflator": "GDP deflator (index)"}


@dataclass(frozen=True)
class Table:
    """One table: its columns, its body rows (a DataFrame with exactly those columns), its
    totals rows (made by each column's rule when ``totalled``, or ``given``), and how people
    see it. The totals are made only when a writer asks for them."""

    title: str | None
    columns: tuple[Column, ...]
    body: pd.DataFrame
    totalled: bool = False
    label: str | None = None  # the column whose totals cell says "Total"
    blank: str | None = None  # what people see for a missing figure
    highlight: tuple[int, ...] = ()  # rows to show in bold red in a terminal
    chart: str | None = None  # a money column drawn as a bar per row (terminal table)
    given: pd.DataFrame | None = None  # totals rows as they are (for render())
    empty: str = "not stated"  # what people read for a section with no rows
    nil: str | None = None  # what people see for a figure of zero (Table 3's "-")
    sheet: str | None = None  # its name as a sheet of a workbook (31 characters at most)
    published: tuple[tuple[str, Decimal], ...] = ()  # Table 3's own totals, by column

    @property
    def kinds(self) -> dict[str, Kind]:
        return {c.name: c.kind for c in self.columns}

    @cached_property
    def footer(self) -> pd.DataFrame | None:
        """The totals rows, or ``None``."""
        import pandas as pd

        if self.given is not None:
            return self.given if len(self.given) else None
        if not self.totalled or self.body.empty:
            return None
        row = {c.name: _total(c, self.body[c.name].tolist()) for c in self.columns}
        if self.label is not None:
            row[self.label] = "Total"
        return pd.DataFrame([row], columns=[c.name for c in self.columns], dtype=object)

    @property
    def totals(self) -> int:
        """How many rows at the end of :attr:`frame` are totals rows."""
        return 0 if self.footer is None else len(self.footer)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The body and the totals rows."""
        import pandas as pd

        if self.footer is None:
            return self.body
        return pd.concat([self.body.astype(object), self.footer], ignore_index=True)


@dataclass(frozen=True)
class View:
    """What one command shows: ``sections`` for people, ``data`` for machine formats (csv,
    tsv, json: one table, with its totals rows only when ``data_totals``), ``notes`` and the
    ``verdict`` for people."""

    sections: tuple[Table, ...]
    notes: tuple[str, ...] = ()
    verdict: str | None = None
    data: Table | None = None
    data_totals: bool = False
    sectioned: bool = False  # each section titled and set apart (show, reconcile)
    made: str | None = None  # when the document was made (the audit pack's date)

    @property
    def records(self) -> Table:
        """The table machine formats write."""
        return self.data if self.data is not None else self.sections[0]


def table(title: str | None, columns: Sequence[Column], frame: pd.DataFrame, *,
          totals: bool = False, label: str | None = None, blank: str | None = None,
          highlight: Sequence[int] = (), chart: str | None = None,
          nil: str | None = None, sheet: str | None = None) -> Table:
    """A :class:`Table` of ``frame`` (its columns in the order of ``columns``), with a totals
    row made by each column's rule and labelled in column ``label`` when ``totals``; ``sheet``
    names it in a workbook."""
    return Table(title, tuple(columns), frame[[c.name for c in columns]], totals, label, blank,
                 tuple(highlight), chart, nil=nil, sheet=sheet)


#: The column that names each PSP for people: Table 3's row label.
PSP = Column("PSP", "text")


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a :data:`PSP` column: the ``label`` of each PSP (its name, for a frame
    without labels), for the tables people read; scripts read ``psp_id``."""
    named = frame["label"] if "label" in frame.columns else frame["name"]
    return frame.assign(PSP=named.tolist())


def _total(column: Column, values: list[Any]) -> Any:
    if column.total == "sum":
        return money_total(v for v in values if isinstance(v, Decimal))
    if column.total == "one":
        return 1.0 if values else None
    return None


def _money(name: str, total: Total = "sum") -> Column:
    return Column(name, "money", total)


# --- validate ----------------------------------------------------------------------------------

PROBLEM_COLUMNS = (Column("file", "text"), Column("line", "count"), Column("column", "text"),
                   Column("kind", "text"), Column("message", "text"))


def validate_view(problems: Sequence[Problem], where: str) -> View:
    from .reports import problems_frame

    count = len(problems)
    verdict = (f"{count} problem{'s' if count != 1 else ''} in {where}" if problems
               else f"valid: {where}")
    frame = problems_frame(problems)
    # Scripts get the same columns whatever the source: the place (a workbook's sheet and
    # cell) empty for a folder's files. People see the place where there is one (the row is
    # in it), else the line.
    file, line, *rest = PROBLEM_COLUMNS
    place = Column("place", "text")
    data = table(None, (file, place, line, *rest), frame, sheet="Problems")
    if not any(p.place is not None for p in problems):
        return View((table(None, PROBLEM_COLUMNS, frame, sheet="Problems"),), notes=(verdict,),
                    data=data)
    return View((table(None, (file, place, *rest), frame, sheet="Problems"),), notes=(verdict,),
                data=data)


# --- list and show -----------------------------------------------------------------------------

LIST_COLUMNS = (Column("psp_id", "id"), Column("name", "text"),
                Column("established", "count"),  # a calendar year, not a financial one
                Column("sector", "text"), Column("lead", "text"), Column("lead_sector", "text"),
                Column("first_year", "year"), Column("last_year", "year"),
                _money("government_gbp"), _money("additional_gbp"))


def list_view(frame: pd.DataFrame, totals: bool = False, lead_sector: str | None = None,
              active_in: str | None = None) -> View:
    """``psp_list``'s frame; totals rows for machines only when ``totals``. A list that its
    filters (``lead_sector``, ``active_in``, as given to the report) left empty says so, in a
    note."""
    notes = ["Source: §3.1 and Table 3 of the report."]
    filtered = [*([f"is led by the {lead_sector} sector"] if lead_sector else []),
                *([f"had Scottish Government funds in {active_in}"] if active_in else [])]
    if frame.empty and filtered:
        notes.insert(0, f"No PSP {' and '.join(filtered)}.")
    return _by_psp("Strategic PSPs", LIST_COLUMNS[2:], frame, notes, totals, "PSPs")


def _by_psp(title: str, figures: Sequence[Column], frame: pd.DataFrame, notes: Sequence[str],
            totals: bool, sheet: str, chart: str | None = None,
            real: RealTerms | None = None) -> View:
    """A table of one row per PSP: for people each PSP by its label (:data:`PSP`), for
    scripts ``psp_id`` and ``name``, then the ``figures`` of both. Its totals row is made by
    each column's rule, or for a table in ``real`` terms, given by the report."""
    people = table(title, (PSP, *figures), _named(frame), totals=not frame.empty, label="PSP",
                   chart=chart, sheet=sheet)
    data = table(title, (Column("psp_id", "id"), Column("name", "text"), *figures), frame,
                 totals=not frame.empty, label="psp_id", sheet=sheet)
    if real is not None:  # (the sums of the unrounded figures, each rounded once)
        people, data = (replace(t, given=_real_totals(real, [c.name for c in t.columns],
                                                      t.columns[0].name))
                        for t in (people, data))
    return View((people,), notes=tuple(notes), data=data, data_totals=totals)


def _one(section: Table, notes: Sequence[str], totals: bool) -> View:
    return View((section,), notes=tuple(notes), data_totals=totals)


FACT_COLUMNS = (Column("psp_id", "id"), Column("section", "text"), Column("field", "text"),
                Column("value", "text"), Column("year", "year"), Column("stream", "text"),
                Column("funder", "text"), _money("amount_gbp"), Column("source", "text"),
                Column("file", "text"), Column("line", "count"))


def show_view(detail: PspDetail) -> View:
    """Everything about one PSP: four sections for people, one row per fact for machines."""
    attributes = detail.attributes.fillna({"value": "not stated"})
    name = detail.attributes.set_index("field").at["name", "value"]
    title = f"{name} ({detail.psp_id})"
    columns = [Column("field", "text"), Column("value", "text")]
    said = set(zip(attributes["source"].tolist(), attributes["line"].tolist()))
    if len(said) == 1:  # one row of psp.csv: its source and line said once, not on every row
        source, line = said.pop()
        title += f": line {line} of psp.csv; source: {source}"
    else:
        columns += [Column("source", "text"), Column("line", "count")]
    sections = (
        table(title, columns, attributes, sheet="PSP"),
        table("Scottish Government funds (Table 3)",
              (Column("year", "year"), _money("amount_gbp"), Column("source", "text"),
               Column("line", "count")), detail.government, totals=True, label="year",
              sheet="Government funds"),
        table("Additional funds from other organisations",
              (Column("funder", "text"), Column("funder_sector", "text"), _money("amount_gbp"),
               Column("source", "text"), Column("line", "count")), detail.additional,
              sheet="Additional funds"),
        table("Outcomes reported",
              (Column("outcome", "text"), Column("value", "count"), Column("qualifier", "text"),
               Column("source", "text"), Column("line", "count")), detail.outcomes,
              sheet="Outcomes"),
    )
    return View(sections, data=table("Facts", FACT_COLUMNS, detail.facts), sectioned=True)


# --- funding -----------------------------------------------------------------------------------

FUNDING_NOTE = "Recomputed from the cells of Table 3."
MATRIX_NOTE = "Recomputed from the cells of Table 3; '-' means no funding that year."


def matrix_view(frame: pd.DataFrame, totals: bool = False, chart: bool = False,
                published: Mapping[str, Decimal] | None = None) -> View:
    """Table 3 for people (each PSP by its Table 3 label, a column per year, "-" where it had
    no funding that year, its total as ``total_gbp``) and for scripts (``psp_id``, ``name``,
    ``2012-13_gbp`` and so on, ``government_gbp``); in a workbook each row total is the sum of
    its row, and ``published`` (:func:`~pspctl.reports.table3_published`, for the whole
    table) goes under the totals with the differences."""
    years = [c for c in frame.columns if c.endswith("_gbp") and c != "government_gbp"]
    title = "Scottish Government funds (Table 3)"
    people_names = {**{y: y.removesuffix("_gbp") for y in years}, "government_gbp": "total_gbp"}
    data = table(title, (Column("psp_id", "id"), Column("name", "text"),
                         *_across(years, "government_gbp")), frame,
                 totals=not frame.empty, label="psp_id", nil="-", sheet="Table 3")
    shown = [people_names[y] for y in years]
    people = table(title, (PSP, *_across(shown, "total_gbp")),
                   _named(frame).rename(columns=people_names), totals=not frame.empty,
                   label="PSP", nil="-", chart="total_gbp" if chart else None, sheet="Table 3")
    if published:  # in a workbook only, under the totals
        printed = tuple((k, v) for k, v in published.items() if k in (*years, "government_gbp"))
        data = replace(data, published=printed)
        people = replace(people, published=tuple((people_names[k], v) for k, v in printed))
    return View((people,), notes=(MATRIX_NOTE,), data=data, data_totals=totals)


def _across(years: Sequence[str], total: str) -> tuple[Column, ...]:
    """A money column per year and the row's total, in a workbook the SUM across its row."""
    across = f"SUM({{{years[0]}}}:{{{years[-1]}}})" if years else None
    return (*(_money(y) for y in years), Column(total, "money", "sum", across))


#: A share of the whole, in a workbook: the row's figure over the total under it.
SHARE = Column("share", "share", "one", "{government_gbp}/{government_gbp@total}")


def by_year_view(frame: pd.DataFrame, totals: bool = False, chart: bool = False) -> View:
    columns = [Column("year", "year"), _money("government_gbp")]
    if "cumulative_gbp" in frame.columns:  # a running total does not add up
        columns.append(Column("cumulative_gbp", "money", "none",
                              "SUM({government_gbp@first}:{government_gbp})"))
    if "share" in frame.columns:
        columns.append(SHARE)
    return _one(table("Scottish Government funds by financial year", columns, frame,
                      totals=not frame.empty, label="year",
                      chart="government_gbp" if chart else None, sheet="By year"),
                (FUNDING_NOTE,), totals)


def by_psp_view(frame: pd.DataFrame, totals: bool = False, chart: bool = False) -> View:
    figures = [_money("government_gbp")]
    if "share" in frame.columns:
        figures.append(SHARE)
    return _by_psp("Scottish Government funds by PSP", figures, frame, (FUNDING_NOTE,), totals,
                   "By PSP", chart="government_gbp" if chart else None)


# --- real terms --------------------------------------------------------------------------------


def real_matrix_view(real: RealTerms, totals: bool = False, chart: bool = False) -> View:
    """Table 3 at one year's prices (:func:`~pspctl.reports.real_matrix`): as
    :func:`matrix_view`, each money column named for its prices for scripts
    (``2012-13_gbp_2016_17_prices``), its totals the sums of the unrounded figures."""
    suffix = real.prices.suffix
    money = [c for c in real.frame.columns if c.endswith(suffix)]
    title = f"Scottish Government funds (Table 3) at {real.prices.year} prices"
    people_names = {c: c.removesuffix(suffix).removesuffix("_gbp") for c in money}
    people_names["government_gbp" + suffix] = "total_gbp"
    data = replace(table(title, (Column("psp_id", "id"), Column("name", "text"),
                                 *(Column(c, "money", "none") for c in money)), real.frame,
                         nil="-", sheet="Table 3 real terms"),
                   given=_real_totals(real, ("psp_id", "name", *money), "psp_id"))
    shown = [people_names[c] for c in money]
    people = replace(table(title, (PSP, *(Column(c, "money", "none") for c in shown)),
                           _named(real.frame).rename(columns=people_names), nil="-",
                           chart="total_gbp" if chart else None, sheet="Table 3 real terms"),
                     given=_real_totals(real, ("PSP", *shown), "PSP", people_names))
    return View((people,), notes=real_notes(real, people_names), data=data, data_totals=totals)


def real_by_year_view(real: RealTerms, totals: bool = False, chart: bool = False) -> View:
    """Funds by year at one year's prices: the cash figure, the deflator of its year and the
    figure at those prices (in a workbook a formula over the two), with a running total and
    the share where asked."""
    prices = real.prices
    column = "government_gbp" + prices.suffix
    target = prices.deflators.of(prices.year)
    # (in a workbook each real figure is a formula of the unrounded figure, so the SUM under
    # it is the sum of the unrounded figures, as the total given here)
    columns = [Column("year", "year"), _money("government_gbp"), Column("deflator", "index"),
               Column(column, "money", "sum", f"{{government_gbp}}*{target}/{{deflator}}")]
    frame = real.frame.assign(deflator=[float(v) for v in real.frame["deflator"]])
    cumulative = "cumulative_gbp" + prices.suffix
    if cumulative in frame.columns:
        columns.append(Column(cumulative, "money", "none", f"SUM({{{column}@first}}:{{{column}}})"))
    if "share" in frame.columns:
        columns.append(Column("share", "share", "one", f"{{{column}}}/{{{column}@total}}"))
    names = [c.name for c in columns]
    section = replace(table(f"Scottish Government funds by financial year at {prices.year} "
                            "prices", columns, frame, chart=column if chart else None,
                            sheet="By year real terms"),
                      given=_real_totals(real, names, "year"))
    return View((section,), notes=real_notes(real, {}), data_totals=totals)


def real_by_psp_view(real: RealTerms, totals: bool = False, chart: bool = False) -> View:
    """Funds per PSP at one year's prices, each the sum of its unrounded figures."""
    column = "government_gbp" + real.prices.suffix
    figures = [Column(column, "money", "none")]
    if "share" in real.frame.columns:  # (apportioned as any share of a whole is; in a
        figures.append(Column("share", "share", "one"))  # workbook figures, as the total is)
    return _by_psp(f"Scottish Government funds by PSP at {real.prices.year} prices", figures,
                   real.frame, real_notes(real, {}), totals, "By PSP real terms",
                   chart=column if chart else None, real=real)


#: Why compare's additional funds stay in cash in real terms.
UNDEFLATED = ("Additional funds stated for the whole period have no year to deflate by: they "
              "stay in cash (additional_cash_gbp); those stated for a year are at the prices "
              "above. Combined figures, leverage and shares are not given in real terms: they "
              "would add cash to real-terms figures.")


def real_compare_view(real: RealTerms, totals: bool = False) -> View:
    """compare at one year's prices (:func:`~pspctl.reports.real_compare`)."""
    suffix = real.prices.suffix
    figures = [Column("government_gbp" + suffix, "money", "none"),
               Column("additional_gbp" + suffix, "money", "none"),
               Column("additional_cash_gbp", "money", "none"),
               Column("funders", "text"), Column("funder_sector", "text")]
    return _by_psp(f"Additional funds against Scottish Government funds at {real.prices.year} "
                   "prices", figures, real.frame, (*real_notes(real, {}), UNDEFLATED), totals,
                   "Additional real terms", real=real)


def _real_totals(real: RealTerms, columns: Sequence[str], label: str,
                 renamed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The totals row of a real-terms table: each money column's total as the report made it
    (the sum of its unrounded figures, rounded once), a share's 1."""
    import pandas as pd

    if real.frame.empty:
        return pd.DataFrame(columns=list(columns), dtype=object)
    names = {(renamed or {}).get(k, k): v for k, v in real.totals.items()}
    row: dict[str, Any] = {c: names.get(c) for c in columns}
    row[label] = "Total"
    if "share" in columns:
        row["share"] = 1.0
    return pd.DataFrame([row], columns=list(columns), dtype=object)


def real_notes(real: RealTerms, shown: Mapping[str, str]) -> tuple[str, ...]:
    """What a real-terms table is, and how its figures are rounded: the columns whose
    figures do not add up to their total, and by how much."""
    prices = real.prices
    deflators = prices.deflators
    said = [f"At {prices.year} prices: each cash figure times the index of {prices.year} over "
            f"the index of its own year; {deflators.described()}; read from {deflators.file} "
            f"(SHA-256 {deflators.sha256[:12]})."]
    off = real.off
    rounding = ("Each figure is rounded to the penny once, and each total is the sum of the "
                "unrounded figures, rounded once")
    if not off:
        said.append(rounding + ": here the figures shown add up to their totals exactly.")
    else:
        misses = [f"{shown.get(c, c)}, {pretty_money(abs(v))} {'more' if v > 0 else 'less'}"
                  for c, v in off.items()]
        said.append(rounding + "; so the figures shown add up to a little more or less than "
                    "their total in " + "; ".join(misses) + ".")
    if "government_gbp" in real.frame.columns:
        said.append("government_gbp is the cash figure of each year, as Table 3 states it.")
    return tuple(said)


# --- the audit trail ---------------------------------------------------------------------------

TRAIL_COLUMNS = (Column("line", "count"), Column("time", "text"), Column("command", "text"),
                 Column("data", "id"), Column("exit", "count"), Column("outputs", "text"))
REPLAY_COLUMNS = (Column("line", "count"), Column("status", "text"),
                  Column("command", "text"), Column("detail", "text"))


def trail_view(entries: Sequence[Entry], where: str) -> View:
    """A trail's entries, one row each: when, the command as given, the data it read by a short
    checksum, its exit code, the files it wrote."""
    import pandas as pd

    frame = pd.DataFrame(
        [(e.line, e.time, e.command, e.edition, e.exit,
          ", ".join(str(o["file"]) for o in e.outputs)) for e in entries],
        columns=[c.name for c in TRAIL_COLUMNS], dtype=object)
    count = len(entries)
    return View((replace(table(f"Audit trail {where}", TRAIL_COLUMNS, frame, sheet="Trail"),
                         empty="no entries"),),
                notes=(f"{count} command{'s' if count != 1 else ''} recorded; data: the files "
                       "each read, by a short checksum of their SHA-256s.",))


def replay_view(results: Sequence[Replayed], where: str) -> View:
    """Each entry of a trail replayed: reproduced, input changed, output differs, could not
    run."""
    import pandas as pd

    frame = pd.DataFrame([(r.line, r.status, r.command, r.detail) for r in results],
                         columns=[c.name for c in REPLAY_COLUMNS], dtype=object)
    failed = sum(r.status != "reproduced" for r in results)
    verdict = (f"all {len(results)} commands reproduced" if not failed else
               f"{failed} of {len(results)} commands not reproduced")
    return View((replace(table(f"Replay of {where}", REPLAY_COLUMNS, frame, sheet="Replay"),
                         empty="no entries"),), verdict=verdict)


# --- compare -----------------------------------------------------------------------------------

COMPARE_COLUMNS = (Column("psp_id", "id"), Column("name", "text"), _money("government_gbp"),
                   _money("additional_gbp"),
                   # stated only for PSPs that state additional funds: its total is theirs
                   Column("combined_gbp", "money", "sum", "{government_gbp}+{additional_gbp}"),
                   Column("leverage", "ratio", formula="{additional_gbp}/{government_gbp}"),
                   Column("additional_share", "share",
                          formula="{additional_gbp}/{combined_gbp}"),
                   Column("funders", "text"), Column("funder_sector", "text"))
#: How each kind of funder is said in compare's notes.
FUNDER_TYPES = {
    "public": "from other public bodies",
    "independent": "from independent funders (lottery, trusts) alone",
    "mixed": "from figures that combine public and independent funders, which the report "
             "does not split",
    "unclassified": "from funders of no known sector",
}


def compare_view(result: Comparison, totals: bool = False) -> View:
    return _by_psp("Additional funds against Scottish Government funds", COMPARE_COLUMNS[2:],
                   result.by_psp, split_notes(result), totals, "Additional funds")


def split_notes(result: Comparison) -> list[str]:
    """How much additional funding was stated, and how it splits by kind of funder."""
    split, by_psp = result.by_funder_type, result.by_psp
    stated = by_psp["additional_gbp"].notna().sum()
    total = money_total(split["additional_gbp"].tolist())
    lines = [f"Additional funds stated for {stated} of {len(by_psp)} PSPs: "
             f"{pretty_money(total)} in all."]
    labels = (dict(zip(by_psp["psp_id"].tolist(), by_psp["label"].tolist()))
              if "label" in by_psp.columns else {})
    for kind, amount, psps in split[["funder_type", "additional_gbp", "psps"]].values.tolist():
        named = [labels.get(p, p) for p in psps.split(", ")] if psps else []
        where = f" ({shortened(named)})" if named else ""
        lines.append(f"  {pretty_money(amount)} {FUNDER_TYPES[kind]}{where}")
    return lines


# --- reconcile ---------------------------------------------------------------------------------

CHECK_COLUMNS = (Column("check", "text"), Column("scope", "text"), _money("published_gbp"),
                 _money("computed_gbp"),
                 Column("difference_gbp", "money", formula="{published_gbp}-{computed_gbp}"),
                 Column("status", "text"))
CANDIDATE_COLUMNS = (Column("check", "text"), Column("scope", "text"),
                     Column("heuristic", "text"), Column("psp_id", "id"), Column("year", "year"),
                     _money("printed_gbp"), _money("would_be_gbp"), Column("note", "text"))
EXPLANATION_COLUMNS = (Column("check", "text"), Column("scope", "text"),
                       Column("heuristic", "text"), Column("note", "text"))
RECONCILIATION_TITLE = "Reconciliation of Table 3 against the published totals"
EXPLANATIONS_TITLE = "Candidate explanations of the mismatches (candidates, not corrections)"


def reconcile_view(result: Reconciliation, collapsed: bool = False) -> View:
    """The checks (mismatches shouted and highlighted) and the candidates for people; for
    machines the checks, each carrying its candidates as records (json only). ``collapsed``:
    a candidate said the same way for several checks is one row naming them all (a document
    need not repeat a note five times)."""
    import pandas as pd

    shouted = result.checks.assign(
        status=["MISMATCH" if s == "mismatch" else s for s in result.checks["status"]])
    sections = [table(RECONCILIATION_TITLE, CHECK_COLUMNS, shouted, sheet="Reconciliation",
                      highlight=result.mismatch_rows)]
    if not result.candidates.empty:
        explanations = _collapsed(result.explanations) if collapsed else result.explanations
        sections.append(table(EXPLANATIONS_TITLE, EXPLANATION_COLUMNS, explanations,
                              sheet="Candidates"))
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    records = result.candidates.drop(columns=["check", "scope"]).to_dict("records")
    for check, scope, record in zip(result.candidates["check"], result.candidates["scope"],
                                    records):
        found.setdefault((check, scope), []).append(record)
    nested = result.checks.copy()
    nested["candidates"] = pd.Series(
        [found.get((check, scope), [])
         for check, scope in zip(result.checks["check"], result.checks["scope"])],
        index=nested.index, dtype=object)
    check, scope, *figures = CHECK_COLUMNS
    data = table("Checks", (check, scope, Column("psp_id", "id"), Column("year", "year"),
                            Column("stream", "text"), *figures,
                            Column("candidates", "records")), nested)
    return View(tuple(sections), notes=tuple(result.notes), verdict=result.verdict, data=data,
                sectioned=True)


def _collapsed(explanations: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct (heuristic, note), the checks and scopes it stands for joined."""
    import pandas as pd

    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for check, scope, heuristic, note in explanations.itertuples(index=False, name=None):
        groups.setdefault((heuristic, note), []).append((check, scope))
    rows = [("; ".join(dict.fromkeys(c for c, _ in pairs)), "; ".join(s for _, s in pairs),
             heuristic, note) for (heuristic, note), pairs in groups.items()]
    return pd.DataFrame(rows, columns=["check", "scope", "heuristic", "note"], dtype=object)


def candidates_view(result: Reconciliation) -> View:
    section = table("Candidate explanations (not corrections)", CANDIDATE_COLUMNS,
                    result.candidates, sheet="Candidates")
    return View((section,), notes=tuple(result.notes), verdict=result.verdict)


# --- review ------------------------------------------------------------------------------------

OBSERVATION_COLUMNS = (Column("check", "text"), Column("scope", "text"), Column("psp_id", "id"),
                       Column("year", "year"), Column("to_year", "year"), _money("amount_gbp"),
                       Column("note", "text"))
ROUND_COLUMNS = (Column("year", "year"), Column("cells", "count"), Column("round", "count"),
                 Column("share", "share"))


def review_view(result: Review) -> View:
    """The observations, and the share of round figures per year; observations for people to
    look at again, never errors."""
    import pandas as pd

    count = len(result.observations)
    verdict = (f"{count} observation{'s' if count != 1 else ''} to look at again "
               "(observations, not errors)" if count else "no observations")
    people = (Column("check", "text"), PSP, Column("years", "text"), _money("amount_gbp"),
              Column("note", "text"))
    observations = result.observations
    named = pd.DataFrame(  # (the columns people read, as they stand: no copy of the rest)
        {"check": observations["check"],
         "PSP": observations["label"] if "label" in observations.columns else None,
         "years": [year if not to else f"{year}, {to}"
                   for year, to in zip(observations["year"].tolist(),
                                       observations["to_year"].tolist())],
         "amount_gbp": observations["amount_gbp"], "note": observations["note"]},
        index=observations.index, copy=False)
    return View(
        (replace(table("Observations (analytical review: patterns to look at again, not "
                       "errors)", people, named, blank="", sheet="Observations"),
                 empty="no observations"),
         table("Round figures per year (whole thousands of pounds)", ROUND_COLUMNS,
               result.round_figures, sheet="Round figures")),
        verdict=verdict, data=table("Observations", OBSERVATION_COLUMNS, result.observations),
        sectioned=True)


# --- diff --------------------------------------------------------------------------------------

CHANGE_COLUMNS = (Column("file", "text"), Column("change", "text"), Column("psp_id", "id"),
                  Column("year", "year"), Column("stream", "text"), Column("funder", "text"),
                  Column("total_id", "id"), Column("outcome", "text"), Column("field", "text"),
                  Column("old", "text"), Column("new", "text"),
                  _money("difference_gbp", "none"), Column("note", "text"))
#: What keys a fact of each file, as people read it (one phrase: ``low-moss 2013-14
#: government Scottish Government``).
KEYED_BY = {"psp": ("psp_id",), "funding": ("psp_id", "year", "stream", "funder"),
            "totals": ("total_id",), "outcomes": ("psp_id", "outcome")}
EFFECT_COLUMNS = (Column("check", "text"), Column("scope", "text"),
                  Column("old_status", "text"), Column("new_status", "text"),
                  _money("old_difference_gbp", "none"), _money("new_difference_gbp", "none"),
                  Column("note", "text"))
ARROW = "\u2192"


def diff_view(result: Differences) -> View:
    """What differs between two editions, and what it does to the reconciliation: for
    people each change in words (``£183,000 → £183,300 (+£300)``, ``added: £50,000``,
    ``renamed a → b``); for scripts the exact columns."""
    changes, effects = len(result.changes), len(result.effects)
    verdict = ("the editions hold the same facts" if result.same else
               f"the editions differ: {changes} fact{'s' if changes != 1 else ''} changed; "
               f"{effects} reconciliation check{'s' if effects != 1 else ''} change")
    said = result.changes.assign(**{"old → new": _said(result.changes)}, key=[
        " ".join(str(row[k]) for k in KEYED_BY.get(str(row["file"]), ()) if _given(row[k]))
        for row in result.changes.to_dict("records")])
    moved = result.effects.assign(
        status=[f"{a or 'not checked'} {ARROW} {b or 'not checked'}"
                for a, b in zip(result.effects["old_status"], result.effects["new_status"])],
        difference=[f"{_pretty(a)} {ARROW} {_pretty(b)}" for a, b in
                    zip(result.effects["old_difference_gbp"],
                        result.effects["new_difference_gbp"])])
    text = [Column("file", "text"), Column("key", "id"),
            *(Column(n, "text") for n in ("field", "old → new", "note"))]
    said_why = any(_given(n) for n in result.effects["note"].tolist())  # else no column
    checks = [Column(n, "text") for n in ("check", "scope", "status", "difference",
                                          *(("note",) if said_why else ()))]
    return View(
        (replace(table("What changed", text, said, sheet="Changes"), empty="none"),
         replace(table("What it does to the reconciliation", checks, moved,
                       sheet="Effect on checks"), empty="none")),
        verdict=verdict, data=table("Changes", CHANGE_COLUMNS, result.changes),
        sectioned=True)


def _given(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _pretty(value: Any) -> str:
    return pretty_money(value) if isinstance(value, Decimal) else "none"


def _said(changes: pd.DataFrame) -> list[str]:
    """Each change in words: a figure as money with its signed difference, text as it reads."""
    out = []
    for change, field, old, new, difference in changes[
            ["change", "field", "old", "new", "difference_gbp"]].itertuples(index=False):
        money = str(field).endswith("_gbp")
        was, now = ((pretty_money(Decimal(v)) if money and isinstance(v, str) else
                     "(blank)" if v is None or v != v else str(v)) for v in (old, new))
        if change == "renamed":
            out.append(f"renamed {old} {ARROW} {new}")
        elif change in ("added", "removed"):
            out.append(f"{change}: {now if change == 'added' else was}")
        elif money and isinstance(difference, Decimal):
            sign = "+" if difference > 0 else ""
            out.append(f"{was} {ARROW} {now} ({sign}{pretty_money(difference)})")
        else:
            out.append(f"{was} {ARROW} {now}")
    return out


# --- the data itself -----------------------------------------------------------------------------


def data_view(tables: dict[str, pd.DataFrame]) -> View:
    """The data as it is read (``reports.data_tables``): one section per table, titled as its
    file (``psp``, ``funding``, ``totals``, ``outcomes``) with the file's columns. What
    ``export --format workbook`` writes, and what a workbook source reads back to the same
    facts."""
    from .schema import TABLES

    kinds: dict[str, Kind] = {"amount": "money", "integer": "count"}
    return View(tuple(
        table(spec.name, [Column(c.name, kinds.get(c.kind, "text")) for c in spec.columns],
              tables[spec.name])
        for spec in TABLES))


# --- long tables, shortened for a document -------------------------------------------------------


def largest_rows(section: Table, keep: int, rows_are: str = "rows") -> tuple[Table, str | None]:
    """``section`` with at most ``keep`` rows and one more for the rest, and a sentence that
    says what was shortened (``None`` when the table is short enough to show whole).

    A table with money that adds up keeps its largest rows (by the last such column, largest
    first by size) and sums every such column over the rest into one line, so that the rows
    shown still add up to the totals; any other table keeps its first rows in order, and the
    rest line counts them. ``rows_are`` names the rows in that line (``PSPs``)."""
    import pandas as pd

    body = section.body
    if len(body) <= keep + 1:
        return section, None
    summed = [c.name for c in section.columns if c.kind == "money" and c.total == "sum"]
    if summed:
        by = summed[-1]
        size = [abs(v) if isinstance(v, Decimal) else Decimal(-1) for v in body[by].tolist()]
        order = sorted(range(len(body)), key=lambda n: size[n], reverse=True)
        shown, rest = body.iloc[sorted(order[:keep])], body.iloc[order[keep:]]
        how = f"the {keep:,} largest by {by}"
    else:
        shown, rest = body.iloc[:keep], body.iloc[keep:]
        how = f"the first {keep:,}"
    line: dict[str, Any] = {c.name: None for c in section.columns}
    for name in summed:
        figures = [v for v in rest[name].tolist() if isinstance(v, Decimal)]
        line[name] = money_total(figures) if figures else None
    first = next((c.name for c in section.columns if c.kind in ("id", "text", "year")),
                 section.columns[0].name)
    line[section.label or first] = f"all other {rows_are} ({len(rest):,})"
    short = pd.concat([shown.astype(object), pd.DataFrame([line], dtype=object)],
                      ignore_index=True)
    sentence = (f"{section.title or 'The table'}: {how} of {len(body):,} {rows_are} are shown, "
                f"and the other {len(rest):,} as one line"
                + (", whose figures are their sums" if summed else "") + ".")
    return replace(section, body=short, highlight=()), sentence
