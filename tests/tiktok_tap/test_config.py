"""Bad settings and custom reports are refused before any stream syncs, with one line naming the
setting, dimension or metric; a process run with one exits 1 having written nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from ads_kit.sandbox.client import SandboxClient
from tap_tiktok_ads.tap import TapTikTokAds

from .conftest import run_tap, tap_config

BASE = {
    "access_token": "t0ken-for-config-checks",
    "app_id": "7000000000000000001",
    "secret": "app-secret-for-config-checks",
    "advertiser_ids": ["7000000000000000002"],
    "api_base_url": "http://127.0.0.1:9",
}


def report(**entry: Any) -> dict[str, Any]:
    return {"custom_reports": [{"name": "mine", **entry}]}


BAD = [
    # settings
    ({"date_range": {"type": "weekly"}}, "date_range"),
    ({"date_range": {"type": "custom"}}, "date_range.start_date"),
    ({"lookback_days": 40}, "lookback_days"),
    ({"lookback_days": -1}, "lookback_days"),
    ({"report_type": "everything"}, "report_type"),
    ({"report_mode": "sometimes"}, "report_mode"),
    ({"report_type": "custom"}, "report_type"),
    ({"advertiser_ids": ["act_123"]}, "advertiser_ids"),
    ({"advertiser_ids": [], "secret": None}, "advertiser_ids"),
    ({"access_token": None}, "access_token"),
    ({"api_base_url": "business-api.tiktok.com"}, "api_base_url"),
    ({"api_version": "banana"}, "api_version"),
    ({"api_version": "v1.1"}, "api_version"),
    ({"rate_limiting": {"max_retries": -1}}, "rate_limiting.max_retries"),
    ({"rate_limiting": {"burst": 0}}, "rate_limiting.burst"),
    ({"request_timeout": 0}, "request_timeout"),
    ({"qpm_lockout_seconds": -5}, "qpm_lockout_seconds"),
    ({"reporting_timezone": "Mars/Olympus"}, "reporting_timezone"),
    ({"reporting_currency": "EURO"}, "reporting_currency"),
    # custom reports
    (report(name="by region"), "custom_reports[0].name"),
    (report(report_type="PLAYABLE"), "custom_reports[0].report_type"),
    (report(data_level="AUCTION_KEYWORD"), "custom_reports[0].data_level"),
    (
        report(dimensions=["stat_time_day", "zodiac"]),
        "custom_reports[0].dimensions: unknown dimension 'zodiac'",
    ),
    (report(dimensions=["country_code"]), "custom_reports[0].dimensions: needs exactly one of"),
    (
        report(dimensions=["stat_time_day", "stat_time_hour"]),
        "custom_reports[0].dimensions: needs exactly one",
    ),
    (
        report(report_type="AUDIENCE", dimensions=["stat_time_hour", "age"]),
        "custom_reports[0].dimensions: stat_time_hour",
    ),
    (report(report_type="AUDIENCE"), "custom_reports[0].dimensions: an AUDIENCE report needs"),
    (
        report(dimensions=["stat_time_day", "age"]),
        "custom_reports[0].dimensions: age is not a dimension of BASIC",
    ),
    (
        report(data_level="CAMPAIGN", dimensions=["adgroup_id", "stat_time_day"]),
        "custom_reports[0].dimensions: adgroup_id does not match data_level CAMPAIGN",
    ),
    (report(metrics=["spend", "zodiac_spend"]), "custom_reports[0].metrics: unknown metric 'zodiac_spend'"),
    (report(metrics=["spend", "spend"]), "custom_reports[0].metrics: a metric is listed twice"),
    (report(data_level="CAMPAIGN", metrics=["ad_name"]), "custom_reports[0].metrics: ad_name"),
    (report(metrics=["cash_spend"]), "custom_reports[0].metrics: cash_spend"),
    (
        report(
            report_type="AUDIENCE",
            data_level="CAMPAIGN",
            dimensions=["stat_time_day", "gender"],
            metrics=["reach"],
        ),
        "custom_reports[0].metrics: reach is not served in AUDIENCE reports",
    ),
    ({"custom_reports": [{"name": "a"}, {"name": "a"}]}, "custom_reports: two reports share one name"),
]


def _refusal(overrides: dict[str, Any]) -> str:
    config = {k: v for k, v in {**BASE, **overrides}.items() if v is not None}
    with pytest.raises((ConfigValidationError, ValueError)) as refused:
        TapTikTokAds(config=config, validate_config=True).discover_streams()
    error = refused.value
    errors = getattr(error, "errors", None) or [str(error)]
    return " | ".join(str(e) for e in errors)


@pytest.mark.parametrize(("overrides", "named"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_setting_is_refused_with_one_line_naming_it(overrides: dict[str, Any], named: str) -> None:
    message = _refusal(overrides)
    assert "\n" not in message
    assert named in message, message


def test_every_good_custom_report_is_accepted() -> None:
    entries = [
        {
            "name": "by_country",
            "dimensions": ["stat_time_day", "country_code"],
            "metrics": ["spend", "clicks"],
        },
        {
            "name": "aud",
            "report_type": "AUDIENCE",
            "data_level": "AUCTION_ADGROUP",
            "dimensions": ["stat_time_day", "age", "gender"],
        },
        {"name": "cash", "data_level": "ADVERTISER", "metrics": ["cash_spend", "voucher_spend", "spend"]},
        {
            "name": "hours",
            "data_level": "CAMPAIGN",
            "dimensions": ["campaign_id", "stat_time_hour"],
            "metrics": ["campaign_name", "spend"],
        },
    ]
    tap = TapTikTokAds(config={**BASE, "custom_reports": entries}, validate_config=True)
    names = {stream.name for stream in tap.discover_streams()}
    assert {f"tiktok_ads_report_custom_{n}" for n in ("by_country", "cash", "hours")} <= names
    assert "tiktok_ads_audience_report_custom_aud" in names


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (report(metrics=["zodiac_spend"]), "custom_reports[0].metrics"),
        ({"lookback_days": 40}, "lookback_days"),
    ],
)
def test_a_refused_run_exits_1_with_one_line_and_writes_nothing(
    sandbox_tiktok: SandboxClient, tmp_path: Path, overrides: dict[str, Any], named: str
) -> None:
    run = run_tap(tap_config(sandbox_tiktok, tmp_path, **overrides), tmp_path, timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert any(named in line for line in errors), errors
    assert run.records == {} and run.states == [] and sandbox_tiktok.calls("tiktok") == 0
