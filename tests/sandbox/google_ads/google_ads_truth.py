"""Expected values computed from the world alone (not from the emulator's code), and row readers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from google.protobuf.message import Message

from ads_kit.sandbox.world import Account, Ad, Metrics, World, sum_metrics

# The wire values the emulator documents (ads_kit.sandbox.google_ads.wire), restated.
STATUS = {"active": "ENABLED", "paused": "PAUSED", "archived": "REMOVED", "deleted": "REMOVED"}
DEVICE = {"mobile": "MOBILE", "desktop": "DESKTOP", "tablet": "TABLET", "connected_tv": "CONNECTED_TV"}
GENDER = {"male": "MALE", "female": "FEMALE", "unknown": "UNDETERMINED"}


def enum(message: Message, field: str) -> str:
    """An enum field's value name (raw protobuf rows carry numbers)."""
    descriptor = message.DESCRIPTOR.fields_by_name[field]
    return descriptor.enum_type.values_by_number[getattr(message, field)].name


def micros(account: Account, minor: int) -> int:
    return minor * 10 ** (6 - account.currency_exponent)


def value(account: Account, minor: int) -> float:
    return minor / 10**account.currency_exponent


def numbers(account: Account, metrics: Metrics | None) -> tuple[int, int, int, float, float]:
    """(impressions, clicks, cost_micros, conversions, conversions_value) as Google reports them."""
    m = metrics or Metrics()
    return (
        m.impressions,
        m.clicks,
        micros(account, m.spend_minor),
        float(m.conversions),
        value(account, m.conversions_value_minor),
    )


def row_numbers(row: Message) -> tuple[int, int, int, float, float]:
    m = row.metrics
    return (m.impressions, m.clicks, m.cost_micros, m.conversions, m.conversions_value)


NUMBERS = (
    "metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value"
)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def between(first: date, last: date) -> str:
    return f"segments.date BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"


def split_sum(world: World, ads: Iterable[Ad], day_list: list[date], dimension: str) -> dict[str, Metrics]:
    """Every ad's days split by one dimension, summed per value."""
    parts: dict[str, list[Metrics]] = defaultdict(list)
    for ad in ads:
        for day in day_list:
            for key, metrics in world.ad_day_breakdown(ad, day, dimension).items():
                parts[key].append(metrics)
    return {key: total for key, items in parts.items() if (total := sum_metrics(items)) is not None}


def hours_sum(world: World, ads: Iterable[Ad], day: date) -> dict[int, Metrics]:
    """Every ad's reported hours of a local day, summed per local hour (a repeated hour on the
    day clocks go back counts once, with both hours' delivery)."""
    parts: dict[int, list[Metrics]] = defaultdict(list)
    for ad in ads:
        for piece in world.ad_day_hours(ad, day):
            parts[piece.local_hour].append(piece.metrics)
    return {hour: total for hour, items in parts.items() if (total := sum_metrics(items)) is not None}


def nonzero(account: Account, metrics: Metrics | None) -> bool:
    return metrics is not None and any(numbers(account, metrics))


def by_key(rows: Iterable[Any], *keys: Any) -> dict[Any, Any]:
    return {tuple(k(row) for k in keys) if len(keys) > 1 else keys[0](row): row for row in rows}
