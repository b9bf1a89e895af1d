"""Custom conversions: the account's own conversion definitions (rule, event type, pixel)."""

from __future__ import annotations

from singer_sdk import typing as th

from tap_meta_ads.streams.objects import AccountEdgeStream, _json


class CustomConversionsStream(AccountEdgeStream):
    name = "meta_custom_conversions"
    edge = "customconversions"
    primary_keys = ("id",)
    time_fields = ("creation_time", "first_fired_time", "last_fired_time")
    schema = th.PropertiesList(
        th.Property("id", th.StringType, required=True),
        th.Property("account_id", th.StringType, required=True),
        th.Property("name", th.StringType),
        th.Property("description", th.StringType),
        th.Property("custom_event_type", th.StringType),
        th.Property("rule", th.StringType),
        th.Property("event_source_type", th.StringType),
        th.Property("default_conversion_value", th.NumberType),
        th.Property("retention_days", th.IntegerType),
        th.Property("is_archived", th.BooleanType),
        th.Property("is_unavailable", th.BooleanType),
        _json("pixel"),
        th.Property("creation_time", th.DateTimeType),
        th.Property("first_fired_time", th.DateTimeType),
        th.Property("last_fired_time", th.DateTimeType),
    ).to_dict()
