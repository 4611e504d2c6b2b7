"""Two editions of the figures compared: every fact that differs, what a changed figure looks
like (two digits swapped, one digit changed), and what the change does to the
reconciliation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..loader import Dataset
from ..money import gbp as money_gbp
from ..money import plain_money
from .common import gbp
from .reconciliation import digit_slips, reconcile, transpositions

CHANGE_COLUMNS = ["what", "key", "field", "old", "new", "difference_gbp", "note"]
EFFECT_COLUMNS = ["check", "scope", "old_status", "new_status", "old_difference_gbp",
                  "new_difference_gbp"]
#: The facts of each file: its key columns, and the fields compared (amounts in pence).
FACTS = {
    "psp": (("psp_id",), ("name", "table_label", "established", "sector", "focus", "lead",
                          "lead_sector", "table_note", "source", "recipient_org_id")),
    "funding": (("psp_id", "year", "stream", "funder"),
                ("amount_pence", "funder_sector", "source")),
    "totals": (("total_id",), ("kind", "psp_id", "year", "stream", "amount_pence", "label",
                               "source")),
    "outcomes": (("psp_id", "outcome"), ("value", "qualifier", "source")),
}


@dataclass(frozen=True)
class Differences:
    """:attr:`changes`, one row per fact that differs (:data:`CHANGE_COLUMNS`), and
    :attr:`effects`, one row per reconciliation check whose status or difference differs
    (:data:`EFFECT_COLUMNS`)."""

    changes: pd.DataFrame
    effects: pd.DataFrame

    @property
    def same(self) -> bool:
        return self.changes.empty


def differences(old: Dataset, new: Dataset) -> Differences:
    """Every fact of ``new`` that is not the same in ``old``, keyed by what identifies it
    (funding figures by PSP, year, stream and funder; totals by total_id; PSPs by id; outcomes
    by PSP and outcome), and the reconciliation checks the change moves."""
    rows: list[tuple[Any, ...]] = []
    for name, (key, fields) in FACTS.items():
        before, after = _facts(getattr(old, name), key, fields), _facts(getattr(new, name),
                                                                        key, fields)
        for ident in [*before, *(k for k in after if k not in before)]:
            rows += _compared(name, ident, before.get(ident), after.get(ident), fields)
    return Differences(pd.DataFrame(rows, columns=CHANGE_COLUMNS, dtype=object),
                       _effects(old, new))


def _facts(frame: pd.DataFrame, key: tuple[str, ...], fields: tuple[str, ...]
           ) -> dict[tuple[str, ...], dict[str, Any]]:
    present = [f for f in fields if f in frame.columns]
    found = {}
    for row in frame[[*key, *present]].astype(object).itertuples(index=False, name=None):
        values = [None if pd.isna(v) else v for v in row]
        found[tuple("" if v is None else str(v) for v in values[:len(key)])] = dict(
            zip(present, values[len(key):]))
    return found


def _compared(name: str, ident: tuple[str, ...], before: dict[str, Any] | None,
              after: dict[str, Any] | None, fields: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    key = " ".join(part for part in ident if part)
    if before is None or after is None:
        facts = after if before is None else before
        assert facts is not None
        pence = facts.get("amount_pence")
        signed = None if pence is None else (int(pence) if before is None else -int(pence))
        yield (name, key, "", "" if before is None else "present",
               "" if after is None else "present", gbp(signed),
               "added" if before is None else "removed")
        return
    for field in fields:
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if field == "amount_pence" and old is not None and new is not None:
            yield (name, key, "amount_gbp", plain_money(money_gbp(int(old))),
                   plain_money(money_gbp(int(new))),
                   gbp(int(new) - int(old)), _how(int(old), int(new)))
        else:
            yield (name, key, field, "" if old is None else str(old),
                   "" if new is None else str(new), None, "changed")


def _how(old: int, new: int) -> str:
    """What a changed figure looks like: the fix of a transposition or of a slip, or not."""
    if new in transpositions(old):
        return "changed: two adjacent digits swapped"
    if new in digit_slips(old):
        return "changed: one digit changed"
    return "changed"


def _effects(old: Dataset, new: Dataset) -> pd.DataFrame:
    """The checks whose status or difference differs between the two reconciliations."""
    before, after = reconcile(old).checks, reconcile(new).checks
    index = {(r.check, r.scope): r for r in before.itertuples(index=False)}
    seen = set()
    rows = []
    for row in after.itertuples(index=False):
        seen.add((row.check, row.scope))
        was = index.get((row.check, row.scope))
        if was is None or (was.status, was.difference_gbp) != (row.status, row.difference_gbp):
            rows.append((row.check, row.scope, None if was is None else was.status, row.status,
                         None if was is None else was.difference_gbp, row.difference_gbp))
    rows += [(r.check, r.scope, r.status, None, r.difference_gbp, None)
             for r in before.itertuples(index=False) if (r.check, r.scope) not in seen]
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS, dtype=object)
