"""The tap's settings: the config schema and the checks JSON Schema cannot express. Every problem is
one line that starts with the setting's name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from ads_kit.resilience.errors import ConfigError
from ads_kit.settings import shared_settings
from tap_google_ads_unified.accounts import customer_id
from tap_google_ads_unified.client import DEFAULT_TIMEOUT_S, DEFAULT_TOKEN_URL
from tap_google_ads_unified.custom import custom_query
from tap_google_ads_unified.queries import PROFILE, REPORT_TYPES

_CUSTOMER_ID = re.compile(r"^(\d{10}|\d{3}-\d{3}-\d{4})$")
_ENDPOINT = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$")
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
    th.Property("customer_id", th.StringType, description="One customer id, 123-456-7890 or 1234567890"),
    th.Property(
        "customer_ids",
        th.ArrayType(th.StringType),
        description="Customer ids; empty (and no customer_id): every client the accessible managers reach",
    ),
    th.Property(
        "login_customer_id",
        th.StringType,
        description="Manager the customers are read through (the login-customer-id header)",
    ),
    th.Property(
        "api_endpoint",
        th.StringType,
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
                th.Property("name", th.StringType, required=True),
                th.Property("query", th.StringType, required=True),
                th.Property("primary_keys", th.ArrayType(th.StringType)),
            )
        ),
        description="GAQL reports: {name, query, primary_keys}; the tap adds the date filter when the "
        "query selects segments.date; keys default to the selected ids and segments",
    ),
    th.Property(
        "conversion_actions",
        th.ArrayType(th.StringType),
        description="Conversion action ids or names counted as unified conversions (default: the "
        "actions included in Google's conversions metric)",
    ),
    th.Property(
        "request_timeout",
        th.NumberType,
        default=DEFAULT_TIMEOUT_S,
        description="Seconds one SearchStream may take before it is retried",
    ),
    *shared_settings(PROFILE),
).to_dict()


def configured_customers(config: Mapping[str, Any]) -> list[str]:
    return [customer_id(c) for c in [config.get("customer_id"), *(config.get("customer_ids") or [])] if c]


def check(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming the setting for what the schema cannot check."""
    ids = [("customer_id", config.get("customer_id"))] if config.get("customer_id") else []
    ids += [("customer_ids", value) for value in config.get("customer_ids") or []]
    if config.get("login_customer_id"):
        ids.append(("login_customer_id", config["login_customer_id"]))
    for setting, value in ids:
        if not isinstance(value, str) or not _CUSTOMER_ID.match(value.strip()):
            raise ConfigError(setting, f"{value!r} is not a customer id like 123-456-7890 or 1234567890")
    endpoint = config.get("api_endpoint")
    if endpoint is not None and not _ENDPOINT.match(str(endpoint)):
        raise ConfigError("api_endpoint", f"{endpoint!r} is not a host[:port] (no scheme, no path)")
    if not str(config.get("token_url", DEFAULT_TOKEN_URL)).startswith(("https://", "http://")):
        raise ConfigError("token_url", f"{config['token_url']!r} is not an http(s) URL")
    timeout = config.get("request_timeout", DEFAULT_TIMEOUT_S)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("request_timeout", f"must be a number of seconds above 0, got {timeout!r}")
    for value in config.get("conversion_actions") or []:
        if not str(value).strip():
            raise ConfigError("conversion_actions", "an empty conversion action name")
    names = set()
    for index, entry in enumerate(config.get("custom_reports") or []):
        query = custom_query(entry, index)
        if query.name in names:
            raise ConfigError(f"custom_reports[{index}].name", f"{entry['name']!r} is used twice")
        names.add(query.name)
    if config.get("report_type") == "custom" and not names:
        raise ConfigError("report_type", "custom needs at least one entry in custom_reports")


def can_call(config: Mapping[str, Any]) -> bool:
    return bool(config.get("developer_token") and (config.get("refresh_token") or config.get("token_store")))


def check_credentials(config: Mapping[str, Any]) -> None:
    """What a sync needs beyond discovery."""
    if not config.get("developer_token"):
        raise ConfigError("developer_token", "required: the Google Ads API developer token")
    if not config.get("refresh_token") and not config.get("token_store"):
        raise ConfigError(
            "refresh_token", "set refresh_token (with client_id and client_secret) or token_store"
        )
