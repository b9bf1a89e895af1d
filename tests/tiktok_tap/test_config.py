"""Good custom reports become streams; a process run with a bad setting or custom report exits 1
having written nothing (the table of bad settings is test_bad_configs.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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
