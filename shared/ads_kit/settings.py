"""Config-schema fragments every tap declares the same way.

A tap's config schema is its own settings plus the shared ones:

    config_jsonschema = th.PropertiesList(
        ...platform settings...,
        *shared_settings(MY_PLATFORM_PROFILE),
    ).to_dict()

Defaults are stated in the descriptions, not as JSON defaults: the code that reads a setting fills
it per platform (`RateLimitSettings.from_config`, `ads_kit.unified.ranges.lookback_days`), so a
config that leaves a key out gets the platform's own value.

`schema_error` and `check_shared_settings` refuse a bad config before the first message is
written, with one line that starts with the setting's name (``date_range.days: ...``): the schema's
types, enums and unknown keys first, then what a schema cannot say (cross-field rules, files,
zones, currencies, dates against the run's clock).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from singer_sdk import typing as th

from ads_kit.auth.errors import AuthError
from ads_kit.auth.store import DEFAULT_LOGIN, TokenStore
from ads_kit.fx import converter_from_config
from ads_kit.resilience.deadletters import DeadLetterBox
from ads_kit.resilience.errors import ConfigError
from ads_kit.resilience.ratelimit import REDIS_URL_ENV, RateLimitSettings
from ads_kit.resilience.versions import CALENDARS, PINNED
from ads_kit.sharding import SETTING as SHARD_SETTING
from ads_kit.sharding import Shard
from ads_kit.timezones import TimezoneError, zone
from ads_kit.unified.ranges import DATE_RANGE_TYPES, DEFAULT_LAST_N_DAYS, check_date_settings

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
        additional_properties=False,
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

    @property
    def retention_days(self) -> int | None: ...


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
            "fx_base_currency",
            th.StringType,
            description="Currency the rates are quoted against (default EUR, as the ECB quotes)",
        ),
        th.Property(
            "fx_max_staleness_days",
            th.IntegerType,
            description="Oldest quote used for a day, in days before it (default 7)",
        ),
        th.Property(
            "reporting_timezone",
            th.StringType,
            description="IANA zone unified performance days are expressed in (default: each account's own)",
        ),
        DEAD_LETTER_PATH,
        rate_limiting_property(platform),
        th.Property(
            SHARD_SETTING,
            th.StringType,
            description="K/N: read only shard K of N of the accounts (a stable hash of each account id "
            "decides its shard), so N runs, each with its own state id, share the accounts (default: all)",
        ),
        th.Property(
            "log_requests",
            th.BooleanType,
            default=False,
            description="Log every API request and response (method, URL, status, duration, attempt, "
            "bytes, a cut body; secrets removed) on the ads_kit.http logger, without lowering the "
            "tap's log level",
        ),
    ]


# -- checks ----------------------------------------------------------------------------------------

_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
}


def setting_path(path: Any) -> str:
    """``['custom_reports', 0, 'name']`` -> ``custom_reports[0].name``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{part}"
    return text


def schema_error(schema: Mapping[str, Any], config: Mapping[str, Any]) -> ConfigError | None:
    """The first place where ``config`` breaks ``schema`` (types, enums, unknown keys inside objects,
    required keys), as one line naming the setting; None when it conforms. Unknown top-level keys
    are left to ``unknown_settings``: other tools may share a config file."""
    errors = sorted(
        Draft202012Validator(schema).iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path]
    )
    return _one_line(errors[0]) if errors else None


def _one_line(error: ValidationError) -> ConfigError:
    where = setting_path(error.absolute_path)
    # jsonschema types these as unions with its Unset marker; on an error they are all set.
    value: Any = error.instance
    rule: Any = error.validator_value
    schema: Any = error.schema
    # A secret's value never reaches a message, whatever it holds.
    shown = str(value) if isinstance(value, Decimal) else repr(value)  # JSON numbers arrive as Decimal
    got = "" if schema.get("secret") or schema.get("writeOnly") else f", got {shown}"
    match error.validator:
        case "additionalProperties":
            known = sorted((schema.get("properties") or {}).keys())
            unknown = sorted(set(value) - set(known))
            return ConfigError(
                setting_path([*error.absolute_path, unknown[0]]),
                f"unknown setting; known: {', '.join(known)}",
            )
        case "required":
            missing = [key for key in rule if key not in value]
            return ConfigError(setting_path([*error.absolute_path, missing[0]]), "required")
        case "type":
            kinds = rule if isinstance(rule, list) else [rule]
            wanted = " or ".join(_TYPE_NAMES.get(kind) or str(kind) for kind in kinds if kind != "null")
            return ConfigError(where, f"must be {wanted}{got}")
        case "enum":
            allowed = ", ".join(str(v) for v in rule if v is not None)
            return ConfigError(where, f"must be one of {allowed}{got}")
        case "pattern":
            return ConfigError(where, f"must match {rule}{got}")
        case "exclusiveMinimum":
            return ConfigError(where, f"must be more than {rule}{got}")
        case "minimum":
            return ConfigError(where, f"must be at least {rule}{got}")
    return ConfigError(where or "config", error.message if got else f"breaks the rule {error.validator}")


def unknown_settings(schema: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Top-level keys the schema does not declare (warned about: likely typos)."""
    return sorted(set(config) - set(schema.get("properties") or {}))


def check_shared_settings(
    config: Mapping[str, Any], profile: _Profile, now: datetime, log: logging.Logger
) -> None:
    """What the schema cannot check of the shared settings; ConfigError naming the setting.
    Loads the rates (``fx_rates_file`` included) so a bad one stops the run before it starts."""
    check_date_settings(config, profile, now, log)
    Shard.from_config(config)
    RateLimitSettings.from_config(profile.platform, config.get("rate_limiting"))
    if config.get("reporting_timezone") is not None:
        reporting_zone(config)
    if config.get("reporting_currency") is not None or config.get("fx_base_currency") is not None:
        converter_from_config(config)
    elif config.get("fx_rates") or config.get("fx_rates_file"):
        log.warning("fx_rates/fx_rates_file: ignored without reporting_currency (no conversion happens)")
    check_writable(DeadLetterBox(profile.platform, config.get("dead_letter_path")).path, "dead_letter_path")


def check_account_ids(
    config: Mapping[str, Any], setting: str, shape: re.Pattern[str], described: str
) -> None:
    """Each configured account id has the platform's shape (``described`` says it), so a typo is
    refused before any request instead of failing on the platform as an unknown object."""
    for index, account in enumerate(config.get(setting) or []):
        if not shape.fullmatch(str(account).strip()):
            raise ConfigError(f"{setting}[{index}]", f"{account!r} is not an account id ({described})")


def check_url(config: Mapping[str, Any], setting: str, default: str) -> None:
    """An API host setting is an http(s) URL of a host (no query or fragment to append paths to)."""
    value = config.get(setting, default)
    url = urlsplit(str(value))
    if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment:
        raise ConfigError(setting, f"{value!r} is not an http(s) URL of a host")


def check_unique_names(entries: Any, setting: str) -> None:
    """Custom reports become streams by name: two with one name would make one stream."""
    seen: set[str] = set()
    for index, entry in enumerate(entries or []):
        if entry.get("name") in seen:
            raise ConfigError(f"{setting}[{index}].name", f"{entry['name']!r} names an earlier report too")
        seen.add(entry.get("name"))


def check_token_store(config: Mapping[str, Any], platform: str) -> None:
    """``token_store`` opens (the file, its key in ADS_TOKEN_KEY) and holds the login
    ``token_store_login`` names (checked before a sync: discovery needs no credentials)."""
    store, login = config.get("token_store"), config.get("token_store_login")
    if login and not store:
        raise ConfigError("token_store_login", "names a login inside token_store, which is not set")
    if not store:
        return
    if not Path(str(store)).is_file():
        raise ConfigError("token_store", f"{store} does not exist; write it with `ads-auth login {platform}`")
    try:
        TokenStore(str(store)).get(platform, login or DEFAULT_LOGIN)
    except AuthError as exc:
        missing_login = login and str(exc).startswith(f"{platform}: no login named")
        raise ConfigError("token_store_login" if missing_login else "token_store", str(exc)) from None


def reporting_zone(config: Mapping[str, Any]) -> str | None:
    """The checked ``reporting_timezone``: the zone performance days are expressed in, if not each
    account's own."""
    name = config.get("reporting_timezone")
    if name is None:
        return None
    try:
        zone(str(name))
    except TimezoneError as exc:
        raise ConfigError("reporting_timezone", str(exc)) from None
    return str(name)


def check_writable(path: Path, setting: str) -> None:
    """A file the run will append to: an existing file it may write, or one it may create."""
    if path.exists():
        if not path.is_file():
            raise ConfigError(setting, f"{path} is not a file")
        if not os.access(path, os.W_OK):
            raise ConfigError(setting, f"{path} is not writable")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(setting, f"{path} cannot be created: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(setting, f"{path} cannot be created: {parent} is not writable")
