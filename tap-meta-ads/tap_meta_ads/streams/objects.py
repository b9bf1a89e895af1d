"""Ad accounts and the campaign tree: campaigns, ad sets, ads (incremental on ``updated_time``) and
ad creatives (no timestamps: read in full)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_meta_ads.accounts import ACCOUNT_FIELDS
from tap_meta_ads.currencies import minor_to_major
from tap_meta_ads.streams.base import MetaStream
from tap_meta_ads.streams.edges import (
    MONEY,
    STATUSES,
    TIMES,
    AccountEdgeStream,
    IncrementalObjectStream,
    json_property,
    object_schema,
)
from tap_meta_ads.timeutil import to_utc


class AdAccountsStream(MetaStream):
    name = "meta_ad_accounts"
    primary_keys = ("account_id",)
    schema = object_schema(
        th.Property("name", th.StringType),
        th.Property("currency", th.StringType),
        th.Property("timezone_name", th.StringType),
        th.Property("timezone_offset_hours_utc", th.NumberType),
        th.Property("account_status", th.IntegerType),
        th.Property("disable_reason", th.IntegerType),
        th.Property("amount_spent", MONEY),
        th.Property("balance", MONEY),
        th.Property("spend_cap", MONEY),
        th.Property("created_time", th.DateTimeType),
        json_property("business"),
    )

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        node = self.tap.accounts.raw(account_id)
        row = {key: node[key] for key in ACCOUNT_FIELDS if key in node}
        for field in ("amount_spent", "balance", "spend_cap"):
            label = f"ad account {account_id} {field}"
            row[field] = minor_to_major(row.get(field), node["currency"], field=label)
        row["created_time"] = to_utc(row.get("created_time"), f"ad account {account_id} created_time")
        row["account_id"] = account_id
        yield row


class CampaignsStream(IncrementalObjectStream):
    name = "meta_campaigns"
    edge = "campaigns"
    level = "campaign"
    money_fields = ("daily_budget", "lifetime_budget", "budget_remaining", "spend_cap")
    schema = object_schema(
        th.Property("name", th.StringType),
        *STATUSES,
        th.Property("objective", th.StringType),
        th.Property("buying_type", th.StringType),
        th.Property("bid_strategy", th.StringType),
        th.Property("daily_budget", MONEY),
        th.Property("lifetime_budget", MONEY),
        th.Property("budget_remaining", MONEY),
        th.Property("spend_cap", MONEY),
        th.Property("special_ad_categories", th.ArrayType(th.StringType)),
        th.Property("start_time", th.DateTimeType),
        th.Property("stop_time", th.DateTimeType),
        *TIMES,
    )


class AdSetsStream(IncrementalObjectStream):
    name = "meta_adsets"
    edge = "adsets"
    level = "adset"
    money_fields = ("daily_budget", "lifetime_budget", "budget_remaining", "bid_amount")
    schema = object_schema(
        th.Property("campaign_id", th.StringType),
        th.Property("name", th.StringType),
        *STATUSES,
        th.Property("daily_budget", MONEY),
        th.Property("lifetime_budget", MONEY),
        th.Property("budget_remaining", MONEY),
        th.Property("bid_amount", MONEY),
        th.Property("bid_strategy", th.StringType),
        th.Property("billing_event", th.StringType),
        th.Property("optimization_goal", th.StringType),
        json_property("promoted_object"),
        json_property("attribution_spec"),
        json_property("targeting"),
        th.Property("start_time", th.DateTimeType),
        th.Property("end_time", th.DateTimeType),
        *TIMES,
    )


class AdsStream(IncrementalObjectStream):
    name = "meta_ads"
    edge = "ads"
    level = "ad"
    money_fields = ("bid_amount",)
    schema = object_schema(
        th.Property("campaign_id", th.StringType),
        th.Property("adset_id", th.StringType),
        th.Property("name", th.StringType),
        *STATUSES,
        json_property("creative"),
        th.Property("bid_amount", MONEY),
        json_property("tracking_specs"),
        json_property("conversion_specs"),
        *TIMES,
    )


class AdCreativesStream(AccountEdgeStream):
    name = "meta_adcreatives"
    edge = "adcreatives"
    schema = object_schema(
        th.Property("name", th.StringType),
        th.Property("status", th.StringType),
        th.Property("title", th.StringType),
        th.Property("body", th.StringType),
        th.Property("object_type", th.StringType),
        th.Property("object_story_id", th.StringType),
        th.Property("effective_object_story_id", th.StringType),
        th.Property("call_to_action_type", th.StringType),
        th.Property("image_hash", th.StringType),
        th.Property("image_url", th.StringType),
        th.Property("thumbnail_url", th.StringType),
        th.Property("video_id", th.StringType),
        th.Property("url_tags", th.StringType),
        json_property("object_story_spec"),
        json_property("asset_feed_spec"),
    )
