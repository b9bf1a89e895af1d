"""Bad settings and bad GAQL reports: each refused before any stream syncs, with one line naming the
setting (and for a report, the report and the field); nothing is emitted."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from ads_kit.resilience.errors import ConfigError
from ads_kit.sandbox.client import SandboxClient
from tap_google_ads_unified.custom import check_against_metadata, custom_query
from tap_google_ads_unified.tap import TapGoogleAdsUnified

from .conftest import PLATFORM, RANGE_DAYS, run_tap, tap_config

DEVICE = {"mobile": "MOBILE", "desktop": "DESKTOP", "tablet": "TABLET", "connected_tv": "CONNECTED_TV"}

BASE = {
    "developer_token": "d" * 22,
    "refresh_token": "1//0" + "r" * 40,
    "client_id": "c",
    "client_secret": "s" * 20,
}
BAD_SETTINGS: list[tuple[dict[str, Any], str]] = [
    ({"customer_id": "12-345"}, "customer_id"),
    ({"customer_id": "123-4567-890"}, "customer_id"),
    ({"customer_ids": ["1234567890", "abc"]}, "customer_ids"),
    ({"customer_ids": ["12345678901"]}, "customer_ids"),
    ({"login_customer_id": "123 456 7890"}, "login_customer_id"),
    ({"api_endpoint": "https://googleads.googleapis.com"}, "api_endpoint"),
    ({"api_endpoint": "localhost:443/v26"}, "api_endpoint"),
    ({"token_url": "oauth2.googleapis.com/token"}, "token_url"),
    ({"request_timeout": 0}, "request_timeout"),
    ({"request_timeout": -5}, "request_timeout"),
    ({"report_type": "everything"}, "report_type"),
    ({"report_type": "custom"}, "report_type"),
    ({"conversion_actions": ["purchase", " "]}, "conversion_actions"),
    ({"lookback_days": 31}, "lookback_days"),
    ({"date_range": {"type": "custom"}}, "date_range.start_date"),
    ({"date_range": {"type": "yesterday"}}, "date_range"),
    ({"date_range": {"type": "last_n_days", "days": 0}}, "date_range.days"),
    (
        {"date_range": {"type": "custom", "start_date": "2026-11-10", "end_date": "2026-11-01"}},
        "date_range.end_date",
    ),
    ({"api_version": "v9000.1.2"}, "api_version"),
    ({"api_version": "v19"}, "api_version"),
    ({"reporting_timezone": "Mars/Olympus"}, "reporting_timezone"),
]
# (query, what the one line names); the name of every entry is "bad"
BAD_QUERIES: list[tuple[str, str]] = [
    ("", "custom_reports[0] (bad).query"),
    ("SELECT campaign.id", "custom_reports[0] (bad).query"),
    ("SELECT campaign.idd FROM campaign", "campaign.idd"),
    ("SELECT campaign.id, metrics.clickz FROM campaign", "metrics.clickz"),
    ("SELECT campaign.id, campaign.id FROM campaign", "selected twice"),
    ("SELECT campaign.id FROM campaign ORDER BY campaign.id", "ORDER BY"),
    ("SELECT campaign.id FROM campaign LIMIT 5", "LIMIT"),
    ("SELECT campaign.id, segments.date FROM campaign WHERE segments.date DURING LAST_7_DAYS", "DURING"),
    ("SELECT campaign.id, segments.date FROM campaign WHERE segments.date > '2026-01-01'", "segments.date"),
    ("SELECT Campaign.Id FROM campaign", "Campaign.Id"),
]
# refused only by Google's field metadata (GoogleAdsFieldService), with the field they name
METADATA_QUERIES: list[tuple[str, str]] = [
    ("SELECT campaign.id FROM campaigns", "campaigns"),
    ("SELECT ad_group.id, metrics.clicks FROM campaign", "ad_group.id"),
    ("SELECT campaign.id, segments.hour, segments.device, metrics.clicks FROM campaign", "segments.hour"),
    (
        "SELECT campaign.id, segments.conversion_action, metrics.impressions FROM campaign",
        "segments.conversion_action",
    ),
    ("SELECT customer_client.id, metrics.clicks FROM customer_client", "metrics.clicks"),
    (
        "SELECT age_range_view.resource_name, segments.device, metrics.clicks FROM age_range_view",
        "segments.device",
    ),
]


def _refusal(config: dict[str, Any]) -> str:
    """The one line a tap built from ``config`` refuses it with (discovery, before any stream)."""
    with pytest.raises((ConfigError, ConfigValidationError, ValueError)) as refused:
        TapGoogleAdsUnified(config=config, parse_env_config=False, validate_config=True).discover_streams()
    errors = getattr(refused.value, "errors", None) or [str(refused.value)]
    line = " ".join(str(e) for e in errors)
    assert "\n" not in line
    return line


@pytest.mark.parametrize(("overrides", "setting"), BAD_SETTINGS, ids=[s for _, s in BAD_SETTINGS])
def test_bad_setting_is_refused_naming_it(overrides: dict[str, Any], setting: str) -> None:
    assert setting in _refusal({**BASE, **overrides})


@pytest.mark.parametrize(("query", "named"), BAD_QUERIES, ids=[q or "empty" for q, _ in BAD_QUERIES])
def test_bad_custom_query_is_refused_naming_report_and_field(query: str, named: str) -> None:
    line = _refusal({"custom_reports": [{"name": "bad", "query": query}]})
    assert "custom_reports[0] (bad)" in line and named in line


def test_bad_custom_report_names_and_keys_are_refused() -> None:
    assert "custom_reports[0].name" in _refusal({"custom_reports": [{"name": "Bad Name", "query": "x"}]})
    twice = [{"name": "r", "query": "SELECT campaign.id FROM campaign"}] * 2
    assert "custom_reports[1].name" in _refusal({"custom_reports": twice})
    keys = {"name": "k", "query": "SELECT campaign.id FROM campaign", "primary_keys": ["ad_group.id"]}
    assert "custom_reports[0] (k).primary_keys" in _refusal({"custom_reports": [keys]})


@pytest.fixture(scope="module")
def field_metadata(google_sandbox: SandboxClient, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """GoogleAdsFieldService's answer for every field the metadata cases use, read by the tap's own
    client in a process of its own (gRPC reads its TLS roots once per process)."""
    tmp_path = tmp_path_factory.mktemp("metadata")
    queries = [custom_query({"name": "q", "query": query}, 0) for query, _ in METADATA_QUERIES]
    names = sorted({name for q in queries for name in (q.resource, *q.fields)})
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(tap_config(google_sandbox, tmp_path)))
    script = (
        "import json, sys; from tap_google_ads_unified.tap import TapGoogleAdsUnified as T; "
        "t = T(config=sys.argv[1], parse_env_config=False); "
        "print(json.dumps(t.client.field_metadata(sys.argv[2:])))"
    )
    env = {
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": google_sandbox.connection["tls_cert"],
        "GRPC_VERBOSITY": "ERROR",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, str(config_file), *names],
        capture_output=True, text=True, timeout=60, check=True, env={**__import__("os").environ, **env},
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("query", "named"), METADATA_QUERIES, ids=[n for _, n in METADATA_QUERIES])
def test_query_against_google_field_metadata(query: str, named: str, field_metadata: dict[str, Any]) -> None:
    parsed = custom_query({"name": "bad", "query": query}, 0)

    def metadata(names: list[str]) -> dict[str, Any]:
        return {name: field_metadata[name] for name in names if name in field_metadata}

    with pytest.raises(ConfigError) as refused:
        check_against_metadata(parsed, 0, metadata)
    assert str(refused.value).startswith("custom_reports[0] (bad).query: ") and named in str(refused.value)


def test_a_query_google_refuses_stops_the_run_before_anything_is_emitted(
    sandbox_google: SandboxClient, tmp_path: Path
) -> None:
    report = {"name": "hour_by_device", "query": METADATA_QUERIES[2][0]}
    run = run_tap(tap_config(sandbox_google, tmp_path, custom_reports=[report]), tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert not run.records and not run.keys and not run.states
    errors = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1 and "custom_reports[0] (hour_by_device).query: segments.hour" in errors[0], errors
    assert sandbox_google.calls(PLATFORM, "GoogleAdsFieldService/SearchGoogleAdsFields") == 1
    assert sandbox_google.calls(PLATFORM, "GoogleAdsService/SearchStream") == 0


def test_a_good_custom_report_lands_with_derived_keys(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    report = {
        "name": "campaign_devices",
        "query": "SELECT campaign.id, segments.device, segments.date, metrics.clicks FROM campaign "
        "WHERE campaign.status != 'REMOVED'",
    }
    # written for v22 and before: campaign.start_date is start_date_time since v23 (the shared field map)
    renamed = {"name": "campaign_starts", "query": "SELECT campaign.id, campaign.start_date FROM campaign"}
    config = tap_config(sandbox_google, tmp_path, report_type="custom", custom_reports=[report, renamed])
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    stream = "google_ads_custom_campaign_devices"
    assert run.keys[stream] == ["customer_id", "campaign_id", "device", "date"]
    got = {(str(r["campaign_id"]), r["device"], r["date"]): r["clicks"] for r in run.records[stream]}
    world = sandbox_google.world()
    truth: dict[tuple[str, str, str], int] = {}
    for account in world.accounts(PLATFORM):
        today = world.account_today(account)
        for ad in world.ads(account.id):
            for back in range(RANGE_DAYS):
                day = today - timedelta(days=back)
                for device, metrics in world.ad_day_breakdown(ad, day, "device").items():
                    key = (ad.campaign_id, DEVICE[device], day.isoformat())
                    truth[key] = truth.get(key, 0) + metrics.clicks
    assert got == {key: clicks for key, clicks in truth.items() if clicks}
    assert "google_ads_ad_performance" not in run.records  # report_type custom: only custom reports
    starts = {
        str(r["campaign_id"]): r["campaign_start_date"]
        for r in run.records["google_ads_custom_campaign_starts"]
    }
    campaigns = {c.id: c for a in world.accounts(PLATFORM) for c in world.campaigns(a.id)}
    assert starts == {cid: f"{campaigns[cid].start_date.isoformat()} 00:00:00" for cid in starts}
    assert set(starts) == set(campaigns)
