"""Resources as the world has them: customers, campaigns and their budgets, ad groups, ads,
demographic criteria, user lists, conversion actions; ids, resource names, enums, micros."""

from __future__ import annotations

import pytest
from google_ads_client import Ads
from google_ads_truth import STATUS, enum, micros

from ads_kit.sandbox.world import DIMENSIONS, World
from ads_kit.unified.normalize import normalize


@pytest.mark.parametrize("index", [0, 1, 2])
def test_customer(ads: Ads, world: World, index: int) -> None:
    account = world.account(ads.accounts[index])
    query = (
        "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone, "
        "customer.manager, customer.test_account, customer.status FROM customer"
    )
    (row,) = ads.search(query, customer=account.id)
    customer = row.customer
    assert customer.resource_name == f"customers/{account.id}" and customer.id == int(account.id)
    assert (customer.descriptive_name, customer.currency_code, customer.time_zone) == (
        account.name,
        account.currency,
        account.timezone,
    )
    assert (customer.manager, customer.test_account, enum(customer, "status")) == (False, False, "ENABLED")
    # optional fields set to false are there (proto3 presence), as Google sends them
    assert customer.HasField("manager") and customer.HasField("test_account")


@pytest.mark.parametrize("index", [0, 1])  # BRL (2 decimals) and JPY (none)
def test_campaigns_and_budgets_in_micros(ads: Ads, world: World, index: int) -> None:
    account = world.account(ads.accounts[index])
    query = (
        "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, "
        "campaign.start_date_time, campaign.end_date_time, campaign.campaign_budget, "
        "campaign_budget.id, campaign_budget.amount_micros, campaign_budget.total_amount_micros, "
        "campaign_budget.period, campaign_budget.explicitly_shared FROM campaign ORDER BY campaign.id"
    )
    rows = ads.search(query, customer=account.id)
    campaigns = sorted(world.campaigns(account.id), key=lambda c: int(c.id))
    assert [r.campaign.id for r in rows] == [int(c.id) for c in campaigns]
    for row, campaign in zip(rows, campaigns, strict=True):
        c, budget = row.campaign, row.campaign_budget
        assert c.resource_name == f"customers/{account.id}/campaigns/{campaign.id}"
        assert (c.name, enum(c, "status")) == (campaign.name, STATUS[campaign.status])
        assert c.start_date_time == f"{campaign.start_date.isoformat()} 00:00:00"
        assert c.end_date_time == (f"{campaign.end_date.isoformat()} 23:59:59" if campaign.end_date else "")
        assert (
            c.campaign_budget
            == budget.resource_name
            == f"customers/{account.id}/campaignBudgets/{campaign.id}"
        )
        amount = micros(account, campaign.budget_minor)
        if campaign.budget_period == "daily":
            assert (budget.amount_micros, enum(budget, "period")) == (amount, "DAILY")
            assert not budget.HasField("total_amount_micros")
        else:
            assert (budget.total_amount_micros, enum(budget, "period")) == (amount, "CUSTOM_PERIOD")
            assert not budget.HasField("amount_micros")
        assert budget.explicitly_shared is False and budget.HasField("explicitly_shared")
    budgets = ads.search(
        "SELECT campaign_budget.id, campaign_budget.reference_count FROM campaign_budget", customer=account.id
    )
    assert sorted(b.campaign_budget.id for b in budgets) == [int(c.id) for c in campaigns]
    assert {b.campaign_budget.reference_count for b in budgets} == {1}


def test_channel_types_follow_the_objective(ads: Ads, world: World) -> None:
    rows = ads.search("SELECT campaign.id, campaign.advertising_channel_type FROM campaign")
    objectives = {int(c.id): c.objective for c in world.campaigns(ads.accounts[0])}
    for row in rows:
        channel = enum(row.campaign, "advertising_channel_type")
        # the unified vocabulary maps the channel back to the world's objective
        assert normalize("google_ads", "objective", channel).value == objectives[row.campaign.id]


def test_ad_groups_and_ads(ads: Ads, world: World) -> None:
    account = ads.accounts[2]
    groups = ads.search(
        "SELECT ad_group.id, ad_group.name, ad_group.status, ad_group.campaign, campaign.id FROM ad_group",
        customer=account,
    )
    expected = {int(g.id): g for g in world.ad_groups(account)}
    assert sorted(r.ad_group.id for r in groups) == sorted(expected)
    for row in groups:
        group = expected[row.ad_group.id]
        assert row.ad_group.resource_name == f"customers/{account}/adGroups/{group.id}"
        assert (row.ad_group.name, enum(row.ad_group, "status")) == (group.name, STATUS[group.status])
        assert row.ad_group.campaign == f"customers/{account}/campaigns/{group.campaign_id}"
        assert row.campaign.id == int(group.campaign_id)
    rows = ads.search(
        "SELECT ad_group_ad.ad.id, ad_group_ad.ad.resource_name, ad_group_ad.ad.name, ad_group_ad.status, "
        "ad_group_ad.ad_group, "
        "ad_group.id, campaign.id FROM ad_group_ad",
        customer=account,
    )
    world_ads = {int(a.id): a for a in world.ads(account)}
    assert sorted(r.ad_group_ad.ad.id for r in rows) == sorted(world_ads)
    for row in rows:
        ad = world_ads[row.ad_group_ad.ad.id]
        assert row.ad_group_ad.resource_name == f"customers/{account}/adGroupAds/{ad.ad_group_id}~{ad.id}"
        assert row.ad_group_ad.ad.resource_name == f"customers/{account}/ads/{ad.id}"
        assert (row.ad_group_ad.ad.name, enum(row.ad_group_ad, "status")) == (ad.name, STATUS[ad.status])
        assert (row.ad_group.id, row.campaign.id) == (int(ad.ad_group_id), int(ad.campaign_id))
    removed = ads.search(
        "SELECT ad_group_ad.ad.id FROM ad_group_ad WHERE ad_group_ad.status != 'REMOVED'", account
    )
    assert sorted(r.ad_group_ad.ad.id for r in removed) == sorted(
        int(a.id) for a in world.ads(account) if STATUS[a.status] != "REMOVED"
    )


def test_demographic_criteria_of_every_ad_group(ads: Ads, world: World) -> None:
    rows = ads.search(
        "SELECT ad_group_criterion.criterion_id, ad_group_criterion.type, ad_group_criterion.age_range.type, "
        "ad_group_criterion.gender.type, ad_group.id FROM ad_group_criterion"
    )
    groups = world.ad_groups(ads.accounts[0])
    per_group = len(DIMENSIONS["age"]) + len(DIMENSIONS["gender"])
    assert len(rows) == len(groups) * per_group
    first = [r for r in rows if r.ad_group.id == int(groups[0].id)]
    assert [enum(r.ad_group_criterion, "type_") for r in first] == ["AGE_RANGE"] * 6 + ["GENDER"] * 3
    assert [enum(r.ad_group_criterion.age_range, "type_") for r in first[:6]] == [
        "AGE_RANGE_18_24",
        "AGE_RANGE_25_34",
        "AGE_RANGE_35_44",
        "AGE_RANGE_45_54",
        "AGE_RANGE_55_64",
        "AGE_RANGE_65_UP",
    ]
    assert [enum(r.ad_group_criterion.gender, "type_") for r in first[6:]] == [
        "MALE",
        "FEMALE",
        "UNDETERMINED",
    ]
    criterion = first[0].ad_group_criterion
    assert criterion.resource_name == (
        f"customers/{ads.accounts[0]}/adGroupCriteria/{groups[0].id}~{criterion.criterion_id}"
    )


def test_user_lists_are_the_worlds_audiences(ads: Ads, world: World) -> None:
    rows = ads.search(
        "SELECT user_list.id, user_list.name, user_list.type, user_list.membership_status, "
        "user_list.size_for_display, user_list.lookalike_user_list.seed_user_list_ids FROM user_list"
    )
    audiences = {int(a.id): a for a in world.audiences(ads.accounts[0])}
    assert sorted(r.user_list.id for r in rows) == sorted(audiences)
    for row in rows:
        audience = audiences[row.user_list.id]
        assert (row.user_list.name, row.user_list.size_for_display) == (
            audience.name,
            audience.approximate_size,
        )
        assert enum(row.user_list, "membership_status") == (
            "CLOSED" if audience.status == "deleted" else "OPEN"
        )
        assert (enum(row.user_list, "type_") == "LOOKALIKE") == (audience.kind == "lookalike")
        seeds = [int(audience.source_audience_id)] if audience.source_audience_id else []
        assert list(row.user_list.lookalike_user_list.seed_user_list_ids) == seeds


def test_conversion_actions_are_the_worlds_events(ads: Ads, world: World) -> None:
    rows = ads.search(
        "SELECT conversion_action.id, conversion_action.name, conversion_action.status, "
        "conversion_action.category, conversion_action.primary_for_goal, "
        "conversion_action.click_through_lookback_window_days FROM conversion_action"
    )
    events = {int(e.id): e for e in world.conversion_events(ads.accounts[0])}
    assert sorted(r.conversion_action.id for r in rows) == sorted(events)
    for row in rows:
        event, action = events[row.conversion_action.id], row.conversion_action
        assert action.resource_name == f"customers/{ads.accounts[0]}/conversionActions/{event.id}"
        assert (action.name, action.primary_for_goal) == (event.name, event.primary)
        assert enum(action, "status") == ("ENABLED" if event.status == "active" else "REMOVED")
        assert action.click_through_lookback_window_days == 30  # the world's restatement window
    assert enum(
        next(r for r in rows if r.conversion_action.primary_for_goal).conversion_action, "category"
    ) == ("PURCHASE")
