"""What each stream asks Google: one GAQL query (FROM resource, fields, filter), the key of its rows
and the schema that follows from the fields (``rows.json_type``). Built-in queries cover the
entities and reports of DESIGN §3; ``custom_reports`` in config adds more (``custom.py``).

Report queries select ``segments.date``; the tap adds the date filter of each window. Entities are
read whole, without REMOVED ones unless ``include_deleted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from singer_sdk import typing as th

from ads_kit.tap.profile import PlatformProfile
from tap_google_ads_unified.rows import column, json_type

# Google restates conversions for the click-through window (30 days by default) and keeps 37 months
# of daily segments (reference §8); SearchStream costs one operation per query whatever its rows, so
# a window is a month of days.
PROFILE = PlatformProfile("google_ads", restatement_days=30, retention_days=37 * 30 + 12, slice_days=30)
SCHEMA_VERSION = "v26"  # the descriptors schemas are typed from; every served version has these fields
DATE = "segments.date"
CUSTOMER_ID = th.Property("customer_id", th.StringType, required=True)
# The partition every per-customer stream syncs under (ads_kit.tap.streams): the customer again.
ACCOUNT_ID = th.Property("account_id", th.StringType, description="The customer the row was read under")
NUMBERS = (
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
    "metrics.conversions",
    "metrics.conversions_value",
)
METRICS = (
    *NUMBERS,
    "metrics.interactions",
    "metrics.all_conversions",
    "metrics.all_conversions_value",
    "metrics.ctr",
    "metrics.average_cpc",
    "metrics.average_cpm",
)
CONVERSION_METRICS = (
    "metrics.conversions",
    "metrics.conversions_value",
    "metrics.all_conversions",
    "metrics.all_conversions_value",
)


@dataclass(frozen=True)
class Query:
    name: str
    resource: str
    attributes: tuple[str, ...]
    keys: tuple[str, ...]  # GAQL fields whose columns (with customer_id) make the key
    metrics: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()  # report queries: segments.date first
    status: str | None = None  # the status field REMOVED entities are filtered on
    where: str = ""

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys((*self.attributes, *self.segments, *self.metrics)))

    @property
    def daily(self) -> bool:
        return DATE in self.segments

    # the report layer's view (ads_kit.tap.reports.slices.Report)
    @property
    def requested_metrics(self) -> tuple[str, ...]:
        return self.metrics

    @property
    def key_fields(self) -> tuple[str, ...]:
        return ("customer_id", *(column(name) for name in self.keys))

    def filter(
        self, since: date | None = None, until: date | None = None, include_deleted: bool = True
    ) -> str:
        parts = [self.where] if self.where else []
        if since is not None and until is not None:
            parts.append(f"{DATE} BETWEEN '{since.isoformat()}' AND '{until.isoformat()}'")
        if self.status and not include_deleted:
            parts.append(f"{self.status} != 'REMOVED'")
        return " AND ".join(parts)

    def schema(self) -> dict[str, Any]:
        keys = set(self.key_fields)
        properties = [CUSTOMER_ID, ACCOUNT_ID] + [
            th.Property(column(name), json_type(SCHEMA_VERSION, name), required=column(name) in keys)
            for name in self.fields
        ]
        return th.PropertiesList(*properties).to_dict()


def _entity(name: str, resource: str, *attributes: str, status: str | None = None) -> Query:
    fields = tuple(f"{resource}.{a}" if "." not in a else a for a in attributes)
    return Query(f"google_ads_{name}", resource, fields, keys=(f"{resource}.id",), status=status)


CUSTOMER_FIELDS = tuple(
    f"customer.{name}"
    for name in (
        "id",
        "descriptive_name",
        "currency_code",
        "time_zone",
        "manager",
        "test_account",
        "status",
    )
)
CUSTOMER_CLIENTS = Query(
    "google_ads_customer_clients",
    "customer_client",
    tuple(
        f"customer_client.{name}"
        for name in (
            "id",
            "client_customer",
            "level",
            "manager",
            "hidden",
            "descriptive_name",
            "currency_code",
            "time_zone",
            "status",
            "test_account",
        )
    ),
    keys=("customer_client.id",),
)
ENTITIES = {
    query.name: query
    for query in (
        _entity(
            "campaigns",
            "campaign",
            "id",
            "name",
            "status",
            "advertising_channel_type",
            "start_date_time",
            "end_date_time",
            "campaign_budget",
            status="campaign.status",
        ),
        _entity(
            "campaign_budgets",
            "campaign_budget",
            "id",
            "amount_micros",
            "total_amount_micros",
            "period",
            "status",
            "explicitly_shared",
            "reference_count",
            status="campaign_budget.status",
        ),
        _entity(
            "ad_groups",
            "ad_group",
            "id",
            "name",
            "status",
            "campaign",
            "campaign.id",
            status="ad_group.status",
        ),
        Query(
            "google_ads_ads",
            "ad_group_ad",
            (
                "ad_group.id",
                "ad_group_ad.ad.id",
                "ad_group_ad.ad.name",
                "ad_group_ad.status",
                "ad_group_ad.ad_group",
                "campaign.id",
            ),
            keys=("ad_group.id", "ad_group_ad.ad.id"),
            status="ad_group_ad.status",
        ),
        _entity(
            "user_lists",
            "user_list",
            "id",
            "name",
            "type",
            "membership_status",
            "size_for_display",
            "size_for_search",
            "user_list.lookalike_user_list.seed_user_list_ids",
        ),
        _entity(
            "conversion_actions",
            "conversion_action",
            "id",
            "name",
            "status",
            "category",
            "primary_for_goal",
            "include_in_conversions_metric",
            "click_through_lookback_window_days",
            status="conversion_action.status",
        ),
    )
}

CAMPAIGN = ("campaign.id", "campaign.name")
AD_GROUP = (*CAMPAIGN, "ad_group.id", "ad_group.name")
AD = (*AD_GROUP, "ad_group_ad.ad.id", "ad_group_ad.ad.name")
AD_KEYS = ("ad_group.id", "ad_group_ad.ad.id", DATE)
HOURLY_METRICS = NUMBERS


def _report(
    name: str, resource: str, attributes: tuple[str, ...], keys: tuple[str, ...], **more: Any
) -> Query:
    segments = (DATE, *more.pop("segments", ()))
    return Query(
        f"google_ads_{name}",
        resource,
        attributes,
        keys=keys,
        segments=segments,
        **{"metrics": METRICS, **more},
    )


PERFORMANCE = {
    q.name: q
    for q in (
        _report("campaign_performance", "campaign", CAMPAIGN, ("campaign.id", DATE)),
        _report("ad_group_performance", "ad_group", AD_GROUP, ("ad_group.id", DATE)),
        _report("ad_performance", "ad_group_ad", AD, AD_KEYS),
    )
}
CRITERION = (*AD_GROUP, "ad_group_criterion.criterion_id")
BREAKDOWNS = {
    q.name: q
    for q in (
        _report(
            "age_range_performance",
            "age_range_view",
            (*CRITERION, "ad_group_criterion.age_range.type"),
            ("ad_group.id", "ad_group_criterion.criterion_id", DATE),
            metrics=NUMBERS,
        ),
        _report(
            "gender_performance",
            "gender_view",
            (*CRITERION, "ad_group_criterion.gender.type"),
            ("ad_group.id", "ad_group_criterion.criterion_id", DATE),
            metrics=NUMBERS,
        ),
        _report(
            "device_performance",
            "campaign",
            CAMPAIGN,
            ("campaign.id", DATE, "segments.device"),
            segments=("segments.device",),
            metrics=NUMBERS,
        ),
        _report(
            "geographic_performance",
            "geographic_view",
            (*CAMPAIGN, "geographic_view.country_criterion_id", "geographic_view.location_type"),
            ("campaign.id", "geographic_view.country_criterion_id", "geographic_view.location_type", DATE),
            metrics=NUMBERS,
        ),
        _report(
            "ad_hourly_performance",
            "ad_group_ad",
            AD,
            (*AD_KEYS, "segments.hour"),
            segments=("segments.hour",),
            metrics=HOURLY_METRICS,
        ),
        _report(
            "conversion_action_performance",
            "ad_group_ad",
            AD,
            (*AD_KEYS, "segments.conversion_action"),
            segments=("segments.conversion_action", "segments.conversion_action_name"),
            metrics=CONVERSION_METRICS,
        ),
    )
}
REPORTS = {**PERFORMANCE, **BREAKDOWNS}
REPORT_TYPES = {"all": tuple(REPORTS), "performance": tuple(PERFORMANCE), "custom": ()}
