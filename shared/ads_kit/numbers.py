"""Metrics as the platforms send them (numbers written as text) -> exact ``int`` and ``Decimal``.

The fast path is the common case: a digit string goes straight to ``int()`` or ``Decimal()``; anything
else takes the exact path (``str()`` of a float is its shortest repr, never its binary expansion).
A value that is not a number is one line naming the field: ``<kind> <field>: 'n/a' is not a number``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def to_decimal(value: Any, field: str, kind: str = "field") -> Decimal:
    try:
        return Decimal(value if type(value) is str else str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{kind} {field}: {value!r} is not a number") from exc


def to_int(value: Any, field: str, kind: str = "field") -> int:
    if type(value) is str:
        # Counts are digit strings: int() reads them directly (the same text Decimal accepts);
        # anything else ("12.0", "1e3") takes the exact Decimal path below.
        try:
            return int(value)
        except ValueError:
            pass
    number = to_decimal(value, field, kind)
    if number != number.to_integral_value():
        raise ValueError(f"{kind} {field}: {value!r} is not a whole number")
    return int(number)
