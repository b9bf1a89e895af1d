"""OAuth clients and tokens of the sandbox, shared by the emulators and the OAuth endpoints.

Tokens are opaque random strings shaped like each platform's real ones (so redaction patterns meet
realistic values) and drawn from a generator seeded by the sandbox seed, so a run is reproducible.
`TokenRegistry.authenticate` is the one token check every emulator runs on an API call, whatever
the transport; `AccountRefused` is what the core's account check (`SandboxContext.open_account`)
raises when a token may not read an account.
"""

from __future__ import annotations

import random
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ads_kit.sandbox.limits import Charge

PLATFORMS = ("meta", "google_ads", "tiktok")
_ALNUM = string.ascii_letters + string.digits


class TokenError(Exception):
    """A token or client was refused; `reason` is one of missing, invalid, expired, revoked.

    The message never contains the token itself.
    """

    def __init__(self, reason: str, what: str = "access token") -> None:
        super().__init__(f"{what} is {reason}")
        self.reason = reason


class AccountRefused(Exception):
    """A valid token may not read an account: `reason` is ``unknown`` (no such account on the
    platform) or ``denied`` (a denied account, or one the token was not granted). `charge` is what
    the quotas said about the call, since a refused call still costs the app its quota."""

    def __init__(self, reason: str, account_id: str, charge: Charge) -> None:
        super().__init__(f"account {account_id} is {reason}")
        self.reason = reason
        self.account_id = account_id
        self.charge = charge


@dataclass(frozen=True)
class RegisteredClient:
    platform: str
    client_id: str
    client_secret: str
    redirect_uris: list[str] | None
    allowed_scopes: list[str] | None


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str
    expires_at: float
    scopes: list[str]
    accounts: list[str]


@dataclass(frozen=True)
class TokenInfo:
    platform: str
    client_id: str
    scopes: list[str]
    accounts: list[str]
    expires_at: float


@dataclass
class _AccessRecord:
    client_id: str
    scopes: list[str]
    accounts: list[str]
    expires_at: float
    refresh_token: str
    revoked: bool = False


@dataclass
class _RefreshRecord:
    client_id: str
    scopes: list[str]
    accounts: list[str]
    access_tokens: list[str] = field(default_factory=list)
    revoked: bool = False


class TokenRegistry:
    def __init__(
        self, seed: int, access_token_lifetime_s: float = 3600, clock: Callable[[], float] = time.time
    ) -> None:
        self._random = random.Random(f"tokens:{seed}")
        self._lifetime = access_token_lifetime_s
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], RegisteredClient] = {}
        self._access: dict[tuple[str, str], _AccessRecord] = {}
        self._refresh: dict[tuple[str, str], _RefreshRecord] = {}

    @property
    def lifetime(self) -> float:
        return self._lifetime

    def set_lifetime(self, seconds: float) -> None:
        """Lifetime of access tokens issued from now on (tokens already issued keep theirs)."""
        self._lifetime = seconds

    def register_client(
        self,
        platform: str,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str] | None = None,
        allowed_scopes: list[str] | None = None,
    ) -> RegisteredClient:
        client = RegisteredClient(platform, client_id, client_secret, redirect_uris, allowed_scopes)
        with self._lock:
            self._clients[(platform, client_id)] = client
        return client

    def client(self, platform: str, client_id: str, client_secret: str | None = None) -> RegisteredClient:
        """The registered client; with `client_secret`, also checks the secret."""
        client = self._clients.get((platform, client_id))
        if client is None or (client_secret is not None and client_secret != client.client_secret):
            raise TokenError("invalid", "client")
        return client

    def issue(self, platform: str, client_id: str, scopes: list[str], accounts: list[str]) -> IssuedToken:
        self.client(platform, client_id)
        with self._lock:
            refresh_token = self._new_token(platform, refresh=True)
            self._refresh[(platform, refresh_token)] = _RefreshRecord(client_id, list(scopes), list(accounts))
            return self._issue_access(platform, refresh_token)

    def authenticate(self, platform: str, access_token: str | None) -> TokenInfo:
        """The check of an API call's token: like `validate`, and a call without one is `missing`."""
        if not access_token:
            raise TokenError("missing")
        return self.validate(platform, access_token)

    def validate(self, platform: str, access_token: str) -> TokenInfo:
        record = self._access.get((platform, access_token))
        if record is None:
            raise TokenError("invalid")
        if record.revoked:
            raise TokenError("revoked")
        if self._clock() >= record.expires_at:
            raise TokenError("expired")
        return TokenInfo(
            platform, record.client_id, list(record.scopes), list(record.accounts), record.expires_at
        )

    def refresh(self, platform: str, client_id: str, client_secret: str, refresh_token: str) -> IssuedToken:
        """A new access token for a refresh token; earlier access tokens stay valid until they expire."""
        self.client(platform, client_id, client_secret)
        with self._lock:
            record = self._refresh.get((platform, refresh_token))
            if record is None or record.client_id != client_id:
                raise TokenError("invalid", "refresh token")
            if record.revoked:
                raise TokenError("revoked", "refresh token")
            return self._issue_access(platform, refresh_token)

    def revoke(self, platform: str, token: str) -> None:
        """Revoke an access token, or a refresh token together with every access token it produced."""
        with self._lock:
            access = self._access.get((platform, token))
            if access is not None:
                access.revoked = True
                return
            refresh = self._refresh.get((platform, token))
            if refresh is None:
                raise TokenError("invalid", "token")
            refresh.revoked = True
            for access_token in refresh.access_tokens:
                self._access[(platform, access_token)].revoked = True

    def expire(self, platform: str, access_token: str) -> None:
        """Make an access token expire now (fault injection)."""
        with self._lock:
            record = self._access.get((platform, access_token))
            if record is None:
                raise TokenError("invalid")
            record.expires_at = min(record.expires_at, self._clock())

    def new_secret(self, kind: str) -> str:
        """A seeded random credential of a platform's shape: kinds are listed in `_SHAPES`."""
        with self._lock:
            return _SHAPES[kind](self._random)

    def _issue_access(self, platform: str, refresh_token: str) -> IssuedToken:
        record = self._refresh[(platform, refresh_token)]
        access_token = self._new_token(platform, refresh=False)
        expires_at = self._clock() + self._lifetime
        self._access[(platform, access_token)] = _AccessRecord(
            record.client_id, record.scopes, record.accounts, expires_at, refresh_token
        )
        record.access_tokens.append(access_token)
        return IssuedToken(
            access_token, refresh_token, expires_at, list(record.scopes), list(record.accounts)
        )

    def _new_token(self, platform: str, refresh: bool) -> str:
        return _SHAPES[f"{platform}_{'refresh' if refresh else 'access'}_token"](self._random)


def _chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + _chars(rng, string.digits, n - 1)


# Real shapes: Meta user tokens "EAA…", Google "ya29.…" access and "1//…" refresh tokens,
# TikTok 40-hex tokens; app ids and secrets as each developer console shows them.
_SHAPES: dict[str, Callable[[random.Random], str]] = {
    "meta_access_token": lambda rng: "EAA" + _chars(rng, _ALNUM, 180),
    "meta_refresh_token": lambda rng: "EAA" + _chars(rng, _ALNUM, 180),
    "google_ads_access_token": lambda rng: "ya29." + _chars(rng, _ALNUM + "-_", 160),
    "google_ads_refresh_token": lambda rng: "1//0" + _chars(rng, _ALNUM + "-_", 99),
    "tiktok_access_token": lambda rng: _chars(rng, "0123456789abcdef", 40),
    "tiktok_refresh_token": lambda rng: _chars(rng, "0123456789abcdef", 40),
    "meta_client_id": lambda rng: _digits(rng, 16),
    "meta_client_secret": lambda rng: _chars(rng, "0123456789abcdef", 32),
    "google_ads_client_id": lambda rng: (
        (_digits(rng, 12) + "-" + _chars(rng, string.ascii_lowercase + string.digits, 32))
        + ".apps.googleusercontent.com"
    ),
    "google_ads_client_secret": lambda rng: "GOCSPX-" + _chars(rng, _ALNUM + "-_", 28),
    "google_ads_developer_token": lambda rng: _chars(rng, _ALNUM + "-_", 22),
    "tiktok_client_id": lambda rng: _digits(rng, 19),
    "tiktok_client_secret": lambda rng: _chars(rng, "0123456789abcdef", 40),
}
