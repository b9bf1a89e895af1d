"""What every Meta stream shares, and what every list edge of an ad account declares: path, fields,
server-side time and status filters, money and time shaping, and the client-side incremental check.

Edges with a filtering level (campaigns, ad sets, ads) are incremental on ``updated_time``: Meta gets
a unix-seconds ``GREATER_THAN`` filter and every row is checked again client-side, because Meta has
been seen to ignore such filters. Edges without one are read in full and shared with the unified
entity streams (``tap_meta_ads.entities``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from singer_sdk import typing as th

from ads_kit.tap.streams import AccountStream
from tap_meta_ads.formats import EFFECTIVE_STATUSES, REMOVED_STATUSES, minor_to_major, status_filter, to_utc

if TYPE_CHECKING:
    from tap_meta_ads.tap import TapMetaAds


STRING, TIME = th.StringType, th.DateTimeType
MONEY = th.NumberType  # Decimal major units of the account currency
JSON = th.CustomType({"type": ["object", "array", "null"]})  # nested specs, kept as Meta sends them


def typed(kind: Any, *names: str) -> list[th.Property]:
    """Properties of one type, in the order given."""
    return [th.Property(name, kind) for name in names]


ID = th.Property("id", th.StringType, required=True)
ACCOUNT_ID = th.Property("account_id", th.StringType, required=True)
TIMES = typed(TIME, "created_time", "updated_time")
STATUSES = typed(STRING, "status", "configured_status", "effective_status")


def object_schema(*properties: th.Property) -> dict[str, Any]:
    """A Meta object's schema: its ``id`` and the ``account_id`` it was read under, then the rest."""
    return th.PropertiesList(ID, ACCOUNT_ID, *properties).to_dict()


class MetaStream(AccountStream):
    """A Meta object stream: the per-account base, typed with the Meta tap, and the shaping of
    Meta's money (minor units) and times (offsets or unix seconds) every object needs."""

    name: str  # declared at class level: the edge reader and shape() read it off the class
    schema: dict[str, Any]  # likewise a class-level dict (overrides the SDK's schema property)
    primary_keys = ("id",)
    money_fields: tuple[str, ...] = ()

    @property
    def tap(self) -> TapMetaAds:
        return cast("TapMetaAds", super().tap)

    @classmethod
    def shape(cls, row: dict[str, Any], account_id: str, currency: str) -> dict[str, Any]:
        row["account_id"] = account_id
        for field in cls.money_fields:
            if field in row:
                label = f"{cls.name} {row.get('id')} {field}"
                row[field] = minor_to_major(row[field], currency, field=label)
        for field, prop in cls.schema["properties"].items():
            if field in row and prop.get("format") == "date-time":  # every TIME property of the schema
                row[field] = to_utc(row[field], f"{cls.name} {row.get('id')} {field}")
        return row


class AccountEdgeStream(MetaStream):
    """A list edge of ``act_<id>`` read with cursor paging (by the tap's ``EdgeReader``)."""

    edge: str
    level: str | None = None  # filtering prefix of server-side time and status filters

    @classmethod
    def edge_params(cls, fields: list[str], since: datetime | None, include_deleted: bool) -> dict[str, Any]:
        return {"fields": ",".join(fields)}

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The edge's objects, or with a bookmark those changed since. Only edges with a filtering
        ``level`` take a server-side time filter; the others are read in full (through the slice
        cache), and every row is checked here, because Meta has been seen to ignore such filters."""
        bookmark = self.bookmark(context) if self.replication_key else None
        since = datetime.fromisoformat(str(bookmark)) if bookmark else None
        for row in self.tap.edges.rows(self.name, account_id, since if self.level else None):
            changed: datetime | None = (
                row.get(self.replication_key) if since and self.replication_key else None
            )
            if since is None or changed is None or changed >= since:
                yield row


class IncrementalObjectStream(AccountEdgeStream):
    replication_key = "updated_time"
    is_sorted = False

    @classmethod
    def edge_params(cls, fields: list[str], since: datetime | None, include_deleted: bool) -> dict[str, Any]:
        filters: list[dict[str, Any]] = []
        if since is not None:
            # One second earlier: GREATER_THAN would otherwise drop rows updated at the bookmark itself.
            after = int(since.timestamp()) - 1
            filters.append({"field": f"{cls.level}.updated_time", "operator": "GREATER_THAN", "value": after})
        level = str(cls.level)
        statuses = [s for s in EFFECTIVE_STATUSES[level] if include_deleted or s not in REMOVED_STATUSES]
        filters.append(status_filter(level, statuses))
        return {"fields": ",".join(fields), "filtering": filters}
