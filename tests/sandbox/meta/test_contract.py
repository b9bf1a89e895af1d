"""Contract: every real Meta response payload in tests/fixtures/meta is reproduced in shape.

For each payload the emulator is asked the matching request (same fields, breakdowns, level), and
every record it answers (each object, each row of every page, each error) is compared on its own
with the payload's shape: every key the payload has (recursively) must be there, every value must
have a JSON type the payload shows at that place, and null only where the payload has a null. A
page's rows (and a list's items) together make the shape of one row (item); a key only some of them
have may be missing. A record may hold extra keys only where a case says why (`extra_ok`). Keys the
emulator does not send are listed per case with the reason (`skip`); keys Graph itself leaves out of
some records (`optional`, with the reason) must still be in at least one. REC payloads went through
Airbyte's schema typing, which turns numeric strings into numbers, so for them a number in the
payload also matches a numeric string (`coerced`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import requests
from meta_graph import FIXTURES, TODAY, Graph, fixture

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.meta.insights import BREAKDOWNS
from ads_kit.sandbox.world import World

EVERY_STATUS = ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "CAMPAIGN_PAUSED", "ADSET_PAUSED"]
DAY = (TODAY - timedelta(days=3)).isoformat()
DAY_RANGE = json.dumps({"since": DAY, "until": DAY})


def _tag(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null"


@dataclass
class Shape:
    """What the real payload shows at one place: its JSON types, and for objects the keys every
    captured object has (`required`) and any has (`keys`), for lists the shape of every item."""

    types: set[str]
    keys: dict[str, Shape] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: Shape | None = None


def shape_of(values: list[Any]) -> Shape:
    """The shape of the captured values at one place (several rows of a page, every list item)."""
    shape = Shape({_tag(v) for v in values})
    dicts = [v for v in values if isinstance(v, dict)]
    if dicts:
        keys = {key for d in dicts for key in d if not key.startswith("__")}
        shape.keys = {key: shape_of([d[key] for d in dicts if key in d]) for key in keys}
        shape.required = {key for key in keys if all(key in d for d in dicts)}
    items = [item for v in values if isinstance(v, list) for item in v]
    if items:
        shape.items = shape_of(items)
    return shape


@dataclass
class Case:
    fixture: str
    fetch: Callable[[Graph, World, SandboxClient], Any]
    coerced: bool = False
    extra_ok: dict[str, str] = field(default_factory=dict)  # path -> why extra keys are fine there
    skip: dict[str, str] = field(default_factory=dict)  # key -> why the emulator does not send it
    # key -> why a record may lack it; at least one record must still carry it
    optional: dict[str, str] = field(default_factory=dict)
    pick: Callable[[Any], Any] = lambda payload: payload


@dataclass
class _Seen:
    """Across every record: how many objects met a place, and how many carried each key / items."""

    objects: dict[str, int] = field(default_factory=dict)
    carried: dict[str, int] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)


def compare(expected: Any, records: list[Any], case: Case, root: str = "") -> list[str]:
    """Problems of every record against the captured payload's shape (one line each, deduplicated).

    Each record must have every key the payload has (except `skip`; `optional` keys may be absent
    from some records but not from all), and every value must have a JSON type the payload shows
    at that place; null only where the payload has a null. A list the payload fills must be filled
    in at least one record.
    """
    shape = shape_of([expected])
    seen = _Seen()
    problems: list[str] = []
    for record in records:
        problems += _check(shape, record, case, root, seen)
    for place, count in seen.objects.items():
        for key in _keys_at(shape, place, root):
            where = f"{place}.{key}" if place else key
            if key in case.optional and seen.carried.get(where, 0) == 0:
                problems.append(f"{where}: missing in all {count} records (optional: {case.optional[key]})")
    problems += [
        f"{place}: empty in every record where the payload has items"
        for place, count in seen.filled.items()
        if count == 0
    ]
    return sorted(set(problems))


def _keys_at(shape: Shape, place: str, root: str) -> set[str]:
    node: Shape | None = shape
    rest = place.removeprefix(root).lstrip(".")
    for part in [p for p in rest.split(".") if p]:
        name, items = part.removesuffix("[]"), part.endswith("[]")
        node = node.keys.get(name) if node is not None else None
        if items and node is not None:
            node = node.items
    return set(node.keys) if node is not None else set()


def _check(shape: Shape, actual: Any, case: Case, path: str, seen: _Seen) -> list[str]:
    where = path or "<root>"
    tag = _tag(actual)
    if not _type_matches(shape, actual, case):
        return [f"{where}: payload has {sorted(shape.types)}, emulator sent {tag}"]
    problems: list[str] = []
    if isinstance(actual, dict):
        seen.objects[path] = seen.objects.get(path, 0) + 1
        for key in shape.required - set(case.skip) - set(case.optional):
            if key not in actual:
                problems.append(f"{path}.{key}: missing" if path else f"{key}: missing")
        for key, value in actual.items():
            inner = f"{path}.{key}" if path else key
            if key in shape.keys:
                seen.carried[inner] = seen.carried.get(inner, 0) + 1
                problems += _check(shape.keys[key], value, case, inner, seen)
        extra = set(actual) - set(shape.keys) - set(case.skip)
        if extra and path in RECORD_PATHS and path not in case.extra_ok:
            problems.append(f"{where}: unexpected keys {sorted(extra)}")
    elif isinstance(actual, list) and shape.items is not None:
        seen.filled[path] = seen.filled.get(path, 0) + bool(actual)
        for item in actual:
            problems += _check(shape.items, item, case, f"{path}[]", seen)
    return problems


def _type_matches(shape: Shape, actual: Any, case: Case) -> bool:
    tag = _tag(actual)
    if tag in shape.types or shape.types == {"null"}:  # a captured null alone says nothing of the type
        return True
    numeric = isinstance(actual, str) and _is_number(actual)
    return case.coerced and "number" in shape.types and numeric


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


RECORD_PATHS = {"", "data[]", "error"}


# --- requests ---------------------------------------------------------------------------------


def keys_of(name: str, item: int | None = None) -> list[str]:
    payload = fixture(name)
    if isinstance(payload, dict) and "data" in payload:
        payload = payload["data"][0 if item is None else item]
    elif isinstance(payload, list):
        payload = payload[0 if item is None else item]
    return [key for key in payload if not key.startswith("__")]


def every_account_edge(edge: str, prefix: str, fields: list[str]) -> Callable[..., Any]:
    """Every row of an edge over every Meta account, every status."""

    def fetch(meta: Graph, world: World, sandbox: SandboxClient) -> Any:
        rule = [{"field": f"{prefix}.effective_status", "operator": "IN", "value": EVERY_STATUS}]
        params = {"filtering": json.dumps(rule)} if prefix in ("campaign", "adset", "ad") else {}
        rows = []
        for account in world.accounts("meta"):
            rows += meta.get_all(f"act_{account.id}/{edge}", fields=",".join(fields), **params)
        return rows

    return fetch


def one_page(edge: str, prefix: str, fields: list[str]) -> Callable[..., Any]:
    """Every row of an edge over every account, as one page's `data`."""
    rows = every_account_edge(edge, prefix, fields)
    return lambda meta, world, sandbox: {"data": rows(meta, world, sandbox)}


def account_node(fields: list[str]) -> Callable[..., Any]:
    return lambda meta, world, sandbox: [
        meta.get(f"act_{a}/", fields=",".join(fields)).json() for a in meta.accounts
    ]


def insights(params: dict[str, Any], limit: int = 500) -> Callable[..., Any]:
    def fetch(meta: Graph, world: World, sandbox: SandboxClient) -> Any:
        body = meta.get(f"act_{meta.accounts[0]}/insights", limit=limit, **params).json()
        assert body.get("data"), body
        return body

    return fetch


def breakdown_row(index: int) -> Callable[..., Any]:
    row = fixture("insights_rows_breakdowns_airbyte_records.json")[index]
    breakdowns = [key for key in row if key in BREAKDOWNS]
    fields = [k for k in row if k not in BREAKDOWNS and k not in BREAKDOWN_SKIPS]

    def fetch(meta: Graph, world: World, sandbox: SandboxClient) -> Any:
        params = {
            "level": "ad",
            "fields": ",".join(fields),
            "breakdowns": ",".join(breakdowns),
            "time_range": DAY_RANGE,
            "time_increment": 1,
            "action_attribution_windows": '["1d_click","7d_click","28d_click"]',
        }
        rows = meta.get_all(f"act_{meta.accounts[0]}/insights", limit=500, **params)
        assert rows, params
        return rows

    return fetch


def report_run(fields: str | None, latency_s: float) -> Callable[..., Any]:
    def fetch(meta: Graph, world: World, sandbox: SandboxClient) -> Any:
        sandbox.settings(meta_job_seconds=latency_s)
        try:
            if latency_s == 0:
                sandbox.add_fault(platform="meta", route="insights_async", kind="job_failure", calls=[1])
            run = meta.post(f"act_{meta.accounts[0]}/insights", fields='["spend"]', time_range=DAY_RANGE)
            run_id = run.json()["report_run_id"]
            time.sleep(0.05)
            return meta.get(f"{run_id}/", **({"fields": fields} if fields else {})).json()
        finally:
            sandbox.settings(meta_job_seconds=0.3)

    return fetch


def error_from(fault: str | None, path: str = "campaigns", params: dict[str, Any] | None = None) -> Callable:
    def fetch(meta: Graph, world: World, sandbox: SandboxClient) -> requests.Response:
        if fault:
            sandbox.add_fault(
                platform="meta", route=path.rsplit("/", 1)[-1] or "node", kind="error", name=fault
            )
        target = path if path.endswith("/") or "/" in path else f"act_{meta.accounts[0]}/{path}"
        return meta.get(target, **(params or {}))

    return fetch


BREAKDOWN_SKIPS = {
    "instant_experience_clicks_to_open": "instant experience (canvas) ads are not modelled",
    "instant_experience_clicks_to_start": "instant experience (canvas) ads are not modelled",
    "video_play_curve_actions": "video ads are not modelled",
    "wish_bid": "removed from the Insights API; requesting it is an invalid-field error",
}
FBTRACE = {"error": "captures that omit fbtrace_id; Graph sends one on every error"}
# Keys Graph leaves out of some records (it omits unset fields and metrics without data); each must
# still be served in at least one record.
BUDGETS = {
    key: "an ad set has a daily or a lifetime budget, or none under a campaign budget (unset: omitted)"
    for key in ("daily_budget", "lifetime_budget")
}
BIDS = {
    key: "only ad sets whose bid strategy takes an amount (cost cap, bid cap) carry a bid"
    for key in ("bid_amount", "bid_info")
}
PROMOTED = {
    key: "what an ad set promotes follows its objective: a page (page_id) or a pixel event"
    for key in ("page_id", "pixel_id", "custom_event_type")
}
NO_DATA = {
    key: "a metric without data is omitted from the row (no reach, no recallers)"
    for key in ("reach", "frequency", "cpp", "estimated_ad_recallers", "cost_per_estimated_ad_recallers")
}

# Captured in 2024; the client (v26) lists these AdCreative fields under their new names only.
INSTAGRAM_RENAMED = {
    "instagram_actor_id": "instagram_user_id",
    "effective_instagram_story_id": "effective_instagram_media_id",
}

CASES = [
    Case(
        "ad_account_object_airbyte_record.json",
        account_node(keys_of("ad_account_object_airbyte_record.json")),
        coerced=True,
        extra_ok={"funding_source_details": "display_string, as in the restfb ad account capture"},
    ),
    Case("ad_account_object_small_restfb.json", account_node(keys_of("ad_account_object_small_restfb.json"))),
    Case(
        "adcreative_object_airbyte_record.json",
        every_account_edge(
            "adcreatives",
            "adcreative",
            [k for k in keys_of("adcreative_object_airbyte_record.json") if k not in INSTAGRAM_RENAMED],
        ),
        coerced=True,
        skip={old: f"named {new} in the client's v26 AdCreative" for old, new in INSTAGRAM_RENAMED.items()},
        extra_ok={k: "the v26 names of the captured Instagram fields" for k in INSTAGRAM_RENAMED.values()},
    ),
    Case(
        "ads_list_page.json",
        one_page("ads", "ad", keys_of("ads_list_page.json")),
        extra_ok={"data[].targeting": "targeting_automation, as in the captured ad set page"},
    ),
    Case(
        "adset_object_airbyte_record.json",
        every_account_edge("adsets", "adset", keys_of("adset_object_airbyte_record.json")),
        coerced=True,
        extra_ok={"targeting": "targeting_automation, as in the captured ad set page"},
        optional={**BUDGETS, **PROMOTED},
    ),
    Case(
        "adsets_list_page.json",
        one_page("adsets", "adset", keys_of("adsets_list_page.json")),
        coerced=True,  # Airbyte's mock typed budgets and bid_amount as numbers
        extra_ok={"data[].targeting": "custom audiences and placements, as in the captured ad page"},
        optional={**BUDGETS, **BIDS, **PROMOTED},
    ),
    Case(
        "campaign_object_airbyte_record.json",
        every_account_edge("campaigns", "campaign", keys_of("campaign_object_airbyte_record.json")),
        coerced=True,
        optional={
            "spend_cap": "Graph omits unset fields: only campaigns with a spend cap carry one",
            "stop_time": "Graph omits unset fields: only campaigns with an end carry a stop_time",
        },
    ),
    Case(
        "campaigns_list_page.json",
        one_page("campaigns", "campaign", keys_of("campaigns_list_page.json")),
        coerced=True,
    ),
    Case(
        "custom_audience_object_airbyte_record.json",
        every_account_edge(
            "customaudiences", "customaudience", keys_of("custom_audience_object_airbyte_record.json")
        ),
        coerced=True,
        optional={"customer_file_source": "only customer-file audiences have a customer file source"},
    ),
    Case(
        "async_report_run_job_failed_tap_test.json",
        report_run(",".join(keys_of("async_report_run_job_failed_tap_test.json")), latency_s=0),
    ),
    Case("async_report_run_job_running_100pct.json", report_run(None, latency_s=30)),
    Case(
        "paging_cursors_next_summary_restfb.json",
        lambda meta, world, sandbox: meta.get(
            f"act_{meta.accounts[0]}/campaigns", fields="name,id", summary="true", limit=2
        ).json(),
    ),
    Case(
        "insights_action_product_id_page.json",
        insights(
            {
                "level": "ad",
                "fields": ",".join(
                    k for k in keys_of("insights_action_product_id_page.json") if k != "product_id"
                ),
                "time_range": DAY_RANGE,
                "time_increment": 1,
                "action_attribution_windows": '["1d_click","7d_click","28d_click"]',
            }
        ),
        skip={"product_id": "catalogue (product_id) breakdowns are not modelled"},
    ),
    Case(
        "insights_page_with_summary_actions_restfb.json",
        insights(
            {
                "level": "ad",
                "fields": ",".join(
                    k for k in keys_of("insights_page_with_summary_actions_restfb.json") if k != "wish_bid"
                ),
                "time_range": json.dumps({"since": (TODAY - timedelta(days=9)).isoformat(), "until": DAY}),
            },
            limit=1,
        ),
        skip={
            "wish_bid": BREAKDOWN_SKIPS["wish_bid"],
            "summary": "default_summary rows are not served",
        },
    ),
    Case(
        "insights_row_actions_1d_view_28d_view_panoramic.json",
        lambda meta, world, sandbox: meta.get(
            f"act_{meta.accounts[0]}/insights",
            level="adset",
            fields=",".join(keys_of("insights_row_actions_1d_view_28d_view_panoramic.json")),
            date_preset="last_90d",
            action_attribution_windows='["1d_click","28d_click","1d_view","28d_view"]',
            limit=500,
        ).json()["data"],
        pick=lambda payload: {k: v for k, v in payload.items() if not k.startswith("__")},
        skip={"28d_view": "Meta stopped returning 7d_view and 28d_view on 2026-01-12"},
    ),
    Case(
        "insights_row_hourly_stats_panoramic.json",
        lambda meta, world, sandbox: meta.get_all(
            f"act_{meta.accounts[0]}/insights",
            level="ad",
            fields="ad_id,ctr,frequency,impressions",
            breakdowns="hourly_stats_aggregated_by_advertiser_time_zone",
            time_range=DAY_RANGE,
            limit=500,
        ),
    ),
]

# Every captured breakdown row except the DMA one (Meta removed the dma breakdown on 2026-06-22).
BREAKDOWN_ROWS = [
    index
    for index, row in enumerate(fixture("insights_rows_breakdowns_airbyte_records.json"))
    if "dma" not in row
]
CASES += [
    Case(
        f"insights_rows_breakdowns_airbyte_records.json[{index}]",
        breakdown_row(index),
        coerced=True,
        skip=BREAKDOWN_SKIPS,
        optional=NO_DATA,
        pick=lambda payload, index=index: payload[index],
    )
    for index in BREAKDOWN_ROWS
]

ERROR_CASES = [
    ("error_100_33_unsupported_get_request.json", 400, error_from(None, "123456789/")),
    ("error_100_missing_permissions.json", 400, error_from("missing_permissions")),
    ("error_190_460_password_changed.json", 400, error_from("token_invalid")),
    ("error_190_463_session_expired.json", 400, error_from("token_expired")),
    ("error_190_463_session_expired_real.json", 400, error_from("token_expired")),
    ("error_1_99_unknown_500.json", 500, error_from("server_error")),
    ("error_1_reduce_amount_of_data_500.json", 500, error_from("reduce_data")),
    ("error_1_reduce_amount_of_data_real.json", 500, error_from("reduce_data", "insights")),
    ("error_200_requires_business_management_403.json", 403, error_from("permission")),
    ("error_2_service_temporarily_unavailable.json", 400, error_from("transient")),
    ("error_4_application_request_limit_real.json", 400, error_from("rate_limit_app")),
    (
        "error_80000_2446079_too_many_calls_ad_account.json",
        400,
        error_from("rate_limit_insights", "insights"),
    ),
    ("error_80004_2446079_too_many_calls_ad_account_real.json", 400, error_from("rate_limit_account")),
    (
        "error_3018_start_date_beyond_37_months.json",
        400,
        error_from(None, "insights", {"time_range": '{"since":"2023-01-01","until":"2023-01-02"}'}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.fixture for c in CASES])
def test_payload_shapes(meta: Graph, world: World, sandbox: SandboxClient, case: Case) -> None:
    actual = case.fetch(meta, world, sandbox)
    expected = case.pick(fixture(case.fixture.partition("[")[0]))
    records = actual if isinstance(actual, list) else [actual]  # rows answer a one-row payload
    assert records
    problems = compare(expected, records, case)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("name", "status", "fetch"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_payload_shapes(
    meta: Graph, world: World, sandbox: SandboxClient, name: str, status: int, fetch
) -> None:
    response = fetch(meta, world, sandbox)
    assert response.status_code == status
    expected = fixture(name)
    case = Case(name, fetch, extra_ok=FBTRACE)
    assert compare(expected, [response.json()], case) == []
    assert response.json()["error"]["code"] == expected["error"]["code"]
    assert response.json()["error"].get("error_subcode") == expected["error"].get("error_subcode")


def test_async_running_then_not_ready_matches_the_sdk_capture(meta: Graph, sandbox: SandboxClient) -> None:
    """async_report_run_running_and_completed_sdk_repr.txt: Job Running at 100 %, then 2601 on fetch."""
    capture = (FIXTURES / "async_report_run_running_and_completed_sdk_repr.txt").read_text()
    assert '"async_status": "Job Running"' in capture and '"code": 2601' in capture
    sandbox.settings(meta_job_seconds=0.5)
    try:
        run_id = meta.post(f"act_{meta.accounts[0]}/insights", fields='["spend"]').json()["report_run_id"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            body = meta.get(f"{run_id}/").json()
            if body["async_percent_completion"] == 100:
                break
            time.sleep(0.01)
        assert body["async_status"] == "Job Running"
        assert meta.get(f"{run_id}/insights").json()["error"]["error_subcode"] == 1815107
    finally:
        sandbox.settings(meta_job_seconds=0.3)


def test_usage_header_shapes_match_the_captures(meta: Graph) -> None:
    account = meta.accounts[0]
    response = meta.get(f"act_{account}/insights", fields="spend")
    [captured] = fixture("headers_x_business_use_case_usage_restfb.json").values()
    served = json.loads(response.headers["x-business-use-case-usage"])[account]
    # Keyed by the ad account; Meta's docs sample adds ads_api_access_tier to each entry, as served here.
    assert compare(captured[0], [served[0]], Case("headers", lambda *_: None), "buc") == []
    throttle = json.loads(response.headers["x-fb-ads-insights-throttle"])
    assert {"app_id_util_pct", "acc_id_util_pct"} <= set(throttle)
    app_usage = json.loads(response.headers["x-app-usage"])
    assert set(app_usage) == {"call_count", "total_time", "total_cputime"}
    assert set(json.loads(response.headers["x-ad-account-usage"])) == {
        "acc_id_util_pct",
        "reset_time_duration",
        "ads_api_access_tier",
    }
