"""Config-schema fragments every tap declares the same way.

A tap's config schema is its own settings plus the shared ones:

    config_jsonschema = th.PropertiesList(
        ...platform settings...,
        *shared_settings(MY_PLATFORM_PROFILE),
    ).to_dict()

Defaults are stated in the descriptions, not as JSON defaults: the code that reads a setting fills
it per platform (`RateLimitSettings.from_config`, `ads_kit.unified.ranges.lookback_days`), so a
config that leaves a key out gets the platform's own value.
"""

from __future__ import annotations

from typing import Protocol

from singer_sdk import typing as th

from ads_kit.resilience.ratelimit import REDIS_URL_ENV, RateLimitSettings
from ads_kit.resilience.versions import CALENDARS, PINNED
from ads_kit.unified.ranges import DATE_RANGE_TYPES, DEFAULT_LAST_N_DAYS

_RATE_LIMITING_KEYS: tuple[tuple[str, type[th.JSONTypeHelper], str], ...] = (
    ("requests_per_hour", th.IntegerType, "App-wide cap per hour"),
    ("requests_per_minute", th.IntegerType, "App-wide cap per minute"),
    ("burst", th.IntegerType, "App-wide cap per second"),
    ("concurrent_requests", th.IntegerType, "Requests in flight at once across all workers"),
    ("max_retries", th.IntegerType, "Retries of one request"),
    ("backoff_multiplier", th.NumberType, "Scale of the exponential backoff, in seconds"),
    ("max_wait_seconds", th.NumberType, "Most time one request may spend waiting between retries"),
)


def rate_limiting_property(platform: str) -> th.Property:
    """The `rate_limiting` object, with this platform's defaults in each description."""
    defaults = RateLimitSettings.defaults(platform)
    numbers = [
        th.Property(key, kind, description=f"{text} (default {defaults[key]:g})")
        for key, kind, text in _RATE_LIMITING_KEYS
    ]
    redis_url = th.Property(
        "redis_url",
        th.StringType,
        secret=True,
        description=f"redis://host:port/db shared by every worker; also read from {REDIS_URL_ENV}. "
        "Without it, limits hold within one process.",
    )
    return th.Property(
        "rate_limiting",
        th.ObjectType(*numbers, redis_url, additional_properties=False),
        description="Client-side rate limits and retries",
    )


def api_version_property(platform: str) -> th.Property:
    live = ", ".join(v.name for v in CALENDARS[platform])
    return th.Property(
        "api_version",
        th.StringType,
        description=f"API version to call (default {PINNED[platform]}; known: {live}). "
        "An expired version is replaced by the newest live one with a warning.",
    )


DEAD_LETTER_PATH = th.Property(
    "dead_letter_path",
    th.StringType,
    description="JSONL file of requests that failed for good, retried first on the next run "
    "(default .ads-dead-letters/<platform>.jsonl under the working directory)",
)

DATE_RANGE = th.Property(
    "date_range",
    th.ObjectType(
        th.Property("type", th.StringType, allowed_values=list(DATE_RANGE_TYPES)),
        th.Property("days", th.IntegerType),
        th.Property("start_date", th.DateType),
        th.Property("end_date", th.DateType),
    ),
    description=f"Report days on the first run, counted in each account's own time zone: last_n_days "
    f"(days, default {DEFAULT_LAST_N_DAYS}, ending today), custom (start_date, optional end_date), "
    "or lifetime (all the history the platform keeps)",
)

_JSON_VALUE = th.CustomType({"type": ["object", "array", "null"]})


class _Profile(Protocol):
    # read-only members, so a frozen dataclass (PlatformProfile) satisfies it
    @property
    def platform(self) -> str: ...

    @property
    def restatement_days(self) -> int: ...


def shared_settings(profile: _Profile) -> list[th.Property]:
    """The settings every tap declares the same way, described with the platform's own values
    (``profile``: an ``ads_kit.tap.profile.PlatformProfile``)."""
    platform = profile.platform
    return [
        api_version_property(platform),
        th.Property(
            "token_store",
            th.StringType,
            description=f"Encrypted token store written by `ads-auth login {platform}`",
        ),
        th.Property("token_store_login", th.StringType, description="Login name inside the token store"),
        DATE_RANGE,
        th.Property(
            "lookback_days",
            th.IntegerType,
            description="Days before the bookmark re-read to pick up restated numbers "
            f"(default and maximum {profile.restatement_days}, the platform's restatement window)",
        ),
        th.Property(
            "include_deleted",
            th.BooleanType,
            default=False,
            description="Also read deleted and archived objects",
        ),
        th.Property(
            "reporting_currency",
            th.StringType,
            description="ISO 4217 code: unified performance rows also carry spend and value converted to it",
        ),
        th.Property(
            "fx_rates",
            _JSON_VALUE,
            description="Rates for reporting_currency: [{date, currency, rate}] or {currency: rate}",
        ),
        th.Property(
            "fx_rates_file", th.StringType, description="CSV of rates for reporting_currency (ECB style)"
        ),
        th.Property(
            "reporting_timezone",
            th.StringType,
            description="IANA zone unified performance days are expressed in (default: each account's own)",
        ),
        DEAD_LETTER_PATH,
        rate_limiting_property(platform),
        th.Property(
            "log_requests",
            th.BooleanType,
            default=False,
            description="Log every API request and response (method, URL, status, duration, attempt, "
            "bytes, a cut body; secrets removed) on the ads_kit.http logger, without lowering the "
            "tap's log level",
        ),
    ]
