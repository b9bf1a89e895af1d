"""`ads-config run platforms.yml --target target-duckdb`: the users' YAML file drives the three taps
through Meltano into DuckDB, compared with the world.

The file is the README's example; its secrets come from the environment, here the sandbox's. The
sandbox names its accounts as the file does (``account_ids``), with one exception: the file gives
Google's customer and TikTok's advertiser the same id, 1234567890, and the sandbox's world finds an
account by its id alone, so TikTok's advertiser becomes 1234567899 in the copy this test runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from meltano_project import ROOT, campaign_truth, duckdb_campaign_rows, meltano, meltano_env

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.process import running_sandbox

pytestmark = pytest.mark.e2e

FILE = ROOT / "tests" / "fixtures" / "config_file" / "platforms.yml"
NOW = "2026-11-25T20:30:00Z"
DAYS = 7  # the file's date_range
TIKTOK_ADVERTISER = "1234567899"
ACCOUNT_IDS = {"meta": ["123456", "789012"], "google_ads": ["1234567890"], "tiktok": [TIKTOK_ADVERTISER]}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxClient]:
    with running_sandbox(seed=11, now=NOW, account_ids=ACCOUNT_IDS) as client:
        yield client


def secrets(sandbox: SandboxClient) -> dict[str, str]:
    """The variables the file references, and the Google developer token, from the sandbox."""
    meta, google, tiktok = (sandbox.platform(name) for name in ("meta", "google_ads", "tiktok"))
    return {
        "META_APP_ID": meta["client_id"],
        "META_APP_SECRET": meta["client_secret"],
        "META_ACCESS_TOKEN": meta["access_token"],
        "GOOGLE_ADS_CLIENT_ID": google["client_id"],
        "GOOGLE_ADS_CLIENT_SECRET": google["client_secret"],
        "GOOGLE_ADS_REFRESH_TOKEN": google["refresh_token"],
        "GOOGLE_ADS_DEVELOPER_TOKEN": google["developer_token"],
        "TIKTOK_APP_ID": tiktok["client_id"],
        "TIKTOK_SECRET": tiktok["client_secret"],
        "TIKTOK_ACCESS_TOKEN": tiktok["access_token"],
    }


def test_the_users_file_runs_every_platform_into_duckdb(sandbox, tmp_path):
    config_file = tmp_path / "platforms.yml"
    config_file.write_text(
        FILE.read_text().replace('advertiser_ids: ["1234567890"]', f'advertiser_ids: ["{TIKTOK_ADVERTISER}"]')
    )
    warehouse = tmp_path / "warehouse.duckdb"
    env = meltano_env(sandbox, tmp_path / "state", **secrets(sandbox))
    meltano(["install", "tap-meta-ads", "tap-google-ads-unified", "tap-tiktok-ads", "target-duckdb"], env)
    env.update(
        {
            "TARGET_DUCKDB_FILEPATH": str(warehouse),
            # What the test adds to the file: one stream per tap, and TikTok's deleted campaigns
            # too, so every platform's truth is every campaign of the world.
            **{
                f"{tap}__SELECT": json.dumps(["unified_campaign_performance.*"])
                for tap in ("TAP_META_ADS", "TAP_GOOGLE_ADS_UNIFIED", "TAP_TIKTOK_ADS")
            },
            "TAP_TIKTOK_ADS_INCLUDE_DELETED": "true",
        }
    )
    command = ["run", str(config_file), "--target", "target-duckdb", "--environment", "sandbox"]
    run = subprocess.run(
        [str(Path(sys.executable).with_name("ads-config")), *command, "--project-dir", str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = run.stdout + run.stderr
    Path("/tmp/suite/adsconfig.log").write_text(output)
    assert run.returncode == 0, output[-4000:]
    # The file's expired versions: warned by the check, then by each tap Meltano ran (the file's
    # settings overrode the sandbox environment's), and replaced by the newest live ones.
    for tap, line in (
        ("tap-meta-ads", "api_version v19.0 of meta_ads expired (older than v22.0); using v25.0 instead"),
        (
            "tap-google-ads-unified",
            "api_version v14 of google_ads expired (older than v22); using v23 instead",
        ),
    ):
        assert f"ads-config: WARNING {line}" in output
        assert any(tap in said and line in said for said in output.splitlines()), tap
    world = sandbox.world()
    for platform in ("meta", "google_ads", "tiktok"):
        rows = duckdb_campaign_rows(warehouse, world, platform)
        assert rows, f"{platform}: nothing loaded"
        keys = [row[:3] for row in rows]
        assert len(keys) == len(set(keys)), f"{platform}: duplicated campaign-day rows"
        assert {row[:3]: row[3:] for row in rows} == campaign_truth(world, DAYS, platform), platform
    assert not any(value in output for value in secrets(sandbox).values())
