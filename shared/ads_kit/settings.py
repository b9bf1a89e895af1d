"""Config-schema fragments every tap declares the same way.

A tap adds them to its `config_jsonschema`:

    config_jsonschema = th.PropertiesList(
        ...platform settings...,
        api_version_property("meta_ads"),
        rate_limiting_property("meta_ads"),
        DEAD_LETTER_PATH,
    ).to_dict()

Defaults are stated in the descriptions, not as JSON defaults: `RateLimitSettings.from_config`
fills them per platform, so a config that leaves a key out gets the platform's own value.
"""

from __future__ import annotations

from singer_sdk import typing as th

from ads_kit.resilience.platforms import canonical_platform
from ads_kit.resilience.ratelimit import REDIS_URL_ENV, RateLimitSettings
from ads_kit.resilience.versions import CALENDARS, PINNED

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
    platform = canonical_platform(platform)
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
