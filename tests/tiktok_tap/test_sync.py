"""Full and incremental syncs against the sandbox, compared with the sandbox world's ground truth:
once through synchronous reports, once through report tasks."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ads_kit.sandbox.client import SandboxClient

from . import truth
from .conftest import TapRun, discover, landed, pin_tap_clock, run_tap, select, tap_config

REPORT_STREAMS = ("tiktok_ads_report_ad_daily", "tiktok_ads_report_advertiser_daily")


def assert_reports_equal_the_world(run: TapRun | dict[str, dict[str, dict]], sandbox: SandboxClient) -> None:
    """The ad and advertiser daily reports and unified ad performance of a run (or of landed tables)
    hold exactly the world's delivered days, money exact."""
    records = run.records if isinstance(run, TapRun) else {s: list(rows.values()) for s, rows in run.items()}
    world = sandbox.world()
    ad_truth = truth.ad_days(world)
    raw = Counter(
        (r["advertiser_id"], r["ad_id"], r["stat_time_day"]) for r in records["tiktok_ads_report_ad_daily"]
    )
    assert max(raw.values()) == 1, "an ad-day came twice"
    assert set(raw) == set(ad_truth)
    for record in records["tiktok_ads_report_ad_daily"]:
        key = (record["advertiser_id"], record["ad_id"], record["stat_time_day"])
        assert truth.report_figures(record) == ad_truth[key]
        assert all(isinstance(record[k], str) and record[k] for k in ("advertiser_id", "ad_id", "adgroup_id"))
    unified = {(r["account_id"], r["ad_id"], r["date_day"]): r for r in records["unified_ad_performance"]}
    assert set(unified) == set(ad_truth)
    for key, record in unified.items():
        assert truth.unified_figures(record) == ad_truth[key]
        assert (record["platform"], record["attribution_click_days"]) == ("tiktok_ads", 7)
    advertiser_truth = truth.advertiser_days(world)
    advertiser = {
        (r["advertiser_id"], r["stat_time_day"]): r for r in records["tiktok_ads_report_advertiser_daily"]
    }
    assert {k: truth.report_figures(r) for k, r in advertiser.items()} == advertiser_truth


def test_sync_reports_equal_the_world(sandbox_tiktok: SandboxClient, tmp_path: Path) -> None:
    run = run_tap(tap_config(sandbox_tiktok, tmp_path, report_mode="sync"), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_reports_equal_the_world(run, sandbox_tiktok)
    assert sandbox_tiktok.calls("tiktok", "report_task_create") == 0
    world = sandbox_tiktok.world()
    accounts = {a.id: a for a in world.accounts("tiktok")}

    # Hours: every reported hour of every ad, keyed by its UTC start, summing to the world's slices.
    hours = {(r["ad_id"], r["hour_start_utc"][:19]): r for r in run.records["tiktok_ads_report_ad_hourly"]}
    expected = {}
    for account in accounts.values():
        for ad in world.ads(account.id):
            for day in truth.days(world, account):
                for slice_ in world.ad_day_hours(ad, day):
                    if truth.delivered(slice_.metrics):
                        stamp = slice_.utc_start.strftime("%Y-%m-%dT%H:%M:%S")
                        expected[(ad.id, stamp)] = truth.figures(slice_.metrics, account)[:3]
    assert {k: (r["impressions"], r["clicks"], r["spend"]) for k, r in hours.items()} == expected

    # Audience reports: campaign rows by age sum to the campaign's day.
    by_age: dict[tuple[str, str], Decimal] = {}
    for record in run.records["tiktok_ads_audience_report_age"]:
        assert record["age"].startswith("AGE_")
        key = (record["campaign_id"], record["stat_time_day"])
        by_age[key] = by_age.get(key, Decimal(0)) + record["spend"]
    for (campaign_id, day), spend in by_age.items():
        campaign = next(c for a in accounts for c in world.campaigns(a) if c.id == campaign_id)
        metrics = world.campaign_day(campaign, date.fromisoformat(day))
        assert metrics is not None
        assert spend == truth.major(metrics.spend_minor, accounts[campaign.account_id])

    # Entities: ids as strings, UTC times, budgets in major units, every world object once.
    campaigns = {r["campaign_id"]: r for r in run.records["tiktok_ads_campaigns"]}
    assert set(campaigns) == {c.id for a in accounts for c in world.campaigns(a)}
    for campaign in (c for a in accounts for c in world.campaigns(a)):
        record = campaigns[campaign.id]
        assert record["modify_time"].startswith(campaign.updated_at.strftime("%Y-%m-%dT%H:%M:%S"))
        assert record["modify_time"].endswith("+00:00")
        if campaign.budget_minor:
            assert Decimal(str(record["budget"])) == truth.major(
                campaign.budget_minor, accounts[campaign.account_id]
            )
    assert {r["ad_id"] for r in run.records["tiktok_ads_ads"]} == {
        ad.id for a in accounts for ad in world.ads(a)
    }
    audiences = {r["audience_id"]: r for r in run.records["tiktok_ads_custom_audiences"]}
    lookalikes = [
        a for acc in accounts for a in world.audiences(acc) if a.kind == "lookalike" and a.status != "deleted"
    ]
    assert lookalikes and all(
        audiences[a.id]["source_audience_id"] == a.source_audience_id for a in lookalikes
    )
    assert {r["advertiser_id"]: r["currency"] for r in run.records["tiktok_ads_advertisers"]} == {
        a.id: a.currency for a in accounts.values()
    }
    # Keys are never null in any stream.
    for stream, records in run.records.items():
        for record in records:
            assert all(
                record.get(key) not in (None, "") for key in run.keys[stream] if key not in ("value",)
            ), stream


def test_report_tasks_equal_the_world(sandbox_tiktok: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_tiktok, tmp_path, report_mode="async", report_type="basic")
    wanted = {*REPORT_STREAMS, "unified_ad_performance"}
    catalog = select(discover(config, tmp_path), lambda name: name in wanted)
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_reports_equal_the_world(run, sandbox_tiktok)
    # 20 days cut into calendar-aligned 30-day windows: one or two tasks per advertiser and report,
    # shared by the raw and the unified stream; no synchronous report read at all.
    tasks = sandbox_tiktok.calls("tiktok", "report_task_create")
    assert 6 <= tasks <= 12
    assert sandbox_tiktok.calls("tiktok", "report_integrated_get") == 0


def _report_starts(sandbox: SandboxClient) -> list[str]:
    starts = []
    for entry in sandbox.log("tiktok", "report_integrated_get"):
        query = parse_qs(urlsplit(entry["path"]).query)
        starts.append(query["start_date"][0])
    return starts


def test_incremental_run_reads_the_lookback_and_picks_up_restatements(
    sandbox_tiktok: SandboxClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tap_config(sandbox_tiktok, tmp_path, report_type="basic", report_mode="sync")
    wanted = {*REPORT_STREAMS, "unified_ad_performance", "tiktok_ads_ads"}
    catalog = select(discover(config, tmp_path), lambda name: name in wanted)
    first = run_tap(config, tmp_path, catalog=catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    before = {(r["ad_id"], r["date_day"]): r["conversions"] for r in first.records["unified_ad_performance"]}

    sandbox_tiktok.reset()  # counters and log only from here; the world moves on one day
    sandbox_tiktok.move_to(sandbox_tiktok.now() + timedelta(days=1))
    pin_tap_clock(sandbox_tiktok, monkeypatch)
    second = run_tap(config, tmp_path, state=first.final_state, catalog=catalog)
    assert second.returncode == 0, second.stderr[-2000:]

    # Every report read starts at most lookback_days (7) before the bookmark, the advertiser's last day.
    world = sandbox_tiktok.world()
    earliest_today = min(world.account_today(a) for a in world.accounts("tiktok"))
    starts = _report_starts(sandbox_tiktok)
    assert starts and min(starts) >= (earliest_today - timedelta(days=8)).isoformat()
    # The ads stream asked TikTok only for ads modified since the bookmark (less the safety margin).
    assert all("modified_after" in e["path"] for e in sandbox_tiktok.log("tiktok", "ad_get"))

    tables = landed(second, first)
    after = {(r["ad_id"], r["date_day"]): r["conversions"] for r in second.records["unified_ad_performance"]}
    assert [key for key in after if key in before and after[key] != before[key]], (
        "no restated day came through"
    )
    # The tables hold the first run's 20 days and the new day; every one equals the world now.
    landed_ads = {
        (r["advertiser_id"], r["ad_id"], r["stat_time_day"]): truth.report_figures(r)
        for r in tables["tiktok_ads_report_ad_daily"].values()
    }
    assert landed_ads == truth.ad_days(world, span=truth.RANGE_DAYS + 1)


def test_reporting_timezone_rebuckets_hours_into_its_days(
    sandbox_tiktok: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(sandbox_tiktok, tmp_path, report_type="basic", reporting_timezone="UTC")
    catalog = select(discover(config, tmp_path), lambda name: name == "unified_ad_performance")
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    got = {(r["ad_id"], r["date_day"]): r for r in run.records["unified_ad_performance"]}
    assert {r["timezone"] for r in got.values()} == {"UTC"}
    world = sandbox_tiktok.world()
    day = date(2026, 11, 20)  # a whole UTC day inside every zone's range at 2026-11-25T20:30Z
    checked = 0
    for account in world.accounts("tiktok"):
        for ad in world.ads(account.id):
            hours = [h for d in (-1, 0, 1) for h in world.ad_day_hours(ad, day + timedelta(days=d))]
            utc_day = [h.metrics for h in hours if h.utc_start.date() == day]
            record = got.get((ad.id, day.isoformat()))
            if not any(truth.delivered(m) for m in utc_day):
                assert record is None
                continue
            assert record is not None
            assert record["impressions"] == sum(m.impressions for m in utc_day)
            assert record["spend"] == truth.major(sum(m.spend_minor for m in utc_day), account)
            checked += 1
    assert checked
