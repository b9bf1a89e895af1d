"""Campaigns with delivery always have their unified_campaigns row. TikTok leaves deleted campaigns
out of campaign/get and of the reports alike unless asked for STATUS_ALL, so with include_deleted
false no performance row points at a campaign the list left out; a campaign the run met in its
reports but not in its list is read by id, deleted or not. A deleted ad leaves its live campaign's
rows too (the campaign-level audience and hourly reports as the ad-level ones), so breakdowns add up
to the campaign totals. Checked on a world with a deleted and an archived campaign that both spent in
the range, and deleted ads and ad groups under live campaigns."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox
from ads_kit.sandbox.world import Campaign, World, sum_metrics
from tap_tiktok_ads.tap import TapTikTokAds

from . import truth
from .conftest import FAST_SANDBOX, NOW, discover, pin_tap_clock, run_tap, select, tap_config

# 31 ads: six campaigns of the world's default shape, the fifth archived and the sixth deleted.
WORLD = {"seed": 11, "ads_per_account": 31, "accounts_per_platform": 1, "history_days": 60, "now": NOW}


@pytest.fixture(scope="module")
def sandbox(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[SandboxClient]:
    with running_sandbox(settings=FAST_SANDBOX, **WORLD) as client:
        pin_tap_clock(client, monkeypatch_module)
        yield client


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _spent(world: World, campaign: Campaign) -> int:
    account = world.account(campaign.account_id)
    return sum(
        metrics.spend_minor
        for ad in world.ads_under(campaign)
        for day in truth.days(world, account)
        if (metrics := world.ad_day(ad, day)) is not None
    )


def _spending(world: World, status: str) -> Campaign:
    (account,) = world.accounts("tiktok")
    campaigns = [c for c in world.campaigns(account.id) if c.status == status and _spent(world, c)]
    assert campaigns, f"the world has no {status} campaign with spend in the range"
    return campaigns[0]


@pytest.mark.parametrize("report_mode", ["sync", "async"])
def test_every_campaign_with_performance_has_its_campaign_row(
    sandbox: SandboxClient, tmp_path: Path, report_mode: str
) -> None:
    world = sandbox.world()
    deleted, archived = _spending(world, "deleted"), _spending(world, "archived")
    config = tap_config(
        sandbox, tmp_path, include_deleted=False, report_type="basic", report_mode=report_mode
    )
    wanted = {"unified_campaign_performance", "unified_campaigns"}
    run = run_tap(config, tmp_path, catalog=select(discover(config, tmp_path), lambda name: name in wanted))
    assert run.returncode == 0, run.stderr[-2000:]
    performing = {r["campaign_id"] for r in run.records["unified_campaign_performance"]}
    listed = {r["campaign_id"] for r in run.records["unified_campaigns"]}
    assert performing <= listed
    assert archived.id in performing and deleted.id not in performing | listed


def test_campaigns_by_id_reads_a_deleted_campaign(sandbox: SandboxClient, tmp_path: Path) -> None:
    world = sandbox.world()
    deleted, archived = _spending(world, "deleted"), _spending(world, "archived")
    tap = TapTikTokAds(config=tap_config(sandbox, tmp_path, include_deleted=False), validate_config=True)
    account = tap.accounts.info(deleted.account_id)
    before = sandbox.calls("tiktok", "campaign_get")
    rows = {
        r["campaign_id"]: r for r in tap.unified_adapter.campaigns_by_id(account, [deleted.id, archived.id])
    }
    assert sandbox.calls("tiktok", "campaign_get") - before == 1  # one filtered read for both
    assert {i: r["campaign_name"] for i, r in rows.items()} == {c.id: c.name for c in (deleted, archived)}
    assert "DELETE" in rows[deleted.id]["status_raw"]
    assert not list(tap.unified_adapter.campaigns_by_id(account, []))


def _live_campaign_days(world: World) -> dict[tuple[str, str], tuple[int, int, Decimal]]:
    """(campaign, day) -> impressions, clicks, spend of the ads TikTok counts at campaign level by
    default (§3.5, §6.4): no deleted ad, nor one under a deleted ad group or campaign."""
    (account,) = world.accounts("tiktok")
    groups = {g.id: g for g in world.ad_groups(account.id)}
    out = {}
    for campaign in world.campaigns(account.id):
        live = [
            ad
            for ad in world.ads_under(campaign)
            if "deleted" not in (ad.status, groups[ad.ad_group_id].status, campaign.status)
        ]
        for day in truth.days(world, account):
            metrics = sum_metrics(world.ad_day(ad, day) for ad in live)
            if truth.delivered(metrics):
                assert metrics is not None
                out[(campaign.id, day.isoformat())] = truth.figures(metrics, account)[:3]
    return out


def test_breakdowns_add_up_to_the_campaign_totals_without_deleted_ads(
    sandbox: SandboxClient, tmp_path: Path
) -> None:
    world = sandbox.world()
    (account,) = world.accounts("tiktok")
    groups = {g.id: g for g in world.ad_groups(account.id)}
    live_campaigns = {c.id for c in world.campaigns(account.id) if c.status != "deleted"}
    deleted_in_live = [
        ad
        for ad in world.ads(account.id)
        if ad.campaign_id in live_campaigns
        and "deleted" in (ad.status, groups[ad.ad_group_id].status)
        and any(truth.delivered(world.ad_day(ad, day)) for day in truth.days(world, account))
    ]
    assert deleted_in_live, "the world has no deleted ad that delivered in a live campaign"

    config = tap_config(sandbox, tmp_path, include_deleted=False)
    wanted = {"unified_campaign_performance", "unified_performance_breakdowns", "unified_data_quality"}
    run = run_tap(config, tmp_path, catalog=select(discover(config, tmp_path), lambda name: name in wanted))
    assert run.returncode == 0, run.stderr[-2000:]

    expected = _live_campaign_days(world)
    campaigns = {
        (r["campaign_id"], r["date_day"]): (r["impressions"], r["clicks"], r["spend"])
        for r in run.records["unified_campaign_performance"]
    }
    assert campaigns == expected
    sums: dict[tuple[str, str, str], list[Any]] = {}
    for row in run.records["unified_performance_breakdowns"]:
        total = sums.setdefault((row["dimension"], row["campaign_id"], row["date_day"]), [0, 0, Decimal(0)])
        for i, name in enumerate(("impressions", "clicks", "spend")):
            total[i] += row[name]
    dimensions = {dimension for dimension, *_ in sums}
    assert dimensions == {"age", "gender", "country", "device", "hour"}
    for dimension in dimensions:
        by_campaign_day = {(c, day): tuple(v) for (d, c, day), v in sums.items() if d == dimension}
        assert by_campaign_day == {k: v for k, v in expected.items() if v[0]}, dimension
    checks = {r["check"] for r in run.records.get("unified_data_quality", [])}
    assert "breakdown_total_mismatch" not in checks
