"""Insights streams: one per report (default ad-level daily, the breakdown reports, custom reports).

Each account's days (the configured range, or the bookmark minus ``lookback_days``) are read through
the shared report layer (``ads_kit.tap.reports``): calendar-aligned windows, report jobs several in
flight or a synchronous GET for a short lone window, job ids and failed windows kept in the
partition state, STATE after every window.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_meta_ads.parsing import parse_insights_row
from tap_meta_ads.reports import ReportSpec
from tap_meta_ads.streams.edges import MetaStream


class InsightsStream(MetaStream):
    replication_key = "date_start"
    is_sorted = True  # rows leave each window sorted by date, windows in date order
    check_sorted = False  # the lookback re-read starts before the saved bookmark on purpose
    # ``shape`` casts every field to its schema type where the row is parsed and keeps only the
    # schema's columns, and no insights field is a datetime: the SDK's recursive conformance pass
    # (a quarter of the tap's CPU) would return each record unchanged, so it is skipped.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Any, spec: ReportSpec) -> None:
        self.spec = spec
        super().__init__(tap, schema=spec.schema(), name=spec.name)
        self.primary_keys = list(spec.key_fields)
        self._columns = frozenset(self.schema["properties"])

    def account_records(self, account_id: str, context: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        with self.report_reading(account_id, context) as reading:
            for window in reading.windows:
                records = (self.shape(row, account_id) for row in reading.rows(self.spec, window))
                yield from sorted(records, key=lambda r: r["date_start"])
                reading.done(window)

    def shape(self, row: dict[str, Any], account_id: str) -> dict[str, Any]:
        record = parse_insights_row(row, self._columns)
        if len(record) < len(row):
            self.warn_unmapped(row, self._columns)
        record["account_id"] = account_id
        for breakdown in self.spec.breakdowns:
            # Meta omits a breakdown key on rows without a value (e.g. hours without impressions);
            # keys must never be null, and "" is the suite's "not applicable".
            record.setdefault(breakdown, "")
        return record
