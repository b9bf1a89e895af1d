"""Custom audiences (lookalikes are audiences with a ``lookalike_spec``), pixels and their events.

Audience lists carry no modification time and pixel lists none at all, so both are read in full.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from singer_sdk import typing as th

from tap_tiktok_ads.reports import ACCOUNT_ID
from tap_tiktok_ads.streams.base import BOOLEAN, JSON, STRING, TIME, EntityStream, entity_schema, typed


class CustomAudiencesStream(EntityStream):
    name = "tiktok_ads_custom_audiences"
    path = "dmp/custom_audience/list"
    page_size = 100
    status_filtered = False
    primary_keys = ("audience_id",)
    schema = entity_schema(
        "audience_id",
        *typed(STRING, "name", "audience_type", "audience_sub_type", "calculate_type", "owner_id"),
        th.Property("cover_num", th.IntegerType),
        *typed(BOOLEAN, "shared", "is_creator", "is_valid", "is_expiring", "is_auto_refresh"),
        th.Property("source_audience_id", STRING),
        th.Property("lookalike_spec", JSON),
        *typed(TIME, "create_time", "expired_time"),
    )

    @classmethod
    def shape(cls, row: dict[str, Any], advertiser_id: str) -> Iterator[dict[str, Any]]:
        spec = row.get("lookalike_spec") or {}
        row["source_audience_id"] = spec.get("source_audience_id")
        yield from super().shape(row, advertiser_id)


class PixelsStream(EntityStream):
    name = "tiktok_ads_pixels"
    path = "pixel/list"
    list_key = "pixels"
    page_size = 20
    status_filtered = False
    primary_keys = ("pixel_id",)
    schema = entity_schema(
        "pixel_id",
        *typed(STRING, "pixel_code", "pixel_name", "pixel_category", "pixel_setup_mode", "partner_name"),
        *typed(JSON, "advanced_matching_fields", "asset_ownership", "events"),
        th.Property("create_time", TIME),
    )


class PixelEventsStream(EntityStream):
    """The conversion events each pixel defines (one record per event, from the same pixel list)."""

    name = "tiktok_ads_pixel_events"
    path = "pixel/list"
    list_key = "pixels"
    page_size = 20
    status_filtered = False
    primary_keys = ("pixel_id", "event_id")
    schema = th.PropertiesList(
        th.Property("pixel_id", STRING, required=True),
        th.Property("event_id", STRING, required=True),
        th.Property("advertiser_id", STRING, required=True),
        ACCOUNT_ID,
        *typed(
            STRING,
            "pixel_code",
            "event_code",
            "name",
            "event_type",
            "custom_event_type",
            "optimization_event",
        ),
        *typed(STRING, "currency", "statistic_type"),
        th.Property("deprecated", BOOLEAN),
        th.Property("rules", JSON),
    ).to_dict()

    @classmethod
    def shape(cls, row: dict[str, Any], advertiser_id: str) -> Iterator[dict[str, Any]]:
        for event in row.get("events") or []:
            yield {
                **event,
                "event_id": str(event.get("event_id") or event.get("event_code")),
                "pixel_id": str(row["pixel_id"]),
                "pixel_code": row.get("pixel_code"),
                "advertiser_id": advertiser_id,
                "account_id": advertiser_id,
            }
