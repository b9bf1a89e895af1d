"""Google rows -> unified rows: the only Google-specific part of the unified streams.

The adapter reads the same entity tables and report windows the raw streams read (``GoogleSource``,
``tap.reports``), so a unified row costs no request of its own. Money goes from micros to Decimal
major units, dates stay the customer's own days, enums stay Google's names (the shared vocabularies
map them). Conversions are Google's ``metrics.conversions`` (the actions included in it), or with
``conversion_actions`` the sum of those actions from the per-conversion-action report; each row
states the longest click-through window of the actions it counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import pycountry

from ads_kit.money import from_micros
from ads_kit.tap.reports.reader import ReportReader
from ads_kit.unified.adapter import AccountInfo, Level, UnifiedAdapter
from ads_kit.unified.metrics import sum_rows
from tap_google_ads_unified.queries import BREAKDOWNS, ENTITIES, PERFORMANCE, Query
from tap_google_ads_unified.sources import GoogleSource

CONVERSIONS = BREAKDOWNS["google_ads_conversion_action_performance"]
HOURLY = BREAKDOWNS["google_ads_ad_hourly_performance"]
# unified breakdown dimension -> (report, the column holding the value)
BREAKDOWN_SOURCES = {
    "age": (BREAKDOWNS["google_ads_age_range_performance"], "ad_group_criterion_age_range_type"),
    "gender": (BREAKDOWNS["google_ads_gender_performance"], "ad_group_criterion_gender_type"),
    "device": (BREAKDOWNS["google_ads_device_performance"], "device"),
    "country": (BREAKDOWNS["google_ads_geographic_performance"], "geographic_view_country_criterion_id"),
    "hour": (HOURLY, "hour"),
}
BUDGET_PERIODS = {"DAILY": "daily", "CUSTOM_PERIOD": "lifetime"}
# Google numbers a country's geo target 2000 + its ISO 3166-1 numeric code (2840: United States).
GEO_COUNTRY_OFFSET = 2000


def decimal(value: float | int | None) -> Decimal:
    """A double as the exact decimal its shortest repr writes (``0.1`` -> ``Decimal('0.1')``)."""
    return Decimal(str(value)) if value else Decimal(0)


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def last_id(resource_name: str | None) -> str | None:
    """``customers/1/campaignBudgets/2`` -> ``2`` (composite ``1~2`` -> ``2``)."""
    return resource_name.rsplit("/", 1)[-1].rsplit("~", 1)[-1] if resource_name else None


def _local_date(date_time: str | None) -> date | None:
    """``start_date_time`` is customer-local ``yyyy-MM-dd HH:mm:ss`` (reference §8): its day."""
    return date.fromisoformat(date_time[:10]) if date_time else None


def country_code(criterion_id: Any) -> str:
    country = pycountry.countries.get(numeric=f"{int(criterion_id) - GEO_COUNTRY_OFFSET:03d}")
    return country.alpha_2 if country is not None else str(criterion_id)


class GoogleUnifiedAdapter(UnifiedAdapter):
    # Ad rows leave out campaigns without ads (Performance Max, Shopping): campaign rows are read.
    additive_levels: ClassVar[bool] = False
    breakdown_dimensions: ClassVar[tuple[str, ...]] = tuple(BREAKDOWN_SOURCES)

    def __init__(
        self, source: GoogleSource, reports: ReportReader, conversion_actions: Iterable[str]
    ) -> None:
        self._source = source
        self._reports = reports
        self._actions = frozenset(str(a) for a in conversion_actions)

    # -- entities -------------------------------------------------------------------------------

    def _entities(self, name: str, account: AccountInfo) -> Iterator[dict[str, Any]]:
        return self._source.rows(ENTITIES[f"google_ads_{name}"], account.account_id)

    def campaigns(self, account: AccountInfo, campaign_ids: Sequence[str] | None = None) -> Iterator[dict]:
        budgets = {_id(b["campaign_budget_id"]): b for b in self._entities("campaign_budgets", account)}
        if campaign_ids is None:
            rows: Iterable[dict[str, Any]] = self._entities("campaigns", account)
        else:
            rows = self._source.by_id(ENTITIES["google_ads_campaigns"], account.account_id, campaign_ids)
        for row in rows:
            budget = budgets.get(last_id(row.get("campaign_campaign_budget"))) or {}
            amount = budget.get("campaign_budget_amount_micros") or budget.get(
                "campaign_budget_total_amount_micros"
            )
            yield {
                "campaign_id": _id(row["campaign_id"]),
                "campaign_name": row.get("campaign_name"),
                "status_raw": row.get("campaign_status"),
                "objective_raw": row.get("campaign_advertising_channel_type"),
                "budget": from_micros(amount) if amount is not None else None,
                "budget_period": BUDGET_PERIODS.get(budget.get("campaign_budget_period") or ""),
                "start_date": _local_date(row.get("campaign_start_date_time")),
                "end_date": _local_date(row.get("campaign_end_date_time")),
            }

    campaigns_by_id = campaigns  # the listed ones, or those given read by id (REMOVED ones included)

    def ad_groups(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities("ad_groups", account):
            yield {
                "ad_group_id": _id(row["ad_group_id"]),
                "ad_group_name": row.get("ad_group_name"),
                "campaign_id": _id(row.get("campaign_id")),
                "status_raw": row.get("ad_group_status"),
            }

    def ads(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities("ads", account):
            yield {
                "ad_id": _id(row["ad_group_ad_ad_id"]),
                "ad_name": row.get("ad_group_ad_ad_name"),
                "ad_group_id": _id(row.get("ad_group_id")),
                "campaign_id": _id(row.get("campaign_id")),
                "status_raw": row.get("ad_group_ad_status"),
            }

    def audiences(self, account: AccountInfo) -> Iterator[dict]:
        for row in self._entities("user_lists", account):
            seeds = row.get("user_list_lookalike_user_list_seed_user_list_ids") or []
            yield {
                "audience_id": _id(row["user_list_id"]),
                "audience_name": row.get("user_list_name"),
                "audience_type_raw": row.get("user_list_type"),
                "source_audience_id": _id(seeds[0]) if seeds else None,
                "approximate_size": row.get("user_list_size_for_display"),
                "status_raw": row.get("user_list_membership_status"),
            }

    # -- reports --------------------------------------------------------------------------------

    def _rows(self, query: Query, account: AccountInfo, start: date, end: date) -> list[dict[str, Any]]:
        return self._reports.rows(query, account.account_id, start, end)

    def _click_days(self, account: AccountInfo) -> int | None:
        """The longest click-through window of the actions counted as conversions."""
        days = [
            row["conversion_action_click_through_lookback_window_days"]
            for row in self._entities("conversion_actions", account)
            if (
                self._counted(row)
                if self._actions
                else row.get("conversion_action_include_in_conversions_metric")
            )
            and row.get("conversion_action_click_through_lookback_window_days") is not None
        ]
        return max(days) if days else None

    def _counted(self, action: dict[str, Any]) -> bool:
        return bool(
            {str(action.get("conversion_action_id")), action.get("conversion_action_name")} & self._actions
        )

    def _metrics(self, row: dict[str, Any], click_days: int | None) -> dict[str, Any]:
        return {
            "campaign_id": _id(row.get("campaign_id")),
            "campaign_name": row.get("campaign_name"),
            "ad_group_id": _id(row.get("ad_group_id")),
            "ad_group_name": row.get("ad_group_name"),
            "ad_id": _id(row.get("ad_group_ad_ad_id")),
            "ad_name": row.get("ad_group_ad_ad_name"),
            "date_day": row["date"],
            "impressions": row.get("impressions") or 0,
            "clicks": row.get("clicks") or 0,
            "spend": from_micros(row.get("cost_micros") or 0),
            "reach": None,  # Google reports reach only over whole periods, never per day
            "conversions": decimal(row.get("conversions")),
            "conversions_value": decimal(row.get("conversions_value")),
            "attribution_click_days": click_days,
            "attribution_view_days": None,
        }

    def _chosen_conversions(
        self, account: AccountInfo, start: date, end: date, keys: tuple[str, ...]
    ) -> dict:
        """(key columns) -> (conversions, value) of the configured actions."""
        counted = {
            str(action_id)
            for row in self._entities("conversion_actions", account)
            if self._counted(row)
            for action_id in (row["conversion_action_id"],)
        }
        totals: dict[tuple, tuple[Decimal, Decimal]] = {}
        for row in self._rows(CONVERSIONS, account, start, end):
            if last_id(row.get("conversion_action")) not in counted:
                continue
            key = tuple(row.get(k) for k in keys)
            conversions, value = totals.get(key, (Decimal(0), Decimal(0)))
            totals[key] = (
                conversions + decimal(row.get("conversions")),
                value + decimal(row.get("conversions_value")),
            )
        return totals

    def performance(self, account: AccountInfo, level: Level, start: date, end: date) -> Iterator[dict]:
        click_days = self._click_days(account)
        query = PERFORMANCE[f"google_ads_{level}_performance"]
        keys = tuple(k for k in query.key_fields if k != "customer_id")
        chosen = self._chosen_conversions(account, start, end, keys) if self._actions else None
        for row in self._rows(query, account, start, end):
            metrics = self._metrics(row, click_days)
            if chosen is not None:
                metrics["conversions"], metrics["conversions_value"] = chosen.get(
                    tuple(row.get(k) for k in keys), (Decimal(0), Decimal(0))
                )
            yield metrics

    def hourly_performance(
        self, account: AccountInfo, level: Level, start: date, end: date
    ) -> Iterable[dict]:
        click_days = self._click_days(account)
        rows = [
            {**self._metrics(row, click_days), "hour": row["hour"]}
            for row in self._rows(HOURLY, account, start, end)
        ]
        if level == "ad":
            return rows
        for row in rows:
            row.update(ad_group_id=None, ad_group_name=None, ad_id=None, ad_name=None)
        return sum_rows(rows, ("campaign_id", "date_day", "hour"))

    def breakdowns(self, account: AccountInfo, dimension: str, start: date, end: date) -> Iterator[dict]:
        query, column = BREAKDOWN_SOURCES[dimension]
        click_days = self._click_days(account)
        for row in self._rows(query, account, start, end):
            metrics = self._metrics(row, click_days)
            value = row.get(column)
            yield {
                **{k: metrics[k] for k in ("campaign_id", "campaign_name", "date_day")},
                "value_raw": country_code(value) if dimension == "country" else str(value),
                **{
                    k: metrics[k]
                    for k in (
                        "impressions",
                        "clicks",
                        "spend",
                        "conversions",
                        "conversions_value",
                        "attribution_click_days",
                        "attribution_view_days",
                    )
                },
            }
