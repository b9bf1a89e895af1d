"""The sandbox's OAuth servers speak each platform's wire format and enforce PKCE, codes and revocation."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

REDIRECT = "http://127.0.0.1:9/callback"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize(info: dict, **params: str) -> dict[str, list[str]]:
    query = {"client_id": info["client_id"], "redirect_uri": REDIRECT, "state": "st-1", **params}
    answer = requests.get(info["authorize_url"], params=query, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


@pytest.fixture
def restore_settings(sandbox) -> Iterator[None]:
    yield
    sandbox.settings(oauth_grant_scopes={}, token_lifetime_s=3600)


# -- Meta ---------------------------------------------------------------------------------------------


def _meta_code(info: dict, verifier: str, **params: str) -> str:
    query = _authorize(
        info,
        scope="ads_read,business_management",
        code_challenge=_challenge(verifier),
        code_challenge_method="S256",
    )
    assert query["state"] == ["st-1"]
    return query["code"][0]


def _meta_exchange(info: dict, code: str, verifier: str, secret: str | None = None) -> requests.Response:
    params = {
        "client_id": info["client_id"],
        "client_secret": secret or info["client_secret"],
        "redirect_uri": REDIRECT,
        "code": code,
        "code_verifier": verifier,
    }
    return requests.get(info["token_url"], params=params, timeout=10)


def test_meta_redirect_carries_state_and_the_facebook_fragment(sandbox) -> None:
    info = sandbox.platform("meta")
    answer = requests.get(
        info["authorize_url"],
        params={"client_id": info["client_id"], "redirect_uri": REDIRECT, "state": "abc"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.headers["Location"].endswith("&state=abc#_=_")


def test_meta_code_exchange_with_pkce(sandbox) -> None:
    info, verifier = sandbox.platform("meta"), secrets.token_urlsafe(48)
    answer = _meta_exchange(info, _meta_code(info, verifier), verifier)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"].startswith("EAA")
    assert body["expires_in"] > 0
    debug = requests.get(
        info["base_url"] + "/v26.0/debug_token",
        params={
            "input_token": body["access_token"],
            "access_token": f"{info['client_id']}|{info['client_secret']}",
        },
        timeout=10,
    ).json()["data"]
    assert debug["is_valid"] is True
    assert debug["app_id"] == info["client_id"]
    assert sorted(debug["scopes"]) == ["ads_read", "business_management"]
    assert debug["granular_scopes"][0]["target_ids"] == info["accounts"]


def test_meta_wrong_verifier_is_refused_in_the_graph_envelope(sandbox) -> None:
    info, verifier = sandbox.platform("meta"), secrets.token_urlsafe(48)
    answer = _meta_exchange(info, _meta_code(info, verifier), "another-verifier-" + "x" * 40)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "OAuthException"
    assert error["code"] == 100
    assert "code_verifier" in error["message"]
    assert error["fbtrace_id"]


def test_meta_code_is_single_use(sandbox) -> None:
    info, verifier = sandbox.platform("meta"), secrets.token_urlsafe(48)
    code = _meta_code(info, verifier)
    assert _meta_exchange(info, code, verifier).status_code == 200
    again = _meta_exchange(info, code, verifier)
    assert again.status_code == 400
    assert "used" in again.json()["error"]["message"]


def test_meta_wrong_client_secret_is_refused(sandbox) -> None:
    info, verifier = sandbox.platform("meta"), secrets.token_urlsafe(48)
    answer = _meta_exchange(info, _meta_code(info, verifier), verifier, secret="0" * 32)
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "OAuthException"
    assert "access_token" not in answer.json()


def test_meta_long_lived_exchange_and_expired_token(sandbox) -> None:
    info = sandbox.platform("meta")
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": info["client_id"],
        "client_secret": info["client_secret"],
        "fb_exchange_token": info["access_token"],
    }
    fresh = requests.get(info["token_url"], params=params, timeout=10).json()
    assert fresh["access_token"] != info["access_token"]
    assert fresh["token_type"] == "bearer"

    sandbox.expire_token("meta", fresh["access_token"])
    dead = requests.get(
        info["token_url"], params={**params, "fb_exchange_token": fresh["access_token"]}, timeout=10
    )
    assert dead.status_code == 400
    assert (dead.json()["error"]["code"], dead.json()["error"]["error_subcode"]) == (190, 463)


def test_unknown_client_is_refused_at_authorization(sandbox) -> None:
    info = sandbox.platform("meta")
    answer = requests.get(
        info["authorize_url"],
        params={"client_id": "999", "redirect_uri": REDIRECT, "state": "s"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_granted_scopes_can_be_narrowed(sandbox, restore_settings) -> None:
    sandbox.settings(oauth_grant_scopes={"meta": ["ads_read"]})
    info, verifier = sandbox.platform("meta"), secrets.token_urlsafe(48)
    token = _meta_exchange(info, _meta_code(info, verifier), verifier).json()["access_token"]
    debug = requests.get(
        info["base_url"] + "/v26.0/debug_token",
        params={"input_token": token, "access_token": token},
        timeout=10,
    ).json()["data"]
    assert debug["scopes"] == ["ads_read"]


# -- Google -------------------------------------------------------------------------------------------


def _google_code(info: dict, verifier: str) -> str:
    query = _authorize(
        info,
        response_type="code",
        scope="https://www.googleapis.com/auth/adwords",
        code_challenge=_challenge(verifier),
        code_challenge_method="S256",
        access_type="offline",
    )
    return query["code"][0]


def _google_token(info: dict, **form: str) -> requests.Response:
    form = {"client_id": info["client_id"], "client_secret": info["client_secret"], **form}
    return requests.post(info["token_url"], data=form, timeout=10)


def test_google_code_refresh_and_revoke(sandbox) -> None:
    info, verifier = sandbox.platform("google_ads"), secrets.token_urlsafe(48)
    code = _google_code(info, verifier)
    grant = _google_token(
        info, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    ).json()
    assert grant["token_type"] == "Bearer"
    assert grant["scope"] == "https://www.googleapis.com/auth/adwords"
    assert grant["access_token"].startswith("ya29.")
    assert grant["refresh_token"].startswith("1//")

    refreshed = _google_token(info, grant_type="refresh_token", refresh_token=grant["refresh_token"]).json()
    assert refreshed["access_token"] != grant["access_token"]
    assert "refresh_token" not in refreshed

    assert (
        requests.post(info["revoke_url"], data={"token": grant["refresh_token"]}, timeout=10).status_code
        == 200
    )
    dead = _google_token(info, grant_type="refresh_token", refresh_token=grant["refresh_token"])
    assert dead.status_code == 400
    assert dead.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }


def test_google_wrong_verifier_and_missing_verifier(sandbox) -> None:
    info = sandbox.platform("google_ads")
    for sent in ("wrong-" + "v" * 50, None):
        verifier = secrets.token_urlsafe(48)
        form = {
            "grant_type": "authorization_code",
            "code": _google_code(info, verifier),
            "redirect_uri": REDIRECT,
        }
        if sent:
            form["code_verifier"] = sent
        answer = _google_token(info, **form)
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"


def test_google_redirect_uri_must_match_and_grant_type_must_be_known(sandbox) -> None:
    info, verifier = sandbox.platform("google_ads"), secrets.token_urlsafe(48)
    code = _google_code(info, verifier)
    mismatch = _google_token(
        info, grant_type="authorization_code", code=code, redirect_uri=REDIRECT + "x", code_verifier=verifier
    )
    assert mismatch.json()["error"] == "invalid_grant"
    assert _google_token(info, grant_type="password").json()["error"] == "unsupported_grant_type"


# -- TikTok -------------------------------------------------------------------------------------------


def _tiktok_code(info: dict) -> str:
    query = _authorize({**info, "client_id": info["client_id"]}, app_id=info["client_id"])
    assert query["auth_code"] == query["code"]
    return query["auth_code"][0]


def _tiktok_post(url: str, body: dict) -> dict:
    answer = requests.post(url, json=body, timeout=10)
    assert answer.status_code == 200  # TikTok reports errors in the body, with HTTP 200
    return answer.json()


def test_tiktok_exchange_reuse_and_revoke(sandbox) -> None:
    info = sandbox.platform("tiktok")
    code = _tiktok_code(info)
    body = {"app_id": info["client_id"], "secret": info["client_secret"], "auth_code": code}
    granted = _tiktok_post(info["token_url"], body)
    assert (granted["code"], granted["message"]) == (0, "OK")
    assert granted["request_id"]
    assert granted["data"]["advertiser_ids"] == info["accounts"]
    assert set(granted["data"]["scope"]) >= {4, 100, 200, 210, 220}
    assert len(granted["data"]["access_token"]) == 40

    assert _tiktok_post(info["token_url"], body)["code"] == 40115

    revoke = {
        "app_id": info["client_id"],
        "secret": info["client_secret"],
        "access_token": granted["data"]["access_token"],
    }
    revoked = _tiktok_post(info["revoke_url"], revoke)
    assert revoked["code"] == 0
    assert revoked["data"]["advertiser_ids"] == info["accounts"]
    assert _tiktok_post(info["revoke_url"], revoke)["code"] == 40105


def test_tiktok_bad_secret_and_unknown_code(sandbox) -> None:
    info = sandbox.platform("tiktok")
    bad_secret = {"app_id": info["client_id"], "secret": "0" * 40, "auth_code": _tiktok_code(info)}
    assert _tiktok_post(info["token_url"], bad_secret)["code"] == 40101
    unknown = {"app_id": info["client_id"], "secret": info["client_secret"], "auth_code": "nope"}
    assert _tiktok_post(info["token_url"], unknown)["code"] == 40110
