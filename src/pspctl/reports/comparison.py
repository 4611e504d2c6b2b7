"""Additional funds from other organisations against Scottish Government funds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..loader import Dataset, codes_of
from .common import (
    ADDITIONAL,
    GOVERNMENT,
    INDEPENDENT_SECTORS,
    PUBLIC_SECTORS,
    _money,
    _names,
    _psp_order,
    _sums,
    gbp,
    psp_labels,
    resolve_psps,
)

# --- compare -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Additional funds against government funds: :attr:`by_psp` one row per PSP,
    :attr:`by_funder_type` the split of the additional funds into public bodies, independent
    funders, and figures that mix both (the report does not split those)."""

    by_psp: pd.DataFrame
    by_funder_type: pd.DataFrame


def funder_type(sectors: str | None) -> str:
    """``public``, ``independent``, ``mixed`` (a figure combining both) or ``unclassified``."""
    if sectors is None or pd.isna(sectors) or not str(sectors).strip():
        return "unclassified"
    kinds = set()
    for sector in str(sectors).split(";"):
        sector = sector.strip()
        if sector in PUBLIC_SECTORS:
            kinds.add("public")
        elif sector in INDEPENDENT_SECTORS:
            kinds.add("independent")
        else:
            return "unclassified"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def compare(data: Dataset, psps: Sequence[str] | None = None) -> Comparison:
    """Additional funds from other organisations against Scottish Government funds per PSP.

    ``additional_gbp``, ``combined_gbp``, ``leverage`` (additional £ per £1 of government funds)
    and ``additional_share`` (of combined) are missing where the report states no additional
    funds: not stated, never zero. ``psps`` as :func:`resolve_psp` takes them.
    """
    psps = resolve_psps(data, psps, "psps")
    ids = _psp_order(data, psps)
    names, labels = _names(data), psp_labels(data)
    funding = data.funding[["psp_id", "stream", "funder", "funder_sector", "amount_pence"]]
    if psps is not None:
        funding = funding[funding["psp_id"].isin(ids)]
    government = _sums(funding[funding["stream"] == GOVERNMENT], ids).fillna(0)
    additional = funding[funding["stream"] == ADDITIONAL]
    sector_pairs = _distinct_pairs(additional, "funder_sector")
    added = _sums(additional, ids)
    combined = government + added
    gov_d = [Decimal(int(v)) for v in government.tolist()]
    leverage = [None if a is pd.NA or not g else float(Decimal(int(a)) / g)
                for a, g in zip(added.tolist(), gov_d)]
    share = [None if a is pd.NA or c is pd.NA or not c else float(Decimal(int(a)) / Decimal(int(c)))
             for a, c in zip(added.tolist(), combined.tolist())]
    by_psp = pd.DataFrame(
        {
            "psp_id": ids,
            "name": [names[i] for i in ids],
            "label": [labels[i] for i in ids],
            "government_gbp": _money(government),
            "additional_gbp": _money(added),
            "combined_gbp": _money(combined),
            "leverage": leverage,
            "additional_share": share,
            "funders": _joined(_distinct_pairs(additional, "funder"), ids),
            "funder_sector": _joined(sector_pairs, ids),
        },
        dtype=object,
    )
    return Comparison(by_psp=by_psp, by_funder_type=_by_funder_type(additional, sector_pairs,
                                                                      ids))


def _by_funder_type(additional: pd.DataFrame, sector_pairs: _Pairs, ids: list[str]
                    ) -> pd.DataFrame:
    """The additional funds split into public bodies, independent funders, figures that mix
    both, and funders of no known sector: ``funder_type``, ``additional_gbp``, ``psps``."""
    # Classify each distinct sector once, then add up per kind of funder.
    per_sector = additional.groupby(
        "funder_sector", observed=True, dropna=False)["amount_pence"].sum()
    kinds = {value: funder_type(None if pd.isna(value) else str(value))
             for value in per_sector.index.tolist()}
    psps_of: dict[str, set[str]] = {}  # the PSPs with funds of each kind
    for psp_id, sector in sector_pairs:
        psps_of.setdefault(kinds[sector], set()).add(str(psp_id))
    blank = additional["funder_sector"].isna()
    if blank.any():
        psps_of.setdefault("unclassified", set()).update(
            str(i) for i in additional.loc[blank, "psp_id"].unique().tolist())
    position = {psp_id: n for n, psp_id in enumerate(ids)}
    split = []
    for kind in ("public", "independent", "mixed", "unclassified"):
        sectors = [value for value, k in kinds.items() if k == kind]
        amount = sum((int(per_sector[v]) for v in sectors), 0)
        if kind in ("public", "independent") or sectors:
            which = sorted(psps_of.get(kind, set()), key=position.__getitem__)
            split.append((kind, gbp(amount), ", ".join(which)))
    return pd.DataFrame(split, columns=["funder_type", "additional_gbp", "psps"], dtype=object)



@dataclass(frozen=True)
class _Pairs:
    """Distinct (``psp_id``, value) pairs in the order they first appear, as codes."""

    psp_codes: np.ndarray[Any, Any]
    psp_values: list[Any]
    codes: np.ndarray[Any, Any]
    values: list[Any]

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        psp_ids = np.asarray(self.psp_values, dtype=object)[self.psp_codes].tolist()
        return zip(psp_ids, np.asarray(self.values, dtype=object)[self.codes].tolist())


def _distinct_pairs(frame: pd.DataFrame, column: str) -> _Pairs:
    """The distinct (``psp_id``, ``column``) pairs of ``frame`` with both cells filled."""
    psp_codes, psp_values = codes_of(frame["psp_id"])
    codes, values = codes_of(frame[column])
    filled = (psp_codes >= 0) & (codes >= 0)
    psp_codes, codes = psp_codes[filled], codes[filled]
    key = psp_codes.astype(np.int64) * (len(values) + 1) + codes
    where = np.flatnonzero(~pd.Index(key).duplicated())  # each pair's first row
    return _Pairs(psp_codes[where], psp_values, codes[where], values)


def _joined(pairs: _Pairs, ids: list[str]) -> list[str | None]:
    """The values of distinct ``pairs`` per PSP, in the order they first appear, "; "-joined;
    ``None`` where a PSP has none."""
    order = np.argsort(pairs.psp_codes, kind="stable")  # each PSP's pairs together, in order
    psp_codes = pairs.psp_codes[order]
    names = np.asarray([str(v) for v in pairs.values], dtype=object)[pairs.codes[order]]
    starts: list[int] = (np.flatnonzero(np.r_[True, psp_codes[1:] != psp_codes[:-1]]).tolist()
                         if len(order) else [])
    ends = [*starts[1:], len(order)]
    found = {str(pairs.psp_values[psp_codes[start]]): "; ".join(names[start:end].tolist())
             for start, end in zip(starts, ends)}
    return [found.get(i) for i in ids]
