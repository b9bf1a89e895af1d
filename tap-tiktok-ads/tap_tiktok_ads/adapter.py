"""TikTok rows -> unified rows: the only TikTok-specific part of the unified streams.

The adapter reads what the raw streams read (the entity reader, the run's report reader), so a
unified row costs no request of its own. Conversions are TikTok's ``conversion`` (the optimisation
event's attributed count) and their value ``total_purchase_value``; TikTok's click window is 7 days
and its view window 1 day by default.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from ads_kit.tap.reports.reader import ReportReader
from ads_kit.timezones import zone
from ads_kit.unified.adapter import AccountInfo, Level, UnifiedAdapter
from tap_tiktok_ads.entities import EntityReader
from tap_tiktok_ads.reports import AUDIENCE_PREFIX, REPORT_PREFIX, ReportSpec, builtin_reports, parse_row

# unified breakdown dimension -> (built-in report, the TikTok column holding the value)
BREAKDOWN_SOURCES = {
    "age": (f"{AUDIENCE_PREFIX}_age", "age"),
    "gender": (f"{AUDIENCE_PREFIX}_gender", "gender"),
    "country": (f"{AUDIENCE_PREFIX}_country", "country_code"),
    "device": (f"{AUDIENCE_PREFIX}_platform", "platform"),
    "hour": (f"{REPORT_PREFIX}_campaign_hourly", "hour"),
}
CLICK_DAYS, VIEW_DAYS = 7, 1
BUDGET_PERIODS = {
    "BUDGET_MODE_DAY": "daily",
    "BUDGET_MODE_DYNAMIC_DAILY_BUDGET": "daily",
    "BUDGET_MODE_TOTAL": "lifetime",
}


class TikTokUnifiedAdapter(UnifiedAdapter):
    additive_levels: ClassVar[bool] = True  # ad rows sum exactly to campaign rows (reach aside)
    breakdown_dimensions: ClassVar[tuple[str, ...]] = tuple(BREAKDOWN_SOURCES)

    def __init__(self, entities: EntityReader, reports: ReportReader) -> None:
        self._entities = entities
        self._reports = reports
        self._specs = {spec.name: spec for spec in builtin_reports()}

    # -- entities -------------------------------------------------------------------------------

    def campaigns(self, account: AccountInfo, campaign_ids: Sequence[str] | None = None) -> Iterator[dict]:
        reader, key = self._entities, ("tiktok_ads_campaigns", account.account_id)
        for row in reader.rows(*key) if campaign_ids is None else reader.by_id(*key, campaign_ids):
            budget, period = _budget(row)
            yield {
                "campaign_id": row["campaign_id"],
                "campaign_name": row.get("campaign_name"),
                "status_raw": row.get("secondary_status") or row.get("operation_status"),
                "objective_raw": row.get("objective_type"),
                "budget": budget,
                "budget_period": period,
                "created_at": row.get("create_time"),
                "updated_at": row.get("modify_time"),
            }

    # A campaign that delivered in the run but is not in the list read earlier (created or deleted
    # since), read by id whatever its status.
    campaigns_by_id = campaigns

    def ad_groups(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities.rows("tiktok_ads_ad_groups", account.account_id):
            budget, period = _budget(row)
            yield {
                "ad_group_id": row["adgroup_id"],
                "ad_group_name": row.get("adgroup_name"),
                "campaign_id": row.get("campaign_id"),
                "status_raw": row.get("secondary_status") or row.get("operation_status"),
                "budget": budget,
                "budget_period": period,
                "start_date": _local_date(row.get("schedule_start_time"), account),
                "end_date": _local_date(row.get("schedule_end_time"), account)
                if row.get("schedule_type") == "SCHEDULE_START_END"
                else None,
                "created_at": row.get("create_time"),
                "updated_at": row.get("modify_time"),
            }

    def ads(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities.rows("tiktok_ads_ads", account.account_id):
            yield {
                "ad_id": row["ad_id"],
                "ad_name": row.get("ad_name"),
                "ad_group_id": row.get("adgroup_id"),
                "campaign_id": row.get("campaign_id"),
                "status_raw": row.get("secondary_status") or row.get("operation_status"),
                "creative_id": row.get("video_id") or next(iter(row.get("image_ids") or []), None),
                "created_at": row.get("create_time"),
                "updated_at": row.get("modify_time"),
            }

    def audiences(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities.rows("tiktok_ads_custom_audiences", account.account_id):
            yield {
                "audience_id": row["audience_id"],
                "audience_name": row.get("name"),
                "audience_type_raw": row.get("audience_type"),
                "source_audience_id": row.get("source_audience_id"),
                "approximate_size": row.get("cover_num"),
                "status_raw": "VALID" if row.get("is_valid") else "INVALID",
                "created_at": row.get("create_time"),
                "updated_at": None,
            }

    # -- reports --------------------------------------------------------------------------------

    def performance(self, account: AccountInfo, level: Level, start: date, end: date) -> Iterator[dict]:
        for row in self._rows(f"{REPORT_PREFIX}_ad_daily", account, start, end):
            yield _metrics(row)

    def hourly_performance(
        self, account: AccountInfo, level: Level, start: date, end: date
    ) -> Iterator[dict]:
        for row in self._rows(f"{REPORT_PREFIX}_ad_hourly", account, start, end):
            yield {**_metrics(row), "utc_start": row["hour_start_utc"]}

    def breakdowns(self, account: AccountInfo, dimension: str, start: date, end: date) -> Iterator[dict]:
        report, column = BREAKDOWN_SOURCES[dimension]
        for row in self._rows(report, account, start, end):
            metrics = _metrics(row)
            yield {
                "campaign_id": row.get("campaign_id"),
                "campaign_name": row.get("campaign_name"),
                "date_day": metrics["date_day"],
                "value_raw": "" if row.get(column) is None else str(row[column]),
                **{
                    k: metrics[k]
                    for k in ("impressions", "clicks", "spend", "conversions", "conversions_value")
                },
                "attribution_click_days": CLICK_DAYS,
                "attribution_view_days": VIEW_DAYS,
            }

    def _rows(self, report: str, account: AccountInfo, start: date, end: date) -> Iterator[dict[str, Any]]:
        spec: ReportSpec = self._specs[report]
        for row in self._reports.rows(spec, account.account_id, start, end):
            yield parse_row(row, spec, account.account_id, account.timezone)


def _metrics(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "campaign_id": row.get("campaign_id"),
        "campaign_name": row.get("campaign_name"),
        "ad_group_id": row.get("adgroup_id"),
        "ad_group_name": row.get("adgroup_name"),
        "ad_id": row.get("ad_id"),
        "ad_name": row.get("ad_name"),
        "date_day": date.fromisoformat(row["stat_time_day"]),
        "impressions": row.get("impressions"),
        "clicks": row.get("clicks"),
        "spend": row.get("spend"),
        "reach": row.get("reach"),
        "conversions": row.get("conversion"),
        "conversions_value": row.get("total_purchase_value"),
        "attribution_click_days": CLICK_DAYS,
        "attribution_view_days": VIEW_DAYS,
    }


def _budget(row: dict[str, Any]) -> tuple[Decimal | None, str | None]:
    period = BUDGET_PERIODS.get(str(row.get("budget_mode")))
    budget = row.get("budget")
    if period is None or not budget:
        return None, None
    return Decimal(str(budget)), period


def _local_date(value: datetime | None, account: AccountInfo) -> date | None:
    return value.astimezone(zone(account.timezone)).date() if value else None
