"""Report streams: one per report (BASIC by level and day or hour, AUDIENCE by campaign and day,
custom reports).

Each advertiser's days (the configured range, or the bookmark minus ``lookback_days``, in the
advertiser's own zone) are read through the shared report layer (``ads_kit.tap.reports``):
calendar-aligned 30-day windows, report tasks several in flight or synchronous reads, task ids and
failed windows kept in the partition state, STATE after every window.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk.helpers.conform import TypeConformanceLevel

from ads_kit.tap import streams as core
from ads_kit.unified.adapter import AccountInfo
from tap_tiktok_ads.reports import ReportSpec, parse_row
from tap_tiktok_ads.streams.base import TikTokStream


class ReportStream(TikTokStream, core.ReportStream):
    report: ReportSpec
    replication_key = "stat_time_day"
    # ``parse_row`` casts every field to its schema type and writes only the schema's columns: the
    # SDK's recursive conformance pass would return each record unchanged, so it is skipped.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Any, spec: ReportSpec) -> None:
        self.report = spec
        super().__init__(tap, schema=spec.schema(), name=spec.name)
        self.primary_keys = list(spec.key_fields)

    def shape(self, row: dict[str, Any], account: AccountInfo) -> dict[str, Any]:
        return parse_row(row, self.report, account.account_id, account.timezone)

    def order(self, record: Mapping[str, Any]) -> Any:
        return (record["stat_time_day"], str(record.get("hour_start_utc") or ""))
