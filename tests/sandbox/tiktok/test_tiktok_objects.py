"""Entities, advertisers, audiences and pixels against the world: ids, UTC times, budgets in the
account currency, deleted entities only on request, filters and field selection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from tiktok_api import TikTok, deleted_ads, settings

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.world import World

EVERYTHING = {"primary_status": "STATUS_ALL"}


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("index", [0, 1, 2])  # USD, EUR, JPY
def test_campaigns_are_the_worlds(tiktok: TikTok, world: World, index: int) -> None:
    account = world.accounts("tiktok")[index]
    records = tiktok.get_all("campaign/get/", advertiser_id=account.id, filtering=EVERYTHING)
    campaigns = sorted(world.campaigns(account.id), key=lambda c: int(c.id), reverse=True)
    assert [r["campaign_id"] for r in records] == [c.id for c in campaigns]
    for record, campaign in zip(records, campaigns, strict=True):
        assert record["advertiser_id"] == account.id and record["campaign_name"] == campaign.name
        assert (record["create_time"], record["modify_time"]) == (
            utc(campaign.created_at),
            utc(campaign.updated_at),
        )
        if campaign.budget_minor is None:
            assert (record["budget_mode"], record["budget"]) == ("BUDGET_MODE_INFINITE", 0)
        else:
            major = Decimal(campaign.budget_minor).scaleb(-account.currency_exponent)
            assert Decimal(str(record["budget"])) == major
            assert (
                record["budget_mode"]
                == {"daily": "BUDGET_MODE_DAY", "lifetime": "BUDGET_MODE_TOTAL"}[campaign.budget_period]
            )
            if account.currency == "JPY":
                assert isinstance(record["budget"], int)
        status = {"active": "ENABLE", "paused": "DISABLE", "archived": "DISABLE", "deleted": "DELETE"}
        assert record["operation_status"] == status[campaign.status]


def test_deleted_entities_come_only_with_status_all_or_delete(tiktok: TikTok, world: World) -> None:
    account = tiktok.accounts[0]
    gone = deleted_ads(world, account)
    assert len(gone) >= 3  # two deleted ads and the ads of a deleted ad group
    default = {r["ad_id"] for r in tiktok.get_all("ad/get/", advertiser_id=account)}
    everything = {r["ad_id"] for r in tiktok.get_all("ad/get/", advertiser_id=account, filtering=EVERYTHING)}
    only_deleted = tiktok.get_all(
        "ad/get/", advertiser_id=account, filtering={"primary_status": "STATUS_DELETE"}
    )
    assert everything == {ad.id for ad in world.ads(account)}
    assert default == everything - gone
    assert {r["ad_id"] for r in only_deleted} == gone
    assert {r["secondary_status"] for r in only_deleted} <= {
        "AD_STATUS_DELETE",
        "AD_STATUS_ADGROUP_DELETE",
        "AD_STATUS_CAMPAIGN_DELETE",
    }
    # Airbyte's spelling of "include deleted": the level's *_STATUS_ALL secondary status.
    secondary = tiktok.get_all(
        "ad/get/", advertiser_id=account, filtering={"secondary_status": "AD_STATUS_ALL"}
    )
    assert {r["ad_id"] for r in secondary} == everything
    groups = tiktok.get_all("adgroup/get/", advertiser_id=account)
    assert {g["adgroup_id"] for g in groups} == {
        g.id for g in world.ad_groups(account) if g.status != "deleted"
    }


def test_secondary_statuses_show_the_parents(tiktok: TikTok, world: World) -> None:
    account = tiktok.accounts[0]
    records = {r["ad_id"]: r for r in tiktok.get_all("ad/get/", advertiser_id=account, filtering=EVERYTHING)}
    campaigns = {c.id: c for c in world.campaigns(account)}
    groups = {g.id: g for g in world.ad_groups(account)}
    for ad in world.ads(account):
        status = records[ad.id]["secondary_status"]
        group, campaign = groups[ad.ad_group_id], campaigns[ad.campaign_id]
        if ad.status == "deleted":
            assert status == "AD_STATUS_DELETE"
        elif group.status == "deleted":
            assert status == "AD_STATUS_ADGROUP_DELETE"
        elif campaign.status != "active":
            assert status == "AD_STATUS_CAMPAIGN_DISABLE"
        elif group.status != "active":
            assert status == "AD_STATUS_ADGROUP_DISABLE"
        elif ad.status != "active":
            assert status == "AD_STATUS_DISABLE"
        else:
            assert status in ("AD_STATUS_DELIVERY_OK", "AD_STATUS_DONE", "AD_STATUS_NOT_START")


def test_fields_pick_and_null_fields_can_be_left_out(tiktok: TikTok) -> None:
    account = tiktok.accounts[0]
    picked = tiktok.data("campaign/get/", advertiser_id=account, fields=["campaign_id", "campaign_name"])
    assert {tuple(sorted(r)) for r in picked["list"]} == {("campaign_id", "campaign_name")}
    full = tiktok.data("adgroup/get/", advertiser_id=account)["list"]
    trimmed = tiktok.data(
        "adgroup/get/", advertiser_id=account, exclude_field_types_in_response=["NULL_FIELD"]
    )
    assert any(value is None for record in full for value in record.values())
    assert all(value is not None for record in trimmed["list"] for value in record.values())
    assert tiktok.error("campaign/get/", advertiser_id=account, fields=["nope"])["message"] == (
        "fields: Invalid field nope."
    )


def test_entity_filters(tiktok: TikTok, world: World) -> None:
    account = tiktok.accounts[0]
    campaign = world.campaigns(account)[0]

    def ads(**filtering: object) -> set[str]:
        return {r["ad_id"] for r in tiktok.get_all("ad/get/", advertiser_id=account, filtering=filtering)}

    under = {ad.id for ad in world.ads_under(campaign)} - deleted_ads(world, account)
    assert ads(campaign_ids=[campaign.id]) == under
    some = sorted(under)[:2]
    assert ads(ad_ids=some) == set(some)
    cutoff = datetime(2026, 6, 1, tzinfo=UTC)
    later = {a.id for a in world.ads(account) if a.updated_at > cutoff} - deleted_ads(world, account)
    assert ads(modified_after="2026-06-01 00:00:00") == later
    assert ads(buying_types=["RESERVATION_RF"]) == set()  # every sandbox campaign is an auction one
    for filtering, message in (
        ({"ad_ids": [str(n) for n in range(101)]}, "filtering.ad_ids: Length must be between 1 and 100."),
        (
            {"buying_types": ["AUCTION", "RESERVATION_TOP_VIEW"]},
            "filtering.buying_types: RESERVATION_TOP_VIEW",
        ),
        ({"modified_after": "2026-06-01"}, "filtering.modified_after: Not a valid time"),
        ({"primary_status": "ALL"}, "filtering.primary_status: Must be one of"),
        ({"campaign_name": "x"}, "filtering.campaign_name: Unknown field."),  # not an ad filter
    ):
        assert tiktok.error("ad/get/", advertiser_id=account, filtering=filtering)["message"].startswith(
            message
        )
    sales = tiktok.get_all(
        "campaign/get/", advertiser_id=account, filtering={"objective_type": "WEB_CONVERSIONS"}
    )
    assert {r["campaign_id"] for r in sales} == {
        c.id for c in world.campaigns(account) if c.objective == "sales" and c.status != "deleted"
    }


def test_advertiser_info_and_its_fields(tiktok: TikTok, world: World, sandbox: SandboxClient) -> None:
    records = tiktok.data("advertiser/info/", advertiser_ids=tiktok.accounts)["list"]
    by_zone = {r["display_timezone"]: r for r in records}
    for account in world.accounts("tiktok"):
        record = by_zone[account.timezone]
        assert (record["advertiser_id"], record["name"], record["currency"]) == (
            account.id,
            account.name,
            account.currency,
        )
        assert record["create_time"] == int(account.created_at.timestamp())  # epoch seconds, unlike the rest
    # TikTok's own zone names: POSIX with the sign inverted for fixed offsets (§2.2).
    assert {z: r["timezone"] for z, r in by_zone.items()} == {
        "UTC": "Etc/GMT",
        "Europe/Berlin": "Europe/Berlin",
        "Asia/Tokyo": "Etc/GMT-9",
    }
    picked = tiktok.data("advertiser/info/", advertiser_ids=tiktok.accounts[:1], fields=["currency", "name"])
    assert picked["list"] == [{"currency": "USD", "name": world.accounts("tiktok")[0].name}]
    editable = tiktok.data(
        "advertiser/info/", advertiser_ids=tiktok.accounts[:1], fields=["company_name_editable"]
    )
    assert set(editable["list"][0]) == {"advertiser_id", "company_name_editable"}
    too_many = tiktok.error("advertiser/info/", advertiser_ids=[str(n) for n in range(101)])
    assert too_many["message"] == "advertiser_ids: Length must be between 1 and 100."
    # The cap is the sandbox's assumption (peers send at most 100; TikTok documents none): a setting.
    with settings(sandbox, tiktok_advertiser_ids_cap=2):
        narrow = tiktok.error("advertiser/info/", advertiser_ids=tiktok.accounts)
    assert narrow["message"] == "advertiser_ids: Length must be between 1 and 2."


def test_authorized_advertisers_need_the_app_credentials(tiktok: TikTok) -> None:
    listed = tiktok.data("oauth2/advertiser/get/", app_id=tiktok.app_id, secret=tiktok.secret)["list"]
    assert [a["advertiser_id"] for a in listed] == tiktok.accounts
    wrong = tiktok.error("oauth2/advertiser/get/", app_id=tiktok.app_id, secret="0" * 40)
    assert wrong["code"] == 40101
    assert tiktok.error("oauth2/advertiser/get/", app_id=tiktok.app_id)["code"] == 40002


def test_custom_and_lookalike_audiences(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[1]
    listed = tiktok.get_all("dmp/custom_audience/list/", page_size=100, advertiser_id=account.id)
    alive = [a for a in world.audiences(account.id) if a.status != "deleted"]
    assert [r["audience_id"] for r in listed] == [a.id for a in alive]
    lookalikes = [r for r in listed if r["audience_type"] == "Lookalike Audience"]
    assert {r["lookalike_spec"]["source_audience_id"] for r in lookalikes} == {
        a.source_audience_id for a in alive if a.kind == "lookalike"
    }
    assert all("lookalike_spec" not in r for r in listed if r not in lookalikes)
    assert {r["cover_num"] for r in listed} == {a.approximate_size for a in alive}
    ids = [alive[0].id, alive[-1].id]
    details = tiktok.data("dmp/custom_audience/get/", advertiser_id=account.id, custom_audience_ids=ids)[
        "list"
    ]
    assert [d["audience_details"]["audience_id"] for d in details] == ids
    assert [h["action"] for h in details[0]["audience_history"]] == ["UPDATE", "CREATE"]
    one = tiktok.data(
        "dmp/custom_audience/get/", advertiser_id=account.id, custom_audience_ids=ids, history_size=1
    )
    assert len(one["list"][0]["audience_history"]) == 1
    deleted = next(a for a in world.audiences(account.id) if a.status == "deleted")
    missing = tiktok.error(
        "dmp/custom_audience/get/", advertiser_id=account.id, custom_audience_ids=[deleted.id]
    )
    assert missing["code"] == 40007
    assert tiktok.error("dmp/custom_audience/get/", advertiser_id=account.id)["code"] == 40002


def test_the_pixel_and_its_events(tiktok: TikTok, world: World) -> None:
    account = world.accounts("tiktok")[0]
    data = tiktok.data("pixel/list/", advertiser_id=account.id)
    [pixel] = data["pixels"]
    assert data["page_info"]["total_number"] == 1
    assert [e["event_id"] for e in pixel["events"]] == [e.id for e in world.conversion_events(account.id)]
    assert tiktok.data("pixel/list/", advertiser_id=account.id, name="nothing like it")["pixels"] == []
    assert tiktok.data("pixel/list/", advertiser_id=account.id, code=pixel["pixel_code"])["pixels"] == [pixel]


def _conversions(world: World, account_id: str, start: date, end: date, *, by_utc: bool) -> int:
    """The world's conversions of an account's reported hours whose UTC date (or local date) is in range."""
    total = 0
    for ad in world.ads(account_id):
        for n in range(-1, (end - start).days + 2):
            day = start + timedelta(days=n)
            for hour in world.ad_day_hours(ad, day):
                if start <= (hour.utc_start.date() if by_utc else day) <= end:
                    total += hour.metrics.conversions
    return total


@pytest.mark.parametrize("index", [0, 2])  # UTC and Tokyo: stats are by UTC date either way (§2.8)
def test_pixel_event_stats_count_the_worlds_conversions_by_utc_date(
    tiktok: TikTok, world: World, index: int
) -> None:
    account = world.accounts("tiktok")[index]
    pixel_id = tiktok.data("pixel/list/", advertiser_id=account.id)["pixels"][0]["pixel_id"]
    # A range whose UTC count differs from its local-day count wherever the zone is not UTC.
    start = next(
        date(2026, 11, 19) - timedelta(days=n)
        for n in range(30)
        if index == 0
        or _conversions(
            world, account.id, date(2026, 11, 19) - timedelta(days=n), date(2026, 11, 19), by_utc=True
        )
        != _conversions(
            world, account.id, date(2026, 11, 19) - timedelta(days=n), date(2026, 11, 19), by_utc=False
        )
    )
    end = date(2026, 11, 19)
    span = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    [stats] = tiktok.data(
        "pixel/event/stats/", advertiser_id=account.id, pixel_ids=[pixel_id], date_range=span
    )["list"]
    expected = _conversions(world, account.id, start, end, by_utc=True)
    primary = next(e for e in world.conversion_events(account.id) if e.primary)
    counts = {s["custom_event_type"]: s["attributed_count"] for s in stats["statistics"]}
    assert counts[primary.event_type.upper()] == expected > 0
    assert sum(counts.values()) == expected
    long = {"start_date": "2026-10-01", "end_date": "2026-10-31"}
    assert tiktok.error(
        "pixel/event/stats/", advertiser_id=account.id, pixel_ids=[pixel_id], date_range=long
    )["message"].startswith("date_range: The range must run forward and cover at most 30 days")
    assert tiktok.error("pixel/event/stats/", advertiser_id=account.id, pixel_ids=["1"], date_range=span)[
        "code"
    ] == (40007)
