"""Two editions of the figures compared: every fact that differs, what a changed figure looks
like (two digits swapped, one digit changed), and what the change does to the
reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..loader import Dataset
from ..money import gbp as money_gbp
from ..money import plain_money
from .common import gbp
from .reconciliation import digit_slips, reconcile, transpositions

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
    it (its facts compared under the new id).

    The editions are compared as columns: each file's rows joined on their keys (as integer
    codes), each field compared at once, money in integer pence; only the facts that differ
    become rows, and only changed figures meet the digit heuristics."""
    renamed = _renamed(old.psp, new.psp)
    rows: list[tuple[Any, ...]] = []
    for name, (key, fields) in FACTS.items():
        rows += _compared_files(name, getattr(old, name), getattr(new, name), key, fields,
                                renamed)
    return Differences(pd.DataFrame(_renames_first(rows, renamed), columns=CHANGE_COLUMNS,
                                    dtype=object), _effects(old, new))


def _renames_first(rows: list[tuple[Any, ...]], renamed: dict[str, str]
                   ) -> list[tuple[Any, ...]]:
    """Each renamed PSP as one row, what else changed for it beneath, then the other rows."""
    first = [("psp", "renamed", now, None, None, None, None, None, "psp_id", was, now, None, "")
             for was, now in renamed.items()]
    for row in first[:]:
        first += [r for r in rows if r[2] == row[2]]
    return [*first, *(r for r in rows if r[2] not in renamed.values())]


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


def _coded(before: pd.Series, after: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Two columns as integer codes over the values of both (a missing value -1), so that
    equal codes are equal values; whole numbers as they are, anything else by its text, worked
    out once per distinct value (a category), never once per cell."""
    if before.dtype == np.int64 and after.dtype == np.int64:
        return before.to_numpy(), after.to_numpy()
    a, b = (column if isinstance(column.dtype, pd.CategoricalDtype)
            else column.astype(object).astype("category") for column in (before, after))
    if a.cat.categories.equals(b.cat.categories):  # (an edition of the same ledger, mostly)
        return a.cat.codes.to_numpy(), b.cat.codes.to_numpy()
    texts = [pd.Index(list(map(str, column.cat.categories)), dtype=object)  # (2012 is "2012")
             for column in (a, b)]
    values = pd.Index(pd.concat([texts[0].to_series(), texts[1].to_series()]).unique())
    out = []
    for column, text in zip((a, b), texts):
        shared = np.append(values.get_indexer(text), -1)  # a code of -1 (missing) stays -1
        out.append(shared[column.cat.codes.to_numpy().astype(np.int64)])
    return out[0], out[1]


def _renamed_ids(frame: pd.DataFrame, renamed: dict[str, str]) -> pd.DataFrame:
    """``frame`` with each renamed PSP's old id read as its new one."""
    if not renamed or "psp_id" not in frame.columns:
        return frame
    ids = frame["psp_id"].astype(object)
    return frame.assign(psp_id=ids.where(~ids.isin(list(renamed)), ids.map(renamed)))


def _compared_files(name: str, before: pd.DataFrame, after: pd.DataFrame,
                    key: tuple[str, ...], fields: tuple[str, ...],
                    renamed: dict[str, str]) -> list[tuple[Any, ...]]:
    """The facts of one file that differ, in the order of the old edition's rows, then the
    new one's: its rows joined on their keys, each field compared as a column."""
    before = _renamed_ids(before, renamed)
    present = [f for f in fields if f in before.columns and f in after.columns]
    a_at, b_at, gone, came = _joined(*_one_key(before, after, key))
    aligned = len(a_at) == len(before) == len(after) and bool(
        np.array_equal(a_at, b_at) and np.array_equal(a_at, np.arange(len(a_at))))
    events: list[tuple[int, int, str, int, int]] = []  # (order, field number, change, a, b)
    for number, field in enumerate(present):
        x, y = _coded(before[field], after[field])
        off = np.flatnonzero(x != y) if aligned else np.flatnonzero(x[a_at] != y[b_at])
        events += [(int(a_at[n]), number, "changed", int(a_at[n]), int(b_at[n])) for n in off]
    events += [(int(a), -1, "removed", int(a), -1) for a in gone]
    events += [(len(before) + int(b), -1, "added", -1, int(b)) for b in came]
    events.sort()
    rows: list[tuple[Any, ...]] = []
    for _, number, change, a, b in events:
        rows += _fact(name, key, present, before, after, change, a, b, number)
    return rows


def _joined(key_a: np.ndarray, key_b: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows of the two editions matched on their keys: the positions of the matched rows
    in each, then the rows only the old one has and those only the new one has (of rows with
    one key, the last, as a dict keeps it)."""
    kept_a, kept_b = _kept(key_a), _kept(key_b)
    found_b = pd.Index(key_b[kept_b]).get_indexer(pd.Index(key_a[kept_a]))
    found_a = pd.Index(key_a[kept_a]).get_indexer(pd.Index(key_b[kept_b]))
    matched = found_b >= 0
    return (kept_a[matched], kept_b[found_b[matched]], kept_a[~matched],
            kept_b[found_a < 0])


def _one_key(before: pd.DataFrame, after: pd.DataFrame, key: tuple[str, ...]
             ) -> tuple[np.ndarray, np.ndarray]:
    """The key columns of each edition as one integer per row (their codes in mixed radix,
    one column at a time), or, where the values are too many for one integer, as text."""
    key_a = np.zeros(len(before), dtype=np.int64)
    key_b = np.zeros(len(after), dtype=np.int64)
    room = 2.0 ** 62
    for name in key:
        a, b = _coded(before[name], after[name])
        size = int(max(a.max(initial=-1), b.max(initial=-1))) + 2
        room /= size
        if room < 1:  # too many: each row's key as the text of its values
            texts = [frame[list(key)].astype(str).agg("\x1f".join, axis=1).to_numpy()
                     for frame in (before, after)]
            return texts[0], texts[1]
        key_a = key_a * size + a + 1  # (int64 first: a code of a few bits never overflows)
        key_b = key_b * size + b + 1
    return key_a, key_b


def _kept(key: np.ndarray) -> np.ndarray:
    """The positions of the rows that stand for their key: all of them when the keys are
    unique (valid data), else the last of each."""
    if pd.Index(key).is_unique:
        return np.arange(len(key))
    return np.flatnonzero(~pd.Series(key).duplicated(keep="last").to_numpy())


def _value(frame: pd.DataFrame, field: str, at: int) -> Any:
    value = frame[field].iloc[at]
    return None if pd.isna(value) else value


def _fact(name: str, key: tuple[str, ...], present: list[str], before: pd.DataFrame,
          after: pd.DataFrame, change: str, a: int, b: int, number: int
          ) -> list[tuple[Any, ...]]:
    """The row (or rows) that say how one fact differs."""
    frame, at = (before, a) if change == "removed" else (after, b)  # the fact as it is now
    facts = {f: _value(frame, f, at) for f in {*key, *present} if f in frame.columns}
    named = {k: (None if facts.get(k) is None else str(facts[k])) for k in key}
    where = (name, *(named.get(k) or facts.get(k) or None for k in KEY_COLUMNS))
    if change != "changed":
        main = MAIN[name]
        value = facts.get(main)
        field, shown, signed = main, None if value is None else str(value), None
        if main == "amount_pence" and value is not None:
            field, shown = "amount_gbp", plain_money(money_gbp(int(value)))
            signed = int(value) if change == "added" else -int(value)
        return [(where[0], change, *where[1:], field, shown if change == "removed" else None,
                 shown if change == "added" else None, gbp(signed), "")]
    field = present[number]
    old, new = _value(before, field, a), _value(after, field, b)
    if field == "amount_pence" and old is not None and new is not None:
        return [(where[0], "changed", *where[1:], "amount_gbp", plain_money(money_gbp(int(old))),
                 plain_money(money_gbp(int(new))), gbp(int(new) - int(old)),
                 _how(int(old), int(new)))]
    return [(where[0], "changed", *where[1:], field, None if old is None else str(old),
             None if new is None else str(new), None, "")]


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
