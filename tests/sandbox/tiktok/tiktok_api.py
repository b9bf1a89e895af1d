"""A thin TikTok Marketing API client for the emulator tests, and the real payloads they compare with."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from ads_kit.sandbox.client import SandboxClient
from ads_kit.sandbox.limits import DEFAULT_RULES
from ads_kit.sandbox.pytest_plugin import running_sandbox
from ads_kit.sandbox.world import World

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "tiktok"
# Noon UTC: the three TikTok accounts (UTC, Europe/Berlin, Asia/Tokyo) are all on TODAY, each with a
# partial day already reported.
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TODAY = date(2026, 11, 25)
API = "/open_api/v1.3/"
SETTINGS = {"tiktok_task_seconds": 0.3}
# What each setting a test changes goes back to (a reset leaves settings alone).
DEFAULTS: dict[str, Any] = {
    **SETTINGS,
    "tiktok_task_checks": None,
    "tiktok_qpm_lockout_seconds": 300,
    "tiktok_empty_total_page": 0,
    "tiktok_query_cell_limit": 1_000_000,
    "tiktok_report_ad_cap": 20_000,
    "tiktok_advertiser_ids_cap": 100,
    "tiktok_denied_accounts": [],
    "oauth_grant_scopes": {},
    "limits": {"tiktok": {**DEFAULT_RULES["tiktok"], "task_create": []}},
}


@contextlib.contextmanager
def settings(sandbox: SandboxClient, **values: Any) -> Iterator[None]:
    """Sandbox settings for the length of a block, then back to the defaults above."""
    sandbox.settings(**values)
    try:
        yield
    finally:
        sandbox.settings(**{key: DEFAULTS[key] for key in values})


def money(minor: int, exponent: int) -> str:
    """A money metric as the real rows write it: major units with three decimals ("20.000")."""
    return f"{Decimal(minor).scaleb(-exponent):.3f}"


def serve() -> Iterator[SandboxClient]:
    """The sandbox the TikTok tests share: seed 7, pinned at NOW."""
    with running_sandbox(7, now=NOW, settings=SETTINGS) as client:
        yield client


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def query(params: dict[str, Any]) -> dict[str, str]:
    """Query parameters as TikTok's own sample code encodes them: lists and objects as JSON text."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in params.items()}


class TikTok:
    """Requests to the emulator as TikTok clients send them (the token in the Access-Token header)."""

    @classmethod
    def fresh(cls, client: SandboxClient) -> TikTok:
        """A client of the sandbox reset first (faults, counters, windows, the world's instant)."""
        client.reset()
        return cls(client)

    def __init__(self, client: SandboxClient) -> None:
        tiktok = client.platform("tiktok")
        self.base_url: str = tiktok["base_url"]
        self.token: str = tiktok["access_token"]
        self.app_id: str = tiktok["client_id"]
        self.secret: str = tiktok["client_secret"]
        self.accounts: list[str] = tiktok["accounts"]
        self.http = requests.Session()

    def url(self, path: str) -> str:
        return self.base_url + API + path

    def get(self, path: str, token: str | None = None, **params: Any) -> requests.Response:
        headers = {"Access-Token": token or self.token}
        return self.http.get(self.url(path), params=query(params), headers=headers, timeout=30)

    def post(self, path: str, body: dict[str, Any], token: str | None = None) -> requests.Response:
        headers = {"Access-Token": token or self.token}
        return self.http.post(self.url(path), json=body, headers=headers, timeout=30)

    def data(self, path: str, **params: Any) -> Any:
        """The `data` of a successful call (fails the test on any other answer)."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["code"] == 0, body
        return body["data"]

    def error(self, path: str, **params: Any) -> dict[str, Any]:
        """The envelope of a refused call: HTTP 200, a non-zero code and empty data."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["code"] != 0 and body["data"] == {}, body
        return body

    def get_all(self, path: str, list_key: str = "list", page_size: int = 1000, **params: Any) -> list[Any]:
        """Every item of a paged list, page by page until `page_info.total_page`."""
        items: list[Any] = []
        page = 1
        while True:
            data = self.data(path, page=page, page_size=page_size, **params)
            items += data[list_key]
            if page >= data["page_info"]["total_page"]:
                return items
            page += 1

    def report(self, **params: Any) -> list[dict[str, Any]]:
        """Every row of a synchronous report of the first account unless `advertiser_id` says otherwise."""
        params.setdefault("advertiser_id", self.accounts[0])
        return self.get_all("report/integrated/get/", **params)


def narrowed_token(sandbox: SandboxClient, scopes: list[str]) -> str:
    """A token from the OAuth flow granted only `scopes` (the sandbox's oauth_grant_scopes setting)."""
    info = sandbox.platform("tiktok")
    sandbox.settings(oauth_grant_scopes={"tiktok": scopes})
    try:
        redirect = requests.get(
            info["authorize_url"],
            params={"app_id": info["client_id"], "redirect_uri": "http://127.0.0.1:9/cb", "state": "s"},
            allow_redirects=False,
            timeout=10,
        )
    finally:
        sandbox.settings(oauth_grant_scopes={})
    code = parse_qs(urlsplit(redirect.headers["Location"]).query)["auth_code"][0]
    body = {"app_id": info["client_id"], "secret": info["client_secret"], "auth_code": code}
    return requests.post(info["token_url"], json=body, timeout=10).json()["data"]["access_token"]


def deleted_ads(world: World, account_id: str) -> set[str]:
    """Ads that are deleted, or sit under a deleted ad group or campaign."""
    groups = {g.id: g for g in world.ad_groups(account_id)}
    campaigns = {c.id: c for c in world.campaigns(account_id)}
    return {
        ad.id
        for ad in world.ads(account_id)
        if "deleted" in (ad.status, groups[ad.ad_group_id].status, campaigns[ad.campaign_id].status)
    }
