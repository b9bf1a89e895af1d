"""Advertisers and the campaign tree: campaigns, ad groups, ads (incremental on ``modify_time``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_tiktok_ads.accounts import ADVERTISER_FIELDS
from tap_tiktok_ads.reports import ACCOUNT_ID
from tap_tiktok_ads.streams.base import (
    BOOLEAN,
    JSON,
    NUMBER,
    STRING,
    TIME,
    EntityStream,
    TikTokStream,
    entity_schema,
    typed,
)


class AdvertisersStream(TikTokStream):
    name = "tiktok_ads_advertisers"
    primary_keys = ("advertiser_id",)
    schema = th.PropertiesList(
        th.Property("advertiser_id", STRING, required=True),
        ACCOUNT_ID,
        *typed(
            STRING, "name", "company", "currency", "country", "timezone", "display_timezone", "status", "role"
        ),
        *typed(STRING, "advertiser_account_type", "industry", "language"),
        th.Property("balance", NUMBER),
        th.Property("create_time", TIME),
    ).to_dict()

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        node = self.tap.accounts.raw(account_id)
        row = {key: node[key] for key in ADVERTISER_FIELDS if key in node}
        row["advertiser_id"] = row["account_id"] = account_id
        created = row.get("create_time")
        row["create_time"] = (
            datetime.fromtimestamp(int(created), UTC) if created else None
        )  # epoch here (§2.2)
        yield row


class IncrementalEntityStream(EntityStream):
    replication_key = "modify_time"
    is_sorted = False  # TikTok lists newest ids first


class CampaignsStream(IncrementalEntityStream):
    name = "tiktok_ads_campaigns"
    path = "campaign/get"
    primary_keys = ("campaign_id",)
    ids_filter = "campaign_ids"
    schema = entity_schema(
        "campaign_id",
        *typed(STRING, "campaign_name", "campaign_type", "objective_type", "objective", "budget_mode"),
        *typed(STRING, "operation_status", "secondary_status", "campaign_system_origin"),
        *typed(NUMBER, "budget", "roas_bid"),
        *typed(BOOLEAN, "is_new_structure", "is_smart_performance_campaign", "budget_optimize_on"),
        th.Property("deep_bid_type", STRING),
        *typed(TIME, "create_time", "modify_time"),
    )


class AdGroupsStream(IncrementalEntityStream):
    name = "tiktok_ads_ad_groups"
    path = "adgroup/get"
    primary_keys = ("adgroup_id",)
    ids_filter = "adgroup_ids"
    schema = entity_schema(
        "adgroup_id",
        *typed(STRING, "campaign_id", "campaign_name", "adgroup_name", "placement_type", "promotion_type"),
        *typed(STRING, "optimization_goal", "optimization_event", "billing_event", "bid_type", "budget_mode"),
        *typed(
            STRING, "schedule_type", "pacing", "operation_status", "secondary_status", "gender", "pixel_id"
        ),
        *typed(NUMBER, "budget", "bid_price", "conversion_bid_price"),
        *typed(JSON, "placements", "location_ids", "age_groups", "audience_ids", "languages", "dayparting"),
        *typed(TIME, "schedule_start_time", "schedule_end_time", "create_time", "modify_time"),
    )


class AdsStream(IncrementalEntityStream):
    name = "tiktok_ads_ads"
    path = "ad/get"
    modified_after = True
    primary_keys = ("ad_id",)
    ids_filter = "ad_ids"
    schema = entity_schema(
        "ad_id",
        *typed(STRING, "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name", "ad_format"),
        *typed(
            STRING, "ad_text", "call_to_action", "video_id", "identity_type", "identity_id", "display_name"
        ),
        *typed(STRING, "landing_page_url", "operation_status", "secondary_status", "deeplink_type"),
        th.Property("image_ids", JSON),
        th.Property("is_aco", BOOLEAN),
        *typed(TIME, "create_time", "modify_time"),
    )
