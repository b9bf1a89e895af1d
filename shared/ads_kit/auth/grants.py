"""Token-endpoint calls (code exchange, refresh, long-lived exchange, revocation) through authlib.

authlib's `OAuth2Session` speaks RFC 6749; the two platforms that bend it are adapted with authlib's own
extension points instead of hand-written HTTP: a client-auth method (Meta wants the client in the query
of a GET, TikTok wants a JSON body with `app_id`/`secret`/`auth_code`) and an `access_token_response`
compliance hook that turns the platform's envelope into a standard token response.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.urls import add_params_to_uri, url_decode
from authlib.integrations.requests_client import OAuth2Session, OAuthError

from ads_kit.auth.errors import AuthError, ReauthenticationRequired
from ads_kit.auth.platforms import PlatformOAuth, Renewal
from ads_kit.redaction import redact
from ads_kit.resilience import Classified, ErrorClass, RequestFailed, RetryPolicy, Target, call_with_retries
from ads_kit.resilience.network import never_connected

HTTP_TIMEOUT_S = 30
# Error codes meaning "this grant is dead"; anything else is reported as a token-endpoint failure.
_DEAD_GRANT_ERRORS = {"invalid_grant", "invalid_token", "190", "40105", "40102", "40110", "40107"}
# TikTok's service-side codes (50000 system error, 50002, 51001 timeout, 60001 maintenance), HTTP 200.
_TIKTOK_TRANSIENT = {"50000", "50002", "51001", "60001"}
# A token endpoint that blinks should not fail a sync: a few quick retries, seconds not minutes.
TOKEN_ENDPOINT_RETRIES = RetryPolicy(max_retries=3, backoff_multiplier=0.2, max_wait_seconds=30.0)


def token_endpoint_policy(run: RetryPolicy) -> RetryPolicy:
    """A run's retries at its token endpoint: as many as the run allows, but quick ones, and never
    longer waits than the run's own."""
    return replace(
        TOKEN_ENDPOINT_RETRIES,
        max_retries=run.max_retries,
        backoff_multiplier=min(run.backoff_multiplier, TOKEN_ENDPOINT_RETRIES.backoff_multiplier),
        max_wait_seconds=min(run.max_wait_seconds, TOKEN_ENDPOINT_RETRIES.max_wait_seconds),
    )


@dataclass
class GrantedToken:
    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    issued_at: float = field(default_factory=time.time)
    scopes: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"GrantedToken(expires_at={self.expires_at!r}, scopes={self.scopes!r})"


def _client_in_query(client: Any, method: str, uri: str, headers: dict, body: str) -> tuple:
    # Meta's /oauth/access_token is a GET taking client_id and client_secret as query parameters.
    uri = add_params_to_uri(uri, [("client_id", client.client_id), ("client_secret", client.client_secret)])
    return uri, headers, body


def _tiktok_json_body(client: Any, method: str, uri: str, headers: dict, body: str) -> tuple:
    form = dict(url_decode(body or ""))
    payload = {"app_id": client.client_id, "secret": client.client_secret}
    if "code" in form:
        payload["auth_code"] = form["code"]
    if "token" in form:  # revocation
        payload["access_token"] = form["token"]
    encoded = json.dumps(payload)
    headers["Content-Type"] = "application/json"
    headers["Content-Length"] = str(len(encoded.encode()))
    return uri, headers, encoded


def _rewrite_json(response: requests.Response, document: dict) -> requests.Response:
    response._content = json.dumps(document).encode()
    return response


def _json_object(response: requests.Response) -> dict:
    try:
        document = response.json()
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _meta_error_envelope(response: requests.Response) -> requests.Response:
    """{"error": {"message", "type", "code"}} -> {"error": "<code>", "error_description": message}."""
    error = _json_object(response).get("error")
    if isinstance(error, dict):
        return _rewrite_json(
            response, {"error": str(error.get("code", "unknown")), "error_description": error.get("message")}
        )
    return response


def _tiktok_envelope(response: requests.Response) -> requests.Response:
    """{"code": 0, "data": {...}} -> the token itself; a non-zero code -> a standard error."""
    document = _json_object(response)
    if "code" not in document:
        return response
    if document["code"] != 0:
        return _rewrite_json(
            response, {"error": str(document["code"]), "error_description": document.get("message")}
        )
    data = dict(document.get("data") or {})
    data.setdefault("token_type", "bearer")
    return _rewrite_json(response, data)


def _session(
    platform: PlatformOAuth, client_id: str, client_secret: str | None, **kwargs: Any
) -> OAuth2Session:
    session = OAuth2Session(
        client_id,
        client_secret,
        code_challenge_method="S256" if platform.uses_pkce else None,
        default_timeout=HTTP_TIMEOUT_S,
        **kwargs,
    )
    if platform.name == "meta_ads":
        session.register_client_auth_method(("meta_query", _client_in_query))
        session.token_endpoint_auth_method = "meta_query"
        session.register_compliance_hook("access_token_response", _meta_error_envelope)
    elif platform.name == "tiktok_ads":
        session.register_client_auth_method(("tiktok_json", _tiktok_json_body))
        session.token_endpoint_auth_method = "tiktok_json"
        session.revocation_endpoint_auth_method = "tiktok_json"
        session.register_compliance_hook("access_token_response", _tiktok_envelope)
    else:
        session.token_endpoint_auth_method = "client_secret_post"
        session.revocation_endpoint_auth_method = "none"
    return session


def _granted(document: dict, previous_refresh_token: str | None = None) -> GrantedToken:
    scope = document.get("scope") or []
    scopes = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    expires_in = document.get("expires_in")
    now = time.time()
    return GrantedToken(
        access_token=document["access_token"],
        refresh_token=document.get("refresh_token") or previous_refresh_token,
        expires_at=now + float(expires_in) if expires_in else None,
        issued_at=now,
        scopes=scopes,
        accounts=[str(a) for a in document.get("advertiser_ids") or []],
    )


def _transient(exc: BaseException) -> Classified | None:
    if isinstance(exc, requests.HTTPError) and exc.response is not None and exc.response.status_code >= 500:
        return Classified(ErrorClass.RETRYABLE, f"HTTP {exc.response.status_code}", "token endpoint error")
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return Classified(ErrorClass.RETRYABLE, type(exc).__name__, str(exc))
    if isinstance(exc, OAuthError) and exc.error in _TIKTOK_TRANSIENT:
        return Classified(ErrorClass.RETRYABLE, str(exc.error), str(exc.description))
    return None


def _call(
    platform: str,
    what: str,
    url: str,
    action: Any,
    renewing: bool = True,
    policy: RetryPolicy = TOKEN_ENDPOINT_RETRIES,
    url_setting: str | None = None,
) -> dict:
    """Run a token-endpoint call; while renewing, a refused grant means the user must log in again.
    With ``url_setting`` (the endpoint has not answered this run), a host that refuses before ever
    answering is that setting's fault: one line naming it at once, no retries."""

    def attempt() -> Any:
        try:
            return action()
        except requests.ConnectionError as exc:
            if url_setting and never_connected(exc):
                host = urlsplit(url)
                raise AuthError(
                    f"{url_setting}: cannot reach {host.scheme}://{host.netloc} for the {platform} {what} "
                    f"({type(exc).__name__})"
                ) from None
            raise

    try:
        return dict(
            call_with_retries(attempt, classify=_transient, policy=policy, target=Target(platform, "-", what))
        )
    except RequestFailed as exc:
        cause = f"{exc.classified.code}: {redact(exc.classified.message)}"
        raise AuthError(
            f"{platform}: {what} at {url} failed after {exc.attempts} attempts: {cause}"
        ) from None
    except OAuthError as exc:
        if renewing and exc.error in _DEAD_GRANT_ERRORS:
            raise ReauthenticationRequired(platform) from None
        detail = redact(f"{exc.error}: {exc.description}" if exc.description else str(exc.error))
        raise AuthError(f"{platform}: {what} at {url} failed: {detail}") from None
    except (requests.RequestException, ValueError) as exc:
        raise AuthError(f"{platform}: {what} at {url} failed: {redact(str(exc))}") from None


def authorization_session(
    platform: PlatformOAuth, client_id: str, client_secret: str | None, redirect_uri: str, scopes: list[str]
) -> OAuth2Session:
    # Facebook's dialog takes a comma-separated scope list; RFC 6749 (Google) separates with spaces.
    scope = ("," if platform.name == "meta_ads" else " ").join(scopes)
    return _session(platform, client_id, client_secret, redirect_uri=redirect_uri, scope=scope)


def exchange_code(
    session: OAuth2Session,
    platform: PlatformOAuth,
    token_url: str,
    authorization_response: str,
    state: str,
    code_verifier: str | None,
) -> GrantedToken:
    """Trade the code in the redirect for tokens; authlib checks `state` against the redirect's."""
    kwargs: dict[str, Any] = {"authorization_response": authorization_response, "state": state}
    if code_verifier:
        kwargs["code_verifier"] = code_verifier
    method = "GET" if platform.name == "meta_ads" else "POST"
    document = _call(
        platform.name,
        "code exchange",
        token_url,
        lambda: session.fetch_token(token_url, method=method, **kwargs),
        renewing=False,
    )
    return _granted(document)


def renew(
    platform: PlatformOAuth,
    token_url: str,
    client_id: str,
    client_secret: str | None,
    access_token: str,
    refresh_token: str | None,
    policy: RetryPolicy = TOKEN_ENDPOINT_RETRIES,
    url_setting: str | None = None,
) -> GrantedToken:
    """A fresh token pair by the platform's renewal mechanism; ReauthenticationRequired if it refuses.
    ``policy`` and ``url_setting`` as in ``_call``."""
    session = _session(platform, client_id, client_secret)
    if platform.renewal is Renewal.REFRESH_TOKEN and refresh_token:
        document = _call(
            platform.name,
            "token refresh",
            token_url,
            lambda: session.refresh_token(token_url, refresh_token=refresh_token),
            policy=policy,
            url_setting=url_setting,
        )
        return _granted(document, previous_refresh_token=refresh_token)
    if platform.renewal is Renewal.EXCHANGE_TOKEN:
        document = _call(
            platform.name,
            "long-lived token exchange",
            token_url,
            lambda: session.fetch_token(
                token_url, method="GET", grant_type="fb_exchange_token", fb_exchange_token=access_token
            ),
            policy=policy,
            url_setting=url_setting,
        )
        return _granted(document)
    raise ReauthenticationRequired(platform.name)


def revoke(
    platform: PlatformOAuth, revoke_url: str, client_id: str, client_secret: str | None, token: str
) -> None:
    """Withdraw a grant at the platform; TikTok answers errors with HTTP 200 and a non-zero code."""
    try:
        if platform.name == "meta_ads":
            response = requests.delete(revoke_url, params={"access_token": token}, timeout=HTTP_TIMEOUT_S)
        else:
            response = _session(platform, client_id, client_secret).revoke_token(revoke_url, token=token)
    except requests.RequestException as exc:
        raise AuthError(f"{platform.name}: revocation at {revoke_url} failed: {redact(str(exc))}") from None
    if platform.name == "tiktok_ads":
        response = _tiktok_envelope(response)
    if response.status_code >= 400 or "error" in _json_object(response):
        raise AuthError(
            f"{platform.name}: revocation at {revoke_url} failed with HTTP {response.status_code}"
        )
