"""The reference for diff's changes: the implementation of pspctl.reports.editions before it
was vectorised (#27), fact by fact in Python, kept to test the vectorised one against on
random pairs of editions. Not used by pspctl."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pspctl.loader import Dataset
from pspctl.money import gbp as money_gbp
from pspctl.money import plain_money
from pspctl.reports.common import gbp
from pspctl.reports.reconciliation import digit_slips, reconcile, transpositions

#: Where a fact is (its file, and the columns that key it there: the PSP, the year, the stream
#: and the funder of a figure; a published total's total_id; an outcome's name), what changed.
KEY_COLUMNS = ["psp_id", "year", "stream", "funder", "total_id", "outcome"]
CHANGE_COLUMNS = ["file", "change", *KEY_COLUMNS, "field", "old", "new", "difference_gbp",
                  "note"]
EFFECT_COLUMNS = ["check", "scope", "old_status", "new_status", "old_difference_gbp",
                  "new_difference_gbp", "note"]
#: The fact an added or removed row stands for, in each file: its figure, or its name.
MAIN = {"psp": "name", "funding": "amount_pence", "totals": "amount_pence",
        "outcomes": "value"}
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
    """:attr:`changes`, one row per fact that differs (:data:`CHANGE_COLUMNS`: ``change`` is
    ``changed``, ``added``, ``removed`` or ``renamed``; ``old`` and ``new`` the figure or text
    on each side, an amount in plain pounds), and :attr:`effects`, one row per reconciliation
    check whose status or difference differs (:data:`EFFECT_COLUMNS`; ``note`` says why a
    check is no longer made, or is made for the first time)."""

    changes: pd.DataFrame
    effects: pd.DataFrame

    @property
    def same(self) -> bool:
        return self.changes.empty


def differences(old: Dataset, new: Dataset) -> Differences:
    """Every fact of ``new`` that is not the same in ``old``, keyed by what identifies it
    (funding figures by PSP, year, stream and funder; totals by total_id; PSPs by id; outcomes
    by PSP and outcome), and the reconciliation checks the change moves. A PSP whose id
    changed but whose name did not is one ``renamed`` row, followed by what else changed for
    it (its facts compared under the new id)."""
    renamed = _renamed(old.psp, new.psp)
    rows: list[tuple[Any, ...]] = []
    for name, (key, fields) in FACTS.items():
        before = _facts(getattr(old, name), key, fields, renamed)
        after = _facts(getattr(new, name), key, fields, {})
        for ident in [*before, *(k for k in after if k not in before)]:
            rows += _compared(name, key, ident, before.get(ident), after.get(ident), fields)
    first = [("psp", "renamed", now, None, None, None, None, None, "psp_id", was, now, None, "")
             for was, now in renamed.items()]
    for row in first[:]:
        first += [r for r in rows if r[2] == row[2]]
    rows = [*first, *(r for r in rows if r[2] not in renamed.values())]
    return Differences(pd.DataFrame(rows, columns=CHANGE_COLUMNS, dtype=object),
                       _effects(old, new))


def _renamed(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, str]:
    """The PSPs of ``before`` whose id is gone from ``after`` while one new id has the same
    name (and no other gone id has it): old id to new id."""
    old = dict(zip(before["psp_id"].astype(str), before["name"].astype(object)))
    new = dict(zip(after["psp_id"].astype(str), after["name"].astype(object)))
    gone = {i: n for i, n in old.items() if i not in new and isinstance(n, str) and n}
    came = {i: n for i, n in new.items() if i not in old and isinstance(n, str) and n}
    pairs = {}
    for was, name in gone.items():
        match = [i for i, n in came.items() if n == name]
        if len(match) == 1 and list(gone.values()).count(name) == 1:
            pairs[was] = match[0]
    return pairs


def _facts(frame: pd.DataFrame, key: tuple[str, ...], fields: tuple[str, ...],
           renamed: dict[str, str]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Each row's fields by its key, a renamed PSP's id read as its new one."""
    present = [f for f in fields if f in frame.columns]
    found = {}
    for row in frame[[*key, *present]].astype(object).itertuples(index=False, name=None):
        values = [None if pd.isna(v) else v for v in row]
        facts = dict(zip(present, values[len(key):]))
        ident = ["" if v is None else str(v) for v in values[:len(key)]]
        if renamed:
            ident = [renamed.get(v, v) if k == "psp_id" else v for k, v in zip(key, ident)]
            owner = facts.get("psp_id")
            if isinstance(owner, str) and owner in renamed:
                facts["psp_id"] = renamed[owner]
        found[tuple(ident)] = facts
    return found


def _compared(name: str, key: tuple[str, ...], ident: tuple[str, ...],
              before: dict[str, Any] | None, after: dict[str, Any] | None,
              fields: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    named = dict(zip(key, ident))
    facts = after if after is not None else before
    assert facts is not None
    where = (name, *(named.get(k) or facts.get(k) or None for k in KEY_COLUMNS))
    if before is None or after is None:
        main = MAIN[name]
        value = facts.get(main)
        field, shown, signed = main, None if value is None else str(value), None
        if main == "amount_pence" and value is not None:
            field, shown = "amount_gbp", plain_money(money_gbp(int(value)))
            signed = int(value) if before is None else -int(value)
        change = "added" if before is None else "removed"
        yield (where[0], change, *where[1:], field, None if before is None else shown,
               None if after is None else shown, gbp(signed), "")
        return
    for field in fields:
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if field == "amount_pence" and old is not None and new is not None:
            yield (where[0], "changed", *where[1:], "amount_gbp",
                   plain_money(money_gbp(int(old))), plain_money(money_gbp(int(new))),
                   gbp(int(new) - int(old)), _how(int(old), int(new)))
        else:
            yield (where[0], "changed", *where[1:], field, None if old is None else str(old),
                   None if new is None else str(new), None, "")


def _how(old: int, new: int) -> str:
    """What a changed figure looks like: the fix of a transposition or of a slip, or not."""
    if new in transpositions(old):
        return "two adjacent digits swapped"
    if new in digit_slips(old):
        return "one digit changed"
    return ""


def _effects(old: Dataset, new: Dataset) -> pd.DataFrame:
    """The checks whose status or difference differs between the two reconciliations; a check
    made in one edition only says which published totals it rests on that the other lacks."""
    was, now = reconcile(old), reconcile(new)
    before, after = was.checks, now.checks
    index = {(r.check, r.scope): r for r in before.itertuples(index=False)}
    seen = set()
    rows = []
    for row, sources in zip(after.itertuples(index=False), now.sources):
        seen.add((row.check, row.scope))
        then = index.get((row.check, row.scope))
        if then is None or (then.status, then.difference_gbp) != (row.status,
                                                                  row.difference_gbp):
            note = "" if then is not None else _why(sources, old, "newly checked", "added")
            rows.append((row.check, row.scope, None if then is None else then.status,
                         row.status, None if then is None else then.difference_gbp,
                         row.difference_gbp, note))
    rows += [(r.check, r.scope, r.status, None, r.difference_gbp, None,
              _why(sources, new, "not checked", "removed"))
             for r, sources in zip(before.itertuples(index=False), was.sources)
             if (r.check, r.scope) not in seen]
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS, dtype=object)


def _why(sources: tuple[str, ...], other: Dataset, said: str, done: str) -> str:
    """Why a check is made in one edition only: the published totals it compares that the
    ``other`` edition does not have."""
    missing = [s for s in sources if s not in set(other.totals["total_id"].astype(str))]
    if not missing:
        return f"{said}: the totals or cells it compares changed"
    totals, were = ("totals", "were") if len(missing) > 1 else ("total", "was")
    return f"{said}: the published {totals} {', '.join(missing)} {were} {done}"
