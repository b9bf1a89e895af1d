"""Insights numbers against the world's ground truth, and the insights parameter rules."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from meta_graph import TODAY, Graph

from ads_kit.sandbox.world import World, sum_metrics

DAY = TODAY - timedelta(days=3)


def time_range(since: date, until: date) -> str:
    return json.dumps({"since": since.isoformat(), "until": until.isoformat()})


def major(minor: int, exponent: int) -> Decimal:
    return Decimal(minor).scaleb(-exponent)


def action(row: dict, name: str, action_type: str) -> dict:
    return next(item for item in row[name] if item["action_type"] == action_type)


@pytest.mark.parametrize("account_index", [0, 2])  # USD and JPY accounts
def test_ad_level_day_rows_equal_the_world(meta: Graph, world: World, account_index: int) -> None:
    account = world.accounts("meta")[account_index]
    rows = meta.get_all(
        f"act_{account.id}/insights",
        level="ad",
        fields="ad_id,adset_id,campaign_id,account_currency,impressions,clicks,spend,reach,actions,action_values",
        time_range=time_range(DAY, DAY),
        time_increment=1,
        action_attribution_windows='["7d_click","1d_view"]',
        limit=7,
    )
    expected = {ad.id: m for ad in world.ads(account.id) if (m := world.ad_day(ad, DAY)) is not None}
    assert {row["ad_id"] for row in rows} == set(expected)
    assert len(rows) == len(expected), "a row was duplicated across pages"
    for row in rows:
        truth = expected[row["ad_id"]]
        assert row["date_start"] == row["date_stop"] == DAY.isoformat()
        assert row["account_currency"] == account.currency
        assert int(row["impressions"]) == truth.impressions
        assert int(row["clicks"]) == truth.clicks
        assert int(row["reach"]) == truth.reach
        assert Decimal(row["spend"]) == major(truth.spend_minor, account.currency_exponent)
        if truth.conversions:
            purchase = action(row, "actions", "offsite_conversion.fb_pixel_purchase")
            assert int(purchase["value"]) == truth.conversions
            assert int(purchase["7d_click"]) + int(purchase["1d_view"]) == truth.conversions
            value = action(row, "action_values", "offsite_conversion.fb_pixel_purchase")
            assert Decimal(value["value"]) == major(truth.conversions_value_minor, account.currency_exponent)
        else:
            assert "offsite_conversion.fb_pixel_purchase" not in json.dumps(row.get("actions", []))


def test_campaign_level_sums_every_ad_over_a_week(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    since = TODAY - timedelta(days=9)
    rows = meta.get_all(
        f"act_{account.id}/insights",
        level="campaign",
        fields="campaign_id,campaign_name,impressions,spend",
        time_range=time_range(since, since + timedelta(days=6)),
        time_increment="all_days",
    )
    days = [since + timedelta(days=n) for n in range(7)]
    for campaign in world.campaigns(account.id):
        truth = sum_metrics(world.campaign_day(campaign, d) for d in days)
        row = next((r for r in rows if r["campaign_id"] == campaign.id), None)
        if truth is None:
            assert row is None
            continue
        assert row is not None and row["campaign_name"] == campaign.name
        assert (row["date_start"], row["date_stop"]) == (days[0].isoformat(), days[-1].isoformat())
        assert int(row["impressions"]) == truth.impressions
        assert Decimal(row["spend"]) == major(truth.spend_minor, account.currency_exponent)


def test_monthly_account_rows_cover_calendar_months(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    rows = meta.get_all(
        f"act_{account.id}/insights",
        fields="impressions",
        time_range=time_range(date(2026, 9, 15), date(2026, 10, 31)),
        time_increment="monthly",
    )
    assert [(r["date_start"], r["date_stop"]) for r in rows] == [
        ("2026-09-15", "2026-09-30"),
        ("2026-10-01", "2026-10-31"),
    ]
    october = [date(2026, 10, d) for d in range(1, 32)]
    assert (
        int(rows[1]["impressions"]) == sum_metrics(world.account_day(account, d) for d in october).impressions
    )


@pytest.mark.parametrize(
    ("breakdowns", "dimension"),
    [("age", "age"), ("gender", "gender"), ("country", "country"), ("publisher_platform", "placement")],
)
def test_breakdown_rows_sum_to_the_day(meta: Graph, world: World, breakdowns: str, dimension: str) -> None:
    account = world.accounts("meta")[0]
    ad = next(a for a in world.ads(account.id) if world.ad_day(a, DAY) is not None)
    rows = meta.get_all(
        f"{ad.id}/insights",
        fields="impressions,clicks,spend",
        breakdowns=breakdowns,
        time_range=time_range(DAY, DAY),
    )
    total = world.ad_day(ad, DAY)
    assert sum(int(r["impressions"]) for r in rows) == total.impressions
    assert sum(Decimal(r["spend"]) for r in rows) == major(total.spend_minor, account.currency_exponent)
    split = world.ad_day_breakdown(ad, DAY, dimension)
    if dimension != "placement":
        assert {r[breakdowns]: int(r["impressions"]) for r in rows} == {
            value: m.impressions for value, m in split.items() if m.impressions
        }
    else:
        assert {r["publisher_platform"] for r in rows} <= {"facebook", "instagram", "audience_network"}


def test_age_gender_rows_are_whole_and_sum_to_the_day(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[1]
    ad = next(a for a in world.ads(account.id) if world.ad_day(a, DAY) is not None)
    rows = meta.get_all(
        f"{ad.id}/insights",
        fields="impressions,clicks",
        breakdowns='["age","gender"]',
        time_range=time_range(DAY, DAY),
    )
    assert {r["gender"] for r in rows} <= {"male", "female", "unknown"}
    assert {r["age"] for r in rows} <= {"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}
    assert sum(int(r["clicks"]) for r in rows) == world.ad_day(ad, DAY).clicks
    assert len({(r["age"], r["gender"]) for r in rows}) == len(rows)


def test_hourly_rows_sum_to_the_day_in_the_account_zone(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    ad = next(a for a in world.ads(account.id) if world.ad_day(a, DAY) is not None)
    rows = meta.get_all(
        f"{ad.id}/insights",
        fields="impressions,reach",
        breakdowns="hourly_stats_aggregated_by_advertiser_time_zone",
        time_range=time_range(DAY, DAY),
        limit=50,
    )
    assert sum(int(r["impressions"]) for r in rows) == world.ad_day(ad, DAY).impressions
    assert all("reach" not in r for r in rows), "hourly breakdowns carry no unique metrics"
    hours = {r["hourly_stats_aggregated_by_advertiser_time_zone"] for r in rows}
    assert "00:00:00 - 00:59:59" in hours and all(h.endswith(":59:59") for h in hours)


def test_attribution_windows_are_written_per_request(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    rows = meta.get_all(
        f"act_{account.id}/insights",
        level="ad",
        fields="ad_id,actions",
        time_range=time_range(DAY, DAY),
        action_attribution_windows='["1d_click","7d_click","28d_click","1d_view","7d_view"]',
    )
    purchase = next(action(r, "actions", "omni_purchase") for r in rows if "purchase" in json.dumps(r))
    assert set(purchase) == {"action_type", "value", "1d_click", "7d_click", "28d_click", "1d_view"}
    assert int(purchase["1d_click"]) <= int(purchase["7d_click"]) <= int(purchase["28d_click"])


def test_pages_chain_by_cursor_without_loss(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    params = {
        "level": "ad",
        "fields": "ad_id",
        "time_range": time_range(DAY - timedelta(days=2), DAY),
        "time_increment": 1,
    }
    whole = meta.get(f"act_{account.id}/insights", limit=500, **params).json()
    assert "next" not in whole["paging"]
    paged, after = [], None
    while True:
        body = meta.get(
            f"act_{account.id}/insights", limit=4, **({"after": after} if after else {}), **params
        ).json()
        paged += body["data"]
        if "next" not in body["paging"]:
            break
        after = body["paging"]["cursors"]["after"]
    assert paged == whole["data"]


def test_no_params_answers_the_last_30_days_for_the_account(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    response = meta.get(f"act_{account.id}/insights")
    assert response.status_code == 200
    [row] = response.json()["data"]
    assert (row["date_start"], row["date_stop"]) == (
        (TODAY - timedelta(days=30)).isoformat(),
        (TODAY - timedelta(days=1)).isoformat(),
    )
    assert json.loads(response.headers["x-fb-ads-insights-throttle"]).keys() >= {
        "app_id_util_pct",
        "acc_id_util_pct",
    }


@pytest.mark.parametrize(
    ("params", "code", "needle"),
    [
        ({"fields": "spend,store_visit_actions"}, 100, "store_visit_actions is not valid for fields param"),
        ({"breakdowns": "agee"}, 100, "breakdowns[0] must be one of the following values"),
        ({"breakdowns": "platform_position"}, 100, "Current combination of data breakdown columns"),
        ({"time_range": time_range(date(2023, 1, 1), date(2023, 1, 2))}, 3018, "beyond 37 months"),
        ({"level": "keyword"}, 100, "level"),
        ({"time_increment": "weekly"}, 100, "time_increment"),
        ({"action_attribution_windows": '["2d_click"]'}, 100, "action_attribution_windows[0]"),
        ({"filtering": '[{"field":"ad.effective_status","operator":"AMONG","value":[]}]'}, 100, "operator"),
    ],
)
def test_bad_insights_params_name_the_culprit(meta: Graph, params: dict, code: int, needle: str) -> None:
    response = meta.get(f"act_{meta.accounts[0]}/insights", **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and needle in error["message"]
    assert "\n" not in error["message"]


def test_campaign_node_hides_archived_ads_unless_filtered(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    # An archived or deleted ad under a live campaign, on the last day it delivered.
    ad, day = next(
        (ad, ad.delivery_end)
        for ad in world.ads(account.id)
        if ad.status in ("archived", "deleted") and ad.delivery_end and world.ad_day(ad, ad.delivery_end)
    )
    params = {"level": "ad", "fields": "ad_id", "time_range": time_range(day, day)}
    default = {r["ad_id"] for r in meta.get_all(f"{ad.campaign_id}/insights", **params)}
    statuses = (
        '[{"field":"ad.effective_status","operator":"IN","value":["ACTIVE","PAUSED","ARCHIVED","DELETED"]}]'
    )
    everything = {
        r["ad_id"] for r in meta.get_all(f"{ad.campaign_id}/insights", filtering=statuses, **params)
    }
    account_wide = {r["ad_id"] for r in meta.get_all(f"act_{account.id}/insights", **params)}
    assert ad.id not in default
    assert ad.id in everything
    assert ad.id in account_wide, "the account node keeps archived and deleted ads by default"


def test_effective_status_filter_matches_the_ads_edge(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    rule = '[{"field":"ad.effective_status","operator":"IN","value":["ACTIVE"]}]'
    active = {r["id"] for r in meta.get_all(f"act_{account.id}/ads", fields="id", filtering=rule)}
    params = {"level": "ad", "fields": "ad_id", "time_range": time_range(DAY - timedelta(days=6), DAY)}
    filtered = {r["ad_id"] for r in meta.get_all(f"act_{account.id}/insights", filtering=rule, **params)}
    delivered = {r["ad_id"] for r in meta.get_all(f"act_{account.id}/insights", **params)}
    # The window has ACTIVE ads and ads the filter must drop (paused, or under a paused parent).
    assert delivered & active and delivered - active
    # The rows the filter keeps are exactly those of the ads the edge lists under the same filter.
    assert filtered == delivered & active
