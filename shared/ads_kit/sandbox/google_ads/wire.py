"""The world's neutral values as Google Ads writes them: enum names, ids, resource names, money.

Enum values are v26's (reference §1.3, and the library's enums). Where the world and Google differ,
the choice is stated here once, so a tap's expected values can be computed from the world the same way.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pycountry

from ads_kit.sandbox.world import DIMENSIONS, Account

# Google has ENABLED, PAUSED and REMOVED for campaigns, ad groups and ads; the world's archived
# entities, like its deleted ones, no longer deliver and are kept for reporting: REMOVED.
ENTITY_STATUS = {"active": "ENABLED", "paused": "PAUSED", "archived": "REMOVED", "deleted": "REMOVED"}
# Conversion actions: ENABLED, REMOVED, HIDDEN; an archived event is one that was removed.
CONVERSION_STATUS = {"active": "ENABLED", "paused": "ENABLED", "archived": "REMOVED", "deleted": "REMOVED"}
# Campaigns state no objective; the channel type is the closest statement of intent. Each world
# objective maps to the channel ads_kit.unified.normalize maps back to it (its first such entry).
CHANNEL_TYPE = {
    "traffic": "SEARCH",
    "awareness": "DISPLAY",
    "sales": "SHOPPING",
    "video_views": "VIDEO",
    "app_promotion": "MULTI_CHANNEL",
    "leads": "LOCAL_SERVICES",
    "engagement": "DEMAND_GEN",
}
DEVICE = {"mobile": "MOBILE", "desktop": "DESKTOP", "tablet": "TABLET", "connected_tv": "CONNECTED_TV"}
# "18-24" is AGE_RANGE_18_24, "65+" AGE_RANGE_65_UP.
AGE_RANGE = {age: "AGE_RANGE_" + age.replace("-", "_").replace("+", "_UP") for age in DIMENSIONS["age"]}
GENDER = {"male": "MALE", "female": "FEMALE", "unknown": "UNDETERMINED"}
# Demographic criteria are the same in every ad group, with Google's fixed criterion ids (its
# published age-range and gender criterion codes; the reference names the views, not the ids).
AGE_CRITERION_ID = {age: 503001 + index for index, age in enumerate(DIMENSIONS["age"])}
GENDER_CRITERION_ID = {"male": 10, "female": 11, "unknown": 20}
# user_list.type: the world's audience sources as Google list types.
USER_LIST_TYPE = {
    "website": "RULE_BASED",
    "customer_list": "CRM_BASED",
    "app": "RULE_BASED",
    "engagement": "RULE_BASED",
    "lookalike": "LOOKALIKE",
}
CONVERSION_CATEGORY = {
    "purchase": "PURCHASE",
    "lead": "SUBMIT_LEAD_FORM",
    "add_to_cart": "ADD_TO_CART",
    "complete_registration": "SIGNUP",
}
DAY_OF_WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
MICROS = 1_000_000


def micros(account: Account, minor: int) -> int:
    """Money in micros of the account currency (reference §8: `*_micros` = units x 1,000,000)."""
    return minor * (MICROS // 10**account.currency_exponent)


def major(account: Account, minor: int) -> float:
    """Money as a double in units of the account currency (metrics.conversions_value)."""
    return minor / 10**account.currency_exponent


def country_criterion_id(code: str) -> int:
    """The country's geo target constant: Google numbers countries 2000 + ISO 3166-1 numeric
    (2840 is the United States); the reference is silent on the ids."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise ValueError(f"no ISO 3166 country {code!r}")
    return 2000 + int(country.numeric)


def date_time(day: date, end: bool = False) -> str:
    """`start_date_time`/`end_date_time`: customer-local ``yyyy-MM-dd HH:mm:ss`` (reference §8); a
    schedule's last day runs to its last second."""
    return f"{day.isoformat()} {'23:59:59' if end else '00:00:00'}"


def date_segments(day: date) -> dict[str, Any]:
    """segments.date/week/month/quarter/year/day_of_week of one local day. Weeks start on Monday:
    segments.week '2022-04-04' for Saturday 2022-04-09 (account_performance_rows_airbyte_flattened.json)."""
    quarter = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return {
        "segments.date": day.isoformat(),
        "segments.week": (day - timedelta(days=day.weekday())).isoformat(),
        "segments.month": day.replace(day=1).isoformat(),
        "segments.quarter": quarter.isoformat(),
        "segments.year": day.year,
        "segments.day_of_week": DAY_OF_WEEK[day.weekday()],
    }


def customer_name(customer_id: str) -> str:
    return f"customers/{customer_id}"


__all__ = [
    "AGE_CRITERION_ID",
    "AGE_RANGE",
    "CHANNEL_TYPE",
    "CONVERSION_CATEGORY",
    "CONVERSION_STATUS",
    "DEVICE",
    "ENTITY_STATUS",
    "GENDER",
    "GENDER_CRITERION_ID",
    "USER_LIST_TYPE",
    "country_criterion_id",
    "customer_name",
    "date_segments",
    "date_time",
    "major",
    "micros",
]
