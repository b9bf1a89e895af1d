"""`meltano run tap-meta-ads <target>` against the sandbox, compared row for row with the world.

Runs the repository's own meltano.yml (the `sandbox` environment) into a DuckDB file through
target-duckdb, then checks every loaded campaign-day and ad-day against the sandbox's ground truth:
nothing lost, nothing duplicated, money exact. PostgreSQL is loaded by the three taps together in
test_meltano_suite.py.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from meltano_project import ad_truth, campaign_truth, duckdb_campaign_rows, meltano, meltano_env

from ads_kit.report import DuckDBSource, build_document
from ads_kit.sandbox.process import running_sandbox

pytestmark = pytest.mark.e2e

DAYS = 7
STREAMS = ["unified_campaign_performance.*", "meta_insights.*", "meta_campaigns.*", "unified_campaigns.*"]


# The day Berlin falls back (01:00 UTC), at four hours: before the change, when Tokyo is on the
# next day (15:30) and when Berlin is too (23:30). The tap reads the sandbox's instant (ADS_NOW).
INSTANTS = ["2026-10-25T00:30:00Z", "2026-10-25T08:30:00Z", "2026-10-25T15:30:00Z", "2026-10-25T23:30:00Z"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    with running_sandbox(seed=11, now=INSTANTS[0]) as client:
        meltano(["install"], meltano_env(client, tmp_path_factory.mktemp("state")))


@pytest.fixture(params=INSTANTS)
def sandbox(request, installed):
    with running_sandbox(seed=11, now=request.param) as client:
        yield client


@pytest.fixture
def env(sandbox, tmp_path):
    return meltano_env(sandbox, tmp_path / "state")


def run_settings(**extra: str) -> dict[str, str]:
    return {
        "TAP_META_ADS__SELECT": json.dumps(STREAMS),
        "TAP_META_ADS_DATE_RANGE": json.dumps({"type": "last_n_days", "days": DAYS}),
        **extra,
    }


def assert_matches_world(sandbox, campaign_rows: list[tuple], ad_rows: list[tuple]) -> None:
    world = sandbox.world()
    keys = [(account, campaign, day) for account, campaign, day, *_ in campaign_rows]
    assert len(keys) == len(set(keys)), "duplicated campaign-day rows"
    truth = campaign_truth(world, DAYS)
    loaded = {
        (account, campaign, day): (impressions, clicks, spend, conversions)
        for account, campaign, day, impressions, clicks, spend, conversions in campaign_rows
    }
    assert set(loaded) == set(truth), (
        f"missing {sorted(set(truth) - set(loaded))[:3]}, unexpected {sorted(set(loaded) - set(truth))[:3]}"
    )
    assert loaded == truth
    ad_keys = [(ad, day) for ad, day in ad_rows]
    assert len(ad_keys) == len(set(ad_keys)), "duplicated ad-day insights rows"
    assert set(ad_keys) == ad_truth(world, DAYS)


def test_meltano_run_into_duckdb_equals_the_world(sandbox, env, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    env = {**env, **run_settings(TARGET_DUCKDB_FILEPATH=str(warehouse))}
    meltano(["run", "tap-meta-ads", "target-duckdb"], env)
    campaign_rows = duckdb_campaign_rows(warehouse, sandbox.world(), "meta")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ad_rows = con.execute("select ad_id, date_start from ads.meta_insights").fetchall()
    ads = [(ad, date.fromisoformat(str(day)[:10])) for ad, day in ad_rows]
    assert_matches_world(sandbox, campaign_rows, ads)
    assert_report_matches_world(sandbox, DuckDBSource(warehouse, schema="ads"))


def assert_report_matches_world(sandbox, source) -> None:
    """`ads-report`'s document for each account sums to the world's own totals for the synced days."""
    truth = campaign_truth(sandbox.world(), DAYS)
    for account in sandbox.world().accounts("meta"):
        rows = [metrics for (acct, _, _), metrics in truth.items() if acct == account.id]
        document = build_document(source, platform="meta_ads", account=account.id)
        summary = document["summary"]
        assert document["metadata"]["currency"] == account.currency
        assert summary["total_impressions"] == sum(m[0] for m in rows)
        assert summary["total_clicks"] == sum(m[1] for m in rows)
        assert Decimal(str(summary["total_spend"])) == sum(m[2] for m in rows)
        assert Decimal(str(summary["total_conversions"])) == sum(m[3] for m in rows)
        campaign_spend = sum(Decimal(str(c["spend"])) for c in document["campaigns"])
        assert campaign_spend == Decimal(str(summary["total_spend"]))
