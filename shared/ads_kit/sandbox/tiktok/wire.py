"""How TikTok writes values (reference §1.5, §2, §3.3, §3.6, §6): times, money, statuses, vocabularies.

The world speaks canonical values (minor units, tz-aware UTC datetimes, neutral statuses and
breakdown values); everything here translates them to the v1.3 wire.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from iso4217 import Currency

from ads_kit.sandbox.world import Ad, AdGroup, Campaign


def words(text: str) -> tuple[str, ...]:
    """An enum as the reference lists it: whitespace-separated values."""
    return tuple(text.split())


# -- time -----------------------------------------------------------------------------------------


def utc_time(moment: datetime) -> str:
    """Entity times: ``YYYY-MM-DD HH:MM:SS`` in UTC (§2.3-§2.5, §6.1)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def parse_utc_time(text: str) -> datetime:
    """A filter time (``creation_filter_*``, ``modified_after``), UTC ``YYYY-MM-DD HH:MM:SS``."""
    parsed = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    return parsed.replace(tzinfo=UTC)


def local_midnight_utc(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


def stat_time_day(day: date) -> str:
    """Report day: advertiser-local, no offset (§3.3)."""
    return f"{day.isoformat()} 00:00:00"


def stat_time_hour(day: date, local_hour: int) -> str:
    """Report hour: advertiser-local ``YYYY-MM-DD HH:00:00`` (§3.3). In a DST fall-back the repeated
    hour comes twice with the same label, in order (the reference is silent; the shared
    `ads_kit.timezones.rebucket_hours` reads the second as the second pass)."""
    return f"{day.isoformat()} {local_hour:02d}:00:00"


# -- money ---------------------------------------------------------------------------------------


@functools.cache
def exponent(currency: str) -> int:
    return Currency(currency).exponent or 0


def major(minor: int, currency: str) -> Decimal:
    """World minor units as exact major units of the account currency."""
    return Decimal(minor).scaleb(-exponent(currency))


def budget_number(minor: int | None, currency: str) -> int | float:
    """Budgets are JSON numbers in the account currency (§2.3: ``2000``, ``20``, ``100.0``)."""
    if minor is None:
        return 0
    value = major(minor, currency)
    return int(value) if value == value.to_integral_value() else float(value)


MONEY_PLACES = 3


def money_string(value: Decimal, currency: str) -> str:
    """Money metrics: rounded to the currency's minor unit, written with three decimals.

    The real rows (tests/fixtures/tiktok/report_integrated_get_ads_daily_rows_airbyte.json, a USD
    account) show spend ``"20.000"`` and cpc ``"0.380"`` for 20/53 = 0.3774 and cpm ``"5.310"`` for
    5.312: cent-rounded values padded to three places. For a currency without minor units (JPY)
    the same rule gives ``"1234.000"`` (the reference shows no JPY row).
    """
    rounded = value.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)
    return f"{rounded:.{MONEY_PLACES}f}"


def places_string(value: Decimal, places: int) -> str:
    """A ratio rounded half-up to fixed places: ctr/frequency 2, cost_per_1000_reached 3,
    cost_per_result 4 (each checked against the real rows)."""
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):.{places}f}"


# -- objectives and delivery settings (§2.3, §2.4) ---------------------------------------------------

OBJECTIVE_TYPE = {
    "awareness": "REACH",
    "traffic": "TRAFFIC",
    "engagement": "ENGAGEMENT",
    "leads": "LEAD_GENERATION",
    "app_promotion": "APP_PROMOTION",
    "sales": "WEB_CONVERSIONS",
    "video_views": "VIDEO_VIEWS",
}


@dataclass(frozen=True)
class Delivery:
    """What an objective implies for an ad group: its goal, billing and promotion, and which world
    count is its `result` (§3.4: "result" is the optimisation goal's count; traffic rows show
    result == clicks)."""

    optimization_goal: str
    billing_event: str
    promotion_type: str
    result: str  # clicks | conversions | reach


DELIVERY = {
    "REACH": Delivery("REACH", "CPM", "WEBSITE", "reach"),
    "TRAFFIC": Delivery("CLICK", "CPC", "WEBSITE", "clicks"),
    "ENGAGEMENT": Delivery("CLICK", "CPC", "WEBSITE", "clicks"),
    "LEAD_GENERATION": Delivery("CONVERT", "OCPM", "WEBSITE", "conversions"),
    "APP_PROMOTION": Delivery("INSTALL", "OCPM", "APP", "conversions"),
    "WEB_CONVERSIONS": Delivery("CONVERT", "OCPM", "WEBSITE", "conversions"),
    "VIDEO_VIEWS": Delivery("CLICK", "CPV", "WEBSITE", "clicks"),
}
# The report attribute `promotion_type` is the display form ("Website", §3.6).
PROMOTION_LABEL = {"WEBSITE": "Website", "APP": "App"}


def objective_type(neutral: str) -> str:
    return OBJECTIVE_TYPE.get(neutral, "TRAFFIC")


def delivery(campaign: Campaign) -> Delivery:
    return DELIVERY[objective_type(campaign.objective)]


def budget_mode(period: str | None) -> str:
    return {"daily": "BUDGET_MODE_DAY", "lifetime": "BUDGET_MODE_TOTAL"}.get(
        period or "", "BUDGET_MODE_INFINITE"
    )


# -- statuses (§2.6, §6.4) ---------------------------------------------------------------------------
# The world's archived has no TikTok counterpart: it shows as disabled. An entity under a deleted
# parent is deleted too (TikTok's *_CAMPAIGN_DELETE / *_ADGROUP_DELETE secondary statuses), so every
# "not deleted" filter hides it with its parent.

OPERATION_STATUS = {"active": "ENABLE", "paused": "DISABLE", "archived": "DISABLE", "deleted": "DELETE"}
PRIMARY_STATUSES = (
    "STATUS_DELETE",
    "STATUS_DELIVERY_OK",
    "STATUS_DISABLE",
    "STATUS_NOT_DELIVERY",
    "STATUS_TIME_DONE",
    "STATUS_RF_CLOSED",
    "STATUS_FROZEN",
    "STATUS_ALL",
    "STATUS_NOT_DELETE",
    "STATUS_DELIVERY_PARTIAL",
    "STATUS_DELIVERY_CATALOG",
)


@dataclass(frozen=True)
class Status:
    secondary: str
    primary: str

    @property
    def deleted(self) -> bool:
        return self.primary == "STATUS_DELETE"


def _timed(prefix: str, start: date, end: date | None, today: date, done: str) -> Status:
    if start > today:
        return Status(f"{prefix}_NOT_START", "STATUS_NOT_DELIVERY")
    if end is not None and end < today:
        return Status(f"{prefix}_{done}", "STATUS_TIME_DONE")
    return Status(f"{prefix}_DELIVERY_OK", "STATUS_DELIVERY_OK")


def campaign_status(campaign: Campaign) -> Status:
    if campaign.status == "deleted":
        return Status("CAMPAIGN_STATUS_DELETE", "STATUS_DELETE")
    if campaign.status != "active":
        return Status("CAMPAIGN_STATUS_DISABLE", "STATUS_DISABLE")
    return Status("CAMPAIGN_STATUS_ENABLE", "STATUS_DELIVERY_OK")


def _chained(
    prefix: str, own: str, parents: list[tuple[str, str]], timing: tuple[date, date | None, date], done: str
) -> Status:
    """An ad group's or ad's status under its parents (nearest first): its own deletion, then a
    deleted parent, then a stopped parent (outermost first), its own pause, then its schedule."""
    if own == "deleted":
        return Status(f"{prefix}_DELETE", "STATUS_DELETE")
    for name, status in parents:
        if status == "deleted":
            return Status(f"{prefix}_{name}_DELETE", "STATUS_DELETE")
    for name, status in reversed(parents):
        if status != "active":
            return Status(f"{prefix}_{name}_DISABLE", "STATUS_DISABLE")
    if own != "active":
        return Status(f"{prefix}_DISABLE", "STATUS_DISABLE")
    return _timed(prefix, *timing, done)


def ad_group_status(group: AdGroup, campaign: Campaign, today: date) -> Status:
    timing = (group.start_date, group.end_date, today)
    return _chained("ADGROUP_STATUS", group.status, [("CAMPAIGN", campaign.status)], timing, "TIME_DONE")


def ad_status(ad: Ad, group: AdGroup, campaign: Campaign, today: date) -> Status:
    parents = [("ADGROUP", group.status), ("CAMPAIGN", campaign.status)]
    return _chained("AD_STATUS", ad.status, parents, (ad.start_date, ad.end_date, today), "DONE")


# Secondary statuses a filter may name per level (§2.6), beyond the ones the sandbox produces.
SECONDARY_FILTER_VALUES = {
    "campaign": words(
        "CAMPAIGN_STATUS_ENABLE CAMPAIGN_STATUS_DISABLE CAMPAIGN_STATUS_DELETE CAMPAIGN_STATUS_BUDGET_EXCEED "
        "CAMPAIGN_STATUS_ADVERTISER_AUDIT CAMPAIGN_STATUS_ADVERTISER_AUDIT_DENY "
        "CAMPAIGN_STATUS_AWAITING_RELEASE "
        "CAMPAIGN_STATUS_ALL CAMPAIGN_STATUS_NOT_DELETE"
    ),
    "adgroup": words(
        "ADGROUP_STATUS_DELIVERY_OK ADGROUP_STATUS_DISABLE ADGROUP_STATUS_CAMPAIGN_DISABLE "
        "ADGROUP_STATUS_DELETE "
        "ADGROUP_STATUS_CAMPAIGN_DELETE ADGROUP_STATUS_NOT_START ADGROUP_STATUS_TIME_DONE "
        "ADGROUP_STATUS_BUDGET_EXCEED ADGROUP_STATUS_BALANCE_EXCEED ADGROUP_STATUS_AUDIT "
        "ADGROUP_STATUS_AUDIT_DENY "
        "ADGROUP_STATUS_CREATE ADGROUP_STATUS_FROZEN ADGROUP_STATUS_ALL ADGROUP_STATUS_NOT_DELETE"
    ),
    "ad": words(
        "AD_STATUS_DELIVERY_OK AD_STATUS_DISABLE AD_STATUS_CAMPAIGN_DISABLE AD_STATUS_ADGROUP_DISABLE "
        "AD_STATUS_DELETE AD_STATUS_CAMPAIGN_DELETE AD_STATUS_ADGROUP_DELETE AD_STATUS_AUDIT "
        "AD_STATUS_AUDIT_DENY "
        "AD_STATUS_NOT_START AD_STATUS_DONE AD_STATUS_BUDGET_EXCEED AD_STATUS_ALL AD_STATUS_NOT_DELETE"
    ),
}


def passes_status(status: Status, primary: str | None, secondary: str | None) -> bool:
    """Entity filtering (§2.3-§2.5): without a status filter deleted entities are hidden."""
    if primary is None and secondary is None:
        return not status.deleted
    ok = True
    if primary is not None:
        ok = primary == "STATUS_ALL" or (
            not status.deleted if primary == "STATUS_NOT_DELETE" else status.primary == primary
        )
    if secondary is not None:
        if secondary.endswith("_STATUS_ALL"):
            pass
        elif secondary.endswith("_STATUS_NOT_DELETE"):
            ok = ok and not status.deleted
        else:
            ok = ok and status.secondary == secondary
    return ok


def report_status_passes(status: Status, values: frozenset[str]) -> bool:
    """A report's ``<level>_status`` IN filter (§3.5): primary statuses, plus ALL and NOT_DELETE."""
    return any(
        value == "STATUS_ALL"
        or (value == "STATUS_NOT_DELETE" and not status.deleted)
        or value == status.primary
        for value in values
    )


# -- breakdown vocabularies (§3.3) --------------------------------------------------------------------
# Each TikTok audience dimension reads one canonical world dimension; several canonical values may
# share one TikTok value (then summed). `platform`'s value set is [UNCERTAIN] in the reference
# (ANDROID/IOS/PC given as examples): the world's devices map onto those three.

AGE = {
    "18-24": "AGE_18_24",
    "25-34": "AGE_25_34",
    "35-44": "AGE_35_44",
    "45-54": "AGE_45_54",
    "55-64": "AGE_55_100",
    "65+": "AGE_55_100",
}
GENDER = {"male": "MALE", "female": "FEMALE", "unknown": "NONE"}
PLATFORM = {"mobile": "ANDROID", "tablet": "IOS", "desktop": "PC", "connected_tv": "PC"}
# TikTok dimension -> (world dimension, value translation or None to keep the value).
AUDIENCE_SOURCES: dict[str, tuple[str, dict[str, str] | None]] = {
    "age": ("age", AGE),
    "gender": ("gender", GENDER),
    "country_code": ("country", None),
    "platform": ("device", PLATFORM),
}

# GeoNames ids of countries (ad groups' `location_ids`, §2.4; the captured record targets 6252001, the US).
GEONAME_ID = {
    "US": "6252001",
    "GB": "2635167",
    "IE": "2963597",
    "CA": "6251999",
    "DE": "2921044",
    "AT": "2782113",
    "CH": "2658434",
    "FR": "3017382",
    "JP": "1861060",
    "KR": "1835841",
    "TW": "1668284",
}
