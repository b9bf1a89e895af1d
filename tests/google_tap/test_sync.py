"""Full and incremental syncs against the sandbox, compared with the sandbox world's ground truth."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.pytest_plugin import running_sandbox

from .conftest import (
    FAST_SANDBOX,
    PLATFORM,
    WORLD,
    discover,
    major,
    only,
    pin_tap_clock,
    run_tap,
    select,
    tap_config,
    world_ad_days,
)

MICROS = Decimal(1_000_000)
STATUS = {"active": "ENABLED", "paused": "PAUSED", "archived": "REMOVED", "deleted": "REMOVED"}


def _ad_key(record: dict) -> tuple[str, str, str]:
    return (record["customer_id"], str(record["ad_group_ad_ad_id"]), record["date"])


def test_full_sync_equals_the_world(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    run = run_tap(tap_config(sandbox_google, tmp_path), tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    world = sandbox_google.world()
    truth = world_ad_days(world)

    raw = Counter(_ad_key(r) for r in run.records["google_ads_ad_performance"])
    assert max(raw.values()) == 1, "an ad-day came twice"
    assert set(raw) == set(truth)
    for record in run.records["google_ads_ad_performance"]:
        impressions, clicks, spend, conversions, value = truth[_ad_key(record)]
        assert (record["impressions"], record["clicks"]) == (impressions, clicks)
        assert Decimal(record["cost_micros"]) / MICROS == spend
        assert (record["conversions"], record["conversions_value"]) == (conversions, value)

    unified = {(r["account_id"], r["ad_id"], r["date_day"]): r for r in run.records["unified_ad_performance"]}
    assert set(unified) == set(truth)
    for key, record in unified.items():
        _, _, spend, conversions, value = truth[key]
        assert (record["spend"], record["conversions"], record["conversions_value"]) == (
            spend,
            conversions,
            value,
        )
        # every world customer's primary action counts with Google's default 30-day click window
        assert (record["attribution_click_days"], record["attribution_view_days"]) == (30, None)
        assert record["timezone"] == world.account(key[0]).timezone

    accounts = {a.id: a for a in world.accounts(PLATFORM)}
    assert {r["customer_id"] for r in run.records["google_ads_customers"]} == set(accounts)
    for record in run.records["google_ads_customers"]:
        account = accounts[record["customer_id"]]
        assert (record["customer_currency_code"], record["customer_time_zone"]) == (
            account.currency,
            account.timezone,
        )
    campaigns = {c.id: c for a in accounts.values() for c in world.campaigns(a.id)}
    live = {cid for cid, c in campaigns.items() if STATUS[c.status] != "REMOVED"}
    assert {str(r["campaign_id"]) for r in run.records["google_ads_campaigns"]} == live
    for record in run.records["unified_campaigns"]:
        campaign = campaigns[record["campaign_id"]]
        account = accounts[record["account_id"]]
        expected = major(campaign.budget_minor, account) if campaign.budget_minor else None
        assert (record["budget"], record["currency"]) == (expected, account.currency)
        assert record["status_raw"] == STATUS[campaign.status]
        assert record["start_date"] == campaign.start_date.isoformat()
    ads = {
        str(a.id)
        for account in accounts.values()
        for a in world.ads(account.id)
        if STATUS[a.status] != "REMOVED"
    }
    assert {r["ad_id"] for r in run.records["unified_ads"]} == ads


def test_deleted_entities_come_with_include_deleted(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(sandbox_google, tmp_path, include_deleted=True)
    run = run_tap(config, tmp_path, catalog=select(discover(config, tmp_path), only("google_ads_ads")))
    assert run.returncode == 0, run.stderr[-2000:]
    world = sandbox_google.world()
    every = {ad.id: STATUS[ad.status] for a in world.accounts(PLATFORM) for ad in world.ads(a.id)}
    assert {
        str(r["ad_group_ad_ad_id"]): r["ad_group_ad_status"] for r in run.records["google_ads_ads"]
    } == every
    assert "REMOVED" in every.values()


def test_unified_streams_add_no_requests(sandbox_google: SandboxClient, tmp_path: Path) -> None:
    config = tap_config(
        sandbox_google, tmp_path, report_type="all", date_range={"type": "last_n_days", "days": 7}
    )
    catalog = discover(config, tmp_path)
    raw_only = run_tap(
        config, tmp_path, catalog=select(catalog, lambda name: not name.startswith("unified_"))
    )
    assert raw_only.returncode == 0, raw_only.stderr[-2000:]
    raw_calls = sandbox_google.calls(PLATFORM)
    sandbox_google.reset()
    both = run_tap(config, tmp_path, catalog=select(catalog, lambda name: True))
    assert both.returncode == 0, both.stderr[-2000:]
    assert sandbox_google.calls(PLATFORM) == raw_calls
    assert len(both.records["unified_ad_performance"]) == len(both.records["google_ads_ad_performance"])
    dimensions = {r["dimension"] for r in both.records["unified_performance_breakdowns"]}
    assert dimensions == {"age", "gender", "device", "country", "hour"}
    # every age and device split equals the world's, campaign by campaign and day by day
    world = sandbox_google.world()
    for dimension in ("age", "device"):
        got = {
            (r["campaign_id"], r["date_day"], r["value"]): (r["impressions"], r["spend"])
            for r in both.records["unified_performance_breakdowns"]
            if r["dimension"] == dimension
        }
        truth: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
        for account in world.accounts(PLATFORM):
            today = world.account_today(account)
            for ad in world.ads(account.id):
                for back in range(7):
                    day = today - timedelta(days=back)
                    for value, part in world.ad_day_breakdown(ad, day, dimension).items():
                        key = (ad.campaign_id, day.isoformat(), value)
                        impressions, spend = truth.get(key, (0, Decimal(0)))
                        truth[key] = (
                            impressions + part.impressions,
                            spend + major(part.spend_minor, account),
                        )
        truth = {key: numbers for key, numbers in truth.items() if any(numbers)}
        assert got and got == truth, dimension


_WINDOW = re.compile(r"segments\.date BETWEEN '(\d{4}-\d\d-\d\d)' AND '(\d{4}-\d\d-\d\d)'")


def test_incremental_run_reads_the_lookback_and_picks_up_restatements(
    sandbox_google: SandboxClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tap_config(
        sandbox_google, tmp_path, date_range={"type": "last_n_days", "days": 60}, log_requests=True
    )
    catalog = select(discover(config, tmp_path), only("google_ads_ad_performance", "unified_ad_performance"))
    first = run_tap(config, tmp_path, catalog=catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    before = {(r["ad_id"], r["date_day"]): r["conversions"] for r in first.records["unified_ad_performance"]}
    bookmarks = {
        partition["context"]["account_id"]: partition["replication_key_value"]
        for partition in first.final_state["bookmarks"]["google_ads_ad_performance"]["partitions"]
    }

    sandbox_google.advance(1)
    pin_tap_clock(sandbox_google, monkeypatch)
    second = run_tap(config, tmp_path, state=first.final_state, catalog=catalog)
    assert second.returncode == 0, second.stderr[-2000:]

    # The request log: every report window starts inside the 30-day lookback before its bookmark.
    windows = _WINDOW.findall(second.stderr)
    assert windows
    oldest_allowed = min(date.fromisoformat(b[:10]) for b in bookmarks.values()) - timedelta(days=30)
    assert all(date.fromisoformat(since) >= oldest_allowed for since, _ in windows)
    assert len(windows) < len(_WINDOW.findall(first.stderr))

    oldest = min(r["date"] for r in second.records["google_ads_ad_performance"])
    world = sandbox_google.world()
    truth = world_ad_days(world, date.fromisoformat(oldest))
    after = {(r["ad_id"], r["date_day"]): r["conversions"] for r in second.records["unified_ad_performance"]}
    restated = [key for key in after if key in before and after[key] != before[key]]
    assert restated, "no restated day came through"
    got = {(r["account_id"], r["ad_id"], r["date_day"]): r for r in second.records["unified_ad_performance"]}
    for key, record in got.items():
        assert record["conversions"] == truth[key][3]
    # nothing of the lookback is missing either
    lookback = {
        k for k in truth if k[2] >= max(date.fromisoformat(b[:10]) for b in bookmarks.values()).isoformat()
    }
    assert lookback <= set(got)


def test_configured_conversion_actions_decide_unified_conversions(
    sandbox_google: SandboxClient, tmp_path: Path
) -> None:
    world = sandbox_google.world()
    events = {e.id: e for a in world.accounts(PLATFORM) for e in world.conversion_events(a.id)}
    primary = [e.id for e in events.values() if e.primary]
    other = next(e.name for e in events.values() if not e.primary)
    wanted = ("unified_ad_performance", "google_ads_conversion_action_performance")
    runs = {}
    for name, actions in (("primary", primary), ("other", [other])):
        config = tap_config(sandbox_google, tmp_path, report_type="all", conversion_actions=actions)
        run = run_tap(config, tmp_path, catalog=select(discover(config, tmp_path), only(*wanted)))
        assert run.returncode == 0, run.stderr[-2000:]
        runs[name] = {
            (r["account_id"], r["ad_id"], r["date_day"]): r for r in run.records["unified_ad_performance"]
        }
    truth = world_ad_days(world)
    assert {k: r["conversions"] for k, r in runs["primary"].items()} == {k: v[3] for k, v in truth.items()}
    assert {k: r["conversions_value"] for k, r in runs["primary"].items()} == {
        k: v[4] for k, v in truth.items()
    }
    assert {r["conversions"] for r in runs["other"].values()} == {0}  # the other actions never fire
    # the per-action report names the primary action on every row
    assert {str(r["conversion_action"]).rsplit("/", 1)[-1] for r in run.records[wanted[1]]} <= set(primary)


def test_reporting_timezone_rebuckets_google_hours_into_its_days(
    sandbox_google: SandboxClient, tmp_path: Path
) -> None:
    config = tap_config(
        sandbox_google, tmp_path, reporting_timezone="UTC", date_range={"type": "last_n_days", "days": 7}
    )
    run = run_tap(
        config, tmp_path, catalog=select(discover(config, tmp_path), only("unified_campaign_performance"))
    )
    assert run.returncode == 0, run.stderr[-2000:]
    got = {(r["campaign_id"], r["date_day"]): r for r in run.records["unified_campaign_performance"]}
    assert {r["timezone"] for r in got.values()} == {"UTC"}
    world = sandbox_google.world()
    day = date(2026, 11, 22)  # a whole UTC day inside every customer's last 7 days at 2026-11-25T15:30Z
    for account in world.accounts(PLATFORM):
        for campaign in world.campaigns(account.id):
            hours = [
                piece.metrics
                for ad in world.ads(account.id)
                if ad.campaign_id == campaign.id
                for shift in (-1, 0, 1)
                for piece in world.ad_day_hours(ad, day + timedelta(days=shift))
                if piece.utc_start.date() == day
            ]
            record = got.get((campaign.id, day.isoformat()))
            if not any(m.impressions or m.spend_minor for m in hours):
                assert record is None
                continue
            assert record["impressions"] == sum(m.impressions for m in hours)
            assert record["spend"] == major(sum(m.spend_minor for m in hours), account)


@pytest.fixture(scope="module")
def four_campaigns() -> Iterator[SandboxClient]:
    """One customer with four campaigns (the package world has two): the fourth is REMOVED and
    delivered in the range."""
    with running_sandbox(
        settings=FAST_SANDBOX, **{**WORLD, "ads_per_account": 19, "accounts_per_platform": 1}
    ) as client:
        yield client


def test_removed_campaigns_with_spend_are_read_by_id(
    four_campaigns: SandboxClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """include_deleted is false, so the campaigns table leaves REMOVED campaigns out; those that
    delivered in the range are read by id, so every campaign with performance has its attributes."""
    sandbox_google = four_campaigns
    pin_tap_clock(sandbox_google, monkeypatch)
    monkeypatch.setenv("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", sandbox_google.connection["tls_cert"])
    monkeypatch.setenv("GRPC_VERBOSITY", "ERROR")
    config = tap_config(sandbox_google, tmp_path)
    catalog = select(discover(config, tmp_path), only("unified_campaigns", "unified_campaign_performance"))
    run = run_tap(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    world = sandbox_google.world()
    campaigns = {c.id: c for a in world.accounts(PLATFORM) for c in world.campaigns(a.id)}
    delivered = {r["campaign_id"] for r in run.records["unified_campaign_performance"]}
    hidden = {cid for cid in delivered if STATUS[campaigns[cid].status] == "REMOVED"}
    assert hidden, "the world should have a removed campaign with delivery in the range"
    got = Counter(r["campaign_id"] for r in run.records["unified_campaigns"])
    assert max(got.values()) == 1, "a campaign came twice"
    live = {cid for cid, c in campaigns.items() if STATUS[c.status] != "REMOVED"}
    assert set(got) == live | hidden
    for record in run.records["unified_campaigns"]:
        campaign = campaigns[record["campaign_id"]]
        assert (record["status_raw"], record["campaign_name"]) == (STATUS[campaign.status], campaign.name)
        assert record["start_date"] == campaign.start_date.isoformat()
