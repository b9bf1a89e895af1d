"""The data-quality checks: pure functions from observed data to findings.

Row checks look at one unified performance row; the others compare a sync's data with the requested
range (completeness), with the campaign totals (consistency), with the clock (freshness, restatement),
with what the platform still holds (retention), or with the schema a version serves (schema drift).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from ads_kit.quality.findings import Finding

CHECKS = (
    "negative_spend",
    "clicks_exceed_impressions",
    "activity_without_impressions",
    "conversions_value_without_conversions",
    "missing_days",
    "breakdown_total_mismatch",
    "stale_data",
    "restatement_window",
    "beyond_retention",
    "schema_drift",
    "unmapped_value",
    "fx_rate_missing",
    "metric_not_hourly",
)
DEFAULT_BREAKDOWN_TOLERANCE = Decimal("0.01")
"""Relative difference (1 %) allowed between a breakdown's sum and the campaign total (hint)."""


def row_scope(row: Mapping[str, object]) -> str:
    """What a performance row is about: the most specific entity, its day and its breakdown value."""
    for level in ("ad", "ad_group", "campaign"):
        entity_id = row.get(f"{level}_id")
        if entity_id:
            scope = f"{level.replace('_', ' ')} {entity_id}"
            break
    else:
        scope = f"account {row.get('account_id')}"
    if row.get("dimension"):
        scope += f" {row['dimension']}={row.get('value')}"
    return f"{scope} on {row.get('date_day')}"


def check_performance_row(row: Mapping[str, object], *, platform: str, stream: str) -> list[Finding]:
    """Findings for one unified performance row (values before output rounding)."""
    # metric values are ints and Decimals (the unified row contract); the row is typed loosely
    impressions = cast("Decimal | int", row.get("impressions") or 0)
    clicks = cast("Decimal | int", row.get("clicks") or 0)
    spend = cast("Decimal | int | None", row.get("spend"))
    conversions = row.get("conversions")
    conversions_value = cast("Decimal | int | None", row.get("conversions_value"))
    scope = row_scope(row)
    account_id = cast("str | None", row.get("account_id"))
    date_day = _as_date(row.get("date_day"))

    def finding(check: str, severity: str, message: str, observed: Mapping[str, object]) -> Finding:
        return Finding(
            check,
            severity,
            message,
            platform=platform,
            account_id=account_id,
            stream=stream,
            scope=scope,
            date_day=date_day,
            observed=observed,
        )

    findings = []
    if spend is not None and spend < 0:
        findings.append(
            finding(
                "negative_spend",
                "error",
                f"negative spend {spend} for {scope}",
                observed={"spend": spend},
            )
        )
    if 0 < impressions < clicks:
        findings.append(
            finding(
                "clicks_exceed_impressions",
                "warning",
                f"{clicks} clicks exceed {impressions} impressions for {scope}",
                observed={"clicks": clicks, "impressions": impressions},
            )
        )
    if impressions == 0 and (clicks > 0 or (spend or 0) > 0):
        findings.append(
            finding(
                "activity_without_impressions",
                "warning",
                f"clicks {clicks} / spend {spend} with zero impressions for {scope}",
                observed={"clicks": clicks, "spend": spend, "impressions": impressions},
            )
        )
    if (conversions_value or 0) > 0 and not conversions:
        findings.append(
            finding(
                "conversions_value_without_conversions",
                "warning",
                f"conversions value {conversions_value} without conversions for {scope}",
                observed={"conversions_value": conversions_value, "conversions": conversions},
            )
        )
    return findings


def missing_days(
    days_present: Iterable[date],
    start: date,
    end: date,
    *,
    platform: str,
    account_id: str,
    stream: str,
) -> Finding | None:
    """Completeness: days of [start, end] with no row at all (platforms omit days without delivery)."""
    present = set(days_present)
    missing = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    missing = [day for day in missing if day not in present]
    if not missing:
        return None
    periods = _periods(missing)
    return Finding(
        "missing_days",
        "warning",
        f"{stream} for account {account_id} has no rows on {len(missing)} day(s) of {start}..{end}: "
        f"{', '.join(periods)} (no delivery, or data not returned)",
        platform=platform,
        account_id=account_id,
        stream=stream,
        scope=f"account {account_id} {start}..{end}",
        observed={"missing_days": len(missing), "periods": periods},
    )


def breakdown_mismatch(
    *,
    platform: str,
    account_id: str,
    campaign_id: str,
    day: date,
    dimension: str,
    metric: str,
    campaign_total: Decimal | int,
    breakdown_sum: Decimal | int,
    tolerance: Decimal = DEFAULT_BREAKDOWN_TOLERANCE,
) -> Finding | None:
    """Consistency: a breakdown's sum against the campaign total, beyond a relative ``tolerance``."""
    difference = abs(Decimal(breakdown_sum) - Decimal(campaign_total))
    allowed = abs(Decimal(campaign_total)) * tolerance
    if difference <= allowed:
        return None
    scope = f"campaign {campaign_id} {dimension} on {day}"
    return Finding(
        "breakdown_total_mismatch",
        "warning",
        f"{metric} by {dimension} sums to {breakdown_sum}, campaign total is {campaign_total} ({scope})",
        platform=platform,
        account_id=account_id,
        stream="unified_performance_breakdowns",
        scope=scope,
        date_day=day,
        observed={"metric": metric, "campaign_total": campaign_total, "breakdown_sum": breakdown_sum},
    )


def stale_data(
    latest_day: date | None,
    today: date,
    freshness_days: int,
    *,
    platform: str,
    account_id: str,
    stream: str,
) -> Finding | None:
    """Freshness: the newest day with data is older than ``freshness_days`` before today."""
    if latest_day is not None and (today - latest_day).days <= freshness_days:
        return None
    age = "no data at all"
    if latest_day is not None:
        age = f"newest day {latest_day} is {(today - latest_day).days} days old"
    return Finding(
        "stale_data",
        "warning",
        f"{stream} for account {account_id}: {age} (freshness limit {freshness_days} days)",
        platform=platform,
        account_id=account_id,
        stream=stream,
        scope=f"account {account_id}",
        observed={"latest_day": latest_day, "today": today, "freshness_days": freshness_days},
    )


def restatement_window(
    start: date,
    end: date,
    today: date,
    window_days: int,
    *,
    platform: str,
    account_id: str,
    stream: str,
) -> Finding | None:
    """Days of [start, end] the platform may still restate: estimated, ``is_final=false``."""
    first_open = first_open_day(today, window_days)
    open_start = max(start, first_open)
    if open_start > end:
        return None
    return Finding(
        "restatement_window",
        "info",
        f"{stream} for account {account_id}: {open_start}..{end} is estimated; the platform may restate "
        f"it for {window_days} days (is_final=false)",
        platform=platform,
        account_id=account_id,
        stream=stream,
        scope=f"account {account_id} {open_start}..{end}",
        observed={"period_start": open_start, "period_end": end, "window_days": window_days},
    )


def first_open_day(today: date, window_days: int) -> date:
    """The earliest day the platform may still restate (days from here on are not final)."""
    return today - timedelta(days=window_days)


def beyond_retention(
    requested_start: date,
    today: date,
    retention_days: int | None,
    *,
    platform: str,
    account_id: str,
    stream: str,
) -> Finding | None:
    """History before the platform's retention horizon (Meta 37 months) cannot be read any more."""
    if retention_days is None:
        return None
    horizon = today - timedelta(days=retention_days)
    if requested_start >= horizon:
        return None
    return Finding(
        "beyond_retention",
        "warning",
        f"{stream} for account {account_id}: {requested_start}..{horizon - timedelta(days=1)} is older "
        f"than the platform keeps ({retention_days} days); the sync starts at {horizon}",
        platform=platform,
        account_id=account_id,
        stream=stream,
        scope=f"account {account_id} before {horizon}",
        observed={"requested_start": requested_start, "horizon": horizon},
    )


def schema_drift(
    *,
    platform: str,
    stream: str,
    field: str,
    change: str,
    api_version: str,
    account_id: str | None = None,
) -> Finding:
    """A field the served API version rejected, removed or changed; the sync carries on without it."""
    return Finding(
        "schema_drift",
        "warning",
        f"{stream}.{field} {change} in API {api_version}; the field is left out of this sync",
        platform=platform,
        account_id=account_id,
        stream=stream,
        scope=f"{stream}.{field}",
        observed={"field": field, "change": change, "api_version": api_version},
    )


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _periods(days: list[date]) -> list[str]:
    """Consecutive days collapsed into "start..end" periods."""
    periods: list[str] = []
    run_start = previous = days[0]
    for day in [*days[1:], None]:
        if day is not None and day - previous == timedelta(days=1):
            previous = day
            continue
        periods.append(str(run_start) if run_start == previous else f"{run_start}..{previous}")
        if day is not None:
            run_start = previous = day
    return periods


def unmapped_value(
    *, platform: str, stream: str, account_id: str, field: str, raw: str, mapped_to: str
) -> Finding:
    """A platform value no normalization table knows: kept raw, mapped to the fallback, reported."""
    return Finding(
        "unmapped_value",
        "warning",
        f"{stream}: {platform} {field} value {raw!r} is not in the mapping table; emitted as {mapped_to!r} "
        f"with the raw value kept",
        platform=platform,
        account_id=account_id,
        stream=stream,
        scope=f"{field}={raw}",
        observed={"field": field, "raw": raw, "mapped_to": mapped_to},
    )


def fx_rate_missing(*, platform: str, currency: str, reporting_currency: str, day: date) -> Finding:
    """No usable FX rate for a currency on a day: the reporting-currency values stay null."""
    return Finding(
        "fx_rate_missing",
        "warning",
        f"no FX rate {currency}->{reporting_currency} for {day}: spend_reporting and "
        f"conversions_value_reporting left null",
        platform=platform,
        scope=f"{currency} on {day}",
        date_day=day,
        observed={"currency": currency, "reporting_currency": reporting_currency},
    )


def metric_not_hourly(
    *, platform: str, stream: str, account_id: str, metrics: Iterable[str], reporting_timezone: str
) -> Finding:
    """Metrics with no hourly form cannot be re-bucketed into another zone's days: they are null."""
    names = sorted(metrics)
    return Finding(
        "metric_not_hourly",
        "info",
        f"{stream} for account {account_id}: {', '.join(names)} left null in {reporting_timezone} days "
        f"(no hourly form to re-bucket)",
        platform=platform,
        account_id=account_id,
        stream=stream,
        scope=f"account {account_id} in {reporting_timezone}",
        observed={"metrics": names, "reporting_timezone": reporting_timezone},
    )
