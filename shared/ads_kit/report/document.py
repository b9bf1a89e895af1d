"""Builds the seed report document (DESIGN §3) from unified rows, and validates it.

Base metrics are summed as Decimal; ratios are derived from those sums, never averaged; money is
rounded once, here at output, half-even to the currency's exponent.
Currencies are never added together: several accounts in one currency add up as they are; in
different currencies the report adds `spend_reporting` when every row carries it (one reporting
currency), and otherwise keeps each campaign in its own currency, leaves `total_spend` null and
says so in a `mixed_currencies` warning with the total per currency.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema

from ads_kit.money import MoneyError, quantize_output, quantize_ratio
from ads_kit.quality.findings import SEVERITIES
from ads_kit.report.errors import InvalidDocumentError, ReportInputError
from ads_kit.report.rows import PERFORMANCE as PERFORMANCE_STREAM
from ads_kit.report.rows import (
    BreakdownRow,
    CampaignRow,
    PerformanceRow,
    RowFilter,
    RowSource,
    UnifiedRows,
)
from ads_kit.unified import metrics
from ads_kit.unified.schemas import PLATFORMS

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
DOCUMENT_BREAKDOWNS = ("age", "gender", "device")
_CONVERSION_PLACES = 2  # conversions may be fractional (Google's data-driven attribution)
_STATUSES = {"active", "paused", "removed", "archived", "draft", "unknown"}


@dataclass
class Totals:
    """Summed base metrics; money in one currency."""

    impressions: int = 0
    clicks: int = 0
    spend: Decimal = Decimal(0)
    conversions: Decimal = Decimal(0)
    conversions_value: Decimal = Decimal(0)

    def add(self, row: PerformanceRow | BreakdownRow, basis: MoneyBasis) -> None:
        self.impressions += row.impressions
        self.clicks += row.clicks
        self.spend += basis.spend(row)
        self.conversions += row.conversions
        self.conversions_value += basis.conversions_value(row)

    def ratios(self) -> dict[str, Decimal | None]:
        """ctr (percent), cpc, cpm, roas of the sums, unrounded: the report's one call site for them."""
        return {
            "ctr": metrics.ctr(self.clicks, self.impressions),
            "cpc": metrics.cpc(self.spend, self.clicks),
            "cpm": metrics.cpm(self.spend, self.impressions),
            "roas": metrics.roas(self.conversions_value, self.spend),
        }


@dataclass(frozen=True)
class MoneyBasis:
    """Which money columns are added up and in which currency (None: each account's own)."""

    reporting: bool
    currency: str | None

    def spend(self, row: PerformanceRow | BreakdownRow) -> Decimal:
        if not self.reporting:
            return row.spend
        assert row.spend_reporting is not None  # _money_basis picks reporting only when every row has it
        return row.spend_reporting

    def conversions_value(self, row: PerformanceRow | BreakdownRow) -> Decimal:
        if not self.reporting:
            return row.conversions_value
        assert row.conversions_value_reporting is not None  # likewise
        return row.conversions_value_reporting


@dataclass
class Report:
    """The document plus what the HTML needs beyond it: daily sums per chart series, campaign context.

    `currencies` maps each `daily` series to the currency of its money: the report's one currency, or
    with mixed currencies the series' own (a series never mixes two).
    """

    document: dict[str, Any]
    daily: dict[str, dict[date, Totals]]
    currencies: dict[str, str]
    campaign_context: list[dict[str, str | None]] = field(default_factory=list)


def build_document(
    rows_source: RowSource,
    platform: str | None = None,
    account: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """The validated seed document for the rows `rows_source` holds within the filters."""
    return build_report(rows_source, platform=platform, account=account, start=start, end=end).document


def build_report(
    rows_source: RowSource,
    platform: str | None = None,
    account: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Report:
    row_filter = _checked_filter(platform, account, start, end)
    rows = _with_account_defaults(rows_source.read(row_filter))
    if not rows.performance:
        raise ReportInputError(f"{PERFORMANCE_STREAM.name} has no rows{_describe(row_filter)}")
    without_currency = next((r for r in rows.performance if not r.currency), None)
    if without_currency is not None:
        raise ReportInputError(
            f"{PERFORMANCE_STREAM.name}.currency is empty for {without_currency.platform} account "
            f"{without_currency.account_id} and unified_accounts has none for it"
        )
    days = sorted({r.date_day for r in rows.performance})
    first, last = start or days[0], end or days[-1]
    # Without --start/--end the range is the data's; findings outside it are about other days.
    rows.findings = [f for f in rows.findings if f.date_day is None or first <= f.date_day <= last]
    basis = _money_basis(rows)
    builder = _Builder(rows, basis)
    document = {
        "metadata": {
            "platform": _only({r.platform for r in rows.performance}),
            "account_id": _only({r.account_id for r in rows.performance}),
            "extraction_timestamp": _latest_extraction(rows.performance),
            "date_range": {"start": first.isoformat(), "end": last.isoformat()},
            "timezone": _only({r.timezone for r in rows.performance}),
            "currency": basis.currency,
        },
        "campaigns": builder.campaigns(),
        "summary": builder.summary(),
        "warnings": builder.warnings + _report_warnings(rows, basis, last) + _quality_warnings(rows),
    }
    validate_document(document)
    return Report(
        document=document,
        daily=builder.daily(),
        currencies=builder.series_currencies,
        campaign_context=builder.context,
    )


def validate_document(document: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(document)"
        raise InvalidDocumentError(
            f"report document breaks report.schema.json at {where}: {errors[0].message}"
        )


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _checked_filter(
    platform: str | None, account: str | None, start: date | None, end: date | None
) -> RowFilter:
    if platform is not None and platform not in PLATFORMS:
        raise ReportInputError(f"--platform {platform}: unknown platform; use one of {', '.join(PLATFORMS)}")
    if start is not None and end is not None and start > end:
        raise ReportInputError(f"--start {start} is after --end {end}")
    return RowFilter(platform=platform, account=account, start=start, end=end)


def _describe(row_filter: RowFilter) -> str:
    parts = [
        f"--{name} {value}"
        for name, value in (
            ("platform", row_filter.platform),
            ("account", row_filter.account),
            ("start", row_filter.start),
            ("end", row_filter.end),
        )
        if value is not None
    ]
    return f" matching {' '.join(parts)}" if parts else ""


def _with_account_defaults(rows: UnifiedRows) -> UnifiedRows:
    """Fill a performance row's missing currency or zone from its own account zone or unified_accounts."""
    accounts = {(a.platform, a.account_id): a for a in rows.accounts}
    filled = []
    for row in rows.performance:
        account = accounts.get((row.platform, row.account_id))
        # Without a reporting_timezone the tap's days are in the account's zone.
        zone = row.timezone or row.account_timezone or (account.timezone if account else None)
        currency = row.currency or (account.currency if account else None)
        if (zone, currency) != (row.timezone, row.currency):
            row = dataclasses.replace(row, currency=currency, timezone=zone)
        filled.append(row)
    rows.performance = filled
    return rows


def _money_basis(rows: UnifiedRows) -> MoneyBasis:
    currencies = {r.currency for r in rows.performance}
    if len(currencies) == 1:
        return MoneyBasis(reporting=False, currency=currencies.pop())
    money_rows = [*rows.performance, *rows.breakdowns]
    reporting = {r.reporting_currency for r in money_rows}
    converted = all(
        r.spend_reporting is not None and r.conversions_value_reporting is not None for r in money_rows
    )
    if converted and len(reporting) == 1 and None not in reporting:
        return MoneyBasis(reporting=True, currency=reporting.pop())
    return MoneyBasis(reporting=False, currency=None)


def _only(values: set[str | None]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


def _latest_extraction(rows: list[PerformanceRow]) -> str | None:
    stamps = [r.extracted_at for r in rows if r.extracted_at is not None]
    if not stamps:
        return None
    return max(stamps).astimezone(UTC).isoformat().replace("+00:00", "Z")


def money(amount: Decimal, currency: str | None) -> Decimal:
    """The output rounding of money, done once per value; an unusable currency is bad input."""
    try:
        return quantize_output(amount, currency)
    except MoneyError as error:
        raise ReportInputError(f"{PERFORMANCE_STREAM.name}.currency: {error}") from None


def _count(conversions: Decimal) -> Decimal:
    return quantize_ratio(conversions, _CONVERSION_PLACES)


def _warning(
    check: str,
    message: str,
    *,
    severity: str = "warning",
    source: str = "report",
    platform: str | None = None,
    account_id: str | None = None,
    date_day: date | None = None,
) -> dict[str, Any]:
    return {
        "source": source,
        "check": check,
        "severity": severity,
        "message": message,
        "platform": platform,
        "account_id": account_id,
        "date_day": date_day.isoformat() if date_day else None,
    }


CampaignKey = tuple[str, str, str]


class _Builder:
    """Sums the rows per campaign, breakdown value and chart series, once."""

    def __init__(self, rows: UnifiedRows, basis: MoneyBasis) -> None:
        self.basis = basis
        self.warnings: list[dict[str, Any]] = []
        self.context: list[dict[str, str | None]] = []
        self._entities: dict[CampaignKey, CampaignRow] = {
            (c.platform, c.account_id, c.campaign_id): c for c in rows.campaigns
        }
        self._totals: dict[CampaignKey, Totals] = defaultdict(Totals)
        self._latest: dict[CampaignKey, PerformanceRow] = {}
        self._series: dict[str, dict[date, Totals]] = defaultdict(lambda: defaultdict(Totals))
        self.series_currencies: dict[str, str] = {}
        for row in rows.performance:
            key = (row.platform, row.account_id, row.campaign_id)
            self._totals[key].add(row, basis)
            if key not in self._latest or row.date_day >= self._latest[key].date_day:
                self._latest[key] = row
            label = row.platform if basis.currency else f"{row.platform} ({row.currency})"
            self._series[label][row.date_day].add(row, basis)
            # a None currency is bad input that money() rejects (ReportInputError) in campaigns()
            self.series_currencies[label] = basis.currency or row.currency  # type: ignore[assignment]
        self._breakdowns: dict[CampaignKey, dict[str, dict[str, Totals]]] = defaultdict(
            lambda: {d: defaultdict(Totals) for d in DOCUMENT_BREAKDOWNS}
        )
        for item in rows.breakdowns:
            key = (item.platform, item.account_id, item.campaign_id)
            if item.dimension in DOCUMENT_BREAKDOWNS and key in self._totals:
                self._breakdowns[key][item.dimension][item.value].add(item, basis)

    def _currency(self, key: CampaignKey) -> str | None:
        return self.basis.currency or self._latest[key].currency

    def campaigns(self) -> list[dict[str, Any]]:
        result = []
        without_entity = []
        for key in sorted(self._totals):
            totals, latest, currency = self._totals[key], self._latest[key], self._currency(key)
            entity = self._entities.get(key)
            if entity is None:
                without_entity.append(key)
            ratios = totals.ratios()
            result.append(
                {
                    "campaign_id": key[2],
                    "campaign_name": (entity and entity.campaign_name) or latest.campaign_name,
                    "status": entity.status if entity and entity.status in _STATUSES else None,
                    "objective": entity.objective if entity else None,
                    "budget": self._budget(key, entity, currency),
                    "spend": money(totals.spend, currency),
                    "impressions": totals.impressions,
                    "clicks": totals.clicks,
                    "ctr": quantize_ratio(ratios["ctr"]),
                    "cpc": quantize_ratio(ratios["cpc"]),
                    "cpm": quantize_ratio(ratios["cpm"]),
                    "conversions": _count(totals.conversions),
                    "conversion_value": money(totals.conversions_value, currency),
                    "roas": quantize_ratio(ratios["roas"]),
                    "start_date": entity.start_date.isoformat() if entity and entity.start_date else None,
                    "end_date": entity.end_date.isoformat() if entity and entity.end_date else None,
                    "breakdowns": self._breakdown_entries(key, currency),
                }
            )
            self.context.append({"platform": key[0], "account_id": key[1], "currency": currency})
        if without_entity:
            self.warnings.append(
                _warning(
                    "campaign_attributes_missing",
                    f"{len(without_entity)} campaign(s) have no unified_campaigns row, so status, objective, "
                    f"budget and schedule are null: {', '.join('/'.join(k) for k in without_entity[:5])}",
                    severity="info",
                )
            )
        return result

    def _budget(self, key: CampaignKey, entity: CampaignRow | None, currency: str | None) -> Decimal | None:
        if entity is None or entity.budget is None:
            return None
        if not self.basis.reporting or entity.currency == self.basis.currency:
            return money(entity.budget, currency)
        # Budgets are in the account currency; convert with the rate of the campaign's latest day.
        rate = self._latest[key].fx_rate
        if rate is None:
            self.warnings.append(
                _warning(
                    "budget_not_converted",
                    f"campaign {key[2]}: budget in {entity.currency} has no fx_rate to {currency}; "
                    "budget left null",
                    platform=key[0],
                    account_id=key[1],
                )
            )
            return None
        return money(entity.budget * rate, currency)

    def _breakdown_entries(self, key: CampaignKey, currency: str | None) -> dict[str, list[dict[str, Any]]]:
        per_dimension = self._breakdowns.get(key, {d: {} for d in DOCUMENT_BREAKDOWNS})
        return {
            dimension: [
                {
                    "value": value,
                    "impressions": totals.impressions,
                    "clicks": totals.clicks,
                    "spend": money(totals.spend, currency),
                    "conversions": _count(totals.conversions),
                    "conversion_value": money(totals.conversions_value, currency),
                }
                for value, totals in sorted(per_dimension[dimension].items())
            ]
            for dimension in DOCUMENT_BREAKDOWNS
        }

    def summary(self) -> dict[str, Any]:
        total = Totals()
        for totals in self._totals.values():
            total.impressions += totals.impressions
            total.clicks += totals.clicks
            total.spend += totals.spend
            total.conversions += totals.conversions
        return {
            "total_campaigns": len(self._totals),
            "total_spend": money(total.spend, self.basis.currency) if self.basis.currency else None,
            "total_impressions": total.impressions,
            "total_clicks": total.clicks,
            "total_conversions": _count(total.conversions),
        }

    def daily(self) -> dict[str, dict[date, Totals]]:
        return {label: dict(days) for label, days in sorted(self._series.items())}


def _report_warnings(rows: UnifiedRows, basis: MoneyBasis, last: date) -> list[dict[str, Any]]:
    warnings = []
    if basis.currency is None:
        per_currency: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows.performance:
            per_currency[row.currency] += row.spend  # type: ignore[index]  # None: bad input, as above
        totals = ", ".join(f"{c} {money(a, c)}" for c, a in sorted(per_currency.items()))
        warnings.append(
            _warning(
                "mixed_currencies",
                f"accounts use different currencies and not every row has spend_reporting, so spend is not "
                f"totalled across currencies (campaign money is in its account's currency): {totals}",
            )
        )
    zones = {r.timezone for r in rows.performance}
    if len(zones) > 1:
        warnings.append(
            _warning(
                "mixed_timezones",
                "days are in different time zones per account: "
                + ", ".join(sorted(z or "unknown" for z in zones)),
                severity="info",
            )
        )
    unfinished: dict[tuple[str, str], set[date]] = defaultdict(set)
    for row in rows.performance:
        if row.is_final is False:
            unfinished[(row.platform, row.account_id)].add(row.date_day)
    for (platform, account_id), missing in _missing_days(rows.performance, last):
        if missing:
            warnings.append(
                _warning(
                    "days_missing",
                    f"{platform} account {account_id}: no rows on {len(missing)} day(s): "
                    f"{_day_runs(missing)}",
                    severity="info",
                    platform=platform,
                    account_id=account_id,
                )
            )
    # The taps report their own restatement window; repeating it per account would only add noise.
    announced = {(f.platform, f.account_id) for f in rows.findings if f.check == "restatement_window"}
    for (platform, account_id), days in sorted(unfinished.items()):
        if (platform, account_id) in announced:
            continue
        warnings.append(
            _warning(
                "days_not_final",
                f"{platform} account {account_id}: {len(days)} day(s) not final, conversions may still be "
                f"restated: {_day_runs(sorted(days))}",
                platform=platform,
                account_id=account_id,
            )
        )
    for stream in rows.missing_streams:
        warnings.append(_warning("stream_missing", f"{stream} not found in the source; its data is absent"))
    return warnings


def _missing_days(performance: list[PerformanceRow], last: date) -> list[tuple[tuple[str, str], list[date]]]:
    """Per account, the days of its own local range that have no rows.

    Each account's days are local to its zone, and a tap's range ends at the local date of the run in
    that zone (ads_kit.unified.ranges), so accounts east and west of UTC cover different dates; one range
    for all would name days an account's zone never had. The range starts at the account's own first day:
    a relative date_range starts later in a zone ahead of UTC, so an earlier absence is not a gap. It ends
    at its own last day, or later, up to the report's `last`, at the last day that had fully ended in its
    zone when its rows were extracted: an account that stopped delivering still shows its trailing gap.
    """
    present: dict[tuple[str, str], set[date]] = defaultdict(set)
    zones: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    extracted: dict[tuple[str, str], datetime] = {}
    for row in performance:
        key = (row.platform, row.account_id)
        present[key].add(row.date_day)
        zones[key].add(row.timezone)
        if row.extracted_at is not None and (key not in extracted or row.extracted_at > extracted[key]):
            extracted[key] = row.extracted_at
    result = []
    for key, days in sorted(present.items()):
        own_first, own_last = min(days), max(days)
        ended = _last_ended_day(zones[key], extracted.get(key))
        until = max(own_last, min(last, ended)) if ended is not None else own_last
        span = (own_first + timedelta(days=n) for n in range((until - own_first).days + 1))
        result.append((key, [day for day in span if day not in days]))
    return result


def _last_ended_day(zones: set[str | None], extracted_at: datetime | None) -> date | None:
    """The day before the local date of `extracted_at` in the account's one zone; None if unknowable."""
    if extracted_at is None or len(zones) != 1:
        return None
    [zone] = zones
    try:
        local_today = extracted_at.astimezone(ZoneInfo(zone)).date() if zone else None
    except (ZoneInfoNotFoundError, ValueError):  # a zone name the platform made up is not knowledge
        return None
    return local_today - timedelta(days=1) if local_today else None


def _day_runs(days: list[date]) -> str:
    """2026-11-01..2026-11-03, 2026-11-07 — consecutive days folded into ranges."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(r[0].isoformat() if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


def _quality_warnings(rows: UnifiedRows) -> list[dict[str, Any]]:
    findings = sorted(
        rows.findings, key=lambda f: (f.date_day or date.min, f.platform, f.account_id or "", f.check)
    )
    return [
        _warning(
            f.check,
            f.message or f.scope or f.check,
            severity=f.severity if f.severity in SEVERITIES else "warning",
            source="unified_data_quality",
            platform=f.platform,
            account_id=f.account_id or None,
            date_day=f.date_day,
        )
        for f in findings
    ]
