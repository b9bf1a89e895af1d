"""Custom audiences, lookalikes included (``subtype: LOOKALIKE`` with a ``lookalike_spec``).

Meta stamps audiences with unix seconds (``time_created``/``time_updated``) and offers no
server-side time filter on this edge, so the stream is incremental client-side only (the edge base
class checks ``time_updated`` against the bookmark).
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_meta_ads.streams.edges import AccountEdgeStream, json_property, object_schema


class CustomAudiencesStream(AccountEdgeStream):
    name = "meta_custom_audiences"
    edge = "customaudiences"
    replication_key = "time_updated"
    is_sorted = False
    time_fields = ("time_created", "time_updated", "time_content_updated")
    # ``rule`` is left out on purpose: it makes Meta answer "Please reduce the amount of data".
    schema = object_schema(
        th.Property("name", th.StringType),
        th.Property("description", th.StringType),
        th.Property("subtype", th.StringType),
        th.Property("approximate_count_lower_bound", th.IntegerType),
        th.Property("approximate_count_upper_bound", th.IntegerType),
        th.Property("retention_days", th.IntegerType),
        th.Property("customer_file_source", th.StringType),
        json_property("data_source"),
        json_property("delivery_status"),
        json_property("operation_status"),
        json_property("lookalike_spec"),
        th.Property("time_created", th.DateTimeType),
        th.Property("time_updated", th.DateTimeType),
        th.Property("time_content_updated", th.DateTimeType),
    )
