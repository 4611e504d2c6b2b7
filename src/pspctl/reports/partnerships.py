"""The partnerships: one row per PSP (``list``), and everything about one (``show``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..loader import Dataset
from .common import (
    ADDITIONAL,
    GOVERNMENT,
    _by_psp,
    _money,
    _objects,
    _sums,
    psp_labels,
    resolve_psp,
    year_range,
)

# --- list --------------------------------------------------------------------------------------


def psp_list(
    data: Dataset, lead_sector: str | None = None, active_in: str | None = None
) -> pd.DataFrame:
    """One row per PSP with its attributes and its funding.

    Columns: ``psp_id``, ``name``, ``label`` (Table 3's row label), ``established``, ``sector``,
    ``lead``, ``lead_sector``, ``first_year`` and ``last_year`` (of government funding),
    ``government_gbp`` and ``additional_gbp`` (missing when the report states no additional funds).
    ``lead_sector`` keeps only PSPs whose lead is of that sector (``public`` or ``third``);
    ``active_in`` only those with government funding in that financial year.
    """
    funding = data.funding
    government = funding[funding["stream"] == GOVERNMENT]
    additional = funding[funding["stream"] == ADDITIONAL]
    psp = data.psp
    if lead_sector is not None:
        if lead_sector not in ("public", "third"):
            raise UsageError(f"lead_sector {lead_sector!r}: use public or third")
        psp = psp[psp["lead_sector"] == lead_sector]
    if active_in is not None:
        year, _ = year_range(data, active_in, active_in, ("active_in", "active_in"))
        active = government.loc[government["year"] == year, "psp_id"].unique().tolist()
        psp = psp[psp["psp_id"].isin(active)]
    ids = [str(i) for i in psp["psp_id"].tolist()]
    years = _by_psp(government, ids, "year", "min"), _by_psp(government, ids, "year", "max")
    labels = psp_labels(data)
    return pd.DataFrame(
        {
            "psp_id": ids,
            "name": _objects(psp["name"]),
            "label": [labels[i] for i in ids],
            "established": _objects(psp["established"]),
            "sector": _objects(psp["sector"]),
            "lead": _objects(psp["lead"]),
            "lead_sector": _objects(psp["lead_sector"]),
            "first_year": years[0],
            "last_year": years[1],
            "government_gbp": _money(_sums(government, ids).fillna(0)),
            "additional_gbp": _money(_sums(additional, ids)),
        },
        dtype=object,
    )



# --- show --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PspDetail:
    """Everything about one PSP, in sections; :attr:`facts` is all of it as one long table."""

    psp_id: str
    attributes: pd.DataFrame  # field, value, source
    government: pd.DataFrame  # year, amount_gbp, source, line
    additional: pd.DataFrame  # funder, funder_sector, amount_gbp, source, line
    outcomes: pd.DataFrame  # outcome, value, qualifier, source, line

    @property
    def facts(self) -> pd.DataFrame:
        """One row per fact: ``psp_id``, ``section``, ``field``, ``value``, the ``year``,
        ``stream`` and ``funder`` of a figure, ``amount_gbp``, ``source``, and the ``file`` and
        ``line`` of the data the fact comes from."""
        rows: list[tuple[Any, ...]] = [
            ("psp", r.field, r.value, None, None, None, None, r.source, "psp.csv", r.line)
            for r in self.attributes.itertuples(index=False)
        ]
        rows += [
            ("government", r.year, None, r.year, "government", None, r.amount_gbp, r.source,
             "funding.csv", r.line)
            for r in self.government.itertuples(index=False)
        ]
        rows += [
            ("additional", r.funder, r.funder_sector, None, "additional", r.funder,
             r.amount_gbp, r.source, "funding.csv", r.line)
            for r in self.additional.itertuples(index=False)
        ]
        rows += [
            ("outcome", r.outcome,
             None if r.value is None else (f"{r.qualifier!s} {r.value!s}" if r.qualifier
                                           else str(r.value)),
             None, None, None, None, r.source, "outcomes.csv", r.line)
            for r in self.outcomes.itertuples(index=False)
        ]
        facts = pd.DataFrame(rows, columns=["section", "field", "value", "year", "stream",
                                            "funder", "amount_gbp", "source", "file", "line"],
                             dtype=object)
        facts.insert(0, "psp_id", self.psp_id)
        return facts


def _attributes(row: pd.Series) -> pd.DataFrame:
    """A PSP's row of psp.csv as one row per attribute: field, value, source, line."""
    fields = ["psp_id", "name", "table_label", "established", "sector", "focus", "lead",
              "lead_sector", "table_note"]
    return pd.DataFrame(
        [(f, None if pd.isna(row[f]) else str(row[f]), row["source"], int(row["line"]))
         for f in fields],
        columns=["field", "value", "source", "line"],
        dtype=object,
    )


def psp_detail(data: Dataset, query: str) -> PspDetail:
    """Everything the data holds about the PSP ``query`` names (see :func:`resolve_psp`)."""
    psp_id = resolve_psp(data.psp, query)
    attributes = _attributes(data.psp[data.psp["psp_id"] == psp_id].iloc[0])
    funding = data.funding[data.funding["psp_id"] == psp_id]
    government = funding[funding["stream"] == GOVERNMENT].sort_values("year")
    additional = funding[funding["stream"] == ADDITIONAL]
    outcomes = data.outcomes[data.outcomes["psp_id"] == psp_id]
    return PspDetail(
        psp_id=psp_id,
        attributes=attributes,
        government=pd.DataFrame(
            {
                "year": government["year"].tolist(),
                "amount_gbp": _money(government["amount_pence"]),
                "source": government["source"].tolist(),
                "line": government["line"].tolist(),
            },
            dtype=object,
        ),
        additional=pd.DataFrame(
            {
                "funder": additional["funder"].tolist(),
                "funder_sector": additional["funder_sector"].astype(object).tolist(),
                "amount_gbp": _money(additional["amount_pence"]),
                "source": additional["source"].tolist(),
                "line": additional["line"].tolist(),
            },
            dtype=object,
        ).replace({pd.NA: None}),
        outcomes=pd.DataFrame(
            {
                "outcome": outcomes["outcome"].tolist(),
                "value": [None if pd.isna(v) else int(v) for v in outcomes["value"]],
                "qualifier": [None if pd.isna(q) else q for q in outcomes["qualifier"]],
                "source": outcomes["source"].tolist(),
                "line": outcomes["line"].tolist(),
            },
            dtype=object,
        ),
    )
