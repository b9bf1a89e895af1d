"""Full and incremental syncs against the sandbox, compared with the sandbox world's ground truth."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import World

from .conftest import discover, pin_tap_clock, run_tap, select, tap_config

RANGE_DAYS = 20


def _major(minor: int, world_account) -> Decimal:
    return Decimal(minor).scaleb(-world_account.currency_exponent)


def world_ad_days(world: World, since: date | None = None) -> dict[tuple[str, str, str], tuple]:
    """(account, ad, day) -> metrics, for the last RANGE_DAYS days of each account (its own today),
    or from ``since``."""
    truth = {}
    for account in world.accounts("meta"):
        # The tap reads up to the account's own today, which the world serves in part.
        last = world.account_today(account)
        first = since or last - timedelta(days=RANGE_DAYS - 1)
        for ad in world.ads(account.id):
            day = first - timedelta(days=1)
            while day < last:
                day += timedelta(days=1)
                metrics = world.ad_day(ad, day)
                if metrics is not None:
                    truth[(account.id, ad.id, day.isoformat())] = (
                        metrics.impressions,
                        metrics.clicks,
                        _major(metrics.spend_minor, account),
                        metrics.conversions,
                        _major(metrics.conversions_value_minor, account),
                    )
    return truth


def test_full_sync_equals_the_world(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    run = run_tap(tap_config(sandbox_meta, tmp_path), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    world = sandbox_meta.world()
    truth = world_ad_days(world)

    raw = Counter((r["account_id"], r["ad_id"], r["date_start"]) for r in run.records["meta_insights"])
    assert max(raw.values()) == 1, "an ad-day came twice"
    assert set(raw) == set(truth)
    for record in run.records["meta_insights"]:
        impressions, clicks, spend, _, _ = truth[
            (record["account_id"], record["ad_id"], record["date_start"])
        ]
        assert (record["impressions"], record["clicks"], record["spend"]) == (impressions, clicks, spend)

    unified = {(r["account_id"], r["ad_id"], r["date_day"]): r for r in run.records["unified_ad_performance"]}
    assert set(unified) == set(raw)
    for key, record in unified.items():
        _, _, spend, conversions, value = truth[key]
        assert (record["spend"], record["conversions"], record["conversions_value"]) == (
            spend,
            conversions,
            value,
        )
        assert (record["attribution_click_days"], record["attribution_view_days"]) == (7, 1)

    accounts = {a.id: a for a in world.accounts("meta")}
    for record in run.records["meta_campaigns"]:
        campaign = next(c for c in world.campaigns(record["account_id"]) if c.id == record["id"])
        budget_field = f"{campaign.budget_period}_budget" if campaign.budget_minor else None
        if budget_field:
            assert record[budget_field] == _major(campaign.budget_minor, accounts[record["account_id"]])
    assert {r["account_id"] for r in run.records["meta_ad_accounts"]} == set(accounts)
    for record in run.records["unified_campaigns"]:
        campaign = next(c for c in world.campaigns(record["account_id"]) if c.id == record["campaign_id"])
        account = accounts[record["account_id"]]
        expected = _major(campaign.budget_minor, account) if campaign.budget_minor else None
        assert (record["budget"], record["currency"]) == (expected, account.currency)
        assert record["status"] == {"deleted": "removed"}.get(campaign.status, campaign.status)


def test_unified_streams_add_no_requests(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(
        sandbox_meta, tmp_path, breakdowns=["age", "gender", "country", "platform_device", "hourly"]
    )
    catalog = discover(config, tmp_path)
    raw_only = run_tap(
        config, tmp_path, catalog=select(catalog, lambda name: not name.startswith("unified_"))
    )
    assert raw_only.returncode == 0, raw_only.stderr[-2000:]
    raw_calls = sandbox_meta.calls("meta")
    sandbox_meta.reset()
    both = run_tap(config, tmp_path, catalog=select(catalog, lambda name: True))
    assert both.returncode == 0, both.stderr[-2000:]
    assert sandbox_meta.calls("meta") == raw_calls
    assert len(both.records["unified_ad_performance"]) == len(both.records["meta_insights"])
    assert both.records["unified_performance_breakdowns"]


def test_incremental_run_reads_the_lookback_and_picks_up_restatements(
    sandbox_meta: SandboxClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tap_config(sandbox_meta, tmp_path, date_range={"type": "last_n_days", "days": 60})
    first = run_tap(config, tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    first_reports = sandbox_meta.calls("meta", "insights_async") + sandbox_meta.calls("meta", "insights")
    before = {(r["ad_id"], r["date_day"]): r["conversions"] for r in first.records["unified_ad_performance"]}

    sandbox_meta.advance(1)
    pin_tap_clock(sandbox_meta, monkeypatch)
    calls_before = sandbox_meta.calls("meta", "insights_async") + sandbox_meta.calls("meta", "insights")
    second = run_tap(config, tmp_path, state=first.final_state)
    assert second.returncode == 0, second.stderr[-2000:]
    second_reports = sandbox_meta.calls("meta", "insights_async") + sandbox_meta.calls("meta", "insights")
    # The 28-day lookback is two or three 14-day windows per report; the first run needed five.
    assert second_reports - calls_before < first_reports * 3 // 4

    # The world moved from 2026-11-25T20:30Z to the 26th: the earliest account today is the 26th
    # (Los Angeles), so 28 lookback days before the bookmark reach back no further than the 27th of October.
    oldest = min(r["date_start"] for r in second.records["meta_insights"])
    assert oldest >= "2026-10-27"
    world = sandbox_meta.world()
    truth = world_ad_days(world, date.fromisoformat(oldest))
    after = {(r["ad_id"], r["date_day"]): r["conversions"] for r in second.records["unified_ad_performance"]}
    restated = [key for key in after if key in before and after[key] != before[key]]
    assert restated, "no restated day came through"
    for record in second.records["unified_ad_performance"]:
        assert record["conversions"] == truth[(record["account_id"], record["ad_id"], record["date_day"])][3]


def test_reporting_timezone_rebuckets_hours_into_its_days(
    sandbox_meta: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(sandbox_meta, tmp_path, breakdowns=[], reporting_timezone="UTC")
    catalog = select(discover(config, tmp_path), lambda name: name == "unified_ad_performance")
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    got = {(r["ad_id"], r["date_day"]): r for r in run.records["unified_ad_performance"]}
    assert {r["timezone"] for r in got.values()} == {"UTC"}
    world = sandbox_meta.world()
    day = date(2026, 11, 20)  # a whole UTC day inside every zone's range at 2026-11-25T20:30Z
    for account in world.accounts("meta"):
        for ad in world.ads(account.id):
            hours = [h for d in (-1, 0, 1) for h in world.ad_day_hours(ad, day + timedelta(days=d))]
            utc_day = [h.metrics for h in hours if h.utc_start.date() == day]
            record = got.get((ad.id, day.isoformat()))
            if not utc_day:
                assert record is None
                continue
            assert record["impressions"] == sum(m.impressions for m in utc_day)
            assert record["spend"] == _major(sum(m.spend_minor for m in utc_day), account)
            assert record["reach"] is None  # reach has no hourly form


def test_custom_report_from_config(sandbox_meta: SandboxClient, tmp_path: Path) -> None:
    report = {
        "name": "campaign_country",
        "level": "campaign",
        "breakdowns": ["country"],
        "fields": ["impressions"],
    }
    config = tap_config(sandbox_meta, tmp_path, report_type="custom", custom_reports=[report])
    catalog = select(discover(config, tmp_path), lambda name: name == "meta_insights_custom_campaign_country")
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.keys["meta_insights_custom_campaign_country"] == [
        "account_id",
        "campaign_id",
        "date_start",
        "country",
    ]
    totals: dict[tuple[str, str], int] = {}
    for record in run.records["meta_insights_custom_campaign_country"]:
        assert record["country"] and "ad_id" not in record
        key = (record["campaign_id"], record["date_start"])
        totals[key] = totals.get(key, 0) + record["impressions"]
    world = sandbox_meta.world()
    campaigns = {c.id: c for a in world.accounts("meta") for c in world.campaigns(a.id)}
    assert totals
    for (campaign_id, day), impressions in totals.items():
        assert impressions == world.campaign_day(campaigns[campaign_id], date.fromisoformat(day)).impressions
