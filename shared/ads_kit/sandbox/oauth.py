"""The sandbox's OAuth authorization servers, one wire dialect per platform.

* Meta: `GET /{v}/dialog/oauth` -> 302 `redirect_uri?code=…&state=…#_=_`; `GET|POST /{v}/oauth/access_token`
  with `code` (+ `code_verifier`) or `grant_type=fb_exchange_token`; `GET /{v}/debug_token`; errors in
  the Graph envelope (`OAuthException`, 100 for bad parameters, 190 for dead tokens).
* Google: `GET /o/oauth2/v2/auth` (and the legacy `/o/oauth2/auth`) -> 302 with `code`; `POST /token`
  (and `/o/oauth2/token`, the library's `load_from_dict` default, and `/oauth2/v4/token` and
  `/oauth2/v3/token`, where MeltanoLabs/Matatika and Airbyte refresh: google-ads reference §5.2, §7)
  for `authorization_code` (PKCE) and `refresh_token` grants; `expires_in` counts whole seconds left
  (3599 for a fresh token, as Google reports it: reference §5.1); `POST /revoke`; errors
  `{"error": "invalid_grant", "error_description": …}`.
* TikTok: `GET /portal/auth` -> 302 with `auth_code` and `code`; JSON `POST
  /open_api/v1.3/oauth2/access_token/` and `/oauth2/revoke_token/`; errors in the `{code, message}`
  envelope with HTTP 200 (40101 bad app credentials, 40110 unknown or expired auth_code, 40115 reused).

There is no user in the sandbox, so every authorization request is approved at once. The settings key
`oauth_grant_scopes` (`{"meta": ["ads_read"]}`) narrows what is granted, to exercise a login that lacks
scopes. Codes are single-use, short-lived and bound to the client, redirect URI and PKCE challenge.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from ads_kit.sandbox.meta.errors import (
    GraphError,
    invalid_parameter,
    named_error,
    token_expired,
    token_invalid,
)
from ads_kit.sandbox.server import API_VERSIONS, RouteDef, SandboxContext
from ads_kit.sandbox.tiktok import errors as tiktok_errors
from ads_kit.sandbox.tokens import TokenError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Real lifetimes: Meta and Google codes live about ten minutes, TikTok's auth_code one hour.
CODE_LIFETIME_S = {"meta": 600.0, "google_ads": 600.0, "tiktok": 3600.0}
GRANT_SCOPES_SETTING = "oauth_grant_scopes"
META_VERSION = r"/{version:v\d+\.\d+}"


class OAuthFailure(Exception):
    """A refused OAuth request, rendered in the platform's own error format by `OAuthRoutes`."""

    def __init__(self, kind: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.kind = kind  # invalid_request | invalid_client | invalid_grant | code_reused | invalid_token
        self.status = status


@dataclass
class PendingCode:
    client_id: str
    redirect_uri: str
    scopes: list[str]
    accounts: list[str]
    challenge: str | None
    challenge_method: str | None
    expires_at: float


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class AuthorizationCodes:
    """Issued codes, each usable once: a second use (or a failed PKCE check) burns it."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._codes: dict[str, PendingCode] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()
        self._clock = clock

    def issue(self, pending: PendingCode) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = pending
        return code

    def redeem(
        self, code: str, client_id: str, redirect_uri: str | None, verifier: str | None
    ) -> PendingCode:
        with self._lock:
            if code in self._used:
                raise OAuthFailure("code_reused", "authorization code has been used")
            pending = self._codes.pop(code, None)
            if pending is not None:
                self._used.add(code)
        if pending is None:
            raise OAuthFailure("invalid_grant", "authorization code is invalid")
        if self._clock() >= pending.expires_at:
            raise OAuthFailure("invalid_grant", "authorization code has expired")
        if pending.client_id != client_id:
            raise OAuthFailure("invalid_grant", "authorization code was issued to another client")
        if redirect_uri is not None and redirect_uri != pending.redirect_uri:
            raise OAuthFailure("invalid_grant", "redirect_uri does not match the authorization request")
        if pending.challenge is not None:
            if not verifier:
                raise OAuthFailure("invalid_grant", "code_verifier is missing")
            expected = s256(verifier) if pending.challenge_method == "S256" else verifier
            if not hmac.compare_digest(expected, pending.challenge):
                raise OAuthFailure("invalid_grant", "code_verifier does not match the code_challenge")
        return pending


def _split_scopes(raw: str | None) -> list[str]:
    return [s for s in (raw or "").replace(",", " ").split() if s]


async def _parameters(request: web.Request) -> dict[str, str]:
    """Query parameters merged with a form or JSON body, as the platforms accept either."""
    params = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise OAuthFailure("invalid_request", "request body is not valid JSON") from None
            if isinstance(body, dict):
                params.update({k: str(v) for k, v in body.items() if v is not None})
        else:
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return params


def _graph_caller_token(request: web.Request) -> str:
    return request.query.get("access_token") or request.headers.get("Authorization", "").removeprefix(
        "Bearer "
    )


def _basic_client(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        raise OAuthFailure("invalid_client", "Authorization header is malformed", status=401) from None
    return client_id, secret


class OAuthRoutes:
    """Sandbox plug-in serving one platform's authorization and token endpoints."""

    settings_schema = {
        GRANT_SCOPES_SETTING: {
            "type": "object",
            "description": 'Scopes granted at most, per platform: {"meta": ["ads_read"]} (narrows logins)',
            "propertyNames": {"enum": ["meta", "google_ads", "tiktok"]},
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    }

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.codes = AuthorizationCodes()

    # -- plug-in surface ---------------------------------------------------------------------------

    def routes(self, ctx: SandboxContext) -> list[RouteDef]:
        self.ctx = ctx
        table: dict[str, list[tuple[str, str, str, Handler]]] = {
            "meta": [
                ("GET", f"{META_VERSION}/dialog/oauth", "oauth_authorize", self.authorize),
                ("GET", f"{META_VERSION}/oauth/access_token", "oauth_token", self.meta_token),
                ("POST", f"{META_VERSION}/oauth/access_token", "oauth_token_post", self.meta_token),
                ("GET", f"{META_VERSION}/debug_token", "oauth_debug_token", self.meta_debug_token),
                ("DELETE", f"{META_VERSION}/me/permissions", "oauth_revoke", self.meta_revoke),
            ],
            "google_ads": [
                ("GET", "/o/oauth2/v2/auth", "oauth_authorize", self.authorize),
                ("GET", "/o/oauth2/auth", "oauth_authorize_legacy", self.authorize),
                ("POST", "/token", "oauth_token", self.google_token),
                ("POST", "/o/oauth2/token", "oauth_token_legacy", self.google_token),
                ("POST", "/oauth2/v4/token", "oauth_token_v4", self.google_token),
                ("POST", "/oauth2/v3/token", "oauth_token_v3", self.google_token),
                ("POST", "/revoke", "oauth_revoke", self.google_revoke),
            ],
            "tiktok": [
                ("GET", "/portal/auth", "oauth_authorize", self.authorize),
                ("POST", "/open_api/v1.3/oauth2/access_token/", "oauth_token", self.tiktok_token),
                ("POST", "/open_api/v1.3/oauth2/revoke_token/", "oauth_revoke", self.tiktok_revoke),
            ],
        }
        return [
            RouteDef(method, path, name, self._guarded(handler))
            for method, path, name, handler in table[self.platform]
        ]

    def error_response(self, name: str, request: web.Request) -> web.Response:
        """Render a named fault: `server_error`, `invalid_grant`, `invalid_client`, `invalid_token`, and
        on Meta every Graph error name the Meta emulator knows."""
        if self.platform == "meta":
            try:
                error = named_error(name, API_VERSIONS["meta"])
            except ValueError:
                error = self._graph_error(OAuthFailure(name, f"sandbox fault: {name}"))
            return web.json_response(error.body(), status=error.status, headers=error.headers)
        if self.platform == "tiktok" and name in tiktok_errors.NAMED_ERRORS:
            # TikTok's own fault names (qps_limit -> 40100, gateway_timeout -> the HTML 504, ...).
            return tiktok_errors.response(tiktok_errors.named_error(name))
        status = 500 if name == "server_error" else 400
        return self._render(OAuthFailure(name, f"sandbox fault: {name}", status=status))

    # -- shared steps ----------------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        async def run(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except OAuthFailure as failure:
                return self._render(failure)

        return run

    def _granted_scopes(self, requested: list[str], allowed: list[str] | None) -> list[str]:
        scopes = requested or list(allowed or [])
        if allowed is not None:
            scopes = [s for s in scopes if s in allowed]
        narrowed = (self.ctx.settings.get(GRANT_SCOPES_SETTING) or {}).get(self.platform)
        if narrowed is not None:
            scopes = [s for s in scopes if s in narrowed]
        return scopes

    def _client(self, client_id: str | None, client_secret: str | None = None, check_secret: bool = True):
        if not client_id:
            raise OAuthFailure("invalid_request", "client_id is missing")
        if check_secret and not client_secret:
            raise OAuthFailure("invalid_client", "client_secret is missing", status=401)
        try:
            return self.ctx.tokens.client(self.platform, client_id, client_secret if check_secret else None)
        except TokenError:
            raise OAuthFailure("invalid_client", "client authentication failed", status=401) from None

    async def authorize(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        client_id = params.get("client_id") or params.get("app_id")
        client = self._client(client_id, check_secret=False)
        redirect_uri = params.get("redirect_uri") or ""
        if urlsplit(redirect_uri).scheme not in ("http", "https"):
            raise OAuthFailure("invalid_request", "redirect_uri is missing or not an http(s) URL")
        if client.redirect_uris is not None and redirect_uri not in client.redirect_uris:
            raise OAuthFailure("invalid_request", "redirect_uri is not registered for this client")
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method", "plain" if challenge else None)
        if challenge and method not in ("S256", "plain"):
            raise OAuthFailure("invalid_request", "code_challenge_method must be S256 or plain")
        pending = PendingCode(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scopes=self._granted_scopes(_split_scopes(params.get("scope")), client.allowed_scopes),
            accounts=[account.id for account in self.ctx.world.accounts(self.platform)],
            challenge=challenge,
            challenge_method=method,
            expires_at=time.time() + CODE_LIFETIME_S[self.platform],
        )
        code = self.codes.issue(pending)
        query = {"code": code}
        if self.platform == "tiktok":
            query = {"auth_code": code, "code": code}
        if "state" in params:
            query["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        # Facebook appends "#_=_" to its redirects; clients must cope with it.
        fragment = "#_=_" if self.platform == "meta" else ""
        raise web.HTTPFound(f"{redirect_uri}{separator}{urlencode(query)}{fragment}")

    def _redeem(self, params: Mapping[str, str], code_param: str = "code") -> tuple[Any, Any]:
        code = params.get(code_param)
        if not code:
            raise OAuthFailure("invalid_request", f"{code_param} is missing")
        client_id = params.get("client_id") or params.get("app_id")
        client = self._client(client_id, params.get("client_secret") or params.get("secret"))
        pending = self.codes.redeem(
            code, client.client_id, params.get("redirect_uri"), params.get("code_verifier")
        )
        issued = self.ctx.tokens.issue(self.platform, client.client_id, pending.scopes, pending.accounts)
        return issued, pending

    def _expires_in(self, expires_at: float) -> int:
        return max(0, round(expires_at - time.time()))

    # -- Meta ------------------------------------------------------------------------------------

    async def meta_token(self, request: web.Request) -> web.Response:
        params = await _parameters(request)
        if params.get("grant_type") == "fb_exchange_token":
            client = self._client(params.get("client_id"), params.get("client_secret"))
            info = self._validate(params.get("fb_exchange_token"))
            if info.client_id != client.client_id:
                raise OAuthFailure("invalid_token", "token was issued to another app")
            issued = self.ctx.tokens.issue(self.platform, client.client_id, info.scopes, info.accounts)
        else:
            issued, _ = self._redeem(params)
        return web.json_response(
            {
                "access_token": issued.access_token,
                "token_type": "bearer",
                "expires_in": self._expires_in(issued.expires_at),
            }
        )

    def _validate(self, token: str | None):
        if not token:
            raise OAuthFailure("invalid_request", "token is missing")
        try:
            return self.ctx.tokens.validate(self.platform, token)
        except TokenError as exc:
            raise OAuthFailure(f"token_{exc.reason}", f"access token is {exc.reason}") from None

    async def meta_debug_token(self, request: web.Request) -> web.Response:
        # The caller authenticates with an app token "app_id|app_secret" or any valid user token.
        caller = request.query.get("access_token") or request.headers.get("Authorization", "").removeprefix(
            "Bearer "
        )
        app_id, _, app_secret = caller.partition("|")
        if app_secret:
            self._client(app_id, app_secret)
        else:
            self._validate(caller)
        try:
            info = self.ctx.tokens.validate(self.platform, request.query.get("input_token", ""))
        except TokenError as exc:
            error = self._graph_error(OAuthFailure(f"token_{exc.reason}", str(exc)))
            return web.json_response(
                {
                    "data": {
                        "is_valid": False,
                        "scopes": [],
                        "error": {"code": error.code, "message": error.message, "subcode": error.subcode},
                    }
                }
            )
        return web.json_response(
            {
                "data": {
                    "app_id": info.client_id,
                    "type": "USER",
                    "application": "Ads Sandbox",
                    "expires_at": int(info.expires_at),
                    "is_valid": True,
                    "scopes": info.scopes,
                    "granular_scopes": [{"scope": s, "target_ids": info.accounts} for s in info.scopes],
                    "user_id": "10150000000000",
                }
            }
        )

    async def meta_revoke(self, request: web.Request) -> web.Response:
        """DELETE /me/permissions: the user withdraws the app's access; its tokens die."""
        token = _graph_caller_token(request)
        self._validate(token)
        self.ctx.tokens.revoke(self.platform, token)
        return web.json_response({"success": True})

    # -- Google ----------------------------------------------------------------------------------

    async def google_token(self, request: web.Request) -> web.Response:
        params = await _parameters(request)
        basic = _basic_client(request)
        if basic:
            params["client_id"], params["client_secret"] = basic
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            issued, _ = self._redeem(params)
            refresh_token: str | None = issued.refresh_token
        elif grant_type == "refresh_token":
            client = self._client(params.get("client_id"), params.get("client_secret"))
            try:
                issued = self.ctx.tokens.refresh(
                    self.platform, client.client_id, client.client_secret, params.get("refresh_token", "")
                )
            except TokenError:
                raise OAuthFailure("invalid_grant", "Token has been expired or revoked.") from None
            refresh_token = None  # Google returns a refresh token only on the code exchange
        else:
            raise OAuthFailure("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
        body = {
            "access_token": issued.access_token,
            # Whole seconds left, rounded down: a 3600 s token is reported as 3599, as Google does.
            "expires_in": max(0, math.floor(issued.expires_at - time.time())),
            "scope": " ".join(issued.scopes),
            "token_type": "Bearer",
        }
        if refresh_token:
            body["refresh_token"] = refresh_token
        return web.json_response(body)

    async def google_revoke(self, request: web.Request) -> web.Response:
        params = await _parameters(request)
        try:
            self.ctx.tokens.revoke(self.platform, params.get("token", ""))
        except TokenError:
            raise OAuthFailure("invalid_token", "Token expired or revoked") from None
        return web.json_response({})

    # -- TikTok ----------------------------------------------------------------------------------

    async def tiktok_token(self, request: web.Request) -> web.Response:
        params = await _parameters(request)
        issued, _ = self._redeem(params, code_param="auth_code")
        return self._tiktok_ok(
            {
                "access_token": issued.access_token,
                "scope": [int(s) for s in issued.scopes if s.isdigit()],
                "advertiser_ids": issued.accounts,
            }
        )

    async def tiktok_revoke(self, request: web.Request) -> web.Response:
        params = await _parameters(request)
        client = self._client(params.get("app_id"), params.get("secret"))
        info = self._validate(params.get("access_token"))
        self.ctx.tokens.revoke(self.platform, params["access_token"])
        return self._tiktok_ok({"app_id": client.client_id, "advertiser_ids": info.accounts})

    @staticmethod
    def _tiktok_ok(data: dict[str, Any]) -> web.Response:
        return web.json_response(tiktok_errors.envelope(0, "OK", data))

    # -- errors ----------------------------------------------------------------------------------

    def _graph_error(self, failure: OAuthFailure) -> GraphError:
        if failure.kind == "token_expired":
            return token_expired()
        if failure.kind == "token_revoked":
            return token_invalid()
        if failure.kind in ("token_invalid", "invalid_token"):
            return GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if failure.kind == "invalid_client":
            return GraphError(1, "Error validating client secret.")
        return invalid_parameter(str(failure))

    def _render(self, failure: OAuthFailure) -> web.Response:
        if self.platform == "meta":
            error = self._graph_error(failure)
            return web.json_response(error.body(), status=error.status, headers=error.headers)
        if self.platform == "tiktok":
            code = {
                "invalid_client": 40101,
                "code_reused": 40115,
                "invalid_grant": 40110,
                "server_error": 50000,
            }.get(failure.kind)
            if code is None:
                code = (
                    40105 if failure.kind.startswith("token_") or failure.kind == "invalid_token" else 40000
                )
            return web.json_response(tiktok_errors.envelope(code, str(failure), {}))
        kind = "invalid_grant" if failure.kind == "code_reused" else failure.kind
        if kind.startswith("token_"):
            kind = "invalid_token"
        return web.json_response({"error": kind, "error_description": str(failure)}, status=failure.status)
