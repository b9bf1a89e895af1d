"""`meltano run tap-tiktok-ads <target>` against the sandbox, compared row for row with the world.

The repository's own meltano.yml (the `sandbox` environment, advertisers found through
oauth2/advertiser/get/) into the real PostgreSQL through synchronous reports, and into a DuckDB file
through report tasks: every loaded campaign-day and ad-day equals the sandbox's ground truth,
nothing lost, nothing duplicated, money exact.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import duckdb
import psycopg
import pytest
from meltano_project import account_days, ad_truth, campaign_truth, duckdb_campaign_rows, meltano, meltano_env

from ads_kit.sandbox.process import running_sandbox
from ads_kit.sandbox.world import World, sum_metrics

pytestmark = pytest.mark.e2e

DAYS = 7
STREAMS = ["unified_campaign_performance.*", "tiktok_ads_report_ad_daily.*", "tiktok_ads_campaigns.*"]
POSTGRES_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Tokyo already on the next day, Los Angeles still on the 25th.
INSTANT = "2026-11-25T20:30:00Z"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    with running_sandbox(seed=11, now=INSTANT) as client:
        meltano(
            ["install", "extractor", "tap-tiktok-ads"], meltano_env(client, tmp_path_factory.mktemp("state"))
        )
        yield client


def run_settings(mode: str, include_deleted: bool, **extra: str) -> dict[str, str]:
    return {
        "TAP_TIKTOK_ADS__SELECT": json.dumps(STREAMS),
        "TAP_TIKTOK_ADS_DATE_RANGE": json.dumps({"type": "last_n_days", "days": DAYS}),
        "TAP_TIKTOK_ADS_REPORT_MODE": mode,
        "TAP_TIKTOK_ADS_INCLUDE_DELETED": json.dumps(include_deleted),
        **extra,
    }


def live_truth(world: World) -> tuple[dict[tuple[str, str, date], tuple], set[tuple[str, date]]]:
    """Campaign-days and ad-days without deleted ads (a deleted ad group or campaign deletes its ads):
    what TikTok reports by default and what its report tasks return (they take no status filter)."""
    campaigns: dict[tuple[str, str, date], tuple] = {}
    ads: set[tuple[str, date]] = set()
    for account in world.accounts("tiktok"):
        groups = {g.id: g for g in world.ad_groups(account.id)}
        for campaign in world.campaigns(account.id):
            if campaign.status == "deleted":
                continue
            live = [
                ad
                for ad in world.ads(account.id)
                if ad.campaign_id == campaign.id
                and "deleted" not in (ad.status, groups[ad.ad_group_id].status)
            ]
            for day in account_days(world, account.id, DAYS):
                metrics = sum_metrics(world.ad_day(ad, day) for ad in live)
                if metrics is not None and metrics.impressions:
                    spend = Decimal(metrics.spend_minor).scaleb(-account.currency_exponent)
                    campaigns[(account.id, campaign.id, day)] = (
                        metrics.impressions, metrics.clicks, spend, Decimal(metrics.conversions)
                    )  # fmt: skip
                ads |= {
                    (ad.id, day) for ad in live if (m := world.ad_day(ad, day)) is not None and m.impressions
                }
    return campaigns, ads


def assert_matches_world(sandbox, campaign_rows: list[tuple], ad_rows: list[tuple], *, deleted: bool) -> None:
    """With ``deleted`` the world's every ad, else its live ones."""
    world = sandbox.world()
    keys = [(account, campaign, day) for account, campaign, day, *_ in campaign_rows]
    assert len(keys) == len(set(keys)), "duplicated campaign-day rows"
    if deleted:
        truth, ad_days = campaign_truth(world, DAYS, "tiktok"), ad_truth(world, DAYS, "tiktok")
    else:
        truth, ad_days = live_truth(world)
    loaded = {(a, c, d): tuple(rest) for a, c, d, *rest in campaign_rows}
    assert set(loaded) == set(truth), (
        f"missing {sorted(set(truth) - set(loaded))[:3]}, unexpected {sorted(set(loaded) - set(truth))[:3]}"
    )
    assert loaded == truth
    ad_keys = [(ad, day) for ad, day in ad_rows]
    assert len(ad_keys) == len(set(ad_keys)), "duplicated ad-day report rows"
    assert set(ad_keys) == ad_days


def test_meltano_run_into_postgres_equals_the_world(sandbox, tmp_path):
    schema = f"e2e_tiktok_{uuid.uuid4().hex[:8]}"
    env = meltano_env(
        sandbox,
        tmp_path / "state",
        **run_settings(
            "sync",
            True,
            TARGET_POSTGRES_SQLALCHEMY_URL=POSTGRES_URL,
            TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA=schema,
        ),
    )
    meltano(["run", "tap-tiktok-ads", "target-postgres"], env)
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as con:
        try:
            money_type = con.execute(
                "select data_type from information_schema.columns where table_schema = %s "
                "and table_name = 'tiktok_ads_report_ad_daily' and column_name = 'spend'",
                (schema,),
            ).fetchone()
            assert money_type == ("numeric",)
            campaign_rows = con.execute(
                f"select account_id, campaign_id, date_day, impressions, clicks, spend, conversions "
                f"from {schema}.unified_campaign_performance where platform = 'tiktok_ads'"
            ).fetchall()
            ad_rows = con.execute(
                f"select ad_id, stat_time_day::date from {schema}.tiktok_ads_report_ad_daily"
            ).fetchall()
        finally:
            con.execute(f"drop schema if exists {schema} cascade")
    assert_matches_world(sandbox, campaign_rows, ad_rows, deleted=True)


def test_meltano_run_into_duckdb_through_report_tasks_equals_the_world(sandbox, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    env = meltano_env(
        sandbox, tmp_path / "state", **run_settings("async", False, TARGET_DUCKDB_FILEPATH=str(warehouse))
    )
    before = sandbox.calls("tiktok", "report_task_create")
    meltano(["run", "tap-tiktok-ads", "target-duckdb"], env)
    assert sandbox.calls("tiktok", "report_task_create") > before
    campaign_rows = duckdb_campaign_rows(warehouse, sandbox.world(), "tiktok")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ad_rows = con.execute("select ad_id, stat_time_day from ads.tiktok_ads_report_ad_daily").fetchall()
    ads = [(ad, date.fromisoformat(str(day)[:10])) for ad, day in ad_rows]
    assert_matches_world(sandbox, campaign_rows, ads, deleted=False)
