"""Authorization-code login with PKCE S256 and a loopback redirect listener (RFC 8252 §7.3).

The user's browser (or, with `auto_approve`, this process itself, which only works against a
loopback authorization server such as the sandbox) follows the authorization URL; the platform
redirects to `http://127.0.0.1:<free port>/callback`, where a one-shot listener collects the code.
authlib builds the URL, generates the PKCE challenge and checks `state`; the code is then exchanged,
the granted scopes are checked against what the tap needs, and the reachable accounts are listed.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import MismatchingStateException

from ads_kit.auth import grants
from ads_kit.auth.discovery import can_discover_accounts, discover_accounts, granted_scopes
from ads_kit.auth.errors import AuthError, MissingScopes
from ads_kit.auth.platforms import PlatformOAuth
from ads_kit.auth.store import DEFAULT_LOGIN, TokenEntry

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
LOGIN_TIMEOUT_S = 300.0


@dataclass
class LoginRequest:
    platform: PlatformOAuth
    client_id: str
    client_secret: str | None
    authorize_url: str
    token_url: str
    revoke_url: str | None
    scopes: list[str]
    login: str = DEFAULT_LOGIN


class _CallbackListener:
    """Accepts exactly one redirect on 127.0.0.1 and hands its query string over."""

    def __init__(self) -> None:
        received: list[str] = []
        done = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if urlsplit(self.path).path != CALLBACK_PATH:
                    self.send_error(404)
                    return
                received.append(self.path)
                body = b"Login received; you can close this window and return to the terminal.\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                done.set()

            def log_message(self, format: str, *args: object) -> None:  # the query holds the code
                return

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._received = received
        self._done = done
        self.redirect_uri = f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def wait(self, timeout_s: float) -> str:
        if not self._done.wait(timeout_s):
            raise AuthError(
                f"no redirect reached {self.redirect_uri} within {timeout_s:.0f} s; login abandoned"
            )
        return self.redirect_uri.removesuffix(CALLBACK_PATH) + self._received[0]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _approve_automatically(platform: str, authorization_url: str) -> None:
    """Play the browser: fetch the authorization URL and deliver its redirect to the listener."""
    if not is_loopback_url(authorization_url):
        raise AuthError(
            f"{platform}: --auto-approve only works with a loopback authorization URL (the sandbox)"
        )
    try:
        answer = requests.get(authorization_url, allow_redirects=False, timeout=grants.HTTP_TIMEOUT_S)
        location = answer.headers.get("Location")
        if answer.status_code not in (301, 302, 303, 307) or not location:
            detail = " ".join(answer.text.split())[:200]
            raise AuthError(f"{platform}: authorization refused with HTTP {answer.status_code}: {detail}")
        requests.get(location, timeout=grants.HTTP_TIMEOUT_S)
    except requests.RequestException as exc:
        raise AuthError(
            f"{platform}: authorization at {authorization_url.split('?')[0]} failed: {exc}"
        ) from None


def login(
    request: LoginRequest,
    announce: Callable[[str], None],
    open_browser: bool = True,
    auto_approve: bool = False,
    timeout_s: float = LOGIN_TIMEOUT_S,
) -> TokenEntry:
    platform = request.platform
    listener = _CallbackListener()
    try:
        session = grants.authorization_session(
            platform, request.client_id, request.client_secret, listener.redirect_uri, request.scopes
        )
        code_verifier = generate_token(64) if platform.uses_pkce else None
        extra = dict(platform.extra_authorize_params)
        if platform.name == "tiktok_ads":
            extra["app_id"] = request.client_id  # TikTok's portal names the client `app_id`
        url, state = session.create_authorization_url(
            request.authorize_url, code_verifier=code_verifier, **extra
        )
        announce(f"Open this URL to authorize {platform.name}:\n{url}")
        if auto_approve:
            _approve_automatically(platform.name, url)
        elif open_browser:
            webbrowser.open(url)
        callback = listener.wait(timeout_s)
    finally:
        listener.close()
    return complete_login(request, session, callback, state, code_verifier)


def complete_login(
    request: LoginRequest, session: OAuth2Session, callback: str, state: str, code_verifier: str | None
) -> TokenEntry:
    """Check and exchange what arrived at the redirect URI, then build the store entry."""
    platform = request.platform
    query = parse_qs(urlsplit(callback).query)
    if "error" in query:
        reason = query.get("error_description", query["error"])[0]
        raise AuthError(f"{platform.name}: authorization was refused: {reason}")
    try:
        granted = grants.exchange_code(session, platform, request.token_url, callback, state, code_verifier)
    except MismatchingStateException:
        raise AuthError(
            f"{platform.name}: the redirect's `state` does not match this login (possible forged redirect); "
            "login aborted"
        ) from None
    entry = TokenEntry(
        platform=platform.name,
        login=request.login,
        access_token=granted.access_token,
        refresh_token=granted.refresh_token,
        expires_at=granted.expires_at,
        issued_at=granted.issued_at,
        token_url=request.token_url,
        revoke_url=request.revoke_url,
        client_id=request.client_id,
        client_secret=request.client_secret,
        scopes=granted.scopes,
        accounts=granted.accounts,
    )
    entry.scopes = entry.scopes or granted_scopes(entry)
    missing = [s for s in platform.required_scopes if s not in entry.scopes]
    if missing:
        raise MissingScopes(platform.name, missing)
    if not entry.accounts and can_discover_accounts(platform.name):
        # The grant itself is good either way; the tap's account setting can stand in for the list.
        try:
            entry.accounts = discover_accounts(entry)
        except AuthError as exc:
            log.warning("%s; set the account ids in the tap config", exc)
        else:
            if not entry.accounts:
                log.warning(
                    "%s: the grant reaches no ad accounts; set the account ids in the tap config",
                    platform.name,
                )
    return entry
