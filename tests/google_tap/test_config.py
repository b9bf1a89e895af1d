"""Custom GAQL reports against Google's field metadata: a bad one refused before any stream syncs, with
one line naming the report and the field; nothing is emitted. A good one lands with derived keys.
(Settings and reports refused without asking Google: test_bad_configs.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ads_kit.resilience.errors import ConfigError
from ads_kit.sandbox.client import SandboxClient
from tap_google_ads_unified.custom import check_against_metadata, custom_query

from .conftest import PLATFORM, RANGE_DAYS, run_tap, tap_config

DEVICE = {"mobile": "MOBILE", "desktop": "DESKTOP", "tablet": "TABLET", "connected_tv": "CONNECTED_TV"}

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
    # Google reads click_view one day per query (reference §8): each wider window is refused with
    # DATE_RANGE_TOO_WIDE and read in halves, down to single days (the world has no click ids).
    clicks = {
        "name": "clicks",
        "query": "SELECT click_view.gclid, segments.date FROM click_view",
        "primary_keys": ["click_view.gclid", "segments.date"],
    }
    reports = [report, renamed, clicks]
    config = tap_config(sandbox_google, tmp_path, report_type="custom", custom_reports=reports)
    run = run_tap(config, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "google_ads_custom_clicks" in run.keys and not run.records.get("google_ads_custom_clicks")
    refused = [
        e for e in sandbox_google.log(PLATFORM, "GoogleAdsService/SearchStream") if e["status"] != "OK"
    ]
    assert refused and {e["status"] for e in refused} == {"INVALID_ARGUMENT"} and "| ERROR" not in run.stderr
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
