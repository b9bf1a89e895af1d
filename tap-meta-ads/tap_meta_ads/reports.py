"""What an insights report asks Meta for: level, fields, breakdowns, windows; and the record schema
that follows from it. Built-in reports cover DESIGN §3; ``custom_reports`` in config adds more."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from singer_sdk import typing as th

from ads_kit.tap.profile import PlatformProfile
from tap_meta_ads.formats import status_filter
from tap_meta_ads.parsing import ACTION_STAT_KEYS, DECIMAL_METRICS, HOURLY_BREAKDOWNS, INTEGER_METRICS

# Meta keeps insights for 37 months; a day less so accounts east of UTC never ask past the limit.
RETENTION_DAYS = 37 * 30 + 12
# Conversions restate for 28 days; 14-day windows keep a report job well inside Meta's limits.
PROFILE = PlatformProfile("meta_ads", restatement_days=28, retention_days=RETENTION_DAYS, slice_days=14)
LEVELS = ("ad", "adset", "campaign", "account")
ID_FIELDS = {
    "account": ("account_id", "account_name", "account_currency"),
    "campaign": ("campaign_id", "campaign_name"),
    "adset": ("adset_id", "adset_name"),
    "ad": ("ad_id", "ad_name"),
}
DEFAULT_METRICS = (
    "impressions", "clicks", "spend", "reach", "frequency", "cpc", "cpm", "ctr", "inline_link_clicks",
    "actions", "action_values",
)  # fmt: skip
# Unique-count metrics have no hourly form (Meta rejects them with hourly breakdowns).
NOT_HOURLY = frozenset({"reach", "frequency", "cpp", "unique_clicks", "unique_ctr"})
# Metrics Meta returns as lists of per-action-type stats.
ACTION_LIST_METRICS = frozenset({
    "actions", "action_values", "unique_actions", "conversions", "conversion_values",
    "cost_per_action_type", "cost_per_conversion", "cost_per_unique_action_type", "purchase_roas",
    "website_purchase_roas", "mobile_app_purchase_roas", "outbound_clicks", "unique_outbound_clicks",
    "cost_per_outbound_click", "outbound_clicks_ctr", "website_ctr", "video_play_actions",
    "video_p25_watched_actions", "video_p50_watched_actions", "video_p75_watched_actions",
    "video_p100_watched_actions", "video_thruplay_watched_actions",
})  # fmt: skip
ACTION_BREAKDOWNS = tuple(sorted(ACTION_STAT_KEYS))  # what a custom report may break actions down by
# Stream names carry the platform, so the three taps load into one schema without collisions.
INSIGHTS_STREAM = "meta_insights"
BUILTIN_BREAKDOWNS: dict[str, tuple[str, ...]] = {
    INSIGHTS_STREAM: (),
    "meta_insights_age": ("age",),
    "meta_insights_gender": ("gender",),
    "meta_insights_age_gender": ("age", "gender"),
    "meta_insights_country": ("country",),
    "meta_insights_region": ("region",),
    "meta_insights_platform_device": ("publisher_platform", "platform_position", "impression_device"),
    "meta_insights_hourly": ("hourly_stats_aggregated_by_advertiser_time_zone",),
}


@dataclass(frozen=True)
class ReportSpec:
    name: str
    level: str = "ad"
    breakdowns: tuple[str, ...] = ()
    action_breakdowns: tuple[str, ...] = ("action_type",)
    metrics: tuple[str, ...] = DEFAULT_METRICS
    time_increment: str | int = 1

    @property
    def is_hourly(self) -> bool:
        return any(b in HOURLY_BREAKDOWNS for b in self.breakdowns)

    @property
    def requested_metrics(self) -> tuple[str, ...]:
        return tuple(m for m in self.metrics if not (self.is_hourly and m in NOT_HOURLY))

    @property
    def id_fields(self) -> tuple[str, ...]:
        levels = LEVELS[LEVELS.index(self.level) :]
        return tuple(name for level in reversed(levels) for name in ID_FIELDS[level])

    @property
    def key_fields(self) -> tuple[str, ...]:
        level_id = "account_id" if self.level == "account" else f"{self.level}_id"
        return tuple(dict.fromkeys(("account_id", level_id, "date_start", *self.breakdowns)))

    def fields(self, metrics: tuple[str, ...] | None = None) -> list[str]:
        return list(dict.fromkeys((*self.id_fields, *(metrics or self.requested_metrics))))

    def params(
        self, since: str, until: str, windows: list[str], metrics: tuple[str, ...] | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "level": self.level,
            "time_range": {"since": since, "until": until},
            "time_increment": self.time_increment,
            "action_breakdowns": list(self.action_breakdowns),
            "action_attribution_windows": windows,
            # Every status, so deleted and archived ads keep their spend in every split of a job.
            "filtering": [status_filter("ad")],
        }
        if self.breakdowns:
            params["breakdowns"] = list(self.breakdowns)
        params["fields"] = self.fields(metrics)
        return params

    def schema(self) -> dict[str, Any]:
        keys = self.key_fields
        props = [th.Property(name, th.StringType, required=name in keys) for name in self.id_fields]
        props += [
            th.Property("date_start", th.DateType, required=True),
            th.Property("date_stop", th.DateType),
        ]
        props += [th.Property(name, th.StringType, required=True) for name in self.breakdowns]
        props += [_metric_property(name) for name in self.requested_metrics if name not in self.id_fields]
        return th.PropertiesList(*props).to_dict()


_ACTION_STAT = th.ObjectType(
    *(th.Property(key, th.StringType) for key in sorted(ACTION_STAT_KEYS)),
    additional_properties=th.NumberType,
)


def _metric_property(name: str) -> th.Property:
    if name in INTEGER_METRICS:
        return th.Property(name, th.IntegerType)
    if name in DECIMAL_METRICS:
        return th.Property(name, th.NumberType)
    if name in ACTION_LIST_METRICS:
        return th.Property(name, th.ArrayType(_ACTION_STAT))
    return th.Property(name, th.StringType)


def builtin_reports(metrics: tuple[str, ...]) -> list[ReportSpec]:
    return [ReportSpec(name, breakdowns=b, metrics=metrics) for name, b in BUILTIN_BREAKDOWNS.items()]


def custom_report(entry: Mapping[str, Any]) -> ReportSpec:
    """A ``custom_reports`` entry (checked by the config schema) -> its spec."""
    return ReportSpec(
        name=f"{INSIGHTS_STREAM}_custom_{entry['name']}",
        level=entry.get("level", "ad"),
        breakdowns=tuple(entry.get("breakdowns") or ()),
        action_breakdowns=tuple(entry.get("action_breakdowns") or ("action_type",)),
        metrics=tuple(entry.get("fields") or DEFAULT_METRICS),
        time_increment=entry.get("time_increment", 1),
    )
