"""The tap's settings: the config schema and the checks JSON Schema cannot express.

Every problem is reported as one line that starts with the setting's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from ads_kit.settings import check_account_ids, check_unique_names, check_url, shared_settings
from tap_meta_ads.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT_S
from tap_meta_ads.reports import ACTION_BREAKDOWNS, BUILTIN_BREAKDOWNS, INSIGHTS_STREAM, LEVELS, PROFILE

# Windows Meta still serves (7d_view and 28d_view stopped on 2026-01-12).
ATTRIBUTION_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
DEFAULT_ATTRIBUTION_WINDOWS = ["7d_click", "1d_view"]
# Meta's cross-channel, de-duplicated purchase; the pixel and custom-conversion types count the
# same purchases again.
DEFAULT_CONVERSION_EVENTS = ["omni_purchase"]
REPORT_TYPES = ("campaign_performance", "audience_insights", "custom")
_ACCOUNT_ID = re.compile(r"(act_)?[0-9]+")
BREAKDOWN_REPORTS = tuple(
    name.removeprefix(f"{INSIGHTS_STREAM}_") for name in BUILTIN_BREAKDOWNS if name != INSIGHTS_STREAM
)


# Graph field and breakdown names: lower-case words joined by underscores.
FIELD_NAME = th.StringType(pattern="^[a-z][a-z0-9_]*$")
# time_increment: 1 to 90 days, monthly or all_days.
TIME_INCREMENT = "^([1-9]|[1-8][0-9]|90|monthly|all_days)$"


def _names(name: str, description: str, item: th.JSONTypeHelper | None = None) -> th.Property:
    return th.Property(name, th.ArrayType(item or th.StringType), description=description)


CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "access_token", th.StringType, secret=True, description="System-user or long-lived user token"
    ),
    th.Property(
        "app_id", th.StringType(pattern="^[0-9]+$"), description="Meta app id (needed to renew tokens)"
    ),
    th.Property(
        "app_secret", th.StringType, secret=True, description="Meta app secret (appsecret_proof, renewal)"
    ),
    th.Property("api_base_url", th.StringType, default=DEFAULT_BASE_URL, description="Graph host"),
    _names("ad_accounts", "Ad account ids (with or without act_); default every account the token reaches"),
    _names("metrics", "Insights fields (default: core metrics)", FIELD_NAME),
    _names(
        "breakdowns",
        f"Breakdown reports to extract; any of {', '.join(BREAKDOWN_REPORTS)} (default all)",
        th.StringType(allowed_values=BREAKDOWN_REPORTS),
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
                th.Property("name", th.StringType(pattern="^[A-Za-z0-9_]+$"), required=True),
                th.Property("level", th.StringType(allowed_values=LEVELS)),
                th.Property("fields", th.ArrayType(FIELD_NAME)),
                th.Property("breakdowns", th.ArrayType(FIELD_NAME)),
                th.Property(
                    "action_breakdowns", th.ArrayType(th.StringType(allowed_values=ACTION_BREAKDOWNS))
                ),
                th.Property("time_increment", th.StringType(pattern=TIME_INCREMENT)),
                additional_properties=False,
            )
        ),
    ),
    _names(
        "action_attribution_windows",
        f"Windows conversions are counted in; any of {', '.join(ATTRIBUTION_WINDOWS)}",
        th.StringType(allowed_values=ATTRIBUTION_WINDOWS),
    ),
    _names(
        "conversion_events",
        "Action types counted as unified conversions (and their values), e.g. omni_purchase "
        "or offsite_conversion.custom.<id>; list one type per real event",
        th.StringType(pattern=r"^\S+$"),
    ),
    th.Property(
        "request_timeout",
        th.NumberType(exclusive_minimum=0),
        default=DEFAULT_TIMEOUT_S,
        description="Seconds to wait for one Graph response before retrying it",
    ),
    *shared_settings(PROFILE),
).to_dict()


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError with one line naming the setting for what the schema cannot check."""
    check_account_ids(config, "ad_accounts", _ACCOUNT_ID, "act_<digits> or digits")
    check_unique_names(config.get("custom_reports"), "custom_reports")
    check_url(config, "api_base_url", DEFAULT_BASE_URL)
