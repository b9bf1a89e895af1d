"""The unified, cross-platform schemas: one definition, used by every tap.

Names follow Fivetran's ad_reporting vocabulary (``date_day``, ``account_id``, ``spend`` …) and add
what it lacks: currency, time zones, attribution windows, finality and FX columns.
Key columns are never null; ``""`` stands for "not applicable" so targets can build primary keys.
Money and ratio columns are JSON ``number`` carried as ``Decimal`` end to end, which target-postgres
stores as ``numeric`` (never text) and the msgspec writer serialises without float rounding.
"""

from __future__ import annotations

from singer_sdk import typing as th

PLATFORMS = ("meta_ads", "google_ads", "tiktok_ads")

Money = th.NumberType  # Decimal values; see the module docstring.


def _required_string(name: str, description: str) -> th.Property:
    return th.Property(name, th.StringType, required=True, description=description)


_PLATFORM = _required_string("platform", "meta_ads | google_ads | tiktok_ads")
_ACCOUNT_ID = _required_string(
    "account_id",
    "Platform account id (Meta ad account without act_, Google customer id, TikTok advertiser id)",
)
_EXTRACTED_AT = th.Property(
    "extracted_at", th.DateTimeType, description="UTC time the row was read from the platform"
)


def _status_pair(prefix: str = "") -> list[th.Property]:
    return [
        th.Property(
            f"{prefix}status", th.StringType, description="active|paused|removed|archived|draft|unknown"
        ),
        th.Property(f"{prefix}status_raw", th.StringType, description="The platform's own status value"),
    ]


UNIFIED_ACCOUNTS = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    th.Property("account_name", th.StringType),
    th.Property("currency", th.StringType, description="ISO 4217 code of the account currency"),
    th.Property("timezone", th.StringType, description="IANA zone the platform reports days in"),
    *_status_pair(),
    th.Property("created_at", th.DateTimeType),
    _EXTRACTED_AT,
)

UNIFIED_CAMPAIGNS = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    _required_string("campaign_id", "Platform campaign id"),
    th.Property("campaign_name", th.StringType),
    *_status_pair(),
    th.Property(
        "objective",
        th.StringType,
        description="awareness|traffic|engagement|leads|app_promotion|sales|video_views|other",
    ),
    th.Property("objective_raw", th.StringType),
    th.Property("budget", Money, description="Budget in major units of the account currency"),
    th.Property("budget_period", th.StringType, description="daily|lifetime|null"),
    th.Property("currency", th.StringType),
    th.Property("start_date", th.DateType),
    th.Property("end_date", th.DateType),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
    _EXTRACTED_AT,
)

UNIFIED_AD_GROUPS = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    _required_string("ad_group_id", "Meta ad set id, Google ad group id, TikTok ad group id"),
    th.Property("ad_group_name", th.StringType),
    th.Property("campaign_id", th.StringType),
    *_status_pair(),
    th.Property("budget", Money),
    th.Property("budget_period", th.StringType),
    th.Property("currency", th.StringType),
    th.Property("start_date", th.DateType),
    th.Property("end_date", th.DateType),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
    _EXTRACTED_AT,
)

UNIFIED_ADS = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    _required_string("ad_id", "Platform ad id"),
    th.Property("ad_name", th.StringType),
    th.Property("ad_group_id", th.StringType),
    th.Property("campaign_id", th.StringType),
    *_status_pair(),
    th.Property("creative_id", th.StringType),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
    _EXTRACTED_AT,
)

UNIFIED_AUDIENCES = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    _required_string("audience_id", "Platform audience / user list id"),
    th.Property("audience_name", th.StringType),
    th.Property(
        "audience_type", th.StringType, description="custom|lookalike|website|customer_list|engagement|other"
    ),
    th.Property("audience_type_raw", th.StringType),
    th.Property("source_audience_id", th.StringType, description="Seed audience of a lookalike"),
    th.Property("approximate_size", th.IntegerType),
    *_status_pair(),
    th.Property("created_at", th.DateTimeType),
    th.Property("updated_at", th.DateTimeType),
    _EXTRACTED_AT,
)

_METRICS = [
    th.Property("impressions", th.IntegerType),
    th.Property("clicks", th.IntegerType),
    th.Property("spend", Money, description="Major units of `currency`"),
    th.Property("conversions", Money, description="Conversions counted with the stated attribution windows"),
    th.Property("conversions_value", Money),
    th.Property("reach", th.IntegerType, description="Null where the platform has no reach for this grain"),
    th.Property("ctr", Money, description="Percent: clicks / impressions * 100"),
    th.Property("cpc", Money, description="spend / clicks"),
    th.Property("cpm", Money, description="spend / impressions * 1000"),
    th.Property("cpa", Money, description="spend / conversions"),
    th.Property("roas", Money, description="conversions_value / spend"),
]

_PERFORMANCE_CONTEXT = [
    th.Property("currency", th.StringType, description="ISO 4217 account currency"),
    th.Property("reporting_currency", th.StringType),
    th.Property("fx_rate", Money, description="Units of reporting_currency per unit of currency"),
    th.Property("fx_rate_date", th.DateType),
    th.Property("spend_reporting", Money),
    th.Property("conversions_value_reporting", Money),
    th.Property("attribution_click_days", th.IntegerType),
    th.Property("attribution_view_days", th.IntegerType),
    th.Property("is_final", th.BooleanType, description="False while the platform may still restate the day"),
    _EXTRACTED_AT,
]

_DAY_CONTEXT = [
    th.Property("date_day", th.DateType, required=True),
    th.Property("timezone", th.StringType, description="Zone date_day is expressed in"),
    th.Property("account_timezone", th.StringType),
]

UNIFIED_CAMPAIGN_PERFORMANCE = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    th.Property("account_name", th.StringType),
    _required_string("campaign_id", "Platform campaign id"),
    th.Property("campaign_name", th.StringType),
    *_DAY_CONTEXT,
    *_METRICS,
    *_PERFORMANCE_CONTEXT,
)

UNIFIED_AD_PERFORMANCE = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    th.Property("account_name", th.StringType),
    th.Property("campaign_id", th.StringType),
    th.Property("campaign_name", th.StringType),
    th.Property("ad_group_id", th.StringType),
    th.Property("ad_group_name", th.StringType),
    _required_string("ad_id", "Platform ad id"),
    th.Property("ad_name", th.StringType),
    *_DAY_CONTEXT,
    *_METRICS,
    *_PERFORMANCE_CONTEXT,
)

BREAKDOWN_DIMENSIONS = ("age", "gender", "device", "placement", "country", "hour")

UNIFIED_PERFORMANCE_BREAKDOWNS = th.PropertiesList(
    _PLATFORM,
    _ACCOUNT_ID,
    _required_string("campaign_id", "Platform campaign id"),
    th.Property("campaign_name", th.StringType),
    *_DAY_CONTEXT,
    _required_string("dimension", "age|gender|device|placement|country|hour"),
    _required_string("value", "Normalized value, e.g. 18-24, male, mobile, US, 13"),
    th.Property("value_raw", th.StringType, description="The platform's own value"),
    *_METRICS,
    *_PERFORMANCE_CONTEXT,
)

UNIFIED_DATA_QUALITY = th.PropertiesList(
    _required_string("finding_id", "Stable hash of check, scope and observed values"),
    _PLATFORM,
    th.Property("account_id", th.StringType),
    th.Property("stream", th.StringType),
    _required_string("check", "negative_spend|clicks_exceed_impressions|...|schema_drift"),
    th.Property("severity", th.StringType, description="info|warning|error"),
    th.Property(
        "scope", th.StringType, description="What the finding is about, e.g. campaign 123 on 2026-11-01"
    ),
    th.Property("date_day", th.DateType),
    th.Property("observed", th.StringType, description="JSON of the observed values"),
    th.Property("message", th.StringType),
    th.Property("detected_at", th.DateTimeType),
)

UNIFIED_DEAD_LETTERS = th.PropertiesList(
    _required_string("dead_letter_id", "Stable hash of platform, account, stream and slice"),
    _PLATFORM,
    th.Property("account_id", th.StringType),
    th.Property("stream", th.StringType),
    th.Property(
        "slice", th.StringType, description="JSON of the slice the request covered (dates, level, ids)"
    ),
    th.Property("request", th.StringType, description="Redacted method, path and parameters"),
    th.Property(
        "error_class", th.StringType, description="retryable|quota|reauth|skip_account|shrink|fatal_config"
    ),
    th.Property("error_code", th.StringType),
    th.Property("message", th.StringType),
    th.Property("attempts", th.IntegerType),
    th.Property("first_failure_at", th.DateTimeType),
    th.Property("last_failure_at", th.DateTimeType),
    th.Property("status", th.StringType, description="open|resolved"),
)

# name -> (schema, primary keys, replication key)
UNIFIED_STREAMS: dict[str, tuple[th.PropertiesList, list[str], str | None]] = {
    "unified_accounts": (UNIFIED_ACCOUNTS, ["platform", "account_id"], None),
    "unified_campaigns": (UNIFIED_CAMPAIGNS, ["platform", "account_id", "campaign_id"], None),
    "unified_ad_groups": (UNIFIED_AD_GROUPS, ["platform", "account_id", "ad_group_id"], None),
    "unified_ads": (UNIFIED_ADS, ["platform", "account_id", "ad_id"], None),
    "unified_audiences": (UNIFIED_AUDIENCES, ["platform", "account_id", "audience_id"], None),
    "unified_campaign_performance": (
        UNIFIED_CAMPAIGN_PERFORMANCE,
        ["platform", "account_id", "campaign_id", "date_day"],
        "date_day",
    ),
    "unified_ad_performance": (
        UNIFIED_AD_PERFORMANCE,
        ["platform", "account_id", "ad_id", "date_day"],
        "date_day",
    ),
    "unified_performance_breakdowns": (
        UNIFIED_PERFORMANCE_BREAKDOWNS,
        ["platform", "account_id", "campaign_id", "date_day", "dimension", "value"],
        "date_day",
    ),
    "unified_data_quality": (UNIFIED_DATA_QUALITY, ["finding_id"], None),
    "unified_dead_letters": (UNIFIED_DEAD_LETTERS, ["dead_letter_id"], None),
}
