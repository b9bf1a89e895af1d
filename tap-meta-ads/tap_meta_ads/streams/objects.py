"""Ad accounts and the campaign tree: campaigns, ad sets, ads, ad creatives.

Campaigns, ad sets and ads are incremental on ``updated_time``: Meta gets a unix-seconds
``GREATER_THAN`` filter and every row is checked again client-side, because Meta has been seen to
ignore such filters. Creatives have no timestamps, so they are read in full.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from functools import cached_property
from typing import Any

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from ads_kit.resilience.errors import ConfigError
from tap_meta_ads.accounts import ACCOUNT_FIELDS
from tap_meta_ads.currencies import minor_to_major
from tap_meta_ads.streams.base import MetaStream
from tap_meta_ads.timeutil import to_utc

# Every effective_status Meta knows per level; edges hide ARCHIVED and DELETED unless asked for them.
EFFECTIVE_STATUSES = {
    "campaign": ["ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"],
    "adset": ["ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES", "CAMPAIGN_PAUSED"],
    "ad": [
        "ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES", "ADSET_PAUSED",
        "CAMPAIGN_PAUSED", "DISAPPROVED", "PENDING_BILLING_INFO", "PENDING_REVIEW", "PREAPPROVED",
    ],
}  # fmt: skip
REMOVED_STATUSES = frozenset({"DELETED", "ARCHIVED"})

_ID = th.Property("id", th.StringType, required=True)
_ACCOUNT_ID = th.Property("account_id", th.StringType, required=True)
_TIMES = [th.Property(name, th.DateTimeType) for name in ("created_time", "updated_time")]
_STATUSES = [th.Property(name, th.StringType) for name in ("status", "configured_status", "effective_status")]
_MONEY = th.NumberType  # Decimal major units of the account currency


def _json(name: str) -> th.Property:
    return th.Property(name, th.CustomType({"type": ["object", "array", "null"]}))


class AdAccountsStream(MetaStream):
    name = "meta_ad_accounts"
    primary_keys = ("account_id",)
    schema = th.PropertiesList(
        _ID,
        _ACCOUNT_ID,
        th.Property("name", th.StringType),
        th.Property("currency", th.StringType),
        th.Property("timezone_name", th.StringType),
        th.Property("timezone_offset_hours_utc", th.NumberType),
        th.Property("account_status", th.IntegerType),
        th.Property("disable_reason", th.IntegerType),
        th.Property("amount_spent", _MONEY),
        th.Property("balance", _MONEY),
        th.Property("spend_cap", _MONEY),
        th.Property("created_time", th.DateTimeType),
        _json("business"),
    ).to_dict()

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        node = self._tap.accounts.raw(account_id)
        row = {key: node[key] for key in ACCOUNT_FIELDS if key in node}
        for field in ("amount_spent", "balance", "spend_cap"):
            label = f"ad account {account_id} {field}"
            row[field] = minor_to_major(row.get(field), node["currency"], field=label)
        row["created_time"] = to_utc(row.get("created_time"), f"ad account {account_id} created_time")
        row["account_id"] = account_id
        yield row


class AccountEdgeStream(MetaStream):
    """A list edge of ``act_<id>`` read with cursor paging.

    A full read (no bookmark) goes through the run's slice cache, so the unified entity streams
    replay it instead of reading the edge again.
    """

    edge: str
    level: str | None = None  # filtering prefix for incremental and status filters
    money_fields: tuple[str, ...] = ()
    time_fields: tuple[str, ...] = ("created_time", "updated_time", "start_time", "stop_time", "end_time")

    def edge_params(self, since: datetime | None) -> dict[str, Any]:
        return {"fields": ",".join(self.fields)}

    @cached_property
    def fields(self) -> list[str]:
        """Fields requested from Meta; one the API rejects is dropped for the rest of the run."""
        return list(self.schema["properties"])

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        yield from self.rows(account_id, None)

    def rows(self, account_id: str, since: datetime | None) -> Iterator[dict[str, Any]]:
        if since is not None:
            yield from self._read(account_id, since)
            return
        key = ("meta", account_id, self.name, "full")
        yield from self._tap.slice_cache.rows(key, lambda: self._read(account_id, None))

    def _read(self, account_id: str, since: datetime | None) -> Iterator[dict[str, Any]]:
        currency = self._tap.accounts.info(account_id).currency if self.money_fields else ""
        path = f"act_{account_id}/{self.edge}"
        while True:
            try:
                # Meta rejects a bad field on the first page, before any row is out.
                pages = self.client.pages(path, self.edge_params(since), account=account_id, stream=self.name)
                first = next(pages, [])
            except ConfigError as exc:
                self._tap.drop_field(self.name, account_id, self.fields, exc)
                continue
            for page in itertools.chain([first], pages):
                for row in page:
                    yield self.shape(row, account_id, currency)
            return

    def shape(self, row: dict[str, Any], account_id: str, currency: str) -> dict[str, Any]:
        row["account_id"] = account_id
        for field in self.money_fields:
            if field in row:
                label = f"{self.name} {row.get('id')} {field}"
                row[field] = minor_to_major(row[field], currency, field=label)
        for field in self.time_fields:
            if field in row:
                row[field] = to_utc(row[field], f"{self.name} {row.get('id')} {field}")
        return row


class IncrementalObjectStream(AccountEdgeStream):
    replication_key = "updated_time"
    is_sorted = False

    def edge_params(self, since: datetime | None) -> dict[str, Any]:
        params = super().edge_params(since)
        filters: list[dict[str, Any]] = []
        if since is not None:
            # One second earlier: GREATER_THAN would otherwise drop rows updated at the bookmark itself.
            after = int(since.timestamp()) - 1
            filters.append(
                {"field": f"{self.level}.updated_time", "operator": "GREATER_THAN", "value": after}
            )
        statuses = EFFECTIVE_STATUSES[str(self.level)]
        if not self.config.get("include_deleted", False):
            statuses = [s for s in statuses if s not in REMOVED_STATUSES]
        filters.append({"field": f"{self.level}.effective_status", "operator": "IN", "value": statuses})
        params["filtering"] = filters
        return params

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        since = self.bookmark(context)
        for row in self.rows(account_id, since):
            # Meta has been seen to ignore updated_time filters: check again here.
            updated: datetime | None = row.get("updated_time")
            if since is None or updated is None or updated >= since:
                yield row


class CampaignsStream(IncrementalObjectStream):
    name = "meta_campaigns"
    edge = "campaigns"
    level = "campaign"
    primary_keys = ("id",)
    money_fields = ("daily_budget", "lifetime_budget", "budget_remaining", "spend_cap")
    schema = th.PropertiesList(
        _ID,
        _ACCOUNT_ID,
        th.Property("name", th.StringType),
        *_STATUSES,
        th.Property("objective", th.StringType),
        th.Property("buying_type", th.StringType),
        th.Property("bid_strategy", th.StringType),
        th.Property("daily_budget", _MONEY),
        th.Property("lifetime_budget", _MONEY),
        th.Property("budget_remaining", _MONEY),
        th.Property("spend_cap", _MONEY),
        th.Property("special_ad_categories", th.ArrayType(th.StringType)),
        th.Property("start_time", th.DateTimeType),
        th.Property("stop_time", th.DateTimeType),
        *_TIMES,
    ).to_dict()


class AdSetsStream(IncrementalObjectStream):
    name = "meta_adsets"
    edge = "adsets"
    level = "adset"
    primary_keys = ("id",)
    money_fields = ("daily_budget", "lifetime_budget", "budget_remaining", "bid_amount")
    schema = th.PropertiesList(
        _ID,
        _ACCOUNT_ID,
        th.Property("campaign_id", th.StringType),
        th.Property("name", th.StringType),
        *_STATUSES,
        th.Property("daily_budget", _MONEY),
        th.Property("lifetime_budget", _MONEY),
        th.Property("budget_remaining", _MONEY),
        th.Property("bid_amount", _MONEY),
        th.Property("bid_strategy", th.StringType),
        th.Property("billing_event", th.StringType),
        th.Property("optimization_goal", th.StringType),
        _json("promoted_object"),
        _json("attribution_spec"),
        _json("targeting"),
        th.Property("start_time", th.DateTimeType),
        th.Property("end_time", th.DateTimeType),
        *_TIMES,
    ).to_dict()


class AdsStream(IncrementalObjectStream):
    name = "meta_ads"
    edge = "ads"
    level = "ad"
    primary_keys = ("id",)
    money_fields = ("bid_amount",)
    schema = th.PropertiesList(
        _ID,
        _ACCOUNT_ID,
        th.Property("campaign_id", th.StringType),
        th.Property("adset_id", th.StringType),
        th.Property("name", th.StringType),
        *_STATUSES,
        _json("creative"),
        th.Property("bid_amount", _MONEY),
        _json("tracking_specs"),
        _json("conversion_specs"),
        *_TIMES,
    ).to_dict()


class AdCreativesStream(AccountEdgeStream):
    name = "meta_adcreatives"
    edge = "adcreatives"
    primary_keys = ("id",)
    schema = th.PropertiesList(
        _ID,
        _ACCOUNT_ID,
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
        _json("object_story_spec"),
        _json("asset_feed_spec"),
    ).to_dict()
