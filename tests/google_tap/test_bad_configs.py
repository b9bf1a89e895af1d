"""Every bad setting, shared or Google's own, and every GAQL report the tap can refuse without asking
Google, is refused before the first message: exit code 1, one error line starting with the setting,
no traceback, no RECORD and no STATE. The tap runs its own command line in this process
(``bad_configs.run_cli``); nothing is requested (the valid config points at a port nothing listens on).
Reports Google's field metadata refuses are in test_config.py, against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bad_configs import DROP, SHARED_CASES, BadConfig, assert_refused, case_id, pin_environment, run_cli

from tap_google_ads_unified.tap import TapGoogleAdsUnified

from .conftest import NOW

UNREACHABLE = "127.0.0.1:9"  # port 9 (discard): nothing listens


def valid_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "client_id": "valid-config-client.apps.googleusercontent.com",
        "client_secret": "valid-config-client-secret",
        "refresh_token": "1//0valid-config-refresh-token",
        "developer_token": "valid-config-developer-token",
        "token_url": f"http://{UNREACHABLE}/token",
        "api_endpoint": UNREACHABLE,
        "customer_ids": ["123-456-7890", "1234567891"],
        "login_customer_id": "9876543210",
        "date_range": {"type": "last_n_days", "days": 7},
        "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
        "rate_limiting": {"max_retries": 1, "backoff_multiplier": 0.01},
    }


def _report(query: str = "SELECT campaign.id FROM campaign", **entry: Any) -> dict[str, Any]:
    return {"custom_reports": [{"name": "bad", "query": query, **entry}]}


GOOGLE_CASES = [
    # credentials
    BadConfig("no developer_token", {"developer_token": DROP}, "developer_token"),
    BadConfig("no refresh_token nor token_store", {"refresh_token": DROP}, "refresh_token"),
    BadConfig("refresh_token number", {"refresh_token": 5}, "refresh_token"),
    BadConfig("client_secret a list", {"client_secret": ["s"]}, "client_secret"),
    BadConfig("token_url without scheme", {"token_url": "oauth2.googleapis.com/token"}, "token_url"),
    BadConfig("token_url ftp", {"token_url": "ftp://oauth2.googleapis.com/token"}, "token_url"),
    # customers
    BadConfig("customer_id short", {"customer_id": "12-345"}, "customer_id"),
    BadConfig("customer_id grouped wrong", {"customer_id": "123-4567-890"}, "customer_id"),
    BadConfig("customer_id number", {"customer_id": 1234567890}, "customer_id"),
    BadConfig("customer_ids letters", {"customer_ids": ["1234567890", "abc"]}, "customer_ids[1]"),
    BadConfig("customer_ids eleven digits", {"customer_ids": ["12345678901"]}, "customer_ids[0]"),
    BadConfig("customer_ids a string", {"customer_ids": "1234567890"}, "customer_ids"),
    BadConfig("login_customer_id spaces", {"login_customer_id": "123 456 7890"}, "login_customer_id"),
    # the API
    BadConfig(
        "api_endpoint with scheme", {"api_endpoint": "https://googleads.googleapis.com"}, "api_endpoint"
    ),
    BadConfig("api_endpoint with path", {"api_endpoint": "localhost:443/v26"}, "api_endpoint"),
    BadConfig("api_version not a Google version", {"api_version": "v9000.1.2"}, "api_version"),
    BadConfig("request_timeout 0", {"request_timeout": 0}, "request_timeout"),
    BadConfig("request_timeout negative", {"request_timeout": -5}, "request_timeout"),
    BadConfig("request_timeout text", {"request_timeout": "60"}, "request_timeout"),
    BadConfig("lookback_days past Google's 30 days", {"lookback_days": 31}, "lookback_days"),
    # reports
    BadConfig("report_type unknown", {"report_type": "everything"}, "report_type"),
    BadConfig("report_type custom without reports", {"report_type": "custom"}, "report_type"),
    BadConfig("conversion action blank", {"conversion_actions": ["purchase", " "]}, "conversion_actions[1]"),
    BadConfig("conversion_actions a string", {"conversion_actions": "purchase"}, "conversion_actions"),
    BadConfig("custom report name spaces", _report(name="Bad Name"), "custom_reports[0].name"),
    BadConfig("custom report without name", {"custom_reports": [{"query": "x"}]}, "custom_reports[0].name"),
    BadConfig("custom report without query", {"custom_reports": [{"name": "r"}]}, "custom_reports[0].query"),
    BadConfig(
        "custom report key typo", _report(primary_key=["campaign.id"]), "custom_reports[0].primary_key"
    ),
    BadConfig(
        "custom report names twice",
        {"custom_reports": [{"name": "r", "query": "SELECT campaign.id FROM campaign"}] * 2},
        "custom_reports[1].name",
    ),
    BadConfig(
        "custom report key not selected",
        _report(primary_keys=["ad_group.id"]),
        "custom_reports[0] (bad).primary_keys",
    ),
    BadConfig("custom_reports an object", {"custom_reports": {"name": "r"}}, "custom_reports"),
]
CASES = [*SHARED_CASES, *GOOGLE_CASES]
# (query, what the one line names besides the report); the name of every entry is "bad"
BAD_QUERIES: list[tuple[str, str]] = [
    ("", "a GAQL query is required"),
    ("SELECT campaign.id", "SELECT <fields> FROM <resource>"),
    ("SELECT campaign.idd FROM campaign", "campaign.idd"),
    ("SELECT campaign.id, metrics.clickz FROM campaign", "metrics.clickz"),
    ("SELECT campaign.id, campaign.id FROM campaign", "selected twice"),
    ("SELECT campaign.id FROM campaign ORDER BY campaign.id", "ORDER BY"),
    ("SELECT campaign.id FROM campaign LIMIT 5", "LIMIT"),
    ("SELECT campaign.id, segments.date FROM campaign WHERE segments.date DURING LAST_7_DAYS", "DURING"),
    ("SELECT campaign.id, segments.date FROM campaign WHERE segments.date > '2026-01-01'", "segments.date"),
    ("SELECT Campaign.Id FROM campaign", "Campaign.Id"),
]


@pytest.fixture(autouse=True)
def _pinned_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_environment(monkeypatch, NOW.isoformat())


def test_the_table_has_google_s_own_cases_and_names_each_once() -> None:
    assert len(GOOGLE_CASES) + len(BAD_QUERIES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


def test_the_valid_config_passes_every_check(tmp_path: Path) -> None:
    """The control: each case differs from a config that is only refused for what a case changes."""
    run = run_cli(TapGoogleAdsUnified, valid_config(tmp_path), tmp_path, "--discover")
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    assert "google_ads_ad_performance" in {s["tap_stream_id"] for s in json.loads(run.stdout)["streams"]}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_bad_setting_is_refused_before_the_first_message(case: BadConfig, tmp_path: Path) -> None:
    run = run_cli(TapGoogleAdsUnified, case.config(valid_config(tmp_path), tmp_path), tmp_path)
    assert_refused(run, case.setting)
    assert run.messages == []  # not even a SCHEMA: the settings are checked at discovery


@pytest.mark.parametrize(("query", "named"), BAD_QUERIES, ids=[q or "empty" for q, _ in BAD_QUERIES])
def test_bad_custom_query_is_refused_naming_report_and_field(query: str, named: str, tmp_path: Path) -> None:
    run = run_cli(TapGoogleAdsUnified, {**valid_config(tmp_path), **_report(query)}, tmp_path)
    assert_refused(run, "custom_reports[0] (bad).query")
    assert named in run.error_lines[0]
    assert run.messages == []


def test_discover_lists_the_streams_without_credentials(tmp_path: Path) -> None:
    # `meltano select --list` runs --discover with whatever config there is; nothing is requested.
    config = {
        key: value
        for key, value in valid_config(tmp_path).items()
        if key not in ("developer_token", "refresh_token", "client_secret")
    }
    run = run_cli(TapGoogleAdsUnified, {**config, **_report()}, tmp_path, "--discover")
    assert run.returncode == 0 and run.error_lines == [], run.stderr[-2000:]
    streams = {s["tap_stream_id"] for s in json.loads(run.stdout)["streams"]}
    assert {"unified_ad_performance", "google_ads_custom_bad"} <= streams


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"developer_token": ["dev-token-in-a-list-0123"]}, "developer_token"),
        ({"refresh_token": {"value": "1//0refresh-in-an-object-42"}}, "refresh_token"),
        ({"client_secret": 123456789987654321}, "client_secret"),
    ],
)
def test_a_secret_of_the_wrong_type_is_refused_without_its_value(
    tmp_path: Path, overrides: dict[str, Any], setting: str
) -> None:
    run = run_cli(TapGoogleAdsUnified, {**valid_config(tmp_path), **overrides}, tmp_path)
    assert_refused(run, setting)
    for secret in ("dev-token-in-a-list-0123", "1//0refresh-in-an-object-42", "123456789987654321"):
        assert secret not in run.stderr


def test_about_describes_the_tap(tmp_path: Path) -> None:
    run = run_cli(TapGoogleAdsUnified, None, tmp_path, "--about", "--format=json")
    assert run.returncode == 0, run.stderr[-2000:]
    description = json.loads(run.stdout)["description"]
    assert isinstance(description, str) and "Google Ads" in description and "unified" in description


def test_an_unreachable_token_url_fails_at_once_naming_it(tmp_path: Path) -> None:
    # The valid config itself: its token URL refuses connections. One attempt, although the config
    # allows a retry: a host that never answered is the setting's fault, not a glitch.
    run = run_cli(TapGoogleAdsUnified, valid_config(tmp_path), tmp_path)
    assert_refused(run, "token_url")
    assert UNREACHABLE in run.error_lines[0] and "retry" not in run.stderr
