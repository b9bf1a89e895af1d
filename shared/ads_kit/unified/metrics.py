"""The one formula set for derived metrics: always computed from base metrics, never copied from a platform.

Decimal in, Decimal out; a zero or missing denominator gives None (never an error or infinity).
Values are unrounded here: rounding happens once, at output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import cast

DERIVED_METRICS = ("ctr", "cpc", "cpm", "cpa", "roas")
_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator as a Decimal, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def ctr(clicks: int | None, impressions: int | None) -> Decimal | None:
    """Click-through rate in percent."""
    value = ratio(clicks, impressions)
    return None if value is None else value * _HUNDRED


def cpc(spend: Decimal | None, clicks: int | None) -> Decimal | None:
    return ratio(spend, clicks)


def cpm(spend: Decimal | None, impressions: int | None) -> Decimal | None:
    value = ratio(spend, impressions)
    return None if value is None else value * _THOUSAND


def cpa(spend: Decimal | None, conversions: Decimal | None) -> Decimal | None:
    return ratio(spend, conversions)


def roas(conversions_value: Decimal | None, spend: Decimal | None) -> Decimal | None:
    return ratio(conversions_value, spend)


def derive(row: Mapping[str, object]) -> dict[str, Decimal | None]:
    """ctr, cpc, cpm, cpa and roas from a row's impressions, clicks, spend, conversions and value."""
    # the unified row contract: counts are ints, money and conversions Decimals (the row is typed loosely)
    impressions = cast("int | None", row.get("impressions"))
    clicks = cast("int | None", row.get("clicks"))
    spend = cast("Decimal | None", row.get("spend"))
    conversions = cast("Decimal | None", row.get("conversions"))
    value = cast("Decimal | None", row.get("conversions_value"))
    return {
        "ctr": ctr(clicks, impressions),
        "cpc": cpc(spend, clicks),
        "cpm": cpm(spend, impressions),
        "cpa": cpa(spend, conversions),
        "roas": roas(value, spend),
    }


ADDITIVE_METRICS = ("impressions", "clicks", "spend", "conversions", "conversions_value")
NON_ADDITIVE_METRICS = ("reach",)
"""Unique-people counts do not sum over ads, hours or breakdown values."""


def sum_rows(
    rows: Iterable[Mapping[str, object]],
    key_fields: Sequence[str],
    *,
    metrics: Sequence[str] = ADDITIVE_METRICS,
    nulled: Sequence[str] = NON_ADDITIVE_METRICS,
) -> list[dict]:
    """Rows summed per ``key_fields`` (in first-seen order).

    ``metrics`` add up (None counts as absent, so all-None stays None); ``nulled`` metrics become None
    because summing them would invent numbers. Other fields keep their first row's value.
    """
    buckets: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row.get(name) for name in key_fields)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = dict(row)
            bucket.update(dict.fromkeys(nulled))
            buckets[key] = bucket
            continue
        for name in metrics:
            value = row.get(name)
            if value is not None:
                current = bucket.get(name)
                bucket[name] = value if current is None else current + value
    return list(buckets.values())
