"""`meltano run tap-google-ads-unified <target>` against the sandbox, compared row for row with the world.

Runs the repository's own meltano.yml (the `sandbox` environment: gRPC over TLS to the Google Ads
emulator) into a DuckDB file through target-duckdb, then checks every loaded ad-day and campaign-day
against the sandbox's ground truth: nothing lost, nothing duplicated, money exact. PostgreSQL is
loaded by the three taps together in test_meltano_suite.py.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from meltano_project import meltano, meltano_env

from ads_kit.sandbox.process import running_sandbox
from ads_kit.sandbox.world import Account, Metrics, World

pytestmark = pytest.mark.e2e

PLATFORM = "google_ads"
DAYS = 7
NOW = "2026-11-25T15:30:00Z"  # Tokyo already on the 26th, Sao Paulo and Los Angeles on the 25th
STREAMS = ["google_ads_ad_performance.*", "unified_campaign_performance.*"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    with running_sandbox(seed=11, now=NOW) as client:
        env = meltano_env(client, tmp_path_factory.mktemp("state"))
        meltano(["install", "tap-google-ads-unified", "target-duckdb"], env)
        yield client


@pytest.fixture
def env(sandbox, tmp_path):
    return {
        **meltano_env(sandbox, tmp_path / "state"),
        "TAP_GOOGLE_ADS_UNIFIED__SELECT": json.dumps(STREAMS),
        "TAP_GOOGLE_ADS_UNIFIED_DATE_RANGE": json.dumps({"type": "last_n_days", "days": DAYS}),
        "TAP_GOOGLE_ADS_UNIFIED_REPORT_TYPE": "performance",
    }


def _numbers(account: Account, metrics: Metrics | None) -> tuple | None:
    """(impressions, clicks, spend, conversions); None when Google leaves the row out (all zero)."""
    if metrics is None:
        return None
    spend = Decimal(metrics.spend_minor).scaleb(-account.currency_exponent)
    numbers = (metrics.impressions, metrics.clicks, spend, Decimal(metrics.conversions))
    return numbers if any(numbers) or metrics.conversions_value_minor else None


def _days(world: World, account: Account) -> list[date]:
    today = world.account_today(account)
    return [today - timedelta(days=n) for n in range(DAYS)]


def ad_truth(world: World) -> dict[tuple[str, str, date], tuple]:
    truth = {}
    for account in world.accounts(PLATFORM):
        for ad in world.ads(account.id):
            for day in _days(world, account):
                numbers = _numbers(account, world.ad_day(ad, day))
                if numbers is not None:
                    truth[(account.id, ad.id, day)] = numbers
    return truth


def campaign_truth(world: World) -> dict[tuple[str, str, date], tuple]:
    truth = {}
    for account in world.accounts(PLATFORM):
        for campaign in world.campaigns(account.id):
            for day in _days(world, account):
                numbers = _numbers(account, world.campaign_day(campaign, day))
                if numbers is not None:
                    truth[(account.id, campaign.id, day)] = numbers
    return truth


def assert_matches_world(world: World, ad_rows: list[tuple], campaign_rows: list[tuple]) -> None:
    for rows, truth in ((ad_rows, ad_truth(world)), (campaign_rows, campaign_truth(world))):
        keys = [row[:3] for row in rows]
        assert len(keys) == len(set(keys)), "duplicated rows"
        loaded = {row[:3]: row[3:] for row in rows}
        missing, unexpected = sorted(set(truth) - set(loaded)), sorted(set(loaded) - set(truth))
        assert not missing and not unexpected, f"missing {missing[:3]}, unexpected {unexpected[:3]}"
        assert loaded == truth


def _ad_row(customer, ad, day, impressions, clicks, cost_micros, conversions) -> tuple:
    spend = Decimal(int(cost_micros)) / 1_000_000
    return (str(customer), str(ad), date.fromisoformat(str(day)[:10]), int(impressions), int(clicks), spend,
            Decimal(str(conversions)))  # fmt: skip


def test_meltano_run_into_duckdb_equals_the_world(sandbox, env, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    meltano(
        ["run", "tap-google-ads-unified", "target-duckdb"], {**env, "TARGET_DUCKDB_FILEPATH": str(warehouse)}
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ads = con.execute(
            "select customer_id, ad_group_ad_ad_id, date, impressions, clicks, cost_micros, conversions "
            "from ads.google_ads_ad_performance"
        ).fetchall()
        raw_campaigns = con.execute(
            "select account_id, campaign_id, date_day, impressions, clicks, spend, conversions "
            "from ads.unified_campaign_performance where platform = 'google_ads'"
        ).fetchall()
    exponents = {a.id: a.currency_exponent for a in sandbox.world().accounts(PLATFORM)}
    # target-duckdb stores numbers as DOUBLE: round once to the currency's exponent to compare exactly.
    campaigns = [
        (account, campaign, date.fromisoformat(str(day)[:10]), int(impressions), int(clicks),
         round(Decimal(str(spend)), exponents[account]), Decimal(str(conversions)))
        for account, campaign, day, impressions, clicks, spend, conversions in raw_campaigns
    ]  # fmt: skip
    assert_matches_world(sandbox.world(), [_ad_row(*row) for row in ads], campaigns)
