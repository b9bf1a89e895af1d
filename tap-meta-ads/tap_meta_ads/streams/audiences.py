"""Audiences (lookalikes included: ``subtype: LOOKALIKE`` with a ``lookalike_spec``) and the account's
own conversion definitions. Audiences carry unix seconds and their edge takes no time filter, so the
stream is incremental client-side only (the edge base checks ``time_updated`` against the bookmark).
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_meta_ads.streams.edges import JSON, STRING, TIME, AccountEdgeStream, object_schema, typed


class CustomAudiencesStream(AccountEdgeStream):
    name = "meta_custom_audiences"
    edge = "customaudiences"
    replication_key = "time_updated"
    is_sorted = False
    # ``rule`` is left out on purpose: it makes Meta answer "Please reduce the amount of data".
    schema = object_schema(
        *typed(STRING, "name", "description", "subtype"),
        *typed(th.IntegerType, "approximate_count_lower_bound", "approximate_count_upper_bound"),
        th.Property("retention_days", th.IntegerType),
        th.Property("customer_file_source", STRING),
        *typed(JSON, "data_source", "delivery_status", "operation_status", "lookalike_spec"),
        *typed(TIME, "time_created", "time_updated", "time_content_updated"),
    )


class CustomConversionsStream(AccountEdgeStream):
    name = "meta_custom_conversions"
    edge = "customconversions"
    schema = object_schema(
        *typed(STRING, "name", "description", "custom_event_type", "rule", "event_source_type"),
        th.Property("default_conversion_value", th.NumberType),
        th.Property("retention_days", th.IntegerType),
        *typed(th.BooleanType, "is_archived", "is_unavailable"),
        th.Property("pixel", JSON),
        *typed(TIME, "creation_time", "first_fired_time", "last_fired_time"),
    )
