"""TokenProvider: renewal before expiry, rotation through the store, and the one-line re-login message."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from ads_kit.auth import AuthError, ReauthenticationRequired, TokenProvider, TokenStore
from ads_kit.auth.cli import main
from ads_kit.auth.platforms import platform_oauth
from ads_kit.auth.store import TokenEntry
from ads_kit.resilience import RetryPolicy


@pytest.fixture
def short_tokens(sandbox) -> Iterator[None]:
    sandbox.settings(token_lifetime_s=2)
    yield
    sandbox.settings(token_lifetime_s=3600)


def logged_in(sandbox, tmp_path: Path, platform: str) -> TokenStore:
    path = tmp_path / "tokens.enc"
    code = main(
        ["--store", str(path), "login", platform, "--sandbox", str(sandbox.connection_file), "--auto-approve"]
    )
    assert code == 0
    return TokenStore(path)


def provider_at(store: TokenStore, platform: str, clock) -> TokenProvider:
    return TokenProvider(platform_oauth(platform), store.get(platform), store, clock=clock)


def token_calls(sandbox, platform: str) -> int:
    return len(sandbox.log(platform=platform, route="oauth_token"))


def meta_token_is_valid(sandbox, token: str) -> bool:
    info = sandbox.platform("meta")
    answer = requests.get(
        f"{info['base_url']}/v26.0/debug_token",
        params={"input_token": token, "access_token": f"{info['client_id']}|{info['client_secret']}"},
        timeout=10,
    )
    return answer.json()["data"]["is_valid"]


def test_google_token_is_refreshed_before_it_expires_and_persisted(
    sandbox, tmp_path, token_key, short_tokens
) -> None:
    store = logged_in(sandbox, tmp_path, "google_ads")
    entry = store.get("google_ads")
    assert entry.expires_at - entry.issued_at <= 2

    fresh = provider_at(store, "google_ads", clock=lambda: entry.issued_at + 0.1)
    calls = token_calls(sandbox, "google_ads")
    assert fresh.access_token() == entry.access_token
    assert token_calls(sandbox, "google_ads") == calls  # nothing to do while the token is young

    # Within the last half of its lifetime, but before expiry: renewed proactively.
    nearly = provider_at(store, "google_ads", clock=lambda: entry.expires_at - 0.5)
    renewed = nearly.access_token()
    assert renewed != entry.access_token
    assert renewed.startswith("ya29.")
    stored = store.get("google_ads")
    assert stored.access_token == renewed
    assert stored.refresh_token == entry.refresh_token  # Google keeps the refresh token on refresh


def test_meta_long_lived_token_is_exchanged_before_expiry(sandbox, tmp_path, token_key, short_tokens) -> None:
    store = logged_in(sandbox, tmp_path, "meta")
    entry = store.get("meta_ads")
    provider = provider_at(store, "meta_ads", clock=lambda: entry.expires_at - 0.5)
    renewed = provider.access_token()
    assert renewed != entry.access_token
    assert meta_token_is_valid(sandbox, renewed)
    assert store.get("meta_ads").access_token == renewed


def test_two_processes_renewing_the_same_grant_refresh_once(
    sandbox, tmp_path, token_key, short_tokens
) -> None:
    store = logged_in(sandbox, tmp_path, "google_ads")
    entry = store.get("google_ads")
    late = lambda: entry.expires_at - 0.5  # noqa: E731
    first, second = provider_at(store, "google_ads", late), provider_at(store, "google_ads", late)
    calls = token_calls(sandbox, "google_ads")
    sandbox.settings(token_lifetime_s=3600)  # the renewed token is young at the clock's time

    token = first.access_token()
    # `second` still holds the old pair; under the store lock it finds the rotated one and uses it.
    assert second.access_token() == token
    assert token_calls(sandbox, "google_ads") == calls + 1


def test_revoked_grant_asks_for_a_new_login_naming_the_account(sandbox, tmp_path, token_key) -> None:
    store = logged_in(sandbox, tmp_path, "google_ads")
    entry = store.get("google_ads")
    provider = TokenProvider.from_config("google_ads", {"token_store": str(store.path)})
    assert provider.access_token() == entry.access_token

    sandbox.revoke_token("google_ads", entry.refresh_token)
    with pytest.raises(ReauthenticationRequired) as failure:
        provider.invalidate("1234567890")  # the tap got a 401 for this account
    assert str(failure.value) == (
        "google_ads: access for account 1234567890 was revoked or expired; "
        "run `ads-auth login google_ads` again"
    )
    assert entry.refresh_token not in str(failure.value)


def test_expired_meta_token_cannot_be_exchanged(sandbox, tmp_path, token_key) -> None:
    store = logged_in(sandbox, tmp_path, "meta")
    entry = store.get("meta_ads")
    provider = TokenProvider.from_config("meta_ads", {"token_store": str(store.path)})
    sandbox.expire_token("meta", entry.access_token)
    with pytest.raises(ReauthenticationRequired) as failure:
        provider.invalidate("123")
    assert (
        str(failure.value)
        == "meta_ads: access for account 123 was revoked or expired; run `ads-auth login meta_ads` again"
    )


def test_invalidate_renews_once_then_gives_up(sandbox, tmp_path, token_key) -> None:
    store = logged_in(sandbox, tmp_path, "google_ads")
    provider = TokenProvider.from_config("google_ads", {"token_store": str(store.path)})
    before = provider.access_token()
    provider.invalidate("42")
    after = provider.access_token()
    assert after != before
    with pytest.raises(ReauthenticationRequired, match="account 42"):
        provider.invalidate("42")  # the renewed token was rejected too: renewing again would loop


def test_named_login_is_in_the_message(sandbox, tmp_path, token_key) -> None:
    path = tmp_path / "tokens.enc"
    args = [
        "--store",
        str(path),
        "login",
        "tiktok",
        "--login",
        "eu",
        "--sandbox",
        str(sandbox.connection_file),
    ]
    assert main([*args, "--auto-approve"]) == 0
    provider = TokenProvider.from_config("tiktok_ads", {"token_store": str(path), "token_store_login": "eu"})
    assert provider.accounts == sandbox.platform("tiktok")["accounts"]
    with pytest.raises(ReauthenticationRequired) as failure:
        provider.invalidate()  # TikTok tokens cannot be renewed
    assert (
        str(failure.value)
        == "tiktok_ads: access was revoked or expired; run `ads-auth login tiktok_ads --login eu` again"
    )


def test_config_refresh_token_is_used_for_the_first_token(sandbox) -> None:
    info = sandbox.platform("google_ads")
    config = {key: info[key] for key in ("refresh_token", "client_id", "client_secret", "token_url")}
    provider = TokenProvider.from_config("google_ads", config)
    token = provider.access_token()
    assert token.startswith("ya29.")
    assert token != info["access_token"]


def test_configured_access_token_is_used_as_is(sandbox) -> None:
    token = sandbox.platform("tiktok")["access_token"]
    assert TokenProvider.from_config("tiktok_ads", {"access_token": token}).access_token() == token


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "google_ads: set `access_token` (or `refresh_token`"),
        ({"refresh_token": "1//x", "client_id": "c"}, "google_ads: `client_secret` is required"),
    ],
)
def test_incomplete_config_is_one_line(config: dict, message: str) -> None:
    with pytest.raises(AuthError) as failure:
        TokenProvider.from_config("google_ads", config)
    assert str(failure.value).startswith(message)
    assert "\n" not in str(failure.value)


def test_unknown_platform_is_named() -> None:
    with pytest.raises(AuthError, match="unknown platform 'bing'"):
        TokenProvider.from_config("bing", {"access_token": "x"})


# A grant whose access token expired: the first access_token() refreshes it.
STALE_GRANT = {"refresh_token": "1//" + "r" * 30, "client_secret": "s3cr3t-value", "expires_at": 0.0}


def test_a_blinking_token_endpoint_is_retried(sandbox) -> None:
    info = sandbox.platform("google_ads")
    config = {key: info[key] for key in ("refresh_token", "client_id", "client_secret", "token_url")}
    sandbox.add_fault(
        platform="google_ads", route="oauth_token", kind="error", name="server_error", calls=[1]
    )
    try:
        calls = token_calls(sandbox, "google_ads")
        assert TokenProvider.from_config("google_ads", config).access_token().startswith("ya29.")
        assert token_calls(sandbox, "google_ads") == calls + 2
    finally:
        sandbox.clear_faults()


REFUSING_TOKEN_URL = "http://127.0.0.1:9/token"  # port 9 (discard): nothing listens
GOOGLE_SECRETS = {"refresh_token": "1//" + "r" * 30, "client_id": "c", "client_secret": "s3cr3t-value"}


@pytest.mark.parametrize(
    ("url_setting", "named"), [("token_url", "token_url"), ("api_base_url", "api_base_url")]
)
def test_unreachable_token_endpoint_names_its_setting_at_once(url_setting: str, named: str) -> None:
    # A host that refuses before it ever answered is the setting's fault: no retries, whatever the policy.
    config = {**GOOGLE_SECRETS, "token_url": REFUSING_TOKEN_URL}
    provider = TokenProvider.from_config("google_ads", config, RetryPolicy(max_retries=5), url_setting)
    with pytest.raises(AuthError) as failure:
        provider.access_token()
    message = str(failure.value)
    assert message == (
        f"{named}: cannot reach http://127.0.0.1:9 for the google_ads token refresh (ConnectionError)"
    )
    assert "s3cr3t-value" not in message and "r" * 30 not in message


def test_unreachable_stored_token_url_names_the_token_store(tmp_path, token_key) -> None:
    store = TokenStore(tmp_path / "tokens.enc")
    store.put(TokenEntry("google_ads", "default", "ya29.old", REFUSING_TOKEN_URL, "c", **STALE_GRANT))
    provider = TokenProvider.from_config("google_ads", {"token_store": str(store.path)}, RetryPolicy())
    with pytest.raises(AuthError, match=r"^token_store: cannot reach http://127\.0\.0\.1:9 "):
        provider.access_token()


def test_the_token_endpoint_retries_no_more_than_the_run_allows(sandbox) -> None:
    info = sandbox.platform("google_ads")
    config = {key: info[key] for key in ("refresh_token", "client_id", "client_secret", "token_url")}
    sandbox.add_fault(
        platform="google_ads", route="oauth_token", kind="error", name="server_error", calls=[1, 2, 3]
    )
    try:
        calls = token_calls(sandbox, "google_ads")
        provider = TokenProvider.from_config(
            "google_ads", config, RetryPolicy(max_retries=1, backoff_multiplier=0.01)
        )
        with pytest.raises(AuthError, match=r"token refresh at .* failed after 2 attempts"):
            provider.access_token()
        assert token_calls(sandbox, "google_ads") == calls + 2  # one retry, as the run's policy says
    finally:
        sandbox.clear_faults()


def test_a_token_endpoint_that_answered_once_is_retried_when_it_refuses_later(
    sandbox, tmp_path, token_key
) -> None:
    # Once the endpoint answered this run, a refused connection is a glitch: retried, as the run allows.
    store = logged_in(sandbox, tmp_path, "google_ads")
    now = [store.get("google_ads").expires_at + 1]
    provider = TokenProvider(
        platform_oauth("google_ads"),
        store.get("google_ads"),
        store,
        clock=lambda: now[0],
        policy=RetryPolicy(max_retries=1, backoff_multiplier=0.01),
        url_setting="token_store",
    )
    renewed = provider.access_token()  # the endpoint answers
    store.update("google_ads", "default", lambda entry: replace(entry, token_url=REFUSING_TOKEN_URL))
    now[0] = store.get("google_ads").expires_at + 1
    with pytest.raises(AuthError) as failure:
        provider.access_token()
    assert str(failure.value).startswith(
        f"google_ads: token refresh at {REFUSING_TOKEN_URL} failed after 2 attempts: ConnectionError"
    )
    assert renewed not in str(failure.value)
