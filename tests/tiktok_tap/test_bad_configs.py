"""Every bad setting, shared or TikTok's own, is refused before the first message: exit code 1, one
error line starting with the setting, no traceback, no RECORD and no STATE. The tap runs its own
command line in this process (``bad_configs.run_cli``); no sandbox is needed, since nothing may be
requested."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bad_configs import DROP, SHARED_CASES, BadConfig, assert_refused, case_id, pin_environment, run_cli

from tap_tiktok_ads.tap import TapTikTokAds

from .conftest import NOW

# Port 9 (discard): nothing listens, so a setting that slipped through would end in a failed request
# naming api_base_url instead of the setting under test.
UNREACHABLE = "http://127.0.0.1:9"


def valid_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "access_token": "t0ken-for-config-checks",
        "app_id": "7000000000000000001",
        "secret": "app-secret-for-config-checks",
        "advertiser_ids": ["7000000000000000002"],
        "api_base_url": UNREACHABLE,
        "date_range": {"type": "last_n_days", "days": 7},
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
        "rate_limiting": {"max_retries": 1, "backoff_multiplier": 0.01},
    }


def _report(**entry: Any) -> dict[str, Any]:
    return {"custom_reports": [{"name": "mine", **entry}]}


TIKTOK_CASES = [
    # credentials and advertisers
    BadConfig("no access_token", {"access_token": DROP}, "access_token"),
    BadConfig("access_token number", {"access_token": 123}, "access_token"),
    BadConfig("secret number", {"secret": 5}, "secret"),
    BadConfig("app_id not digits", {"app_id": "my-app"}, "app_id"),
    BadConfig("advertiser id with act_", {"advertiser_ids": ["act_123"]}, "advertiser_ids[0]"),
    BadConfig("advertiser id letters", {"advertiser_ids": ["123", "abc"]}, "advertiser_ids[1]"),
    BadConfig("advertiser id number", {"advertiser_ids": [123]}, "advertiser_ids[0]"),
    BadConfig("advertiser_ids a string", {"advertiser_ids": "123"}, "advertiser_ids"),
    BadConfig("no advertisers and no secret", {"advertiser_ids": [], "secret": DROP}, "advertiser_ids"),
    # host, timeouts, modes
    BadConfig("api_base_url without scheme", {"api_base_url": "business-api.tiktok.com"}, "api_base_url"),
    BadConfig("api_base_url ftp", {"api_base_url": "ftp://business-api.tiktok.com"}, "api_base_url"),
    BadConfig("api_base_url without host", {"api_base_url": "https://"}, "api_base_url"),
    BadConfig("api_version retired", {"api_version": "v1.1"}, "api_version"),
    BadConfig("lookback past 7 days", {"lookback_days": 40}, "lookback_days"),
    BadConfig("request_timeout 0", {"request_timeout": 0}, "request_timeout"),
    BadConfig("request_timeout text", {"request_timeout": "60"}, "request_timeout"),
    BadConfig("qpm lockout negative", {"qpm_lockout_seconds": -5}, "qpm_lockout_seconds"),
    BadConfig("qpm lockout 0", {"qpm_lockout_seconds": 0}, "qpm_lockout_seconds"),
    BadConfig("report_type unknown", {"report_type": "everything"}, "report_type"),
    BadConfig("report_type custom without reports", {"report_type": "custom"}, "report_type"),
    BadConfig("report_mode unknown", {"report_mode": "sometimes"}, "report_mode"),
    # custom reports
    BadConfig("custom report name spaces", _report(name="by region"), "custom_reports[0].name"),
    BadConfig(
        "custom report without name", {"custom_reports": [{"metrics": ["spend"]}]}, "custom_reports[0].name"
    ),
    BadConfig("custom report type", _report(report_type="PLAYABLE"), "custom_reports[0].report_type"),
    BadConfig("custom report level", _report(data_level="AUCTION_KEYWORD"), "custom_reports[0].data_level"),
    BadConfig("custom report key typo", _report(metrix=["spend"]), "custom_reports[0].metrix"),
    BadConfig("custom report metric capitalised", _report(metrics=["Spend"]), "custom_reports[0].metrics[0]"),
    BadConfig(
        "custom report names twice",
        {"custom_reports": [{"name": "a"}, {"name": "a"}]},
        "custom_reports[1].name",
    ),
    BadConfig("custom_reports an object", {"custom_reports": {"name": "a"}}, "custom_reports"),
]
# Dimensions and metrics that do not fit the report's type or level: the line names the entry's
# dimensions or metrics and says which one.
REPORT_CASES = [
    (_report(dimensions=["stat_time_day", "zodiac"]), "dimensions: unknown dimension 'zodiac'"),
    (_report(dimensions=["country_code"]), "dimensions: needs exactly one of"),
    (_report(dimensions=["stat_time_day", "stat_time_hour"]), "dimensions: needs exactly one"),
    (_report(report_type="AUDIENCE", dimensions=["stat_time_hour", "age"]), "dimensions: stat_time_hour"),
    (_report(report_type="AUDIENCE"), "dimensions: an AUDIENCE report needs"),
    (_report(dimensions=["stat_time_day", "age"]), "dimensions: age is not a dimension of BASIC"),
    (
        _report(data_level="CAMPAIGN", dimensions=["adgroup_id", "stat_time_day"]),
        "dimensions: adgroup_id does not match data_level CAMPAIGN",
    ),
    (_report(metrics=["spend", "zodiac_spend"]), "metrics: unknown metric 'zodiac_spend'"),
    (_report(metrics=["spend", "spend"]), "metrics: a metric is listed twice"),
    (_report(data_level="CAMPAIGN", metrics=["ad_name"]), "metrics: ad_name"),
    (_report(metrics=["cash_spend"]), "metrics: cash_spend"),
    (
        _report(
            report_type="AUDIENCE",
            data_level="CAMPAIGN",
            dimensions=["stat_time_day", "gender"],
            metrics=["reach"],
        ),
        "metrics: reach is not served in AUDIENCE reports",
    ),
]
CASES = [*SHARED_CASES, *TIKTOK_CASES]


@pytest.fixture(autouse=True)
def _pinned_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_environment(monkeypatch, NOW.isoformat())


def test_the_table_is_large_and_names_each_case_once() -> None:
    assert len(TIKTOK_CASES) + len(REPORT_CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


def test_the_valid_config_passes_every_check(tmp_path: Path) -> None:
    """The control: each case differs from a config that is only refused for what a case changes."""
    run = run_cli(TapTikTokAds, valid_config(tmp_path), tmp_path, "--discover")
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    assert "tiktok_ads_campaigns" in {s["tap_stream_id"] for s in json.loads(run.stdout)["streams"]}


def test_discovery_needs_no_settings_at_all(tmp_path: Path) -> None:
    """``meltano select --list`` discovers before any setting is filled in, as with Meta and Google;
    the advertisers (or the app that lists them) are asked of a run only."""
    run = run_cli(TapTikTokAds, {}, tmp_path, "--discover")
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    streams = {s["tap_stream_id"] for s in json.loads(run.stdout)["streams"]}
    assert {"tiktok_ads_campaigns", "unified_ad_performance", "unified_dead_letters"} <= streams


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_bad_setting_is_refused_before_the_first_message(case: BadConfig, tmp_path: Path) -> None:
    run = run_cli(TapTikTokAds, case.config(valid_config(tmp_path), tmp_path), tmp_path)
    assert_refused(run, case.setting)
    assert run.messages == []  # not even a SCHEMA: the settings are checked at discovery


@pytest.mark.parametrize(("overrides", "problem"), REPORT_CASES, ids=[p for _, p in REPORT_CASES])
def test_a_custom_report_that_does_not_fit_says_which_dimension_or_metric(
    tmp_path: Path, overrides: dict[str, Any], problem: str
) -> None:
    run = run_cli(TapTikTokAds, {**valid_config(tmp_path), **overrides}, tmp_path)
    assert_refused(run, f"custom_reports[0].{problem.split(':')[0]}")
    assert run.error_lines[0].split(" | ")[-1].startswith(f"custom_reports[0].{problem}")


def test_an_unreachable_host_fails_at_once_naming_api_base_url(tmp_path: Path) -> None:
    # The valid config itself: its host refuses connections. One attempt, no retries for minutes.
    run = run_cli(TapTikTokAds, valid_config(tmp_path), tmp_path)
    assert_refused(run, "api_base_url")
    assert UNREACHABLE in run.error_lines[0] and "retry" not in run.stderr


def test_about_describes_the_tap(tmp_path: Path) -> None:
    run = run_cli(TapTikTokAds, None, tmp_path, "--about", "--format", "json")
    assert run.returncode == 0, run.stderr[-2000:]
    description = json.loads(run.stdout)["description"]
    assert description and "TikTok" in description and "unified_" in description
