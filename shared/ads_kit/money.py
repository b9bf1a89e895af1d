"""Decimal money: minor units, micros, major-unit strings and locale-formatted amounts.

Every amount stays a ``Decimal`` from the wire to the record; rounding happens once, at output,
half-even, to the currency's ISO 4217 exponent (``quantize_output``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache
from typing import overload

from babel.core import UnknownLocaleError
from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal
from iso4217 import Currency

RATIO_PLACES = 6
"""Decimal places kept for ratios (ctr, cpc, cpm, cpa, roas, fx rates)."""

MICROS_PER_UNIT = Decimal(1_000_000)

# Platforms write these where a metric has no value (TikTok documents "-").
_NO_VALUE = frozenset({"", "-", "--"})
# Grouping characters seen in formatted amounts: space, no-break space, narrow no-break space, apostrophe.
_GROUPING_SPACES = re.compile(r"[\s\u00a0\u202f'\u2019]")
_DIGITS_AND_SEPARATORS = re.compile(r"[0-9.,]+")
_GROUPED_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+")


class MoneyError(ValueError):
    """An amount or currency that cannot be read exactly; the message names the value."""


@cache
def currency_exponent(currency: str | None) -> int:
    """Number of decimal places of ``currency`` per ISO 4217 (JPY 0, USD 2, KWD 3)."""
    try:
        if currency is None:
            raise ValueError(currency)
        exponent = Currency(currency.strip().upper()).exponent
    except (ValueError, AttributeError):
        raise MoneyError(f"unknown currency code {currency!r} (expected ISO 4217, e.g. USD)") from None
    if exponent is None:  # precious metals and funds have no minor unit
        raise MoneyError(f"currency {currency!r} has no ISO 4217 minor unit and cannot hold money amounts")
    return exponent


def to_decimal(value: object, *, field: str = "amount") -> Decimal | None:
    """An exact Decimal from a wire value: str, int, Decimal, or a float a JSON library produced.

    A float goes through ``str``, which recovers the shortest decimal the JSON text carried
    (``0.1`` stays ``0.1``) instead of its binary expansion.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise MoneyError(f"{field}: expected a number, got boolean {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        return parse_amount(value, field=field)
    raise MoneyError(f"{field}: expected a number, got {type(value).__name__} {value!r}")


def from_minor_units(
    value: object, currency: str, offsets: Mapping[str, int] | None = None
) -> Decimal | None:
    """Major units from an amount in minor units (Meta budgets: USD "5000" -> 50.00).

    ``offsets`` maps a currency to the platform's own divisor and overrides ISO 4217 (Meta treats
    HUF and TWD as having no minor unit although ISO gives them two decimals).
    """
    amount = to_decimal(value, field=f"{currency} minor-unit amount")
    if amount is None:
        return None
    code = currency.strip().upper()
    divisor = (offsets or {}).get(code)
    if divisor is None:
        divisor = 10 ** currency_exponent(code)
    return amount / Decimal(divisor)


def from_micros(value: object) -> Decimal | None:
    """Major units from micros (Google ``cost_micros`` 1230000 -> 1.23)."""
    amount = to_decimal(value, field="micros amount")
    return None if amount is None else amount / MICROS_PER_UNIT


def parse_amount(text: str | None, locale: str | None = None, *, field: str = "amount") -> Decimal | None:
    """Parse a decimal amount written as "1234", "1,234.56", "1.234,56", "1 234,56", "-" or "".

    With a ``locale`` babel parses it strictly by that locale's symbols. Without one, the rules are:
    when both "." and "," appear the last one is the decimal separator; a separator that repeats, or a
    "." between digit groups of three before a "," is grouping; a single "," followed by exactly three
    digits ("1,234") is ambiguous and refused rather than guessed; a single "." is a decimal point
    (TikTok writes "20.000").
    """
    if text is None:
        return None
    cleaned = text.strip()
    if cleaned in _NO_VALUE:
        return None
    if locale is not None:
        try:
            group = get_group_symbol(locale)
            if group.isspace():  # sources type a plain space where the locale prints a narrow one
                cleaned = _GROUPING_SPACES.sub(group, cleaned)
            return parse_decimal(cleaned, locale=locale, strict=True)
        except (NumberFormatError, UnknownLocaleError, ValueError) as exc:
            raise MoneyError(f"{field}: {text!r} is not a number in locale {locale}: {exc}") from None
    negative, body = _split_sign(cleaned)
    body = _GROUPING_SPACES.sub("", body)
    if not body or not _DIGITS_AND_SEPARATORS.fullmatch(body):
        raise MoneyError(f"{field}: {text!r} is not a number")
    normalized = _normalize_separators(body, text, field)
    try:
        amount = Decimal(normalized)
    except InvalidOperation:
        raise MoneyError(f"{field}: {text!r} is not a number") from None
    return -amount if negative else amount


def _split_sign(text: str) -> tuple[bool, str]:
    if text.startswith("(") and text.endswith(")"):  # accounting notation
        return True, text[1:-1].strip()
    if text[0] in "+-\u2212":
        return text[0] != "+", text[1:].strip()
    if text[-1] == "-":
        return True, text[:-1].strip()
    return False, text


def _normalize_separators(body: str, original: str, field: str) -> str:
    has_dot, has_comma = "." in body, "," in body
    if has_dot and has_comma:
        decimal_sep = "." if body.rfind(".") > body.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        integer, _, fraction = body.rpartition(decimal_sep)
        if decimal_sep in integer or (group_sep in fraction) or not _GROUPED_THOUSANDS.fullmatch(integer):
            raise MoneyError(f"{field}: {original!r} mixes separators inconsistently")
        return integer.replace(group_sep, "") + "." + fraction
    separator = "." if has_dot else "," if has_comma else None
    if separator is None:
        return body
    if body.count(separator) > 1:
        if not _GROUPED_THOUSANDS.fullmatch(body):
            raise MoneyError(f"{field}: {original!r} has misplaced digit grouping")
        return body.replace(separator, "")
    integer, _, fraction = body.partition(separator)
    if separator == "," and len(fraction) == 3 and 1 <= len(integer) <= 3 and integer[0] != "0":
        raise MoneyError(
            f"{field}: {original!r} is ambiguous (thousands or decimal comma?); set the locale of the source"
        )
    return f"{integer or '0'}.{fraction}"


@overload
def quantize_output(value: Decimal, currency: str | None) -> Decimal: ...
@overload
def quantize_output(value: Decimal | None, currency: str | None) -> Decimal | None: ...
def quantize_output(value: Decimal | None, currency: str | None) -> Decimal | None:
    """Round an amount once, at output, half-even, to the currency's exponent (JPY 0, USD 2)."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_EVEN)


@overload
def quantize_ratio(value: Decimal, places: int = ...) -> Decimal: ...
@overload
def quantize_ratio(value: Decimal | None, places: int = ...) -> Decimal | None: ...
def quantize_ratio(value: Decimal | None, places: int = RATIO_PLACES) -> Decimal | None:
    """Round a ratio (ctr, cpc, roas, an FX rate …) half-even to ``places`` decimals."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
