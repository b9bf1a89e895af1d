"""Custom conversions: the account's own conversion definitions (rule, event type, pixel)."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_meta_ads.streams.edges import AccountEdgeStream, json_property, object_schema


class CustomConversionsStream(AccountEdgeStream):
    name = "meta_custom_conversions"
    edge = "customconversions"
    time_fields = ("creation_time", "first_fired_time", "last_fired_time")
    schema = object_schema(
        th.Property("name", th.StringType),
        th.Property("description", th.StringType),
        th.Property("custom_event_type", th.StringType),
        th.Property("rule", th.StringType),
        th.Property("event_source_type", th.StringType),
        th.Property("default_conversion_value", th.NumberType),
        th.Property("retention_days", th.IntegerType),
        th.Property("is_archived", th.BooleanType),
        th.Property("is_unavailable", th.BooleanType),
        json_property("pixel"),
        th.Property("creation_time", th.DateTimeType),
        th.Property("first_fired_time", th.DateTimeType),
        th.Property("last_fired_time", th.DateTimeType),
    )
