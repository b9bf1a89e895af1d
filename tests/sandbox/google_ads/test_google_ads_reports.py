"""Report rows equal the world exactly: campaigns, ad groups and ads by date, hour and device, the
demographic and geographic views, conversion actions; days in the customer's zone, the partial
current day, restatement, zero rows, derived metrics."""

from __future__ import annotations

from datetime import date, timedelta

import pycountry
import pytest
from google_ads_client import Ads
from google_ads_truth import (
    DEVICE,
    GENDER,
    NUMBERS,
    between,
    days,
    enum,
    hours_sum,
    micros,
    nonzero,
    numbers,
    row_numbers,
    split_sum,
)

from ads_kit.sandbox.world import World, sum_metrics


def _range(ads: Ads, index: int, length: int = 10) -> tuple[date, date]:
    today = ads.today(index)
    return today - timedelta(days=length), today


@pytest.mark.parametrize("index", [0, 1, 2])
def test_campaign_days_equal_the_world_including_the_partial_today(
    ads: Ads, world: World, index: int
) -> None:
    account = world.account(ads.accounts[index])
    first, last = _range(ads, index)
    query = f"SELECT campaign.id, segments.date, {NUMBERS} FROM campaign WHERE {between(first, last)}"
    rows = ads.stream(query, customer=account.id)
    got = {(r.campaign.id, r.segments.date): row_numbers(r) for r in rows}
    expected = {
        (int(c.id), day.isoformat()): numbers(account, world.campaign_day(c, day))
        for c in world.campaigns(account.id)
        for day in days(first, last)
        if nonzero(account, world.campaign_day(c, day))
    }
    assert got == expected
    assert len(rows) == len(got)  # one row per campaign and day
    # Google reports hours three hours after they end: Sao Paulo's 12:30 today holds its morning only.
    if index == 0:
        today = [v for (_, d), v in got.items() if d == last.isoformat()]
        assert today and sum(v[0] for v in today) < sum(
            v[0] for (_, d), v in got.items() if d == first.isoformat()
        )


def test_ad_group_and_ad_days_equal_the_world(ads: Ads, world: World) -> None:
    account = world.account(ads.accounts[1])  # JPY: micros are yen times a million
    first, last = _range(ads, 1, 5)
    groups = ads.stream(
        f"SELECT ad_group.id, segments.date, {NUMBERS} FROM ad_group WHERE {between(first, last)}",
        customer=account.id,
    )
    assert {(r.ad_group.id, r.segments.date): row_numbers(r) for r in groups} == {
        (int(g.id), day.isoformat()): numbers(account, world.ad_group_day(g, day))
        for g in world.ad_groups(account.id)
        for day in days(first, last)
        if nonzero(account, world.ad_group_day(g, day))
    }
    rows = ads.stream(
        f"SELECT ad_group_ad.ad.id, segments.date, {NUMBERS} FROM ad_group_ad WHERE {between(first, last)}",
        customer=account.id,
    )
    assert {(r.ad_group_ad.ad.id, r.segments.date): row_numbers(r) for r in rows} == {
        (int(ad.id), day.isoformat()): numbers(account, world.ad_day(ad, day))
        for ad in world.ads(account.id)
        for day in days(first, last)
        if nonzero(account, world.ad_day(ad, day))
    }
    sample = next(r for r in rows if r.metrics.cost_micros)
    ad = next(a for a in world.ads(account.id) if int(a.id) == sample.ad_group_ad.ad.id)
    spend = world.ad_day(ad, date.fromisoformat(sample.segments.date)).spend_minor
    assert sample.metrics.cost_micros == spend * 1_000_000


def test_hours_are_local_and_a_repeated_hour_counts_once(ads: Ads, world: World) -> None:
    account = world.account(ads.accounts[2])  # Los Angeles: clocks went back on 2026-11-01
    day = date(2026, 11, 1)
    query = f"SELECT segments.hour, {NUMBERS} FROM customer WHERE segments.date = '{day.isoformat()}'"
    rows = ads.stream(query, customer=account.id)
    expected = hours_sum(world, world.ads(account.id), day)
    assert {r.segments.hour: row_numbers(r) for r in rows} == {
        hour: numbers(account, m) for hour, m in expected.items() if nonzero(account, m)
    }
    assert len(rows) == 24 and sorted(r.segments.hour for r in rows) == list(range(24))
    assert sum(r.metrics.impressions for r in rows) == world.account_day(account, day).impressions
    # Today's hours stop where reporting stops (Sao Paulo, 12:30 local, reported until 09:30).
    today = ads.today(0)
    partial = ads.stream(
        f"SELECT segments.hour, metrics.impressions FROM customer WHERE segments.date = '{today}'",
        customer=ads.accounts[0],
    )
    assert max(r.segments.hour for r in partial) == 8


def test_devices_equal_the_worlds_split(ads: Ads, world: World) -> None:
    account = world.account(ads.accounts[0])
    first, last = _range(ads, 0, 6)
    campaign = world.campaigns(account.id)[0]
    query = (
        f"SELECT campaign.id, segments.device, {NUMBERS} FROM campaign "
        f"WHERE {between(first, last)} AND campaign.id = {campaign.id}"
    )
    rows = ads.stream(query, customer=account.id)
    expected = split_sum(world, world.ads_under(campaign), days(first, last), "device")
    assert {enum(r.segments, "device"): row_numbers(r) for r in rows} == {
        DEVICE[k]: numbers(account, m) for k, m in expected.items() if nonzero(account, m)
    }
    # A filter on an unselected segment narrows the sums (reference §2.1).
    mobile = ads.stream(
        f"SELECT campaign.id, {NUMBERS} FROM campaign WHERE {between(first, last)} "
        f"AND campaign.id = {campaign.id} AND segments.device = MOBILE",
        customer=account.id,
    )
    assert [row_numbers(r) for r in mobile] == [numbers(account, expected["mobile"])]


def test_age_and_gender_views_equal_the_worlds_split(ads: Ads, world: World) -> None:
    account = world.account(ads.accounts[0])
    first, last = _range(ads, 0, 7)
    groups = world.ad_groups(account.id)
    ages = ads.stream(
        f"SELECT ad_group.id, ad_group_criterion.age_range.type, ad_group_criterion.criterion_id, {NUMBERS} "
        f"FROM age_range_view WHERE {between(first, last)}",
        customer=account.id,
    )
    got = {(r.ad_group.id, enum(r.ad_group_criterion.age_range, "type_")): row_numbers(r) for r in ages}
    expected = {}
    for group in groups:
        for age, metrics in split_sum(world, world.ads_under(group), days(first, last), "age").items():
            label = "AGE_RANGE_" + age.replace("-", "_").replace("+", "_UP")
            if nonzero(account, metrics):
                expected[(int(group.id), label)] = numbers(account, metrics)
    assert got == expected
    row = ages[0]
    assert row.age_range_view.resource_name == (
        f"customers/{account.id}/ageRangeViews/{row.ad_group.id}~{row.ad_group_criterion.criterion_id}"
    )
    genders = ads.stream(
        f"SELECT ad_group.id, ad_group_criterion.gender.type, segments.date, {NUMBERS} FROM gender_view "
        f"WHERE {between(last, last)}",
        customer=account.id,
    )
    assert {(r.ad_group.id, enum(r.ad_group_criterion.gender, "type_")): row_numbers(r) for r in genders} == {
        (int(g.id), GENDER[k]): numbers(account, m)
        for g in groups
        for k, m in split_sum(world, world.ads_under(g), [last], "gender").items()
        if nonzero(account, m)
    }


@pytest.mark.parametrize("view", ["geographic_view", "user_location_view"])
def test_country_views_equal_the_worlds_split(ads: Ads, world: World, view: str) -> None:
    account = world.account(ads.accounts[2])
    first, last = _range(ads, 2, 3)
    rows = ads.stream(
        f"SELECT {view}.country_criterion_id, {NUMBERS} FROM {view} WHERE {between(first, last)}",
        customer=account.id,
    )
    expected = split_sum(world, world.ads(account.id), days(first, last), "country")
    # Countries are geo target constants: 2000 + the ISO 3166 numeric code (2840 is the US).
    ids = {2000 + int(pycountry.countries.get(alpha_2=code).numeric): code for code in expected}
    assert {ids[getattr(r, view).country_criterion_id]: row_numbers(r) for r in rows} == {
        code: numbers(account, m) for code, m in expected.items()
    }
    by_campaign = ads.stream(
        f"SELECT campaign.id, {view}.country_criterion_id, metrics.clicks FROM {view} "
        f"WHERE {between(first, last)}",
        customer=account.id,
    )
    campaign = world.campaigns(account.id)[0]
    clicks = split_sum(world, world.ads_under(campaign), days(first, last), "country")
    assert {
        ids[getattr(r, view).country_criterion_id]: r.metrics.clicks
        for r in by_campaign
        if r.campaign.id == int(campaign.id)
    } == {code: m.clicks for code, m in clicks.items() if m.clicks}


def test_conversion_action_segments_carry_the_primary_events_conversions(ads: Ads, world: World) -> None:
    account = world.account(ads.accounts[0])
    first, last = _range(ads, 0, 20)
    primary = next(e for e in world.conversion_events(account.id) if e.primary)
    rows = ads.stream(
        "SELECT segments.date, segments.conversion_action, segments.conversion_action_name, "
        "segments.conversion_action_category, metrics.conversions, metrics.conversions_value "
        f"FROM customer WHERE {between(first, last)}",
        customer=account.id,
    )
    assert {r.segments.conversion_action for r in rows} == {
        f"customers/{account.id}/conversionActions/{primary.id}"
    }
    assert {
        (r.segments.conversion_action_name, enum(r.segments, "conversion_action_category")) for r in rows
    } == {(primary.name, "PURCHASE")}
    expected = {}
    for day in days(first, last):
        metrics = world.account_day(account, day)
        if metrics is not None and metrics.conversions:
            expected[day.isoformat()] = (float(metrics.conversions), numbers(account, metrics)[4])
    assert {r.segments.date: (r.metrics.conversions, r.metrics.conversions_value) for r in rows} == expected


def test_derived_metrics_follow_from_the_sums(ads: Ads, world: World) -> None:
    account = world.account(ads.accounts[0])
    first, last = _range(ads, 0, 30)
    rows = ads.stream(
        "SELECT campaign.id, metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, "
        "metrics.conversions_value, metrics.ctr, metrics.average_cpc, metrics.average_cpm, "
        "metrics.cost_per_conversion, metrics.value_per_conversion, metrics.interactions, "
        f"metrics.all_conversions FROM campaign WHERE {between(first, last)}",
        customer=account.id,
    )
    campaigns = {int(c.id): c for c in world.campaigns(account.id)}
    assert sorted(r.campaign.id for r in rows) == sorted(campaigns)  # unsegmented: zero rows too
    for row in rows:
        m = row.metrics
        total = sum_metrics(world.campaign_day(campaigns[row.campaign.id], d) for d in days(first, last))
        assert row_numbers(row) == numbers(account, total)
        assert m.ctr == (m.clicks / m.impressions if m.impressions else 0.0)
        assert m.average_cpc == (m.cost_micros / m.clicks if m.clicks else 0.0)
        assert m.average_cpm == (m.cost_micros * 1000.0 / m.impressions if m.impressions else 0.0)
        assert m.cost_per_conversion == (m.cost_micros / m.conversions if m.conversions else 0.0)
        assert m.value_per_conversion == (m.conversions_value / m.conversions if m.conversions else 0.0)
        assert (m.interactions, m.all_conversions) == (m.clicks, m.conversions)


def test_a_segmented_row_with_only_zero_metrics_is_not_returned(ads: Ads, world: World) -> None:
    account = world.account(ads.accounts[0])
    first, last = _range(ads, 0, 30)
    rows = ads.stream(
        f"SELECT campaign.id, segments.date, metrics.conversions FROM campaign WHERE {between(first, last)}",
        customer=account.id,
    )
    assert all(r.metrics.conversions > 0 for r in rows)
    assert len(rows) == sum(
        1
        for c in world.campaigns(account.id)
        for d in days(first, last)
        if (m := world.campaign_day(c, d)) is not None and m.conversions
    )
    stopped = [
        c for c in world.campaigns(account.id) if not any(world.campaign_day(c, d) for d in days(first, last))
    ]
    assert stopped, "a campaign without delivery in the range (the world stops non-active campaigns)"
    unsegmented = ads.stream(
        f"SELECT campaign.id, metrics.clicks FROM campaign WHERE {between(first, last)} "
        f"AND campaign.id = {stopped[0].id}",
        customer=account.id,
    )
    assert [(r.campaign.id, r.metrics.clicks) for r in unsegmented] == [(int(stopped[0].id), 0)]


def test_recent_days_restate_as_the_world_advances(ads: Ads) -> None:
    account_id = ads.accounts[0]
    first, last = ads.today(0) - timedelta(days=12), ads.today(0) - timedelta(days=2)
    query = (
        "SELECT segments.date, metrics.conversions, metrics.clicks FROM customer "
        f"WHERE {between(first, last)}"
    )
    before = {
        r.segments.date: (r.metrics.conversions, r.metrics.clicks) for r in ads.stream(query, account_id)
    }
    ads.sandbox.advance(days=5)
    world = ads.world()
    account = world.account(account_id)
    after = {
        r.segments.date: (r.metrics.conversions, r.metrics.clicks) for r in ads.stream(query, account_id)
    }
    assert after == {
        d.isoformat(): (float(m.conversions), m.clicks)
        for d in days(first, last)
        if (m := world.account_day(account, d)) is not None
    }
    # Conversions arrive late; clicks stay as they were.
    assert sum(c for c, _ in after.values()) > sum(c for c, _ in before.values())
    assert [k for _, k in after.values()] == [k for _, k in before.values()]
    final = first - timedelta(days=40)
    assert world.is_final(account, final)
    old = f"SELECT metrics.conversions FROM customer WHERE segments.date = '{final}'"
    assert ads.stream(old, account_id)[0].metrics.conversions == float(
        world.account_day(account, final).conversions
    )


def test_budget_micros_in_every_currency(ads: Ads, world: World) -> None:
    for account_id in ads.accounts:
        account = world.account(account_id)
        rows = ads.search(
            "SELECT campaign.id, campaign_budget.amount_micros, campaign_budget.total_amount_micros "
            "FROM campaign",
            customer=account_id,
        )
        budgets = {int(c.id): c.budget_minor for c in world.campaigns(account_id)}
        for row in rows:
            amount = row.campaign_budget.amount_micros or row.campaign_budget.total_amount_micros
            assert amount == micros(account, budgets[row.campaign.id])
