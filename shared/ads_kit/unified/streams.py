"""Stream base classes for the unified contract; a tap supplies only a ``UnifiedAdapter``.

Name, schema, primary keys and replication key come from ``UNIFIED_STREAMS``, so no tap can drift
from the contract. Every stream has one partition per account (context ``{"account_id": …}``).

Performance streams use ``date_day`` (a date, not a timestamp: the SDK neither applies
``start_date`` nor lookback to it) and take each account's own days from ``ads_kit.unified.ranges``:
the ``date_range`` on a first run, else from ``bookmark - lookback_days``, up to today in the day
zone. Rows are emitted in date order, so the bookmark is the last day written and an interrupted sync
resumes there; ``check_sorted`` is off because re-reading the lookback window steps the bookmark back
on purpose.

Settings read (declared by ``ads_kit.settings.shared_settings``): ``date_range``, ``lookback_days``,
``reporting_timezone``, ``reporting_currency`` with ``fx_rates``/``fx_rates_file`` (see ads_kit.fx),
``dead_letter_path``; and ``freshness_days``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import Stream

from ads_kit import clock
from ads_kit.money import MoneyError, quantize_output, quantize_ratio, to_decimal
from ads_kit.quality import checks
from ads_kit.resilience.errors import ConfigError
from ads_kit.timezones import TimezoneError, parse_offset_timestamp, rebucket_hours
from ads_kit.unified.adapter import AccountInfo, Level
from ads_kit.unified.metrics import ADDITIVE_METRICS, DERIVED_METRICS, derive, sum_rows
from ads_kit.unified.normalize import normalize
from ads_kit.unified.ranges import report_days
from ads_kit.unified.run import UnifiedRun, unified_run
from ads_kit.unified.schemas import UNIFIED_STREAMS
from ads_kit.unified.slices import report_windows

if TYPE_CHECKING:
    from singer_sdk import Tap

DEFAULT_FRESHNESS_DAYS = 3
FX_RATE_PLACES = 10
_INTEGER_METRICS = ("impressions", "clicks", "reach")
_DECIMAL_METRICS = ("spend", "conversions", "conversions_value")
_TIMESTAMPS = ("created_at", "updated_at")
_DATES = ("start_date", "end_date")


class UnifiedRowError(ValueError):
    """An adapter row the contract cannot carry (a null key, an unreadable value); one line."""


class UnifiedStream(Stream):
    """Name, schema and keys from UNIFIED_STREAMS; records are the schema's columns only."""

    name: ClassVar[str]

    def __init__(self, tap: Tap) -> None:
        schema, keys, replication_key = UNIFIED_STREAMS[self.name]
        schema_dict = schema.to_dict()
        super().__init__(tap, schema=schema_dict)
        self.primary_keys = keys
        self.replication_key = replication_key
        self._columns = tuple(schema_dict["properties"])
        self._required = tuple(schema_dict.get("required", ()))

    @property
    def run(self) -> UnifiedRun:
        return unified_run(self._tap)  # singer-sdk 0.54 gives a stream no public route to its tap

    @property
    def platform(self) -> str:
        return self.run.adapter.platform

    def output(self, row: Mapping[str, Any], account_id: str | None) -> dict[str, Any]:
        record = {name: row.get(name) for name in self._columns}
        for name in self._required:
            if record[name] is None:
                where = f"account {account_id}" if account_id else "the run"
                raise UnifiedRowError(f"{self.name}: a row for {where} has no {name} (a key column)")
        return record


class AccountStream(UnifiedStream):
    """One partition per account; a skipped account (no permission, disabled) never stops the others
    (``UnifiedRun.isolated``: one ERROR line and one dead letter, and later streams pass it by)."""

    @property
    def partitions(self) -> list[dict]:
        return [{"account_id": account_id} for account_id in self.run.accounts]

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict]:
        if not context:
            raise ValueError(f"{self.name} syncs per account; it needs an account_id context")
        account = self.run.account(context["account_id"])
        if self.run.is_skipped(account.account_id):
            return
        try:
            with self.run.isolated(account.account_id, self.name):
                yield from self.account_records(account, context)
        except (MoneyError, TimezoneError) as exc:
            raise UnifiedRowError(f"{self.name}: account {account.account_id}: {exc}") from None
        self.run.flush_quality()

    @abc.abstractmethod
    def account_records(self, account: AccountInfo, context: Mapping[str, Any]) -> Iterator[dict]: ...

    def mapped(self, field: str, raw: object, account: AccountInfo) -> tuple[str, str | None]:
        """The normalized value of ``raw`` and the raw text; an unmapped value becomes a finding."""
        result = normalize(self.platform, field, raw)
        if not result.known:
            self.run.collector.add(
                checks.unmapped_value(
                    platform=self.platform,
                    stream=self.name,
                    account_id=account.account_id,
                    field=field,
                    raw=str(result.raw),
                    mapped_to=result.value,
                )
            )
        return result.value, result.raw


# --- entities ----------------------------------------------------------------------------------


class EntityStream(AccountStream):
    """Full-table entity streams: the adapter's rows plus platform, account, vocabularies, UTC times."""

    normalized_fields: ClassVar[tuple[str, ...]] = ("status",)

    @abc.abstractmethod
    def entities(self, account: AccountInfo) -> Iterable[dict]: ...

    def account_records(self, account: AccountInfo, context: Mapping[str, Any]) -> Iterator[dict]:
        for source in self.entities(account):
            yield self.finish(dict(source), account)

    def finish(self, row: dict, account: AccountInfo) -> dict:
        row["platform"] = self.platform
        row["account_id"] = account.account_id
        row.setdefault("currency", account.currency)
        row["currency"] = row["currency"] or account.currency
        for field in self.normalized_fields:
            row[field], row[f"{field}_raw"] = self.mapped(field, row.get(f"{field}_raw"), account)
        if "budget" in row:
            row["budget"] = quantize_output(to_decimal(row["budget"], field="budget"), row["currency"])
        for name in _TIMESTAMPS:
            row[name] = _utc_iso(row.get(name), f"{self.name}.{name}")
        for name in _DATES:
            if isinstance(row.get(name), date):
                row[name] = row[name].isoformat()
        row["extracted_at"] = clock.now().isoformat()
        return self.output(row, account.account_id)


class UnifiedAccountsStream(EntityStream):
    name = "unified_accounts"

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return [
            {
                "account_name": account.account_name,
                "currency": account.currency,
                "timezone": account.timezone,
                "status_raw": account.status_raw,
                "created_at": account.created_at,
            }
        ]


class UnifiedCampaignsStream(EntityStream):
    name = "unified_campaigns"
    normalized_fields = ("status", "objective")

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return self.run.adapter.campaigns(account)


class UnifiedAdGroupsStream(EntityStream):
    name = "unified_ad_groups"

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return self.run.adapter.ad_groups(account)


class UnifiedAdsStream(EntityStream):
    name = "unified_ads"

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return self.run.adapter.ads(account)


class UnifiedAudiencesStream(EntityStream):
    name = "unified_audiences"
    normalized_fields = ("status", "audience_type")

    def entities(self, account: AccountInfo) -> Iterable[dict]:
        return self.run.adapter.audiences(account)


# --- performance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncPlan:
    """The days one account syncs, in the zone its days are expressed in."""

    start: date
    end: date
    today: date
    day_zone: str
    rebucket: bool
    restatement_days: int


class PerformanceStream(AccountStream):
    """Daily metric streams: ranges, lookback, finality, derived metrics, rounding, FX, quality."""

    is_sorted = True
    id_fields: ClassVar[tuple[str, ...]]
    """Key fields (besides date_day) that identify a row, used to sort and to re-bucket."""

    @property
    def check_sorted(self) -> bool:
        return False  # the lookback re-reads days before the bookmark on purpose

    @abc.abstractmethod
    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]: ...

    def account_records(self, account: AccountInfo, context: Mapping[str, Any]) -> Iterator[dict]:
        plan = self.plan(account, context)
        days_seen: set[date] = set()
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
        for window_start, window_end in report_windows(plan.start, plan.end, self.run.adapter.slice_days):
            rows = self.window_rows(account, window_start, window_end, plan)
            rows.sort(key=self._sort_key)
            for row in rows:
                record = self.finish(row, account, plan)
                days_seen.add(date.fromisoformat(record["date_day"]))
                yield record
            # a checkpoint per report window: a killed sync loses at most the window in flight
            # (singer-sdk 0.54 has no public way to emit STATE mid-partition)
            self._write_state_message()
        self.after_account(account, plan, days_seen)

    def day_zone(self, account: AccountInfo) -> str:
        """The zone this stream's days are counted in: ``reporting_timezone`` or the account's."""
        return self.run.reporting_timezone or account.timezone

    def plan(self, account: AccountInfo, context: Mapping[str, Any]) -> SyncPlan:
        """This account's own days: its range starts and ends on its own today in the day zone."""
        adapter = self.run.adapter
        day_zone = self.day_zone(account)
        days = report_days(self.config, adapter, account, day_zone, self._bookmark(context), self.run.now)
        self.run.collector.add(
            checks.beyond_retention(
                days.requested_start,
                days.today,
                adapter.retention_days,
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
            restatement_days=adapter.restatement_days,
        )

    def _bookmark(self, context: Mapping[str, Any]) -> date | None:
        state = self.get_context_state(context)
        if state.get("replication_key") != self.replication_key or not state.get("replication_key_value"):
            return None
        return date.fromisoformat(str(state["replication_key_value"])[:10])

    def _sort_key(self, row: Mapping[str, Any]) -> tuple:
        return (str(row.get("date_day"))[:10], *(str(row.get(name) or "") for name in self.id_fields))

    def daily_or_rebucketed(
        self, account: AccountInfo, level: Level, start: date, end: date, plan: SyncPlan, key_fields: tuple
    ) -> list[dict]:
        """The adapter's daily rows, or its hourly rows re-bucketed into the reporting zone's days."""
        adapter = self.run.adapter
        if not plan.rebucket:
            return list(adapter.performance(account, level, start, end))
        try:
            # a target day overlaps the account-zone days on either side of it
            hourly = adapter.hourly_performance(
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
        day = _as_date(row.get("date_day"), f"{self.name}.date_day")
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
            row[name] = _as_int(row.get(name), f"{self.name}.{name}")
        for name in _DECIMAL_METRICS:
            row[name] = to_decimal(row.get(name), field=f"{self.name}.{name}")
        row.update(derive(row))
        fx = self.run.fx
        if fx is not None:
            row.update(fx.columns(account.currency, day, row["spend"], row["conversions_value"]))
        self.run.collector.check_row(row, self.name)
        self.observe(row)
        _quantize(row, account.currency)
        row["is_final"] = day < checks.first_open_day(plan.today, plan.restatement_days)
        row["extracted_at"] = clock.now().isoformat()
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
                    _setting_int(self.config, "freshness_days", DEFAULT_FRESHNESS_DAYS),
                    platform=self.platform,
                    account_id=account.account_id,
                    stream=self.name,
                )
            )


_CAMPAIGN_KEYS = ("campaign_id", "campaign_name", "attribution_click_days", "attribution_view_days")
_AD_KEYS = ("ad_id", "ad_name", "ad_group_id", "ad_group_name", *_CAMPAIGN_KEYS)


class UnifiedCampaignPerformanceStream(PerformanceStream):
    """Campaign by day. With additive levels it is summed from the ad-level slice (reach then null)."""

    name = "unified_campaign_performance"
    id_fields = ("campaign_id",)

    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]:
        if not self.run.adapter.additive_levels:
            return self.daily_or_rebucketed(account, "campaign", start, end, plan, _CAMPAIGN_KEYS)
        ad_rows = self.daily_or_rebucketed(account, "ad", start, end, plan, _CAMPAIGN_KEYS)
        return sum_rows(ad_rows, ("campaign_id", "date_day"))

    def observe(self, row: Mapping[str, Any]) -> None:
        key = (row["account_id"], row["campaign_id"], row["date_day"], row["timezone"])
        self.run.campaign_totals[key] = {name: row.get(name) for name in ADDITIVE_METRICS}


class UnifiedAdPerformanceStream(PerformanceStream):
    name = "unified_ad_performance"
    id_fields = ("ad_id",)

    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]:
        return self.daily_or_rebucketed(account, "ad", start, end, plan, _AD_KEYS)


class UnifiedPerformanceBreakdownsStream(PerformanceStream):
    """Campaign, day, dimension and normalized value, in the account zone (breakdowns have no hours).

    Values that normalize to the same vocabulary entry (Meta iphone and android_smartphone are both
    mobile) are summed, since the key is the normalized value; value_raw then lists the raw values.
    """

    name = "unified_performance_breakdowns"
    id_fields = ("campaign_id", "dimension", "value")

    def __init__(self, tap: Tap) -> None:
        super().__init__(tap)
        self._sums: dict[tuple[str, str, str], dict[str, Any]] = {}

    def window_rows(self, account: AccountInfo, start: date, end: date, plan: SyncPlan) -> list[dict]:
        rows: list[dict] = []
        for dimension in self.run.adapter.breakdown_dimensions:
            for source in self.run.adapter.breakdowns(account, dimension, start, end):
                row = dict(source, dimension=dimension, timezone=account.timezone)
                row["value"], row["value_raw"] = self.mapped(dimension, row.get("value_raw"), account)
                rows.append(row)
        return _merge_same_values(rows)

    def day_zone(self, account: AccountInfo) -> str:
        """Breakdown days stay in the account zone (each row's ``timezone`` says so); a bad
        ``reporting_timezone`` still fails here as in every performance stream."""
        super().day_zone(account)
        return account.timezone

    def observe(self, row: Mapping[str, Any]) -> None:
        sums = self._sums.setdefault((row["campaign_id"], row["date_day"], row["dimension"]), {})
        for name in ("impressions", "clicks", "spend"):
            if row.get(name) is not None:
                sums[name] = sums.get(name, 0) + row[name]

    def after_account(self, account: AccountInfo, plan: SyncPlan, days_seen: set[date]) -> None:
        super().after_account(account, plan, days_seen)
        for (campaign_id, day, dimension), sums in self._sums.items():
            totals = self.run.campaign_totals.get((account.account_id, campaign_id, day, account.timezone))
            if totals is None:  # campaign performance not synced this run, or synced in another zone
                continue
            for metric, breakdown_sum in sums.items():
                if totals.get(metric) is None:
                    continue
                self.run.collector.add(
                    checks.breakdown_mismatch(
                        platform=self.platform,
                        account_id=account.account_id,
                        campaign_id=campaign_id,
                        day=date.fromisoformat(day),
                        dimension=dimension,
                        metric=metric,
                        campaign_total=totals[metric],
                        breakdown_sum=breakdown_sum,
                    )
                )
        self._sums.clear()


# --- data quality and dead letters ------------------------------------------------------------


class UnifiedDataQualityStream(UnifiedStream):
    """The findings of this run. Other streams also flush it as they finish an account, because
    streams sync in name order and several sort after this one."""

    name = "unified_data_quality"

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict]:
        for record in self.run.collector.drain():
            yield self.output(record, record.get("account_id"))  # type: ignore[arg-type]


class UnifiedDeadLettersStream(UnifiedStream):
    """Every request that failed for good, from the run's dead-letter file (``dead_letter_path``)."""

    name = "unified_dead_letters"

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict]:
        for record in self.run.dead_letters.records():
            yield self.output(record, record.get("account_id"))


UNIFIED_STREAM_CLASSES: tuple[type[UnifiedStream], ...] = (
    UnifiedAccountsStream,
    UnifiedCampaignsStream,
    UnifiedAdGroupsStream,
    UnifiedAdsStream,
    UnifiedAudiencesStream,
    UnifiedCampaignPerformanceStream,
    UnifiedAdPerformanceStream,
    UnifiedPerformanceBreakdownsStream,
    UnifiedDataQualityStream,
)


def unified_streams(tap: Tap) -> list[Stream]:
    """Every unified stream for ``tap`` (whose ``unified_adapter`` supplies the platform rows).

    ``UnifiedDeadLettersStream`` is added by a tap that records dead letters (``run.dead_letters``).
    """
    return [stream_class(tap) for stream_class in UNIFIED_STREAM_CLASSES]


# --- value conversions ----------------------------------------------------------------------------


def _merge_same_values(rows: list[dict]) -> list[dict]:
    keys = ("campaign_id", "date_day", "dimension", "value")
    merged = sum_rows(rows, keys, nulled=())
    raw_by_key: dict[tuple, list[str]] = {}
    for row in rows:
        raws = raw_by_key.setdefault(tuple(row.get(k) for k in keys), [])
        if row.get("value_raw") is not None and row["value_raw"] not in raws:
            raws.append(row["value_raw"])
    for row in merged:
        raws = raw_by_key[tuple(row.get(k) for k in keys)]
        row["value_raw"] = ",".join(raws) if raws else None
        if len(raws) > 1:
            row["reach"] = None  # people reached on two devices would be counted twice
    return merged


def _quantize(row: dict, currency: str) -> None:
    """The one rounding, at output: money to its currency's exponent, ratios to fixed places."""
    row["spend"] = quantize_output(row["spend"], currency)
    row["conversions_value"] = quantize_output(row["conversions_value"], currency)
    row["conversions"] = quantize_ratio(row["conversions"])
    for name in DERIVED_METRICS:
        row[name] = quantize_ratio(row[name])
    if row.get("reporting_currency"):
        row["fx_rate"] = quantize_ratio(row["fx_rate"], FX_RATE_PLACES)
        row["spend_reporting"] = quantize_output(row["spend_reporting"], row["reporting_currency"])
        row["conversions_value_reporting"] = quantize_output(
            row["conversions_value_reporting"], row["reporting_currency"]
        )


def _as_int(value: object, field: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value  # type: ignore[return-value]
    number = to_decimal(value, field=field)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise UnifiedRowError(f"{field}: expected a whole number, got {value!r}")
    return int(number)


def _as_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        raise UnifiedRowError(f"{field}: expected a day, got the timestamp {value.isoformat()}")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise UnifiedRowError(f"{field}: expected YYYY-MM-DD, got {value!r}") from None


def _utc_iso(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise UnifiedRowError(f"{field}: timestamp {value.isoformat()} has no time zone")
        return value.astimezone(UTC).isoformat()
    try:
        return parse_offset_timestamp(str(value)).isoformat()
    except TimezoneError as exc:
        raise UnifiedRowError(f"{field}: {exc}") from None


def _setting_int(config: Mapping[str, Any], key: str, default: int) -> int:
    value = config.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(key, f"expected a non-negative whole number of days, got {value!r}")
    return value
