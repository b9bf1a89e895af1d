"""The tap's settings: the config schema and the checks JSON Schema cannot express. Every problem is
one line that starts with the setting's name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from ads_kit.resilience.errors import ConfigError
from ads_kit.settings import check_account_ids, check_unique_names, check_url, shared_settings
from tap_google_ads_unified.accounts import customer_id
from tap_google_ads_unified.client import DEFAULT_TIMEOUT_S, DEFAULT_TOKEN_URL
from tap_google_ads_unified.custom import custom_query
from tap_google_ads_unified.queries import PROFILE, REPORT_TYPES

CUSTOMER_ID = r"^(\d{10}|\d{3}-\d{3}-\d{4})$"
SECRET_SETTINGS = ("client_secret", "refresh_token", "developer_token")

CONFIG_SCHEMA = th.PropertiesList(
    th.Property("client_id", th.StringType, description="OAuth client id of the Google Cloud project"),
    th.Property("client_secret", th.StringType, secret=True, description="OAuth client secret"),
    th.Property(
        "refresh_token", th.StringType, secret=True, description="OAuth refresh token (or use token_store)"
    ),
    th.Property("developer_token", th.StringType, secret=True, description="Google Ads API developer token"),
    th.Property(
        "token_url",
        th.StringType,
        default=DEFAULT_TOKEN_URL,
        description="OAuth token endpoint refreshes go to",
    ),
    th.Property(
        "customer_id",
        th.StringType(pattern=CUSTOMER_ID),
        description="One customer id, 123-456-7890 or 1234567890",
    ),
    th.Property(
        "customer_ids",
        th.ArrayType(th.StringType),
        description="Customer ids; empty (and no customer_id): every client the accessible managers reach",
    ),
    th.Property(
        "login_customer_id",
        th.StringType(pattern=CUSTOMER_ID),
        description="Manager the customers are read through (the login-customer-id header)",
    ),
    th.Property(
        "api_endpoint",
        # host[:port]: the library adds the scheme and the paths
        th.StringType(pattern=r"^[A-Za-z0-9.\-]+(:\d{1,5})?$"),
        description="gRPC host[:port] of the API (default googleads.googleapis.com)",
    ),
    th.Property(
        "report_type",
        th.StringType,
        allowed_values=list(REPORT_TYPES),
        default="all",
        description="Raw report streams offered: all (performance, breakdowns, hourly, per conversion "
        "action), performance (campaign, ad group and ad by day) or custom (custom_reports only)",
    ),
    th.Property(
        "custom_reports",
        th.ArrayType(
            th.ObjectType(
                # the stream is google_ads_custom_<name>
                th.Property("name", th.StringType(pattern="^[a-z][a-z0-9_]*$"), required=True),
                th.Property("query", th.StringType, required=True),
                th.Property("primary_keys", th.ArrayType(th.StringType)),
                additional_properties=False,
            )
        ),
        description="GAQL reports: {name, query, primary_keys}; the tap adds the date filter when the "
        "query selects segments.date; keys default to the selected ids and segments",
    ),
    th.Property(
        "conversion_actions",
        th.ArrayType(th.StringType(pattern=r"\S")),
        description="Conversion action ids or names counted as unified conversions (default: the "
        "actions included in Google's conversions metric)",
    ),
    th.Property(
        "request_timeout",
        th.NumberType(exclusive_minimum=0),
        default=DEFAULT_TIMEOUT_S,
        description="Seconds one SearchStream may take before it is retried",
    ),
    *shared_settings(PROFILE),
).to_dict()


def configured_customers(config: Mapping[str, Any]) -> list[str]:
    return [customer_id(c) for c in [config.get("customer_id"), *(config.get("customer_ids") or [])] if c]


def check(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming the setting for what the schema cannot check."""
    check_account_ids(config, "customer_ids", re.compile(CUSTOMER_ID), "123-456-7890 or 1234567890")
    check_url(config, "token_url", DEFAULT_TOKEN_URL)
    reports = config.get("custom_reports") or []
    check_unique_names(reports, "custom_reports")
    for index, entry in enumerate(reports):
        custom_query(entry, index)
    if config.get("report_type") == "custom" and not reports:
        raise ConfigError("report_type", "custom needs at least one entry in custom_reports")
