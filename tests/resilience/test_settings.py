"""Config-schema fragments: what a tap declares for rate limiting, versions and dead letters."""

from __future__ import annotations

import jsonschema
import pytest
from singer_sdk import typing as th

from ads_kit.settings import DEAD_LETTER_PATH, api_version_property, rate_limiting_property, shared_settings


def schema(*properties: th.Property) -> dict:
    return th.PropertiesList(*properties).to_dict()


def test_rate_limiting_accepts_the_documented_keys_and_states_platform_defaults():
    config_schema = schema(
        rate_limiting_property("tiktok_ads"), api_version_property("tiktok_ads"), DEAD_LETTER_PATH
    )
    config = {
        "rate_limiting": {
            "requests_per_hour": 1000,
            "requests_per_minute": 100,
            "burst": 5,
            "backoff_multiplier": 2.0,
            "max_retries": 3,
            "concurrent_requests": 2,
            "max_wait_seconds": 600,
            "redis_url": "redis://127.0.0.1:6379/0",
        },
        "api_version": "v1.3",
        "dead_letter_path": "out/dead.jsonl",
    }
    jsonschema.validate(config, config_schema)
    properties = config_schema["properties"]["rate_limiting"]["properties"]
    assert properties["burst"]["description"].endswith("(default 8)")  # TikTok's own default
    assert properties["redis_url"]["secret"] is True  # may carry a password


def test_rate_limiting_rejects_unknown_keys():
    with pytest.raises(jsonschema.ValidationError, match="requests_per_day"):
        jsonschema.validate(
            {"rate_limiting": {"requests_per_day": 5}}, schema(rate_limiting_property("meta_ads"))
        )


def test_api_version_description_names_the_pinned_default():
    description = schema(api_version_property("google_ads"))["properties"]["api_version"]["description"]
    assert "default v26" in description


def test_shared_settings_make_a_taps_schema_with_its_platform_values():
    class TikTokLike:
        platform = "tiktok_ads"
        restatement_days = 7

    config_schema = schema(
        th.Property("advertiser_ids", th.ArrayType(th.StringType)), *shared_settings(TikTokLike)
    )
    config = {
        "advertiser_ids": ["7000000000000000001"],
        "date_range": {"type": "custom", "start_date": "2026-01-01", "end_date": "2026-01-31"},
        "lookback_days": 7,
        "include_deleted": True,
        "reporting_currency": "EUR",
        "fx_rates": {"USD": "1.08"},
        "reporting_timezone": "Europe/Berlin",
        "token_store": "tokens.enc",
        "rate_limiting": {"burst": 5},
        "dead_letter_path": "out/dead.jsonl",
    }
    jsonschema.validate(config, config_schema)
    properties = config_schema["properties"]
    assert "maximum 7" in properties["lookback_days"]["description"]
    assert "`ads-auth login tiktok_ads`" in properties["token_store"]["description"]
    assert properties["rate_limiting"]["properties"]["burst"]["description"].endswith("(default 8)")
    with pytest.raises(jsonschema.ValidationError, match="weekly"):
        jsonschema.validate({"date_range": {"type": "weekly"}}, config_schema)
