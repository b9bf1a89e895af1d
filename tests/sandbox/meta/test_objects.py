"""Object edges and nodes: paging, summaries, status filtering, field spellings, node reads."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from meta_graph import Graph

from ads_kit.sandbox.world import World

EVERY_STATUS = ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "CAMPAIGN_PAUSED", "ADSET_PAUSED"]
ALL_STATUSES = json.dumps([{"field": "ad.effective_status", "operator": "IN", "value": EVERY_STATUS}])


def test_next_urls_are_absolute_and_carry_every_param(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    first = meta.get(
        f"act_{account.id}/ads", fields="id,name", limit=3, filtering=ALL_STATUSES, summary="true"
    )
    body = first.json()
    next_url = body["paging"]["next"]
    parts = urlsplit(next_url)
    assert f"{parts.scheme}://{parts.netloc}" == meta.base_url
    assert parts.path == f"/v26.0/act_{account.id}/ads"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query["fields"] == "id,name" and query["limit"] == "3" and query["summary"] == "true"
    assert json.loads(query["filtering"]) == json.loads(ALL_STATUSES)
    assert query["access_token"] == meta.token and query["after"] == body["paging"]["cursors"]["after"]
    assert "previous" not in body["paging"]

    rows = meta.get_all(f"act_{account.id}/ads", fields="id,name", limit=3, filtering=ALL_STATUSES)
    assert [r["id"] for r in rows] == [ad.id for ad in world.ads(account.id)]
    assert body["summary"] == {"total_count": len(world.ads(account.id))}


def test_last_page_keeps_cursors_but_has_no_next(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    total = len([c for c in world.campaigns(account.id) if c.status in ("active", "paused")])
    body = meta.get(f"act_{account.id}/campaigns", limit=total).json()
    assert len(body["data"]) == total
    assert set(body["paging"]) == {"cursors"}
    second = meta.get(
        f"act_{account.id}/campaigns", limit=1, after=body["paging"]["cursors"]["before"]
    ).json()
    assert "previous" in second["paging"]


def test_token_in_a_header_stays_out_of_next_urls(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    response = meta.http.get(
        meta.url(f"act_{account.id}/ads"),
        params={"limit": 1, "fields": "id"},
        headers={"Authorization": f"Bearer {meta.token}"},
    )
    assert response.status_code == 200
    assert meta.token not in response.text


@pytest.mark.parametrize(
    ("edge", "entities"), [("campaigns", "campaigns"), ("adsets", "ad_groups"), ("ads", "ads")]
)
def test_archived_and_deleted_are_hidden_unless_asked(
    meta: Graph, world: World, edge: str, entities: str
) -> None:
    account = world.accounts("meta")[0]
    every = getattr(world, entities)(account.id)
    visible = meta.get_all(f"act_{account.id}/{edge}", fields="id,effective_status", limit=100)
    assert {r["id"] for r in visible} == {e.id for e in every if e.status in ("active", "paused")}
    prefix = {"campaigns": "campaign", "adsets": "adset", "ads": "ad"}[edge]
    wanted = json.dumps(
        [{"field": f"{prefix}.effective_status", "operator": "IN", "value": ["ARCHIVED", "DELETED"]}]
    )
    gone = meta.get_all(f"act_{account.id}/{edge}", fields="id", filtering=wanted, limit=100)
    assert {r["id"] for r in gone} == {e.id for e in every if e.status in ("archived", "deleted")}


def test_updated_time_filter_takes_unix_seconds(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    campaigns = sorted(world.campaigns(account.id), key=lambda c: c.updated_at)
    pivot = int(campaigns[len(campaigns) // 2].updated_at.timestamp())
    rule = [
        {"field": "campaign.updated_time", "operator": "GREATER_THAN", "value": pivot},
        {
            "field": "campaign.effective_status",
            "operator": "IN",
            "value": ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"],
        },
    ]
    rows = meta.get_all(f"act_{account.id}/campaigns", fields="id,updated_time", filtering=json.dumps(rule))
    assert {r["id"] for r in rows} == {c.id for c in campaigns if int(c.updated_at.timestamp()) > pivot}
    for row in rows:
        assert datetime.strptime(row["updated_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() > pivot


@pytest.mark.parametrize(
    "fields",
    ["id,name,status", '["id","name","status"]', "['id', 'name', 'status']", "id, name ,status"],
)
def test_fields_in_every_spelling(meta: Graph, world: World, fields: str) -> None:
    account = world.accounts("meta")[0]
    [row] = meta.get(f"act_{account.id}/ads", fields=fields, limit=1).json()["data"]
    assert set(row) == {"id", "name", "status"}


def test_field_expansion_selects_subfields(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    [row] = meta.get(
        f"act_{account.id}/adsets", fields="id,targeting{age_min,geo_locations}", limit=1
    ).json()["data"]
    assert set(row["targeting"]) == {"age_min", "geo_locations"}


def test_unknown_field_is_named(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    response = meta.get(f"act_{account.id}/campaigns", fields="id,colour")
    assert response.status_code == 400
    assert (
        response.json()["error"]["message"]
        == "(#100) Tried accessing nonexisting field (colour) on node type (Campaign)"
    )


def test_nodes_read_with_and_without_trailing_slash(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[2]
    ad = world.ads(account.id)[0]
    for path in (f"{ad.id}", f"{ad.id}/"):
        body = meta.get(path, fields="id,adset_id,campaign_id,creative").json()
        assert body["adset_id"] == ad.ad_group_id and body["campaign_id"] == ad.campaign_id
    creative = meta.get(f"{body['creative']['id']}/", fields="id,account_id,status").json()
    assert creative["account_id"] == account.id and creative["status"] in ("ACTIVE", "DELETED")
    deleted = next(a for a in world.ads(account.id) if a.status == "deleted")
    assert meta.get(deleted.id, fields="effective_status").json()["effective_status"] == "DELETED"
    me = meta.get(f"act_{account.id}/", fields="currency,timezone_name,amount_spent").json()
    assert (me["currency"], me["timezone_name"]) == ("JPY", "Asia/Tokyo")
    assert me["amount_spent"].isdigit()


def test_budgets_are_minor_unit_strings_with_meta_offsets(meta: Graph, world: World) -> None:
    for account in world.accounts("meta"):
        campaigns = {c.id: c for c in world.campaigns(account.id)}
        fields = "id,daily_budget,lifetime_budget"
        for row in meta.get_all(
            f"act_{account.id}/campaigns", fields=fields, filtering=ALL_STATUSES.replace("ad.", "campaign.")
        ):
            campaign = campaigns[row["id"]]
            key = "lifetime_budget" if campaign.budget_period == "lifetime" else "daily_budget"
            if campaign.budget_minor is None:
                assert key not in row
                continue
            # JPY has Meta offset 1 like its ISO exponent 0; USD and EUR count cents.
            assert row[key] == str(campaign.budget_minor)


def test_audiences_include_lookalikes_and_hide_deleted(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    rows = meta.get_all(f"act_{account.id}/customaudiences", fields="id,name,subtype,lookalike_spec")
    assert {r["id"] for r in rows} == {a.id for a in world.audiences(account.id) if a.status != "deleted"}
    lookalikes = [r for r in rows if r["subtype"] == "LOOKALIKE"]
    assert lookalikes and all(
        r["lookalike_spec"]["origin"][0]["type"] == "custom_audience" for r in lookalikes
    )


def test_custom_conversions_and_accounts_listing(meta: Graph, world: World) -> None:
    account = world.accounts("meta")[0]
    rows = meta.get_all(f"act_{account.id}/customconversions", fields="id,custom_event_type,is_archived")
    assert {r["id"] for r in rows} == {e.id for e in world.conversion_events(account.id)}
    listing = meta.get("me/adaccounts", summary="true").json()
    assert [r["account_id"] for r in listing["data"]] == [a.id for a in world.accounts("meta")]
    assert all(set(r) == {"account_id", "id"} for r in listing["data"])
