"""The report metrics the sandbox knows (reference §3.4), how each is computed from the world and
written, and where each may be asked for (§3.4, §3.7, §6.7).

Values are strings (§3.6). Precision follows the captured real rows
(tests/fixtures/tiktok/report_integrated_get_ads_daily_rows_airbyte.json): money cent-rounded with
three places (`wire.money_string`), ctr/frequency/rates two places, cost_per_result four,
cost_per_1000_reached three; a ratio over zero is zero in those places (``cost_per_conversion`` is
``"0.000"`` there with no conversions).

Where a metric has no value the world can stand for, TikTok's own spellings are used: ``"-"`` for
"no data / not applicable" (secondary goals, as the real rows have them), zero for every metric
family the world does not model (video, engagement, on-site events, shop metrics, app installs), in
the real rows' places: an ad without likes or installs reads ``"0"``, its costs ``"0.000"``.
Asked where the platform refuses them, metrics are refused with the real 40002 message: cash/voucher
spend outside advertiser-level daily rows (§3.4), UV and app metrics in audience reports (§3.4),
sync-only and UV metrics in async tasks (§3.8).

Conversions: the world's conversions (its primary purchase event) are `conversion`,
`complete_payment` and `purchase`; their value is `total_purchase_value`. `result` is each ad's
goal count (`wire.Delivery.result`). Real-time metrics carry the same numbers as their attributed
twins (the world restates conversions in place, §6.3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ads_kit.sandbox.tiktok import catalog as names
from ads_kit.sandbox.tiktok import wire
from ads_kit.sandbox.world import Metrics

LEVELS = ("ADVERTISER", "CAMPAIGN", "ADGROUP", "AD")
DASH = "-"


@dataclass(frozen=True, slots=True)
class Tally:
    """A cell's world metrics plus its goal results (each ad counts what its goal counts)."""

    metrics: Metrics = field(default_factory=Metrics)
    results: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.metrics + other.metrics, self.results + other.results)

    @property
    def empty(self) -> bool:
        m = self.metrics
        return not (m.impressions or m.clicks or m.spend_minor or m.conversions)


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator) if denominator else Decimal(0)


Compute = Callable[[Tally, str], str]


def _count(pick: Callable[[Tally], int]) -> Compute:
    return lambda t, currency: str(pick(t))


def _money(pick: Callable[[Tally, str], Decimal]) -> Compute:
    return lambda t, currency: wire.money_string(pick(t, currency), currency)


def _fixed(places: int, pick: Callable[[Tally, str], Decimal]) -> Compute:
    return lambda t, currency: wire.places_string(pick(t, currency), places)


def _spend(t: Tally, currency: str) -> Decimal:
    return wire.major(t.metrics.spend_minor, currency)


def _value(t: Tally, currency: str) -> Decimal:
    return wire.major(t.metrics.conversions_value_minor, currency)


def _per(pick: Callable[[Tally], int], scale: int = 1) -> Callable[[Tally, str], Decimal]:
    return lambda t, currency: _ratio(_spend(t, currency) * scale, pick(t))


def _pct(
    numerator: Callable[[Tally], int], denominator: Callable[[Tally], int]
) -> Callable[[Tally, str], Decimal]:
    return lambda t, currency: _ratio(numerator(t) * 100, denominator(t))


def impressions(t: Tally) -> int:
    return t.metrics.impressions


def clicks(t: Tally) -> int:
    return t.metrics.clicks


def reach(t: Tally) -> int:
    return t.metrics.reach


def conversions(t: Tally) -> int:
    return t.metrics.conversions


def results(t: Tally) -> int:
    return t.results


@dataclass(frozen=True)
class Metric:
    name: str
    compute: Compute | None  # None: written as `constant`
    constant: str = DASH
    uv: bool = False  # unique-visitor metric: not in audience reports nor async audience tasks, "-" in totals
    audience: bool = True  # may be asked in AUDIENCE reports
    advertiser_daily_only: bool = False  # cash_spend / voucher_spend
    sync_only: bool = False  # billed_cost

    def render(self, tally: Tally, currency: str) -> str:
        return self.compute(tally, currency) if self.compute is not None else self.constant


def _family(names: str, **options: Any) -> dict[str, Metric]:
    return {name: Metric(name, None, **options) for name in names.split()}


_COMPUTED = [
    Metric("spend", _money(_spend)),
    Metric("billed_cost", _money(_spend), audience=False, sync_only=True),
    Metric("cash_spend", _money(_spend), audience=False, advertiser_daily_only=True),
    Metric("voucher_spend", _money(lambda t, c: Decimal(0)), audience=False, advertiser_daily_only=True),
    Metric("impressions", _count(impressions)),
    Metric("gross_impressions", _count(impressions)),
    Metric("clicks", _count(clicks)),
    Metric("ctr", _fixed(2, _pct(clicks, impressions))),
    Metric("cpc", _money(_per(clicks))),
    Metric("cpm", _money(_per(impressions, 1000))),
    Metric("reach", _count(reach), uv=True),
    Metric("frequency", _fixed(2, lambda t, c: _ratio(impressions(t), reach(t))), uv=True),
    Metric("cost_per_1000_reached", _fixed(3, _per(reach, 1000)), uv=True),
    Metric("result", _count(results)),
    Metric("real_time_result", _count(results)),
    Metric("cost_per_result", _fixed(4, _per(results))),
    Metric("real_time_cost_per_result", _fixed(4, _per(results))),
    Metric("result_rate", _fixed(2, _pct(results, impressions))),
    Metric("real_time_result_rate", _fixed(2, _pct(results, impressions))),
    # §3.4: conversion rates are impression-based since late Oct 2023, the _v2 names included.
    *[Metric(name, _count(conversions)) for name in ("conversion", "real_time_conversion")],
    *[
        Metric(name, _money(_per(conversions)))
        for name in ("cost_per_conversion", "real_time_cost_per_conversion")
    ],
    *[
        Metric(name, _fixed(2, _pct(conversions, impressions)))
        for name in (
            "conversion_rate",
            "conversion_rate_v2",
            "real_time_conversion_rate",
            "real_time_conversion_rate_v2",
        )
    ],
    *[Metric(name, _count(conversions)) for name in ("complete_payment", "purchase")],
    *[Metric(name, _money(_per(conversions))) for name in ("cost_per_complete_payment", "cost_per_purchase")],
    Metric("value_per_complete_payment", _money(lambda t, c: _ratio(_value(t, c), conversions(t)))),
    Metric("total_purchase_value", _money(_value)),
    Metric("complete_payment_roas", _fixed(2, lambda t, c: _ratio(_value(t, c), _spend(t, c)))),
]
METRICS: dict[str, Metric] = {
    **{metric.name: metric for metric in _COMPUTED},
    # The real rows: "-" (Airbyte's null) for an ad group without a secondary goal; UV metrics (§6.3).
    **_family(
        "secondary_goal_result cost_per_secondary_goal_result secondary_goal_result_rate",
        uv=True,
        audience=False,
    ),
    # App metrics read "0" on every non-app ad in the real rows; the world has no installs.
    **_family("app_install real_time_app_install", constant="0", audience=False),
    **_family("cost_per_app_install", constant="0.000"),
    **_family("real_time_app_install_cost", constant="0.000", audience=False),
    **_family("average_video_play_per_user", constant="0.00", uv=True),
}


def _zero(name: str) -> str:
    """A metric nothing happened for, as the real rows write it: counts "0" (comments, follows,
    shares), costs and money "0.000" (cost_per_conversion), rates, averages and ROAS "0.00"."""
    if name.startswith("cost_per_") or name.endswith(("_cost", "_value")):
        return "0.000"
    if name.endswith(("_rate", "_roas")) or name.startswith("average_"):
        return "0.00"
    return "0"


# Every other documented metric (video, engagement, on-site, app-event and shop metrics): nothing of
# it happens in the world, so each reads zero.
METRICS |= {
    name: Metric(name, None, constant=_zero(name))
    for name in sorted(names.metrics() - set(names.catalog()["metrics"]["attribute"]) - set(METRICS))
}


# -- attribute metrics (§3.4): strings naming the row's entity; they need an ID dimension ---------------


@dataclass(frozen=True)
class Subject:
    """The entity a row is about, and its parents (None above the data level)."""

    account: Any
    campaign: Any = None
    ad_group: Any = None
    ad: Any = None


@dataclass(frozen=True)
class Attribute:
    name: str
    level: str  # the highest data level it exists at ("ADVERTISER" = every level)
    value: Callable[[Subject], str | None]


def _delivery(subject: Subject) -> wire.Delivery:
    return wire.delivery(subject.campaign)


def _operation(subject: Subject) -> str:
    entity = subject.ad or subject.ad_group or subject.campaign
    return wire.OPERATION_STATUS[entity.status] if entity is not None else "ENABLE"


def _dash(name: str, level: str) -> Attribute:
    return Attribute(name, level, lambda s: DASH)


_ATTRIBUTES = [
    Attribute("advertiser_id", "ADVERTISER", lambda s: s.account.id),
    Attribute("advertiser_name", "ADVERTISER", lambda s: s.account.name),
    Attribute("currency", "ADVERTISER", lambda s: s.account.currency),
    Attribute("campaign_name", "CAMPAIGN", lambda s: s.campaign.name),
    Attribute("objective_type", "CAMPAIGN", lambda s: wire.objective_type(s.campaign.objective)),
    Attribute("opt_status", "CAMPAIGN", _operation),
    Attribute("campaign_id", "ADGROUP", lambda s: s.campaign.id),
    Attribute("adgroup_name", "ADGROUP", lambda s: s.ad_group.name),
    Attribute("placement_type", "ADGROUP", lambda s: "Automatic Placement"),
    Attribute("promotion_type", "ADGROUP", lambda s: wire.PROMOTION_LABEL[_delivery(s).promotion_type]),
    Attribute("billing_event", "ADGROUP", lambda s: _delivery(s).billing_event),
    Attribute("tt_app_id", "ADGROUP", lambda s: "0"),
    Attribute("tt_app_name", "ADGROUP", lambda s: "0"),
    Attribute("mobile_app_id", "ADGROUP", lambda s: "0"),
    Attribute("dpa_target_audience_type", "ADGROUP", lambda s: None),
    Attribute("adgroup_id", "AD", lambda s: s.ad_group.id),
    Attribute("ad_name", "AD", lambda s: s.ad.name),
    Attribute("ad_text", "AD", lambda s: f"{s.campaign.name}: shop the new collection"),
    # Documented attributes of settings the world does not model.
    *[
        _dash(name, "CAMPAIGN")
        for name in (
            "campaign_budget",
            "campaign_dedicate_type",
            "split_test",
            "app_promotion_type",
            "campaign_automation_type",
            "rf_campaign_type",
        )
    ],
    *[_dash(name, "ADGROUP") for name in ("budget", "smart_target", "bid_strategy", "bid")],
    *[_dash(name, "AD") for name in ("call_to_action", "image_mode", "is_aco", "is_smart_creative")],
]
ATTRIBUTES: dict[str, Attribute] = {attribute.name: attribute for attribute in _ATTRIBUTES}
KNOWN = frozenset(METRICS) | frozenset(ATTRIBUTES)


def attribute_allowed(attribute: Attribute, level: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(attribute.level)


def sort_value(text: str | None) -> Decimal:
    """A metric's order key (`order_field`); "-" sorts below every number."""
    try:
        return Decimal(text or "")
    except ArithmeticError:
        return Decimal("-Infinity")
