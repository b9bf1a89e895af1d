"""`ads-auth login/status/logout` end to end against the sandbox's OAuth servers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ads_kit.auth import flow, grants
from ads_kit.auth.cli import main
from ads_kit.auth.store import TokenStore


@pytest.fixture
def store_path(tmp_path: Path, token_key: str) -> Path:
    return tmp_path / "tokens.enc"


@pytest.fixture
def restore_settings(sandbox) -> Iterator[None]:
    yield
    sandbox.settings(oauth_grant_scopes={}, token_lifetime_s=3600)


def ads_auth(capsys, store_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--store", str(store_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def login(capsys, sandbox, store_path: Path, platform: str, *extra: str) -> tuple[int, str, str]:
    return ads_auth(
        capsys,
        store_path,
        "login",
        platform,
        "--sandbox",
        str(sandbox.connection_file),
        "--auto-approve",
        *extra,
    )


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ads-auth: error: ")
    return lines[0]


def debug_token(sandbox, token: str) -> dict:
    info = sandbox.platform("meta")
    app_token = f"{info['client_id']}|{info['client_secret']}"
    return requests.get(
        f"{info['base_url']}/v26.0/debug_token",
        params={"input_token": token, "access_token": app_token},
        timeout=10,
    ).json()["data"]


def test_meta_login_stores_a_working_grant_and_prints_no_secret(sandbox, store_path, capsys) -> None:
    code, out, err = login(capsys, sandbox, store_path, "meta")
    assert code == 0, err
    entry = TokenStore(store_path).get("meta_ads")
    assert set(entry.scopes) >= {"ads_read", "business_management"}
    assert entry.accounts == sandbox.platform("meta")["accounts"]
    assert entry.client_secret == sandbox.platform("meta")["client_secret"]
    assert debug_token(sandbox, entry.access_token)["is_valid"] is True
    for secret in (entry.access_token, entry.client_secret):
        assert secret not in out + err
    # The authorization request carried a PKCE challenge (the verifier never travels in it).
    authorize = sandbox.log(platform="meta", route="oauth_authorize")[-1]
    assert "code_challenge_method=S256" in authorize["path"]
    assert "scope=ads_read%2Cbusiness_management" in authorize["path"]  # Facebook's comma list

    code, out, _ = ads_auth(capsys, store_path, "status")
    assert code == 0
    assert out.startswith("meta_ads/default: accounts: ")
    assert entry.access_token not in out


def test_meta_login_lists_the_ad_accounts_the_user_reaches(sandbox, store_path, capsys) -> None:
    everything = sandbox.platform("meta")["accounts"]
    sandbox.settings(meta_denied_accounts=everything[:1])
    try:
        code, _, err = login(capsys, sandbox, store_path, "meta")
    finally:
        sandbox.settings(meta_denied_accounts=[])
    assert code == 0, err
    assert TokenStore(store_path).get("meta_ads").accounts == everything[1:]


def test_login_that_reaches_no_account_warns_in_one_line(sandbox, store_path, capsys, caplog) -> None:
    sandbox.settings(meta_denied_accounts=sandbox.platform("meta")["accounts"])
    try:
        code, _, err = login(capsys, sandbox, store_path, "meta")
    finally:
        sandbox.settings(meta_denied_accounts=[])
    assert code == 0, err
    assert TokenStore(store_path).get("meta_ads").accounts == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["meta_ads: the grant reaches no ad accounts; set the account ids in the tap config"]


def test_google_login_keeps_the_refresh_token(sandbox, store_path, capsys) -> None:
    code, _, err = login(capsys, sandbox, store_path, "google_ads", "--login", "agency")
    assert code == 0, err
    entry = TokenStore(store_path).get("google_ads", "agency")
    assert entry.refresh_token.startswith("1//")
    assert entry.scopes == ["https://www.googleapis.com/auth/adwords"]
    assert entry.expires_at is not None


def test_tiktok_login_records_the_advertisers_of_the_grant(sandbox, store_path, capsys) -> None:
    code, _, err = login(capsys, sandbox, store_path, "tiktok")
    assert code == 0, err
    entry = TokenStore(store_path).get("tiktok_ads")
    # Every advertiser of the sandbox world is authorized, so the grant reaches all of them.
    assert sorted(entry.accounts) == sorted(a.id for a in sandbox.world().accounts("tiktok"))
    assert {"4", "100", "200", "210", "220"} <= set(entry.scopes)
    assert entry.expires_at is None  # Marketing API tokens live until revoked


def test_code_without_the_right_verifier_is_refused_by_the_server(
    sandbox, store_path, capsys, monkeypatch
) -> None:
    exchange = grants.exchange_code

    def exchange_with_a_guessed_verifier(session, platform, url, callback, state, verifier):
        return exchange(session, platform, url, callback, state, "guessed-" + "v" * 56)

    monkeypatch.setattr(flow.grants, "exchange_code", exchange_with_a_guessed_verifier)
    code, _, err = login(capsys, sandbox, store_path, "google_ads")
    assert code == 1
    line = one_error_line(err)
    assert "google_ads: code exchange" in line and "code_verifier does not match" in line
    assert TokenStore(store_path).entries() == []


def test_redirect_with_a_forged_state_is_rejected(sandbox, store_path, capsys, monkeypatch) -> None:
    def forged_redirect(platform: str, authorization_url: str) -> None:
        location = requests.get(authorization_url, allow_redirects=False, timeout=10).headers["Location"]
        requests.get(location.replace("state=", "state=forged"), timeout=10)

    monkeypatch.setattr(flow, "_approve_automatically", forged_redirect)
    code, _, err = login(capsys, sandbox, store_path, "meta")
    assert code == 1
    assert "meta_ads: the redirect's `state` does not match this login" in one_error_line(err)
    assert TokenStore(store_path).entries() == []


def test_grant_without_needed_scopes_names_them(sandbox, store_path, capsys, restore_settings) -> None:
    sandbox.settings(oauth_grant_scopes={"meta": ["ads_read"]})
    code, _, err = login(capsys, sandbox, store_path, "meta")
    assert code == 1
    assert one_error_line(err) == (
        "ads-auth: error: meta_ads: the grant lacks the scopes business_management; "
        "run `ads-auth login meta_ads` again and approve them"
    )
    assert TokenStore(store_path).entries() == []


def test_auto_approve_refuses_a_real_authorization_server(sandbox, store_path, capsys) -> None:
    code, _, err = login(
        capsys, sandbox, store_path, "meta", "--authorize-url", "https://www.facebook.com/v26.0/dialog/oauth"
    )
    assert code == 1
    assert "--auto-approve only works with a loopback authorization URL" in one_error_line(err)


def test_missing_client_credentials_name_the_flag_and_variable(store_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ADS_META_CLIENT_ID", raising=False)
    code, _, err = ads_auth(capsys, store_path, "login", "meta", "--no-browser")
    assert code == 1
    assert "pass --client-id or set ADS_META_CLIENT_ID" in one_error_line(err)


def test_unreadable_sandbox_file_is_one_line(store_path, tmp_path, capsys) -> None:
    code, _, err = ads_auth(capsys, store_path, "login", "meta", "--sandbox", str(tmp_path / "missing.json"))
    assert code == 1
    assert "--sandbox: cannot read connection file" in one_error_line(err)


def test_logout_revokes_at_the_platform_and_forgets_the_login(sandbox, store_path, capsys) -> None:
    assert login(capsys, sandbox, store_path, "meta")[0] == 0
    token = TokenStore(store_path).get("meta_ads").access_token

    code, out, err = ads_auth(capsys, store_path, "logout", "meta")
    assert code == 0, err
    assert out.strip() == "meta_ads/default: logged out"
    assert debug_token(sandbox, token)["is_valid"] is False
    assert TokenStore(store_path).entries() == []

    code, _, err = ads_auth(capsys, store_path, "logout", "meta")
    assert code == 1
    assert "meta_ads: no login named 'default'" in one_error_line(err)


def test_status_with_a_wrong_key_is_one_line(sandbox, store_path, capsys, monkeypatch) -> None:
    assert login(capsys, sandbox, store_path, "tiktok")[0] == 0
    monkeypatch.setenv("ADS_TOKEN_KEY", "x" * 43 + "=")
    code, _, err = ads_auth(capsys, store_path, "status")
    assert code == 1
    assert "ADS_TOKEN_KEY" in one_error_line(err)


def test_login_takes_the_platform_key_as_well_as_the_short_name(sandbox, store_path, capsys) -> None:
    code, out, err = login(capsys, sandbox, store_path, "tiktok_ads")
    assert code == 0, err
    assert "tiktok_ads: logged in as 'default'" in out
    code, out, _ = ads_auth(capsys, store_path, "logout", "tiktok")
    assert (code, out.strip()) == (0, "tiktok_ads/default: logged out")
