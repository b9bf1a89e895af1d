"""Every parameter and field the official client (facebook-business) can send, against the emulator.

Each gets a correct answer (compared with the world) or Meta's real error; the tables are checked
to cover the client's whole catalogue, so a parameter or field a new client adds fails here first.
"""

from __future__ import annotations

import itertools
import json
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
import sdk_catalog
from meta_graph import TODAY, VERSION, Graph

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.meta import catalog
from ads_kit.sandbox.world import World

SINCE, UNTIL = TODAY - timedelta(days=6), TODAY - timedelta(days=4)
RANGE = json.dumps({"since": SINCE.isoformat(), "until": UNTIL.isoformat()})
# Fields the client still lists that Meta refuses: removed in v19.0, and nonexisting on the node.
REMOVED = {
    "age_targeting": "not valid for fields param",
    "gender_targeting": "not valid for fields param",
    "labels": "not valid for fields param",
    "location": "not valid for fields param",
    "estimated_ad_recall_rate_lower_bound": "not valid for fields param",
    "estimated_ad_recall_rate_upper_bound": "not valid for fields param",
    "estimated_ad_recallers_lower_bound": "not valid for fields param",
    "estimated_ad_recallers_upper_bound": "not valid for fields param",
    "conversion_lead_rate": "nonexisting field (conversion_lead_rate) on node type (AdsInsights)",
    "cost_per_conversion_lead": "nonexisting field (cost_per_conversion_lead) on node type (AdsInsights)",
    "adset_start": "Tried accessing nonexisting field (adset_start) on node type (AdsInsights)",
}
# What the world backs at ad level (the emulator's module docstring); every other field is left out.
WORLD_BACKED_FIELDS = """
    account_currency account_id account_name ad_id ad_name adset_id adset_name campaign_id campaign_name
    attribution_setting buying_type objective optimization_goal created_time updated_time
    date_start date_stop
    impressions clicks spend social_spend reach frequency cpc cpm cpp ctr inline_link_clicks
    inline_link_click_ctr inline_post_engagement cost_per_inline_link_click cost_per_inline_post_engagement
    outbound_clicks outbound_clicks_ctr cost_per_outbound_click website_ctr unique_clicks unique_ctr
    unique_inline_link_clicks unique_inline_link_click_ctr unique_link_clicks_ctr unique_outbound_clicks
    cost_per_unique_click cost_per_unique_inline_link_click cost_per_unique_outbound_click unique_actions
    cost_per_unique_action_type estimated_ad_recallers estimated_ad_recall_rate
    cost_per_estimated_ad_recallers
    quality_ranking engagement_rate_ranking conversion_rate_ranking actions action_values cost_per_action_type
    purchase_roas website_purchase_roas
"""
WORLD_BACKED = set(WORLD_BACKED_FIELDS.split())


def insights(meta: Graph, version: str = VERSION, **params: Any) -> requests.Response:
    return meta.get(f"act_{meta.accounts[0]}/insights", version, **params)


def error_of(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == 100 and error["type"] == "OAuthException"
    return error


def major(minor: int, account: Any) -> Decimal:
    return Decimal(minor).scaleb(-account.currency_exponent)


def test_the_catalogue_is_the_installed_clients() -> None:
    """catalog.json is what facebook-business lists (tests/sandbox/meta/sdk_catalog.py writes it)."""
    assert catalog.catalog() == sdk_catalog.catalog()


# -- insights fields -------------------------------------------------------------------------------


def test_every_insights_field_is_answered_from_the_world_or_left_out(meta: Graph, world: World) -> None:
    fields = sorted(set(catalog.insights_fields()) - set(REMOVED))
    response = insights(
        meta, fields=",".join(fields), level="ad", time_increment=1, time_range=RANGE, limit=500
    )
    assert response.status_code == 200, response.text
    rows = response.json()["data"]
    assert rows and "next" not in response.json().get("paging", {})
    assert set().union(*rows) == WORLD_BACKED
    account = world.account(meta.accounts[0])
    ads = {ad.id: ad for ad in world.ads(account.id)}
    for row in rows:
        truth = world.ad_day(ads[row["ad_id"]], date.fromisoformat(row["date_start"]))
        assert truth is not None
        assert (int(row["impressions"]), int(row["clicks"]), Decimal(row["spend"])) == (
            truth.impressions,
            truth.clicks,
            major(truth.spend_minor, account),
        )
        assert int(row["reach"]) == truth.reach


@pytest.mark.parametrize("name", sorted(REMOVED))
def test_a_field_meta_removed_gets_its_real_error(meta: Graph, name: str) -> None:
    assert name in catalog.insights_fields()
    assert REMOVED[name] in error_of(insights(meta, fields=f"impressions,{name}"))["message"]


def test_a_field_no_version_lists_is_not_valid(meta: Graph) -> None:
    message = error_of(insights(meta, fields="impressions,store_visit_actions"))["message"]
    assert message.startswith("(#100) store_visit_actions is not valid for fields param")


def test_fields_older_versions_serve_are_refused_from_v26(meta: Graph) -> None:
    field = "marketing_messages_website_purchase_values"
    assert insights(meta, "v25.0", fields=field).status_code == 200
    assert field in error_of(insights(meta, fields=field))["message"]


# -- insights params -------------------------------------------------------------------------------

# param -> (values the client may send that Graph answers, a value Graph refuses or None)
PARAMS: dict[str, tuple[list[str], str | None]] = {
    "fields": (["impressions,spend", '["impressions","spend"]'], "impressions,{spend"),
    "level": (sorted(catalog.insights_enum("level")), "creative"),
    "time_range": ([RANGE, "{since:'2026-11-19',until:'2026-11-19'}"], '{"since":"2026-11-19"}'),
    "time_ranges": ([json.dumps([json.loads(RANGE)])], '[{"since":"2026-11-21","until":"2026-11-19"}]'),
    "date_preset": (sorted(catalog.insights_enum("date_preset")), "lifetime"),
    "time_increment": (["1", "7", "90", "monthly", "all_days"], "91"),
    "breakdowns": (['["age","gender"]'], '["age_group"]'),
    "action_breakdowns": (
        [json.dumps(sorted(catalog.insights_enum("action_breakdowns")))],
        '["action_kind"]',
    ),
    "summary_action_breakdowns": (
        [json.dumps(sorted(catalog.insights_enum("summary_action_breakdowns")))],
        '["action_kind"]',
    ),
    "action_attribution_windows": (
        [json.dumps(sorted(catalog.insights_enum("action_attribution_windows")))],
        '["2d_click"]',
    ),
    "action_report_time": (sorted(catalog.insights_enum("action_report_time")), "whenever"),
    "use_unified_attribution_setting": (["true", "false"], "maybe"),
    "use_account_attribution_setting": (["true", "false"], "maybe"),
    "graph_cache": (["true", "false"], "maybe"),
    "default_summary": (["true", "false"], "maybe"),
    "cpas_only": (["true", "false"], "maybe"),
    "filtering": (
        ['[{"field":"campaign.effective_status","operator":"IN","value":["ACTIVE","PAUSED"]}]'],
        '[{"field":"campaign.effective_status","operator":"AMONG","value":["ACTIVE"]}]',
    ),
    "sort": (['["spend_descending"]', '["impressions_ascending","reach_descending"]'], '["spend_sideways"]'),
    "summary": (['["impressions","spend"]'], '["store_visit_actions"]'),
    "limit": (["1", "5000"], "0"),
    "product_id_limit": (["10"], "-1"),
    # A report exported as a file: refused by name (the sandbox produces no files).
    "export_format": ([], "csv"),
    "export_name": ([], "report"),
    "export_columns": ([], '["spend"]'),
}


def test_the_table_covers_every_param_of_the_client() -> None:
    assert set(PARAMS) == set(catalog.insights_params())


@pytest.mark.parametrize(
    ("param", "value"), [(p, v) for p, (values, _) in PARAMS.items() for v in values], ids=str
)
def test_each_param_value_the_client_sends_is_answered(meta: Graph, param: str, value: str) -> None:
    params = {"fields": "impressions", "time_range": RANGE, param: value}
    response = insights(meta, **params)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["data"], list)


@pytest.mark.parametrize(("param", "value"), [(p, bad) for p, (_, bad) in PARAMS.items() if bad], ids=str)
def test_each_param_refuses_a_wrong_value_by_name(meta: Graph, param: str, value: str) -> None:
    params = {"fields": "impressions", "time_range": RANGE, param: value}
    message = error_of(insights(meta, **params))["message"]
    named = {"time_ranges": "time_ranges[0]", "cpas_only": "cpas_only", "filtering": "filtering[0]"}
    assert named.get(param, param.split("_")[0]) in message or value.strip('[]"') in message, message


def test_time_ranges_answer_each_range_on_its_own(meta: Graph, world: World) -> None:
    """singer-io sends one-day time_ranges: each range is one row set, with that range's dates only."""
    ranges = [{"since": d.isoformat(), "until": d.isoformat()} for d in (SINCE, UNTIL)]
    ranges.append({"since": SINCE.isoformat(), "until": UNTIL.isoformat()})  # ranges may overlap
    params = {"fields": "impressions,spend", "time_ranges": json.dumps(ranges), "time_increment": "1"}
    rows = insights(meta, level="account", **params).json()["data"]
    assert [(r["date_start"], r["date_stop"]) for r in rows] == [(r["since"], r["until"]) for r in ranges]
    account = world.account(meta.accounts[0])
    for row in rows:
        days = range((date.fromisoformat(row["date_stop"]) - date.fromisoformat(row["date_start"])).days + 1)
        truth = [
            world.account_day(account, date.fromisoformat(row["date_start"]) + timedelta(n)) for n in days
        ]
        assert int(row["impressions"]) == sum(m.impressions for m in truth if m)


@pytest.mark.parametrize("increment", ["1", "2", "7", "monthly", "all_days"])
def test_time_increment_buckets_the_range(meta: Graph, increment: str) -> None:
    since, until = TODAY - timedelta(days=45), TODAY - timedelta(days=1)
    span = json.dumps({"since": since.isoformat(), "until": until.isoformat()})
    rows = meta.get_all(f"act_{meta.accounts[0]}/insights", fields="impressions", time_range=span,
                        time_increment=increment, level="account", limit=100)  # fmt: skip
    buckets = [(date.fromisoformat(r["date_start"]), date.fromisoformat(r["date_stop"])) for r in rows]
    assert buckets[0][0] == since and buckets[-1][1] == until
    assert all(a[1] + timedelta(days=1) == b[0] for a, b in itertools.pairwise(buckets))
    if increment.isdigit():
        assert all((stop - start).days + 1 == int(increment) for start, stop in buckets[:-1])
    elif increment == "monthly":
        assert all(start.month == stop.month for start, stop in buckets) and len(buckets) >= 2
    else:
        assert len(buckets) == 1


@pytest.mark.parametrize("preset", sorted(catalog.insights_enum("date_preset")))
def test_every_date_preset_ends_by_today(meta: Graph, preset: str) -> None:
    rows = insights(meta, fields="impressions", date_preset=preset, level="account").json()["data"]
    for row in rows:
        assert date.fromisoformat(row["date_start"]) <= date.fromisoformat(row["date_stop"]) <= TODAY


@pytest.mark.parametrize("level", sorted(catalog.insights_enum("level")))
def test_every_level_sums_to_the_account(meta: Graph, world: World, level: str) -> None:
    rows = meta.get_all(
        f"act_{meta.accounts[0]}/insights", fields=f"impressions,{level}_id", time_range=RANGE, level=level
    )
    account = world.account(meta.accounts[0])
    truth = [world.account_day(account, SINCE + timedelta(n)) for n in range(3)]
    assert sum(int(r["impressions"]) for r in rows) == sum(m.impressions for m in truth if m)
    assert all(f"{level}_id" in r for r in rows)


def test_sort_orders_rows_and_pages_in_that_order(meta: Graph) -> None:
    params = {"fields": "spend", "level": "ad", "time_range": RANGE, "sort": '["spend_descending"]'}
    rows = meta.get_all(f"act_{meta.accounts[0]}/insights", limit=3, **params)
    spends = [Decimal(r["spend"]) for r in rows]
    assert len(spends) > 3 and spends == sorted(spends, reverse=True)


def test_default_summary_and_summary_total_the_rows(meta: Graph) -> None:
    params = {"fields": "impressions,spend", "level": "ad", "time_range": RANGE, "limit": 2}
    body = insights(meta, default_summary="true", **params).json()
    rows = meta.get_all(f"act_{meta.accounts[0]}/insights", **params)
    assert int(body["summary"]["impressions"]) == sum(int(r["impressions"]) for r in rows)
    assert Decimal(body["summary"]["spend"]) == sum(Decimal(r["spend"]) for r in rows)
    assert (body["summary"]["date_start"], body["summary"]["date_stop"]) == (
        SINCE.isoformat(),
        UNTIL.isoformat(),
    )
    only = insights(meta, summary='["impressions"]', **params).json()["summary"]
    assert set(only) == {"impressions", "date_start", "date_stop"}
    assert "summary" not in insights(meta, **params).json()


def test_after_then_before_cursors_walk_the_same_rows(meta: Graph) -> None:
    params = {"fields": "impressions", "level": "ad", "time_range": RANGE, "limit": 4}
    first = insights(meta, **params).json()
    second = insights(meta, after=first["paging"]["cursors"]["after"], **params).json()
    assert "previous" in second["paging"] and "previous" not in first["paging"]
    back = insights(meta, before=second["paging"]["cursors"]["before"], **params).json()
    assert back["data"] == first["data"]
    assert "previous" not in back["paging"] and "next" in back["paging"]


def test_cpas_only_answers_no_rows_the_world_has_no_collaborative_ads(meta: Graph) -> None:
    assert insights(meta, fields="impressions", time_range=RANGE, cpas_only="true").json()["data"] == []


@pytest.mark.parametrize("breakdown", sorted(catalog.insights_enum("breakdowns")))
def test_every_breakdown_is_served_or_refused_as_a_combination(meta: Graph, breakdown: str) -> None:
    """Served breakdowns split the world's numbers exactly; the others (assets, catalogue, SKAN …:
    nothing in the world to split by) get Graph's invalid-combination error."""
    response = insights(meta, fields="impressions", level="account", time_range=RANGE, breakdowns=breakdown)
    if response.status_code == 400:
        assert "Current combination of data breakdown columns" in error_of(response)["message"]
        return
    rows = response.json()["data"]
    whole = insights(meta, fields="impressions", level="account", time_range=RANGE).json()["data"]
    assert all(breakdown in r for r in rows)
    assert sum(int(r["impressions"]) for r in rows) == int(whole[0]["impressions"])


def test_every_action_breakdown_is_a_key_of_every_action_item(meta: Graph) -> None:
    every = sorted(catalog.insights_enum("action_breakdowns"))
    params = {"fields": "actions,cost_per_action_type,unique_actions", "time_range": RANGE}
    rows = insights(meta, action_breakdowns=json.dumps(every), **params).json()["data"]
    items = [
        item
        for row in rows
        for name in ("actions", "cost_per_action_type", "unique_actions")
        for item in row[name]
    ]
    assert items and all(set(every) <= set(item) for item in items)
    plain = insights(meta, **params).json()["data"]
    assert [[i["value"] for i in r["actions"]] for r in rows] == [
        [i["value"] for i in r["actions"]] for r in plain
    ]


# -- nodes and edges -------------------------------------------------------------------------------


def _node_ids(meta: Graph, world: World) -> dict[str, str]:
    account = meta.accounts[0]
    ad = world.ads(account)[0]
    audience = next(a for a in world.audiences(account) if a.status != "deleted")
    return {
        "AdAccount": f"act_{account}",
        "Campaign": world.campaigns(account)[0].id,
        "AdSet": world.ad_groups(account)[0].id,
        "Ad": ad.id,
        "AdCreative": "2" + ad.id[1:],
        "CustomAudience": audience.id,
        "CustomConversion": world.conversion_events(account)[0].id,
    }


@pytest.mark.parametrize(
    "node_type", ["AdAccount", "Campaign", "AdSet", "Ad", "AdCreative", "CustomAudience", "CustomConversion"]
)
def test_every_field_of_a_node_is_accepted_and_others_refused(
    meta: Graph, world: World, node_type: str
) -> None:
    node = _node_ids(meta, world)[node_type]
    fields = sorted(catalog.node_fields(node_type))
    response = meta.get(f"{node}/", fields=",".join(fields))
    assert response.status_code == 200, response.text
    assert set(response.json()) <= set(fields) | {"id"}
    message = error_of(meta.get(f"{node}/", fields="id,not_a_field"))["message"]
    assert message == f"(#100) Tried accessing nonexisting field (not_a_field) on node type ({node_type})"


def test_every_field_of_a_report_run_is_accepted_and_others_refused(meta: Graph) -> None:
    run_id = meta.post(f"act_{meta.accounts[0]}/insights", fields='["spend"]').json()["report_run_id"]
    fields = sorted(catalog.node_fields("AdReportRun"))
    body = meta.get(f"{run_id}/", fields=",".join(fields)).json()
    assert {"id", "async_status", "async_percent_completion"} <= set(body) <= set(fields) | {"id"}
    message = error_of(meta.get(f"{run_id}/", fields="async_status,progress"))["message"]
    assert "nonexisting field (progress) on node type (AdReportRun)" in message
    time.sleep(0.35)  # the session's job latency: leave no job running for the next test


EDGE_PARAMS = {
    "date_preset": ("last_7d", "lifetime"),
    "time_range": (RANGE, '{"since":"2026-11-19"}'),
    "effective_status": ('["ACTIVE","PAUSED"]', None),
    "is_completed": ("true", "maybe"),
    "updated_since": ("0", "yesterday"),
    "business_id": ("1", None),
    "fetch_primary_audience": ("false", "maybe"),
    "fields": ("id,name", "id,not_a_field"),
    "filtering": ('[{"field":"id","operator":"NOT_EQUAL","value":"0"}]', '[{"field":"id"}]'),
    "pixel_id": ("1", None),
    "biz_tag_id": ("1", "tag"),
    "hashes": ('["0"]', '[{"hash":"0"}]'),
    "selected_hashes": ('["0"]', '[{"hash":"0"}]'),
    "name": ("x.png", None),
    "title": ("x", None),
    "minheight": ("100", "tall"),
    "minwidth": ("100", "wide"),
    "maxheight": ("100", "tall"),
    "maxwidth": ("100", "wide"),
    "minlength": ("1", "long"),
    "maxlength": ("1", "long"),
    "min_aspect_ratio": ("0.5", "square"),
    "max_aspect_ratio": ("2", "square"),
}


@pytest.mark.parametrize("edge", ["campaigns", "adsets"])
def test_is_completed_splits_by_schedule_end(meta: Graph, world: World, edge: str) -> None:
    status = '["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED"]'
    every = {r["id"] for r in meta.get_all(f"act_{meta.accounts[0]}/{edge}", effective_status=status)}
    done = {
        r["id"]
        for r in meta.get_all(f"act_{meta.accounts[0]}/{edge}", effective_status=status, is_completed="true")
    }
    running = {
        r["id"]
        for r in meta.get_all(f"act_{meta.accounts[0]}/{edge}", effective_status=status, is_completed="false")
    }
    account = world.account(meta.accounts[0])
    objects = world.campaigns(account.id) if edge == "campaigns" else world.ad_groups(account.id)
    ended = {o.id for o in objects if o.end_date is not None and o.end_date < world.account_today(account)}
    assert done == ended and running == every - ended and done | running == every


@pytest.mark.parametrize(
    ("node", "edge"),
    [("campaign", "adsets"), ("campaign", "ads"), ("adset", "ads"), ("adset", "adcreatives")],
)
def test_campaign_and_ad_set_edges_hold_their_children(
    meta: Graph, world: World, node: str, edge: str
) -> None:
    account = meta.accounts[0]
    parent = (world.campaigns(account) if node == "campaign" else world.ad_groups(account))[0]
    status = '["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED"]'
    rows = meta.get_all(f"{parent.id}/{edge}", fields="id", effective_status=status)
    key = "campaign_id" if node == "campaign" else "ad_group_id"
    children = world.ad_groups(account) if edge == "adsets" else world.ads(account)
    expected = {
        ("2" + c.id[1:]) if edge == "adcreatives" else c.id for c in children if getattr(c, key) == parent.id
    }
    assert {r["id"] for r in rows} == expected


def test_an_ad_has_no_ads_edge(meta: Graph, world: World) -> None:
    ad = world.ads(meta.accounts[0])[0]
    response = meta.get(f"{ad.id}/ads")
    assert response.status_code == 400 and response.json()["error"]["error_subcode"] == 33


def test_the_largest_page_is_a_setting(meta: Graph, sandbox: SandboxClient) -> None:
    """Meta documents no maximum `limit`: the sandbox's 5000 is an assumption a run can change."""
    assert error_of(insights(meta, fields="impressions", limit=5001))["message"].startswith(
        "(#100) param limit"
    )
    sandbox.settings(meta_max_page_size=10)
    try:
        assert insights(meta, fields="impressions", limit=10).status_code == 200
        assert "limit" in error_of(meta.get(f"act_{meta.accounts[0]}/campaigns", limit=11))["message"]
    finally:
        sandbox.settings(meta_max_page_size=5000)


def test_ad_images_are_the_creatives_images(meta: Graph, world: World) -> None:
    account = meta.accounts[0]
    fields = ",".join(sorted(catalog.node_fields("AdImage")))
    images = meta.get_all(f"act_{account}/adimages", fields=fields)
    creatives = meta.get_all(f"act_{account}/adcreatives", fields="image_hash", limit=100)
    # The library keeps the image of every ad, deleted ones too: the creatives edge hides those.
    assert {c["image_hash"] for c in creatives} < {i["hash"] for i in images}
    assert len({i["hash"] for i in images}) == len(images) == len(world.ads(account))
    assert all(set(i) <= catalog.node_fields("AdImage") for i in images)
    one = images[0]["hash"]
    assert [i["hash"] for i in meta.get_all(f"act_{account}/adimages", hashes=json.dumps([one]))] == [one]
    assert "(AdImage)" in error_of(meta.get(f"act_{account}/adimages", fields="hash,pixels"))["message"]


@pytest.mark.parametrize(
    ("edge", "node_type"), [("advideos", "AdVideo"), ("adlabels", "AdLabel"), ("leads", "Lead")]
)
def test_edges_of_what_the_world_lacks_are_empty(
    meta: Graph, world: World, edge: str, node_type: str
) -> None:
    path = (
        f"{world.ads(meta.accounts[0])[0].id}/leads" if edge == "leads" else f"act_{meta.accounts[0]}/{edge}"
    )
    response = meta.get(path, fields=",".join(sorted(catalog.node_fields(node_type))))
    assert response.status_code == 200 and response.json()["data"] == []
    assert f"({node_type})" in error_of(meta.get(path, fields="id,not_a_field"))["message"]


# What each operator keeps, as Meta documents it for one value (ANY/ALL/NONE compare a list the same
# way as IN/IN/NOT_IN for a one-valued field).
OPERATOR_MEANING = {
    "EQUAL": lambda n, v: n == v[0],
    "NOT_EQUAL": lambda n, v: n != v[0],
    "GREATER_THAN": lambda n, v: n > v[0],
    "GREATER_THAN_OR_EQUAL": lambda n, v: n >= v[0],
    "LESS_THAN": lambda n, v: n < v[0],
    "LESS_THAN_OR_EQUAL": lambda n, v: n <= v[0],
    "IN_RANGE": lambda n, v: v[0] <= n <= v[1],
    "NOT_IN_RANGE": lambda n, v: not v[0] <= n <= v[1],
    "CONTAIN": lambda n, v: str(v[0]) in str(n),
    "NOT_CONTAIN": lambda n, v: str(v[0]) not in str(n),
    "IN": lambda n, v: n in v,
    "ANY": lambda n, v: n in v,
    "ALL": lambda n, v: n in v,
    "NOT_IN": lambda n, v: n not in v,
    "NONE": lambda n, v: n not in v,
}


def test_the_operator_table_is_the_clients() -> None:
    assert set(OPERATOR_MEANING) == catalog.insights_enum("filtering_operator")


@pytest.mark.parametrize("operator", sorted(OPERATOR_MEANING))
def test_every_filtering_operator_keeps_the_rows_it_means(meta: Graph, world: World, operator: str) -> None:
    """A metric filter (`impressions`) on one day's ad rows, against the world's ad-days."""
    account = meta.accounts[0]
    day = UNTIL.isoformat()
    counts = {
        ad.id: m.impressions for ad in world.ads(account) if (m := world.ad_day(ad, UNTIL)) and m.impressions
    }
    ordered = sorted(counts.values())
    middle = ordered[len(ordered) // 2]
    values = {
        "IN_RANGE": [ordered[1], middle],
        "NOT_IN_RANGE": [ordered[1], middle],
        "CONTAIN": [str(middle)[:2]],
        "NOT_CONTAIN": [str(middle)[:2]],
        "IN": ordered[:2],
        "ANY": ordered[:2],
        "ALL": ordered[:2],
        "NOT_IN": ordered[:2],
        "NONE": ordered[:2],
    }.get(operator, [middle])
    wire_value = (
        values
        if operator in {"IN_RANGE", "NOT_IN_RANGE", "IN", "ANY", "ALL", "NOT_IN", "NONE"}
        else values[0]
    )
    rule = [{"field": "impressions", "operator": operator, "value": wire_value}]
    span = json.dumps({"since": day, "until": day})
    rows = meta.get_all(f"act_{account}/insights", fields="ad_id,impressions", level="ad", time_range=span,
                        filtering=json.dumps(rule), limit=100)  # fmt: skip
    expected = {ad_id for ad_id, n in counts.items() if OPERATOR_MEANING[operator](n, values)}
    assert {r["ad_id"] for r in rows} == expected
    assert expected and expected != set(counts)  # the filter keeps some rows and drops others


@pytest.mark.parametrize("operator", ["EQUAL", "NOT_EQUAL", "IN", "NOT_IN", "CONTAIN", "NOT_CONTAIN"])
def test_entity_filters_select_their_objects(meta: Graph, world: World, operator: str) -> None:
    account = meta.accounts[0]
    campaigns = world.campaigns(account)
    value: Any = [campaigns[0].id] if operator in {"IN", "NOT_IN"} else campaigns[0].id
    if operator in {"CONTAIN", "NOT_CONTAIN"}:
        value = campaigns[0].name
    rule = [
        {
            "field": "campaign.id" if "CONTAIN" not in operator else "campaign.name",
            "operator": operator,
            "value": value,
        }
    ]
    rows = meta.get_all(f"act_{account}/insights", fields="campaign_id,impressions", level="campaign",
                        time_range=RANGE, filtering=json.dumps(rule))  # fmt: skip
    kept = {r["campaign_id"] for r in rows}
    positive = operator in {"EQUAL", "IN", "CONTAIN"}
    assert (campaigns[0].id in kept) is positive
    assert kept and (kept == {campaigns[0].id}) is positive


def test_summary_actions_carry_the_summary_action_breakdowns(meta: Graph) -> None:
    params = {"fields": "actions", "summary": '["actions"]', "time_range": RANGE}
    params["action_breakdowns"] = '["action_type","action_device"]'
    params["summary_action_breakdowns"] = '["action_type","action_destination"]'
    body = insights(meta, **params).json()
    assert all("action_device" in item for row in body["data"] for item in row["actions"])
    summary = body["summary"]["actions"]
    assert summary and all("action_destination" in i and "action_device" not in i for i in summary)
    clicks = sum(
        int(i["value"]) for row in body["data"] for i in row["actions"] if i["action_type"] == "link_click"
    )
    assert sum(int(i["value"]) for i in summary if i["action_type"] == "link_click") == clicks


NODE_PARAMS = {
    "am_call_tags": ('{"calling_source":"tap"}', '["tap"]'),
    "date_preset": ("last_7d", "lifetime"),
    "time_range": (RANGE, '{"since":"2026-11-19"}'),
    "from_adtable": ("true", "maybe"),
    "review_feedback_breakdown": ("false", "maybe"),
    "thumbnail_height": ("128", "tall"),
    "thumbnail_width": ("128", "wide"),
    "acting_account_id": ("1", "me"),
    "ad_account_id": ("1", None),
    "special_ad_categories": ('["NONE"]', None),
    "special_ad_category_countries": ('["US"]', None),
    "target_countries": ('["US"]', None),
}


OBJECT_PARAMS = {"edge_params": EDGE_PARAMS, "node_params": NODE_PARAMS}


@pytest.mark.parametrize("section", sorted(OBJECT_PARAMS))
def test_the_tables_cover_every_edge_and_node_param_of_the_client(section: str) -> None:
    assert {p for params in catalog.catalog()[section].values() for p in params} == set(
        OBJECT_PARAMS[section]
    )


@pytest.mark.parametrize(
    ("section", "owner", "param"),
    [(section, owner, p) for section in OBJECT_PARAMS for owner, params in catalog.catalog()[section].items()
     for p in params],
    ids=str,
)  # fmt: skip
def test_each_edge_and_node_param_is_answered_or_refused(
    meta: Graph, world: World, section: str, owner: str, param: str
) -> None:
    """An edge's params on the account's edge, a node's on a node of that type."""
    good, bad = OBJECT_PARAMS[section][param]
    path = (
        f"act_{meta.accounts[0]}/{owner}" if section == "edge_params" else f"{_node_ids(meta, world)[owner]}/"
    )
    assert meta.get(path, **{param: good}).status_code == 200
    if bad is not None:
        error_of(meta.get(path, **{param: bad}))


def test_a_creative_thumbnail_comes_in_the_asked_size(meta: Graph, world: World) -> None:
    node = _node_ids(meta, world)["AdCreative"]
    plain = meta.get(f"{node}/", fields="thumbnail_url").json()["thumbnail_url"]
    sized = meta.get(f"{node}/", fields="thumbnail_url", thumbnail_width=128, thumbnail_height=96).json()
    assert sized["thumbnail_url"] == f"{plain}?stp=dst-emg0_p128x96"


def test_a_cursor_of_another_report_order_is_refused(meta: Graph) -> None:
    params = {"fields": "spend", "level": "ad", "time_range": RANGE, "limit": 2}
    sorted_page = insights(meta, sort='["spend_descending"]', **params).json()
    after = sorted_page["paging"]["cursors"]["after"]
    assert (
        error_of(insights(meta, after=after, **params))["message"]
        == f"(#100) The after cursor is not valid: {after}"
    )


def test_node_fields_older_versions_serve_are_refused_from_v26(meta: Graph, world: World) -> None:
    """facebook-business 25 lists AdSet.budget_source, 26 no longer does."""
    adset = _node_ids(meta, world)["AdSet"]
    assert meta.get(f"{adset}/", "v25.0", fields="id,budget_source").status_code == 200
    assert (
        "(budget_source) on node type (AdSet)"
        in error_of(meta.get(f"{adset}/", fields="id,budget_source"))["message"]
    )
    edge = meta.get(f"act_{meta.accounts[0]}/adsets", "v25.0", fields="id,budget_source")
    assert edge.status_code == 200
