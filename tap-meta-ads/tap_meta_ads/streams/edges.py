"""What every list edge of an ad account shares: paging, field drops, money and time shaping,
server-side time and status filters, and client-side incremental checks.

Edges with a filtering level (campaigns, ad sets, ads) are incremental on ``updated_time``: Meta gets
a unix-seconds ``GREATER_THAN`` filter and every row is checked again client-side, because Meta has
been seen to ignore such filters. Edges without one are read in full and shared through the run's
slice cache with the unified entity streams.
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

ID = th.Property("id", th.StringType, required=True)
ACCOUNT_ID = th.Property("account_id", th.StringType, required=True)
TIMES = [th.Property(name, th.DateTimeType) for name in ("created_time", "updated_time")]
STATUSES = [th.Property(name, th.StringType) for name in ("status", "configured_status", "effective_status")]
MONEY = th.NumberType  # Decimal major units of the account currency


def json_property(name: str) -> th.Property:
    return th.Property(name, th.CustomType({"type": ["object", "array", "null"]}))


def object_schema(*properties: th.Property) -> dict[str, Any]:
    """A Meta object's schema: its ``id`` and the ``account_id`` it was read under, then the rest."""
    return th.PropertiesList(ID, ACCOUNT_ID, *properties).to_dict()


class AccountEdgeStream(MetaStream):
    """A list edge of ``act_<id>`` read with cursor paging.

    A full read (no bookmark) goes through the run's slice cache, so the unified entity streams
    replay it instead of reading the edge again.
    """

    edge: str
    primary_keys = ("id",)
    level: str | None = None  # filtering prefix of server-side time and status filters
    money_fields: tuple[str, ...] = ()
    time_fields: tuple[str, ...] = ("created_time", "updated_time", "start_time", "stop_time", "end_time")

    def edge_params(self, since: datetime | None) -> dict[str, Any]:
        return {"fields": ",".join(self.fields)}

    @cached_property
    def fields(self) -> list[str]:
        """Fields requested from Meta; one the API rejects is dropped for the rest of the run."""
        return list(self.schema["properties"])

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        """The edge's objects, or with a bookmark those changed since. Only edges with a filtering
        ``level`` take a server-side time filter; the others are read in full (through the slice
        cache), and every row is checked here, because Meta has been seen to ignore such filters."""
        bookmark = self.bookmark(context) if self.replication_key else None
        since = datetime.fromisoformat(str(bookmark)) if bookmark else None
        for row in self.rows(account_id, since if self.level else None):
            changed: datetime | None = row.get(self.replication_key) if since else None
            if since is None or changed is None or changed >= since:
                yield row

    def rows(self, account_id: str, since: datetime | None) -> Iterator[dict[str, Any]]:
        if since is not None:
            yield from self._read(account_id, since)
            return
        key = ("meta_ads", account_id, self.name, "full")
        yield from self.run.slice_cache.rows(key, lambda: self._read(account_id, None))

    def _read(self, account_id: str, since: datetime | None) -> Iterator[dict[str, Any]]:
        currency = self.tap.accounts.info(account_id).currency if self.money_fields else ""
        path = f"act_{account_id}/{self.edge}"
        while True:
            try:
                # Meta rejects a bad field on the first page, before any row is out.
                pages = self.client.pages(path, self.edge_params(since), account=account_id, stream=self.name)
                first = next(pages, [])
            except ConfigError as exc:
                self.tap.drop_field(self.name, account_id, self.fields, exc)
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
