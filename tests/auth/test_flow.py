"""The interactive login path: a browser delivers the redirect to the loopback listener."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from ads_kit.auth import AuthError
from ads_kit.auth.discovery import discover_accounts
from ads_kit.auth.flow import LoginRequest, complete_login, login
from ads_kit.auth.grants import authorization_session
from ads_kit.auth.platforms import platform_oauth
from ads_kit.auth.store import TokenEntry
from ads_kit.resilience.platforms import short_platform


def request_for(sandbox, platform: str) -> LoginRequest:
    info = sandbox.platform(short_platform(platform))  # the sandbox keeps its short names
    oauth = platform_oauth(platform)
    return LoginRequest(
        platform=oauth,
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        authorize_url=info["authorize_url"],
        token_url=info["token_url"],
        revoke_url=info["revoke_url"],
        scopes=list(oauth.required_scopes),
    )


def browser(text: str) -> None:
    """A user who opens the printed URL in a browser, which follows the redirect to the listener."""
    url = text.splitlines()[-1]
    threading.Thread(target=requests.get, args=(url,), kwargs={"timeout": 10}, daemon=True).start()


def test_browser_login_reaches_the_loopback_listener(sandbox) -> None:
    entry = login(request_for(sandbox, "google_ads"), announce=browser, open_browser=False)
    assert entry.refresh_token.startswith("1//")
    assert entry.platform == "google_ads"


def test_login_without_a_redirect_gives_up(sandbox) -> None:
    with pytest.raises(AuthError, match=r"no redirect reached http://127\.0\.0\.1:\d+/callback within 0 s"):
        login(
            request_for(sandbox, "tiktok_ads"), announce=lambda _text: None, open_browser=False, timeout_s=0.2
        )


def test_refusal_at_the_authorization_page_is_reported(sandbox) -> None:
    request = request_for(sandbox, "meta_ads")
    session = authorization_session(
        request.platform, request.client_id, None, "http://127.0.0.1:1/callback", []
    )
    callback = (
        "http://127.0.0.1:1/callback?error_reason=user_denied&error=access_denied"
        "&error_description=Permissions+error.&state=s"
    )
    with pytest.raises(AuthError, match=r"^meta_ads: authorization was refused: Permissions error\.$"):
        complete_login(request, session, callback, "s", None)


class _AdvertiserGet(BaseHTTPRequestHandler):
    """Answers oauth2/advertiser/get/ as documented (reference §2.1) when app id, secret and token match."""

    def do_GET(self) -> None:
        ok = "app_id=7&secret=s3cret" in self.path and self.headers.get("Access-Token") == "a" * 40
        body = {"code": 0, "message": "OK", "request_id": "1", "data": {"list": [{"advertiser_id": "700"}]}}
        if not ok:
            body = {"code": 40105, "message": "Access token is incorrect or has been revoked.", "data": {}}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def advertiser_api():
    server = HTTPServer(("127.0.0.1", 0), _AdvertiserGet)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/open_api/v1.3/oauth2/"
    server.shutdown()
    server.server_close()


def test_tiktok_advertisers_are_listed_when_the_token_response_omits_them(advertiser_api) -> None:
    entry = TokenEntry(
        platform="tiktok_ads",
        login="default",
        access_token="a" * 40,
        token_url=advertiser_api + "access_token/",
        client_id="7",
        client_secret="s3cret",
    )
    assert discover_accounts(entry) == ["700"]
    entry.access_token = "b" * 40
    with pytest.raises(AuthError, match="tiktok_ads: listing advertisers failed with code 40105"):
        discover_accounts(entry)
