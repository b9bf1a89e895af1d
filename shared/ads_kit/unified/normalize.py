"""Normalized vocabularies shared by the three platforms, with per-platform mapping tables.

Every mapping keeps the raw value alongside. A value missing from a table maps to the field's
fallback ("unknown" or "other") and is reported as unmapped, never dropped. Tables hold facts from
the platform references: Meta ``effective_status``/``objective``/breakdown values, Google Ads enum
names (v26), TikTok ``operation_status``/``secondary_status``/``objective_type``/audience dimensions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry

STATUSES = ("active", "paused", "removed", "archived", "draft", "unknown")
OBJECTIVES = ("awareness", "traffic", "engagement", "leads", "app_promotion", "sales", "video_views", "other")
# TikTok reports 13-17 and an open 55+ band; they stay distinct rather than being forced into 55-64/65+.
AGES = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "55+", "unknown")
GENDERS = ("male", "female", "unknown")
DEVICES = ("mobile", "desktop", "tablet", "connected_tv", "other")
PLACEMENTS = ("feed", "stories", "search", "video", "audience_network", "other")
AUDIENCE_TYPES = ("custom", "lookalike", "website", "customer_list", "engagement", "other")

_FALLBACK = {
    "status": "unknown",
    "objective": "other",
    "age": "unknown",
    "gender": "unknown",
    "device": "other",
    "placement": "other",
    "country": "unknown",
    "hour": "unknown",
    "audience_type": "other",
}

_STATUS = {
    "meta_ads": {
        # effective_status of campaigns, ad sets and ads
        "ACTIVE": "active",
        "PAUSED": "paused",
        "CAMPAIGN_PAUSED": "paused",
        "ADSET_PAUSED": "paused",
        "DELETED": "removed",
        "ARCHIVED": "archived",
        "IN_PROCESS": "active",
        "WITH_ISSUES": "active",
        "PENDING_REVIEW": "active",
        "PREAPPROVED": "active",
        "DISAPPROVED": "paused",
        "PENDING_BILLING_INFO": "paused",
        # ad account account_status (numeric, sent as an int or string)
        "1": "active",
        "2": "paused",
        "3": "paused",
        "7": "paused",
        "8": "paused",
        "9": "active",
        "100": "paused",
        "101": "removed",
    },
    "google_ads": {
        "ENABLED": "active",
        "PAUSED": "paused",
        "REMOVED": "removed",
        "CANCELED": "removed",
        "CLOSED": "removed",
        "OPEN": "active",  # user_list.membership_status
        "SUSPENDED": "paused",
        "UNKNOWN": "unknown",
        "UNSPECIFIED": "unknown",
    },
    "tiktok_ads": {
        # operation_status
        "ENABLE": "active",
        "DISABLE": "paused",
        "FROZEN": "paused",
        "DELETE": "removed",
        # advertiser status
        "STATUS_ENABLE": "active",
        "STATUS_DISABLE": "paused",
        "STATUS_LIMIT": "paused",
        "STATUS_PENDING_CONFIRM": "draft",
        "STATUS_PENDING_VERIFIED": "draft",
        "STATUS_CONFIRM_FAIL": "paused",
        # primary_status
        "STATUS_DELETE": "removed",
        "STATUS_DELIVERY_OK": "active",
        "STATUS_NOT_DELIVERY": "paused",
        "STATUS_TIME_DONE": "archived",
        "STATUS_FROZEN": "paused",
        # custom audiences: no status text, only is_valid (the adapter names it VALID or INVALID);
        # an invalid audience cannot be targeted until it is valid again
        "VALID": "active",
        "INVALID": "paused",
    },
}

# TikTok secondary statuses number about sixty per level (CAMPAIGN_/ADGROUP_/AD_STATUS_…) and grow
# (ADVERTISER_ACCOUNT_PUNISH was seen live), so they map by their meaning-bearing suffix.
_TIKTOK_SECONDARY_SUFFIXES = (
    ("DELETE", "removed"),
    ("DISABLE", "paused"),
    ("FROZEN", "paused"),
    ("BUDGET_EXCEED", "paused"),
    ("BALANCE_EXCEED", "paused"),
    ("AUDIT_DENY", "paused"),
    ("TIME_DONE", "archived"),
    ("_DONE", "archived"),
    ("NOT_START", "active"),
    ("DELIVERY_OK", "active"),
    ("ENABLE", "active"),
    ("AUDIT", "draft"),
    ("CREATE", "draft"),
)
_TIKTOK_SECONDARY = re.compile(r"^(CAMPAIGN|ADGROUP|AD)_STATUS_(?P<rest>[A-Z_]+)$")

_OBJECTIVE = {
    "meta_ads": {
        "OUTCOME_AWARENESS": "awareness",
        "OUTCOME_TRAFFIC": "traffic",
        "OUTCOME_ENGAGEMENT": "engagement",
        "OUTCOME_LEADS": "leads",
        "OUTCOME_APP_PROMOTION": "app_promotion",
        "OUTCOME_SALES": "sales",
        "APP_INSTALLS": "app_promotion",
        "BRAND_AWARENESS": "awareness",
        "CONVERSIONS": "sales",
        "EVENT_RESPONSES": "engagement",
        "LEAD_GENERATION": "leads",
        "LINK_CLICKS": "traffic",
        "LOCAL_AWARENESS": "awareness",
        "MESSAGES": "engagement",
        "OFFER_CLAIMS": "sales",
        "PAGE_LIKES": "engagement",
        "POST_ENGAGEMENT": "engagement",
        "PRODUCT_CATALOG_SALES": "sales",
        "REACH": "awareness",
        "STORE_VISITS": "traffic",
        "VIDEO_VIEWS": "video_views",
    },
    # Google campaigns have no objective field; advertising_channel_type is the closest statement of intent.
    "google_ads": {
        "SEARCH": "traffic",
        "DISPLAY": "awareness",
        "SHOPPING": "sales",
        "HOTEL": "sales",
        "VIDEO": "video_views",
        "MULTI_CHANNEL": "app_promotion",
        "LOCAL": "traffic",
        "SMART": "other",
        "PERFORMANCE_MAX": "sales",
        "LOCAL_SERVICES": "leads",
        "TRAVEL": "sales",
        "DEMAND_GEN": "engagement",
        "UNKNOWN": "other",
        "UNSPECIFIED": "other",
    },
    "tiktok_ads": {
        "APP_PROMOTION": "app_promotion",
        "APP_INSTALL": "app_promotion",
        "RF_APP_INSTALL": "app_promotion",
        "WEB_CONVERSIONS": "sales",
        "CONVERSIONS": "sales",
        "CATALOG_SALES": "sales",
        "PRODUCT_SALES": "sales",
        "SHOP_PURCHASES": "sales",
        "SALES": "sales",
        "REACH": "awareness",
        "RF_REACH": "awareness",
        "TOPVIEW_REACH": "awareness",
        "BRAND_CONSIDERATION": "awareness",
        "TRAFFIC": "traffic",
        "RF_TRAFFIC": "traffic",
        "VIDEO_VIEWS": "video_views",
        "RF_VIDEO_VIEW": "video_views",
        "ENGAGEMENT": "engagement",
        "RF_ENGAGEMENT": "engagement",
        "LEAD_GENERATION": "leads",
    },
}

_AGE = {
    "meta_ads": {
        "13-17": "13-17",
        "18-24": "18-24",
        "25-34": "25-34",
        "35-44": "35-44",
        "45-54": "45-54",
        "55-64": "55-64",
        "65+": "65+",
        "Unknown": "unknown",
        "unknown": "unknown",
    },
    "google_ads": {
        "AGE_RANGE_18_24": "18-24",
        "AGE_RANGE_25_34": "25-34",
        "AGE_RANGE_35_44": "35-44",
        "AGE_RANGE_45_54": "45-54",
        "AGE_RANGE_55_64": "55-64",
        "AGE_RANGE_65_UP": "65+",
        "AGE_RANGE_UNDETERMINED": "unknown",
        "UNKNOWN": "unknown",
        "UNSPECIFIED": "unknown",
    },
    "tiktok_ads": {
        "AGE_13_17": "13-17",
        "AGE_18_24": "18-24",
        "AGE_25_34": "25-34",
        "AGE_35_44": "35-44",
        "AGE_45_54": "45-54",
        "AGE_55_100": "55+",
        "NONE": "unknown",
    },
}

_GENDER = {
    "meta_ads": {"male": "male", "female": "female", "unknown": "unknown"},
    "google_ads": {
        "MALE": "male",
        "FEMALE": "female",
        "UNDETERMINED": "unknown",
        "UNKNOWN": "unknown",
        "UNSPECIFIED": "unknown",
    },
    "tiktok_ads": {"MALE": "male", "FEMALE": "female", "NONE": "unknown"},
}

_DEVICE = {
    "meta_ads": {
        # device_platform
        "mobile_app": "mobile",
        "mobile_web": "mobile",
        "desktop": "desktop",
        # impression_device
        "iphone": "mobile",
        "ipod": "mobile",
        "android_smartphone": "mobile",
        "ipad": "tablet",
        "android_tablet": "tablet",
        "other": "other",
    },
    "google_ads": {
        "MOBILE": "mobile",
        "TABLET": "tablet",
        "DESKTOP": "desktop",
        "CONNECTED_TV": "connected_tv",
        "OTHER": "other",
        "UNKNOWN": "other",
        "UNSPECIFIED": "other",
    },
    # TikTok's audience-report `platform` is the operating system of the viewer's device.
    "tiktok_ads": {"ANDROID": "mobile", "IOS": "mobile", "PC": "desktop"},
}

_PLACEMENT = {
    "meta_ads": {
        # platform_position, and publisher_platform where it alone decides the placement
        "feed": "feed",
        "instagram_explore": "feed",
        "marketplace": "feed",
        "right_hand_column": "feed",
        "story": "stories",
        "instagram_stories": "stories",
        "facebook_stories": "stories",
        "messenger_stories": "stories",
        "facebook_reels": "video",
        "instagram_reels": "video",
        "video_feeds": "video",
        "instream_video": "video",
        "search": "search",
        "an_classic": "audience_network",
        "rewarded_video": "audience_network",
        "audience_network": "audience_network",
        "messenger_inbox": "other",
    },
    # segments.ad_network_type
    "google_ads": {
        "SEARCH": "search",
        "SEARCH_PARTNERS": "search",
        "MAPS": "search",
        "CONTENT": "audience_network",
        "YOUTUBE": "video",
        "GOOGLE_TV": "video",
        "DISCOVER": "feed",
        "GMAIL": "feed",
        "GOOGLE_OWNED_CHANNELS": "other",
        "MIXED": "other",
        "UNKNOWN": "other",
        "UNSPECIFIED": "other",
    },
    "tiktok_ads": {
        "PLACEMENT_TIKTOK": "feed",
        "PLACEMENT_PANGLE": "audience_network",
        "PLACEMENT_GLOBAL_APP_BUNDLE": "audience_network",
    },
}

_AUDIENCE_TYPE = {
    "meta_ads": {
        "CUSTOM": "custom",
        "APP": "custom",
        "BAG_OF_ACCOUNTS": "custom",
        "STUDY_RULE_AUDIENCE": "custom",
        "LOOKALIKE": "lookalike",
        "WEBSITE": "website",
        "ENGAGEMENT": "engagement",
        "VIDEO": "engagement",
        "MESSENGER_SUBSCRIBER_LIST": "engagement",
        "OFFLINE_CONVERSION": "customer_list",
        "BIDDING": "other",
        "CLAIM": "other",
        "EXCLUSION": "other",
        "FOX": "other",
        "MANAGED": "other",
        "MEASUREMENT": "other",
        "PARTNER": "other",
        "PRIMARY": "other",
        "REGULATED_CATEGORIES_AUDIENCE": "other",
    },
    "google_ads": {
        "REMARKETING": "website",
        "CRM_BASED": "customer_list",
        "RULE_BASED": "website",
        "LOGICAL": "custom",
        "EXTERNAL_REMARKETING": "website",
        "SIMILAR": "lookalike",
        "LOOKALIKE": "lookalike",
        "UNKNOWN": "other",
        "UNSPECIFIED": "other",
    },
    "tiktok_ads": {
        "Customer File Audience": "customer_list",
        "Engagement Audience": "engagement",
        "App Activity Audience": "custom",
        "Website Audience": "website",
        "Lookalike Audience": "lookalike",
        "Lead Generation": "engagement",
        "Rule Business Account": "other",
        "Rule ad shop": "other",
        "Partner": "other",
        "Challenge": "other",
        "Preferred Population": "other",
    },
}

_TABLES = {
    "status": _STATUS,
    "objective": _OBJECTIVE,
    "age": _AGE,
    "gender": _GENDER,
    "device": _DEVICE,
    "placement": _PLACEMENT,
    "audience_type": _AUDIENCE_TYPE,
}

FIELDS = (*_TABLES, "country", "hour")
# 13, "13:00:00", Meta "13:00:00 - 13:59:59", TikTok "2024-03-12 13:00:00"
_HOUR_LABEL = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}[ T])?(?P<hour>\d{1,2})(?::00(?::00)?)?(?:\s*-\s*\d{1,2}:59:59)?$"
)


@dataclass(frozen=True)
class Normalized:
    """A normalized value, the raw value it came from, and whether a table knew the raw value."""

    value: str
    raw: str | None
    known: bool


def normalize(platform: str, field: str, raw: object) -> Normalized:
    """Map a platform's ``raw`` value of ``field`` to the shared vocabulary.

    ``field`` is one of ``FIELDS``. A None raw value is "not reported" and maps to the fallback as
    known; any other value a table does not hold maps to the fallback with ``known=False``.
    """
    if field not in _FALLBACK:
        raise ValueError(f"no normalization for field {field!r}; expected one of {', '.join(FIELDS)}")
    if raw is None or raw == "":
        return Normalized(_FALLBACK[field], None, True)
    text = str(raw).strip()
    if field == "country":
        mapped = _country(text)
    elif field == "hour":
        mapped = _hour(text)
    else:
        mapped = _lookup(platform, field, text)
    return Normalized(mapped or _FALLBACK[field], text, mapped is not None)


def _lookup(platform: str, field: str, text: str) -> str | None:
    tables = _TABLES[field]
    if platform not in tables:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(tables)}")
    table = tables[platform]
    mapped = table.get(text)
    if mapped is None:
        mapped = table.get(text.upper()) or table.get(text.lower())
    if mapped is None and field == "status" and platform == "tiktok_ads":
        mapped = _tiktok_secondary_status(text.upper())
    return mapped


def _tiktok_secondary_status(text: str) -> str | None:
    match = _TIKTOK_SECONDARY.match(text)
    if match is None:
        return None
    rest = match["rest"]
    return next((status for suffix, status in _TIKTOK_SECONDARY_SUFFIXES if rest.endswith(suffix)), None)


def _country(text: str) -> str | None:
    if text.lower() in {"unknown", "unknown country", "zz", "xx", "none"}:
        return "unknown"
    try:
        # lookup() matches alpha-2, alpha-3, numeric and names, case-insensitively
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def _hour(text: str) -> str | None:
    match = _HOUR_LABEL.match(text)
    if match is None:
        return None
    hour = int(match["hour"])
    return str(hour) if 0 <= hour <= 23 else None
