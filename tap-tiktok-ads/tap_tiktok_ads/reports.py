"""What a TikTok report asks for (report type, data level, dimensions, metrics) and the record schema
that follows from it; the built-in reports of DESIGN §3 and the checked ``custom_reports``.

Rows arrive as strings (``"20.000"``, ``"5830"``, ``"-"`` for "not applicable"); records carry counts
as integers, everything else numeric as exact Decimals, ``"-"`` as null, attribute metrics (names,
ids) as strings, ``stat_time_day`` as the advertiser-zone day and hours with their UTC start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from singer_sdk import typing as th

from ads_kit.money import to_decimal
from ads_kit.tap.profile import PlatformProfile
from ads_kit.timezones import hour_start_utc

# Conversions restate for 7 days (the world's and TikTok's click window); a daily sync report may span
# 30 days (§3.2), so a window is one request (or one report task).
PROFILE = PlatformProfile("tiktok_ads", restatement_days=7, retention_days=None, slice_days=30)
LEVELS = ("ADVERTISER", "CAMPAIGN", "ADGROUP", "AD")
ID_DIMENSION = {
    "ADVERTISER": "advertiser_id",
    "CAMPAIGN": "campaign_id",
    "ADGROUP": "adgroup_id",
    "AD": "ad_id",
}
TIME_DIMENSIONS = ("stat_time_day", "stat_time_hour")
REPORT_TYPES = ("BASIC", "AUDIENCE")
# §3.3: the breakdown dimensions of each report type.
BREAKDOWNS = {
    "BASIC": frozenset({"country_code", "ad_type", "custom_event_type", "placement"}),
    "AUDIENCE": frozenset({
        "age", "gender", "country_code", "platform", "province_id", "dma_id", "ac", "language", "placement",
        "interest_category", "device_brand_id",
    }),
}  # fmt: skip
# §3.4 attribute metrics: the highest data level each exists at.
ATTRIBUTES = {
    "advertiser_name": "ADVERTISER", "currency": "ADVERTISER", "campaign_name": "CAMPAIGN",
    "objective_type": "CAMPAIGN", "opt_status": "CAMPAIGN", "campaign_budget": "CAMPAIGN",
    "campaign_id": "ADGROUP", "adgroup_name": "ADGROUP", "placement_type": "ADGROUP",
    "promotion_type": "ADGROUP",
    "billing_event": "ADGROUP", "budget": "ADGROUP", "bid_strategy": "ADGROUP", "tt_app_id": "ADGROUP",
    "tt_app_name": "ADGROUP", "mobile_app_id": "ADGROUP", "dpa_target_audience_type": "ADGROUP",
    "adgroup_id": "AD", "ad_name": "AD", "ad_text": "AD", "call_to_action": "AD",
}  # fmt: skip
INTEGER_METRICS = frozenset({
    "impressions", "gross_impressions", "clicks", "reach", "conversion", "real_time_conversion", "result",
    "real_time_result", "secondary_goal_result", "complete_payment", "purchase", "app_install",
    "real_time_app_install", "registration", "sales_lead", "total_sales_lead", "video_play_actions",
    "video_watched_2s", "video_watched_6s", "video_views_p25", "video_views_p50", "video_views_p75",
    "video_views_p100", "engaged_view", "engaged_view_15s", "profile_visits", "likes", "comments", "shares",
    "follows", "clicks_on_music_disc", "total_pageview", "total_landing_page_view", "button_click",
    "online_consult", "form", "download_start", "onsite_shopping", "vta_purchase", "vta_conversion",
    "cta_purchase", "cta_conversion", "live_product_clicks",
})  # fmt: skip
DECIMAL_METRICS = frozenset({
    "spend", "billed_cost", "cash_spend", "voucher_spend", "ctr", "cpc", "cpm", "frequency",
    "cost_per_1000_reached", "cost_per_conversion", "real_time_cost_per_conversion", "conversion_rate",
    "conversion_rate_v2", "real_time_conversion_rate", "real_time_conversion_rate_v2", "cost_per_result",
    "real_time_cost_per_result", "result_rate", "real_time_result_rate", "cost_per_secondary_goal_result",
    "secondary_goal_result_rate", "cost_per_complete_payment", "cost_per_purchase",
    "value_per_complete_payment",
    "total_purchase_value", "complete_payment_roas", "cost_per_app_install", "real_time_app_install_cost",
    "average_video_play", "average_video_play_per_user", "profile_visits_rate", "registration_rate",
    "cost_per_registration", "sales_lead_rate", "cost_per_sales_lead", "cost_per_total_sales_lead",
    "purchase_rate", "complete_payment_rate", "total_complete_payment_rate", "cost_per_landing_page_view",
    "landing_page_view_rate", "onsite_shopping_roas", "total_onsite_shopping_value",
})  # fmt: skip
# §3.4, §6.7: unique-visitor metrics (not in audience reports), app metrics (not in audience reports)
# and metrics TikTok serves only at advertiser level by day.
UV_METRICS = frozenset({
    "reach", "frequency", "cost_per_1000_reached", "average_video_play_per_user", "secondary_goal_result",
    "cost_per_secondary_goal_result", "secondary_goal_result_rate",
})  # fmt: skip
NOT_AUDIENCE = UV_METRICS | {
    "billed_cost", "cash_spend", "voucher_spend", "app_install", "real_time_app_install",
    "real_time_app_install_cost",
}  # fmt: skip
ADVERTISER_DAILY_ONLY = frozenset({"cash_spend", "voucher_spend"})
SYNC_ONLY = frozenset({"billed_cost"})
KNOWN_METRICS = INTEGER_METRICS | DECIMAL_METRICS | frozenset(ATTRIBUTES)
CORE_METRICS = ("spend", "impressions", "clicks", "ctr", "cpc", "cpm", "conversion", "cost_per_conversion",
                "total_purchase_value", "result", "cost_per_result")  # fmt: skip
NAMES = {
    "ADVERTISER": ("currency",),
    "CAMPAIGN": ("currency", "campaign_name"),
    "ADGROUP": ("currency", "campaign_id", "campaign_name", "adgroup_name"),
    "AD": ("currency", "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name"),
}
REPORT_PREFIX = "tiktok_ads_report"
AUDIENCE_PREFIX = "tiktok_ads_audience_report"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Every stream of the suite syncs one partition per account and the SDK writes the partition's
# ``account_id`` into each record: declared, it is the advertiser id under the suite's common name.
ACCOUNT_ID = th.Property(
    "account_id", th.StringType, description="The advertiser id (the suite's account key)"
)


@dataclass(frozen=True)
class ReportSpec:
    name: str
    report_type: str = "BASIC"
    level: str = "AD"
    time_dimension: str = "stat_time_day"
    breakdowns: tuple[str, ...] = ()
    metrics: tuple[str, ...] = CORE_METRICS

    @property
    def id_dimension(self) -> str:
        return ID_DIMENSION[self.level]

    @property
    def hourly(self) -> bool:
        return self.time_dimension == "stat_time_hour"

    @property
    def requested_metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*NAMES[self.level], *self.metrics)))

    @property
    def dimensions(self) -> list[str]:
        return [self.id_dimension, self.time_dimension, *self.breakdowns]

    @property
    def key_fields(self) -> tuple[str, ...]:
        when = "hour_start_utc" if self.hourly else "stat_time_day"
        return tuple(dict.fromkeys(("advertiser_id", self.id_dimension, when, *self.breakdowns)))

    def schema(self) -> dict[str, Any]:
        keys = self.key_fields
        props: list[th.Property] = [
            th.Property(name, th.StringType, required=True)
            for name in dict.fromkeys(("advertiser_id", self.id_dimension))
        ]
        props.append(ACCOUNT_ID)
        props.append(th.Property("stat_time_day", th.DateType, required=True))
        if self.hourly:
            props += [
                th.Property("stat_time_hour", th.StringType),
                th.Property("hour", th.IntegerType),
                th.Property("hour_start_utc", th.DateTimeType, required=True),
            ]
        props += [th.Property(name, th.StringType, required=True) for name in self.breakdowns]
        props += [_metric_property(name) for name in self.requested_metrics if name not in keys]
        return th.PropertiesList(*props).to_dict()


def _metric_property(name: str) -> th.Property:
    if name in INTEGER_METRICS:
        return th.Property(name, th.IntegerType)
    if name in DECIMAL_METRICS:
        return th.Property(name, th.NumberType)
    return th.Property(name, th.StringType)


def parse_row(row: Mapping[str, Any], spec: ReportSpec, advertiser_id: str, timezone: str) -> dict[str, Any]:
    """A flat report row (dimensions and metrics as TikTok writes them) -> a typed record."""
    record: dict[str, Any] = {"advertiser_id": advertiser_id, "account_id": advertiser_id}
    for name in spec.dimensions:
        if name not in TIME_DIMENSIONS:
            record[name] = _text(row.get(name), "")
    stamp = str(row.get(spec.time_dimension) or "")
    day = date.fromisoformat(stamp[:10])
    record["stat_time_day"] = day.isoformat()
    if spec.hourly:
        hour = int(stamp[11:13])
        record["stat_time_hour"] = stamp
        record["hour"] = hour
        record["hour_start_utc"] = hour_start_utc(day, hour, timezone, fold=int(row.get("_fold") or 0))
    for name, cast in _casts(spec):
        record[name] = cast(row.get(name), name)
    return record


@cache
def _casts(spec: ReportSpec) -> tuple[tuple[str, Callable[[Any, str], Any]], ...]:
    """Each metric of a report with its cast, worked out once per report (rows are many)."""
    keys = {"advertiser_id", "account_id", "stat_time_day", *spec.dimensions}
    kinds = {**dict.fromkeys(INTEGER_METRICS, _integer), **dict.fromkeys(DECIMAL_METRICS, _decimal)}
    return tuple((name, kinds.get(name, _attribute)) for name in spec.requested_metrics if name not in keys)


def _decimal(value: Any, name: str) -> Decimal | None:
    if value in (None, "", "-"):
        return None
    if type(value) is str:
        try:
            number = Decimal(value)  # TikTok's plain "20.000": read as written
        except ArithmeticError:
            number = None
        if number is not None and number.is_finite():
            return number
    return to_decimal(value, field=f"report metric {name}")  # anything else, or a one-line error


def _integer(value: Any, name: str) -> int | None:
    if type(value) is str and value.isdigit():
        return int(value)
    number = _decimal(value, name)
    return None if number is None else int(number)


def _attribute(value: Any, name: str) -> str | None:
    return _text(value, None)


def _text(value: Any, missing: str | None) -> str | None:
    return missing if value in (None, "") else str(value)


def hour_folds(rows: list[dict[str, Any]], spec: ReportSpec) -> list[dict[str, Any]]:
    """Number the second pass of a repeated local hour (a DST fall-back: TikTok writes both with one
    label, in order) so each hour keeps its own UTC start."""
    if not spec.hourly:
        return rows
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = (row.get(spec.id_dimension), row.get("stat_time_hour"), *(row.get(b) for b in spec.breakdowns))
        if key in seen:
            row["_fold"] = 1
        seen.add(key)
    return rows


def builtin_reports() -> list[ReportSpec]:
    """BASIC reports at every level by day and by hour, and AUDIENCE reports by campaign and day."""
    specs = []
    for level in LEVELS:
        suffix = level.lower()
        specs.append(
            ReportSpec(
                f"{REPORT_PREFIX}_{suffix}_daily", level=level, metrics=(*CORE_METRICS, "reach", "frequency")
            )
        )
        specs.append(
            ReportSpec(f"{REPORT_PREFIX}_{suffix}_hourly", level=level, time_dimension="stat_time_hour")
        )
    audience_metrics = (
        "spend",
        "impressions",
        "clicks",
        "ctr",
        "cpc",
        "cpm",
        "conversion",
        "total_purchase_value",
    )
    for dimension, label in (
        ("age", "age"),
        ("gender", "gender"),
        ("country_code", "country"),
        ("platform", "platform"),
    ):
        specs.append(
            ReportSpec(
                f"{AUDIENCE_PREFIX}_{label}",
                report_type="AUDIENCE",
                level="CAMPAIGN",
                breakdowns=(dimension,),
                metrics=audience_metrics,
            )
        )
    return specs


def custom_report(entry: Mapping[str, Any], index: int) -> ReportSpec:
    """A ``custom_reports`` entry -> spec; one-line errors name the entry and its dimension or metric."""
    where = f"custom_reports[{index}]"
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{where}.name: must be lower-case letters, digits and underscores, got {name!r}")
    report_type = str(entry.get("report_type") or "BASIC").upper()
    if report_type not in REPORT_TYPES:
        raise ValueError(
            f"{where}.report_type: must be one of {', '.join(REPORT_TYPES)}, got {report_type!r}"
        )
    level = str(entry.get("data_level") or "AD").upper().removeprefix("AUCTION_")
    if level not in LEVELS:
        raise ValueError(
            f"{where}.data_level: must be one of {', '.join(LEVELS)}, got {entry.get('data_level')!r}"
        )
    dimensions = list(entry.get("dimensions") or ["stat_time_day"])
    times, breakdowns = _dimensions(dimensions, report_type, level, where)
    metrics = tuple(entry.get("metrics") or CORE_METRICS)
    _check_metrics(metrics, report_type, level, times, where)
    prefix = AUDIENCE_PREFIX if report_type == "AUDIENCE" else REPORT_PREFIX
    return ReportSpec(f"{prefix}_custom_{name}", report_type, level, times, tuple(breakdowns), metrics)


def _dimensions(dimensions: list[Any], report_type: str, level: str, where: str) -> tuple[str, list[str]]:
    if len(set(map(str, dimensions))) != len(dimensions):
        raise ValueError(f"{where}.dimensions: a dimension is listed twice")
    times, breakdowns = [], []
    for name in dimensions:
        if name in TIME_DIMENSIONS:
            times.append(name)
        elif name == ID_DIMENSION[level]:
            continue  # the level's id is always read
        elif name in ID_DIMENSION.values():
            raise ValueError(
                f"{where}.dimensions: {name} does not match data_level {level} (use {ID_DIMENSION[level]})"
            )
        elif name in BREAKDOWNS[report_type]:
            breakdowns.append(name)
        elif any(name in values for values in BREAKDOWNS.values()):
            raise ValueError(f"{where}.dimensions: {name} is not a dimension of {report_type} reports")
        else:
            raise ValueError(f"{where}.dimensions: unknown dimension {name!r}")
    if len(times) != 1:
        raise ValueError(f"{where}.dimensions: needs exactly one of stat_time_day, stat_time_hour")
    if report_type == "AUDIENCE" and times[0] == "stat_time_hour":
        raise ValueError(f"{where}.dimensions: stat_time_hour: AUDIENCE reports have no hourly form")
    if report_type == "AUDIENCE" and not breakdowns:
        raise ValueError(
            f"{where}.dimensions: an AUDIENCE report needs an audience dimension (age, gender, ...)"
        )
    if times[0] == "stat_time_hour" and breakdowns:
        raise ValueError(f"{where}.dimensions: {breakdowns[0]} cannot be combined with stat_time_hour")
    return times[0], breakdowns


def _check_metrics(metrics: tuple[Any, ...], report_type: str, level: str, time: str, where: str) -> None:
    if len(set(metrics)) != len(metrics):
        raise ValueError(f"{where}.metrics: a metric is listed twice")
    for name in metrics:
        if name not in KNOWN_METRICS:
            raise ValueError(f"{where}.metrics: unknown metric {name!r}")
        if name in ATTRIBUTES and LEVELS.index(level) < LEVELS.index(ATTRIBUTES[name]):
            raise ValueError(
                f"{where}.metrics: {name} exists from data_level {ATTRIBUTES[name]} down, not at {level}"
            )
        if name in ADVERTISER_DAILY_ONLY and (level != "ADVERTISER" or time != "stat_time_day"):
            raise ValueError(f"{where}.metrics: {name} exists only at data_level ADVERTISER by stat_time_day")
        if report_type == "AUDIENCE" and name in NOT_AUDIENCE:
            raise ValueError(f"{where}.metrics: {name} is not served in AUDIENCE reports")
