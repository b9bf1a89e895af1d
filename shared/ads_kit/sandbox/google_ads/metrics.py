"""Segments and metrics: what each is, which go together, and their values from the world.

The world holds an ad's day, its hours, and its day split by one dimension at a time (device, age,
gender, country); it holds no joint split (hours by device, age by device). So a query may split
rows by at most one of: `segments.hour`, `segments.device`, the conversion-action segments, or a
report view's own dimension (an age range view is already split by age). Asking for two answers
Google's PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE, the strict reading where the sandbox cannot
give the exact numbers. Date segments (date, week, month, quarter, year, day_of_week) are sums of
days and go with everything.

Only the world's primary conversion event carries conversions, so `segments.conversion_action`
rows belong to it. Conversion-action segments go only with conversion metrics (reference §2.3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ads_kit.sandbox.google_ads import wire
from ads_kit.sandbox.world import Account, Metrics

DATE_SEGMENTS = (
    "segments.date",
    "segments.week",
    "segments.month",
    "segments.quarter",
    "segments.year",
    "segments.day_of_week",
)
# A finite range on one of these is required when one is selected (reference §2.1).
CORE_DATE_SEGMENTS = DATE_SEGMENTS[:5]
CONVERSION_SEGMENTS = (
    "segments.conversion_action",
    "segments.conversion_action_name",
    "segments.conversion_action_category",
)
# Segment -> the split of the world it needs (None: a date segment, a sum of days).
SPLIT: dict[str, str | None] = {
    **dict.fromkeys(DATE_SEGMENTS),
    "segments.hour": "hour",
    "segments.device": "device",
    **dict.fromkeys(CONVERSION_SEGMENTS, "conversion_action"),
}
SEGMENTS = tuple(SPLIT)


@dataclass(frozen=True, slots=True)
class Totals:
    """Summed world metrics of one row, in the account's money."""

    account: Account
    impressions: int = 0
    clicks: int = 0
    spend_minor: int = 0
    conversions: int = 0
    value_minor: int = 0

    @classmethod
    def of(cls, account: Account, metrics: Metrics | None) -> Totals:
        if metrics is None:
            return cls(account)
        return cls(
            account,
            metrics.impressions,
            metrics.clicks,
            metrics.spend_minor,
            metrics.conversions,
            metrics.conversions_value_minor,
        )

    @property
    def cost_micros(self) -> int:
        return wire.micros(self.account, self.spend_minor)

    @property
    def value(self) -> float:
        return wire.major(self.account, self.value_minor)

    def is_zero(self) -> bool:
        return not (
            self.impressions or self.clicks or self.spend_minor or self.conversions or self.value_minor
        )


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> float:
    # Ratios of nothing are 0.0, as Google reports them (ctr and average_cpc 0.0 on a day without
    # clicks: account_performance_rows_airbyte_flattened.json).
    return numerator * scale / denominator if denominator else 0.0


@dataclass(frozen=True, slots=True)
class MetricDef:
    name: str
    value: Callable[[Totals], int | float]
    conversion: bool = False  # a conversion metric: goes with the conversion-action segments


# Interactions are the world's clicks (its ads are clicked, not called or viewed: interactions equal
# clicks on the fixture's SEARCH rows); every conversion is the primary action's, and all_conversions
# counts every action, so it equals conversions. Money ratios are in micros (average_cpc 70000.0 for
# cost_micros 70000 over 1 click in the fixture).
METRIC_DEFS = {
    m.name: m
    for m in (
        MetricDef("metrics.impressions", lambda t: t.impressions),
        MetricDef("metrics.clicks", lambda t: t.clicks),
        MetricDef("metrics.cost_micros", lambda t: t.cost_micros),
        MetricDef("metrics.interactions", lambda t: t.clicks),
        MetricDef("metrics.conversions", lambda t: float(t.conversions), conversion=True),
        MetricDef("metrics.conversions_value", lambda t: t.value, conversion=True),
        MetricDef("metrics.all_conversions", lambda t: float(t.conversions), conversion=True),
        MetricDef("metrics.all_conversions_value", lambda t: t.value, conversion=True),
        MetricDef("metrics.ctr", lambda t: _ratio(t.clicks, t.impressions)),
        MetricDef("metrics.interaction_rate", lambda t: _ratio(t.clicks, t.impressions)),
        MetricDef("metrics.average_cpc", lambda t: _ratio(t.cost_micros, t.clicks)),
        MetricDef("metrics.average_cost", lambda t: _ratio(t.cost_micros, t.clicks)),
        MetricDef("metrics.average_cpm", lambda t: _ratio(t.cost_micros, t.impressions, 1000.0)),
        MetricDef("metrics.cost_per_conversion", lambda t: _ratio(t.cost_micros, t.conversions)),
        MetricDef("metrics.cost_per_all_conversions", lambda t: _ratio(t.cost_micros, t.conversions)),
        MetricDef("metrics.conversions_from_interactions_rate", lambda t: _ratio(t.conversions, t.clicks)),
        MetricDef(
            "metrics.all_conversions_from_interactions_rate", lambda t: _ratio(t.conversions, t.clicks)
        ),
        MetricDef("metrics.value_per_conversion", lambda t: _ratio(t.value, t.conversions), conversion=True),
        MetricDef(
            "metrics.value_per_all_conversions", lambda t: _ratio(t.value, t.conversions), conversion=True
        ),
    )
}
METRICS = tuple(METRIC_DEFS)


def segments_compatible(first: str, second: str, view: str | None) -> bool:
    """Whether two segments may be used together in one query on a resource (view: its dimension).
    Segments the world cannot split by go only with resources it does not model, which take all."""
    if first not in SPLIT or second not in SPLIT:
        return True
    splits = {SPLIT[first], SPLIT[second]} - {None}
    if view is not None and splits:
        return False
    return len(splits) <= 1


def segment_allowed(segment: str, view: str | None) -> bool:
    """Whether a segment may be used on a report resource (a view takes only date segments)."""
    return segment in SPLIT and (view is None or SPLIT[segment] is None)


def is_conversion_metric(metric: str) -> bool:
    """A conversion metric: the world's own flag, else the name's (reference §2.3: conversions,
    conversions_value, all_conversions, value_per_*, … but not cost_per_*)."""
    if metric in METRIC_DEFS:
        return METRIC_DEFS[metric].conversion
    name = metric.removeprefix("metrics.")
    return "cost" not in name and ("conversion" in name or name.startswith("value_per"))


# Segments that go with conversion metrics only (reference §2.3), the world's and Google's others.
CONVERSION_ONLY_SEGMENTS = frozenset(
    {
        *CONVERSION_SEGMENTS,
        "segments.conversion_lag_bucket",
        "segments.conversion_adjustment",
        "segments.external_conversion_source",
    }
)


def segment_with_metric(segment: str, metric: str) -> bool:
    return segment not in CONVERSION_ONLY_SEGMENTS or is_conversion_metric(metric)


_ZERO: dict[str, int | float] = {"DOUBLE": 0.0, "FLOAT": 0.0, "INT64": 0, "INT32": 0, "UINT64": 0}


def value(metric: str, data_type: str, totals: Totals) -> int | float | None:
    """A metric's value on summed world metrics. A number of activity the world does not have
    (video views, calls, impression share, …) is zero, as Google reports what did not happen; a
    label of it (an enum such as a quality bucket, a list of event types) has no value: unset."""
    definition = METRIC_DEFS.get(metric)
    if definition is not None:
        return definition.value(totals)
    return _ZERO.get(data_type)


__all__ = [
    "CONVERSION_ONLY_SEGMENTS",
    "CONVERSION_SEGMENTS",
    "CORE_DATE_SEGMENTS",
    "DATE_SEGMENTS",
    "METRICS",
    "METRIC_DEFS",
    "SEGMENTS",
    "SPLIT",
    "MetricDef",
    "Totals",
    "is_conversion_metric",
    "segment_allowed",
    "segment_with_metric",
    "segments_compatible",
    "value",
]
