"""The cross-platform summary of a loaded warehouse: totals per platform in the reporting currency,
read from the project's view, and the warnings the taps loaded with the data.

Ratios come from sums (CTR = clicks / impressions, CPC = spend / clicks, ROAS = conversion value /
spend), never from averaging the rows' own ratios.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ads_kit.unified import metrics
from ads_kit.warehouse.views import Connection

VIEW = "cross_platform_campaign_performance"
QUALITY_TABLE = "unified_data_quality"
TOTAL = "total"


@dataclass
class PlatformTotals:
    """One platform's sums over the view (or all platforms', as `total`); money in the reporting currency."""

    platform: str
    currencies: set[str] = field(default_factory=set)
    accounts: int = 0
    campaigns: int = 0
    first_day: date | None = None
    last_day: date | None = None
    spend: Decimal = Decimal(0)
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)
    conversions_value: Decimal = Decimal(0)
    rows_without_rate: int = 0  # spend known, spend_reporting null: no FX rate for that currency and day
    estimated_rows: int = 0  # days the platform may still restate (is_final false)
    first_estimated_day: date | None = None

    @property
    def ctr(self) -> Decimal | None:
        return metrics.ctr(self.clicks, self.impressions)

    @property
    def cpc(self) -> Decimal | None:
        return metrics.cpc(self.spend, self.clicks)

    @property
    def roas(self) -> Decimal | None:
        return metrics.roas(self.conversions_value, self.spend)


@dataclass(frozen=True)
class FindingCount:
    platform: str
    check: str
    severity: str
    count: int
    example: str


def platform_totals(connection: Connection, schema: str) -> list[PlatformTotals]:
    """Per platform, then the `total` row over all of them."""
    rows = connection.execute(
        f"""
        select platform, string_agg(distinct reporting_currency, ','), count(distinct account_id),
               count(distinct account_id || '/' || campaign_id), min(date_day), max(date_day),
               coalesce(sum(spend_reporting), 0), coalesce(sum(impressions), 0), coalesce(sum(clicks), 0),
               coalesce(sum(conversions), 0), coalesce(sum(conversions_value_reporting), 0),
               count(*) filter (where spend is not null and spend_reporting is null),
               count(*) filter (where not is_final), min(date_day) filter (where not is_final)
        from "{schema}".{VIEW} group by platform order by platform
        """
    ).fetchall()
    platforms = [
        PlatformTotals(
            platform,
            set(filter(None, (currencies or "").split(","))),
            accounts,
            campaigns,
            _day(first),
            _day(last),
            Decimal(spend),
            int(impressions),
            int(clicks),
            Decimal(conversions),
            Decimal(value),
            without_rate,
            estimated,
            _day(first_estimated),
        )
        for (platform, currencies, accounts, campaigns, first, last, spend, impressions, clicks, conversions,
             value, without_rate, estimated, first_estimated) in rows
    ]  # fmt: skip
    return [*platforms, _total(platforms)]


def finding_counts(connection: Connection, schema: str, placeholder: str) -> list[FindingCount]:
    """The taps' quality findings (unified_data_quality) per platform, check and severity."""
    present = connection.execute(
        f"select count(*) from information_schema.tables where table_schema = {placeholder} "
        f"and table_name = {placeholder}",
        [schema, QUALITY_TABLE],
    ).fetchone()
    if not present or not present[0]:
        return []  # the taps found nothing to report, so no table was created
    rows = connection.execute(
        f"""
        select platform, "check", severity, count(*), min(message)
        from "{schema}".{QUALITY_TABLE} group by platform, "check", severity
        order by platform, "check", severity
        """
    ).fetchall()
    return [FindingCount(*row) for row in rows]


def _total(platforms: Sequence[PlatformTotals]) -> PlatformTotals:
    total = PlatformTotals(TOTAL)
    for part in platforms:
        total.currencies |= part.currencies
        total.accounts += part.accounts
        total.campaigns += part.campaigns
        total.first_day = _earliest(total.first_day, part.first_day)
        total.last_day = max(filter(None, (total.last_day, part.last_day)), default=None)
        total.spend += part.spend
        total.impressions += part.impressions
        total.clicks += part.clicks
        total.conversions += part.conversions
        total.conversions_value += part.conversions_value
        total.rows_without_rate += part.rows_without_rate
        total.estimated_rows += part.estimated_rows
        total.first_estimated_day = _earliest(total.first_estimated_day, part.first_estimated_day)
    return total


def _earliest(a: date | None, b: date | None) -> date | None:
    return min(filter(None, (a, b)), default=None)


def _day(value: object) -> date | None:
    """DuckDB and psycopg both give dates; None stays None."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
