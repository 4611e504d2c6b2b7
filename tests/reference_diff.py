"""The reference for diff's changes: the comparison of pspctl.reports.editions before it was
vectorised (#27), fact by fact in Python (a dict per row), kept to test the columnwise one
against on random pairs of editions. Not used by pspctl; what the two share (the facts of each
file, renames, the digit heuristics, the effects on the checks) is imported from it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from pspctl.loader import Dataset
from pspctl.money import gbp as money_gbp
from pspctl.money import plain_money
from pspctl.reports.common import gbp
from pspctl.reports.editions import (
    CHANGE_COLUMNS,
    FACTS,
    KEY_COLUMNS,
    MAIN,
    Differences,
    _effects,
    _how,
    _renamed,
    _renames_first,
)


def differences(old: Dataset, new: Dataset) -> Differences:
    """diff's changes, fact by fact, as pspctl computed them before #27."""
    renamed = _renamed(old.psp, new.psp)
    rows: list[tuple[Any, ...]] = []
    for name, (key, fields) in FACTS.items():
        before = _facts(getattr(old, name), key, fields, renamed)
        after = _facts(getattr(new, name), key, fields, {})
        for ident in [*before, *(k for k in after if k not in before)]:
            rows += _compared(name, key, ident, before.get(ident), after.get(ident), fields)
    return Differences(pd.DataFrame(_renames_first(rows, renamed), columns=CHANGE_COLUMNS,
                                    dtype=object), _effects(old, new))


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
