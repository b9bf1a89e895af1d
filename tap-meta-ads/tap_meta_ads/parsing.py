"""Meta insights rows -> typed records: every metric arrives as a string and leaves as int or Decimal.

Money and ratios stay ``Decimal`` (never float); counts become ``int``. Action-stat lists keep one
object per action type with every attribution-window key converted to ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from facebook_business.adobjects.adsinsights import AdsInsights

from ads_kit.numbers import to_decimal, to_int

INTEGER_METRICS = frozenset({
    "impressions", "clicks", "reach", "unique_clicks", "inline_link_clicks", "unique_inline_link_clicks",
    "inline_post_engagement", "full_view_impressions", "full_view_reach", "estimated_ad_recallers",
})  # fmt: skip
DECIMAL_METRICS = frozenset({
    "spend", "social_spend", "cpc", "cpm", "cpp", "ctr", "unique_ctr", "frequency", "inline_link_click_ctr",
    "unique_link_clicks_ctr", "cost_per_inline_link_click", "cost_per_inline_post_engagement",
    "cost_per_unique_click", "cost_per_estimated_ad_recallers", "estimated_ad_recall_rate",
    "canvas_avg_view_time", "canvas_avg_view_percent",
})  # fmt: skip
# Keys of an action stat that name what it counts (every action breakdown, as the client lists them).
ACTION_STAT_KEYS = frozenset(v for k, v in vars(AdsInsights.ActionBreakdowns).items() if k[0] != "_")
_TYPED = INTEGER_METRICS | DECIMAL_METRICS
KIND = "insights field"  # what an error calls a value of the row
HOURLY_BREAKDOWNS = (
    "hourly_stats_aggregated_by_advertiser_time_zone",
    "hourly_stats_aggregated_by_audience_time_zone",
)


def parse_action_stats(items: Iterable[Mapping[str, Any]], field: str) -> list[dict[str, Any]]:
    """``[{"action_type": "purchase", "value": "2", "7d_click": "2"}]`` with every window as Decimal."""
    parsed = []
    for item in items:
        stat: dict[str, Any] = {}
        for key, value in item.items():
            if key in ACTION_STAT_KEYS:
                stat[key] = value
            elif type(value) is str:
                try:
                    stat[key] = Decimal(value)  # the common case inline: this runs per stat and window
                except InvalidOperation:
                    stat[key] = to_decimal(value, f"{field}.{key}", KIND)  # raises the one-line error
            else:
                stat[key] = to_decimal(value, f"{field}.{key}", KIND)
        parsed.append(stat)
    return parsed


def parse_insights_row(row: Mapping[str, Any], columns: Collection[str] | None = None) -> dict[str, Any]:
    """Type one insights row; unknown string fields (ids, names, breakdown values) pass through.

    With ``columns`` (a raw stream's schema properties) the record leaves exactly as singer-sdk's
    conformance would have written it, so the stream can skip that second pass: fields outside the
    schema are dropped (named once per stream by the caller), and a top-level
    NaN or infinite number becomes null.
    """
    record: dict[str, Any] = {}
    for key, value in row.items():
        if columns is not None and key not in columns:
            continue
        if value is None or (type(value) is str and key not in _TYPED):
            record[key] = value  # ids, names, days and breakdown values: most fields of a row
        elif key in INTEGER_METRICS:
            record[key] = to_int(value, key, KIND)
        elif key in DECIMAL_METRICS:
            number = to_decimal(value, key, KIND)
            record[key] = None if columns is not None and not number.is_finite() else number
        elif (
            isinstance(value, list) and value and isinstance(value[0], Mapping) and "action_type" in value[0]
        ):
            record[key] = parse_action_stats(value, key)
        else:
            record[key] = value
    return record


def hour_of(slot: str) -> int:
    """``"13:00:00 - 13:59:59"`` -> 13 (Meta's hourly breakdown value)."""
    try:
        return int(slot.split(":", 1)[0])
    except ValueError as exc:
        raise ValueError(f"hourly breakdown value {slot!r} is not 'HH:00:00 - HH:59:59'") from exc


def window_total(
    stats: Iterable[Mapping[str, Any]] | None, action_types: frozenset[str], windows: list[str]
) -> Decimal:
    """Sum the given action types over the requested attribution windows.

    Meta adds one key per requested window (``7d_click``, ``1d_view``); when none of them is present
    the row was produced with the account's own setting and ``value`` is the only count.
    """
    total = Decimal(0)
    for stat in stats or ():
        if stat.get("action_type") not in action_types:
            continue
        window_values = [stat[w] for w in windows if w in stat]
        total += sum(window_values, Decimal(0)) if window_values else stat.get("value", Decimal(0))
    return total
