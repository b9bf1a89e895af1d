"""Insights streams: one per report (default ad-level daily, the breakdown reports, custom reports).

Each account's range (the configured range, or the bookmark minus ``lookback_days``) is read in
calendar-aligned windows through the tap's ``ReportFetcher`` (report jobs, several in flight, or a
synchronous GET for a short lone window). Job ids live in the partition state until their rows are
out, so a restarted tap polls them instead of submitting again; STATE is written after every window,
so a killed tap loses at most one window. A window that fails for good is dead-lettered and kept in
``failed_slices`` so the next run reads it first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from singer_sdk.helpers.types import Context

from ads_kit.resilience.jobs import JobFailed
from ads_kit.unified.ranges import report_days, window_key, windows_to_read
from tap_meta_ads.fetch import root_window
from tap_meta_ads.parsing import parse_insights_row
from tap_meta_ads.report_jobs import window_slice
from tap_meta_ads.reports import PROFILE, ReportSpec
from tap_meta_ads.streams.base import MetaStream


class InsightsStream(MetaStream):
    replication_key = "date_start"
    is_sorted = True  # rows leave each window sorted by date, windows in date order

    def __init__(self, tap: Any, spec: ReportSpec) -> None:
        self.spec = spec
        super().__init__(tap, schema=spec.schema(), name=spec.name)
        self.primary_keys = list(spec.key_fields)

    @property
    def check_sorted(self) -> bool:
        # The lookback re-read starts before the saved bookmark on purpose.
        return False

    def account_records(self, account_id: str, context: Context | None) -> Iterator[dict[str, Any]]:
        info = self.tap.accounts.info(account_id)
        bookmark = self.get_starting_replication_key_value(context)
        days = report_days(
            self.config,
            PROFILE,
            info,
            info.timezone,
            date.fromisoformat(str(bookmark)[:10]) if bookmark else None,
            self.run.now,
        )
        state = self.get_context_state(context)
        failed: set[str] = set(state.get("failed_slices", []))
        failed_now: set[str] = set()
        windows = windows_to_read(days.start, days.end, PROFILE.slice_days, sorted(failed))

        def on_failure(slice_: dict[str, Any], error: JobFailed) -> None:
            window = root_window(slice_, windows)
            failed_now.add(window_key(window))
            self.tap.dead_letters.record(self.name, account_id, window_slice(*window), error)

        for window, rows in self.tap.fetcher.slices(
            self.spec,
            account_id,
            windows,
            state=state,
            on_checkpoint=self.checkpoint,
            on_failure=on_failure,
        ):
            records = (self.shape(row, account_id) for row in rows)
            yield from sorted(records, key=lambda r: r["date_start"])
            if window_key(window) in failed - failed_now:
                self.tap.dead_letters.resolve(self.name, account_id, window_slice(*window))
            failed = (failed - {window_key(window)}) | failed_now
            state["failed_slices"] = sorted(failed)
            self.checkpoint()
        state["failed_slices"] = sorted(failed | failed_now)

    def shape(self, row: dict[str, Any], account_id: str) -> dict[str, Any]:
        record = parse_insights_row(row)
        record["account_id"] = account_id
        for breakdown in self.spec.breakdowns:
            # Meta omits a breakdown key on rows without a value (e.g. hours without impressions);
            # keys must never be null, and "" is the suite's "not applicable".
            record.setdefault(breakdown, "")
        return record
