"""The tap's settings: the config schema and the checks JSON Schema cannot express.

Every problem is reported as one line that starts with the setting's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from singer_sdk import typing as th

from ads_kit.settings import check_account_ids, shared_settings
from tap_meta_ads.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT_S
from tap_meta_ads.reports import BUILTIN_BREAKDOWNS, INSIGHTS_STREAM, PROFILE, custom_report, field_names

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
                additional_properties=False,
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


def check_credentials(config: Mapping[str, Any]) -> None:
    if not config.get("access_token") and not config.get("token_store"):
        raise ValueError("access_token: required (or token_store, written by `ads-auth login meta_ads`)")


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError with one line naming the setting for what the schema cannot check."""
    app_id = config.get("app_id")
    if app_id is not None and not str(app_id).isdigit():
        raise ValueError(f"app_id: {app_id!r} is not a Meta app id (digits)")
    check_account_ids(config, "ad_accounts", _ACCOUNT_ID, "act_<digits> or digits")
    timeout = config.get("request_timeout")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"request_timeout: must be more than 0 seconds, got {timeout!r}")
    field_names(config.get("metrics"), "metrics")
    for index, event in enumerate(config.get("conversion_events") or []):
        if not event.strip() or event != event.strip():
            raise ValueError(
                f"conversion_events[{index}]: {event!r} is not an action type (like omni_purchase)"
            )
    for key, allowed in (
        ("action_attribution_windows", ATTRIBUTION_WINDOWS),
        ("breakdowns", BREAKDOWN_REPORTS),
    ):
        for value in config.get(key) or []:
            if value not in allowed:
                raise ValueError(f"{key}: {value!r} is not one of {', '.join(allowed)}")
    names: set[str] = set()
    for index, entry in enumerate(config.get("custom_reports") or []):
        spec = custom_report(entry, index)
        if spec.name in names:
            raise ValueError(f"custom_reports[{index}].name: {entry['name']!r} names an earlier report too")
        names.add(spec.name)
    url = urlsplit(str(config.get("api_base_url", DEFAULT_BASE_URL)))
    if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment:
        raise ValueError(f"api_base_url: {config['api_base_url']!r} is not an http(s) URL of a host")
