"""Access tokens for the taps: from tap config or from the token store, renewed before they expire.

A tap builds one `TokenProvider` per run and asks it for `access_token()` before each request (cheap
while the token is fresh). After the platform rejects a token (HTTP 401, Meta 190, TikTok 40105) the tap
calls `invalidate(account)` and retries once; a second rejection, or a renewal the platform refuses,
raises `ReauthenticationRequired`, whose message tells the user which login to repeat.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ads_kit.auth import grants
from ads_kit.auth.errors import AuthError, ReauthenticationRequired
from ads_kit.auth.platforms import PlatformOAuth, Renewal, platform_oauth
from ads_kit.auth.store import DEFAULT_LOGIN, TokenEntry, TokenStore
from ads_kit.redaction import register_secrets
from ads_kit.resilience.retry import RetryPolicy

# Renew this long before expiry (google-auth uses the same 3 min 45 s), but never more than half of a
# token's whole lifetime, so that short-lived tokens are not renewed on every call.
RENEWAL_LEEWAY_S = 225.0


class TokenProvider:
    def __init__(
        self,
        platform: PlatformOAuth,
        entry: TokenEntry,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        *,
        policy: RetryPolicy = grants.TOKEN_ENDPOINT_RETRIES,
        url_setting: str | None = None,
    ) -> None:
        self.platform = platform
        self._entry = entry
        self._store = store
        self._clock = clock
        self._policy = policy
        # The setting that chose the token URL: named when the endpoint refuses before ever answering.
        # Cleared once it answers: later network failures are glitches, retried.
        self._url_setting = url_setting
        self._lock = threading.Lock()
        # Set when the current token came from a renewal forced by `invalidate`: if the platform rejects
        # that one too, renewing again would loop.
        self._forced = False
        register_secrets([entry.access_token, entry.refresh_token, entry.client_secret])

    @classmethod
    def from_config(
        cls,
        platform_name: str,
        config: Mapping[str, Any],
        policy: RetryPolicy | None = None,
        url_setting: str = "token_url",
    ) -> TokenProvider:
        """Credentials from `token_store` (+ `token_store_login`) or from `access_token` & co. in config.
        ``policy`` is the run's (its token endpoint retries as often, quicker); ``url_setting`` is the
        setting a configured `token_url` comes from (Meta derives it from `api_base_url`)."""
        platform = platform_oauth(platform_name)
        retries = grants.token_endpoint_policy(policy) if policy else grants.TOKEN_ENDPOINT_RETRIES
        if config.get("token_store"):
            store = TokenStore(config["token_store"])
            entry = store.get(platform.name, config.get("token_store_login") or DEFAULT_LOGIN)
            return cls(platform, entry, store, policy=retries, url_setting="token_store")
        if not config.get("access_token") and not config.get("refresh_token"):
            raise AuthError(
                f"{platform.name}: set `access_token` (or `refresh_token` with `client_id` and "
                "`client_secret`) or `token_store` in the tap config"
            )
        if config.get("refresh_token"):
            for setting in ("client_id", "client_secret"):
                if not config.get(setting):
                    raise AuthError(
                        f"{platform.name}: `{setting}` is required in the tap config with `refresh_token`"
                    )
        entry = TokenEntry(
            platform=platform.name,
            login=DEFAULT_LOGIN,
            access_token=config.get("access_token") or "",
            refresh_token=config.get("refresh_token"),
            client_id=config.get("client_id") or "",
            client_secret=config.get("client_secret"),
            token_url=config.get("token_url") or platform.token_url,
            # A configured token without a refresh token is used as is until the platform rejects it.
            expires_at=None if config.get("access_token") else 0.0,
        )
        # The platform's own token URL is no setting of the user's: failing to reach it is retried.
        configured_url = url_setting if config.get("token_url") else None
        return cls(platform, entry, policy=retries, url_setting=configured_url)

    @property
    def accounts(self) -> list[str]:
        return list(self._entry.accounts)

    @property
    def scopes(self) -> list[str]:
        return list(self._entry.scopes)

    def access_token(self, account: str | None = None) -> str:
        with self._lock:
            if self._needs_renewal(self._entry):
                self._renew(account)
            return self._entry.access_token

    def invalidate(self, account: str | None = None) -> None:
        """The platform rejected the current token: renew it now, once per rejection streak.

        Raises ReauthenticationRequired when the grant cannot be renewed, or when the token being
        rejected is itself the product of the previous `invalidate` (renewing again would loop).
        """
        with self._lock:
            if self._forced or not self._can_renew():
                raise ReauthenticationRequired(self.platform.name, account, self._login_hint())
            self._entry = replace(self._entry, expires_at=0.0)
            self._renew(account)
            self._forced = True

    # -- internals -------------------------------------------------------------------------------

    def _login_hint(self) -> str | None:
        return self._entry.login if self._entry.login != DEFAULT_LOGIN else None

    def _can_renew(self) -> bool:
        if self.platform.renewal is Renewal.REFRESH_TOKEN:
            return bool(self._entry.refresh_token)
        return self.platform.renewal is Renewal.EXCHANGE_TOKEN and bool(self._entry.client_secret)

    def _needs_renewal(self, entry: TokenEntry) -> bool:
        expires_at = entry.expires_at
        if expires_at is None:
            return False
        lifetime = expires_at - (entry.issued_at or expires_at)
        leeway = min(RENEWAL_LEEWAY_S, lifetime / 2) if lifetime > 0 else RENEWAL_LEEWAY_S
        return self._clock() >= expires_at - leeway

    def _renew(self, account: str | None) -> None:
        if not self._can_renew():
            raise ReauthenticationRequired(self.platform.name, account, self._login_hint())
        if self._store is None:
            self._entry = self._renewed(self._entry, account)
        else:
            renewed = self._store.update(
                self.platform.name, self._entry.login, lambda on_disk: self._renew_stored(on_disk, account)
            )
            assert renewed is not None  # _renew_stored returns an entry or raises: it never deletes
            self._entry = renewed
        self._forced = False
        register_secrets([self._entry.access_token, self._entry.refresh_token])

    def _renew_stored(self, on_disk: TokenEntry | None, account: str | None) -> TokenEntry:
        if on_disk is None:  # logged out meanwhile
            raise ReauthenticationRequired(self.platform.name, account, self._login_hint())
        if on_disk.access_token != self._entry.access_token and not self._needs_renewal(on_disk):
            # Another process renewed while we waited for the lock: use its tokens rather than renew
            # again (a rotating refresh token would already be spent).
            return on_disk
        return self._renewed(on_disk, account)

    def _renewed(self, entry: TokenEntry, account: str | None) -> TokenEntry:
        try:
            granted = grants.renew(
                self.platform,
                entry.token_url,
                entry.client_id,
                entry.client_secret,
                entry.access_token,
                entry.refresh_token,
                policy=self._policy,
                url_setting=self._url_setting,
            )
        except ReauthenticationRequired:
            raise ReauthenticationRequired(self.platform.name, account, self._login_hint()) from None
        self._url_setting = None
        return replace(
            entry,
            access_token=granted.access_token,
            refresh_token=granted.refresh_token or entry.refresh_token,
            expires_at=granted.expires_at,
            issued_at=granted.issued_at,
            scopes=granted.scopes or entry.scopes,
        )
