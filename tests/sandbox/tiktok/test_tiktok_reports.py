"""Synchronous reports against the world: every number equals the world's, days and hours in the
advertiser's zone, money as TikTok writes it, and the platform's rules for spans, dimensions,
metrics and status filters."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from tiktok_api import TODAY, TikTok, deleted_ads, money, settings

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import World, sum_metrics

DAY = TODAY - timedelta(days=3)
AGE = {"18-24": "AGE_18_24", "25-34": "AGE_25_34", "35-44": "AGE_35_44", "45-54": "AGE_45_54"}
AGE |= {"55-64": "AGE_55_100", "65+": "AGE_55_100"}
VOCABULARY = {
    "age": ("age", AGE),
    "gender": ("gender", {"male": "MALE", "female": "FEMALE", "unknown": "NONE"}),
    "country_code": ("country", None),
    "platform": ("device", {"mobile": "ANDROID", "tablet": "IOS", "desktop": "PC", "connected_tv": "PC"}),
}


def basic(
    level: str, dimensions: list[str], start: date, end: date | None = None, **more: Any
) -> dict[str, Any]:
    return {
        "report_type": "BASIC",
        "data_level": f"AUCTION_{level}",
        "dimensions": dimensions,
        "start_date": start.isoformat(),
        "end_date": (end or start).isoformat(),
        **more,
    }


def audience(
    level: str, dimensions: list[str], start: date, end: date | None = None, **more: Any
) -> dict[str, Any]:
    return {**basic(level, dimensions, start, end, **more), "report_type": "AUDIENCE"}


@pytest.mark.parametrize("index", [0, 2])  # USD and JPY
def test_ad_day_rows_equal_the_world(tiktok: TikTok, world: World, index: int) -> None:
    account = world.accounts("tiktok")[index]
    metrics = ["spend", "impressions", "clicks", "conversion", "reach", "total_purchase_value", "currency"]
    start = DAY - timedelta(days=2)
    rows = tiktok.report(
        advertiser_id=account.id, **basic("AD", ["ad_id", "stat_time_day"], start, DAY, metrics=metrics)
    )
    alive = [ad for ad in world.ads(account.id) if ad.id not in deleted_ads(world, account.id)]
    expected = {
        (ad.id, f"{day.isoformat()} 00:00:00"): m
        for ad in alive
        for day in (start, start + timedelta(days=1), DAY)
        if (m := world.ad_day(ad, day)) is not None
    }
    assert {(r["dimensions"]["ad_id"], r["dimensions"]["stat_time_day"]) for r in rows} == set(expected)
    assert len(rows) == len(expected), "a row was repeated across pages"
    for row in rows:
        truth = expected[(row["dimensions"]["ad_id"], row["dimensions"]["stat_time_day"])]
        m = row["metrics"]
        assert (int(m["impressions"]), int(m["clicks"]), int(m["reach"])) == (
            truth.impressions,
            truth.clicks,
            truth.reach,
        )
        assert int(m["conversion"]) == truth.conversions
        assert m["spend"] == money(truth.spend_minor, account.currency_exponent)
        assert m["total_purchase_value"] == money(truth.conversions_value_minor, account.currency_exponent)
        assert m["currency"] == account.currency


def _status(level: str, value: str) -> dict[str, Any]:
    return {
        "filtering": [{"field_name": f"{level}_status", "filter_type": "IN", "filter_value": f'["{value}"]'}]
    }


@pytest.mark.parametrize("level", ["CAMPAIGN", "ADGROUP"])
@pytest.mark.parametrize("wanted", [None, "STATUS_NOT_DELETE", "STATUS_ALL", "STATUS_DELETE"])
def test_campaign_and_ad_group_rows_count_deleted_ads_only_when_asked(
    tiktok: TikTok, world: World, level: str, wanted: str | None
) -> None:
    """§3.5, §6.4: without a status filter asking for deleted entities, a deleted ad's delivery leaves
    its live campaign's and ad group's rows as it leaves the ad rows; STATUS_ALL counts every ad."""
    account = world.accounts("tiktok")[1]
    days = [DAY - timedelta(days=n) for n in range(6, -1, -1)]
    gone = deleted_ads(world, account.id)
    id_dimension = f"{level.lower()}_id"
    rows = tiktok.report(
        advertiser_id=account.id,
        **basic(
            level,
            [id_dimension],
            days[0],
            days[-1],
            metrics=["impressions", "spend"],
            **(_status(level.lower(), wanted) if wanted else {}),
        ),
    )
    by_id = {r["dimensions"][id_dimension]: r["metrics"] for r in rows}
    parents = world.campaigns(account.id) if level == "CAMPAIGN" else world.ad_groups(account.id)
    campaigns = {c.id: c for c in world.campaigns(account.id)}
    asks_deleted = wanted in ("STATUS_ALL", "STATUS_DELETE")
    expected = {}
    for parent in parents:
        deleted = parent.status == "deleted" or (
            level == "ADGROUP" and campaigns[parent.campaign_id].status == "deleted"
        )
        shown = {"STATUS_ALL": True, "STATUS_DELETE": deleted}.get(wanted or "", not deleted)
        counted = [ad for ad in world.ads_under(parent) if asks_deleted or ad.id not in gone]
        truth = sum_metrics(world.ad_day(ad, d) for ad in counted for d in days)
        if shown and truth is not None and truth.impressions:
            expected[parent.id] = (truth.impressions, money(truth.spend_minor, account.currency_exponent))
    assert {i: (int(m["impressions"]), m["spend"]) for i, m in by_id.items()} == expected
    if wanted is None:  # the case the world is built to show: a live campaign with a deleted ad
        assert any(ad.id in gone for p in parents if p.id in expected for ad in world.ads_under(p))


def test_advertiser_rows_count_everything(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[1]
    days = [DAY - timedelta(days=n) for n in range(6, -1, -1)]
    week = {"start": days[0], "end": days[-1]}
    [total] = tiktok.report(advertiser_id=account.id, **basic("ADVERTISER", ["advertiser_id"], **week))
    truth = sum_metrics(world.account_day(account, d) for d in days)
    assert int(total["metrics"]["impressions"]) == truth.impressions  # deleted ads count at this level
    daily = tiktok.report(advertiser_id=account.id, **basic("ADVERTISER", ["stat_time_day"], **week))
    assert [int(r["metrics"]["impressions"]) for r in daily] == [
        world.account_day(account, d).impressions for d in days
    ]


def test_todays_partial_day_and_its_hours(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[1]  # Berlin: 13:00 local at noon UTC, hours to 12:00 reported
    ad = next(a for a in world.ads(account.id) if world.ad_day(a, TODAY) is not None)
    rows = tiktok.report(
        advertiser_id=account.id,
        **basic(
            "AD",
            ["ad_id", "stat_time_hour"],
            TODAY,
            filtering=[{"field_name": "ad_ids", "filter_type": "IN", "filter_value": f'["{ad.id}"]'}],
        ),
    )
    hours = world.ad_day_hours(ad, TODAY)
    assert [r["dimensions"]["stat_time_hour"] for r in rows] == [
        f"{TODAY.isoformat()} {h.local_hour:02d}:00:00"
        for h in hours
        if h.metrics.impressions or h.metrics.clicks
    ]
    assert max(int(r["dimensions"]["stat_time_hour"][11:13]) for r in rows) <= 11
    assert sum(int(r["metrics"]["impressions"]) for r in rows) == world.ad_day(ad, TODAY).impressions


def test_a_dst_day_has_25_hours_with_the_repeated_hour_labelled_twice(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[1]
    fall_back = date(2026, 10, 25)  # Europe/Berlin leaves summer time
    ad = next(a for a in world.ads(account.id) if len(world.ad_day_hours(a, fall_back)) == 25)
    ids = {"field_name": "ad_ids", "filter_type": "IN", "filter_value": f'["{ad.id}"]'}
    rows = tiktok.report(
        advertiser_id=account.id, **basic("AD", ["ad_id", "stat_time_hour"], fall_back, filtering=[ids])
    )
    labels = [r["dimensions"]["stat_time_hour"] for r in rows]
    assert len(labels) == 25 and labels.count("2026-10-25 02:00:00") == 2
    assert [int(r["metrics"]["impressions"]) for r in rows] == [
        h.metrics.impressions for h in world.ad_day_hours(ad, fall_back)
    ]


@pytest.mark.parametrize("dimension", ["age", "gender", "country_code", "platform"])
def test_audience_rows_split_the_day_exactly(tiktok: TikTok, world: World, dimension: str) -> None:
    account = world.accounts("tiktok")[0]
    ad = next(a for a in world.ads(account.id) if world.ad_day(a, DAY) is not None and a.status == "active")
    ids = {"field_name": "ad_ids", "filter_type": "IN", "filter_value": f'["{ad.id}"]'}
    rows = tiktok.report(
        advertiser_id=account.id,
        **audience(
            "AD",
            ["ad_id", dimension, "stat_time_day"],
            DAY,
            filtering=[ids],
            metrics=["impressions", "spend"],
        ),
    )
    source, names = VOCABULARY[dimension]
    expected: dict[str, int] = {}
    for value, metrics in world.ad_day_breakdown(ad, DAY, source).items():
        key = names[value] if names else value
        expected[key] = expected.get(key, 0) + metrics.impressions
    assert {r["dimensions"][dimension]: int(r["metrics"]["impressions"]) for r in rows} == {
        k: v for k, v in expected.items() if v
    }
    spend = sum(Decimal(r["metrics"]["spend"]) for r in rows)
    assert spend == Decimal(world.ad_day(ad, DAY).spend_minor).scaleb(-account.currency_exponent)


def test_two_audience_dimensions_still_add_up(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[2]
    rows = tiktok.report(
        advertiser_id=account.id,
        **audience("ADVERTISER", ["advertiser_id", "age", "gender"], DAY, metrics=["impressions", "clicks"]),
    )
    truth = world.account_day(account, DAY)
    assert sum(int(r["metrics"]["impressions"]) for r in rows) == truth.impressions
    assert sum(int(r["metrics"]["clicks"]) for r in rows) == truth.clicks
    assert len({(r["dimensions"]["age"], r["dimensions"]["gender"]) for r in rows}) == len(rows)
    # The first dimension is the world's own split; the second shares each of its cells out.
    by_age: dict[str, int] = {}
    for row in rows:
        by_age[row["dimensions"]["age"]] = by_age.get(row["dimensions"]["age"], 0) + int(
            row["metrics"]["impressions"]
        )
    expected: dict[str, int] = {}
    for ad in world.ads(account.id):
        for value, metrics in world.ad_day_breakdown(ad, DAY, "age").items():
            expected[AGE[value]] = expected.get(AGE[value], 0) + metrics.impressions
    assert by_age == expected
    # ...by the second dimension's shares of the same ad-day: over the ages, each gender is within one
    # impression per (ad, age) cell of the world's own gender split.
    by_gender: dict[str, int] = {}
    for row in rows:
        gender = row["dimensions"]["gender"]
        by_gender[gender] = by_gender.get(gender, 0) + int(row["metrics"]["impressions"])
    world_gender: dict[str, int] = {}
    for ad in world.ads(account.id):
        for value, metrics in world.ad_day_breakdown(ad, DAY, "gender").items():
            name = VOCABULARY["gender"][1][value]
            world_gender[name] = world_gender.get(name, 0) + metrics.impressions
    cells = sum(
        1
        for ad in world.ads(account.id)
        for m in world.ad_day_breakdown(ad, DAY, "age").values()
        if m.impressions
    )
    assert all(abs(by_gender.get(g, 0) - n) <= cells for g, n in world_gender.items())


@pytest.mark.parametrize(
    ("dimensions", "days", "allowed"),
    [
        (["ad_id", "stat_time_day"], 30, True),
        (["ad_id", "stat_time_day"], 31, False),
        (["ad_id", "stat_time_hour"], 1, True),
        (["ad_id", "stat_time_hour"], 2, False),
        (["ad_id"], 365, True),
        (["ad_id"], 366, False),
    ],
)
def test_date_spans(tiktok: TikTok, dimensions: list[str], days: int, allowed: bool) -> None:
    params = basic("AD", dimensions, TODAY - timedelta(days=days - 1), TODAY)
    body = tiktok.get("report/integrated/get/", advertiser_id=tiktok.accounts[0], **params).json()
    if allowed:
        assert body["code"] == 0
    else:
        assert body["code"] == 40002 and body["message"].startswith(
            "The time range of the query cannot exceed"
        )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"start_date": "2026-11-20", "end_date": "2026-11-19"},
            "start_date: The start date must not be later",
        ),
        (
            {"start_date": "2011-12-31", "end_date": "2012-01-01"},
            "start_date: The start date cannot be earlier",
        ),
        ({"start_date": "2026-11-2", "end_date": "2026-11-20"}, "start_date: Not a valid date"),
        ({"end_date": "2026-11-20"}, "start_date: Missing data for required field."),
    ],
)
def test_dates_are_checked(tiktok: TikTok, params: dict[str, str], message: str) -> None:
    request = {"report_type": "BASIC", "data_level": "AUCTION_AD", "dimensions": ["ad_id"], **params}
    assert tiktok.error("report/integrated/get/", advertiser_id=tiktok.accounts[0], **request)[
        "message"
    ].startswith(message)


CONFLICT = "Conflict occurs. The input params including metrics and dimensions have no relation."


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (audience("AD", ["ad_id", "age", "stat_time_hour"], DAY), CONFLICT),  # §3.3
        (basic("AD", ["ad_id", "age"], DAY), CONFLICT),  # an audience dimension in a basic report
        (basic("CAMPAIGN", ["ad_id"], DAY), CONFLICT),  # the ID dimension of another level
        (basic("AD", ["ad_id", "campaign_id"], DAY), CONFLICT),
        (basic("AD", ["stat_time_day", "stat_time_hour"], DAY), CONFLICT),
        ({**basic("AD", ["ad_id"], DAY), "data_level": "RESERVATION_AD"}, CONFLICT),
        (audience("AD", ["ad_id"], DAY), CONFLICT),  # an audience report needs an audience dimension
        (basic("AD", ["ad_id", "hour"], DAY), "Please correct the information in invalid dimension fields"),
        (
            audience("AD", ["ad_id", "province_id"], DAY),
            "dimensions: province_id is not served by the sandbox.",
        ),
        (basic("AD", ["ad_id", "ad_id"], DAY), "dimensions: Dimensions must not repeat."),
        (
            {**basic("AD", ["ad_id"], DAY), "report_type": "CATALOG"},
            "report_type: CATALOG reports are not served",
        ),
        ({**basic("AD", ["ad_id"], DAY), "advertiser_ids": "[]"}, "advertiser_ids: multi-advertiser"),
    ],
)
def test_dimension_rules(tiktok: TikTok, params: dict[str, Any], message: str) -> None:
    body = tiktok.error("report/integrated/get/", advertiser_id=tiktok.accounts[0], **params)
    assert body["code"] == 40002 and body["message"].startswith(message)


INVALID = "Please correct the information in invalid metric fields and try again. Invalid metric fields: {}. "


@pytest.mark.parametrize(
    ("params", "refused"),
    [
        (
            basic("AD", ["ad_id", "stat_time_day"], DAY, metrics=["voucher_spend", "cash_spend"]),
            ["voucher_spend", "cash_spend"],
        ),
        (basic("ADVERTISER", ["advertiser_id"], DAY, metrics=["cash_spend"]), ["cash_spend"]),  # daily only
        (
            basic("AD", ["ad_id"], DAY, metrics=["placement", "spend"]),
            ["placement"],
        ),  # removed in 2022 (§3.7)
        (
            basic("CAMPAIGN", ["campaign_id"], DAY, metrics=["adgroup_name", "campaign_name"]),
            ["adgroup_name"],
        ),
        (basic("AD", ["stat_time_day"], DAY, metrics=["ad_name"]), ["ad_name"]),  # attributes need an ID
        (
            audience("AD", ["ad_id", "gender"], DAY, metrics=["reach", "frequency", "spend"]),
            ["reach", "frequency"],
        ),
    ],
)
def test_metrics_refused_with_the_real_message(
    tiktok: TikTok, params: dict[str, Any], refused: list[str]
) -> None:
    body = tiktok.error("report/integrated/get/", advertiser_id=tiktok.accounts[0], **params)
    assert (body["code"], body["message"]) == (40002, INVALID.format(refused))


def test_cash_and_voucher_spend_at_advertiser_level_by_day(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[0]
    metrics = ["spend", "cash_spend", "voucher_spend"]
    [row] = tiktok.report(
        advertiser_id=account.id,
        **basic("ADVERTISER", ["advertiser_id", "stat_time_day"], DAY, metrics=metrics),
    )
    spend = money(world.account_day(account, DAY).spend_minor, account.currency_exponent)
    assert row["metrics"] == {"spend": spend, "cash_spend": spend, "voucher_spend": "0.000"}


def test_not_applicable_metrics_are_dashes_and_unmodelled_ones_zero(tiktok: TikTok, world: World) -> None:
    metrics = ["secondary_goal_result", "video_play_actions", "app_install", "real_time_app_install_cost"]
    metrics += ["cost_per_conversion", "conversion", "dpa_target_audience_type"]
    rows = tiktok.report(**basic("AD", ["ad_id", "stat_time_day"], DAY, metrics=metrics))
    assert {r["metrics"]["secondary_goal_result"] for r in rows} == {"-"}
    # The real rows: an ad nobody engaged with reads "0" (comments, follows, shares).
    assert {r["metrics"]["video_play_actions"] for r in rows} == {"0"}
    assert {(r["metrics"]["app_install"], r["metrics"]["real_time_app_install_cost"]) for r in rows} == {
        ("0", "0.000")
    }
    assert {r["metrics"]["dpa_target_audience_type"] for r in rows} == {None}
    # A ratio over nothing is zero in its places, as the real rows show ("cost_per_conversion": "0.000").
    assert {r["metrics"]["cost_per_conversion"] for r in rows if r["metrics"]["conversion"] == "0"} == {
        "0.000"
    }


def test_ratios_round_as_the_real_rows(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[2]  # JPY: money has no minor unit, still three places
    metrics = [
        "spend",
        "cpc",
        "cpm",
        "ctr",
        "frequency",
        "cost_per_1000_reached",
        "cost_per_result",
        "result",
    ]
    rows = tiktok.report(
        advertiser_id=account.id, **basic("AD", ["ad_id", "stat_time_day"], DAY, metrics=metrics)
    )
    ads = {ad.id: ad for ad in world.ads(account.id)}
    for row in rows:
        t, m = world.ad_day(ads[row["dimensions"]["ad_id"]], DAY), row["metrics"]
        spend = Decimal(t.spend_minor)
        assert m["spend"] == f"{spend:.3f}"
        assert (
            m["cpc"] == f"{(spend / t.clicks).quantize(Decimal(1), 'ROUND_HALF_UP') if t.clicks else 0:.3f}"
        )
        assert (
            m["ctr"]
            == f"{(Decimal(t.clicks * 100) / t.impressions).quantize(Decimal('0.01'), 'ROUND_HALF_UP'):.2f}"
        )
        assert (
            m["frequency"]
            == f"{(Decimal(t.impressions) / t.reach).quantize(Decimal('0.01'), 'ROUND_HALF_UP'):.2f}"
        )
        assert (
            m["cost_per_1000_reached"]
            == f"{(spend * 1000 / t.reach).quantize(Decimal('0.001'), 'ROUND_HALF_UP'):.3f}"
        )
        result = int(m["result"])
        expected = (spend / result).quantize(Decimal("0.0001"), "ROUND_HALF_UP") if result else Decimal(0)
        assert m["cost_per_result"] == f"{expected:.4f}"


def test_status_filters_at_the_report_level(tiktok: TikTok, world: World) -> None:
    account = tiktok.accounts[0]
    start = DAY - timedelta(days=29)

    def ads(**more: Any) -> set[str]:
        rows = tiktok.report(advertiser_id=account, **basic("AD", ["ad_id"], start, DAY, **more))
        return {r["dimensions"]["ad_id"] for r in rows}

    def status(value: str) -> list[dict[str, str]]:
        return [{"field_name": "ad_status", "filter_type": "IN", "filter_value": f'["{value}"]'}]

    gone = deleted_ads(world, account)
    delivered = {
        a.id for a in world.ads(account) if any(world.ad_day(a, start + timedelta(days=n)) for n in range(30))
    }
    assert gone & delivered, "some deleted ad delivered in the window"
    assert ads() == delivered - gone
    assert ads(filtering=status("STATUS_ALL")) == delivered
    assert ads(filtering=status("STATUS_DELETE")) == delivered & gone
    wrong = tiktok.error(
        "report/integrated/get/",
        advertiser_id=account,
        **basic(
            "AD",
            ["ad_id"],
            DAY,
            filtering=[
                {"field_name": "campaign_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
            ],
        ),
    )
    assert wrong["message"] == "filtering: field_name campaign_status does not match data_level AUCTION_AD."
    advertiser = basic("ADVERTISER", ["advertiser_id"], DAY, filtering=status("STATUS_ALL"))
    assert tiktok.error("report/integrated/get/", advertiser_id=account, **advertiser)["code"] == 40002


def test_report_pages(tiktok: TikTok) -> None:
    params = {
        "advertiser_id": tiktok.accounts[1],
        **basic("AD", ["ad_id", "stat_time_day"], DAY - timedelta(days=6), DAY),
    }
    whole = tiktok.data("report/integrated/get/", page_size=1000, **params)
    paged = tiktok.report(page_size=7, **params)
    assert paged == whole["list"] and len(paged) == whole["page_info"]["total_number"] > 7
    beyond = tiktok.data("report/integrated/get/", page=99, page_size=7, **params)
    assert beyond["list"] == [] and beyond["page_info"]["total_page"] == -(-len(paged) // 7)


def test_too_large_a_query_is_40067(tiktok: TikTok, sandbox: SandboxClient) -> None:
    month = basic("AD", ["ad_id", "stat_time_day"], DAY - timedelta(days=29), DAY)
    with settings(sandbox, tiktok_query_cell_limit=24 * 10):
        body = tiktok.error("report/integrated/get/", advertiser_id=tiktok.accounts[0], **month)
        assert body["code"] == 40067
        ten_days = basic("AD", ["ad_id", "stat_time_day"], DAY - timedelta(days=9), DAY)
        assert tiktok.data("report/integrated/get/", advertiser_id=tiktok.accounts[0], **ten_days)["list"]


def test_reservation_service_type_is_empty_on_an_auction_account(tiktok: TikTok) -> None:
    rows = tiktok.report(service_type="RESERVATION", **basic("AD", ["ad_id"], DAY))
    assert rows == [] and tiktok.report(**basic("AD", ["ad_id"], DAY))


def test_lifetime_totals_and_order(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[2]  # opened mid-history
    lifetime = {"report_type": "BASIC", "data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id"]}
    rows = tiktok.report(
        advertiser_id=account.id, query_lifetime="true", metrics=["impressions", "spend"], **lifetime
    )
    first = min(ad.delivery_start for ad in world.ads(account.id))
    days = [first + timedelta(days=n) for n in range((TODAY - first).days + 1)]
    gone = deleted_ads(world, account.id)
    for row in rows:
        campaign = next(c for c in world.campaigns(account.id) if c.id == row["dimensions"]["campaign_id"])
        live = [ad for ad in world.ads_under(campaign) if ad.id not in gone]  # §6.4
        assert (
            int(row["metrics"]["impressions"])
            == sum_metrics(world.ad_day(ad, d) for ad in live for d in days).impressions
        )
    hourly = {**lifetime, "dimensions": ["campaign_id", "stat_time_day"]}
    assert (
        tiktok.error("report/integrated/get/", advertiser_id=account.id, query_lifetime="true", **hourly)[
            "code"
        ]
        == 40002
    )
    week = basic(
        "CAMPAIGN", ["campaign_id"], DAY - timedelta(days=6), DAY, metrics=["spend", "campaign_name", "reach"]
    )
    data = tiktok.data(
        "report/integrated/get/",
        advertiser_id=account.id,
        enable_total_metrics="true",
        order_field="spend",
        order_type="ASC",
        **week,
    )
    spends = [Decimal(r["metrics"]["spend"]) for r in data["list"]]
    assert spends == sorted(spends)
    assert data["total_metrics"] == {"spend": f"{sum(spends):.3f}", "campaign_name": "-", "reach": "-"}


def test_the_newest_ads_only_past_the_ad_cap(tiktok: TikTok, world: World, sandbox: SandboxClient) -> None:
    account = tiktok.accounts[0]
    month = basic(
        "AD",
        ["ad_id"],
        DAY - timedelta(days=29),
        DAY,
        filtering=[{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}],
    )
    with settings(sandbox, tiktok_report_ad_cap=5):
        response = tiktok.get("report/integrated/get/", advertiser_id=account, page_size=1000, **month)
    newest = {ad.id for ad in sorted(world.ads(account), key=lambda a: a.created_at, reverse=True)[:5]}
    assert {r["dimensions"]["ad_id"] for r in response.json()["data"]["list"]} <= newest
    assert response.headers["X-Tt-Ads-Throttle"].startswith("Number of ad ids is equal or more than 20k")
    assert (
        "X-Tt-Ads-Throttle"
        not in tiktok.get("report/integrated/get/", advertiser_id=account, **month).headers
    )


def test_recent_days_restate_with_the_world(tiktok: TikTok, sandbox: SandboxClient) -> None:
    params = basic("ADVERTISER", ["advertiser_id"], DAY - timedelta(days=5), DAY, metrics=["conversion"])
    before = int(tiktok.report(**params)[0]["metrics"]["conversion"])
    sandbox.advance(days=4)
    later = sandbox.world()
    account = later.account(tiktok.accounts[0])
    days = [DAY - timedelta(days=n) for n in range(6)]
    after = int(tiktok.report(**params)[0]["metrics"]["conversion"])
    assert after == sum_metrics(later.account_day(account, d) for d in days).conversions > before
