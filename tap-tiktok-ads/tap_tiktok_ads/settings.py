"""The tap's settings: the config schema and the checks JSON Schema cannot express.

Every problem is reported as one line that starts with the setting's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from ads_kit.settings import check_account_ids, check_unique_names, check_url, shared_settings
from tap_tiktok_ads.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT_S
from tap_tiktok_ads.errors import QPM_LOCKOUT_S
from tap_tiktok_ads.reports import LEVELS, PROFILE, custom_report
from tap_tiktok_ads.reports import REPORT_TYPES as CUSTOM_REPORT_TYPES

REPORT_TYPES = ("all", "basic", "audience", "custom")
REPORT_MODES = ("auto", "sync", "async")
_ADVERTISER_ID = re.compile(r"[0-9]{1,20}")
# TikTok's names of a data level; the AUCTION_ form is what report/integrated/get takes.
DATA_LEVELS = (*LEVELS, *(f"AUCTION_{level}" for level in LEVELS))
# TikTok's dimension and metric names: lower-case words joined by underscores.
FIELD_NAME = th.StringType(pattern="^[a-z][a-z0-9_]*$")
SECONDS = th.NumberType(exclusive_minimum=0)

CONFIG_SCHEMA = th.PropertiesList(
    th.Property("access_token", th.StringType, secret=True, description="Long-lived advertiser access token"),
    th.Property(
        "app_id",
        th.StringType(pattern="^[0-9]+$"),
        description="TikTok developer app id (with secret: find every advertiser)",
    ),
    th.Property("secret", th.StringType, secret=True, description="TikTok developer app secret"),
    th.Property(
        "advertiser_ids",
        th.ArrayType(th.StringType),
        description="Advertiser ids to read; default every advertiser the token reaches "
        "(needs app_id and secret)",
    ),
    th.Property("api_base_url", th.StringType, default=DEFAULT_BASE_URL, description="TikTok API host"),
    th.Property(
        "report_type",
        th.StringType,
        allowed_values=list(REPORT_TYPES),
        default="all",
        description="Raw report streams offered: all (BASIC and AUDIENCE reports), basic, audience, or "
        "custom (custom_reports only)",
    ),
    th.Property(
        "report_mode",
        th.StringType,
        allowed_values=list(REPORT_MODES),
        default="auto",
        description="auto: report tasks for ranges longer than a week (several in flight), a synchronous "
        "read otherwise; sync: always report/integrated/get; async: report tasks wherever TikTok allows them",
    ),
    th.Property(
        "custom_reports",
        th.ArrayType(
            th.ObjectType(
                th.Property("name", th.StringType(pattern="^[a-z][a-z0-9_]*$"), required=True),
                th.Property(
                    "report_type",
                    th.StringType(allowed_values=CUSTOM_REPORT_TYPES),
                    description="BASIC (default) or AUDIENCE",
                ),
                th.Property(
                    "data_level",
                    th.StringType(allowed_values=DATA_LEVELS),
                    description="ADVERTISER, CAMPAIGN, ADGROUP or AD (default)",
                ),
                th.Property("dimensions", th.ArrayType(FIELD_NAME)),
                th.Property("metrics", th.ArrayType(FIELD_NAME)),
                additional_properties=False,
            )
        ),
        description="More reports: each becomes a stream tiktok_ads_report_custom_<name>",
    ),
    th.Property(
        "request_timeout",
        SECONDS,
        default=DEFAULT_TIMEOUT_S,
        description="Seconds to wait for one TikTok response before retrying it",
    ),
    th.Property(
        "qpm_lockout_seconds",
        SECONDS,
        description=f"Seconds TikTok restricts the app after a per-minute quota refusal "
        f"(default {QPM_LOCKOUT_S:g}); "
        "every worker pauses that long",
    ),
    *shared_settings(PROFILE),
).to_dict()


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError with one line naming the setting for what the schema cannot check."""
    check_account_ids(config, "advertiser_ids", _ADVERTISER_ID, "digits")
    check_unique_names(config.get("custom_reports"), "custom_reports")
    for index, entry in enumerate(config.get("custom_reports") or []):
        custom_report(entry, index)  # dimensions and metrics that fit the report's type and level
    if config.get("report_type") == "custom" and not config.get("custom_reports"):
        raise ValueError("report_type: custom needs at least one entry in custom_reports")
    check_url(config, "api_base_url", DEFAULT_BASE_URL)
