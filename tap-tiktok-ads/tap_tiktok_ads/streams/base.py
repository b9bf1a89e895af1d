"""What every TikTok stream shares, and what every entity list declares: its path, list key, time
and money fields, and the client-side incremental check on ``modify_time``.

Entity times are UTC ``YYYY-MM-DD HH:MM:SS`` (§6.1) and leave as UTC datetimes; ids stay strings.
``modify_time`` is compared with the bookmark less a safety margin, because TikTok stamps an object
when the change is saved, which may be after the previous run read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, cast

from singer_sdk import typing as th

from ads_kit.tap.streams import AccountStream
from ads_kit.timezones import parse_utc_timestamp
from tap_tiktok_ads.client import PAGE_SIZE
from tap_tiktok_ads.reports import ACCOUNT_ID

if TYPE_CHECKING:
    from tap_tiktok_ads.tap import TapTikTokAds

STRING, TIME, NUMBER, BOOLEAN = th.StringType, th.DateTimeType, th.NumberType, th.BooleanType
JSON = th.CustomType({"type": ["object", "array", "string", "null"]})  # nested specs, kept as sent
SAFETY_MARGIN = timedelta(hours=1)


def typed(kind: Any, *names: str) -> list[th.Property]:
    return [th.Property(name, kind) for name in names]


class TikTokStream(AccountStream):
    """The shared per-advertiser stream base, typed with the TikTok tap."""

    @property
    def tap(self) -> TapTikTokAds:
        return cast("TapTikTokAds", super().tap)


class EntityStream(TikTokStream):
    """An entity list of one advertiser, read by the tap's ``EntityReader``."""

    name: str
    schema: dict[str, Any]
    path: ClassVar[str]
    list_key: ClassVar[str] = "list"
    page_size: ClassVar[int] = PAGE_SIZE  # §1.4: 1000, but 100 for audiences and 20 for pixels
    status_filtered: ClassVar[bool] = True  # takes filtering.primary_status
    modified_after: ClassVar[bool] = False  # takes filtering.modified_after (ads only, §2.5)
    ids_filter: ClassVar[str | None] = None  # the filtering key that selects objects by id

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        bookmark = self.bookmark(context) if self.replication_key else None
        since = datetime.fromisoformat(str(bookmark)) - SAFETY_MARGIN if bookmark else None
        for row in self.tap.entities.rows(self.name, account_id, since):
            changed = row.get(self.replication_key) if since and self.replication_key else None
            if since is None or changed is None or changed >= since:
                yield row

    @classmethod
    def shape(cls, row: dict[str, Any], advertiser_id: str) -> Iterator[dict[str, Any]]:
        """The record(s) of one listed object."""
        row["advertiser_id"] = str(row.get("advertiser_id") or advertiser_id)
        row["account_id"] = advertiser_id
        for field, prop in cls.schema["properties"].items():
            value = row.get(field)
            if value in (None, ""):
                continue
            if prop.get("format") == "date-time":
                row[field] = parse_utc_timestamp(str(value))
            elif field.endswith("_id") and "string" in prop.get("type", ()):
                row[field] = str(value)  # v1.3 ids are strings (v1.2 sent numbers)
        if "modify_time" in cls.schema["properties"] and row.get("modify_time") is None:
            row["modify_time"] = row.get("create_time")  # §2.5: Smart+ ads may lack modify_time
        yield row


def entity_schema(key: str, *properties: th.Property) -> dict[str, Any]:
    return th.PropertiesList(
        th.Property(key, STRING, required=True),
        th.Property("advertiser_id", STRING, required=True),
        ACCOUNT_ID,
        *properties,
    ).to_dict()
