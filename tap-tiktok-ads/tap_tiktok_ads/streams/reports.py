"""Report streams: one per report (BASIC by level and day or hour, AUDIENCE by campaign and day,
custom reports).

Each advertiser's days (the configured range, or the bookmark minus ``lookback_days``, in the
advertiser's own zone) are read through the shared report layer (``ads_kit.tap.reports``):
calendar-aligned 30-day windows, report tasks several in flight or synchronous reads, task ids and
failed windows kept in the partition state, STATE after every window.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from singer_sdk.helpers.conform import TypeConformanceLevel

from ads_kit.unified.ranges import report_days
from tap_tiktok_ads.reports import ReportSpec, parse_row
from tap_tiktok_ads.streams.base import TikTokStream


class ReportStream(TikTokStream):
    replication_key = "stat_time_day"
    is_sorted = True  # rows leave each window sorted by day, windows in date order
    check_sorted = False  # the lookback re-read starts before the saved bookmark on purpose
    # ``parse_row`` casts every field to its schema type and writes only the schema's columns: the
    # SDK's recursive conformance pass would return each record unchanged, so it is skipped.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Any, spec: ReportSpec) -> None:
        self.spec = spec
        super().__init__(tap, schema=spec.schema(), name=spec.name)
        self.primary_keys = list(spec.key_fields)

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        info = self.run.accounts.info(account_id)
        bookmark = self.bookmark(context)
        start_from = date.fromisoformat(str(bookmark)[:10]) if bookmark else None
        days = report_days(self.config, self.run.profile, info, info.timezone, start_from, self.run.now)
        state = self.get_context_state(context)
        with self.tap.reports.reading(
            self.name, account_id, (days.start, days.end), state, self.checkpoint
        ) as reading:
            for window in reading.windows:
                rows = reading.rows(self.spec, window)
                records = (parse_row(row, self.spec, account_id, info.timezone) for row in rows)
                yield from sorted(
                    records, key=lambda r: (r["stat_time_day"], str(r.get("hour_start_utc") or ""))
                )
                reading.done(window)
