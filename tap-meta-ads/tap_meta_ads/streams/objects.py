"""Ad accounts and the campaign tree: campaigns, ad sets, ads (incremental on ``updated_time``) and
ad creatives (no timestamps: read in full)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_meta_ads.accounts import ACCOUNT_FIELDS
from tap_meta_ads.streams.edges import (
    JSON,
    MONEY,
    STATUSES,
    STRING,
    TIME,
    TIMES,
    AccountEdgeStream,
    IncrementalObjectStream,
    MetaStream,
    object_schema,
    typed,
)


class AdAccountsStream(MetaStream):
    name = "meta_ad_accounts"
    primary_keys = ("account_id",)
    schema = object_schema(
        *typed(STRING, "name", "currency", "timezone_name"),
        th.Property("timezone_offset_hours_utc", th.NumberType),
        *typed(th.IntegerType, "account_status", "disable_reason"),
        *typed(MONEY, "amount_spent", "balance", "spend_cap"),
        th.Property("created_time", TIME),
        th.Property("business", JSON),
    )

    money_fields = ("amount_spent", "balance", "spend_cap")

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        node = self.tap.accounts.raw(account_id)
        row = {key: node[key] for key in ACCOUNT_FIELDS if key in node}
        yield self.shape(row, account_id, node["currency"])


class CampaignsStream(IncrementalObjectStream):
    name = "meta_campaigns"
    edge = "campaigns"
    level = "campaign"
    money_fields = ("daily_budget", "lifetime_budget", "budget_remaining", "spend_cap")
    schema = object_schema(
        th.Property("name", STRING),
        *STATUSES,
        *typed(STRING, "objective", "buying_type", "bid_strategy"),
        *typed(MONEY, "daily_budget", "lifetime_budget", "budget_remaining", "spend_cap"),
        th.Property("special_ad_categories", th.ArrayType(STRING)),
        *typed(TIME, "start_time", "stop_time"),
        *TIMES,
    )


class AdSetsStream(IncrementalObjectStream):
    name = "meta_adsets"
    edge = "adsets"
    level = "adset"
    money_fields = ("daily_budget", "lifetime_budget", "budget_remaining", "bid_amount")
    schema = object_schema(
        *typed(STRING, "campaign_id", "name"),
        *STATUSES,
        *typed(MONEY, "daily_budget", "lifetime_budget", "budget_remaining", "bid_amount"),
        *typed(STRING, "bid_strategy", "billing_event", "optimization_goal"),
        *typed(JSON, "promoted_object", "attribution_spec", "targeting"),
        *typed(TIME, "start_time", "end_time"),
        *TIMES,
    )


class AdsStream(IncrementalObjectStream):
    name = "meta_ads"
    edge = "ads"
    level = "ad"
    money_fields = ("bid_amount",)
    schema = object_schema(
        *typed(STRING, "campaign_id", "adset_id", "name"),
        *STATUSES,
        th.Property("creative", JSON),
        th.Property("bid_amount", MONEY),
        *typed(JSON, "tracking_specs", "conversion_specs"),
        *TIMES,
    )


class AdCreativesStream(AccountEdgeStream):
    name = "meta_adcreatives"
    edge = "adcreatives"
    schema = object_schema(
        *typed(STRING, "name", "status", "title", "body", "object_type", "object_story_id"),
        *typed(STRING, "effective_object_story_id", "call_to_action_type", "image_hash", "image_url"),
        *typed(STRING, "thumbnail_url", "video_id", "url_tags"),
        *typed(JSON, "object_story_spec", "asset_feed_spec"),
    )
