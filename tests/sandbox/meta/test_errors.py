"""Error envelopes and HTTP statuses, tokens, permissions, versions, quotas and usage headers."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from meta_graph import Graph

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.meta.emulator import MetaEmulator
from ads_kit.sandbox.meta.errors import GraphError, named_error
from ads_kit.sandbox.tokens import TokenRegistry

# name -> (HTTP status, code, subcode)
NAMED = {
    "rate_limit_app": (400, 4, None),
    "rate_limit_user": (400, 17, 2446079),
    "rate_limit_account": (400, 80004, 2446079),
    "rate_limit_insights": (400, 80000, 2446079),
    "too_many_calls": (400, 613, None),
    "server_error": (500, 1, 99),
    "reduce_data": (500, 1, None),
    "transient": (400, 2, None),
    "token_expired": (400, 190, 463),
    "token_invalid": (400, 190, 460),
    "permission": (403, 200, None),
    "missing_permissions": (400, 100, None),
    "unsupported_get": (400, 100, 33),
    "deprecated_version": (400, 2635, None),
    "async_not_ready": (400, 2601, 1815107),
    "retention": (400, 3018, None),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_injected_errors_use_the_real_envelope(meta: Graph, sandbox: SandboxClient, name: str) -> None:
    status, code, subcode = NAMED[name]
    sandbox.add_fault(platform="meta", route="campaigns", kind="error", name=name, calls=[1])
    response = meta.get(f"act_{meta.accounts[0]}/campaigns")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error.get("error_subcode") == subcode
    assert isinstance(error["message"], str) and "\n" not in error["message"]
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    if code in (4, 17, 613, 80000, 80004):
        usage = json.loads(response.headers["x-business-use-case-usage"])[meta.accounts[0]][0]
        assert usage["call_count"] >= 100 and usage["estimated_time_to_regain_access"] >= 1
    assert meta.get(f"act_{meta.accounts[0]}/campaigns").status_code == 200, "the fault fired once"


def test_unknown_fault_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown Meta fault error name 'nope'; known: async_not_ready"):
        named_error("nope", "v27.0")


@pytest.mark.parametrize(
    ("token", "code", "subcode"),
    [(None, 104, None), ("EAAnot-a-real-token", 190, None)],
)
def test_missing_or_unknown_tokens(meta: Graph, token: str | None, code: int, subcode: int | None) -> None:
    params = {"access_token": token} if token else {}
    response = meta.http.get(meta.url("me/adaccounts"), params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error.get("error_subcode")) == (code, subcode)
    assert error["type"] == "OAuthException"


def test_expired_and_revoked_tokens_map_to_190_subcodes() -> None:
    tokens = TokenRegistry(seed=1)
    tokens.register_client("meta", "app", "secret")
    expired = tokens.issue("meta", "app", ["ads_read"], ["1"]).access_token
    revoked = tokens.issue("meta", "app", ["ads_read"], ["1"]).access_token
    tokens.expire("meta", expired)
    tokens.revoke("meta", revoked)
    emulator = MetaEmulator()
    emulator.ctx = type("Ctx", (), {"tokens": tokens})()
    for token, subcode in ((expired, 463), (revoked, 460)):
        with pytest.raises(GraphError) as caught:
            emulator._authenticate(token)
        assert (caught.value.code, caught.value.subcode) == (190, subcode)
        assert token not in caught.value.message


def test_tokens_are_read_from_header_and_form(meta: Graph) -> None:
    for scheme in ("Bearer", "OAuth"):
        response = meta.http.get(
            meta.url("me/adaccounts"), headers={"Authorization": f"{scheme} {meta.token}"}
        )
        assert response.status_code == 200
    account = meta.accounts[0]
    form = meta.http.post(
        meta.url(f"act_{account}/insights"), data={"access_token": meta.token, "fields": "spend"}
    )
    assert form.status_code == 200 and "report_run_id" in form.json()


def test_denied_accounts_fail_alone(meta: Graph, sandbox: SandboxClient) -> None:
    denied, allowed = meta.accounts[1], meta.accounts[0]
    sandbox.settings(meta_denied_accounts=[denied])
    try:
        refused = meta.get(f"act_{denied}/campaigns")
        assert (
            refused.status_code == 400 and refused.json()["error"]["message"] == "(#100) Missing permissions"
        )
        assert meta.get(f"act_{allowed}/campaigns").status_code == 200
        listed = [a["account_id"] for a in meta.get("me/adaccounts").json()["data"]]
        assert denied not in listed and allowed in listed
    finally:
        sandbox.settings(meta_denied_accounts=[])


def test_unknown_objects_answer_unsupported_get(meta: Graph) -> None:
    for path in ("act_123/campaigns", "123456789/"):
        error = meta.get(path).json()["error"]
        assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")


def test_expired_versions_answer_2635_unless_auto_upgraded(meta: Graph, sandbox: SandboxClient) -> None:
    expired = meta.get("me/adaccounts", version="v24.0")
    assert expired.status_code == 400
    assert expired.json()["error"] == {
        "message": "(#2635) You are calling a deprecated version of the Ads API. "
        "Please update to the latest version: v27.0.",
        "type": "OAuthException",
        "code": 2635,
        "fbtrace_id": expired.json()["error"]["fbtrace_id"],
    }
    assert meta.get("me/adaccounts", version="v27.0").headers["facebook-api-version"] == "v27.0"
    sandbox.settings(meta_auto_upgrade_versions=True)
    try:
        upgraded = meta.get("me/adaccounts", version="v19.0")
        assert upgraded.status_code == 200 and upgraded.headers["facebook-api-version"] == "v25.0"
    finally:
        sandbox.settings(meta_auto_upgrade_versions=False)


def test_usage_headers_rise_with_consumption(meta: Graph) -> None:
    account = meta.accounts[0]
    first = meta.get(f"act_{account}/insights", fields="spend")
    for _ in range(5):
        meta.get(f"act_{account}/insights", fields="spend")
    later = meta.get(f"act_{account}/insights", fields="spend")
    for header in (
        "x-app-usage",
        "x-ad-account-usage",
        "x-business-use-case-usage",
        "x-fb-ads-insights-throttle",
    ):
        assert header in later.headers
    assert {"facebook-api-version", "x-fb-trace-id", "x-fb-rev"} <= set(later.headers)
    before = json.loads(first.headers["x-ad-account-usage"])["acc_id_util_pct"]
    after = json.loads(later.headers["x-ad-account-usage"])["acc_id_util_pct"]
    assert after > before
    buc = json.loads(later.headers["x-business-use-case-usage"])[account][0]
    assert buc["type"] == "ads_insights" and buc["estimated_time_to_regain_access"] == 0
    objects = meta.get(f"act_{account}/ads")
    assert json.loads(objects.headers["x-business-use-case-usage"])[account][0]["type"] == "ads_management"
    assert "x-fb-ads-insights-throttle" not in objects.headers


@pytest.mark.parametrize(("path", "code"), [("campaigns", 80004), ("insights", 80000)])
def test_account_quota_denial_uses_buc_codes(
    meta: Graph, sandbox: SandboxClient, path: str, code: int
) -> None:
    sandbox.settings(limits={"meta": {"account": ["3/minute"]}})
    try:
        statuses = [meta.get(f"act_{meta.accounts[2]}/{path}").status_code for _ in range(4)]
        denied = meta.get(f"act_{meta.accounts[2]}/{path}")
    finally:
        sandbox.settings(limits={"meta": {"account": ["100/second", "50000/hour"]}})
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 400
    assert (denied.json()["error"]["code"], denied.json()["error"]["error_subcode"]) == (code, 2446079)
    usage = json.loads(denied.headers["x-ad-account-usage"])
    assert usage["acc_id_util_pct"] >= 100 and usage["reset_time_duration"] > 0
    assert sandbox.stats()["limit_rejections"]["meta"]["account"] >= 2


def test_app_quota_denial_is_code_4(meta: Graph, sandbox: SandboxClient) -> None:
    sandbox.settings(limits={"meta": {"app": ["2/minute"]}})
    try:
        responses = [meta.get("me/adaccounts") for _ in range(3)]
    finally:
        sandbox.settings(limits={"meta": {"app": ["500/second", "200000/hour"]}})
    assert [r.status_code for r in responses] == [200, 200, 400]
    assert responses[2].json()["error"]["code"] == 4
    assert json.loads(responses[2].headers["x-app-usage"])["call_count"] >= 100


def test_appsecret_proof_is_checked_when_sent(meta: Graph, sandbox: SandboxClient) -> None:
    """Graph checks a sent appsecret_proof: HMAC-SHA256 of the token keyed with the app secret."""
    secret = sandbox.platform("meta")["client_secret"]
    right = hmac.new(secret.encode(), meta.token.encode(), hashlib.sha256).hexdigest()
    wrong = hmac.new(b"another app secret", meta.token.encode(), hashlib.sha256).hexdigest()
    assert meta.get("me/adaccounts", appsecret_proof=right).status_code == 200
    assert meta.get("me/adaccounts").status_code == 200  # not required unless the app demands it
    refused = meta.get("me/adaccounts", appsecret_proof=wrong)
    assert refused.status_code == 400
    assert refused.json()["error"] | {"fbtrace_id": None} == {
        "message": "Invalid appsecret_proof provided in the API argument",
        "type": "GraphMethodException",
        "code": 100,
        "fbtrace_id": None,
    }
    # A batch carries the proof of its outer request for items using its token.
    batch = meta.http.post(
        meta.base_url + "/",
        params={"access_token": meta.token, "appsecret_proof": wrong},
        data={"batch": json.dumps([{"method": "GET", "relative_url": "v26.0/me/adaccounts"}])},
        timeout=30,
    )
    assert json.loads(batch.json()[0]["body"])["error"]["message"].startswith("Invalid appsecret_proof")
