"""Custom audiences, lookalikes included (``subtype: LOOKALIKE`` with a ``lookalike_spec``).

Meta stamps audiences with unix seconds (``time_created``/``time_updated``) and offers no
server-side time filter on this edge, so the stream is incremental client-side only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_meta_ads.streams.objects import AccountEdgeStream, _json


class CustomAudiencesStream(AccountEdgeStream):
    name = "meta_custom_audiences"
    edge = "customaudiences"
    primary_keys = ("id",)
    replication_key = "time_updated"
    is_sorted = False
    time_fields = ("time_created", "time_updated", "time_content_updated")
    # ``rule`` is left out on purpose: it makes Meta answer "Please reduce the amount of data".
    schema = th.PropertiesList(
        th.Property("id", th.StringType, required=True),
        th.Property("account_id", th.StringType, required=True),
        th.Property("name", th.StringType),
        th.Property("description", th.StringType),
        th.Property("subtype", th.StringType),
        th.Property("approximate_count_lower_bound", th.IntegerType),
        th.Property("approximate_count_upper_bound", th.IntegerType),
        th.Property("retention_days", th.IntegerType),
        th.Property("customer_file_source", th.StringType),
        _json("data_source"),
        _json("delivery_status"),
        _json("operation_status"),
        _json("lookalike_spec"),
        th.Property("time_created", th.DateTimeType),
        th.Property("time_updated", th.DateTimeType),
        th.Property("time_content_updated", th.DateTimeType),
    ).to_dict()

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        since = self.bookmark(context)
        for row in self.rows(account_id, None):
            if since is None or row.get("time_updated") is None or row["time_updated"] >= since:
                yield row
