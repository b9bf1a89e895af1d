from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ads_kit.sandbox.world import DIMENSIONS, RESTATEMENT_WINDOW_DAYS, Metrics, World, sum_metrics

TODAY = date(2026, 11, 25)
# Noon UTC: every account zone of the world (UTC-8 to UTC+9) is on TODAY, partially.
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return World(7, now=NOW)


def _delivered(world: World, account_id: str, day: date):
    return [(ad, m) for ad in world.ads(account_id) if (m := world.ad_day(ad, day)) is not None]


def _account(world: World, platform: str, zone: str):
    return next(a for a in world.accounts(platform) if a.timezone == zone)


def test_accounts_cover_platforms_zones_and_currencies(world):
    accounts = world.accounts()
    assert len(accounts) >= 6
    assert {a.platform for a in accounts} == {"meta", "google_ads", "tiktok"}
    assert {"America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "UTC", "America/Sao_Paulo"} <= {
        a.timezone for a in accounts
    }
    assert {"USD", "EUR", "JPY"} <= {a.currency for a in accounts}
    shapes = {"meta": r"\d{15,16}", "google_ads": r"[1-9]\d{9}", "tiktok": r"\d{19}"}
    for account in accounts:
        assert re.fullmatch(shapes[account.platform], account.id), account
        assert account.created_at.tzinfo is UTC
    assert len({a.id for a in accounts}) == len(accounts)


def test_entity_ids_are_unique_and_platform_shaped(world):
    shapes = {"meta": r"\d{18}", "google_ads": r"\d{11,12}", "tiktok": r"\d{16}"}
    seen = set()
    for account in world.accounts():
        for entity in (*world.campaigns(account.id), *world.ad_groups(account.id), *world.ads(account.id)):
            assert re.fullmatch(shapes[account.platform], entity.id), entity
            assert entity.id not in seen
            seen.add(entity.id)


def test_entities_have_statuses_budgets_and_consistent_parents(world):
    for account in world.accounts():
        campaigns = {c.id: c for c in world.campaigns(account.id)}
        ad_groups = {g.id: g for g in world.ad_groups(account.id)}
        ads = world.ads(account.id)
        statuses = {e.status for e in (*campaigns.values(), *ad_groups.values(), *ads)}
        assert {"active", "paused", "archived", "deleted"} <= statuses
        for group in ad_groups.values():
            campaign = campaigns[group.campaign_id]
            assert (campaign.budget_minor is None) != (group.budget_minor is None)
            assert group.created_at >= campaign.created_at
        for ad in ads:
            group = ad_groups[ad.ad_group_id]
            assert group.campaign_id == ad.campaign_id
            assert ad.created_at >= group.created_at and ad.updated_at >= ad.created_at
            assert ad.updated_at.date() <= TODAY
        if account.currency == "JPY":  # zero-decimal: minor units are whole yen
            assert account.currency_exponent == 0
        budgets = [c.budget_minor for c in campaigns.values() if c.budget_minor is not None]
        assert budgets and all(b % 10**account.currency_exponent == 0 for b in budgets)
        if account.platform == "google_ads":
            assert all(c.budget_minor is not None for c in campaigns.values())


def test_audiences_include_lookalikes_of_custom_audiences_and_one_primary_conversion(world):
    for account in world.accounts():
        audiences = {a.id: a for a in world.audiences(account.id)}
        lookalikes = [a for a in audiences.values() if a.kind == "lookalike"]
        assert lookalikes and all(audiences[a.source_audience_id].kind == "custom" for a in lookalikes)
        assert any(a.status == "deleted" for a in audiences.values())
        events = world.conversion_events(account.id)
        assert [e.event_type for e in events if e.primary] == ["purchase"]


def test_same_seed_same_world_different_seed_different_world(world):
    again = World(7, now=NOW)
    other = World(8, now=NOW)
    account = world.accounts("meta")[0]
    assert [a.id for a in again.accounts()] == [a.id for a in world.accounts()]
    assert [a.id for a in other.accounts()] != [a.id for a in world.accounts()]
    day = TODAY - timedelta(days=40)
    assert [again.ad_day(ad, day) for ad in again.ads(account.id)] == [
        world.ad_day(ad, day) for ad in world.ads(account.id)
    ]
    other_account = other.accounts("meta")[0]
    assert [m for _, m in _delivered(other, other_account.id, day)] != [
        m for _, m in _delivered(world, account.id, day)
    ]


def test_daily_metrics_are_plausible(world):
    for account in world.accounts():
        rows = [
            m for d in range(1, 60, 7) for _, m in _delivered(world, account.id, TODAY - timedelta(days=d))
        ]
        assert rows, account
        for m in rows:
            assert 0 <= m.clicks <= m.impressions and 0 < m.reach <= m.impressions
            assert m.spend_minor >= 0 and m.conversions >= 0
            assert (m.conversions_value_minor == 0) or m.conversions > 0


def test_levels_are_exact_sums_of_their_ads(world):
    names = ("impressions", "clicks", "spend_minor", "conversions", "conversions_value_minor", "reach")
    assert tuple(Metrics.__dataclass_fields__) == names  # a new metric must be summed here too

    def values(metrics):
        return None if metrics is None else tuple(getattr(metrics, name) for name in names)

    def added(ads, day):
        """Field by field, the plain sum of the ads that delivered; None when none did."""
        rows = [values(m) for ad in ads if (m := world.ad_day(ad, day)) is not None]
        return tuple(sum(row[i] for row in rows) for i in range(len(names))) if rows else None

    for account in world.accounts():
        ads = world.ads(account.id)
        for day in (TODAY - timedelta(days=3), TODAY - timedelta(days=100)):
            for group in world.ad_groups(account.id):
                expected = added([ad for ad in ads if ad.ad_group_id == group.id], day)
                assert values(world.ad_group_day(group, day)) == expected
            for campaign in world.campaigns(account.id):
                expected = added([ad for ad in ads if ad.campaign_id == campaign.id], day)
                assert values(world.campaign_day(campaign, day)) == expected
            assert values(world.account_day(account, day)) == added(ads, day)


@pytest.mark.parametrize("dimension", [*DIMENSIONS, "country"])
def test_breakdowns_split_every_metric_exactly(world, dimension):
    for account in world.accounts():
        for ad, total in _delivered(world, account.id, TODAY - timedelta(days=5))[:6]:
            parts = world.ad_day_breakdown(ad, TODAY - timedelta(days=5), dimension)
            assert tuple(parts) == world.breakdown_values(account, dimension)
            assert sum_metrics(parts.values()) == total
            for m in parts.values():
                assert m.clicks <= m.impressions and m.reach <= m.impressions


def test_breakdown_of_an_idle_day_is_empty_and_unknown_dimension_is_named(world):
    ad = world.ads(world.accounts()[0].id)[0]
    assert world.ad_day_breakdown(ad, TODAY + timedelta(days=1), "age") == {}
    with pytest.raises(ValueError, match="'colour'"):
        world.ad_day_breakdown(ad, TODAY, "colour")


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/Los_Angeles", date(2026, 3, 8), 23),
        ("America/Los_Angeles", date(2026, 11, 1), 25),
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("Asia/Tokyo", date(2026, 10, 25), 24),
        ("America/Sao_Paulo", date(2026, 11, 1), 24),
    ],
)
def test_hours_cover_the_real_local_day_and_sum_exactly(world, zone, day, hours):
    platform = "google_ads" if zone == "America/Sao_Paulo" else "meta"
    account = _account(world, platform, zone)
    delivered = _delivered(world, account.id, day)
    assert delivered, "the world should deliver on this day"
    tz = ZoneInfo(zone)
    for ad, total in delivered[:5]:
        slices = world.ad_day_hours(ad, day)
        assert len(slices) == hours
        assert slices[0].utc_start == datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
        assert all(b.utc_start - a.utc_start == timedelta(hours=1) for a, b in itertools.pairwise(slices))
        assert [s.local_hour for s in slices] == [s.utc_start.astimezone(tz).hour for s in slices]
        assert sum_metrics(s.metrics for s in slices) == total
    labels = [s.local_hour for s in world.ad_day_hours(*delivered[0][:1], day)]
    if hours == 23:
        assert sorted(set(range(24)) - set(labels)) == [2]
    if hours == 25:
        assert len(labels) - len(set(labels)) == 1


def test_conversions_restate_inside_the_window_and_then_stay_fixed():
    world = World(7, now=NOW)
    account = world.accounts("tiktok")[0]
    window = RESTATEMENT_WINDOW_DAYS["tiktok"]
    recent, old = TODAY - timedelta(days=1), TODAY - timedelta(days=60)
    ads = world.ads(account.id)
    before_recent = {ad.id: world.ad_day(ad, recent) for ad in ads}
    before_old = {ad.id: world.ad_day(ad, old) for ad in ads}
    assert not world.is_final(account, recent) and world.is_final(account, old)

    history = []
    for _ in range(window + 3):
        world.advance(1)
        history.append({ad.id: world.ad_day(ad, recent) for ad in ads})

    grew = 0
    for ad in ads:
        if before_recent[ad.id] is None:
            continue
        series = [before_recent[ad.id].conversions] + [h[ad.id].conversions for h in history]
        assert series == sorted(series)  # never shrinks
        assert len(set(series[window:])) == 1  # fixed once the window closed
        grew += series[-1] > series[0]
        same_delivery = [h[ad.id].impressions for h in history]
        assert set(same_delivery) == {before_recent[ad.id].impressions}  # only conversions restate
    assert grew > 0
    assert {ad.id: world.ad_day(ad, old) for ad in ads} == before_old


def test_no_metrics_before_creation_after_stop_or_in_the_future(world):
    late = world.accounts("meta")[2]  # opens mid-history
    created = late.created_at.astimezone(ZoneInfo(late.timezone)).date()
    assert created > TODAY - timedelta(days=world.history_days)
    for ad in world.ads(late.id):
        assert world.ad_day(ad, created - timedelta(days=1)) is None
        assert world.ad_day(ad, TODAY + timedelta(days=1)) is None
        if ad.delivery_end is not None:
            assert world.ad_day(ad, ad.delivery_end + timedelta(days=1)) is None
    stopped = [ad for a in world.accounts() for ad in world.ads(a.id) if ad.status != "active"]
    assert stopped and all(ad.delivery_end is not None for ad in stopped)


def test_shape_knobs_set_the_number_of_ads():
    big = World(3, now=NOW, ads_per_account=200, accounts_per_platform=5)
    assert len(big.accounts("meta")) == 5
    for account in big.accounts():
        ads = big.ads(account.id)
        assert len(ads) == 200
        assert {ad.ad_group_id for ad in ads} == {g.id for g in big.ad_groups(account.id)}
    scaled = World(3, scale=2, now=NOW)
    assert len(scaled.ads(scaled.accounts()[0].id)) == 2 * len(World(3, now=NOW).ads(scaled.accounts()[0].id))
    with pytest.raises(ValueError, match="scale"):
        World(3, scale=0)
    with pytest.raises(ValueError, match="'ads'"):
        World(3, shape={"ads": 2})


def test_find_and_metrics_addition(world):
    account = world.accounts("google_ads")[0]
    ad = world.ads(account.id)[0]
    assert world.find(ad.id) is ad and world.find(account.id) is account and world.find("0") is None
    assert Metrics(1, 1, 1, 1, 1, 1) + Metrics(2, 0, 3, 0, 5, 1) == Metrics(3, 1, 4, 1, 6, 2)
    assert sum_metrics([None, None]) is None


def test_split_without_clicks_keeps_view_through_conversions_exact() -> None:
    from ads_kit.sandbox.world import Metrics, split_metrics

    total = Metrics(
        impressions=10, clicks=0, spend_minor=7, conversions=3, conversions_value_minor=900, reach=9
    )
    parts = split_metrics(total, [1, 1, 2])
    assert sum(p.conversions for p in parts) == 3
    assert sum(p.conversions_value_minor for p in parts) == 900
    assert all(p.clicks == 0 for p in parts)
    # Nothing to weigh by at all: an even split, still exact.
    assert sum(p.spend_minor for p in split_metrics(Metrics(0, 0, 5, 0, 0, 0), [0, 0])) == 5


def test_no_hour_or_breakdown_value_has_value_without_a_conversion(world):
    """Platforms report conversion value only with conversions: every part the world splits off a day
    (the reported hours of a partial today included) keeps that."""
    account = world.accounts("meta")[0]
    days = [TODAY - timedelta(days=d) for d in range(0, 8)]
    parts = []
    for ad in world.ads(account.id):
        for day in days:
            parts += [h.metrics for h in world.ad_day_hours(ad, day)]
            for dimension in ("age", "gender", "device"):
                parts += list(world.ad_day_breakdown(ad, day, dimension).values())
    assert parts and any(p.conversions_value_minor for p in parts)
    assert [p for p in parts if p.conversions_value_minor and not p.conversions] == []
