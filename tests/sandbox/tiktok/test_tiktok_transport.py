"""Transport: the envelope, paths, the Access-Token header, JSON-in-query parameters, paging and
page-size caps, unknown parameters, and every named fault."""

from __future__ import annotations

import re

import pytest
import requests
from tiktok_api import API, TikTok, narrowed_token, settings

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.tiktok.errors import NAMED_ERRORS, named_error
from ads_kit.sandbox.world import World

REQUEST_ID = re.compile(r"[0-9]{14}[0-9A-F]{20}")


def test_success_envelope_carries_a_request_id_from_the_world_clock(tiktok: TikTok) -> None:
    response = tiktok.get("campaign/get/", advertiser_id=tiktok.accounts[0])
    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (200, 0, "OK")
    assert list(body) == ["code", "message", "request_id", "data"]
    assert REQUEST_ID.fullmatch(body["request_id"]) and body["request_id"].startswith("20261125120000")
    assert response.headers["X-Tt-Logid"] == body["request_id"]
    assert set(body["data"]) == {"list", "page_info"}


def test_errors_are_http_200_with_empty_data(tiktok: TikTok) -> None:
    body = tiktok.error("campaign/get/")  # advertiser_id missing
    assert body["code"] == 40002 and body["message"] == "advertiser_id: Missing data for required field."
    assert REQUEST_ID.fullmatch(body["request_id"])


def test_paths_need_their_trailing_slash_and_the_right_method(tiktok: TikTok) -> None:
    headers = {"Access-Token": tiktok.token}
    for path in (API + "campaign/get", "/open_api/v1.2/reports/integrated/get/", API + "nowhere/"):
        missing = tiktok.http.get(tiktok.base_url + path, headers=headers, timeout=10)
        assert missing.status_code == 404 and not missing.headers["Content-Type"].startswith(
            "application/json"
        )
    assert (
        tiktok.http.post(tiktok.url("campaign/get/"), json={}, headers=headers, timeout=10).status_code == 405
    )
    assert tiktok.http.get(tiktok.url("report/task/create/"), headers=headers, timeout=10).status_code == 405


def test_the_token_goes_in_the_access_token_header(tiktok: TikTok) -> None:
    url, params = tiktok.url("campaign/get/"), {"advertiser_id": tiktok.accounts[0]}
    missing = requests.get(url, params=params, timeout=10).json()
    assert missing["code"] == 40104
    assert (
        missing["message"] == "Access token is null, you should set it in http header with key Access-Token."
    )
    # Not in the query (the official yml's declaration is a spec bug, §1.2), nor as a bearer token.
    in_query = requests.get(url, params={**params, "Access-Token": tiktok.token}, timeout=10).json()
    bearer = requests.get(url, params=params, headers={"Authorization": f"Bearer {tiktok.token}"}, timeout=10)
    assert in_query["code"] == bearer.json()["code"] == 40104
    assert tiktok.get("campaign/get/", token="0" * 40, **params).json()["code"] == 40105


def test_revoked_and_expired_tokens(tiktok: TikTok, sandbox: SandboxClient) -> None:
    revoked, expired = narrowed_token(sandbox, ["200"]), narrowed_token(sandbox, ["200"])
    params = {"advertiser_id": tiktok.accounts[0]}
    assert tiktok.get("campaign/get/", token=revoked, **params).json()["code"] == 0
    sandbox.revoke_token("tiktok", revoked)
    sandbox.expire_token("tiktok", expired)
    assert tiktok.get("campaign/get/", token=revoked, **params).json()["code"] == 40105
    assert tiktok.get("campaign/get/", token=expired, **params).json()["code"] == 40102


def test_a_token_without_the_endpoint_scope_is_40001(tiktok: TikTok, sandbox: SandboxClient) -> None:
    reporting_only = narrowed_token(sandbox, ["4"])
    account = tiktok.accounts[0]
    refused = tiktok.get("ad/get/", token=reporting_only, advertiser_id=account).json()
    assert (refused["code"], refused["message"]) == (
        40001,
        "Permission error: The access token lacks the required scope for endpoint.",
    )
    report = {"report_type": "BASIC", "data_level": "AUCTION_ADVERTISER", "dimensions": '["advertiser_id"]'}
    allowed = tiktok.get("report/integrated/get/", token=reporting_only, advertiser_id=account, **report)
    assert allowed.json()["code"] == 40002  # past the scope check: the dates are missing


def test_unknown_and_denied_advertisers_are_40001_alone(tiktok: TikTok, sandbox: SandboxClient) -> None:
    denied, allowed = tiktok.accounts[1], tiktok.accounts[0]
    unknown = tiktok.error("campaign/get/", advertiser_id="7000000000000000000")
    assert unknown["message"] == "advertiser 7000000000000000000 doesn't exist or has been deleted."
    with settings(sandbox, tiktok_denied_accounts=[denied]):
        refused = tiktok.error("campaign/get/", advertiser_id=denied)
        assert refused["code"] == 40001 and denied in refused["message"]
        assert tiktok.data("campaign/get/", advertiser_id=allowed)["list"]
        listed = tiktok.data("oauth2/advertiser/get/", app_id=tiktok.app_id, secret=tiktok.secret)["list"]
        assert [a["advertiser_id"] for a in listed] == [a for a in tiktok.accounts if a != denied]
        assert tiktok.error("advertiser/info/", advertiser_ids=[allowed, denied])["code"] == 40001
    assert sandbox.calls("tiktok", "campaign_get", denied) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"filters": '{"primary_status": "STATUS_ALL"}'}, "filters: Unknown field."),  # v1.2's name, §3.5
        ({"filtering": '{"primary_status": STATUS_ALL}'}, "filtering: Not a valid JSON string."),
        ({"filtering": '["STATUS_ALL"]'}, "filtering: Not a valid object."),
        ({"fields": '["campaign_id", 7]'}, "fields: Every item must be a non-empty string."),
        ({"filtering": '{"campaign_ids": [1714125042508817]}'}, "filtering.campaign_ids: Every item"),
        ({"filtering": '{"status": "STATUS_ALL"}'}, "filtering.status: Unknown field."),
        ({"page": "0"}, "page: Must be at least 1."),
        ({"page_size": "ten"}, "page_size: Not a valid integer."),
    ],
)
def test_parameters_are_json_in_the_query_and_never_ignored(
    tiktok: TikTok, params: dict, message: str
) -> None:
    body = tiktok.error("campaign/get/", advertiser_id=tiktok.accounts[0], **params)
    assert body["code"] == 40002 and body["message"].startswith(message)


REPORT = {
    "report_type": "BASIC",
    "data_level": "AUCTION_AD",
    "dimensions": ["ad_id", "stat_time_day"],
    "start_date": "2026-11-20",
    "end_date": "2026-11-21",
}


@pytest.mark.parametrize(
    ("path", "cap", "extra"),
    [
        ("campaign/get/", 1000, {}),
        ("ad/get/", 1000, {}),
        ("report/integrated/get/", 1000, REPORT),
        ("dmp/custom_audience/list/", 100, {}),
        ("pixel/list/", 20, {}),
    ],
)
def test_page_size_caps(tiktok: TikTok, path: str, cap: int, extra: dict) -> None:
    params = {"advertiser_id": tiktok.accounts[0], **extra}
    assert tiktok.data(path, page_size=cap, **params)["page_info"]["page_size"] == cap
    for size in (cap + 1, 0):
        body = tiktok.error(path, page_size=size, **params)
        assert (body["code"], body["message"]) == (40002, f"page_size: Must be between 1 and {cap}.")
    assert tiktok.data(path, **params)["page_info"]["page_size"] == 10  # §1.4: default 10 everywhere


def test_pages_split_the_list_and_say_how_many_there_are(tiktok: TikTok, world: World) -> None:
    account = tiktok.accounts[0]
    everything = {"advertiser_id": account, "filtering": {"primary_status": "STATUS_ALL"}}
    pages = [tiktok.data("ad/get/", page=n, page_size=5, **everything) for n in range(1, 7)]
    ads = sorted((ad.id for ad in world.ads(account)), key=int, reverse=True)  # §1.4: id descending
    assert [item["ad_id"] for page in pages[:5] for item in page["list"]] == ads
    assert pages[0]["page_info"] == {"page": 1, "page_size": 5, "total_number": 24, "total_page": 5}
    assert pages[5] == {
        "list": [],
        "page_info": {"page": 6, "page_size": 5, "total_number": 24, "total_page": 5},
    }


def test_an_empty_list_has_the_configured_total_page(tiktok: TikTok, sandbox: SandboxClient) -> None:
    params = {"advertiser_id": tiktok.accounts[0], "filtering": {"campaign_ids": ["1"]}}
    empty = tiktok.data("campaign/get/", **params)
    assert empty == {
        "list": [],
        "page_info": {"page": 1, "page_size": 10, "total_number": 0, "total_page": 0},
    }
    with settings(sandbox, tiktok_empty_total_page=1):
        assert tiktok.data("campaign/get/", **params)["page_info"]["total_page"] == 1


def test_post_bodies_are_json_objects(tiktok: TikTok) -> None:
    url, headers = tiktok.url("report/task/create/"), {"Access-Token": tiktok.token}
    form = tiktok.http.post(url, data={"advertiser_id": tiktok.accounts[0]}, headers=headers, timeout=10)
    listed = tiktok.http.post(url, json=[tiktok.accounts[0]], headers=headers, timeout=10)
    assert form.json()["code"] == listed.json()["code"] == 40000
    unknown = tiktok.post("report/task/create/", {"advertiser_id": tiktok.accounts[0], "lifetime": True})
    assert unknown.json()["message"] == "lifetime: Unknown field."  # v1.2's name (§3.1)


def test_user_info_answers_get_and_post(tiktok: TikTok) -> None:
    got = tiktok.data("user/info/")
    posted = tiktok.http.post(
        tiktok.url("user/info/"), headers={"Access-Token": tiktok.token}, timeout=10
    ).json()
    assert posted["data"] == got
    assert set(got) == {"core_user_id", "display_name", "email", "create_time", "avatar_url"}
    # singer-io tap-tiktok-ads checks its token on `user/info` without the slash (§1.1), in production.
    bare = tiktok.http.get(tiktok.url("user/info"), headers={"Access-Token": tiktok.token}, timeout=10)
    assert bare.json()["data"] == got


NAMED_CODES = {
    "qps_limit": 40100,
    "rate_limit": 40100,
    "qpm_limit": 40100,
    "advertiser_qps_limit": 40133,
    "too_frequent": 40016,
    "server_error": 50000,
    "token_missing": 40104,
    "token_invalid": 40105,
    "token_revoked": 40105,
    "token_expired": 40102,
    "permission": 40001,
    "advertiser_unknown": 40001,
    "invalid_parameter": 40002,
    "query_too_large": 40067,
    "task_error": 40200,
    "task_not_ready": 40201,
    "write_conflict": 40202,
    "internal_validation": 40700,
    "internal_error": 50002,
    "service_error": 51008,
    "service_timeout": 51001,
    "maintenance": 60001,
}


def test_every_named_error_has_a_code() -> None:
    assert set(NAMED_CODES) | {"gateway_timeout"} == set(NAMED_ERRORS)
    with pytest.raises(
        ValueError, match="unknown TikTok fault error name 'nope'; known: advertiser_qps_limit"
    ):
        named_error("nope")


@pytest.mark.parametrize("name", sorted(NAMED_CODES))
def test_named_faults_answer_http_200_envelopes_once(
    tiktok: TikTok, sandbox: SandboxClient, name: str
) -> None:
    sandbox.add_fault(platform="tiktok", route="campaign_get", kind="error", name=name, calls=[1])
    account = tiktok.accounts[0]
    body = tiktok.error("campaign/get/", advertiser_id=account)
    assert body["code"] == NAMED_CODES[name] and REQUEST_ID.fullmatch(body["request_id"])
    if name == "advertiser_qps_limit":
        assert body["message"].startswith(f"Advertiser ({account})'s QPS")
    if name == "qpm_limit":  # the QPM fault also starts the lockout (test_tiktok_limits)
        sandbox.reset()
    assert tiktok.data("campaign/get/", advertiser_id=account)["list"], "the fault fired once"


def test_gateway_timeout_is_an_html_504(tiktok: TikTok, sandbox: SandboxClient) -> None:
    sandbox.add_fault(platform="tiktok", route="report_integrated_get", kind="error", name="gateway_timeout")
    response = tiktok.get("report/integrated/get/", advertiser_id=tiktok.accounts[0], **REPORT)
    assert response.status_code == 504 and response.headers["Content-Type"].startswith("text/html")
    assert "504 Gateway Time-out" in response.text
    with pytest.raises(ValueError):
        response.json()


def test_oauth_routes_take_tiktoks_named_faults(tiktok: TikTok, sandbox: SandboxClient) -> None:
    info = sandbox.platform("tiktok")
    sandbox.add_fault(platform="tiktok", route="oauth_token", kind="error", name="qps_limit", calls=[1])
    sandbox.add_fault(platform="tiktok", route="oauth_token", kind="error", name="gateway_timeout", calls=[2])
    body = {"app_id": info["client_id"], "secret": info["client_secret"], "auth_code": "x"}
    limited = requests.post(info["token_url"], json=body, timeout=10)
    assert limited.status_code == 200
    assert (limited.json()["code"], limited.json()["message"]) == (40100, "App reaches the QPS limit.")
    assert REQUEST_ID.fullmatch(limited.json()["request_id"])
    gateway = requests.post(info["token_url"], json=body, timeout=10)
    assert gateway.status_code == 504 and gateway.headers["Content-Type"].startswith("text/html")
    assert requests.post(info["token_url"], json=body, timeout=10).json()["code"] == 40110  # unknown code
