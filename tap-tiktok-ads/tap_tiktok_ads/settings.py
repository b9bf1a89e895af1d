"""The tap's settings: the config schema and the checks JSON Schema cannot express.

Every problem is reported as one line that starts with the setting's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from ads_kit.settings import shared_settings
from tap_tiktok_ads.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT_S
from tap_tiktok_ads.errors import QPM_LOCKOUT_S
from tap_tiktok_ads.reports import PROFILE, custom_report

REPORT_TYPES = ("all", "basic", "audience", "custom")
REPORT_MODES = ("auto", "sync", "async")
_ADVERTISER_ID = re.compile(r"^\d{1,20}$")

CONFIG_SCHEMA = th.PropertiesList(
    th.Property("access_token", th.StringType, secret=True, description="Long-lived advertiser access token"),
    th.Property(
        "app_id", th.StringType, description="TikTok developer app id (with secret: find every advertiser)"
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
                th.Property("name", th.StringType, required=True),
                th.Property("report_type", th.StringType, description="BASIC (default) or AUDIENCE"),
                th.Property(
                    "data_level", th.StringType, description="ADVERTISER, CAMPAIGN, ADGROUP or AD (default)"
                ),
                th.Property("dimensions", th.ArrayType(th.StringType)),
                th.Property("metrics", th.ArrayType(th.StringType)),
            )
        ),
        description="More reports: each becomes a stream tiktok_ads_report_custom_<name>",
    ),
    th.Property(
        "request_timeout",
        th.NumberType,
        default=DEFAULT_TIMEOUT_S,
        description="Seconds to wait for one TikTok response before retrying it",
    ),
    th.Property(
        "qpm_lockout_seconds",
        th.NumberType,
        description=f"Seconds TikTok restricts the app after a per-minute quota refusal "
        f"(default {QPM_LOCKOUT_S:g}); "
        "every worker pauses that long",
    ),
    *shared_settings(PROFILE),
).to_dict()


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError with one line naming the setting for what the schema cannot check."""
    for value in config.get("advertiser_ids") or []:
        if not _ADVERTISER_ID.match(str(value).strip()):
            raise ValueError(f"advertiser_ids: {value!r} is not a TikTok advertiser id (digits)")
    for index, entry in enumerate(config.get("custom_reports") or []):
        custom_report(entry, index)
    names = [entry.get("name") for entry in config.get("custom_reports") or []]
    if len(set(names)) != len(names):
        raise ValueError("custom_reports: two reports share one name")
    if config.get("report_type") == "custom" and not names:
        raise ValueError("report_type: custom needs at least one entry in custom_reports")
    if not str(config.get("api_base_url", DEFAULT_BASE_URL)).startswith(("http://", "https://")):
        raise ValueError(f"api_base_url: {config['api_base_url']!r} is not an http(s) URL")
    for key in ("request_timeout", "qpm_lockout_seconds"):
        value = config.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            raise ValueError(f"{key}: must be a positive number of seconds, got {value!r}")
    if not (config.get("access_token") or config.get("token_store")):
        raise ValueError("access_token: set access_token, or token_store written by ads-auth login tiktok")
    if not config.get("advertiser_ids") and not (config.get("app_id") and config.get("secret")):
        raise ValueError(
            "advertiser_ids: list the advertisers, or set app_id and secret to read every advertiser "
            "the token reaches"
        )
