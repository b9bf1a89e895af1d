"""The sandbox world's ground truth, in the shapes the TikTok tap writes (never from the tap's code)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ads_kit.sandbox.world import Account, Metrics, World

RANGE_DAYS = 20


def major(minor: int, account: Account) -> Decimal:
    return Decimal(minor).scaleb(-account.currency_exponent)


def figures(metrics: Metrics, account: Account) -> tuple[Any, ...]:
    """impressions, clicks, spend, conversions, conversion value (money exact, in major units)."""
    return (
        metrics.impressions,
        metrics.clicks,
        major(metrics.spend_minor, account),
        metrics.conversions,
        major(metrics.conversions_value_minor, account),
    )


def delivered(metrics: Metrics | None) -> bool:
    """TikTok leaves out cells with nothing delivered (§3.6)."""
    return metrics is not None and bool(
        metrics.impressions or metrics.clicks or metrics.spend_minor or metrics.conversions
    )


def days(world: World, account: Account, span: int = RANGE_DAYS) -> list[date]:
    """The days a sync reads: the last ``span`` days up to the account's own today."""
    last = world.account_today(account)
    first = last - timedelta(days=span - 1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def ad_days(world: World, span: int = RANGE_DAYS) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """(advertiser, ad, day) -> figures of every delivered ad-day."""
    truth = {}
    for account in world.accounts("tiktok"):
        for ad in world.ads(account.id):
            for day in days(world, account, span):
                metrics = world.ad_day(ad, day)
                if delivered(metrics):
                    assert metrics is not None
                    truth[(account.id, ad.id, day.isoformat())] = figures(metrics, account)
    return truth


def advertiser_days(world: World) -> dict[tuple[str, str], tuple[Any, ...]]:
    truth = {}
    for account in world.accounts("tiktok"):
        for day in days(world, account):
            metrics = world.account_day(account, day)
            if delivered(metrics):
                assert metrics is not None
                truth[(account.id, day.isoformat())] = figures(metrics, account)
    return truth


def report_figures(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["impressions"],
        record["clicks"],
        record["spend"],
        record["conversion"],
        record["total_purchase_value"],
    )


def unified_figures(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["impressions"],
        record["clicks"],
        record["spend"],
        record["conversions"],
        record["conversions_value"],
    )
