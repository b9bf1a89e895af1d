"""Campaigns with delivery always have their unified_campaigns row. TikTok leaves deleted campaigns
out of campaign/get and of the reports alike unless asked for STATUS_ALL, so with include_deleted
false no performance row points at a campaign the list left out; a campaign the run met in its
reports but not in its list is read by id, deleted or not. Checked on a world with a deleted and an
archived campaign that both spent in the range."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox
from ads_kit.sandbox.world import Campaign, World
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
