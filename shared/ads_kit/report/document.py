"""Builds the seed report documents (DESIGN §3) from unified rows, and validates them.

A document covers one platform and one account (by default), or one platform in one currency (the
reporting currency, or the one its accounts share) and one time zone, so its metadata is never null;
several documents are a bundle, a JSON list of them (`build_reports`). The rows keep the platform
keys (`meta_ads`, …); a document names the platform as the user does (`meta`, `google_ads`,
`tiktok`), mapped here in `document_platform` and nowhere else.
Base metrics are summed as Decimal; ratios are derived from those sums, never averaged; money is
rounded once, here at output, half-even to the currency's exponent, and leaves as a JSON number.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import msgspec

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
from ads_kit.resilience.platforms import canonical_platform, short_platform
from ads_kit.unified import metrics
from ads_kit.unified.schemas import PLATFORMS

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
# breakdown dimension -> the key naming its value in a document's breakdown items
DOCUMENT_BREAKDOWNS = {"age": "age_range", "gender": "gender", "device": "device"}
_CONVERSION_PLACES = 2  # conversions may be fractional (Google's data-driven attribution)
_STATUSES = {"active", "paused", "removed", "archived", "draft", "unknown"}
Per = Literal["account", "platform"]
PER_CHOICES: tuple[Per, ...] = ("account", "platform")


def document_platform(platform: str) -> str:
    """The platform as a document names it: the user's name (`meta_ads` -> `meta`)."""
    return short_platform(platform)


def row_platform(name: str) -> str:
    """The rows' platform key for a name a user gives (`meta` or `meta_ads`); unknown names are refused."""
    platform = canonical_platform(name)
    if platform not in PLATFORMS:
        choices = ", ".join(document_platform(p) for p in PLATFORMS)
        raise ReportInputError(f"--platform {name}: unknown platform; use one of {choices}")
    return platform


@dataclass
class Totals:
    """Summed base metrics; money in one currency."""

    impressions: int = 0
    clicks: int = 0
    spend: Decimal = Decimal(0)
    conversions: Decimal = Decimal(0)
    conversions_value: Decimal = Decimal(0)

    def add(self, row: PerformanceRow | BreakdownRow, basis: MoneyBasis) -> None:
        self.merge(
            Totals(
                row.impressions, row.clicks, basis.spend(row), row.conversions, basis.conversions_value(row)
            )
        )

    def merge(self, other: Totals) -> None:
        self.impressions += other.impressions
        self.clicks += other.clicks
        self.spend += other.spend
        self.conversions += other.conversions
        self.conversions_value += other.conversions_value

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
    """Which money columns are added up (the account's or the reporting ones) and their one currency."""

    reporting: bool
    currency: str

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
    """One document plus what the HTML needs beyond it: the daily sums in the document's currency."""

    document: dict[str, Any]
    daily: dict[date, Totals]


def build_reports(
    rows_source: RowSource,
    per: Per = "account",
    platform: str | None = None,
    account: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[Report]:
    """One validated document per platform and account (`per="account"`) or per platform, in order."""
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
    groups: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows.performance:
        groups[(row.platform, row.account_id) if per == "account" else (row.platform,)].add(row.account_id)
    # Without --start/--end every document of a bundle covers the days of all its rows: an account
    # that stopped delivering still shows its trailing gap.
    days = sorted({r.date_day for r in rows.performance})
    first, last = start or days[0], end or days[-1]
    return [
        _report(_part(rows, key[0], accounts), per, first, last) for key, accounts in sorted(groups.items())
    ]


def build_document(
    rows_source: RowSource,
    platform: str | None = None,
    account: str | None = None,
    start: date | None = None,
    end: date | None = None,
    per: Per = "account",
) -> dict[str, Any]:
    """The one validated document the filters select; several would be a bundle (`build_reports`)."""
    return only_document(
        build_reports(rows_source, per, platform=platform, account=account, start=start, end=end)
    )


def only_document(reports: Sequence[Report]) -> dict[str, Any]:
    """The document of `reports` when there is one; several need a choice or a bundle."""
    if len(reports) > 1:
        names = ", ".join(_scope(r.document["metadata"]) for r in reports)
        raise ReportInputError(
            f"the rows make {len(reports)} documents ({names}); choose one with --platform/--account "
            "or write them all with --bundle"
        )
    return reports[0].document


def encode(value: dict[str, Any] | Sequence[dict[str, Any]]) -> bytes:
    """A document or a bundle as indented JSON: Decimal money and ratios as exact JSON numbers."""
    return msgspec.json.format(msgspec.json.Encoder(decimal_format="number").encode(value)) + b"\n"


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


def _scope(metadata: dict[str, Any]) -> str:
    return f"{metadata['platform']} {metadata['account_id']}"


def _checked_filter(
    platform: str | None, account: str | None, start: date | None, end: date | None
) -> RowFilter:
    if start is not None and end is not None and start > end:
        raise ReportInputError(f"--start {start} is after --end {end}")
    platform = row_platform(platform) if platform is not None else None
    return RowFilter(platform=platform, account=account, start=start, end=end)


def _describe(row_filter: RowFilter) -> str:
    parts = [
        f"--{name} {value}"
        for name, value in (
            ("platform", row_filter.platform and document_platform(row_filter.platform)),
            ("account", row_filter.account),
            ("start", row_filter.start),
            ("end", row_filter.end),
        )
        if value is not None
    ]
    return f" matching {' '.join(parts)}" if parts else ""


def _part(rows: UnifiedRows, platform: str, accounts: set[str]) -> UnifiedRows:
    """The rows of one document: its platform and accounts (findings without an account included)."""

    def mine(row_platform_key: str, account_id: str | None) -> bool:
        return row_platform_key == platform and (not account_id or account_id in accounts)

    return UnifiedRows(
        performance=[r for r in rows.performance if mine(r.platform, r.account_id)],
        breakdowns=[r for r in rows.breakdowns if mine(r.platform, r.account_id)],
        campaigns=[r for r in rows.campaigns if mine(r.platform, r.account_id)],
        accounts=[r for r in rows.accounts if mine(r.platform, r.account_id)],
        findings=[r for r in rows.findings if mine(r.platform, r.account_id)],
        missing_streams=list(rows.missing_streams),
    )


def _report(rows: UnifiedRows, per: Per, first: date, last: date) -> Report:
    # Without --start/--end the range is the data's; findings outside it are about other days.
    rows.findings = [f for f in rows.findings if f.date_day is None or first <= f.date_day <= last]
    platform = document_platform(rows.performance[0].platform)
    accounts = sorted({r.account_id for r in rows.performance})
    scope = f"{platform} account {accounts[0]}" if per == "account" else f"--per platform: {platform}"
    basis = _money_basis(rows, prefer_reporting=per == "platform", scope=scope)
    zones = sorted({r.timezone or "" for r in rows.performance})
    if len(zones) > 1:
        raise ReportInputError(
            f"{scope}: days are in different time zones ({', '.join(zones)}); run the taps with "
            "reporting_timezone or report per account"
        )
    builder = _Builder(rows, basis)
    campaigns = builder.campaigns()  # before its findings are read: building them finds some
    findings = builder.findings + _report_findings(rows, last) + _quality_findings(rows)
    document = {
        "metadata": {
            "platform": platform,
            # a platform document's accounts, comma-separated: never null, as the specification asks
            "account_id": ",".join(accounts),
            "extraction_timestamp": _latest_extraction(rows.performance),
            "date_range": {"start": first.isoformat(), "end": last.isoformat()},
            "timezone": zones[0],
            "currency": basis.currency,
        },
        "campaigns": campaigns,
        "summary": builder.summary(),
        "warnings": [f["message"] for f in findings],
        "findings": findings,
    }
    validate_document(document)
    return Report(document=document, daily=builder.daily())


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


def _money_basis(rows: UnifiedRows, *, prefer_reporting: bool, scope: str) -> MoneyBasis:
    """The reporting currency when preferred and every money row has it, else the accounts' one currency."""
    money_rows = [*rows.performance, *rows.breakdowns]
    reporting = {r.reporting_currency for r in money_rows}
    converted = all(
        r.spend_reporting is not None and r.conversions_value_reporting is not None for r in money_rows
    )
    if prefer_reporting and converted and len(reporting) == 1 and None not in reporting:
        return MoneyBasis(reporting=True, currency=str(reporting.pop()))
    currencies = sorted({str(r.currency) for r in rows.performance})
    if len(currencies) == 1:
        return MoneyBasis(reporting=False, currency=currencies[0])
    raise ReportInputError(
        f"{scope}: accounts use {', '.join(currencies)} and not every row has spend_reporting in one "
        "reporting currency; run the taps with reporting_currency or report per account"
    )


def _latest_extraction(rows: list[PerformanceRow]) -> str | None:
    stamps = [r.extracted_at for r in rows if r.extracted_at is not None]
    if not stamps:
        return None
    return max(stamps).astimezone(UTC).isoformat().replace("+00:00", "Z")


def money(amount: Decimal, currency: str) -> Decimal:
    """The output rounding of money, done once per value; an unusable currency is bad input."""
    try:
        return quantize_output(amount, currency)
    except MoneyError as error:
        raise ReportInputError(f"{PERFORMANCE_STREAM.name}.currency: {error}") from None


def _count(conversions: Decimal) -> Decimal:
    return quantize_ratio(conversions, _CONVERSION_PLACES)


def _finding(
    check: str,
    message: str,
    *,
    severity: str = "warning",
    source: str = "report",
    platform: str | None = None,
    account_id: str | None = None,
    date_day: date | None = None,
) -> dict[str, Any]:
    """A structured finding; its `message` is also the document's warning sentence."""
    return {
        "source": source,
        "check": check,
        "severity": severity,
        "message": message,
        "platform": document_platform(platform) if platform else None,
        "account_id": account_id,
        "date_day": date_day.isoformat() if date_day else None,
    }


CampaignKey = tuple[str, str, str]


class _Builder:
    """Sums one document's rows per campaign, breakdown value and day, once."""

    def __init__(self, rows: UnifiedRows, basis: MoneyBasis) -> None:
        self.basis = basis
        self.findings: list[dict[str, Any]] = []
        self._entities: dict[CampaignKey, CampaignRow] = {
            (c.platform, c.account_id, c.campaign_id): c for c in rows.campaigns
        }
        self._totals: dict[CampaignKey, Totals] = defaultdict(Totals)
        self._latest: dict[CampaignKey, PerformanceRow] = {}
        self._not_final: dict[CampaignKey, set[date]] = defaultdict(set)
        self._daily: dict[date, Totals] = defaultdict(Totals)
        for row in rows.performance:
            key = (row.platform, row.account_id, row.campaign_id)
            self._totals[key].add(row, basis)
            if key not in self._latest or row.date_day >= self._latest[key].date_day:
                self._latest[key] = row
            if row.is_final is False:
                self._not_final[key].add(row.date_day)
            self._daily[row.date_day].add(row, basis)
        self._breakdowns: dict[CampaignKey, dict[str, dict[str, Totals]]] = defaultdict(
            lambda: {d: defaultdict(Totals) for d in DOCUMENT_BREAKDOWNS}
        )
        for item in rows.breakdowns:
            key = (item.platform, item.account_id, item.campaign_id)
            if item.dimension in DOCUMENT_BREAKDOWNS and key in self._totals:
                self._breakdowns[key][item.dimension][item.value].add(item, basis)

    def campaigns(self) -> list[dict[str, Any]]:
        result = []
        without_entity = []
        currency = self.basis.currency
        for key in sorted(self._totals):
            totals, latest = self._totals[key], self._latest[key]
            entity = self._entities.get(key)
            if entity is None:
                without_entity.append(key[2])
            ratios = totals.ratios()
            result.append(
                {
                    "campaign_id": key[2],
                    "campaign_name": (entity and entity.campaign_name) or latest.campaign_name,
                    "status": entity.status if entity and entity.status in _STATUSES else None,
                    "objective": entity.objective if entity else None,
                    "budget": self._budget(key, entity),
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
                    "breakdowns": self._breakdown_entries(key),
                }
            )
            if self._not_final[key]:
                self.findings.append(
                    _finding(
                        "days_not_final",
                        f"Some metrics for campaign '{key[2]}' are estimated and may change: "
                        f"{_day_runs(sorted(self._not_final[key]))} not final yet",
                        platform=key[0],
                        account_id=key[1],
                    )
                )
        if without_entity:
            self.findings.append(
                _finding(
                    "campaign_attributes_missing",
                    f"{len(without_entity)} campaign(s) have no unified_campaigns row, so their status, "
                    f"objective, budget and schedule are unknown: {', '.join(without_entity[:5])}",
                    severity="info",
                )
            )
        return result

    def _budget(self, key: CampaignKey, entity: CampaignRow | None) -> Decimal | None:
        currency = self.basis.currency
        if entity is None or entity.budget is None:
            return None
        if not self.basis.reporting or entity.currency == currency:
            return money(entity.budget, currency)
        # Budgets are in the account currency; convert with the rate of the campaign's latest day.
        rate = self._latest[key].fx_rate
        if rate is None:
            self.findings.append(
                _finding(
                    "budget_not_converted",
                    f"The budget of campaign '{key[2]}' is in {entity.currency} and has no exchange rate "
                    f"to {currency}, so it is left out",
                    platform=key[0],
                    account_id=key[1],
                )
            )
            return None
        return money(entity.budget * rate, currency)

    def _breakdown_entries(self, key: CampaignKey) -> dict[str, list[dict[str, Any]]]:
        per_dimension = self._breakdowns.get(key, {d: {} for d in DOCUMENT_BREAKDOWNS})
        currency = self.basis.currency
        return {
            dimension: [
                {
                    value_key: value,
                    "impressions": totals.impressions,
                    "clicks": totals.clicks,
                    "spend": money(totals.spend, currency),
                    "conversions": _count(totals.conversions),
                    "conversion_value": money(totals.conversions_value, currency),
                }
                for value, totals in sorted(per_dimension[dimension].items())
            ]
            for dimension, value_key in DOCUMENT_BREAKDOWNS.items()
        }

    def summary(self) -> dict[str, Any]:
        total = Totals()
        for totals in self._totals.values():
            total.merge(totals)
        return {
            "total_campaigns": len(self._totals),
            "total_spend": money(total.spend, self.basis.currency),
            "total_impressions": total.impressions,
            "total_clicks": total.clicks,
            "total_conversions": _count(total.conversions),
        }

    def daily(self) -> dict[date, Totals]:
        return dict(sorted(self._daily.items()))


def _report_findings(rows: UnifiedRows, last: date) -> list[dict[str, Any]]:
    findings = [
        _finding(
            "days_missing",
            f"Account {account_id} has no data on {len(missing)} day(s): {_day_runs(missing)}",
            severity="info",
            platform=platform,
            account_id=account_id,
        )
        for (platform, account_id), missing in _missing_days(rows.performance, last)
        if missing
    ]
    findings += [
        _finding("stream_missing", f"{stream} was not found in the source, so its data is absent")
        for stream in rows.missing_streams
    ]
    return findings


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


def _quality_findings(rows: UnifiedRows) -> list[dict[str, Any]]:
    findings = sorted(
        rows.findings, key=lambda f: (f.date_day or date.min, f.platform, f.account_id or "", f.check)
    )
    return [
        _finding(
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
