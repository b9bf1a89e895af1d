"""Unified daily performance streams: each account's own days, lookback, finality, derived metrics,
the one rounding, FX and quality checks.

``date_day`` is a date, not a timestamp (the SDK neither applies ``start_date`` nor lookback to it);
each account's days come from ``ads_kit.unified.ranges``: the ``date_range`` on a first run, else
from ``bookmark - lookback_days``, up to today in the day zone. Rows leave in date order, so the
bookmark is the last day written and an interrupted sync resumes there; ``check_sorted`` is off
because re-reading the lookback window steps the bookmark back on purpose.

Settings read (declared by ``ads_kit.settings.shared_settings``): ``date_range``, ``lookback_days``,
``reporting_timezone``, ``reporting_currency`` with ``fx_rates``/``fx_rates_file``; and
``freshness_days``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from ads_kit import clock
from ads_kit.money import to_decimal
from ads_kit.quality import checks
from ads_kit.resilience.errors import ConfigError
from ads_kit.timezones import rebucket_hours
from ads_kit.unified.adapter import AccountInfo, Level
from ads_kit.unified.metrics import ADDITIVE_METRICS, derive, sum_rows
from ads_kit.unified.output import UnifiedAccountStream, as_date, as_int, quantize, setting_days

DEFAULT_FRESHNESS_DAYS = 3
_INTEGER_METRICS = ("impressions", "clicks", "reach")
_DECIMAL_METRICS = ("spend", "conversions", "conversions_value")
CAMPAIGN_KEYS = ("campaign_id", "campaign_name", "attribution_click_days", "attribution_view_days")
AD_KEYS = ("ad_id", "ad_name", "ad_group_id", "ad_group_name", *CAMPAIGN_KEYS)


@dataclass(frozen=True)
class SyncPlan:
    """The days one account syncs, in the zone its days are expressed in."""

    start: date
    end: date
    today: date
    day_zone: str
    rebucket: bool
    restatement_days: int


class PerformanceStream(UnifiedAccountStream):
    is_sorted = True
    id_fields: ClassVar[tuple[str, ...]]
    """Key fields (besides date_day) that identify a row, used to sort and to re-bucket."""
    _extracted_at: str | None = None  # when the window being written was read (set per window)

    @property
    def check_sorted(self) -> bool:
        return False  # the lookback re-reads days before the bookmark on purpose

    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]:
        raise NotImplementedError

    def records_of(self, account: AccountInfo, context: Mapping[str, Any]) -> Iterator[dict]:
        plan = self.plan(account, context)
        days_written: set[str] = set()  # record days as written; parsed once each at the end
        if plan.start <= plan.end:
            self.run.collector.add(
                checks.restatement_window(
                    plan.start,
                    plan.end,
                    plan.today,
                    plan.restatement_days,
                    platform=self.platform,
                    account_id=account.account_id,
                    stream=self.name,
                )
            )
        # The days are cut into windows once, here; the adapter's report reads of this account go
        # through this reading, so its jobs are kept in (and resumed from) this partition's state.
        state = self.get_context_state(context)
        days = (plan.start, plan.end)
        with self.tap.reports.reading(self.name, account.account_id, days, state, self.checkpoint) as reading:
            for window_start, window_end in reading.windows:
                rows = self.window_rows(account, window_start, window_end, plan)
                # The window's rows were read now: one stamp for all of them, not a clock read each.
                self._extracted_at = clock.now().isoformat()
                rows.sort(key=self._sort_key)
                for row in rows:
                    record = self.finish(row, account, plan)
                    days_written.add(record["date_day"])
                    yield record
                reading.done((window_start, window_end))  # a killed sync loses at most this window
        self._extracted_at = None
        self.after_account(account, plan, {date.fromisoformat(day) for day in days_written})

    def day_zone(self, account: AccountInfo) -> str:
        """The zone this stream's days are counted in: ``reporting_timezone`` or the account's."""
        return self.run.reporting_timezone or account.timezone

    def plan(self, account: AccountInfo, context: Mapping[str, Any]) -> SyncPlan:
        """This account's own days: its range starts and ends on its own today in the day zone."""
        profile = self.run.profile
        day_zone = self.day_zone(account)
        days = self.report_days(account, day_zone, context)
        self.run.collector.add(
            checks.beyond_retention(
                days.requested_start,
                days.today,
                profile.retention_days,
                platform=self.platform,
                account_id=account.account_id,
                stream=self.name,
            )
        )
        return SyncPlan(
            start=days.start,
            end=days.end,
            today=days.today,
            day_zone=day_zone,
            rebucket=day_zone != account.timezone,
            restatement_days=profile.restatement_days,
        )

    def _sort_key(self, row: Mapping[str, Any]) -> tuple:
        return (str(row.get("date_day"))[:10], *(str(row.get(name) or "") for name in self.id_fields))

    def daily_or_rebucketed(
        self, account: AccountInfo, level: Level, start: date, end: date, plan: SyncPlan, key_fields: tuple
    ) -> list[dict]:
        """The adapter's daily rows, or its hourly rows re-bucketed into the reporting zone's days."""
        if not plan.rebucket:
            return list(self.adapter.performance(account, level, start, end))
        try:
            # a target day overlaps the account-zone days on either side of it
            hourly = self.adapter.hourly_performance(
                account, level, start - timedelta(days=1), end + timedelta(days=1)
            )
            result = rebucket_hours(hourly, account.timezone, plan.day_zone, key_fields=key_fields)
        except NotImplementedError as exc:
            raise ConfigError("reporting_timezone", str(exc)) from None
        if result.nulled_metrics:
            self.run.collector.add(
                checks.metric_not_hourly(
                    platform=self.platform,
                    stream=self.name,
                    account_id=account.account_id,
                    metrics=result.nulled_metrics,
                    reporting_timezone=plan.day_zone,
                )
            )
        return [row for row in result.rows if start.isoformat() <= row["date_day"] <= end.isoformat()]

    def finish(self, source: Mapping[str, Any], account: AccountInfo, plan: SyncPlan) -> dict:
        row = dict(source)
        day = as_date(row.get("date_day"), f"{self.name}.date_day")
        row.update(
            platform=self.platform,
            account_id=account.account_id,
            account_name=row.get("account_name") or account.account_name,
            currency=account.currency,
            account_timezone=account.timezone,
            timezone=row.get("timezone") or account.timezone,
            date_day=day.isoformat(),
        )
        for name in _INTEGER_METRICS:
            row[name] = as_int(row.get(name), f"{self.name}.{name}")
        for name in _DECIMAL_METRICS:
            row[name] = to_decimal(row.get(name), field=f"{self.name}.{name}")
        row.update(derive(row))
        fx = self.run.fx
        if fx is not None:
            row.update(fx.columns(account.currency, day, row["spend"], row["conversions_value"]))
        self.run.collector.check_row(row, self.name)
        self.observe(row)
        quantize(row, account.currency)
        row["is_final"] = day < checks.first_open_day(plan.today, plan.restatement_days)
        row["extracted_at"] = self._extracted_at or clock.now().isoformat()
        return self.output(row, account.account_id)

    def observe(self, row: Mapping[str, Any]) -> None:
        """Hook for per-row bookkeeping before rounding (campaign totals, breakdown sums)."""

    def after_account(self, account: AccountInfo, plan: SyncPlan, days_seen: set[date]) -> None:
        """Completeness over the finished days and freshness of the newest day."""
        last_complete = min(plan.end, plan.today - timedelta(days=1))
        if plan.start <= last_complete:
            self.run.collector.add(
                checks.missing_days(
                    days_seen,
                    plan.start,
                    last_complete,
                    platform=self.platform,
                    account_id=account.account_id,
                    stream=self.name,
                )
            )
        if plan.end == plan.today:
            self.run.collector.add(
                checks.stale_data(
                    max(days_seen, default=None),
                    plan.today,
                    setting_days(self.config, "freshness_days", DEFAULT_FRESHNESS_DAYS),
                    platform=self.platform,
                    account_id=account.account_id,
                    stream=self.name,
                )
            )


class UnifiedCampaignPerformanceStream(PerformanceStream):
    """Campaign by day. With additive levels it is summed from the ad-level slice (reach then null)."""

    name = "unified_campaign_performance"
    id_fields = ("campaign_id",)

    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]:
        if not self.adapter.additive_levels:
            return self.daily_or_rebucketed(account, "campaign", start, end, plan, CAMPAIGN_KEYS)
        ad_rows = self.daily_or_rebucketed(account, "ad", start, end, plan, CAMPAIGN_KEYS)
        return sum_rows(ad_rows, ("campaign_id", "date_day"))

    def observe(self, row: Mapping[str, Any]) -> None:
        key = (row["account_id"], row["campaign_id"], row["date_day"], row["timezone"])
        self.run.campaign_totals[key] = {name: row.get(name) for name in ADDITIVE_METRICS}


class UnifiedAdPerformanceStream(PerformanceStream):
    name = "unified_ad_performance"
    id_fields = ("ad_id",)

    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]:
        return self.daily_or_rebucketed(account, "ad", start, end, plan, AD_KEYS)
