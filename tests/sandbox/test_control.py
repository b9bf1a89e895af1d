from __future__ import annotations

import json
import time

import requests

from ads_kit.sandbox.world import REPORTING_DELAY_MINUTES


def _token(server, platform: str = "meta", key: str = "access_token") -> str:
    return server.connection["platforms"][platform][key]


def _me(server, token: str) -> tuple[int, dict]:
    response = server.http.get(server.url("meta", "/v1/me"), params={"access_token": token}, timeout=5)
    return response.status_code, response.json()


def test_connection_holds_credentials_and_accounts_per_platform(echo_sandbox):
    meta = echo_sandbox.connection["platforms"]["meta"]
    assert meta["access_token"].startswith("EAA") and meta["api_version"] == "v26.0"
    assert meta["token_url"] == meta["base_url"] + "/v26.0/oauth/access_token"
    assert meta["accounts"] == [a.id for a in echo_sandbox.world.accounts("meta")]
    assert set(echo_sandbox.connection["platforms"]) == {"meta", "tiktok"}  # only platforms with plug-ins
    assert _me(echo_sandbox, meta["access_token"]) == (200, {"accounts": meta["accounts"]})


def test_request_log_and_stats_never_hold_a_token(echo_sandbox):
    token = _token(echo_sandbox)
    echo_sandbox.http.get(
        echo_sandbox.url("meta", "/v1/accounts/42/items"),
        params={"access_token": token, "client_secret": "hush", "fields": "id"},
        timeout=5,
    )
    log = echo_sandbox.control("GET", "/log", params={"platform": "meta"}).json()
    assert log[0]["path"] == "/v1/accounts/42/items?access_token=REDACTED&client_secret=REDACTED&fields=id"
    assert log[0]["account"] == "42" and log[0]["route"] == "items" and log[0]["status"] == 200
    everything = json.dumps(log) + echo_sandbox.control("GET", "/stats").text
    assert token not in everything and "hush" not in everything


def test_stats_count_per_platform_route_account_and_status(echo_sandbox):
    for account in ("1", "1", "2"):
        echo_sandbox.http.get(echo_sandbox.url("tiktok", f"/v1/accounts/{account}/items"), timeout=5)
    echo_sandbox.http.get(echo_sandbox.url("tiktok", "/v1/nowhere"), timeout=5)
    stats = echo_sandbox.control("GET", "/stats").json()
    assert stats["calls"]["tiktok"]["items"] == {
        "total": 3,
        "accounts": {"1": 2, "2": 1},
        "statuses": {"200": 3},
    }
    assert stats["calls"]["tiktok"]["unmatched"]["statuses"] == {"404": 1}
    assert stats["totals"] == {"tiktok": 4}
    assert len(echo_sandbox.control("GET", "/log", params={"limit": 2}).json()) == 2


def test_settings_reach_emulators_and_unknown_keys_are_refused(echo_sandbox):
    assert echo_sandbox.control("POST", "/settings", json={"echo_greeting": "hi"}).status_code == 200
    assert (
        echo_sandbox.http.get(echo_sandbox.url("meta", "/v1/insights"), timeout=5).json()["greeting"] == "hi"
    )
    refused = echo_sandbox.control("POST", "/settings", json={"echo_greting": "typo"})
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("unknown setting 'echo_greting'")
    wrong_type = echo_sandbox.control("POST", "/settings", json={"job_seconds": "soon"})
    assert wrong_type.status_code == 400 and "'job_seconds'" in wrong_type.json()["error"]
    assert echo_sandbox.control("GET", "/stats").json()["settings"] == {"echo_greeting": "hi"}


def test_tightened_limits_deny_and_are_counted(echo_sandbox):
    echo_sandbox.control("POST", "/settings", json={"limits": {"meta": {"app": ["2/minute"]}}})
    statuses = [
        echo_sandbox.http.get(echo_sandbox.url("meta", "/v1/insights"), timeout=5).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    stats = echo_sandbox.control("GET", "/stats").json()
    assert stats["rate_limited"] == {"meta": 1} and stats["limit_rejections"] == {"meta": {"app": 1}}


def test_advance_moves_the_instant_and_rejects_bad_steps(echo_sandbox):
    # The in-process world is pinned at 2026-11-25T12:00Z (conftest.NOW).
    advanced = echo_sandbox.control("POST", "/advance", json={"days": 3}).json()
    assert advanced == {"now": "2026-11-28T12:00:00+00:00"}
    assert echo_sandbox.control("POST", "/advance", json={"hours": 13}).json() == {
        "now": "2026-11-29T01:00:00+00:00"
    }
    moved = echo_sandbox.control("POST", "/advance", json={"to": "2026-11-30T23:30:00Z"}).json()
    assert moved == {"now": "2026-11-30T23:30:00+00:00"}
    stats = echo_sandbox.control("GET", "/stats").json()
    assert stats["now"] == "2026-11-30T23:30:00+00:00" and stats["pinned"] is True
    assert stats["origin"] == "2026-11-25"
    for bad, named in (
        ({"days": 0}, "'days' or 'hours'"),
        ({"days": "2"}, "'days'"),
        ({"days": True}, "'days'"),
        ({"hours": -1}, "'hours'"),
        ({"weeks": 1}, "'to'"),
        ({"to": "2026-11-01T00:00:00Z"}, "only moves forward"),
        ({"to": "2026-12-01T00:00:00"}, "no UTC offset"),
    ):
        response = echo_sandbox.control("POST", "/advance", json=bad)
        assert response.status_code == 400 and named in response.json()["error"], (bad, response.json())
    assert echo_sandbox.control("POST", "/advance", data="not json").json() == {
        "error": "request body must be JSON"
    }


def test_reset_clears_counters_log_and_faults(echo_sandbox):
    echo_sandbox.control("POST", "/faults", json={"platform": "meta", "kind": "error", "name": "x"})
    echo_sandbox.http.get(echo_sandbox.url("meta", "/v1/insights"), timeout=5)
    echo_sandbox.control("POST", "/reset", json={})
    stats = echo_sandbox.control("GET", "/stats").json()
    assert stats["calls"] == {} and stats["faults_applied"] == {}
    assert (
        echo_sandbox.control("GET", "/log").json() == []
        and echo_sandbox.control("GET", "/faults").json() == []
    )
    assert echo_sandbox.http.get(echo_sandbox.url("meta", "/v1/insights"), timeout=5).status_code == 200


def test_reset_restores_the_settings_the_sandbox_started_with(make_echo_sandbox):
    started = {"limits": {"meta": {"app": ["3/minute"]}}, "token_lifetime_s": 60, "echo_greeting": "hi"}
    server = make_echo_sandbox(settings=started)
    changed = {
        "limits": {"meta": {"app": ["1/minute"]}, "tiktok": {"app": ["1/minute"]}},
        "token_lifetime_s": 5,
        "reporting_delay_minutes": {"meta": 999},
        "echo_greeting": "changed",
    }
    assert server.control("POST", "/settings", json=changed).ok
    assert server.world.reporting_delay["meta"] == 999

    assert server.control("POST", "/reset", json={}).ok
    assert server.control("GET", "/stats").json()["settings"] == started
    assert server.sandbox.ctx.tokens.lifetime == 60
    assert server.world.reporting_delay == REPORTING_DELAY_MINUTES

    def statuses(platform: str, calls: int) -> list[int]:
        url = server.url(platform, "/v1/insights")
        return [server.http.get(url, timeout=5).status_code for _ in range(calls)]

    assert statuses("meta", 4) == [200, 200, 200, 429]  # the starting 3/minute, not 1/minute
    assert statuses("tiktok", 2) == [200, 200]  # the tiktok rule came after the start: gone
    assert server.http.get(server.url("tiktok", "/v1/insights"), timeout=5).json()["greeting"] == "hi"


def test_tokens_expire_and_revoke_through_the_control_api(echo_sandbox):
    access, refresh = _token(echo_sandbox), _token(echo_sandbox, key="refresh_token")
    assert echo_sandbox.control("POST", "/tokens/expire", json={"platform": "meta", "token": access}).ok
    assert _me(echo_sandbox, access) == (401, {"error": "expired"})
    tiktok = _token(echo_sandbox, "tiktok")
    echo_sandbox.control("POST", "/tokens/revoke", json={"platform": "tiktok", "token": tiktok})
    status = echo_sandbox.http.get(
        echo_sandbox.url("tiktok", "/v1/me"), params={"access_token": tiktok}, timeout=5
    )
    assert (status.status_code, status.json()) == (401, {"error": "revoked"})
    unknown = echo_sandbox.control(
        "POST", "/tokens/revoke", json={"platform": "meta", "token": "EAAsecretish"}
    )
    assert unknown.status_code == 400 and "EAAsecretish" not in unknown.text
    assert echo_sandbox.control("POST", "/tokens/revoke", json={"platform": "meta", "token": refresh}).ok
    assert echo_sandbox.control("POST", "/tokens/expire", json={"token": access}).status_code == 400


def test_token_lifetime_setting_applies_to_new_tokens(sandbox):
    meta = sandbox.platform("meta")
    app = {"client_id": meta["client_id"], "client_secret": meta["client_secret"]}

    def new_token() -> dict:
        """A fresh token from the OAuth endpoint (Meta's fb_exchange_token grant)."""
        params = {**app, "grant_type": "fb_exchange_token", "fb_exchange_token": meta["access_token"]}
        return requests.get(meta["token_url"], params=params, timeout=10).json()

    def debug(token: str) -> dict:
        params = {"input_token": token, "access_token": f"{app['client_id']}|{app['client_secret']}"}
        return requests.get(f"{meta['base_url']}/v26.0/debug_token", params=params, timeout=10).json()["data"]

    earlier = new_token()
    try:
        sandbox.settings(token_lifetime_s=5)
        short = new_token()
        sandbox.settings(token_lifetime_s=0.000001)
        expired = new_token()
    finally:
        sandbox.settings(token_lifetime_s=3600)
    assert 4 <= short["expires_in"] <= 5  # as the token endpoint reports it, rounded to seconds
    assert debug(short["access_token"])["is_valid"] is True
    # A token whose lifetime has passed is refused.
    refused = debug(expired["access_token"])
    assert refused["is_valid"] is False and refused["error"]["subcode"] == 463
    # Tokens issued before the setting keep their lifetime.
    assert earlier["expires_in"] > 5
    assert debug(earlier["access_token"])["expires_at"] - time.time() > 5


def test_settings_must_be_an_object(echo_sandbox):
    response = echo_sandbox.control("POST", "/settings", json=[1])
    assert (
        response.status_code == 400 and response.json()["error"] == "settings must be a JSON object, got list"
    )
