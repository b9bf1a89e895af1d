from __future__ import annotations

import re

import pytest

from ads_kit.sandbox.tokens import TokenError, TokenRegistry


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(clock: Clock) -> TokenRegistry:
    registry = TokenRegistry(seed=7, access_token_lifetime_s=60, clock=clock)
    for platform in ("meta", "google_ads", "tiktok"):
        registry.register_client(platform, f"{platform}-app", "s3cret", allowed_scopes=["read"])
    return registry


def test_tokens_have_each_platforms_shape(registry):
    meta = registry.issue("meta", "meta-app", ["read"], ["1"])
    google = registry.issue("google_ads", "google_ads-app", ["read"], ["1"])
    tiktok = registry.issue("tiktok", "tiktok-app", ["read"], ["1"])
    assert meta.access_token.startswith("EAA")
    assert google.access_token.startswith("ya29.") and google.refresh_token.startswith("1//")
    assert re.fullmatch(r"[0-9a-f]{40}", tiktok.access_token)


def test_same_seed_issues_the_same_tokens(clock):
    def first_token(seed: int) -> str:
        registry = TokenRegistry(seed, clock=clock)
        registry.register_client("meta", "app", "s")
        return registry.issue("meta", "app", [], []).access_token

    assert first_token(1) == first_token(1) != first_token(2)


def test_validate_reports_scopes_accounts_and_expiry(registry, clock):
    issued = registry.issue("meta", "meta-app", ["read"], ["11", "22"])
    info = registry.validate("meta", issued.access_token)
    assert (info.client_id, info.scopes, info.accounts) == ("meta-app", ["read"], ["11", "22"])
    assert info.expires_at == clock.now + 60
    clock.now += 60
    with pytest.raises(TokenError) as error:
        registry.validate("meta", issued.access_token)
    assert error.value.reason == "expired"
    assert issued.access_token not in str(error.value)
    with pytest.raises(TokenError, match="invalid"):
        registry.validate("google_ads", issued.access_token)  # tokens belong to one platform


def test_refresh_keeps_the_old_token_until_it_expires(registry, clock):
    issued = registry.issue("google_ads", "google_ads-app", ["read"], ["1"])
    clock.now += 30
    renewed = registry.refresh("google_ads", "google_ads-app", "s3cret", issued.refresh_token)
    assert renewed.access_token != issued.access_token and renewed.refresh_token == issued.refresh_token
    assert registry.validate("google_ads", issued.access_token)
    clock.now += 31
    with pytest.raises(TokenError, match="expired"):
        registry.validate("google_ads", issued.access_token)
    assert registry.validate("google_ads", renewed.access_token).accounts == ["1"]


def test_refresh_refuses_wrong_secret_unknown_and_foreign_tokens(registry):
    issued = registry.issue("google_ads", "google_ads-app", ["read"], ["1"])
    registry.register_client("google_ads", "other-app", "x")
    for client_id, secret, token in [
        ("google_ads-app", "wrong", issued.refresh_token),
        ("google_ads-app", "s3cret", "1//nonsense"),
        ("other-app", "x", issued.refresh_token),
    ]:
        with pytest.raises(TokenError) as error:
            registry.refresh("google_ads", client_id, secret, token)
        assert error.value.reason == "invalid"


def test_revoking_a_refresh_token_revokes_its_access_tokens(registry):
    issued = registry.issue("tiktok", "tiktok-app", [], ["7"])
    renewed = registry.refresh("tiktok", "tiktok-app", "s3cret", issued.refresh_token)
    registry.revoke("tiktok", issued.refresh_token)
    for token in (issued.access_token, renewed.access_token):
        with pytest.raises(TokenError, match="revoked"):
            registry.validate("tiktok", token)
    with pytest.raises(TokenError, match="revoked"):
        registry.refresh("tiktok", "tiktok-app", "s3cret", issued.refresh_token)
    with pytest.raises(TokenError, match="invalid"):
        registry.revoke("tiktok", "not-a-token")


def test_revoke_access_expire_and_lifetime(registry, clock):
    first = registry.issue("meta", "meta-app", [], [])
    second = registry.issue("meta", "meta-app", [], [])
    registry.revoke("meta", first.access_token)
    with pytest.raises(TokenError, match="revoked"):
        registry.validate("meta", first.access_token)
    registry.expire("meta", second.access_token)
    with pytest.raises(TokenError, match="expired"):
        registry.validate("meta", second.access_token)
    registry.set_lifetime(2)
    assert registry.issue("meta", "meta-app", [], []).expires_at == clock.now + 2
    with pytest.raises(TokenError, match="client"):
        registry.issue("meta", "unknown-app", [], [])
