"""Exact money: parsing printed amounts to integer pence, and writing pence back as pounds.

Nothing here uses floats. Imported by the loader, the reports and the renderer alike; it imports
nothing heavy.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from decimal import Context, Decimal
from itertools import repeat

#: What an amount may look like: ``1234``, ``1234.5``, ``1,234.00``, ``£1,234`` (and a minus sign,
#: which the loader reports as a negative amount). Digits are ASCII ``0-9`` only: Python's ``\d``
#: would also take other scripts' digits (``١٢``) as a number.
AMOUNT_PATTERN = (
    r"^(?P<neg1>-)?£?(?P<neg2>-)?(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    r"(?:\.(?P<pence>[0-9]{1,2}))?\Z"
)
AMOUNT_HELP = "write it as 1234, 1234.50, 1,234.00 or £1,234"
AMOUNT = re.compile(AMOUNT_PATTERN)


def parse_pence(text: str) -> int:
    """``text`` as integer pence; ``ValueError`` when it is not an amount (negatives allowed)."""
    match = AMOUNT.match(text.strip())
    if not match:
        raise ValueError(f"bad amount {text!r}: {AMOUNT_HELP}")
    pence = int(match["pounds"].replace(",", "")) * 100 + int((match["pence"] or "").ljust(2, "0"))
    return -pence if match["neg1"] or match["neg2"] else pence


#: The context pounds are made in: exact for any 64-bit number of pence, whatever the caller's
#: own context (a notebook may lower its precision, and arithmetic rounds to it).
_EXACT = Context(prec=40)
_PENNY = Decimal("0.01")


def gbp(pence: int) -> Decimal:
    """Integer pence as exact ``Decimal`` pounds, with two decimals (``183000.30``)."""
    return _EXACT.multiply(Decimal(int(pence)), _PENNY)


def gbp_column(pence: Iterable[int]) -> list[Decimal]:
    """:func:`gbp` of each of ``pence``, a column at once (without a call of it per cell)."""
    return list(map(_EXACT.multiply, map(Decimal, map(int, pence)), repeat(_PENNY)))


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``amounts`` (``0.00`` for none), in pspctl's own context as
    :func:`gbp` makes pounds: a caller's lowered precision cannot round a total."""
    return functools.reduce(_EXACT.add, amounts, Decimal("0.00"))


def _two_decimals(value: Decimal) -> str | None:
    """The text of a ``Decimal`` with exactly two decimals, as :func:`gbp` makes them
    (``"2759368.00"``), else ``None``: the hot path of every money cell written."""
    if isinstance(value, Decimal):
        text = str(value)
        if _in_pence(text):
            return text
    return None


def _in_pence(text: str) -> bool:
    """Whether a ``Decimal``'s text has exactly two decimals (its exponent is -2)."""
    return text[-3:-2] == "." and "E" not in text


def plain_money(value: Decimal) -> str:
    """``2759368`` or ``101459.50``: exact, no symbol, no separators."""
    text = _two_decimals(value)
    if text is not None:
        return text[:-3] if text.endswith(".00") else text
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value.quantize(Decimal("0.01")))


def plain_money_column(values: Iterable[Decimal | None]) -> list[str]:
    """:func:`plain_money` of each value (``""`` for ``None``), a column at once: the pounds
    :func:`gbp` makes are written by cutting their text, without a call per cell."""
    values = list(values)
    texts = ["" if v is None else str(v) for v in values]
    if all(_in_pence(t) for t in texts if t):
        return [t[:-3] if t.endswith(".00") else t for t in texts]
    return ["" if v is None else plain_money(v) for v in values]


def pretty_money(value: Decimal) -> str:
    """``£2,759,368`` or ``£101,459.50`` (pence only when not zero), ``-£300`` when negative."""
    text = _two_decimals(value)
    if text is not None and text[0] != "-":
        pounds, pence = int(text[:-3]), text[-2:]
        return f"£{pounds:,}" if pence == "00" else f"£{pounds:,}.{pence}"
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value == value.to_integral_value():
        body = f"{value.quantize(Decimal(1)):,}"
    else:
        body = f"{value.quantize(Decimal('0.01')):,}"
    return f"{sign}£{body}"
