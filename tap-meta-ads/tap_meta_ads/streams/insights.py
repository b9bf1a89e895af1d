"""Insights streams: one per report (default ad-level daily, the breakdown reports, custom reports),
read through the shared report layer (``ads_kit.tap.streams.ReportStream``)."""

from __future__ import annotations

from typing import Any

from singer_sdk.helpers.conform import TypeConformanceLevel

from ads_kit.tap.streams import ReportStream
from ads_kit.unified.adapter import AccountInfo
from tap_meta_ads.parsing import parse_insights_row
from tap_meta_ads.reports import ReportSpec


class InsightsStream(ReportStream):
    report: ReportSpec
    replication_key = "date_start"
    # ``shape`` casts every field to its schema type where the row is parsed and keeps only the
    # schema's columns, and no insights field is a datetime: the SDK's recursive conformance pass
    # (a quarter of the tap's CPU) would return each record unchanged, so it is skipped.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Any, spec: ReportSpec) -> None:
        self.report = spec
        super().__init__(tap, schema=spec.schema(), name=spec.name)
        self.primary_keys = list(spec.key_fields)
        self._columns = frozenset(self.schema["properties"])

    def shape(self, row: dict[str, Any], account: AccountInfo) -> dict[str, Any]:
        record = parse_insights_row(row, self._columns)
        if len(record) < len(row):
            self.warn_unmapped(row, self._columns)
        record["account_id"] = account.account_id
        for breakdown in self.report.breakdowns:
            # Meta omits a breakdown key on rows without a value (e.g. hours without impressions);
            # keys must never be null, and "" is the suite's "not applicable".
            record.setdefault(breakdown, "")
        return record
