"""How Meta writes values on the wire: money, datetimes, statuses and breakdown vocabularies.

The world speaks canonical values (minor units by ISO 4217 exponent, UTC datetimes, neutral
vocabularies); everything here translates them to what Graph sends (reference §2, §3.2).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pycountry
from iso4217 import Currency

# Meta's "offset" table: currencies whose budgets are whole units (reference §2, currencies page).
_OFFSET_ONE = frozenset({"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"})


@functools.cache
def iso_exponent(currency: str) -> int:
    return Currency(currency).exponent or 0


def meta_offset_exponent(currency: str) -> int:
    """Decimal places of Meta's minor unit for `currency` (0 for offset-1 currencies, else 2)."""
    return 0 if currency in _OFFSET_ONE else 2


def major(minor: int, currency: str) -> Decimal:
    """World minor units (ISO exponent) as an exact major-unit Decimal."""
    return Decimal(minor).scaleb(-iso_exponent(currency))


def meta_minor(minor: int, currency: str) -> str:
    """Budgets and account amounts: a string in Meta's minor unit ("5000" = 50.00 USD, "5000" = 5000 JPY)."""
    value = major(minor, currency).scaleb(meta_offset_exponent(currency))
    return str(value.to_integral_value(rounding=ROUND_HALF_UP))


def decimal_string(value: Decimal) -> str:
    """Meta's plain decimal rendering: no exponent, no trailing zeros ("14.35", "1.435", "0")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def money_string(minor: int, currency: str) -> str:
    """Insights spend and money values: exact major units of the account currency."""
    return decimal_string(major(minor, currency))


def ratio_string(numerator: Decimal | int, denominator: Decimal | int) -> str:
    """Derived insights ratios (cpc, cpm, ctr, frequency) with Meta's six decimals."""
    value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return decimal_string(value)


def graph_datetime(moment: datetime, timezone: str) -> str:
    """Object timestamps: ISO-8601 in the account zone with a colon-less offset (2024-03-12T15:02:47-0700)."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M:%S%z")


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def unix_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


# Canonical status -> Meta status (configured and effective are the same for the world's entities).
STATUS = {"active": "ACTIVE", "paused": "PAUSED", "archived": "ARCHIVED", "deleted": "DELETED"}
DEFAULT_VISIBLE_STATUSES = frozenset({"ACTIVE", "PAUSED"})


def effective_status(status: str, *, campaign_status: str, adset_status: str | None = None) -> str:
    """Effective status: a paused or gone parent shows through an active child."""
    if status != "ACTIVE":
        return status
    if campaign_status != "ACTIVE":
        return "CAMPAIGN_PAUSED"
    if adset_status is not None and adset_status != "ACTIVE":
        return "ADSET_PAUSED"
    return status


# Account status map (reference §2.1).
ACCOUNT_STATUS = {"active": 1, "disabled": 2, "unsettled": 3, "closed": 101, "paused": 1}

OBJECTIVE = {
    "awareness": "OUTCOME_AWARENESS",
    "traffic": "OUTCOME_TRAFFIC",
    "engagement": "OUTCOME_ENGAGEMENT",
    "leads": "OUTCOME_LEADS",
    "app_promotion": "OUTCOME_APP_PROMOTION",
    "sales": "OUTCOME_SALES",
    "video_views": "OUTCOME_ENGAGEMENT",
}
OPTIMIZATION_GOAL = {
    "OUTCOME_AWARENESS": "REACH",
    "OUTCOME_TRAFFIC": "LINK_CLICKS",
    "OUTCOME_ENGAGEMENT": "POST_ENGAGEMENT",
    "OUTCOME_LEADS": "LEAD_GENERATION",
    "OUTCOME_APP_PROMOTION": "APP_INSTALLS",
    "OUTCOME_SALES": "OFFSITE_CONVERSIONS",
}


def objective(neutral: str | None) -> str:
    return OBJECTIVE.get(neutral or "", "OUTCOME_SALES")


# Breakdown vocabularies. Each Meta breakdown reads one canonical world dimension and maps its values;
# several canonical values may share one Meta value (they are then summed).
PUBLISHER_PLATFORM = {
    "feed": "facebook",
    "stories": "instagram",
    "search": "facebook",
    "video": "facebook",
    "audience_network": "audience_network",
}
PLATFORM_POSITION = {
    "feed": "feed",
    "stories": "instagram_stories",
    "search": "search",
    "video": "video_feeds",
    "audience_network": "an_classic",
}
DEVICE_PLATFORM = {
    "mobile": "mobile_app",
    "tablet": "mobile_app",
    "desktop": "desktop",
    "connected_tv": "desktop",
}
IMPRESSION_DEVICE = {
    "mobile": "android_smartphone",
    "tablet": "ipad",
    "desktop": "desktop",
    "connected_tv": "other",
}
HOURLY_BREAKDOWNS = frozenset(
    {"hourly_stats_aggregated_by_advertiser_time_zone", "hourly_stats_aggregated_by_audience_time_zone"}
)


@functools.cache
def region_of(country: str) -> str:
    """The one region the sandbox reports for a country: its first subdivision by code (or the country)."""
    subdivisions = sorted(pycountry.subdivisions.get(country_code=country) or [], key=lambda s: s.code)
    if subdivisions:
        return subdivisions[0].name
    found = pycountry.countries.get(alpha_2=country)
    return found.name if found else "Unknown"


def comscore_market_of(country: str) -> str:
    """The one Comscore market the sandbox reports for a country: Comscore's markets are US media
    markets, so US traffic falls in one of them and every other country's in "Unknown"."""
    return "New York, NY" if country == "US" else "Unknown"


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00:00 - {hour:02d}:59:59"


# Meta breakdown -> (world dimension, value translation). `None` translation keeps the value.
BREAKDOWN_SOURCES: dict[str, tuple[str, Callable[[str], str] | None]] = {
    "age": ("age", None),
    "gender": ("gender", None),
    "country": ("country", None),
    "region": ("country", region_of),
    "comscore_market": ("country", comscore_market_of),
    "publisher_platform": ("placement", PUBLISHER_PLATFORM.__getitem__),
    "platform_position": ("placement", PLATFORM_POSITION.__getitem__),
    "device_platform": ("device", DEVICE_PLATFORM.__getitem__),
    "impression_device": ("device", IMPRESSION_DEVICE.__getitem__),
}
