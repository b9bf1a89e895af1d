"""The tap's settings: the config schema and the checks JSON Schema cannot express.

Every problem is reported as one line that starts with the setting's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from ads_kit.settings import shared_settings
from tap_meta_ads.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT_S
from tap_meta_ads.reports import BUILTIN_BREAKDOWNS, INSIGHTS_STREAM, PROFILE, custom_report

# Windows Meta still serves (7d_view and 28d_view stopped on 2026-01-12).
ATTRIBUTION_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
DEFAULT_ATTRIBUTION_WINDOWS = ["7d_click", "1d_view"]
# Meta's cross-channel, de-duplicated purchase; the pixel and custom-conversion types count the
# same purchases again.
DEFAULT_CONVERSION_EVENTS = ["omni_purchase"]
REPORT_TYPES = ("campaign_performance", "audience_insights", "custom")
BREAKDOWN_REPORTS = tuple(
    name.removeprefix(f"{INSIGHTS_STREAM}_") for name in BUILTIN_BREAKDOWNS if name != INSIGHTS_STREAM
)


def _names(name: str, description: str) -> th.Property:
    return th.Property(name, th.ArrayType(th.StringType), description=description)


CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "access_token", th.StringType, secret=True, description="System-user or long-lived user token"
    ),
    th.Property("app_id", th.StringType, description="Meta app id (needed to renew tokens)"),
    th.Property(
        "app_secret", th.StringType, secret=True, description="Meta app secret (appsecret_proof, renewal)"
    ),
    th.Property("api_base_url", th.StringType, default=DEFAULT_BASE_URL, description="Graph host"),
    _names("ad_accounts", "Ad account ids (with or without act_); default every account the token reaches"),
    _names("metrics", "Insights fields (default: core metrics)"),
    _names(
        "breakdowns", f"Breakdown reports to extract; any of {', '.join(BREAKDOWN_REPORTS)} (default all)"
    ),
    th.Property(
        "report_type",
        th.StringType,
        allowed_values=list(REPORT_TYPES),
        default="campaign_performance",
        description="Raw report streams offered: campaign_performance (insights and the breakdown "
        "reports), audience_insights (breakdown reports only) or custom (custom_reports only)",
    ),
    th.Property(
        "custom_reports",
        th.ArrayType(
            th.ObjectType(
                th.Property("name", th.StringType, required=True),
                th.Property("level", th.StringType),
                th.Property("fields", th.ArrayType(th.StringType)),
                th.Property("breakdowns", th.ArrayType(th.StringType)),
                th.Property("action_breakdowns", th.ArrayType(th.StringType)),
                th.Property("time_increment", th.StringType),
            )
        ),
    ),
    _names(
        "action_attribution_windows",
        f"Windows conversions are counted in; any of {', '.join(ATTRIBUTION_WINDOWS)}",
    ),
    _names(
        "conversion_events",
        "Action types counted as unified conversions (and their values), e.g. omni_purchase "
        "or offsite_conversion.custom.<id>; list one type per real event",
    ),
    th.Property(
        "request_timeout",
        th.NumberType,
        default=DEFAULT_TIMEOUT_S,
        description="Seconds to wait for one Graph response before retrying it",
    ),
    *shared_settings(PROFILE),
).to_dict()


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError with one line naming the setting for what the schema cannot check."""
    for key, allowed in (
        ("action_attribution_windows", ATTRIBUTION_WINDOWS),
        ("breakdowns", BREAKDOWN_REPORTS),
    ):
        for value in config.get(key) or []:
            if value not in allowed:
                raise ValueError(f"{key}: {value!r} is not one of {', '.join(allowed)}")
    for index, entry in enumerate(config.get("custom_reports") or []):
        custom_report(entry, index)
    if not str(config.get("api_base_url", DEFAULT_BASE_URL)).startswith(("http://", "https://")):
        raise ValueError(f"api_base_url: {config['api_base_url']!r} is not an http(s) URL")
