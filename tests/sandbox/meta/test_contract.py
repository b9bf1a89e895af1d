"""Contract: every real Meta response payload in tests/fixtures/meta is reproduced in shape.

For each payload the emulator is asked the matching request (same fields, breakdowns, level), and the
payload's keys (recursively) must all be in the answer with the same JSON type. A record (the object,
a page's row, an error) may hold extra keys only where a case says why (`extra_ok`); nested objects
and list items of an answer merge every object the emulator returned (all ad sets' targeting, all
action types), so they may hold more keys than one captured object. Keys the emulator does not send
are listed per case with the reason (`skip`). REC payloads went through Airbyte's schema typing,
which turns numeric strings into numbers, so for them a number in the payload also matches a
numeric string (`coerced`).
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


def union(values: list[Any]) -> Any:
    """One shape standing for many values: dicts merged key by key, lists by their items."""
    dicts = [v for v in values if isinstance(v, dict)]
    if dicts:
        keys = {key for d in dicts for key in d}
        return {key: union([d[key] for d in dicts if key in d]) for key in keys}
    lists = [v for v in values if isinstance(v, list)]
    if lists:
        return [union([item for lst in lists for item in lst])] if any(lists) else []
    return {"__types__": {_tag(v) for v in values}, "__values__": values}


@dataclass
class Case:
    fixture: str
    fetch: Callable[[Graph, World, SandboxClient], Any]
    coerced: bool = False
    extra_ok: dict[str, str] = field(default_factory=dict)  # path -> why extra keys are fine there
    skip: dict[str, str] = field(default_factory=dict)  # key -> why the emulator does not send it
    pick: Callable[[Any], Any] = lambda payload: payload


def compare(expected: Any, actual: Any, case: Case, path: str = "") -> list[str]:
    problems: list[str] = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or "__types__" in actual:
            return [f"{path or '<root>'}: expected an object"]
        for key, value in expected.items():
            if key in case.skip:
                continue
            where = f"{path}.{key}" if path else key
            if key not in actual:
                problems.append(f"{where}: missing")
            else:
                problems += compare(value, actual[key], case, where)
        extra = set(actual) - set(expected) - set(case.skip)
        if extra and path in RECORD_PATHS and path not in case.extra_ok:
            problems.append(f"{path or '<root>'}: unexpected keys {sorted(extra)}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list"]
        if expected and actual:
            for item in expected:
                problems += compare(item, actual[0], case, f"{path}[]")
        elif expected and not actual:
            problems.append(f"{path}: empty where the payload has items")
        return problems
    types = actual.get("__types__", set()) if isinstance(actual, dict) else {_tag(actual)}
    wanted = _tag(expected)
    if wanted in types:
        return []
    values = actual.get("__values__", []) if isinstance(actual, dict) else [actual]
    numeric = all(isinstance(v, str) and _is_number(v) for v in values if v is not None)
    if case.coerced and wanted == "number" and "string" in types and numeric:
        return []
    return [f"{path}: payload has a {wanted}, emulator sent {sorted(types)}"]


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
    """An edge read over every Meta account, every status, merged into one shape."""

    def fetch(meta: Graph, world: World, sandbox: SandboxClient) -> Any:
        rule = [{"field": f"{prefix}.effective_status", "operator": "IN", "value": EVERY_STATUS}]
        params = {"filtering": json.dumps(rule)} if prefix in ("campaign", "adset", "ad") else {}
        rows = []
        for account in world.accounts("meta"):
            rows += meta.get_all(f"act_{account.id}/{edge}", fields=",".join(fields), **params)
        return union(rows)

    return fetch


def one_item_page(edge: str, prefix: str, fields: list[str]) -> Callable[..., Any]:
    merged = every_account_edge(edge, prefix, fields)
    return lambda meta, world, sandbox: {"data": [merged(meta, world, sandbox)]}


def account_node(fields: list[str]) -> Callable[..., Any]:
    return lambda meta, world, sandbox: union(
        [meta.get(f"act_{a}/", fields=",".join(fields)).json() for a in meta.accounts]
    )


def insights(params: dict[str, Any], limit: int = 500) -> Callable[..., Any]:
    def fetch(meta: Graph, world: World, sandbox: SandboxClient) -> Any:
        body = meta.get(f"act_{meta.accounts[0]}/insights", limit=limit, **params).json()
        assert "data" in body, body
        return {**body, "data": [union(body["data"])]}

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
        return union(rows)

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
        every_account_edge("adcreatives", "adcreative", keys_of("adcreative_object_airbyte_record.json")),
        coerced=True,
    ),
    Case(
        "ads_list_page.json",
        one_item_page("ads", "ad", keys_of("ads_list_page.json")),
        extra_ok={"data[].targeting": "targeting_automation, as in the captured ad set page"},
    ),
    Case(
        "adset_object_airbyte_record.json",
        every_account_edge("adsets", "adset", keys_of("adset_object_airbyte_record.json")),
        coerced=True,
        extra_ok={"targeting": "targeting_automation, as in the captured ad set page"},
    ),
    Case(
        "adsets_list_page.json",
        one_item_page("adsets", "adset", keys_of("adsets_list_page.json")),
        coerced=True,  # Airbyte's mock typed budgets and bid_amount as numbers
        extra_ok={"data[].targeting": "the union of every ad set's targeting (custom audiences, placements)"},
    ),
    Case(
        "campaign_object_airbyte_record.json",
        every_account_edge("campaigns", "campaign", keys_of("campaign_object_airbyte_record.json")),
        coerced=True,
    ),
    Case(
        "campaigns_list_page.json",
        one_item_page("campaigns", "campaign", keys_of("campaigns_list_page.json")),
        coerced=True,
    ),
    Case(
        "custom_audience_object_airbyte_record.json",
        every_account_edge(
            "customaudiences", "customaudience", keys_of("custom_audience_object_airbyte_record.json")
        ),
        coerced=True,
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
        pick=lambda body: {**body, "data": body["data"][:1]},
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
        lambda meta, world, sandbox: union(
            meta.get_all(
                f"act_{meta.accounts[0]}/insights",
                level="ad",
                fields="ad_id,ctr,frequency,impressions",
                breakdowns="hourly_stats_aggregated_by_advertiser_time_zone",
                time_range=DAY_RANGE,
                limit=500,
            )
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
    if isinstance(actual, list):  # a list of rows answers a single-row payload
        actual = union(actual)
    assert compare(expected, actual, case) == []


@pytest.mark.parametrize(("name", "status", "fetch"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_payload_shapes(
    meta: Graph, world: World, sandbox: SandboxClient, name: str, status: int, fetch
) -> None:
    response = fetch(meta, world, sandbox)
    assert response.status_code == status
    expected = fixture(name)
    case = Case(name, fetch, extra_ok=FBTRACE)
    assert compare(expected, response.json(), case) == []
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
    assert compare(captured[0], served[0], Case("headers", lambda *_: None), "buc") == []
    throttle = json.loads(response.headers["x-fb-ads-insights-throttle"])
    assert {"app_id_util_pct", "acc_id_util_pct"} <= set(throttle)
    app_usage = json.loads(response.headers["x-app-usage"])
    assert set(app_usage) == {"call_count", "total_time", "total_cputime"}
    assert set(json.loads(response.headers["x-ad-account-usage"])) == {
        "acc_id_util_pct",
        "reset_time_duration",
        "ads_api_access_tier",
    }
