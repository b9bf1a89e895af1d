"""Meta rows -> unified rows: the only Meta-specific part of the unified streams.

The adapter is given its sources: the entity reader the raw edge streams read and the run's report
reader the raw insights streams read, so a unified row costs no request of its own. Conversions are
the configured ``conversion_events`` action types summed over the configured attribution windows;
Meta reports one purchase under several types (pixel, omni, custom conversion), so list only one
type per real event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from ads_kit.tap.reports.reader import ReportReader
from ads_kit.timezones import zone
from ads_kit.unified.adapter import AccountInfo, Level, UnifiedAdapter
from tap_meta_ads.entities import EdgeReader
from tap_meta_ads.parsing import hour_of, parse_insights_row, window_total
from tap_meta_ads.reports import INSIGHTS_STREAM, builtin_reports

# unified breakdown dimension -> (built-in report, the Meta column holding the value)
BREAKDOWN_SOURCES = {
    "age": ("meta_insights_age", "age"),
    "gender": ("meta_insights_gender", "gender"),
    "country": ("meta_insights_country", "country"),
    "device": ("meta_insights_platform_device", "impression_device"),
    "placement": ("meta_insights_platform_device", "platform_position"),
    "hour": ("meta_insights_hourly", "hourly_stats_aggregated_by_advertiser_time_zone"),
}
# the columns of a breakdown row after its campaign, day and value, as in a performance row
BREAKDOWN_METRICS = (
    "impressions", "clicks", "spend", "conversions", "conversions_value", "attribution_click_days",
    "attribution_view_days",
)  # fmt: skip
# Meta custom audiences carry no status; a delivery_status code of 200 means "ready for use".
READY_AUDIENCE = 200


class MetaUnifiedAdapter(UnifiedAdapter):
    additive_levels: ClassVar[bool] = True  # ad rows sum exactly to campaign rows (reach aside)
    breakdown_dimensions: ClassVar[tuple[str, ...]] = tuple(BREAKDOWN_SOURCES)

    def __init__(
        self,
        entities: EdgeReader,
        reports: ReportReader,
        *,
        metrics: tuple[str, ...],
        conversion_events: frozenset[str],
        attribution_windows: list[str],
    ) -> None:
        self._entities = entities
        self._reports = reports
        self._specs = {spec.name: spec for spec in builtin_reports(metrics)}
        self._conversion_events = conversion_events
        self._windows = attribution_windows

    # -- entities -------------------------------------------------------------------------------

    def campaigns(self, account: AccountInfo, campaign_ids: Sequence[str] | None = None) -> Iterator[dict]:
        reader, key = self._entities, ("meta_campaigns", account.account_id)
        for row in reader.rows(*key) if campaign_ids is None else reader.by_id(*key, campaign_ids):
            yield _scheduled(row, account, "campaign", end_field="stop_time")

    campaigns_by_id = campaigns  # the listed ones, or those given read by id (deleted ones included)

    def ad_groups(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities.rows("meta_adsets", account.account_id):
            yield _scheduled(
                row, account, "ad_group", end_field="end_time", campaign_id=row.get("campaign_id")
            )

    def ads(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities.rows("meta_ads", account.account_id):
            yield {
                "ad_id": row["id"],
                "ad_name": row.get("name"),
                "ad_group_id": row.get("adset_id"),
                "campaign_id": row.get("campaign_id"),
                "status_raw": row.get("effective_status"),
                "creative_id": (row.get("creative") or {}).get("id"),
                "created_at": row.get("created_time"),
                "updated_at": row.get("updated_time"),
            }

    def audiences(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities.rows("meta_custom_audiences", account.account_id):
            origin = ((row.get("lookalike_spec") or {}).get("origin") or [{}])[0]
            delivery = (row.get("delivery_status") or {}).get("code")
            yield {
                "audience_id": row["id"],
                "audience_name": row.get("name"),
                "audience_type_raw": row.get("subtype"),
                "source_audience_id": origin.get("id"),
                "approximate_size": row.get("approximate_count_upper_bound"),
                "status_raw": "ACTIVE" if delivery == READY_AUDIENCE else None,
                "created_at": row.get("time_created"),
                "updated_at": row.get("time_updated"),
            }

    # -- reports --------------------------------------------------------------------------------

    def performance(self, account: AccountInfo, level: Level, start: date, end: date) -> Iterator[dict]:
        for row in self._report_rows(INSIGHTS_STREAM, account, start, end):
            yield self._metrics(row)

    def hourly_performance(
        self, account: AccountInfo, level: Level, start: date, end: date
    ) -> Iterator[dict]:
        for row in self._report_rows("meta_insights_hourly", account, start, end):
            slot = row.get("hourly_stats_aggregated_by_advertiser_time_zone")
            if slot:
                yield {**self._metrics(row), "hour": hour_of(slot)}

    def breakdowns(self, account: AccountInfo, dimension: str, start: date, end: date) -> Iterator[dict]:
        report, column = BREAKDOWN_SOURCES[dimension]
        for row in self._report_rows(report, account, start, end):
            metrics = self._metrics(row)
            yield {
                **{k: metrics[k] for k in ("campaign_id", "campaign_name", "date_day")},
                "value_raw": row.get(column) or "",
                **{k: metrics[k] for k in BREAKDOWN_METRICS},
            }

    def _report_rows(self, report: str, account: AccountInfo, start: date, end: date) -> Iterator[dict]:
        """Rows of ``report`` for [start, end], through the run's report layer: inside a unified
        stream's reading they come from the jobs of all its windows at once (or the slice cache)."""
        for row in self._reports.rows(self._specs[report], account.account_id, start, end):
            yield parse_insights_row(row)

    def _metrics(self, row: dict[str, Any]) -> dict[str, Any]:
        types, windows = self._conversion_events, self._windows
        return {
            "campaign_id": row.get("campaign_id"),
            "campaign_name": row.get("campaign_name"),
            "ad_group_id": row.get("adset_id"),
            "ad_group_name": row.get("adset_name"),
            "ad_id": row.get("ad_id"),
            "ad_name": row.get("ad_name"),
            "date_day": row["date_start"],
            "impressions": row.get("impressions"),
            "clicks": row.get("clicks"),
            "spend": row.get("spend"),
            "reach": row.get("reach"),
            "conversions": window_total(row.get("actions"), types, windows),
            "conversions_value": window_total(row.get("action_values"), types, windows),
            "attribution_click_days": _window_days(windows, "_click"),
            "attribution_view_days": _window_days(windows, "_view"),
        }


def _scheduled(
    row: dict[str, Any], account: AccountInfo, kind: str, *, end_field: str, **columns: Any
) -> dict[str, Any]:
    """A campaign or ad set (``kind`` names its id and name): the given ``columns``, then status,
    budget and schedule, which both share (campaigns say ``stop_time``, the end of the last day)."""
    budget, period = _budget(row)
    return {
        f"{kind}_id": row["id"],
        f"{kind}_name": row.get("name"),
        **columns,
        "status_raw": row.get("effective_status"),
        "objective_raw": row.get("objective"),  # campaigns only: unified ad groups have no such column
        "budget": budget,
        "budget_period": period,
        "start_date": _local_date(row.get("start_time"), account),
        "end_date": _local_date(row.get(end_field), account, less=timedelta(microseconds=1)),
        "created_at": row.get("created_time"),
        "updated_at": row.get("updated_time"),
    }


def _budget(row: dict[str, Any]) -> tuple[Decimal | None, str | None]:
    """Meta sets either a daily or a lifetime budget (the other is absent or 0)."""
    for field, period in (("daily_budget", "daily"), ("lifetime_budget", "lifetime")):
        if row.get(field):
            return row[field], period
    return None, None


def _local_date(value: datetime | None, account: AccountInfo, less: timedelta = timedelta(0)) -> date | None:
    return (value - less).astimezone(zone(account.timezone)).date() if value else None


def _window_days(windows: Iterable[str], suffix: str) -> int | None:
    days = [int(w.split("d_")[0]) for w in windows if w.endswith(suffix) and w.split("d_")[0].isdigit()]
    return max(days) if days else None
